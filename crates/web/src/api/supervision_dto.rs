//! The API's bodies for the 监管 area (cases, ratings, draws), kept beside
//! `dto.rs` so each file stays small. IDs are always masked; a record
//! outside the token's scope is named by its number only.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A case (线索) in the queue.
#[derive(Serialize, ToSchema)]
pub struct CaseItem {
    pub case_no: String,
    /// S1 … S10
    pub check: String,
    pub check_title: String,
    /// 高 | 中 | 低
    pub severity: String,
    /// open | closed_true | closed_not_true
    pub status: String,
    pub status_zh: String,
    pub opened_at: String,
    pub claims: i64,
    pub classes: i64,
    pub persons: i64,
}

impl From<jineng_store::CaseListRow> for CaseItem {
    fn from(c: jineng_store::CaseListRow) -> CaseItem {
        CaseItem {
            case_no: c.case_no,
            check: c.check.as_str().to_string(),
            check_title: c.check.title_zh().to_string(),
            severity: c.severity,
            status: c.status.code().to_string(),
            status_zh: c.status.as_zh().to_string(),
            opened_at: c.opened_at.to_string(),
            claims: c.claims,
            classes: c.classes,
            persons: c.persons,
        }
    }
}

/// One page of the case queue.
#[derive(Serialize, ToSchema)]
pub struct CasePage {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub items: Vec<CaseItem>,
}

/// A claim a case names, within the token's scope.
#[derive(Serialize, ToSchema)]
pub struct CaseClaimInfo {
    pub claim_no: String,
    pub subsidy_type: Option<String>,
    pub status: Option<String>,
    pub amount_fen: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseClassInfo {
    pub class_no: String,
    /// For `/api/v1/classes/{id}`, within the scope.
    pub class_id: Option<i64>,
    pub institution: String,
    pub site_region: String,
    pub start_date: String,
    pub end_date: String,
}

#[derive(Serialize, ToSchema)]
pub struct CaseCertInfo {
    pub cert_no: String,
    pub cert_type: String,
    pub issue_date: String,
}

#[derive(Serialize, ToSchema)]
pub struct CaseInstitutionInfo {
    pub credit_code: String,
    pub name: String,
    pub region_code: String,
}

#[derive(Serialize, ToSchema)]
pub struct CasePersonInfo {
    /// Always masked.
    pub id_number: String,
    /// Within the scope only.
    pub name: Option<String>,
    /// For `/api/v1/persons/{id}`, within the scope only.
    pub person_id: Option<i64>,
}

/// One case with its evidence and the records it names.
#[derive(Serialize, ToSchema)]
pub struct CaseInfo {
    pub case_no: String,
    pub check: String,
    pub check_title: String,
    pub severity: String,
    pub status: String,
    pub status_zh: String,
    pub evidence: String,
    pub doc_no: String,
    pub clause: String,
    pub opened_at: String,
    pub closed_at: Option<String>,
    /// 属实 | 不属实
    pub finding: Option<String>,
    pub note: Option<String>,
    pub closed_by: Option<String>,
    /// Every named record lies in the token's scope (it may close the case).
    pub within_scope: bool,
    pub claims: Vec<CaseClaimInfo>,
    pub classes: Vec<CaseClassInfo>,
    pub certs: Vec<CaseCertInfo>,
    pub institutions: Vec<CaseInstitutionInfo>,
    pub persons: Vec<CasePersonInfo>,
    /// Named but outside the token's scope: counted, not named.
    pub claims_outside: usize,
    pub certs_outside: usize,
    pub persons_outside: usize,
}

impl From<jineng_store::CaseDetail> for CaseInfo {
    fn from(d: jineng_store::CaseDetail) -> CaseInfo {
        CaseInfo {
            case_no: d.case_no,
            check: d.check.as_str().to_string(),
            check_title: d.check.title_zh().to_string(),
            severity: d.severity,
            status: d.status.code().to_string(),
            status_zh: d.status.as_zh().to_string(),
            evidence: d.evidence,
            doc_no: d.doc_no,
            clause: d.clause,
            opened_at: d.opened_at.to_string(),
            closed_at: d.closed_at.map(|a| a.to_string()),
            finding: d.finding,
            note: d.note,
            closed_by: d.closed_by,
            within_scope: d.within_scope,
            claims: d
                .claims
                .into_iter()
                .map(|c| CaseClaimInfo {
                    claim_no: c.claim_no,
                    subsidy_type: c.subsidy_type,
                    status: c.status.map(|s| s.code().to_string()),
                    amount_fen: c.amount_fen,
                })
                .collect(),
            classes: d
                .classes
                .into_iter()
                .map(|k| CaseClassInfo {
                    class_no: k.class_no,
                    class_id: k.class_id,
                    institution: k.institution,
                    site_region: k.site_region,
                    start_date: k.start_date.to_string(),
                    end_date: k.end_date.to_string(),
                })
                .collect(),
            certs: d
                .certs
                .into_iter()
                .map(|c| CaseCertInfo {
                    cert_no: c.cert_no,
                    cert_type: c.cert_type,
                    issue_date: c.issue_date.to_string(),
                })
                .collect(),
            institutions: d
                .institutions
                .into_iter()
                .map(|i| CaseInstitutionInfo {
                    credit_code: i.credit_code,
                    name: i.name,
                    region_code: i.region_code,
                })
                .collect(),
            persons: d
                .persons
                .into_iter()
                .map(|p| CasePersonInfo {
                    id_number: p.id_number,
                    name: p.name,
                    person_id: p.person_id,
                })
                .collect(),
            claims_outside: d.claims_outside,
            certs_outside: d.certs_outside,
            persons_outside: d.persons_outside,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct CloseCaseBody {
    /// 核查结论
    #[schema(value_type = super::params::FindingCode, inline)]
    pub finding: String,
    /// 核查说明（不能为空白）
    #[schema(min_length = 1, pattern = r"[^\s\x1c-\x1f]")]
    pub note: String,
    /// 属实: also mark the certificates the case names as revoked
    #[serde(default)]
    pub revoke_certs: bool,
}

/// A point of a rating.
#[derive(Serialize, ToSchema)]
pub struct RatingPointInfo {
    pub delta: i64,
    pub reason: String,
}

/// An institution's yearly credit rating with its reasons and consequences.
#[derive(Serialize, ToSchema)]
pub struct RatingInfo {
    pub institution_code: String,
    pub institution_name: String,
    pub year: i64,
    /// 培训机构 | 评价机构
    pub kind: String,
    pub score: i64,
    /// A | B | C | D
    pub grade: String,
    pub points: Vec<RatingPointInfo>,
    /// Out of the catalogue from this date.
    pub removed_from: Option<String>,
    pub no_advances: bool,
    pub rated_on: String,
}

impl From<jineng_store::PublishedRating> for RatingInfo {
    fn from(r: jineng_store::PublishedRating) -> RatingInfo {
        RatingInfo {
            institution_code: r.institution_code,
            institution_name: r.institution_name,
            year: r.year,
            kind: r.kind,
            score: r.score,
            grade: r.grade,
            points: r
                .points
                .into_iter()
                .map(|p| RatingPointInfo {
                    delta: p.delta,
                    reason: p.reason,
                })
                .collect(),
            removed_from: r.removed_from.map(|d| d.to_string()),
            no_advances: r.no_advances,
            rated_on: r.rated_on.to_string(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DrawInstitutionInfo {
    pub credit_code: String,
    pub name: String,
    pub region_code: String,
    /// The inspection result, once recorded.
    pub result: Option<String>,
    pub recorded_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DrawInspectorInfo {
    pub code: String,
    pub name: String,
    pub unit: String,
}

/// A 双随机 draw: what re-runs it, whom it picked, the results.
#[derive(Serialize, ToSchema)]
pub struct DrawInfo {
    pub draw_no: String,
    pub year: i64,
    pub seed: String,
    /// jineng-draw-v1 (docs/supervision.md)
    pub algorithm: String,
    pub institutions_digest: String,
    pub inspectors_digest: String,
    pub drawn_at: String,
    pub institutions: Vec<DrawInstitutionInfo>,
    pub inspectors: Vec<DrawInspectorInfo>,
}

impl From<jineng_store::PublishedDraw> for DrawInfo {
    fn from(d: jineng_store::PublishedDraw) -> DrawInfo {
        DrawInfo {
            draw_no: d.draw_no,
            year: d.year,
            seed: d.seed,
            algorithm: d.algorithm,
            institutions_digest: d.institutions_digest,
            inspectors_digest: d.inspectors_digest,
            drawn_at: d.drawn_at.to_string(),
            institutions: d
                .institutions
                .into_iter()
                .map(|i| DrawInstitutionInfo {
                    credit_code: i.credit_code,
                    name: i.name,
                    region_code: i.region_code,
                    result: i.result,
                    recorded_at: i.recorded_at.map(|a| a.to_string()),
                })
                .collect(),
            inspectors: d
                .inspectors
                .into_iter()
                .map(|i| DrawInspectorInfo {
                    code: i.code,
                    name: i.name,
                    unit: i.unit,
                })
                .collect(),
        }
    }
}
