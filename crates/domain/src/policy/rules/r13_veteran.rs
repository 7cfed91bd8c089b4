//! R13 — a veteran may take one free vocational training after discharge
//! (tuition, lodging and assessment fees waived) with a living allowance —
//! once. R7 asks here before treating a veteran as free; R8 before paying a
//! veteran's allowance. (003 八)

use serde::Deserialize;

use super::{CompileCx, Ctx, RuleParams};
use crate::Fen;
use crate::policy::de;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The veterans' category (退役军人).
    pub category: String,
    /// Whether the one free training carries a living allowance.
    pub living_allowance: bool,
    /// The veterans' own daily allowance (生活补助), apart from R8's
    /// `daily`; none: R8's rate.
    #[serde(default, deserialize_with = "de::opt_yuan")]
    pub daily: Option<Fen>,
    #[serde(skip)]
    pub category_id: u16,
}

impl RuleParams for Params {
    fn check(&mut self, cx: &mut CompileCx<'_>) -> Result<(), (&'static str, String)> {
        self.category_id = cx.category("category", &self.category)?;
        Ok(())
    }
}

/// Whether the person has already had their free training as a veteran in
/// another class: the training subsidy and the living allowance of the one
/// free training are both part of it, whichever is decided first.
pub(crate) fn used(cx: &Ctx<'_>, _p: &Params) -> bool {
    let this = cx.claim.class.as_ref().map(|c| c.key);
    cx.history
        .iter()
        .any(|a| a.veteran_free && (this.is_none() || a.class_key != this))
}

/// The veterans' category (and their own daily rate, if the policy sets
/// one) when the person is a veteran whose one free training is this one
/// and the policy pays its living allowance.
pub(crate) fn allowance_for_veteran(cx: &Ctx<'_>) -> Option<(u16, Option<Fen>)> {
    let r13 = cx.policy.rules.r13.as_ref()?;
    if !r13.params.living_allowance || used(cx, &r13.params) {
        return None;
    }
    let date = cx.claim.training_date();
    let sets = [vec![r13.params.category_id]];
    cx.find_category(&sets, date)
        .map(|h| (h.category, r13.params.daily))
}
