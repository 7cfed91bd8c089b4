//! R2 — at most N subsidies per person per year (每人每年不超过3次). The
//! policy file must say which date decides the year: the documents do not.
//! (001 #13; 002 十; 003 二十一)

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::{CompileCx, Ctx, RuleParams};
use crate::policy::RuleId;
use crate::policy::facts::ClaimFacts;
use crate::policy::trace::{Detail, Verdict};

/// Which date puts a claim in a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum YearBasis {
    /// The certificate's date (else the end of the training).
    #[serde(rename = "证书日期")]
    Event,
    #[serde(rename = "申请日期")]
    Application,
    #[serde(rename = "决定日期")]
    Decision,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub max_per_year: u32,
    pub year_basis: YearBasis,
    /// The subsidy types that count towards the cap.
    pub subsidy_types: Vec<String>,
}

impl RuleParams for Params {
    fn check(&mut self, cx: &mut CompileCx<'_>) -> Result<(), (&'static str, String)> {
        for t in &self.subsidy_types {
            cx.subsidy_type("subsidy_types", t)?;
        }
        if self.max_per_year == 0 {
            return Err(("max_per_year", "每年次数上限应至少为 1".into()));
        }
        Ok(())
    }
}

/// The year a claim counts in.
pub fn year_of(basis: YearBasis, claim: &ClaimFacts, today: NaiveDate) -> i32 {
    match basis {
        YearBasis::Event => claim.event_date().year(),
        YearBasis::Application => claim.applied_on.year(),
        YearBasis::Decision => today.year(),
    }
}

pub(crate) fn eval(cx: &mut Ctx<'_>, p: &Params) {
    if !p.subsidy_types.contains(&cx.claim.subsidy_type) {
        return;
    }
    let before = cx
        .history
        .iter()
        .filter(|a| a.year == cx.year && p.subsidy_types.contains(&a.subsidy_type))
        .count() as u32;
    let verdict = if before < p.max_per_year {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    let year = cx.year;
    cx.push(
        RuleId::R2,
        verdict,
        Detail::YearCount {
            year,
            before,
            max: p.max_per_year,
        },
    );
}
