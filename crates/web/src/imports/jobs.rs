//! Upload jobs as the pages and the API see them. The jobs themselves,
//! their outcome and error reports live in the database (`import_jobs`,
//! migration 0046; docs/decisions.md), so they survive a restart. This
//! process keeps only the jobs it is running now, with their live
//! progress: the status page reads it fresh, the database gets it at most
//! every [`run`](super::run) tick, and a stopping server waits for them.

use crate::views::local_time;
use jineng_domain::ImportJobStatus;
use jineng_ingest::templates::template;
use jineng_store::ImportJobRow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// One upload, as stored, with its progress.
#[derive(Debug)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub title: &'static str,
    pub file_name: String,
    pub dry_run: bool,
    /// Local time, as the pages print it.
    pub started_at: String,
    /// Rows read, parsed and written so far, of `total` (0 until counted).
    pub done: u64,
    pub total: u64,
    pub row: ImportJobRow,
}

impl Job {
    /// The stored job, with the live progress of this process if it runs it.
    pub fn of(row: ImportJobRow, live: Option<(u64, u64)>) -> Job {
        let stored = (to_u64(row.rows_done), to_u64(row.rows_total));
        let (done, total) = match live {
            Some(l) if row.status == ImportJobStatus::Running => l,
            _ => stored,
        };
        Job {
            id: row.job_id,
            kind: row.kind.clone(),
            title: template(&row.kind).map_or("", |t| t.title),
            file_name: row.file_name.clone(),
            dry_run: row.dry_run,
            started_at: local_time(&row.created_at),
            done,
            total,
            row,
        }
    }

    pub fn status(&self) -> ImportJobStatus {
        self.row.status
    }
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// A running job's progress, shared by its import and its pages.
#[derive(Debug, Default)]
pub struct Live {
    pub done: AtomicU64,
    pub total: AtomicU64,
}

impl Live {
    pub fn get(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}

/// The jobs this process runs now.
#[derive(Default)]
pub struct Jobs {
    map: Mutex<HashMap<i64, Arc<Live>>>,
}

impl std::fmt::Debug for Jobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jobs").finish_non_exhaustive()
    }
}

impl Jobs {
    pub fn add(&self, id: i64) -> Arc<Live> {
        let live = Arc::new(Live::default());
        self.map.lock().expect("jobs").insert(id, live.clone());
        live
    }

    /// The job ended here (its outcome is stored).
    pub fn remove(&self, id: i64) {
        self.map.lock().expect("jobs").remove(&id);
    }

    /// (done, total) of a job this process runs.
    pub fn progress(&self, id: i64) -> Option<(u64, u64)> {
        self.map.lock().expect("jobs").get(&id).map(|l| l.get())
    }

    /// How many jobs this process still runs.
    pub fn running(&self) -> usize {
        self.map.lock().expect("jobs").len()
    }
}
