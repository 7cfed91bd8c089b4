//! R9 — new-type apprenticeship (企业新型学徒制): an amount per apprentice per
//! year paid to the enterprise; a share may be advanced when the class is in
//! the local training plan (registered, 开班备案), the rest after completion.
//! (002 九; 003 十二)

use serde::Deserialize;

use super::{CompileCx, Ctx, RuleParams};
use crate::Fen;
use crate::policy::RuleId;
use crate::policy::de;
use crate::policy::trace::{Detail, Evidence, Verdict};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub subsidy_type: String,
    #[serde(deserialize_with = "de::yuan")]
    pub per_year: Fen,
    #[serde(deserialize_with = "de::pct")]
    pub advance_pct: u16,
    pub training_types: Vec<String>,
}

impl RuleParams for Params {
    fn check(&mut self, cx: &mut CompileCx<'_>) -> Result<(), (&'static str, String)> {
        cx.subsidy_type("subsidy_type", &self.subsidy_type)?;
        cx.training_types("training_types", &self.training_types)
    }
}

/// The amount and the share that may be advanced.
pub(crate) fn eval(cx: &mut Ctx<'_>, p: &Params) -> Option<(Fen, u16)> {
    const R: RuleId = RuleId::R9;
    let class = cx.class(R)?;
    if !cx.claim.has_claimant {
        cx.push(R, Verdict::Fail, Detail::Missing(Evidence::Claimant));
        return None;
    }
    if !p.training_types.contains(&class.training_type) {
        cx.push(R, Verdict::Fail, Detail::NotTrainingType);
        return None;
    }
    // A started year counts: a 13-month apprenticeship is two years.
    let years = ((class.days() + 364) / 365).max(1);
    let amount = Fen(p.per_year.0 * years);
    cx.push(
        R,
        Verdict::Pass,
        Detail::Apprentice {
            years,
            per_year: p.per_year,
            amount,
            advance_pct: p.advance_pct,
        },
    );
    Some((amount, p.advance_pct))
}
