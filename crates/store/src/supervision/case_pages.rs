//! Cases (线索) for the 监管 pages and the API, within an account's scope:
//! the queue (filters, search by case number, sort, paging, counts of the
//! records named), one case with the records it names, and closing it.
//!
//! A case is a record of every region its named records lie in. It
//! *reaches* a scope when at least one named record (claim, person,
//! certificate, institution, class) is inside the scope by that record's
//! own rule (`scoped::filter`: claims and certificates by the person's
//! 户籍地, classes by 培训地, institutions by 所在地). It *lies within* a
//! scope when every named record found in the registry is inside it; only
//! then may the account close it, since closing acts on all of them (a
//! county officer closes his county's cases, the city officer the ones
//! that cross counties). A case outside the scope answers like a missing
//! one (403). A case that only reaches the scope shows the claims,
//! certificates and persons inside it; the others are counted, not named,
//! and their numbers are blanked out of the evidence text.

use crate::row::Typed;
use jineng_domain::access::Scope;
use jineng_domain::supervision::case::{CaseStatus, Finding};
use jineng_domain::supervision::{CheckId, Severity};
use jineng_domain::{RegionCode, Stamp};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

use crate::audit::Actor;
use crate::claims::scoped::{Subject, filter, has_nul};
use crate::sort::order_page;
use crate::sql::{Val, bind_all};
use crate::supervision::CaseDetail;
use crate::{Store, StoreError};

/// What the queue shows: filters, search and order.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub status: Option<CaseStatus>,
    pub check: Option<CheckId>,
    pub severity: Option<Severity>,
    /// Cases reaching this region (inside the scope; the caller checks).
    pub region: Option<RegionCode>,
    /// Part of a case number.
    pub case_no: String,
    pub sort: CaseSort,
    pub descending: bool,
}

crate::sort::sort_columns! {
    /// The queue's sort columns.
    CaseSort {
        Opened => ("opened", "s.opened_at"),
        CaseNo => ("case_no", "s.case_no"),
        // S1 … S10 in their order, not as text.
        Check => ("check", "LENGTH(s.check_id)", "s.check_id"),
        Severity => (
            "severity",
            "CASE s.severity WHEN '高' THEN 0 WHEN '中' THEN 1 WHEN '低' THEN 2 ELSE 3 END"
        ),
        Status => ("status", "s.status"),
    }
}

impl CaseSort {
    pub fn as_zh(self) -> &'static str {
        match self {
            CaseSort::Opened => "立案时间",
            CaseSort::CaseNo => "线索编号",
            CaseSort::Check => "核查项",
            CaseSort::Severity => "风险等级",
            CaseSort::Status => "状态",
        }
    }
}

/// A case in the queue.
#[derive(Debug, Clone, Serialize)]
pub struct CaseListRow {
    pub case_no: String,
    pub check: CheckId,
    pub severity: String,
    pub status: CaseStatus,
    pub opened_at: Stamp,
    pub claims: i64,
    pub classes: i64,
    pub persons: i64,
}

/// The condition that a case record `r` is inside the scope whose value is
/// bound to `$n`.
fn record_in_scope(scope: &Scope, n: usize) -> (String, Val) {
    let (claim, val) = filter(scope, Subject::Claim, n);
    let (person, _) = filter(scope, Subject::Person, n);
    let (cert, _) = filter(scope, Subject::Certificate, n);
    let (inst, _) = filter(scope, Subject::Institution, n);
    let (class, _) = filter(scope, Subject::Class, n);
    let sql = format!(
        "((r.kind = 'claim' AND r.record_key IN (SELECT c.claim_no FROM claims c JOIN persons p ON p.person_id = c.person_id WHERE {claim})) \
         OR (r.kind = 'person' AND r.record_key IN (SELECT p.id_number FROM persons p WHERE {person})) \
         OR (r.kind = 'cert' AND r.record_key IN (SELECT ce.cert_no FROM certificates ce JOIN persons p ON p.person_id = ce.person_id WHERE {cert})) \
         OR (r.kind = 'institution' AND r.record_key IN (SELECT i.credit_code FROM institutions i WHERE {inst})) \
         OR (r.kind = 'class' AND EXISTS (SELECT 1 FROM classes cl JOIN institutions ci ON ci.institution_id = cl.institution_id \
             JOIN supervision_case_records ri ON ri.case_id = r.case_id AND ri.kind = 'institution' AND ri.record_key = ci.credit_code \
             WHERE cl.class_no = r.record_key AND {class})))"
    );
    (sql, val)
}

/// The condition that case `s` reaches the scope bound to `$n`.
fn reaches(scope: &Scope, n: usize) -> (String, Val) {
    let (rec, val) = record_in_scope(scope, n);
    (
        format!(
            "EXISTS (SELECT 1 FROM supervision_case_records r WHERE r.case_id = s.case_id AND {rec})"
        ),
        val,
    )
}

/// The WHERE clause and values of a queue query.
fn conditions(scope: &Scope, q: &CaseQuery) -> (String, Vec<Val>) {
    let (cond, val) = reaches(scope, 1);
    let mut sql = vec![cond];
    let mut vals = vec![val];
    if let Some(r) = &q.region {
        let (c, v) = reaches(&Scope::Region(r.clone()), vals.len() + 1);
        sql.push(c);
        vals.push(v);
    }
    let mut eq = |col: &str, v: String| {
        sql.push(format!("{col} = ${}", vals.len() + 1));
        vals.push(Val::text(v));
    };
    if let Some(s) = q.status {
        eq("s.status", s.code().into());
    }
    if let Some(c) = q.check {
        eq("s.check_id", c.as_str().into());
    }
    if let Some(s) = q.severity {
        eq("s.severity", s.as_zh().into());
    }
    let no = q.case_no.trim();
    if !no.is_empty() {
        sql.push(format!("s.case_no LIKE ${}", vals.len() + 1));
        vals.push(Val::text(format!("%{}%", no.replace(['%', '_'], ""))));
    }
    (sql.join(" AND "), vals)
}

fn status_of(code: &str) -> Result<CaseStatus, StoreError> {
    CaseStatus::from_code(code)
        .ok_or_else(|| StoreError::Corrupt(format!("线索状态「{code}」无法识别")))
}

fn check_of(code: &str) -> Result<CheckId, StoreError> {
    CheckId::parse(code).ok_or_else(|| StoreError::Corrupt(format!("核查项「{code}」无法识别")))
}

fn out_of_scope(case_no: &str) -> StoreError {
    StoreError::OutOfScope(format!("线索「{case_no}」不存在或不在您的管理范围内"))
}

impl Store {
    /// How many cases of the queue reach the scope.
    pub async fn scoped_case_count(&self, scope: &Scope, q: &CaseQuery) -> Result<i64, StoreError> {
        if has_nul(&q.case_no) {
            return Ok(0);
        }
        let (cond, vals) = conditions(scope, q);
        self.count_where("supervision_cases s", &cond, &vals).await
    }

    /// One page of the queue: cases reaching the scope, in the asked order.
    pub async fn scoped_cases(
        &self,
        scope: &Scope,
        q: &CaseQuery,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<CaseListRow>, StoreError> {
        if has_nul(&q.case_no) {
            return Ok(Vec::new());
        }
        let (cond, vals) = conditions(scope, q);
        let page = order_page(
            q.sort.order_by(),
            &["s.case_id"],
            q.descending,
            offset,
            limit,
        );
        let count = |kind: &str| {
            format!(
                "(SELECT COUNT(*) FROM supervision_case_records k WHERE k.case_id = s.case_id AND k.kind = '{kind}') AS n_{kind}"
            )
        };
        let sql = format!(
            "SELECT s.case_no, s.check_id, s.severity, s.status, s.opened_at, {}, {}, {} \
             FROM supervision_cases s WHERE {cond} {page}",
            count("claim"),
            count("class"),
            count("person"),
        );
        let rows = self.rows_bound(sql, &vals).await?;
        rows.iter()
            .map(|r| {
                Ok(CaseListRow {
                    case_no: r.try_get("case_no")?,
                    check: check_of(&r.try_get::<String, _>("check_id")?)?,
                    severity: r.try_get("severity")?,
                    status: status_of(&r.try_get::<String, _>("status")?)?,
                    opened_at: r.stamp("opened_at")?,
                    claims: r.try_get("n_claim")?,
                    classes: r.try_get("n_class")?,
                    persons: r.try_get("n_person")?,
                })
            })
            .collect()
    }

    /// One case reaching the scope, with the records it names.
    pub async fn scoped_case(
        &self,
        scope: &Scope,
        case_no: &str,
    ) -> Result<CaseDetail, StoreError> {
        if has_nul(case_no) {
            return Err(out_of_scope(case_no));
        }
        let (cond, val) = reaches(scope, 1);
        let sql = format!(
            "SELECT s.case_id, s.case_no, s.check_id, s.severity, s.status, s.evidence, s.doc_no, s.clause, \
             s.opened_at, s.closed_at, s.finding, s.note, s.closed_by \
             FROM supervision_cases s WHERE s.case_no = $2 AND {cond}"
        );
        let vals = [val.clone(), Val::text(case_no)];
        let r = bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| out_of_scope(case_no))?;
        let case_id: i64 = r.try_get("case_id")?;
        let mut d = CaseDetail {
            case_no: r.try_get("case_no")?,
            check: check_of(&r.try_get::<String, _>("check_id")?)?,
            severity: r.try_get("severity")?,
            status: status_of(&r.try_get::<String, _>("status")?)?,
            evidence: r.try_get("evidence")?,
            doc_no: r.try_get("doc_no")?,
            clause: r.try_get("clause")?,
            opened_at: r.stamp("opened_at")?,
            closed_at: r.opt_stamp("closed_at")?,
            finding: r.try_get("finding")?,
            note: r.try_get("note")?,
            closed_by: r.try_get("closed_by")?,
            within_scope: true,
            claims: Vec::new(),
            classes: Vec::new(),
            certs: Vec::new(),
            institutions: Vec::new(),
            persons: Vec::new(),
            claims_outside: 0,
            certs_outside: 0,
            persons_outside: 0,
        };
        self.case_records(scope, case_id, &mut d).await?;
        Ok(d)
    }

    /// Closes a case that lies wholly within the scope (audited by
    /// `close_case`); one that only reaches it is refused, naming why.
    pub async fn scoped_close_case(
        &self,
        scope: &Scope,
        case_no: &str,
        finding: Finding,
        note: &str,
        revoke_certs: bool,
        actor: &Actor,
    ) -> Result<super::CloseReport, StoreError> {
        let d = self.scoped_case(scope, case_no).await?;
        if !d.within_scope {
            return Err(StoreError::OutOfScope(format!(
                "线索「{case_no}」涉及您管理范围以外的记录，须由上级人社部门结案"
            )));
        }
        if has_nul(note) {
            return Err(StoreError::Refused(
                "核查说明含有无法保存的控制字符（NUL），请删除后重试".into(),
            ));
        }
        self.close_case(case_no, finding, note, revoke_certs, actor)
            .await
    }
}
