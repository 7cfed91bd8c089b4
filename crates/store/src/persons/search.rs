//! Person search within the scope: part of a name (张, 春生), an ID
//! number's last digits, a full ID number (exact), or a certificate
//! number (exact); counted and paged. IDs come back masked.

use jineng_domain::access::Scope;
use jineng_domain::national_id::mask_id;
use sqlx::Row;

use crate::claims::list::{contains, id_digits};
use crate::claims::scoped::{Subject, filter, has_nul};
use crate::persons::archive::{HIT_SELECT, person_hit};
use crate::sql::Val;
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
        self.count_where("persons p", &cond, &vals).await
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
            "{HIT_SELECT} WHERE {cond} ORDER BY p.name, p.birth_date, p.person_id LIMIT {} OFFSET {}",
            limit.max(0),
            offset.max(0)
        );
        let rows = self.rows_bound(sql, &vals).await?;
        rows.iter()
            .map(|r| person_hit(r, mask_id(&r.try_get::<String, _>("id_number")?)))
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
