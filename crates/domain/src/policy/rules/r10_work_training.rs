//! R10 — 以工代训: an amount per person per month, for at most N months in
//! all, to an employer that hires the listed groups and trains them on the
//! job. (002 九)
//!
//! A claim that names the calendar months it covers is paid by month: a
//! month already paid for the person under this type, to any employer, is
//! not paid again (R17: one person-month of 以工代训 is paid once). Months
//! another deployment paid under this type (its federation tags) are taken
//! too, and the trace names the deployment.

use chrono::NaiveDate;
use serde::Deserialize;

use super::{CompileCx, Ctx, RuleParams};
use crate::Fen;
use crate::policy::RuleId;
use crate::policy::de;
use crate::policy::facts::months_of;
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

/// Who paid a month already: a local claim, or another deployment.
#[derive(Debug, Clone)]
enum Payer {
    Claim(String),
    Elsewhere(String),
}

/// The months of the claim's period not yet paid for the person under this
/// type, and how many of the period were, with one payer of them.
fn unpaid_months(cx: &Ctx<'_>, p: &Params) -> Option<(Vec<NaiveDate>, i64, Option<Payer>)> {
    let (from, to) = cx.claim.period?;
    let mut taken = 0;
    let mut by = None;
    let mut free = Vec::new();
    for m in months_of(from, to) {
        let payer = cx
            .history
            .iter()
            .find(|a| a.subsidy_type == p.subsidy_type && a.paid_months.contains(&m));
        let elsewhere = || {
            cx.person
                .paid_elsewhere
                .iter()
                .find(|a| a.subsidy_type == p.subsidy_type && a.months.contains(&m))
        };
        match (payer, payer.is_none().then(elsewhere).flatten()) {
            (Some(a), _) => {
                taken += 1;
                by.get_or_insert_with(|| Payer::Claim(a.claim_no.clone()));
            }
            (None, Some(a)) => {
                taken += 1;
                by.get_or_insert_with(|| Payer::Elsewhere(a.deployment.clone()));
            }
            (None, None) => free.push(m),
        }
    }
    Some((free, taken, by))
}

/// The amount and the months paid (with the calendar months, when the
/// claim names its period).
pub(crate) fn eval(cx: &mut Ctx<'_>, p: &Params) -> Option<(Fen, i64, Vec<NaiveDate>)> {
    const R: RuleId = RuleId::R10;
    if !cx.claim.has_claimant {
        cx.push(R, Verdict::Fail, Detail::Missing(Evidence::Claimant));
        return None;
    }
    let by_month = unpaid_months(cx, p);
    let claimed = match (&by_month, cx.claim.months) {
        (Some((free, taken, _)), _) => free.len() as i64 + taken,
        (None, Some(m)) if m > 0 => m,
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
    let open = match &by_month {
        Some((free, taken, by)) => {
            if *taken > 0 {
                let months = *taken;
                let detail = match by.clone() {
                    Some(Payer::Elsewhere(deployment)) => {
                        Detail::MonthsElsewhere { months, deployment }
                    }
                    Some(Payer::Claim(claim_no)) => Detail::MonthsTaken { months, claim_no },
                    None => Detail::MonthsTaken {
                        months,
                        claim_no: String::new(),
                    },
                };
                let v = if free.is_empty() {
                    Verdict::Fail
                } else {
                    Verdict::Info
                };
                // R17's point (one person-month once); R10's line when the
                // policy does not enable R17.
                let rule = if cx.policy.rules.r17.is_some() {
                    RuleId::R17
                } else {
                    R
                };
                cx.push(rule, v, detail);
            }
            free.len() as i64
        }
        None => claimed,
    };
    let paid = open.min(p.max_months - prior).max(0);
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
    let months = by_month
        .map(|(free, _, _)| free.into_iter().take(paid as usize).collect())
        .unwrap_or_default();
    (paid > 0).then_some((amount, paid, months))
}
