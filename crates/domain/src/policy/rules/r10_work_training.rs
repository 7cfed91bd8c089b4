//! R10 — 以工代训: an amount per person per month, for at most N months in
//! all, to an employer that hires the listed groups and trains them on the
//! job. (002 九)

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
    pub monthly: Fen,
    pub max_months: i64,
    #[serde(deserialize_with = "de::category_sets")]
    pub eligible: Vec<Vec<String>>,
    #[serde(skip)]
    pub eligible_ids: Vec<Vec<u16>>,
}

impl RuleParams for Params {
    fn check(&mut self, cx: &mut CompileCx<'_>) -> Result<(), (&'static str, String)> {
        cx.subsidy_type("subsidy_type", &self.subsidy_type)?;
        self.eligible_ids = cx.sets("eligible", &self.eligible)?;
        if self.max_months <= 0 {
            return Err(("max_months", "最长月数应大于 0".into()));
        }
        Ok(())
    }
}

/// The amount and the months paid.
pub(crate) fn eval(cx: &mut Ctx<'_>, p: &Params) -> Option<(Fen, i64)> {
    const R: RuleId = RuleId::R10;
    if !cx.claim.has_claimant {
        cx.push(R, Verdict::Fail, Detail::Missing(Evidence::Claimant));
        return None;
    }
    let claimed = match cx.claim.months {
        Some(m) if m > 0 => m,
        _ => {
            cx.push(R, Verdict::Fail, Detail::Missing(Evidence::Months));
            return None;
        }
    };
    match cx.find_category(&p.eligible_ids, cx.claim.training_date()) {
        Some(hit) => cx.note_category(R, hit),
        None => {
            cx.push(R, Verdict::Fail, Detail::NoCategory);
            return None;
        }
    }
    let prior: i64 = cx
        .history
        .iter()
        .filter(|a| a.subsidy_type == p.subsidy_type)
        .map(|a| a.months)
        .sum();
    let paid = claimed.min(p.max_months - prior).max(0);
    let amount = Fen(p.monthly.0 * paid);
    let verdict = if paid > 0 {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    cx.push(
        R,
        verdict,
        Detail::WorkTraining {
            claimed,
            prior,
            max: p.max_months,
            paid,
            monthly: p.monthly,
            amount,
        },
    );
    (paid > 0).then_some((amount, paid))
}
