//! The API's response bodies, described for the OpenAPI document. They
//! mirror the store's records field for field; IDs are masked.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub login: String,
    pub display_name: String,
    /// officer | finance | auditor | institution | enterprise | worker | platform
    pub role: String,
    /// The scope: `region:371500`, `institution:3`, `person:42`, `enterprise:…`.
    pub scope: String,
}

#[derive(Serialize, ToSchema)]
pub struct Figures {
    pub persons: i64,
    pub institutions: i64,
    pub classes: i64,
    pub certificates: i64,
    pub claims: i64,
    pub claims_eligible: i64,
    pub claims_review: i64,
    pub claims_paid: i64,
    pub paid_fen: i64,
}

impl From<jineng_store::Figures> for Figures {
    fn from(f: jineng_store::Figures) -> Figures {
        Figures {
            persons: f.persons,
            institutions: f.institutions,
            classes: f.classes,
            certificates: f.certificates,
            claims: f.claims,
            claims_eligible: f.claims_eligible,
            claims_review: f.claims_review,
            claims_paid: f.claims_paid,
            paid_fen: f.paid_fen,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PersonHit {
    pub person_id: i64,
    /// Masked.
    pub id_number: String,
    pub name: String,
    pub sex: String,
    pub birth_date: String,
    pub hukou_region: String,
    pub hukou_region_name: String,
}

impl From<jineng_store::PersonHit> for PersonHit {
    fn from(h: jineng_store::PersonHit) -> PersonHit {
        PersonHit {
            person_id: h.person_id,
            id_number: h.id_number,
            name: h.name,
            sex: h.sex,
            birth_date: h.birth_date.to_string(),
            hukou_region: h.hukou_region,
            hukou_region_name: h.hukou_region_name,
        }
    }
}

/// A person's e-archive: identity (ID masked), categories, enrolments,
/// certificates, claims — as `jineng person show --json` prints it.
#[derive(Serialize)]
#[serde(transparent)]
pub struct Archive(pub serde_json::Value);

impl utoipa::PartialSchema for Archive {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .description(Some(
                "电子档案：person_id, id_number（脱敏）, name, sex, birth_date, hukou_region, hukou_region_name, phone, categories, enrolments, certificates, claims",
            ))
            .into()
    }
}

impl ToSchema for Archive {}

#[derive(Serialize, ToSchema)]
pub struct ClaimRow {
    pub claim_no: String,
    pub person_name: String,
    /// Masked.
    pub id_number: String,
    pub subsidy_type: String,
    pub status: String,
    pub status_zh: String,
    pub amount_fen: Option<i64>,
    pub applied_on: String,
    pub flagged_rules: String,
}

impl From<jineng_store::ClaimRow> for ClaimRow {
    fn from(c: jineng_store::ClaimRow) -> ClaimRow {
        ClaimRow {
            claim_no: c.claim_no,
            person_name: c.person_name,
            id_number: c.id_number,
            subsidy_type: c.subsidy_type,
            status: c.status.code().to_string(),
            status_zh: c.status.as_zh().to_string(),
            amount_fen: c.amount_fen,
            applied_on: c.applied_on.to_string(),
            flagged_rules: c.flagged_rules,
        }
    }
}

/// A claim with its decision, rule by rule, in Chinese.
#[derive(Serialize, ToSchema)]
pub struct Claim {
    pub claim_no: String,
    pub person_name: String,
    /// Masked.
    pub id_number: String,
    pub subsidy_type: String,
    pub status: String,
    pub outcome: Option<String>,
    pub amount_fen: Option<i64>,
    pub header: String,
    /// One line per rule evaluated, with its clause.
    pub trace: Vec<String>,
    pub conclusion: String,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct ApproveBody {
    /// 审核意见
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct RejectBody {
    /// 驳回理由（不能为空白）
    #[schema(min_length = 1, pattern = r"[^\s\x1c-\x1f]")]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct Approval {
    pub approved: u64,
    pub amount_fen: i64,
    /// Claims the approval could not stand for, each with the reason.
    pub refused: Vec<Refusal>,
}

/// A claim a batch action left alone, and why (in Chinese).
#[derive(Serialize, ToSchema)]
pub struct Refusal {
    pub claim_no: String,
    pub reason: String,
}

impl Refusal {
    pub fn list(pairs: Vec<(String, String)>) -> Vec<Refusal> {
        pairs
            .into_iter()
            .map(|(claim_no, reason)| Refusal { claim_no, reason })
            .collect()
    }
}

#[derive(Serialize, ToSchema)]
pub struct Done {
    pub ok: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ClassRow {
    /// For `/api/v1/classes/{id}` and its review steps.
    pub class_id: i64,
    pub class_no: String,
    pub institution: String,
    pub training_type: String,
    pub occupation_name: String,
    pub skill_level: Option<i64>,
    pub site_region: String,
    pub start_date: String,
    pub end_date: String,
    pub status: String,
    pub enrolled: i64,
}

impl From<jineng_store::ClassSummary> for ClassRow {
    fn from(c: jineng_store::ClassSummary) -> ClassRow {
        ClassRow {
            class_id: c.class_id,
            class_no: c.class_no,
            institution: c.institution,
            training_type: c.training_type,
            occupation_name: c.occupation_name,
            skill_level: c.skill_level,
            site_region: c.site_region,
            start_date: c.start_date.to_string(),
            end_date: c.end_date.to_string(),
            status: c.status.code().to_string(),
            enrolled: c.enrolled,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FundLine {
    pub fund_code: String,
    pub fund_name: String,
    pub claims_paid: i64,
    pub paid_fen: i64,
    pub claims_advanced: i64,
    pub advanced_fen: i64,
    pub claims_recovered: i64,
}

impl From<jineng_store::FundLine> for FundLine {
    fn from(l: jineng_store::FundLine) -> FundLine {
        FundLine {
            fund_code: l.fund_code,
            fund_name: l.fund_name,
            claims_paid: l.claims_paid,
            paid_fen: l.paid_fen,
            claims_advanced: l.claims_advanced,
            advanced_fen: l.advanced_fen,
            claims_recovered: l.claims_recovered,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Certificate {
    pub name: String,
    /// Always masked.
    pub id_number: String,
    pub cert_no: String,
    pub cert_type: String,
    pub occupation_name: String,
    pub skill_level: Option<i64>,
    pub issue_date: String,
    pub issuer: String,
}

impl From<jineng_store::CertificateCheck> for Certificate {
    fn from(c: jineng_store::CertificateCheck) -> Certificate {
        Certificate {
            name: c.name,
            id_number: c.id_number,
            cert_no: c.cert_no,
            cert_type: c.cert_type,
            occupation_name: c.occupation_name,
            skill_level: c.skill_level,
            issue_date: c.issue_date.to_string(),
            issuer: c.issuer,
        }
    }
}

/// Every error: a message in Chinese, and for a request the server could
/// not read at all (a path, query or body that does not parse) the
/// parser's own words as `detail`.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}
