//! R1 — the certificate training subsidy (职业培训补贴): a person who completes
//! subsidised training and obtains one of the listed certificates receives
//! the catalogue's standard for occupation × level × certificate type on the
//! certificate's date, when the training took place where the person is
//! registered, lives or seeks work. (002 十; 003 二十一; 001 #13)
//!
//! "Completes subsidised training" is checked against the records: the
//! person is on the roster of the claim's class with a result the policy
//! counts as completed (and, where the policy says, enough hours, online
//! hours counted in proportion: 001 #10), and the certificate is that
//! training's: the class's occupation, dated from the class's start to a
//! policy-stated window after its end.
//!
//! Training given by an institution that a credit rating removed from the
//! catalogue, in a class starting on or after the removal date, is not
//! subsidised; the trace names the rating.

use serde::Deserialize;

use super::{CompileCx, Ctx, RuleParams};
use crate::policy::RuleId;
use crate::policy::de;
use crate::policy::facts::{ClassFacts, EnrolmentFacts};
use crate::policy::trace::TrainingGap;
use crate::policy::trace::{Detail, Verdict};
use crate::{CertificateType, CompletionResult, Fen, RegionCode};

/// What the engine does when the training behind a claim is not
/// established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Unverified {
    #[serde(rename = "不予核准")]
    Reject,
    #[serde(rename = "人工复核")]
    Review,
}

impl Unverified {
    fn verdict(self) -> Verdict {
        match self {
            Unverified::Reject => Verdict::Fail,
            Unverified::Review => Verdict::Flag,
        }
    }
}

fn passed_only() -> Vec<CompletionResult> {
    vec![CompletionResult::Passed]
}

fn review() -> Unverified {
    Unverified::Review
}

fn reject() -> Unverified {
    Unverified::Reject
}

/// A place a person may train in (培训地).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Place {
    #[serde(rename = "户籍地")]
    Hukou,
    #[serde(rename = "常住地")]
    Residence,
    #[serde(rename = "求职就业地")]
    Job,
}

/// How closely the training site must match the place: same province, city
/// or county.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum PlaceLevel {
    #[serde(rename = "省")]
    Province,
    #[serde(rename = "市")]
    Prefecture,
    #[serde(rename = "县")]
    County,
}

impl PlaceLevel {
    fn digits(self) -> usize {
        match self {
            PlaceLevel::Province => 2,
            PlaceLevel::Prefecture => 4,
            PlaceLevel::County => 6,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The subsidy type this rule pays (e.g. 职业培训补贴).
    pub subsidy_type: String,
    #[serde(deserialize_with = "de::cert_types")]
    pub cert_types: Vec<CertificateType>,
    /// Where the training must take place; empty: anywhere.
    #[serde(default)]
    pub training_place: Vec<Place>,
    pub place_level: PlaceLevel,
    /// Who may receive it (category sets); empty: any worker.
    #[serde(default, deserialize_with = "de::category_sets")]
    pub eligible: Vec<Vec<String>>,
    /// The roster results (结业结果) that count as completed; default 合格.
    #[serde(default = "passed_only", deserialize_with = "de::completions")]
    pub completed: Vec<CompletionResult>,
    /// How many days after the class's end a certificate may be dated and
    /// still be that training's; none: no limit.
    #[serde(default)]
    pub cert_within_days: Option<i64>,
    /// The share of the class's planned hours the person must have (in
    /// person, plus online hours as counted below); none: not checked.
    #[serde(default, deserialize_with = "de::opt_pct")]
    pub min_hours_pct: Option<u16>,
    /// Online hours count at this percentage (001 #10: 按比例计入).
    #[serde(default, deserialize_with = "de::pct")]
    pub online_pct: u16,
    /// At most this many online hours count.
    #[serde(default)]
    pub online_max_hours: Option<i64>,
    /// A claim whose certificate names no class: 人工复核 (default) or 不予核准.
    #[serde(default = "review")]
    pub no_class: Unverified,
    /// A class the person did not attend or complete, or a certificate
    /// that is not that training's: 不予核准 (default) or 人工复核.
    #[serde(default = "reject")]
    pub unverified: Unverified,
    #[serde(skip)]
    pub eligible_ids: Vec<Vec<u16>>,
}

impl RuleParams for Params {
    fn check(&mut self, cx: &mut CompileCx<'_>) -> Result<(), (&'static str, String)> {
        cx.subsidy_type("subsidy_type", &self.subsidy_type)?;
        self.eligible_ids = cx.sets("eligible", &self.eligible)?;
        if self.completed.is_empty() {
            return Err((
                "completed",
                "completed 至少列出一种结业结果，如 [\"合格\"]".into(),
            ));
        }
        if self.cert_within_days.is_some_and(|d| d < 0) {
            return Err(("cert_within_days", "天数不能为负数".into()));
        }
        if self.online_max_hours.is_some_and(|h| h < 0) {
            return Err(("online_max_hours", "课时不能为负数".into()));
        }
        Ok(())
    }
}

/// Why the training behind the claim is not established, if it is not.
fn training_gap(
    p: &Params,
    class: &ClassFacts,
    cert: &crate::policy::facts::CertificateFacts,
) -> Option<TrainingGap> {
    let Some(e): Option<EnrolmentFacts> = class.enrolment else {
        return Some(TrainingGap::NotEnrolled);
    };
    if !p.completed.contains(&e.completion) {
        return Some(TrainingGap::NotCompleted(e.completion));
    }
    if let Some(pct) = p.min_hours_pct
        && class.planned_hours > 0
    {
        let required = (class.planned_hours * i64::from(pct) + 99) / 100;
        let counted = e.counted_hours(p.online_pct, p.online_max_hours);
        if counted < required {
            return Some(TrainingGap::Hours { counted, required });
        }
    }
    if cert.occupation != class.occupation {
        return Some(TrainingGap::OtherOccupation);
    }
    if cert.issue_date < class.start {
        return Some(TrainingGap::BeforeStart(class.start));
    }
    if let Some(days) = p.cert_within_days
        && (cert.issue_date - class.end).num_days() > days
    {
        return Some(TrainingGap::TooLate {
            end: class.end,
            days,
        });
    }
    None
}

/// The roster and certificate checks; false when the claim stops here.
fn check_training(
    cx: &mut Ctx<'_>,
    p: &Params,
    cert: &crate::policy::facts::CertificateFacts,
) -> bool {
    const R: RuleId = RuleId::R1;
    let claim = cx.claim;
    let Some(class) = claim.class.as_ref() else {
        let v = p.no_class.verdict();
        cx.push(R, v, Detail::Untrained(TrainingGap::NoClass));
        return v != Verdict::Fail;
    };
    match training_gap(p, class, cert) {
        None => {
            cx.push(R, Verdict::Pass, Detail::Trained);
            true
        }
        Some(gap) => {
            let v = p.unverified.verdict();
            cx.push(R, v, Detail::Untrained(gap));
            v != Verdict::Fail
        }
    }
}

pub(crate) fn same_place(a: &RegionCode, b: &RegionCode, level: PlaceLevel) -> bool {
    let n = level.digits();
    a.as_str()[..n] == b.as_str()[..n]
}

/// The standard amount, or `None` when the rule refuses the claim.
pub(crate) fn eval(cx: &mut Ctx<'_>, p: &Params) -> Option<Fen> {
    const R: RuleId = RuleId::R1;
    let cert = cx.certificate(R, &p.cert_types)?;
    // A credit rating removed the institution from the catalogue before
    // the class started (001 #17: 退出机制).
    if let Some(class) = cx.claim.class.as_ref()
        && let Some(r) = class.institution.removed_for(class.start)
    {
        cx.push(R, Verdict::Fail, Detail::removed(r));
        return None;
    }
    if !p.eligible_ids.is_empty() {
        match cx.find_category(&p.eligible_ids, cx.claim.training_date()) {
            Some(hit) => cx.note_category(R, hit),
            None => {
                cx.push(R, Verdict::Fail, Detail::NoCategory);
                return None;
            }
        }
    }
    if !p.training_place.is_empty() {
        match cx.claim.class.as_ref() {
            Some(class) => {
                let person = cx.person;
                let ok = p.training_place.iter().any(|place| {
                    let region = match place {
                        Place::Hukou => Some(&person.hukou),
                        Place::Residence => person.residence.as_ref(),
                        Place::Job => person.job.as_ref(),
                    };
                    region.is_some_and(|r| same_place(r, &class.site, p.place_level))
                });
                cx.push(
                    R,
                    if ok { Verdict::Pass } else { Verdict::Fail },
                    Detail::Place { ok },
                );
                if !ok {
                    return None;
                }
            }
            None => cx.push(R, Verdict::Flag, Detail::PlaceUnknown),
        }
    }
    if !check_training(cx, p, cert) {
        return None;
    }
    if let Some(class) = cx.claim.class.as_ref()
        && cert.issue_date >= class.start
        && cert.issue_date < class.end
    {
        cx.push(
            R,
            Verdict::Flag,
            Detail::CertBeforeTrainingEnd { end: class.end },
        );
    }
    let found = cx.policy.catalogue.find(
        &p.subsidy_type,
        Some(&cert.occupation),
        cert.level,
        Some(cert.cert_type),
        cert.issue_date,
    );
    cx.priced(R, R, found, cert.issue_date)
}
