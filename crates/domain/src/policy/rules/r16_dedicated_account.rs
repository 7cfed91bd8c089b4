//! R16 — the dedicated account (专账): separate accounts per fund source
//! (分账核算、专款专用), and which sources pay which subsidy type, in order of
//! preference. The ledger refuses a payment beyond its source's balance.
//! (001 #12; 002 十一; 003 二十三)

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{CompileCx, RuleParams};
use crate::ledger::FundCode;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Fund code → name (失业保险基金结余, 就业补助资金 …).
    pub funds: BTreeMap<String, String>,
    /// Subsidy type → fund codes, first choice first.
    pub routing: BTreeMap<String, Vec<String>>,
}

impl RuleParams for Params {
    fn check(&mut self, cx: &mut CompileCx<'_>) -> Result<(), (&'static str, String)> {
        for code in self.funds.keys() {
            // The ledger's own rule for fund codes, written exactly as stored.
            match FundCode::parse(code) {
                Ok(f) if f.as_str() == code => {}
                Ok(f) => {
                    return Err(("funds", format!("资金来源代码「{code}」应写作「{f}」")));
                }
                Err(e) => return Err(("funds", e.message().to_string())),
            }
        }
        for (subsidy, funds) in &self.routing {
            cx.subsidy_type("routing", subsidy)?;
            if funds.is_empty() {
                return Err(("routing", format!("「{subsidy}」未指定资金来源")));
            }
            if let Some(f) = funds.iter().find(|f| !self.funds.contains_key(*f)) {
                return Err((
                    "routing",
                    format!("「{subsidy}」的资金来源「{f}」未在 funds 中定义"),
                ));
            }
        }
        Ok(())
    }
}
