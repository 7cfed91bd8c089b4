//! Reading the audit trail for the auditors' page: rows newest first,
//! filtered by actor, action, entity and date range, paged. The trail never
//! stores ID numbers (persons are named by `person_id`); anything shaped
//! like one is masked on the way out all the same. Rows outside the
//! reader's scope are not read (`audit_scope`).

use crate::audit::scope::audit_filter;
use crate::row::Typed;
use crate::sql::{Val, bind_all};
use crate::{Store, StoreError};
use chrono::NaiveDate;
use jineng_domain::Stamp;
use jineng_domain::access::Scope;
use jineng_domain::audit::{Action, Code, Entity};
use jineng_domain::national_id::mask_id;
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

/// What the trail is filtered by; empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub actor: String,
    pub action: String,
    pub entity: String,
    /// From this day, inclusive (UTC).
    pub from: Option<NaiveDate>,
    /// To this day, inclusive (UTC).
    pub to: Option<NaiveDate>,
}

/// One audit row.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRow {
    pub audit_id: i64,
    pub at: Stamp,
    pub actor: String,
    pub action: Code<Action>,
    pub entity: Code<Entity>,
    pub entity_key: String,
    pub batch_id: Option<i64>,
    /// JSON as stored, ID-shaped runs masked.
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Masks every run of 17 digits and a digit or X (an ID number's shape).
pub fn mask_ids(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        let end = i + run;
        let tail_x = run == 17 && matches!(chars.get(end), Some('X' | 'x'));
        if run == 18 || tail_x {
            let n = if tail_x { 18 } else { run };
            let id: String = chars[i..i + n].iter().collect();
            out.push_str(&mask_id(&id));
            i += n;
        } else if run > 0 {
            out.extend(&chars[i..end]);
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// The WHERE clause and its values: the scope's condition first.
fn conditions(q: &AuditQuery, scope: &Scope) -> (String, Vec<Val>) {
    let (scoped, mut vals) = audit_filter(scope, 1);
    let mut conds = vec![scoped];
    let mut add = |sql: &str, v: String| {
        vals.push(Val::text(v));
        conds.push(sql.replace('?', &format!("${}", vals.len())));
    };
    if !q.actor.trim().is_empty() {
        add("actor LIKE ?", format!("%{}%", q.actor.trim()));
    }
    if !q.action.trim().is_empty() {
        add("action = ?", q.action.trim().to_string());
    }
    if !q.entity.trim().is_empty() {
        add("entity = ?", q.entity.trim().to_string());
    }
    if let Some(d) = q.from {
        add("at >= ?", d.format("%Y-%m-%d").to_string());
    }
    if let Some(d) = q.to.and_then(|d| d.succ_opt()) {
        add("at < ?", d.format("%Y-%m-%d").to_string());
    }
    (format!(" WHERE {}", conds.join(" AND ")), vals)
}

impl Store {
    /// How many audit rows in the scope match.
    pub async fn audit_count(&self, q: &AuditQuery, scope: &Scope) -> Result<i64, StoreError> {
        let (cond, vals) = conditions(q, scope);
        let sql = format!("SELECT COUNT(*) FROM audit_log a{cond}");
        Ok(bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_one(self.pool())
            .await?
            .try_get(0)?)
    }

    /// Matching audit rows in the scope, newest first: `limit` from `offset`.
    pub async fn audit_rows(
        &self,
        q: &AuditQuery,
        scope: &Scope,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let (cond, mut vals) = conditions(q, scope);
        let n = vals.len();
        vals.push(Val::int(limit));
        vals.push(Val::int(offset.max(0)));
        let sql = format!(
            "SELECT audit_id, at, actor, action, entity, entity_key, batch_id, before, after FROM audit_log a{cond} \
             ORDER BY audit_id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_all(self.pool())
            .await?;
        let text = |r: &sqlx::any::AnyRow, c: &str| -> Result<Option<String>, StoreError> {
            Ok(r.try_get::<Option<String>, _>(c)?.map(|s| mask_ids(&s)))
        };
        rows.iter()
            .map(|r| {
                Ok(AuditRow {
                    audit_id: r.try_get("audit_id")?,
                    at: r.stamp("at")?,
                    actor: r.try_get("actor")?,
                    action: Code::parse(&r.try_get::<String, _>("action")?),
                    entity: Code::parse(&r.try_get::<String, _>("entity")?),
                    entity_key: text(r, "entity_key")?.unwrap_or_default(),
                    batch_id: r.try_get("batch_id")?,
                    before: text(r, "before")?,
                    after: text(r, "after")?,
                })
            })
            .collect()
    }

    /// The actions and the entities the trail holds, for the filters.
    pub async fn audit_vocabulary(&self) -> Result<(Vec<String>, Vec<String>), StoreError> {
        let actions = sqlx::query_scalar("SELECT DISTINCT action FROM audit_log ORDER BY action")
            .fetch_all(self.pool())
            .await?;
        let entities = sqlx::query_scalar("SELECT DISTINCT entity FROM audit_log ORDER BY entity")
            .fetch_all(self.pool())
            .await?;
        Ok((actions, entities))
    }
}

#[cfg(test)]
mod tests {
    use super::mask_ids;

    #[test]
    fn id_shaped_runs_are_masked_and_others_kept() {
        let t = mask_ids(r#"{"id":"37150219900101123X","n":123456789012345678901,"k":42}"#);
        assert!(!t.contains("37150219900101123X"), "{t}");
        assert!(t.contains("3715") && t.contains("123456789012345678901") && t.contains("42"));
    }
}
