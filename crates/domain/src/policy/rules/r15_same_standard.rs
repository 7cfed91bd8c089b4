//! R15 — the same occupation type at the same level gets the same subsidy
//! from every department (同类工种、同一等级、同等补贴). Enforced when the
//! catalogue is loaded (`Catalogue::new` refuses two departments' different
//! amounts for one item); noted in the trace of every catalogue-priced claim.
//! (003 二十一)

use serde::Deserialize;

use super::{CompileCx, RuleParams};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {}

impl RuleParams for Params {
    fn check(&mut self, _cx: &mut CompileCx<'_>) -> Result<(), (&'static str, String)> {
        Ok(())
    }
}
