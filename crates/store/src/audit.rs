//! The audit trail: who did what, when, to which record, before and after.

use crate::sql::{Val, insert_rows};
use serde::Serialize;

/// Who is acting: a user name with its channel (`cli:alice`, later `web:…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(pub String);

impl Actor {
    pub fn cli(user: &str) -> Actor {
        Actor(format!("cli:{user}"))
    }
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// One audit row to be written with the change it describes.
#[derive(Debug)]
pub(crate) struct AuditEntry {
    pub action: &'static str,
    pub entity: &'static str,
    pub key: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl AuditEntry {
    pub fn change<T: Serialize>(
        action: &'static str,
        entity: &'static str,
        key: String,
        before: Option<&T>,
        after: Option<&T>,
    ) -> AuditEntry {
        let json = |v: &T| serde_json::to_string(v).unwrap_or_default();
        AuditEntry {
            action,
            entity,
            key,
            before: before.map(json),
            after: after.map(json),
        }
    }
}

pub(crate) async fn write(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    batch_id: Option<i64>,
    entries: &[AuditEntry],
) -> Result<(), sqlx::Error> {
    let at = now();
    let rows: Vec<Vec<Val>> = entries
        .iter()
        .map(|e| {
            vec![
                Val::text(&at),
                Val::text(&actor.0),
                Val::text(e.action),
                Val::text(e.entity),
                Val::text(&e.key),
                Val::I(batch_id),
                Val::T(e.before.clone()),
                Val::T(e.after.clone()),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "audit_log",
        &[
            "at",
            "actor",
            "action",
            "entity",
            "entity_key",
            "batch_id",
            "before",
            "after",
        ],
        &rows,
        "",
    )
    .await?;
    Ok(())
}
