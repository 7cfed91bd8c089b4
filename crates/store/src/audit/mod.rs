//! The audit trail: who did what, when, to which record, before and after;
//! and its hash chain. Every row carries the hash of the row before it
//! (`prev_hash`) and its own (`row_hash`, SHA-256 over its fields and
//! `prev_hash`); the one-row table `audit_chain_head` holds the last row's
//! id and hash. Writers lock the head, so the chain is extended by one
//! transaction at a time on both backends; `verify_audit` walks it.

pub(crate) mod keys;
pub(crate) mod scope;
pub(crate) mod verify;
pub(crate) mod view;

use crate::Backend;
use crate::audit::keys::{AuditKey, MARKER_ACTION, MARKER_ENTITY, hex};
use crate::sql::{Val, insert_rows};
pub use jineng_domain::audit::{Action, Entity};
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
    pub action: Action,
    pub entity: Entity,
    pub key: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl AuditEntry {
    pub fn change<T: Serialize>(
        action: Action,
        entity: Entity,
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

/// SHA-256 (hex) over the fields and the previous hash, or with a key
/// HMAC-SHA256 under it; each field is length-prefixed so that no two
/// different rows encode alike.
fn row_hash(f: &Fields<'_>, prev: &str, key: Option<&AuditKey>) -> String {
    enum H {
        Plain(Sha256),
        Keyed(hmac::Hmac<Sha256>),
    }
    let mut h = match key {
        Some(k) => H::Keyed(k.mac()),
        None => H::Plain(Sha256::new()),
    };
    let mut update = |b: &[u8]| match &mut h {
        H::Plain(s) => s.update(b),
        H::Keyed(m) => hmac::Mac::update(m, b),
    };
    let mut put = |v: Option<&str>| match v {
        None => update(b"N"),
        Some(s) => {
            update(format!("S{}:", s.len()).as_bytes());
            update(s.as_bytes());
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
    match h {
        H::Plain(s) => hex(&s.finalize()),
        H::Keyed(m) => hex(&hmac::Mac::finalize(m).into_bytes()),
    }
}

/// The chain's head: the last row's hash, and the id of the key the chain
/// is keyed with from its marker row on (`None`: not keyed yet).
pub(crate) struct Head {
    pub last_hash: String,
    pub key_id: Option<String>,
}

/// The chain's head, locked until the transaction ends. On PostgreSQL the
/// row lock queues concurrent writers; on SQLite the transaction already
/// holds the database's write lock (`BEGIN IMMEDIATE`).
pub(crate) async fn lock_head(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<Head, sqlx::Error> {
    let lock = backend.for_update();
    let r = sqlx::query(AssertSqlSafe(format!(
        "SELECT last_hash, key_id FROM audit_chain_head WHERE id = 1{lock}"
    )))
    .fetch_one(&mut *conn)
    .await?;
    Ok(Head {
        last_hash: r.try_get("last_hash")?,
        key_id: r.try_get("key_id")?,
    })
}

/// The key a keyed chain's writers must use; an error when this process
/// has not loaded it (its rows would break the chain).
fn writer_key(key_id: Option<&str>) -> Result<Option<AuditKey>, sqlx::Error> {
    match key_id {
        None => Ok(None),
        Some(id) => crate::audit::keys::lookup(id).map(Some).ok_or_else(|| {
            sqlx::Error::Protocol(format!(
                "审计链以密钥 {id} 保护，但本进程未载入该密钥（检查 JINENG_AUDIT_KEY_FILE 或数据库旁的 .audit-key 文件）"
            ))
        }),
    }
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

/// The rows to insert, each hashed after the one before; `prev` ends as
/// the last row's hash.
fn hashed_rows(
    at: &str,
    actor: &Actor,
    batch_id: Option<i64>,
    entries: &[AuditEntry],
    prev: &mut String,
    key: Option<&AuditKey>,
) -> Vec<Vec<Val>> {
    entries
        .iter()
        .map(|e| {
            let hash = row_hash(
                &Fields {
                    at,
                    actor: &actor.0,
                    action: e.action.code(),
                    entity: e.entity.code(),
                    key: &e.key,
                    batch_id,
                    before: e.before.as_deref(),
                    after: e.after.as_deref(),
                },
                prev,
                key,
            );
            let prev_hash = std::mem::replace(prev, hash.clone());
            vec![
                Val::text(at),
                Val::text(&actor.0),
                Val::text(e.action.code()),
                Val::text(e.entity.code()),
                Val::text(&e.key),
                Val::I(batch_id),
                Val::T(e.before.clone()),
                Val::T(e.after.clone()),
                Val::text(prev_hash),
                Val::text(hash),
            ]
        })
        .collect()
}

impl crate::Store {
    /// Writes audit rows in a transaction of their own: the trail of an
    /// act that writes nothing else (a reveal, an export, a key rotation).
    pub(crate) async fn audit_alone(
        &self,
        actor: &Actor,
        entries: &[AuditEntry],
    ) -> Result<(), crate::StoreError> {
        let mut tx = self.begin().await?;
        write(&mut tx, actor, None, entries).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Writes one change ([`AuditEntry::change`]) to the trail, outside any
/// import batch: the audit of a single act.
pub(crate) async fn write_change<T: Serialize>(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    action: Action,
    entity: Entity,
    key: String,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<(), sqlx::Error> {
    let entry = AuditEntry::change(action, entity, key, before, after);
    write(conn, actor, None, &[entry]).await
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
    let backend = Backend::of(conn);
    let head = lock_head(conn, backend).await?;
    // Rows past this id are the ones written here (the head's lock keeps
    // other writers out until this transaction ends).
    let before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(audit_id), 0) FROM audit_log")
        .fetch_one(&mut *conn)
        .await?;
    let mut prev = head.last_hash;
    let mut key = writer_key(head.key_id.as_deref())?;
    // The first marker row starts keyed hashing with the key it names.
    let mut marker = false;
    if key.is_none()
        && let Some(m) = entries
            .iter()
            .find(|e| e.action == MARKER_ACTION && e.entity == MARKER_ENTITY)
    {
        key = Some(writer_key(Some(&m.key))?.expect("a named key"));
        marker = true;
    }
    let rows = hashed_rows(&at, actor, batch_id, entries, &mut prev, key.as_ref());
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
    // Each row's region (the reader's scope filter) is the record's, found
    // from it by entity and key. It is not hashed: the chain covers what
    // was done, and the rows written before the column existed were hashed
    // without it, so `verify_audit` checks old and new rows alike. A region
    // edited later changes who may read a row, never what it says.
    crate::audit::scope::fill_regions(conn, backend, before, None).await?;
    let last: i64 = sqlx::query_scalar("SELECT MAX(audit_id) FROM audit_log")
        .fetch_one(&mut *conn)
        .await?;
    set_head(conn, last, &prev).await?;
    if marker && let Some(k) = &key {
        sqlx::query("UPDATE audit_chain_head SET keyed_from = $1, key_id = $2 WHERE id = 1")
            .bind(last)
            .bind(k.id())
            .execute(&mut *conn)
            .await?;
    }
    if entries
        .iter()
        .any(|e| jineng_domain::audit::changes_facts(e.action, e.entity))
    {
        sqlx::query("UPDATE audit_chain_head SET facts_audit_id = $1 WHERE id = 1")
            .bind(last)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A row's id, its text fields in hash order, and its batch.
pub(crate) type RowFields = (i64, Vec<Option<String>>, Option<i64>);

pub(crate) fn fields_of(r: &sqlx::any::AnyRow) -> Result<RowFields, sqlx::Error> {
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

pub(crate) fn hash_of(
    texts: &[Option<String>],
    batch_id: Option<i64>,
    prev: &str,
    key: Option<&AuditKey>,
) -> String {
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
        key,
    )
}

pub(crate) const AUDIT_COLUMNS: &str =
    "audit_id, at, actor, action, entity, entity_key, batch_id, before, after, prev_hash, row_hash";

/// Rows read per round by `chain_unchained`.
const CHAIN_BATCH: usize = 1000;

/// Chains the rows written before the chain existed (the migration that
/// adds it calls this once), in id order, a batch at a time.
pub(crate) async fn chain_unchained(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<(), sqlx::Error> {
    // Run by migration 6, before the head has its key columns.
    let lock = backend.for_update();
    let r = sqlx::query(AssertSqlSafe(format!(
        "SELECT last_audit_id, last_hash FROM audit_chain_head WHERE id = 1{lock}"
    )))
    .fetch_one(&mut *conn)
    .await?;
    let (last, mut prev): (i64, String) = (r.try_get("last_audit_id")?, r.try_get("last_hash")?);
    // A batch at a time: the trail may be millions of rows, and the same
    // connection writes each row back, so it cannot stream while it reads.
    let mut last_id = last;
    loop {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE audit_id > $1 ORDER BY audit_id LIMIT {CHAIN_BATCH}"
        )))
        .bind(last_id)
        .fetch_all(&mut *conn)
        .await?;
        for r in &rows {
            let (id, texts, batch) = fields_of(r)?;
            let hash = hash_of(&texts, batch, &prev, None);
            sqlx::query("UPDATE audit_log SET prev_hash = $1, row_hash = $2 WHERE audit_id = $3")
                .bind(&prev)
                .bind(&hash)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            prev = hash;
            last_id = id;
        }
        if rows.len() < CHAIN_BATCH {
            break;
        }
    }
    set_head(conn, last_id, &prev).await
}
