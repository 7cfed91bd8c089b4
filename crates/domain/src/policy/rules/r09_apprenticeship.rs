//! R9 — new-type apprenticeship (企业新型学徒制): an amount per apprentice per
//! year paid to the enterprise; a share may be advanced when the class is in
//! the local training plan (列入当地培训计划, 003 十二), the rest after
//! completion. (002 九; 003 十二)
//!
//! Years are calendar years from the class's first day: a span of exactly
//! one year is one year, whether or not it contains 29 February. What is
//! left after the whole years counts as the policy says: by month, pro rata
//! (a started month is a month), or as a whole year.

use chrono::{Months, NaiveDate};
use serde::Deserialize;

use super::{CompileCx, Ctx, RuleParams, months_between};
use crate::Fen;
use crate::policy::RuleId;
use crate::policy::de;
use crate::policy::trace::{Detail, Evidence, Verdict};

/// How the part of a year after the whole years counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum PartialYear {
    /// Pro rata by month: `per_year × months / 12`, a started month counted.
    #[serde(rename = "按月折算")]
    ByMonth,
    /// A started year is a whole year.
    #[serde(rename = "按年进位")]
    RoundUp,
}

fn round_up() -> PartialYear {
    PartialYear::RoundUp
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub subsidy_type: String,
    #[serde(deserialize_with = "de::yuan")]
    pub per_year: Fen,
    #[serde(deserialize_with = "de::pct")]
    pub advance_pct: u16,
    pub training_types: Vec<String>,
    /// How a partial year counts; default 按年进位.
    #[serde(default = "round_up")]
    pub partial_year: PartialYear,
    /// The advance only for a class in the local training plan (003 十二).
    #[serde(default)]
    pub advance_requires_plan: bool,
}

impl RuleParams for Params {
    fn check(&mut self, cx: &mut CompileCx<'_>) -> Result<(), (&'static str, String)> {
        cx.subsidy_type("subsidy_type", &self.subsidy_type)?;
        cx.training_types("training_types", &self.training_types)
    }
}

/// Whole calendar years and the started months after them, from `start` to
/// `end`, both included. A span shorter than a month is one month.
pub fn span_years(start: NaiveDate, end: NaiveDate) -> (i64, i64) {
    let Some(stop) = end.succ_opt() else {
        return (0, 1);
    };
    let at = |months: i64| {
        u32::try_from(months)
            .ok()
            .and_then(|m| start.checked_add_months(Months::new(m)))
    };
    let total = months_between(start, stop).max(0);
    let mut whole_months = total;
    // A month boundary clamped to a shorter month (31 Jan + 1 month) can
    // overshoot `stop`; step back until it does not.
    while whole_months > 0 && at(whole_months).is_none_or(|d| d > stop) {
        whole_months -= 1;
    }
    // …and one clamped to the end of a month (29 Feb + 12 months) can fall
    // short of a month that is in fact whole.
    while at(whole_months + 1).is_some_and(|d| d <= stop) {
        whole_months += 1;
    }
    let started = at(whole_months).is_some_and(|d| d < stop);
    let months = whole_months + i64::from(started);
    let (years, rest) = (months / 12, months % 12);
    if years == 0 && rest == 0 {
        return (0, 1);
    }
    (years, rest)
}

/// The amount for `years` and `months` under `p`, and the years and months
/// as the trace states them.
pub fn amount(p: &Params, years: i64, months: i64) -> (Fen, i64, i64) {
    match p.partial_year {
        PartialYear::RoundUp => {
            let y = years + i64::from(months > 0);
            (Fen(p.per_year.0 * y), y, 0)
        }
        PartialYear::ByMonth => {
            let part = (i128::from(p.per_year.0) * i128::from(months) * 2 + 12) / 24;
            let fen = p.per_year.0 * years + i64::try_from(part).unwrap_or(i64::MAX);
            (Fen(fen), years, months)
        }
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
    let (whole, rest) = span_years(class.start, class.end);
    let (amount, years, months) = amount(p, whole, rest);
    let advance_pct = if p.advance_requires_plan && class.in_plan != Some(true) {
        0
    } else {
        p.advance_pct
    };
    cx.push(
        R,
        Verdict::Pass,
        Detail::Apprentice {
            years,
            per_year: p.per_year,
            amount,
            advance_pct,
            months,
        },
    );
    if advance_pct != p.advance_pct {
        cx.push(R, Verdict::Info, Detail::NotInPlan);
    }
    Some((amount, advance_pct))
}
