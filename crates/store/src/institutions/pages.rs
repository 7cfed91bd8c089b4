//! Scoped reads of training institutions for the officer's pages: the list
//! with region, kind, credit rating, catalogue periods (目录清单) and the
//! number of classes, and one institution with its classes.

use crate::claims::list::contains;
use crate::claims::scoped::{Subject, filter, has_nul};
use crate::classes::pages::ClassSummary;
use crate::row::Typed;
use crate::sort::order_page;
use crate::sql::{Val, bind_all};
use crate::{Store, StoreError};
use chrono::NaiveDate;
use jineng_domain::access::Scope;
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};
use std::collections::HashMap;

/// A period in the approved-institution catalogue; `to` `None` is open.
#[derive(Debug, Clone, Serialize)]
pub struct CataloguePeriod {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

/// An institution as its list and page show it.
#[derive(Debug, Clone, Serialize)]
pub struct InstitutionSummary {
    pub institution_id: i64,
    pub name: String,
    pub credit_code: String,
    pub kind: String,
    pub region_code: String,
    pub region_name: String,
    pub credit_rating: Option<String>,
    pub periods: Vec<CataloguePeriod>,
    pub classes: i64,
}

/// What the institution list shows: a search and an order.
#[derive(Debug, Clone, Default)]
pub struct InstitutionQuery {
    /// Part of a name or a credit code.
    pub q: String,
    pub sort: InstitutionSort,
    pub descending: bool,
}

crate::sort::sort_columns! {
    /// The institution list's sort columns.
    InstitutionSort {
        Region => ("region", "i.region_code"),
        Name => ("name", "i.name"),
        Rating => ("rating", "COALESCE(i.credit_rating, '')"),
        Classes => ("classes", "classes"),
    }
}

/// The WHERE clause and values of the list (alias `i`).
fn conditions(scope: &Scope, q: &InstitutionQuery) -> (String, Vec<Val>) {
    let (cond, val) = filter(scope, Subject::Institution, 1);
    let mut vals = vec![val];
    let term = q.q.trim();
    if term.is_empty() {
        return (cond, vals);
    }
    vals.push(Val::text(contains(term)));
    (
        format!("{cond} AND (i.name LIKE $2 OR i.credit_code LIKE $2)"),
        vals,
    )
}

const SELECT: &str = "SELECT i.institution_id, i.name, i.credit_code, i.kind, i.region_code, \
     COALESCE(r.name, i.region_code) AS region_name, i.credit_rating, \
     (SELECT COUNT(*) FROM classes k WHERE k.institution_id = i.institution_id) AS classes \
     FROM institutions i LEFT JOIN regions r ON r.code = i.region_code";

impl Store {
    /// Institutions in scope, by region then name.
    pub async fn institution_list(
        &self,
        scope: &Scope,
        limit: i64,
    ) -> Result<Vec<InstitutionSummary>, StoreError> {
        self.institution_page(scope, &InstitutionQuery::default(), 0, limit)
            .await
    }

    /// How many institutions in scope the search finds.
    pub async fn institution_count(
        &self,
        scope: &Scope,
        q: &InstitutionQuery,
    ) -> Result<i64, StoreError> {
        if has_nul(&q.q) {
            return Ok(0);
        }
        let (cond, vals) = conditions(scope, q);
        self.count_where("institutions i", &cond, &vals).await
    }

    /// One page of institutions in scope, in the asked order.
    pub async fn institution_page(
        &self,
        scope: &Scope,
        q: &InstitutionQuery,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<InstitutionSummary>, StoreError> {
        if has_nul(&q.q) {
            return Ok(Vec::new());
        }
        let (cond, vals) = conditions(scope, q);
        let ties = ["i.name", "i.institution_id"];
        let page = order_page(q.sort.order_by(), &ties, q.descending, offset, limit);
        let rows = self
            .rows_bound(format!("{SELECT} WHERE {cond} {page}"), &vals)
            .await?;
        let mut list: Vec<InstitutionSummary> =
            rows.iter().map(summary).collect::<Result<_, _>>()?;
        let (cond, val) = filter(scope, Subject::Institution, 1);
        let sql = format!(
            "SELECT c.institution_id, c.valid_from, c.valid_to FROM institution_catalogue c \
             JOIN institutions i ON i.institution_id = c.institution_id WHERE {cond} ORDER BY c.valid_from"
        );
        let vals = [val];
        let mut periods: HashMap<i64, Vec<CataloguePeriod>> = HashMap::new();
        for r in bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_all(self.pool())
            .await?
        {
            periods
                .entry(r.try_get("institution_id")?)
                .or_default()
                .push(CataloguePeriod {
                    from: r.day("valid_from")?,
                    to: r.opt_day("valid_to")?,
                });
        }
        for i in &mut list {
            i.periods = periods.remove(&i.institution_id).unwrap_or_default();
        }
        Ok(list)
    }

    /// One institution in scope with its classes (newest first).
    pub async fn institution_detail(
        &self,
        scope: &Scope,
        institution_id: i64,
    ) -> Result<(InstitutionSummary, Vec<ClassSummary>), StoreError> {
        let (cond, val) = filter(scope, Subject::Institution, 2);
        let sql = format!("{SELECT} WHERE i.institution_id = $1 AND {cond}");
        let vals = [Val::int(institution_id), val];
        let r = bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| {
                StoreError::OutOfScope(format!(
                    "培训机构（{institution_id}）不存在或不在您的管理范围内"
                ))
            })?;
        let mut inst = summary(&r)?;
        for r in sqlx::query(
            "SELECT valid_from, valid_to FROM institution_catalogue WHERE institution_id = $1 ORDER BY valid_from",
        )
        .bind(institution_id)
        .fetch_all(self.pool())
        .await?
        {
            inst.periods.push(CataloguePeriod {
                from: r.day("valid_from")?,
                to: r.opt_day("valid_to")?,
            });
        }
        // The institution's classes as this scope sees them (a county
        // officer sees only those held in the county).
        let classes = self
            .class_list(scope, None, Some(institution_id), 1000)
            .await?;
        Ok((inst, classes))
    }
}

fn summary(r: &sqlx::any::AnyRow) -> Result<InstitutionSummary, StoreError> {
    Ok(InstitutionSummary {
        institution_id: r.try_get("institution_id")?,
        name: r.try_get("name")?,
        credit_code: r.try_get("credit_code")?,
        kind: r.try_get("kind")?,
        region_code: r.try_get("region_code")?,
        region_name: r.try_get("region_name")?,
        credit_rating: r.try_get("credit_rating")?,
        periods: Vec::new(),
        classes: r.try_get("classes")?,
    })
}
