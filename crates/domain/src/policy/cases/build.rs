//! The facts a case feeds the engine, from what it states and the built-in
//! defaults. The one place where test-file keys become `facts.rs` values:
//! a new fact gets its key in `raw.rs` and its default here.
//!
//! Defaults (documented in docs/policy.md): a man born 1985-06-15, no
//! pension, 户籍 in the policy's region, no category; a 就业技能培训 class
//! at the policy's region from 2019-09-02 to 2019-09-27 by a catalogued
//! institution there, the person enrolled, 80 hours, 合格; the certificate
//! (when the case gives one) 13 days after the class; the application 10
//! days after the certificate (or the class); a claimant (申领单位) for the
//! subsidy types the policy pays to an enterprise (R9, R10).

use chrono::{Datelike, Days, NaiveDate};

use super::super::facts::{
    Award, CategorySpan, CertificateFacts, ClaimFacts, ClassFacts, EnrolmentFacts,
    InstitutionFacts, PersonFacts, Relative, months_of,
};
use super::super::{Policy, RuleId};
use super::raw::{RawAward, RawCase, RawCert, RawClass, RawClassOr, RawPerson, RawSpan, Term};
use crate::{CertificateType, CompletionResult, OccupationCode, Sex};

/// What the engine is given for one case.
pub(super) struct Built {
    pub person: PersonFacts,
    pub claim: ClaimFacts,
    pub awards: Vec<Award>,
    pub today: NaiveDate,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid built-in date")
}

fn plus(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_add_days(Days::new(days)).unwrap_or(d)
}

fn minus(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(days)).unwrap_or(d)
}

/// A class lasts 26 days unless the case says otherwise.
const CLASS_DAYS: u64 = 25;
/// The built-in occupation: 电工.
const OCCUPATION: &str = "6-31-01-03";

fn spans(raw: &[RawSpan]) -> Vec<CategorySpan> {
    raw.iter()
        .map(|s| match s {
            RawSpan::Name(name) => CategorySpan {
                category: name.clone(),
                from: date(2000, 1, 1),
                to: None,
            },
            RawSpan::Dated(s) => CategorySpan {
                category: s.name.clone(),
                from: s.from.map_or(date(2000, 1, 1), |d| d.0),
                to: s.to.map(|d| d.0),
            },
        })
        .collect()
}

fn person(p: &RawPerson, policy: &Policy) -> PersonFacts {
    PersonFacts {
        birth_date: p.birth.map_or(date(1985, 6, 15), |d| d.0),
        sex: p.sex.map_or(Sex::Male, |s| s.0),
        receives_pension: p.pension.unwrap_or(false),
        hukou: p.hukou.clone().map_or(policy.meta.region.clone(), |t| t.0),
        residence: p.residence.clone().map(|t| t.0),
        job: p.job.clone().map(|t| t.0),
        categories: spans(p.categories.as_deref().unwrap_or_default()),
        family: p
            .family
            .iter()
            .flatten()
            .map(|r| Relative {
                relation: r.relation.0,
                categories: spans(&r.categories),
            })
            .collect(),
        paid_elsewhere: Vec::new(),
    }
}

fn occupation(t: &Option<Term<OccupationCode>>) -> Option<OccupationCode> {
    t.clone().map(|t| t.0)
}

fn class(c: &RawClass, cert: Option<&RawCert>, policy: &Policy) -> ClassFacts {
    let (start, end) = match (c.start, c.end) {
        (Some(s), Some(e)) => (s.0, e.0),
        (Some(s), None) => (s.0, plus(s.0, CLASS_DAYS)),
        (None, Some(e)) => (minus(e.0, CLASS_DAYS), e.0),
        (None, None) => (date(2019, 9, 2), date(2019, 9, 27)),
    };
    let site = c.site.clone().map_or(policy.meta.region.clone(), |t| t.0);
    let institution = c.institution.clone().unwrap_or_default();
    let cert_occupation = cert.and_then(|c| occupation(&c.occupation));
    ClassFacts {
        key: c.key.unwrap_or(1),
        institution: InstitutionFacts {
            region: institution.region.map_or(site.clone(), |t| t.0),
            in_catalogue: institution.in_catalogue.unwrap_or(true),
            removed: None,
        },
        training_type: c
            .training_type
            .clone()
            .unwrap_or_else(|| "就业技能培训".into()),
        occupation: occupation(&c.occupation)
            .or(cert_occupation)
            .unwrap_or_else(default_occupation),
        level: c
            .level
            .map(|t| t.0)
            .or_else(|| cert.and_then(|c| c.level.map(|t| t.0))),
        site,
        site_deep_poverty: c.deep_poverty.unwrap_or(false),
        start,
        end,
        enrolment: c.enrolled.unwrap_or(true).then(|| EnrolmentFacts {
            offline_hours: c.offline_hours.unwrap_or(80),
            online_hours: c.online_hours.unwrap_or(0),
            completion: c.result.map_or(CompletionResult::Passed, |t| t.0),
        }),
        planned_hours: c.planned_hours.unwrap_or(0),
        in_plan: c.in_plan,
    }
}

fn default_occupation() -> OccupationCode {
    OccupationCode::parse(OCCUPATION).expect("a valid built-in occupation")
}

fn certificate(c: &RawCert, class: Option<&ClassFacts>, index: usize) -> CertificateFacts {
    CertificateFacts {
        cert_type: c.cert_type.map_or(CertificateType::SkillLevel, |t| t.0),
        cert_no: c
            .no
            .clone()
            .unwrap_or_else(|| format!("ZS{:04}", index + 1)),
        occupation: occupation(&c.occupation)
            .or_else(|| class.map(|k| k.occupation.clone()))
            .unwrap_or_else(default_occupation),
        level: c.level.map(|t| t.0),
        issue_date: c.date.map_or_else(
            || plus(class.map_or(date(2019, 9, 27), |k| k.end), 13),
            |d| d.0,
        ),
        revoked_on: c.revoked.map(|d| d.0),
    }
}

fn award(a: &RawAward, i: usize, claim: &ClaimFacts) -> Award {
    Award {
        claim_no: a.no.clone().unwrap_or_else(|| format!("A{:04}", i + 1)),
        subsidy_type: a
            .subsidy_type
            .clone()
            .unwrap_or_else(|| claim.subsidy_type.clone()),
        year: a.year.unwrap_or_else(|| claim.event_date().year()),
        occupation: occupation(&a.occupation),
        level: a.level.map(|t| t.0),
        cert: a.cert_type.map(|t| {
            let no = a
                .cert_no
                .clone()
                .unwrap_or_else(|| format!("AZ{:04}", i + 1));
            (t.0, no)
        }),
        class_key: a.class_key,
        months: a.months.unwrap_or(0),
        paid_months: a
            .period
            .map(|p| months_of(p.from.0, p.to.0))
            .unwrap_or_default(),
        veteran_free: a.veteran_free.unwrap_or(false),
    }
}

/// The facts of case `index` (its `[defaults]` already filled in).
pub(super) fn build(c: &RawCase, index: usize, policy: &Policy) -> Built {
    let raw_claim = c.claim.clone().unwrap_or_default();
    let raw_cert = raw_claim.certificate.as_ref();
    let class = match &raw_claim.class {
        Some(RawClassOr::Present(false)) => None,
        Some(RawClassOr::Present(true)) | None => {
            Some(class(&RawClass::default(), raw_cert, policy))
        }
        Some(RawClassOr::Class(k)) => Some(class(k, raw_cert, policy)),
    };
    let certificate = raw_cert.map(|r| certificate(r, class.as_ref(), index));
    let subsidy_type = raw_claim
        .subsidy_type
        .clone()
        .unwrap_or_else(|| "职业培训补贴".into());
    let enterprise = matches!(
        policy.amount_rules.get(&subsidy_type),
        Some(RuleId::R9 | RuleId::R10)
    );
    let event = certificate
        .as_ref()
        .map(|c| c.issue_date)
        .or_else(|| class.as_ref().map(|k| k.end))
        .unwrap_or(date(2019, 10, 10));
    let claim = ClaimFacts {
        voucher: None,
        claim_no: raw_claim
            .no
            .clone()
            .unwrap_or_else(|| format!("C{:04}", index + 1)),
        subsidy_type,
        applied_on: raw_claim.applied.map_or(plus(event, 10), |d| d.0),
        certificate,
        class,
        has_claimant: raw_claim.claimant.unwrap_or(enterprise),
        months: raw_claim.months,
        amount_asked: raw_claim.amount_asked.map(|y| y.0),
        period: raw_claim.period.map(|p| (p.from.0, p.to.0)),
    };
    let awards = c
        .awards
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, a)| award(a, i, &claim))
        .collect();
    Built {
        person: person(&c.person.clone().unwrap_or_default(), policy),
        today: c.today.map_or(claim.applied_on, |d| d.0),
        claim,
        awards,
    }
}
