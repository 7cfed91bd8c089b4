//! Person search within the scope: part of a name (张, 春生), an ID
//! number's last digits, a full ID number (exact), or a certificate
//! number (exact); counted and paged. IDs come back masked.

use jineng_domain::access::Scope;
use jineng_domain::national_id::mask_id;
use sqlx::{AssertSqlSafe, Row};

use crate::claims::list::{contains, id_digits};
use crate::claims::scoped::{Subject, filter, has_nul};
use crate::row::Typed;
use crate::sql::{Val, bind_all};
use crate::{PersonHit, Store, StoreError};

/// Whether the text is a whole ID number (18 characters, digits and X).
fn full_id(q: &str) -> bool {
    q.len() == 18
        && q.chars()
            .all(|c| c.is_ascii_digit() || c.eq_ignore_ascii_case(&'x'))
}

/// The WHERE clause and values of a search (alias `p`).
fn conditions(scope: &Scope, q: &str) -> (String, Vec<Val>) {
    let (cond, val) = filter(scope, Subject::Person, 1);
    let mut vals = vec![val];
    let term = if full_id(q) {
        vals.push(Val::text(q.to_ascii_uppercase()));
        "p.id_number = $2".to_string()
    } else {
        vals.push(Val::text(contains(q)));
        vals.push(Val::text(q.to_ascii_uppercase()));
        let mut t = "p.name LIKE $2 OR p.person_id IN (SELECT ce.person_id FROM certificates ce WHERE ce.cert_no = $3)".to_string();
        if id_digits(q) {
            vals.push(Val::text(format!("%{}", q.to_ascii_uppercase())));
            t.push_str(" OR p.id_number LIKE $4");
        }
        t
    };
    (format!("{cond} AND ({term})"), vals)
}

impl Store {
    /// How many persons in scope the search finds.
    pub async fn person_search_count(&self, scope: &Scope, query: &str) -> Result<i64, StoreError> {
        let query = query.trim();
        if query.is_empty() || has_nul(query) {
            return Ok(0);
        }
        let (cond, vals) = conditions(scope, query);
        let sql = format!("SELECT COUNT(*) FROM persons p WHERE {cond}");
        Ok(bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_one(self.pool())
            .await?
            .try_get(0)?)
    }

    /// Persons in scope matching the search, by name; IDs masked.
    pub async fn search_persons_page(
        &self,
        scope: &Scope,
        query: &str,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<PersonHit>, StoreError> {
        let query = query.trim();
        if query.is_empty() || has_nul(query) {
            return Ok(Vec::new());
        }
        let (cond, vals) = conditions(scope, query);
        let sql = format!(
            "SELECT p.person_id, p.id_number, p.name, p.sex, p.birth_date, p.hukou_region, r.name AS region_name \
             FROM persons p LEFT JOIN regions r ON r.code = p.hukou_region \
             WHERE {cond} ORDER BY p.name, p.birth_date, p.person_id LIMIT {} OFFSET {}",
            limit.max(0),
            offset.max(0)
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(PersonHit {
                    person_id: r.try_get("person_id")?,
                    id_number: mask_id(&r.try_get::<String, _>("id_number")?),
                    name: r.try_get("name")?,
                    sex: r.try_get("sex")?,
                    birth_date: r.day("birth_date")?,
                    hukou_region: r.try_get("hukou_region")?,
                    hukou_region_name: r
                        .try_get::<Option<String>, _>("region_name")?
                        .unwrap_or_default(),
                })
            })
            .collect()
    }

    /// The first `limit` persons the search finds.
    pub async fn search_persons(
        &self,
        scope: &Scope,
        query: &str,
        limit: i64,
    ) -> Result<Vec<PersonHit>, StoreError> {
        self.search_persons_page(scope, query, 0, limit).await
    }
}
