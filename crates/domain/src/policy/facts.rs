//! What the engine decides from: the claim, the person's record as it stood
//! (categories with their dates, family), the training and certificate the
//! claim rests on, and the awards the person already holds. The store builds
//! these from the registry; the engine never reads anything else.

use crate::{
    CertificateType, CompletionResult, Fen, OccupationCode, RegionCode, RelationKind, Sex,
    SkillLevel,
};
use chrono::{Datelike, NaiveDate};

/// A category held over a period (人员类别 with its validity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategorySpan {
    pub category: String,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

impl CategorySpan {
    pub fn holds_on(&self, date: NaiveDate) -> bool {
        self.from <= date && self.to.is_none_or(|to| date <= to)
    }
}

/// A relative of the person with the relative's categories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relative {
    /// What the relative is to the person (父母: the relative is a parent).
    pub relation: RelationKind,
    pub categories: Vec<CategorySpan>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFacts {
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub receives_pension: bool,
    pub hukou: RegionCode,
    pub residence: Option<RegionCode>,
    pub job: Option<RegionCode>,
    pub categories: Vec<CategorySpan>,
    pub family: Vec<Relative>,
    /// Subsidies paid to the person in other deployments, from their
    /// federation tags (R3, R17; docs/supervision.md, federation).
    pub paid_elsewhere: Vec<ForeignAward>,
}

impl PersonFacts {
    /// Age in whole years on `date`.
    pub fn age_on(&self, date: NaiveDate) -> i32 {
        let mut age = date.year() - self.birth_date.year();
        if (date.month(), date.day()) < (self.birth_date.month(), self.birth_date.day()) {
            age -= 1;
        }
        age
    }
}

/// The institution that gave a class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstitutionFacts {
    pub region: RegionCode,
    /// In the approved-institution catalogue (目录清单) on the class's start.
    pub in_catalogue: bool,
    /// Removed from the catalogue by a credit rating (信用评定 退出), from
    /// a date: training that starts on or after it is not subsidised (R1,
    /// R4).
    pub removed: Option<CatalogueRemoval>,
}

/// A credit rating's removal of an institution from the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueRemoval {
    /// The institution's credit code.
    pub institution: String,
    /// The rating's year and grade.
    pub year: i32,
    pub grade: String,
    /// Out of the catalogue from this date.
    pub from: NaiveDate,
}

impl InstitutionFacts {
    /// The removal in force for training starting on `start`, if any.
    pub fn removed_for(&self, start: NaiveDate) -> Option<&CatalogueRemoval> {
        self.removed.as_ref().filter(|r| start >= r.from)
    }
}

/// A person's place in a class (参训记录).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnrolmentFacts {
    pub offline_hours: i64,
    pub online_hours: i64,
    pub completion: CompletionResult,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassFacts {
    /// The store's key of the class: one training is paid once (R17).
    pub key: i64,
    pub institution: InstitutionFacts,
    pub training_type: String,
    pub occupation: OccupationCode,
    pub level: Option<SkillLevel>,
    pub site: RegionCode,
    pub site_deep_poverty: bool,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// The person's enrolment in this class, if any.
    pub enrolment: Option<EnrolmentFacts>,
    /// The class's planned hours (计划课时); 0 when unknown.
    pub planned_hours: i64,
    /// Whether the class is in the local training plan (列入当地培训计划);
    /// `None` when the records do not say (R9's advance).
    pub in_plan: Option<bool>,
}

impl ClassFacts {
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }
}

impl EnrolmentFacts {
    /// The hours that count: in-person hours plus online hours at `online_pct`
    /// percent (rounded down), the online part at most `online_max` hours
    /// (001 #10: 在线学习课时可按比例计入培训总课时).
    pub fn counted_hours(&self, online_pct: u16, online_max: Option<i64>) -> i64 {
        let online = self.online_hours.max(0) * i64::from(online_pct) / 100;
        self.offline_hours.max(0) + online_max.map_or(online, |m| online.min(m.max(0)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateFacts {
    pub cert_type: CertificateType,
    pub cert_no: String,
    pub occupation: OccupationCode,
    pub level: Option<SkillLevel>,
    pub issue_date: NaiveDate,
    /// When the certificate was revoked (撤销), if it was: it then earns
    /// no subsidy under any rule.
    pub revoked_on: Option<NaiveDate>,
}

/// One claim with the evidence it names, as found in the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimFacts {
    pub claim_no: String,
    pub subsidy_type: String,
    pub applied_on: NaiveDate,
    pub certificate: Option<CertificateFacts>,
    /// The class named by the claim, or the one the certificate came from.
    pub class: Option<ClassFacts>,
    /// Whether an institution or enterprise made the claim (申领单位).
    pub has_claimant: bool,
    pub months: Option<i64>,
    pub amount_asked: Option<Fen>,
    /// The calendar months the claim covers (以工代训), first and last
    /// included, each as the first day of its month; `None` when the claim
    /// gives only a number of months.
    pub period: Option<(NaiveDate, NaiveDate)>,
    /// The training voucher (职业培训券) redeemed for the claim's training
    /// when the person enrolled: the claim settles at its face value.
    pub voucher: Option<VoucherFacts>,
}

/// A redeemed voucher as a claim's evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherFacts {
    pub voucher_no: String,
    pub face: Fen,
}

/// The first day of each month from `from`'s month to `to`'s, both included.
pub fn months_of(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut m = from.with_day(1).unwrap_or(from);
    while m <= to && out.len() < 1200 {
        out.push(m);
        m = match m.checked_add_months(chrono::Months::new(1)) {
            Some(next) => next,
            None => break,
        };
    }
    out
}

impl ClaimFacts {
    /// The event the claim rests on: the certificate's date, else the end
    /// of the training, else the application.
    pub fn event_date(&self) -> NaiveDate {
        self.certificate
            .as_ref()
            .map(|c| c.issue_date)
            .or_else(|| self.class.as_ref().map(|c| c.end))
            .unwrap_or(self.applied_on)
    }

    /// When the training began (category checks are made as of this date).
    pub fn training_date(&self) -> NaiveDate {
        self.class
            .as_ref()
            .map(|c| c.start)
            .unwrap_or_else(|| self.event_date())
    }

    pub fn occupation(&self) -> Option<&OccupationCode> {
        self.certificate
            .as_ref()
            .map(|c| &c.occupation)
            .or_else(|| self.class.as_ref().map(|c| &c.occupation))
    }

    pub fn level(&self) -> Option<SkillLevel> {
        match &self.certificate {
            Some(c) => c.level,
            None => self.class.as_ref().and_then(|c| c.level),
        }
    }
}

/// A subsidy the person already holds (an approved or paid claim), as the
/// caps and the no-repeat rules count it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Award {
    pub claim_no: String,
    pub subsidy_type: String,
    /// The year the claim counts in, on the policy's basis (R2).
    pub year: i32,
    pub occupation: Option<OccupationCode>,
    pub level: Option<SkillLevel>,
    pub cert: Option<(CertificateType, String)>,
    pub class_key: Option<i64>,
    /// Months paid (以工代训).
    pub months: i64,
    /// The calendar months paid (以工代训), each as the first day of its
    /// month; empty when the claim gave no period.
    pub paid_months: Vec<NaiveDate>,
    /// This award used the veteran's one free training (R13).
    pub veteran_free: bool,
}

/// A subsidy another deployment paid the person, as its federation tag
/// tells it: no claim, certificate or class number, only what was paid for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignAward {
    /// The other deployment's code (its region, e.g. `620500`).
    pub deployment: String,
    pub subsidy_type: String,
    pub year: i32,
    pub occupation: Option<OccupationCode>,
    pub level: Option<SkillLevel>,
    /// The calendar months paid (per person-month subsidies), each as the
    /// first day of its month.
    pub months: Vec<NaiveDate>,
}
