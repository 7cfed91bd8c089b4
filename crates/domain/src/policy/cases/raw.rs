//! The test file as written: every key optional where a default exists, so
//! that a case states only what matters. `[defaults]` holds the same keys as
//! a case and fills what a case leaves out (key by key, nested tables
//! merged); what neither says takes the built-in default of `build.rs`.
//!
//! A new fact is added here (one `Option` field and its name in the `fill!`
//! list) and in `build.rs` (its default).

use chrono::NaiveDate;
use serde::Deserialize;
use serde::de::{self, Deserializer};
use toml::Spanned;

use super::super::de as pde;
use super::super::{DecisionOutcome, PayeeKind};
use crate::{
    CertificateType, CompletionResult, Fen, OccupationCode, RegionCode, RelationKind, Sex,
    SkillLevel, ValueError,
};

/// A value written as its Chinese term (or code) and checked while reading,
/// so that a wrong term is reported at its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Term<T>(pub T);

pub(super) trait ParseTerm: Sized {
    fn parse_term(s: &str) -> Result<Self, ValueError>;
}

macro_rules! terms {
    ($($t:ty),+) => {$(
        impl ParseTerm for $t {
            fn parse_term(s: &str) -> Result<Self, ValueError> {
                <$t>::parse(s)
            }
        }
    )+};
}
terms!(
    RegionCode,
    OccupationCode,
    CertificateType,
    SkillLevel,
    Sex,
    RelationKind,
    CompletionResult
);

impl ParseTerm for DecisionOutcome {
    fn parse_term(s: &str) -> Result<Self, ValueError> {
        [DecisionOutcome::Approved, DecisionOutcome::Rejected, DecisionOutcome::Review]
            .into_iter()
            .find(|o| o.as_str() == s.trim() || o.as_zh() == s.trim())
            .ok_or_else(|| {
                ValueError::new(format!(
                    "无法识别的结论「{s}」，应为 approved（核准）、rejected（不予核准）或 review（需人工复核）"
                ))
            })
    }
}

impl ParseTerm for PayeeKind {
    fn parse_term(s: &str) -> Result<Self, ValueError> {
        [
            PayeeKind::Person,
            PayeeKind::Institution,
            PayeeKind::Enterprise,
        ]
        .into_iter()
        .find(|p| p.as_str() == s.trim() || p.as_zh() == s.trim())
        .ok_or_else(|| {
            ValueError::new(format!(
                "无法识别的支付对象「{s}」，应为 person（个人）、institution（培训机构）或 enterprise（企业）"
            ))
        })
    }
}

impl<'de, T: ParseTerm> Deserialize<'de> for Term<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        T::parse_term(&s)
            .map(Term)
            .map_err(|e| de::Error::custom(e.message()))
    }
}

/// A date written "2019-10-10".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Date(pub NaiveDate);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        pde::date(d).map(Date)
    }
}

/// Yuan as the policy file writes money: 1500 or "1,500.00".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Yuan(pub Fen);

impl<'de> Deserialize<'de> for Yuan {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        pde::yuan(d).map(Yuan)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    /// The policy file the cases are for, relative to the test file.
    #[serde(default)]
    pub policy: Option<String>,
    #[serde(default)]
    pub defaults: RawFacts,
    #[serde(default, rename = "case")]
    pub cases: Vec<Spanned<RawCase>>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub(super) struct RawCase {
    pub name: Option<String>,
    /// 文号 and clause the case exercises.
    pub clause: Option<String>,
    /// Why the engine cannot decide this case as the document says yet.
    pub pending: Option<String>,
    pub today: Option<Date>,
    pub person: Option<RawPerson>,
    pub claim: Option<RawClaim>,
    pub awards: Option<Vec<RawAward>>,
    pub expect: Option<RawExpect>,
}

/// What goes in: the keys `[defaults]` shares with a case.
#[derive(Deserialize, Default, Clone)]
#[serde(default, deny_unknown_fields)]
pub(super) struct RawFacts {
    /// The decision date (counts for a policy whose year basis is 决定日期).
    pub today: Option<Date>,
    pub person: Option<RawPerson>,
    pub claim: Option<RawClaim>,
    /// Subsidies the person already holds.
    pub awards: Option<Vec<RawAward>>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default, deny_unknown_fields)]
pub(super) struct RawPerson {
    pub birth: Option<Date>,
    pub sex: Option<Term<Sex>>,
    pub pension: Option<bool>,
    pub hukou: Option<Term<RegionCode>>,
    pub residence: Option<Term<RegionCode>>,
    pub job: Option<Term<RegionCode>>,
    pub categories: Option<Vec<RawSpan>>,
    pub family: Option<Vec<RawRelative>>,
}

/// A category: its name (held since long before any training), or a table
/// with its dates.
#[derive(Deserialize, Clone)]
#[serde(untagged)]
pub(super) enum RawSpan {
    Name(String),
    Dated(RawDatedSpan),
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDatedSpan {
    pub name: String,
    #[serde(default)]
    pub from: Option<Date>,
    #[serde(default)]
    pub to: Option<Date>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRelative {
    pub relation: Term<RelationKind>,
    #[serde(default)]
    pub categories: Vec<RawSpan>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default, deny_unknown_fields)]
pub(super) struct RawClaim {
    /// The subsidy type (补贴类型).
    #[serde(rename = "type")]
    pub subsidy_type: Option<String>,
    pub no: Option<String>,
    pub applied: Option<Date>,
    /// An institution or enterprise made the claim (申领单位).
    pub claimant: Option<bool>,
    pub months: Option<i64>,
    pub amount_asked: Option<Yuan>,
    pub certificate: Option<RawCert>,
    /// The calendar months the claim covers (以工代训).
    pub period: Option<RawPeriod>,
    /// `false`: the claim names no class; a table: the class.
    pub class: Option<RawClassOr>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default, deny_unknown_fields)]
pub(super) struct RawCert {
    #[serde(rename = "type")]
    pub cert_type: Option<Term<CertificateType>>,
    pub no: Option<String>,
    pub occupation: Option<Term<OccupationCode>>,
    pub level: Option<Term<SkillLevel>>,
    pub date: Option<Date>,
    /// The day the certificate was revoked (撤销), if it was.
    pub revoked: Option<Date>,
}

/// Months from `from`'s to `to`'s, both included.
#[derive(Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPeriod {
    pub from: Date,
    pub to: Date,
}

#[derive(Deserialize, Clone)]
#[serde(untagged)]
pub(super) enum RawClassOr {
    Present(bool),
    Class(RawClass),
}

#[derive(Deserialize, Default, Clone)]
#[serde(default, deny_unknown_fields)]
pub(super) struct RawClass {
    pub key: Option<i64>,
    pub training_type: Option<String>,
    pub occupation: Option<Term<OccupationCode>>,
    pub level: Option<Term<SkillLevel>>,
    /// 培训地.
    pub site: Option<Term<RegionCode>>,
    pub deep_poverty: Option<bool>,
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub institution: Option<RawInstitution>,
    /// The person is on the class's roster.
    pub enrolled: Option<bool>,
    pub offline_hours: Option<i64>,
    pub online_hours: Option<i64>,
    /// 结业结果: 合格, 不合格, 未结业.
    pub result: Option<Term<CompletionResult>>,
    /// 计划课时.
    pub planned_hours: Option<i64>,
    /// 列入当地培训计划 (R9's advance).
    pub in_plan: Option<bool>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default, deny_unknown_fields)]
pub(super) struct RawInstitution {
    pub region: Option<Term<RegionCode>>,
    pub in_catalogue: Option<bool>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default, deny_unknown_fields)]
pub(super) struct RawAward {
    pub no: Option<String>,
    #[serde(rename = "type")]
    pub subsidy_type: Option<String>,
    pub year: Option<i32>,
    pub occupation: Option<Term<OccupationCode>>,
    pub level: Option<Term<SkillLevel>>,
    pub cert_type: Option<Term<CertificateType>>,
    pub cert_no: Option<String>,
    pub class_key: Option<i64>,
    pub months: Option<i64>,
    /// The calendar months paid (以工代训).
    pub period: Option<RawPeriod>,
    /// The award used a veteran's one free training (R13).
    pub veteran_free: Option<bool>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExpect {
    pub outcome: Term<DecisionOutcome>,
    #[serde(default)]
    pub amount: Option<Yuan>,
    #[serde(default)]
    pub payee: Option<Term<PayeeKind>>,
    #[serde(default)]
    pub rules: Option<Vec<Spanned<String>>>,
    #[serde(default, deserialize_with = "opt_pct")]
    pub advance_pct: Option<u16>,
}

fn opt_pct<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    pde::pct(d).map(Some)
}

/// Fills what `self` leaves out from `from` (the file's `[defaults]`).
pub(super) trait Fill {
    fn fill(&mut self, from: &Self);
}

macro_rules! fill {
    ($t:ty { $($f:ident),* } nested { $($n:ident),* }) => {
        impl Fill for $t {
            fn fill(&mut self, from: &Self) {
                $( if self.$f.is_none() { self.$f = from.$f.clone(); } )*
                $( match (&mut self.$n, &from.$n) {
                    (Some(a), Some(b)) => a.fill(b),
                    (slot, b) => if slot.is_none() { *slot = b.clone(); },
                } )*
            }
        }
    };
}

fill!(RawCase { today, awards } nested { person, claim });

impl RawCase {
    /// Fills the case from the file's `[defaults]`.
    pub fn fill_from(&mut self, d: &RawFacts) {
        let d = RawCase {
            name: None,
            clause: None,
            pending: None,
            today: d.today,
            person: d.person.clone(),
            claim: d.claim.clone(),
            awards: d.awards.clone(),
            expect: None,
        };
        self.fill(&d);
    }
}
fill!(RawPerson { birth, sex, pension, hukou, residence, job, categories, family } nested {});
fill!(RawClaim { subsidy_type, no, applied, claimant, months, amount_asked, period } nested { certificate, class });
fill!(RawCert { cert_type, no, occupation, level, date } nested {});
fill!(RawClass { key, training_type, occupation, level, site, deep_poverty, start, end,
    enrolled, offline_hours, online_hours, result, planned_hours, in_plan } nested { institution });
fill!(RawInstitution { region, in_catalogue } nested {});

impl Fill for RawClassOr {
    fn fill(&mut self, from: &Self) {
        if let (RawClassOr::Class(a), RawClassOr::Class(b)) = (self, from) {
            a.fill(b);
        }
    }
}
