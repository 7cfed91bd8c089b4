//! R7 — free training (免费培训) for the listed groups: the full standard is
//! paid to the institution and nothing is charged to the trainee; everyone
//! else (college graduates, enterprise employees …) receives the subsidy by
//! the standard. Decides the payee. (002 九)

use serde::Deserialize;

use super::{CompileCx, Ctx, RuleParams};
use crate::policy::RuleId;
use crate::policy::de;
use crate::policy::engine::PayeeKind;
use crate::policy::trace::{Detail, Verdict};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The subsidy types whose payee this rule decides.
    pub subsidy_types: Vec<String>,
    /// Groups trained free (category sets).
    #[serde(deserialize_with = "de::category_sets")]
    pub free: Vec<Vec<String>>,
    /// Groups subsidised by the standard, for the record (they are paid
    /// in person, as is anyone not in `free`).
    #[serde(default)]
    pub by_standard: Vec<String>,
    #[serde(skip)]
    pub free_ids: Vec<Vec<u16>>,
}

impl RuleParams for Params {
    fn check(&mut self, cx: &mut CompileCx<'_>) -> Result<(), (&'static str, String)> {
        for t in &self.subsidy_types {
            cx.subsidy_type("subsidy_types", t)?;
        }
        self.free_ids = cx.sets("free", &self.free)?;
        cx.categories("by_standard", &self.by_standard)?;
        Ok(())
    }
}

/// Who is paid, and whether the veteran's one free training (R13) is used.
pub(crate) fn eval(cx: &mut Ctx<'_>, p: &Params) -> (PayeeKind, bool) {
    if cx.claim.class.is_none() {
        cx.push(RuleId::R7, Verdict::Info, Detail::ByStandard);
        return (PayeeKind::Person, false);
    }
    let date = cx.claim.training_date();
    let mut hit = cx.find_category(&p.free_ids, date);
    let mut veteran_used = false;
    if let (Some(h), Some(r13)) = (hit, cx.policy.rules.r13.as_ref())
        && h.category == r13.params.category_id
    {
        let used = super::r13_veteran::used(cx, &r13.params);
        cx.push(
            RuleId::R13,
            if used { Verdict::Info } else { Verdict::Pass },
            Detail::VeteranOnce { used },
        );
        if used {
            hit = cx.find_category_except(&p.free_ids, date, Some(h.category));
        } else {
            veteran_used = true;
        }
    }
    match hit {
        Some(h) => {
            cx.note_family(h);
            cx.push(
                RuleId::R7,
                Verdict::Info,
                Detail::Free {
                    category: h.category,
                },
            );
            (PayeeKind::Institution, veteran_used)
        }
        None => {
            cx.push(RuleId::R7, Verdict::Info, Detail::ByStandard);
            (PayeeKind::Person, false)
        }
    }
}
