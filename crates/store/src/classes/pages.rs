//! Scoped reads of classes for the officer's pages: the list with a status
//! filter, and one class with its roster summary and status history.

use crate::claims::list::contains;
use crate::claims::scoped::{Subject, filter, has_nul};
use crate::row::{Typed, parse_code};
use crate::sort::order_page;
use crate::sql::{Val, bind_all};
use crate::{Store, StoreError};
use chrono::NaiveDate;
use jineng_domain::access::Scope;
use jineng_domain::national_id::mask_id;
use jineng_domain::{ClassStatus, Stamp};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

/// The statuses of a class, in the order of its life (migration 0007).
pub const CLASS_STATUSES: [&str; 5] = ["registered", "approved", "returned", "closing", "closed"];

/// What the class list shows: filters, search and order.
#[derive(Debug, Clone, Default)]
pub struct ClassQuery {
    pub status: Option<ClassStatus>,
    pub institution: Option<i64>,
    /// Part of a class number or an institution's name.
    pub q: String,
    pub sort: ClassSort,
    pub descending: bool,
}

crate::sort::sort_columns! {
    /// The class list's sort columns.
    ClassSort {
        Start => ("start", "cl.start_date"),
        ClassNo => ("class_no", "cl.class_no"),
        Institution => ("institution", "i.name"),
        Status => ("status", "cl.status"),
        End => ("end", "cl.end_date"),
    }
}

/// The WHERE clause and values of a class list (aliases `cl`, `i`).
fn class_conditions(scope: &Scope, q: &ClassQuery) -> (String, Vec<Val>) {
    let (cond, val) = filter(scope, Subject::Class, 1);
    let mut sql = vec![cond];
    let mut vals = vec![val];
    if let Some(s) = q.status {
        vals.push(Val::text(s.code()));
        sql.push(format!("cl.status = ${}", vals.len()));
    }
    if let Some(i) = q.institution {
        vals.push(Val::int(i));
        sql.push(format!("cl.institution_id = ${}", vals.len()));
    }
    let term = q.q.trim();
    if !term.is_empty() {
        vals.push(Val::text(contains(term)));
        let n = vals.len();
        sql.push(format!("(cl.class_no LIKE ${n} OR i.name LIKE ${n})"));
    }
    (sql.join(" AND "), vals)
}

/// A class in a list.
#[derive(Debug, Clone, Serialize)]
pub struct ClassSummary {
    pub class_id: i64,
    pub class_no: String,
    pub institution: String,
    pub training_type: String,
    pub occupation_name: String,
    pub skill_level: Option<i64>,
    pub site_region: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub status: ClassStatus,
    pub enrolled: i64,
}

/// One step of a class's status.
#[derive(Debug, Clone, Serialize)]
pub struct ClassEvent {
    /// `None` for the filing itself (开班备案).
    pub from_status: Option<ClassStatus>,
    pub to_status: ClassStatus,
    pub actor: String,
    pub at: Stamp,
    pub reason: Option<String>,
}

/// A trainee on the roster; ID masked.
#[derive(Debug, Clone, Serialize)]
pub struct ClassRosterLine {
    pub name: String,
    pub id_number: String,
    pub offline_hours: i64,
    pub online_hours: i64,
    /// passed | failed | not_finished
    pub completion: String,
}

/// One class with everything its page shows.
#[derive(Debug, Clone, Serialize)]
pub struct ClassDetail {
    pub class_id: i64,
    pub class_no: String,
    pub institution_id: i64,
    pub institution: String,
    pub credit_code: String,
    pub training_type: String,
    pub occupation_code: String,
    pub occupation_name: String,
    pub skill_level: Option<i64>,
    pub site_code: String,
    pub site_region: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub planned_hours: i64,
    pub status: ClassStatus,
    pub enrolled: i64,
    pub passed: i64,
    pub failed: i64,
    pub not_finished: i64,
    pub history: Vec<ClassEvent>,
    /// The first [`ROSTER_LINES`] trainees by name.
    pub roster: Vec<ClassRosterLine>,
}

pub const ROSTER_LINES: i64 = 200;

pub(crate) fn class_not_in_scope(class_id: i64) -> StoreError {
    StoreError::OutOfScope(format!("培训班（{class_id}）不存在或不在您的管理范围内"))
}

impl Store {
    /// One class in scope with its institution, occupation and 培训地
    /// names, as its page and its roster show it; `None` out of scope.
    pub(crate) async fn scoped_class_row(
        &self,
        scope: &Scope,
        class_id: i64,
    ) -> Result<Option<AnyRow>, StoreError> {
        let (cond, val) = filter(scope, Subject::Class, 2);
        let sql = format!(
            "SELECT cl.class_id, cl.class_no, cl.institution_id, i.name AS institution, i.credit_code, cl.training_type, \
             cl.occupation_code, COALESCE(o.name, '') AS occ, cl.skill_level, cl.site_region, \
             COALESCE(r.name, cl.site_region) AS site, cl.start_date, cl.end_date, cl.planned_hours, cl.status \
             FROM classes cl JOIN institutions i ON i.institution_id = cl.institution_id \
             LEFT JOIN occupations o ON o.code = cl.occupation_code LEFT JOIN regions r ON r.code = cl.site_region \
             WHERE cl.class_id = $1 AND {cond}"
        );
        let vals = [Val::int(class_id), val];
        Ok(bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Classes in scope, optionally of one status and one institution,
    /// newest first.
    pub async fn class_list(
        &self,
        scope: &Scope,
        status: Option<ClassStatus>,
        institution_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<ClassSummary>, StoreError> {
        let q = ClassQuery {
            status,
            institution: institution_id,
            descending: true,
            ..ClassQuery::default()
        };
        self.class_page(scope, &q, 0, limit).await
    }

    /// How many classes of the list lie in scope.
    pub async fn class_count(&self, scope: &Scope, q: &ClassQuery) -> Result<i64, StoreError> {
        if has_nul(&q.q) {
            return Ok(0);
        }
        let (cond, vals) = class_conditions(scope, q);
        self.count_where(
            "classes cl JOIN institutions i ON i.institution_id = cl.institution_id",
            &cond,
            &vals,
        )
        .await
    }

    /// One page of the list, in the asked order.
    pub async fn class_page(
        &self,
        scope: &Scope,
        q: &ClassQuery,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<ClassSummary>, StoreError> {
        if has_nul(&q.q) {
            return Ok(Vec::new());
        }
        let (cond, vals) = class_conditions(scope, q);
        let page = order_page(
            q.sort.order_by(),
            &["cl.class_no"],
            q.descending,
            offset,
            limit,
        );
        let sql = format!(
            "SELECT cl.class_id, cl.class_no, i.name AS institution, cl.training_type, COALESCE(o.name, '') AS occ, \
             cl.skill_level, COALESCE(r.name, cl.site_region) AS site, cl.start_date, cl.end_date, cl.status, \
             (SELECT COUNT(*) FROM enrolments e WHERE e.class_id = cl.class_id) AS enrolled \
             FROM classes cl JOIN institutions i ON i.institution_id = cl.institution_id \
             LEFT JOIN occupations o ON o.code = cl.occupation_code LEFT JOIN regions r ON r.code = cl.site_region \
             WHERE {cond} {page}"
        );
        let rows = self.rows_bound(sql, &vals).await?;
        rows.iter()
            .map(|r| {
                Ok(ClassSummary {
                    class_id: r.try_get("class_id")?,
                    class_no: r.try_get("class_no")?,
                    institution: r.try_get("institution")?,
                    training_type: r.try_get("training_type")?,
                    occupation_name: r.try_get("occ")?,
                    skill_level: r.try_get("skill_level")?,
                    site_region: r.try_get("site")?,
                    start_date: r.day("start_date")?,
                    end_date: r.day("end_date")?,
                    status: r.code("status", ClassStatus::from_code)?,
                    enrolled: r.try_get("enrolled")?,
                })
            })
            .collect()
    }

    /// One class in scope; out of scope and missing are the same error.
    pub async fn class_detail(
        &self,
        scope: &Scope,
        class_id: i64,
    ) -> Result<ClassDetail, StoreError> {
        let r = self
            .scoped_class_row(scope, class_id)
            .await?
            .ok_or_else(|| class_not_in_scope(class_id))?;
        let mut d = ClassDetail {
            class_id,
            class_no: r.try_get("class_no")?,
            institution_id: r.try_get("institution_id")?,
            institution: r.try_get("institution")?,
            credit_code: r.try_get("credit_code")?,
            training_type: r.try_get("training_type")?,
            occupation_code: r.try_get("occupation_code")?,
            occupation_name: r.try_get("occ")?,
            skill_level: r.try_get("skill_level")?,
            site_code: r.try_get("site_region")?,
            site_region: r.try_get("site")?,
            start_date: r.day("start_date")?,
            end_date: r.day("end_date")?,
            planned_hours: r.try_get("planned_hours")?,
            status: r.code("status", ClassStatus::from_code)?,
            enrolled: 0,
            passed: 0,
            failed: 0,
            not_finished: 0,
            history: Vec::new(),
            roster: Vec::new(),
        };
        for r in sqlx::query(
            "SELECT completion, COUNT(*) AS n FROM enrolments WHERE class_id = $1 GROUP BY completion",
        )
        .bind(class_id)
        .fetch_all(self.pool())
        .await?
        {
            let n: i64 = r.try_get("n")?;
            d.enrolled += n;
            match r.try_get::<String, _>("completion")?.as_str() {
                "passed" => d.passed += n,
                "failed" => d.failed += n,
                _ => d.not_finished += n,
            }
        }
        for r in sqlx::query(
            "SELECT from_status, to_status, actor, at, reason FROM class_events WHERE class_id = $1 ORDER BY event_id",
        )
        .bind(class_id)
        .fetch_all(self.pool())
        .await?
        {
            d.history.push(ClassEvent {
                from_status: match r.try_get::<String, _>("from_status")?.as_str() {
                    "" => None,
                    code => Some(parse_code("from_status", code, ClassStatus::from_code)?),
                },
                to_status: r.code("to_status", ClassStatus::from_code)?,
                actor: r.try_get("actor")?,
                at: r.stamp("at")?,
                reason: r.try_get("reason")?,
            });
        }
        for r in sqlx::query(
            "SELECT p.name, p.id_number, e.offline_hours, e.online_hours, e.completion \
             FROM enrolments e JOIN persons p ON p.person_id = e.person_id \
             WHERE e.class_id = $1 ORDER BY p.name, p.person_id LIMIT $2",
        )
        .bind(class_id)
        .bind(ROSTER_LINES)
        .fetch_all(self.pool())
        .await?
        {
            d.roster.push(ClassRosterLine {
                name: r.try_get("name")?,
                id_number: mask_id(&r.try_get::<String, _>("id_number")?),
                offline_hours: r.try_get("offline_hours")?,
                online_hours: r.try_get("online_hours")?,
                completion: r.try_get("completion")?,
            });
        }
        Ok(d)
    }
}
