//! R8 — living allowance (生活费补贴) per training day for the listed groups,
//! raised by a percentage where the training takes place in a deep-poverty
//! county. (002 九; 003 三)
//!
//! A group may be limited to some training types (003 六: 贫困劳动力参加
//! 项目制培训期间生活费补贴), and online hours may count in proportion when
//! days are counted from hours (001 #10).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{CompileCx, Ctx, RuleParams};
use crate::policy::RuleId;
use crate::policy::catalogue::uplifted;
use crate::policy::de;
use crate::policy::trace::{Detail, Evidence, Verdict};
use crate::{CompletionResult, Fen};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub subsidy_type: String,
    /// Per person per training day, in yuan.
    #[serde(deserialize_with = "de::yuan")]
    pub daily: Fen,
    #[serde(deserialize_with = "de::pct")]
    pub deep_poverty_uplift_pct: u16,
    #[serde(deserialize_with = "de::category_sets")]
    pub eligible: Vec<Vec<String>>,
    /// Paid only for a completed (合格) training.
    pub require_completion: bool,
    /// When set, days are the in-person hours divided by this, at most the
    /// class's calendar days; otherwise the class's calendar days.
    #[serde(default)]
    pub hours_per_day: Option<i64>,
    #[serde(default)]
    pub max_days: Option<i64>,
    /// Online hours count at this percentage towards the days (001 #10).
    #[serde(default, deserialize_with = "de::pct")]
    pub online_pct: u16,
    /// At most this many online hours count.
    #[serde(default)]
    pub online_max_hours: Option<i64>,
    /// Category → the training types in which it is eligible; a category
    /// not listed is eligible in every type (003 六).
    #[serde(default)]
    pub group_training_types: BTreeMap<String, Vec<String>>,
    #[serde(skip)]
    pub eligible_ids: Vec<Vec<u16>>,
    #[serde(skip)]
    pub limited: Vec<(u16, Vec<String>)>,
}

impl Params {
    /// The eligible sets that hold in a class of `training_type`: a set with
    /// a category limited to other training types is left out.
    fn sets_for(&self, training_type: &str) -> Vec<Vec<u16>> {
        self.eligible_ids
            .iter()
            .filter(|set| {
                set.iter().all(|c| {
                    self.limited
                        .iter()
                        .find(|(l, _)| l == c)
                        .is_none_or(|(_, types)| types.iter().any(|t| t == training_type))
                })
            })
            .cloned()
            .collect()
    }
}

impl RuleParams for Params {
    fn check(&mut self, cx: &mut CompileCx<'_>) -> Result<(), (&'static str, String)> {
        cx.subsidy_type("subsidy_type", &self.subsidy_type)?;
        self.eligible_ids = cx.sets("eligible", &self.eligible)?;
        if self.hours_per_day.is_some_and(|h| h <= 0) {
            return Err(("hours_per_day", "每天课时数应大于 0".into()));
        }
        self.limited = Vec::new();
        for (category, types) in &self.group_training_types {
            let id = cx.category("group_training_types", category)?;
            cx.training_types("group_training_types", types)?;
            self.limited.push((id, types.clone()));
        }
        Ok(())
    }
}

pub(crate) fn eval(cx: &mut Ctx<'_>, p: &Params) -> Option<(Fen, bool)> {
    const R: RuleId = RuleId::R8;
    let class = cx.class(R)?;
    let Some(enrolment) = class.enrolment else {
        cx.push(R, Verdict::Fail, Detail::Missing(Evidence::Enrolment));
        return None;
    };
    if p.require_completion && enrolment.completion != CompletionResult::Passed {
        cx.push(R, Verdict::Fail, Detail::NotCompleted);
        return None;
    }
    let mut veteran_used = false;
    let mut base = p.daily;
    let sets = if p.limited.is_empty() {
        None
    } else {
        Some(p.sets_for(&class.training_type))
    };
    match cx.find_category(
        sets.as_deref().unwrap_or(p.eligible_ids.as_slice()),
        class.start,
    ) {
        Some(hit) => cx.note_category(R, hit),
        None => match super::r13_veteran::allowance_for_veteran(cx) {
            Some((category, rate)) => {
                veteran_used = true;
                cx.push(
                    RuleId::R13,
                    Verdict::Pass,
                    Detail::VeteranOnce { used: false },
                );
                if let Some(daily) = rate {
                    base = daily;
                    cx.push(RuleId::R13, Verdict::Info, Detail::VeteranRate { daily });
                }
                cx.push(R, Verdict::Pass, Detail::Category { category });
            }
            None => {
                cx.push(R, Verdict::Fail, Detail::NoCategory);
                return None;
            }
        },
    }
    let mut days = class.days();
    if let Some(h) = p.hours_per_day {
        days = days.min(enrolment.counted_hours(p.online_pct, p.online_max_hours) / h);
    }
    if let Some(max) = p.max_days {
        days = days.min(max);
    }
    let uplift_pct = if class.site_deep_poverty {
        p.deep_poverty_uplift_pct
    } else {
        0
    };
    let daily = uplifted(base, uplift_pct);
    let amount = Fen(daily.0 * days.max(0));
    // No day to pay (no in-person hours): the rule refuses, and says so.
    let verdict = if amount.0 > 0 {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    cx.push(
        R,
        verdict,
        Detail::Allowance {
            days,
            base,
            daily,
            uplift_pct,
            amount,
        },
    );
    (amount.0 > 0).then_some((amount, veteran_used))
}
