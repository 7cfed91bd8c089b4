//! The audit trail: who did what, when, to which record, before and after;
//! and its hash chain. Every row carries the hash of the row before it
//! (`prev_hash`) and its own (`row_hash`, SHA-256 over its fields and
//! `prev_hash`); the one-row table `audit_chain_head` holds the last row's
//! id and hash. Writers lock the head, so the chain is extended by one
//! transaction at a time on both backends; `verify_audit` walks it.

use crate::sql::{Val, insert_rows};
use crate::{Backend, Store, StoreError};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{AssertSqlSafe, Row};

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

/// The fields a row's hash covers, in order.
struct Fields<'a> {
    at: &'a str,
    actor: &'a str,
    action: &'a str,
    entity: &'a str,
    key: &'a str,
    batch_id: Option<i64>,
    before: Option<&'a str>,
    after: Option<&'a str>,
}

/// SHA-256 (hex) over the fields and the previous hash; each field is
/// length-prefixed so that no two different rows encode alike.
fn row_hash(f: &Fields<'_>, prev: &str) -> String {
    let mut h = Sha256::new();
    let mut put = |v: Option<&str>| match v {
        None => h.update(b"N"),
        Some(s) => {
            h.update(format!("S{}:", s.len()).as_bytes());
            h.update(s.as_bytes());
        }
    };
    let batch = f.batch_id.map(|b| b.to_string());
    for v in [
        Some(f.at),
        Some(f.actor),
        Some(f.action),
        Some(f.entity),
        Some(f.key),
        batch.as_deref(),
        f.before,
        f.after,
        Some(prev),
    ] {
        put(v);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn backend_of(conn: &sqlx::AnyConnection) -> Backend {
    if conn.backend_name().eq_ignore_ascii_case("sqlite") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    }
}

/// The chain's head, locked until the transaction ends. On PostgreSQL the
/// row lock queues concurrent writers; on SQLite the transaction already
/// holds the database's write lock (`BEGIN IMMEDIATE`).
async fn lock_head(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<(i64, String), sqlx::Error> {
    let lock = if backend == Backend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let r = sqlx::query(AssertSqlSafe(format!(
        "SELECT last_audit_id, last_hash FROM audit_chain_head WHERE id = 1{lock}"
    )))
    .fetch_one(&mut *conn)
    .await?;
    Ok((r.try_get("last_audit_id")?, r.try_get("last_hash")?))
}

async fn set_head(
    conn: &mut sqlx::AnyConnection,
    last_id: i64,
    last_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE audit_chain_head SET last_audit_id = $1, last_hash = $2 WHERE id = 1")
        .bind(last_id)
        .bind(last_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Writes audit rows, extending the hash chain. Call it inside the write
/// transaction of the change it records, after the change's own locks.
pub(crate) async fn write(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    batch_id: Option<i64>,
    entries: &[AuditEntry],
) -> Result<(), sqlx::Error> {
    if entries.is_empty() {
        return Ok(());
    }
    let at = now();
    let (_, mut prev) = lock_head(conn, backend_of(conn)).await?;
    let rows: Vec<Vec<Val>> = entries
        .iter()
        .map(|e| {
            let hash = row_hash(
                &Fields {
                    at: &at,
                    actor: &actor.0,
                    action: e.action,
                    entity: e.entity,
                    key: &e.key,
                    batch_id,
                    before: e.before.as_deref(),
                    after: e.after.as_deref(),
                },
                &prev,
            );
            let prev_hash = std::mem::replace(&mut prev, hash.clone());
            vec![
                Val::text(&at),
                Val::text(&actor.0),
                Val::text(e.action),
                Val::text(e.entity),
                Val::text(&e.key),
                Val::I(batch_id),
                Val::T(e.before.clone()),
                Val::T(e.after.clone()),
                Val::text(prev_hash),
                Val::text(hash),
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
            "prev_hash",
            "row_hash",
        ],
        &rows,
        "",
    )
    .await?;
    let last: i64 = sqlx::query_scalar("SELECT MAX(audit_id) FROM audit_log")
        .fetch_one(&mut *conn)
        .await?;
    set_head(conn, last, &prev).await?;
    if entries.iter().any(|e| changes_facts(e.action, e.entity)) {
        sqlx::query("UPDATE audit_chain_head SET facts_audit_id = $1 WHERE id = 1")
            .bind(last)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Whether a change may move a figure of the aggregate facts (`plan_facts`:
/// enrolments, certificates, categories, persons, classes, claims, ledger
/// postings). The list names what cannot, so an entity added later counts
/// as a change until it is listed here: a needless rebuild, never a stale
/// figure. Targets, statistics and tasks are read directly, not from facts.
pub(crate) fn changes_facts(action: &str, entity: &str) -> bool {
    // A claim's decision, approval or rejection moves no figure: money
    // counts when it is booked (the ledger's postings).
    const CLAIM_ENTITIES: [&str; 3] = ["claim", "claims", "claim_status"];
    const CLAIM_ACTIONS: [&str; 3] = ["decide", "approve", "reject"];
    const NO_FACTS_ENTITIES: [&str; 13] = [
        "account",
        "token",
        "api_token",
        "session",
        "policy",
        "indicator",
        "statistic",
        "statistic_def",
        "target",
        "task",
        "fund_source",
        "region",
        "import_job",
    ];
    if action == "reveal" || NO_FACTS_ENTITIES.contains(&entity) {
        return false;
    }
    !(CLAIM_ENTITIES.contains(&entity) && CLAIM_ACTIONS.contains(&action))
}

/// A row's id, its text fields in hash order, and its batch.
type RowFields = (i64, Vec<Option<String>>, Option<i64>);

fn fields_of(r: &sqlx::any::AnyRow) -> Result<RowFields, sqlx::Error> {
    let mut texts = Vec::with_capacity(7);
    for c in [
        "at",
        "actor",
        "action",
        "entity",
        "entity_key",
        "before",
        "after",
    ] {
        texts.push(r.try_get::<Option<String>, _>(c)?);
    }
    Ok((r.try_get("audit_id")?, texts, r.try_get("batch_id")?))
}

fn hash_of(texts: &[Option<String>], batch_id: Option<i64>, prev: &str) -> String {
    let t = |i: usize| texts[i].as_deref().unwrap_or_default();
    row_hash(
        &Fields {
            at: t(0),
            actor: t(1),
            action: t(2),
            entity: t(3),
            key: t(4),
            batch_id,
            before: texts[5].as_deref(),
            after: texts[6].as_deref(),
        },
        prev,
    )
}

const AUDIT_COLUMNS: &str =
    "audit_id, at, actor, action, entity, entity_key, batch_id, before, after, prev_hash, row_hash";

/// Chains the rows written before the chain existed (the migration that
/// adds it calls this once), in id order.
pub(crate) async fn chain_unchained(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<(), sqlx::Error> {
    let (last, mut prev) = lock_head(conn, backend).await?;
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE audit_id > $1 ORDER BY audit_id"
    )))
    .bind(last)
    .fetch_all(&mut *conn)
    .await?;
    let mut last_id = last;
    for r in &rows {
        let (id, texts, batch) = fields_of(r)?;
        let hash = hash_of(&texts, batch, &prev);
        sqlx::query("UPDATE audit_log SET prev_hash = $1, row_hash = $2 WHERE audit_id = $3")
            .bind(&prev)
            .bind(&hash)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        prev = hash;
        last_id = id;
    }
    set_head(conn, last_id, &prev).await
}

/// The outcome of walking the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerify {
    /// Rows checked.
    pub rows: u64,
    /// The first break: the audit id (0 for the chain's head) and why.
    pub broken: Option<(i64, String)>,
}

impl Store {
    /// Walks the audit trail in id order and recomputes every hash: an
    /// edited row, a deleted row (its successor no longer links to its
    /// predecessor) or a deleted last row (the head disagrees) is found.
    pub async fn verify_audit(&self) -> Result<AuditVerify, StoreError> {
        use futures_util::TryStreamExt;
        let mut conn = self.pool().acquire().await?;
        let (head_id, head_hash) = {
            let r =
                sqlx::query("SELECT last_audit_id, last_hash FROM audit_chain_head WHERE id = 1")
                    .fetch_one(&mut *conn)
                    .await?;
            (
                r.try_get::<i64, _>("last_audit_id")?,
                r.try_get::<String, _>("last_hash")?,
            )
        };
        let mut rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY audit_id"
        )))
        .fetch(&mut *conn);
        let mut prev = "genesis".to_string();
        let mut last_id = 0;
        let mut n = 0;
        let broken = |n: u64, id: i64, why: &str| {
            Ok(AuditVerify {
                rows: n,
                broken: Some((id, why.to_string())),
            })
        };
        while let Some(r) = rows.try_next().await? {
            n += 1;
            let (id, texts, batch) = fields_of(&r)?;
            let stored_prev: Option<String> = r.try_get("prev_hash")?;
            let stored: Option<String> = r.try_get("row_hash")?;
            if stored_prev.as_deref() != Some(prev.as_str()) {
                return broken(n, id, "与前一条记录的链接断开（前一条被删除或改动）");
            }
            let hash = hash_of(&texts, batch, &prev);
            if stored.as_deref() != Some(hash.as_str()) {
                return broken(n, id, "内容与其哈希不符（记录被改动）");
            }
            prev = hash;
            last_id = id;
        }
        if last_id != head_id || prev != head_hash {
            return broken(n, head_id, "链尾与最后一条记录不符（最后的记录被删除）");
        }
        Ok(AuditVerify {
            rows: n,
            broken: None,
        })
    }
}
