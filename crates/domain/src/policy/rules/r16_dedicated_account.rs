//! R16 — the dedicated account (专账): separate accounts per fund source
//! (分账核算、专款专用), and which sources pay which subsidy type, in order of
//! preference. The ledger refuses a payment beyond its source's balance.
//! (001 #12; 002 十一; 003 二十三)

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::{self, Deserializer};

use super::{CompileCx, RuleParams};
use crate::ledger::FundCode;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Fund code → name (失业保险基金结余, 就业补助资金 …).
    pub funds: BTreeMap<String, String>,
    /// Subsidy type → fund codes, first choice first.
    #[serde(deserialize_with = "routing")]
    pub routing: BTreeMap<String, Vec<FundCode>>,
}

impl Params {
    /// The funds that pay `subsidy_type`, first choice first, or why the
    /// policy names none.
    pub fn routing_for(&self, subsidy_type: &str) -> Result<&[FundCode], String> {
        self.routing
            .get(subsidy_type)
            .map(Vec::as_slice)
            .ok_or_else(|| format!("政策未规定「{subsidy_type}」的资金来源（R16）"))
    }
}

/// A fund code as the ledger stores it, written exactly so (`UI`, not `ui`).
fn exact_code(raw: &str) -> Result<FundCode, String> {
    match FundCode::parse(raw) {
        Ok(f) if f.as_str() == raw => Ok(f),
        Ok(f) => Err(format!("资金来源代码「{raw}」应写作「{f}」")),
        Err(e) => Err(e.message().to_string()),
    }
}

/// `routing`'s codes, parsed when the policy is read: a bad code is
/// refused there, with the file and line of `routing`.
fn routing<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Vec<FundCode>>, D::Error> {
    BTreeMap::<String, Vec<String>>::deserialize(d)?
        .into_iter()
        .map(|(subsidy, codes)| {
            let codes = codes
                .iter()
                .map(|c| {
                    exact_code(c).map_err(|m| de::Error::custom(format!("「{subsidy}」的{m}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok((subsidy, codes))
        })
        .collect()
}

impl RuleParams for Params {
    fn check(&mut self, cx: &mut CompileCx<'_>) -> Result<(), (&'static str, String)> {
        for code in self.funds.keys() {
            // The ledger's own rule for fund codes, written exactly as stored.
            exact_code(code).map_err(|m| ("funds", m))?;
        }
        for (subsidy, funds) in &self.routing {
            cx.subsidy_type("routing", subsidy)?;
            if funds.is_empty() {
                return Err(("routing", format!("「{subsidy}」未指定资金来源")));
            }
            if let Some(f) = funds.iter().find(|f| !self.funds.contains_key(f.as_str())) {
                return Err((
                    "routing",
                    format!("「{subsidy}」的资金来源「{f}」未在 funds 中定义"),
                ));
            }
        }
        Ok(())
    }
}
