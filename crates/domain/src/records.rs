//! Validated records: one per template row once every field has been parsed
//! ("parse, don't validate"). The store writes these; nothing here is raw text.

use crate::{
    BankAccount, CertificateType, CompletionResult, CreditCode, Fen, NationalId, OccupationCode,
    Phone, RegionCode, RelationKind, Sex, SkillLevel,
};
use chrono::NaiveDate;
use serde::Serialize;

/// 人员信息: a person of the real-name registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonRecord {
    #[serde(skip)]
    pub id: NationalId,
    pub name: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub ethnicity: Option<String>,
    pub education: Option<String>,
    pub phone: Option<Phone>,
    pub hukou_region: RegionCode,
    pub residence_region: Option<RegionCode>,
    pub job_region: Option<RegionCode>,
    pub receives_pension: bool,
    /// The 社保卡 bank account subsidies are paid to (004 十九).
    #[serde(skip)]
    pub bank: Option<PayeeAccount>,
}

/// A payee's bank account and the bank it is held at (开户银行).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayeeAccount {
    pub account: BankAccount,
    pub bank_name: String,
}

/// 人员类别: a category that holds for a person over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryRecord {
    pub id: NationalId,
    pub category: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub evidence: Option<String>,
}

/// 家庭关系: `relative` is the `relation` of `id` (e.g. 父母 = relative is a parent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationRecord {
    pub id: NationalId,
    pub relative: NationalId,
    pub relation: RelationKind,
}

/// 培训机构, with its period in the approved-institution catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstitutionRecord {
    pub name: String,
    pub credit_code: CreditCode,
    pub kind: String,
    pub region: RegionCode,
    /// `Some((from, to))` when 是否目录内 = 是.
    pub catalogue: Option<(NaiveDate, Option<NaiveDate>)>,
    /// The account subsidies paid to the institution or enterprise go to.
    pub bank: Option<PayeeAccount>,
}

/// 培训班, registered by an institution (开班备案).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassRecord {
    pub class_no: String,
    pub institution: CreditCode,
    pub training_type: String,
    pub occupation: OccupationCode,
    /// None for 专项职业能力 training, which has no level.
    pub level: Option<SkillLevel>,
    pub site: RegionCode,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub planned_hours: i64,
    /// 是否列入培训计划: `None` when the file does not say.
    pub in_plan: Option<bool>,
    /// 授课教师 (optional columns, for supervision check S9): name and ID.
    pub teacher: Option<(String, NationalId)>,
}

/// 花名册 row: a person's enrolment and attendance in a class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterRecord {
    pub class_no: String,
    pub institution: CreditCode,
    pub name: String,
    pub id: NationalId,
    pub offline_hours: i64,
    pub online_hours: i64,
    pub completion: CompletionResult,
}

/// 证书 held by a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRecord {
    pub cert_no: String,
    pub cert_type: CertificateType,
    pub name: String,
    pub id: NationalId,
    pub occupation: OccupationCode,
    pub level: Option<SkillLevel>,
    pub issue_date: NaiveDate,
    pub issuer: CreditCode,
    pub class_no: Option<String>,
}

/// 补贴申领 as submitted; the decision comes later from the policy engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRecord {
    pub claim_no: String,
    pub subsidy_type: String,
    pub id: NationalId,
    pub cert_no: Option<String>,
    pub class_no: Option<String>,
    pub institution: Option<CreditCode>,
    pub claimant: Option<CreditCode>,
    pub applied_on: NaiveDate,
    pub months: Option<i64>,
    pub amount_asked: Option<Fen>,
    /// The calendar months covered (以工代训), first days of the first and
    /// last month.
    pub period: Option<(NaiveDate, NaiveDate)>,
}

/// 行政区划 row: a deployment-defined zone, or flags on a national region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionRecord {
    pub code: RegionCode,
    pub name: String,
    pub parent: Option<RegionCode>,
    /// `None`: leave the flag as it is.
    pub deep_poverty: Option<bool>,
}
