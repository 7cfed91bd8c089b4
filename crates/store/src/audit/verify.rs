//! Walking the audit chain (`jineng audit verify`) and keying it: the
//! marker row from which every hash is an HMAC under the key kept outside
//! the database (`audit_key`, `docs/security.md`).

use crate::audit::keys::{AuditKey, MARKER_ACTION, MARKER_ENTITY};
use crate::audit::{AUDIT_COLUMNS, Actor, fields_of, hash_of};
use crate::{Store, StoreError};
use serde::Serialize;
use serde_json::json;
use sqlx::{AssertSqlSafe, Row};

/// The outcome of walking the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerify {
    /// Rows checked.
    pub rows: u64,
    /// The first break: the audit id (0 for the chain's head) and why.
    pub broken: Option<(i64, String)>,
    /// The marker row from which hashes are keyed.
    pub keyed_from: Option<i64>,
    /// The last row's hash, to note outside the database (a later verify
    /// against the noted value shows a truncated trail).
    pub head_hash: String,
}

impl Store {
    /// The key this store writes and verifies the audit chain with.
    pub fn audit_key(&self) -> Option<&AuditKey> {
        self.audit_key.as_ref()
    }

    /// Loads (or creates) the key of the database at `url` and keys the
    /// chain when it is new: a key file created now, or an empty chain.
    /// An existing chain that is not keyed while the key file already
    /// existed is left alone (and fails `verify_audit`): keying it then
    /// would bless whatever was done to it; `key_audit_chain` does it on an
    /// operator's word.
    pub(crate) async fn open_audit_key(&mut self, url: &str) -> Result<(), StoreError> {
        let path = crate::audit::keys::key_path(url);
        let (key, created) = crate::audit::keys::load_or_create(path.as_deref())?;
        crate::audit::keys::register(&key);
        self.audit_key = Some(key);
        let (last_id, key_id) = self.chain_state().await?;
        if key_id.is_none() {
            if created || last_id == 0 {
                match self.key_audit_chain(&Actor("system".into())).await {
                    // Another process starting at the same moment keyed it.
                    Ok(_) | Err(StoreError::Refused(_)) => {}
                    Err(e) => return Err(e),
                }
            } else {
                tracing::warn!(
                    "the audit chain is not keyed; run `jineng audit key` once the trail is verified"
                );
            }
        }
        Ok(())
    }

    async fn chain_state(&self) -> Result<(i64, Option<String>), StoreError> {
        let r = sqlx::query("SELECT last_audit_id, key_id FROM audit_chain_head WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        Ok((r.try_get("last_audit_id")?, r.try_get("key_id")?))
    }

    /// Writes the marker row from which the chain is keyed with this
    /// store's key; refused when the chain is keyed already. Returns the
    /// marker's audit id.
    pub async fn key_audit_chain(&self, actor: &Actor) -> Result<i64, StoreError> {
        let key = self
            .audit_key
            .clone()
            .ok_or_else(|| StoreError::Config("未载入审计链密钥".into()))?;
        let mut tx = self.begin().await?;
        let head = crate::audit::lock_head(&mut tx, self.backend()).await?;
        if let Some(id) = head.key_id {
            return Err(StoreError::Refused(format!("审计链已以密钥 {id} 保护")));
        }
        crate::audit::write_change(
            &mut tx,
            actor,
            MARKER_ACTION,
            MARKER_ENTITY,
            key.id().to_string(),
            None,
            Some(&json!({ "key_id": key.id() })),
        )
        .await?;
        let id: i64 = sqlx::query_scalar("SELECT last_audit_id FROM audit_chain_head WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Walks the audit trail in id order and recomputes every hash, plain
    /// before the marker row and keyed from it on: an edited row, a deleted
    /// row (its successor no longer links to its predecessor), a deleted
    /// last row (the head disagrees), a chain recomputed without the key
    /// or a missing marker is found.
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
        let mut keyed_from = None;
        let mut key: Option<&AuditKey> = None;
        let broken = |n: u64, id: i64, why: &str, keyed_from: Option<i64>| {
            Ok(AuditVerify {
                rows: n,
                broken: Some((id, why.to_string())),
                keyed_from,
                head_hash: head_hash.clone(),
            })
        };
        while let Some(r) = rows.try_next().await? {
            n += 1;
            let (id, texts, batch) = fields_of(&r)?;
            if key.is_none()
                && texts[2].as_deref() == Some(MARKER_ACTION.code())
                && texts[3].as_deref() == Some(MARKER_ENTITY.code())
            {
                let Some(k) = self.audit_key.as_ref() else {
                    return broken(n, id, "以密钥保护，但未载入密钥，无法校验", Some(id));
                };
                if texts[4].as_deref() != Some(k.id()) {
                    return broken(
                        n,
                        id,
                        "起用的审计链密钥与所载入的密钥文件不符（密钥文件被更换，或该记录被改动）",
                        Some(id),
                    );
                }
                key = Some(k);
                keyed_from = Some(id);
            }
            let stored_prev: Option<String> = r.try_get("prev_hash")?;
            let stored: Option<String> = r.try_get("row_hash")?;
            if stored_prev.as_deref() != Some(prev.as_str()) {
                return broken(
                    n,
                    id,
                    "与前一条记录的链接断开（前一条被删除或改动）",
                    keyed_from,
                );
            }
            let hash = hash_of(&texts, batch, &prev, key);
            if stored.as_deref() != Some(hash.as_str()) {
                let why = if key.is_some() {
                    "内容与其哈希不符（记录被改动，或哈希在无密钥的情况下被重算）"
                } else {
                    "内容与其哈希不符（记录被改动）"
                };
                return broken(n, id, why, keyed_from);
            }
            prev = hash;
            last_id = id;
        }
        if last_id != head_id || prev != head_hash {
            return broken(
                n,
                head_id,
                "链尾与最后一条记录不符（最后的记录被删除）",
                keyed_from,
            );
        }
        if keyed_from.is_none() && self.audit_key.is_some() {
            return broken(
                n,
                0,
                "审计链没有密钥起点（尚未起用密钥，或起点记录被删除、整条链被无密钥重算）",
                None,
            );
        }
        Ok(AuditVerify {
            rows: n,
            broken: None,
            keyed_from,
            head_hash: prev,
        })
    }
}
