//! Import batches that will never finish: a batch records the process
//! that runs it (`host:pid`, migration 0041). When the server starts, a
//! batch still 'running' whose process on this host is gone (or that
//! predates the owner column) is marked 'stopped'; when the server stops
//! with imports still running past its grace period, its own batches are.
//! Rows a stopped batch wrote stay: each chunk commits whole, and running
//! the file again completes it (`crates/cli/tests/kill.rs`).

use crate::audit::{Actor, AuditEntry};
use crate::{Store, StoreError};
use jineng_domain::audit::{Action, Entity};
use sqlx::Row;

/// This process, as a batch's owner: `host:pid`.
pub(crate) fn this_process() -> String {
    format!("{}:{}", host(), std::process::id())
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// Whether `owner` is surely gone: a process of this host that no longer
/// exists. Another host's process cannot be checked from here, nor can any
/// process where `/proc` is missing: those batches are left alone.
pub(crate) fn gone(owner: Option<&str>) -> bool {
    let Some(owner) = owner else {
        // Started before owners were recorded: no process of today runs it.
        return true;
    };
    let Some((h, pid)) = owner.rsplit_once(':') else {
        return false;
    };
    if h != host() || !std::path::Path::new("/proc/self").exists() {
        return false;
    }
    match pid.parse::<u32>() {
        Ok(pid) => {
            pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists()
        }
        Err(_) => false,
    }
}

/// A batch marked stopped: its id, kind and file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoppedBatch {
    pub batch_id: i64,
    pub kind: String,
    pub file_name: String,
}

impl Store {
    /// Marks 'stopped' the running batches whose process is gone; returns
    /// them. Each is written to the audit trail.
    pub async fn stop_stale_batches(&self, actor: &Actor) -> Result<Vec<StoppedBatch>, StoreError> {
        self.stop_batches(actor, "导入进程已终止，批次未完成", |owner| {
            gone(owner)
        })
        .await
    }

    /// Marks 'stopped' the running batches of this process (a server
    /// stopping before its imports finished).
    pub async fn stop_own_batches(
        &self,
        actor: &Actor,
        note: &str,
    ) -> Result<Vec<StoppedBatch>, StoreError> {
        let me = this_process();
        self.stop_batches(actor, note, |owner| owner == Some(me.as_str()))
            .await
    }

    async fn stop_batches(
        &self,
        actor: &Actor,
        note: &str,
        stop: impl Fn(Option<&str>) -> bool,
    ) -> Result<Vec<StoppedBatch>, StoreError> {
        let mut tx = self.begin().await?;
        let rows = sqlx::query(
            "SELECT batch_id, kind, file_name, owner FROM import_batches WHERE status = 'running' ORDER BY batch_id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut stopped = Vec::new();
        let mut entries = Vec::new();
        for r in rows {
            let owner: Option<String> = r.try_get("owner")?;
            if !stop(owner.as_deref()) {
                continue;
            }
            let b = StoppedBatch {
                batch_id: r.try_get("batch_id")?,
                kind: r.try_get("kind")?,
                file_name: r.try_get("file_name")?,
            };
            sqlx::query(
                "UPDATE import_batches SET status = 'stopped', finished_at = $1, note = $2 \
                 WHERE batch_id = $3 AND status = 'running'",
            )
            .bind(crate::audit::now())
            .bind(note)
            .bind(b.batch_id)
            .execute(&mut *tx)
            .await?;
            let after = serde_json::json!({ "status": "stopped", "owner": owner, "note": note });
            entries.push(AuditEntry::change(
                Action::Stop,
                Entity::ImportBatch,
                b.batch_id.to_string(),
                None,
                Some(&after),
            ));
            stopped.push(b);
        }
        if !entries.is_empty() {
            crate::audit::write(&mut tx, actor, None, &entries).await?;
        }
        tx.commit().await?;
        Ok(stopped)
    }
}
