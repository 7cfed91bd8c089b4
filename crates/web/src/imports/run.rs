//! Runs one upload in the background: counts the file's rows for the
//! progress bar, then imports it through the pipeline with the account's
//! scope and login, writing the error report as .xlsx and .csv. The
//! uploaded file is removed when the job ends (`storage`).
//!
//! The pipeline's future is not `Send` (its row writers hold plain `&dyn
//! Fn` guards), so it runs on a blocking thread that drives it with the
//! runtime's handle instead of on a spawned task.

use super::jobs::{Job, JobState};
use crate::auth::User;
use jineng_ingest::pipeline::{ImportOptions, import_file};
use jineng_ingest::reader::TableReader;
use jineng_store::Store;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// Rows per transaction, as `jineng import`.
const CHUNK_ROWS: usize = 5000;

pub fn start(store: Store, job: Arc<Job>, user: &User) {
    let opts = ImportOptions {
        dry_run: job.dry_run,
        errors_path: Some(job.report_path("xlsx")),
        extra_errors_paths: vec![job.report_path("csv")],
        scope: Some(user.scope().clone()),
        actor: user.actor(),
        today: chrono::Local::now().date_naive(),
        chunk_rows: CHUNK_ROWS,
    };
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let path = job.upload_path();
        // The uploaded file goes when the job ends, however it ends.
        let _upload = Removed(vec![path.clone()]);
        if let Ok(reader) = TableReader::open(&path, job.title) {
            let total = reader.filter(Result::is_ok).count() as u64;
            job.total.store(total, Ordering::Relaxed);
        }
        let progress = |n: u64| job.done.store(n, Ordering::Relaxed);
        let result = handle.block_on(import_file(&store, job.kind, &path, &opts, &progress));
        // Reports are kept only when they list rejected rows.
        if !matches!(&result, Ok(r) if r.rejected > 0) {
            drop(Removed(vec![
                job.report_path("xlsx"),
                job.report_path("csv"),
            ]));
        }
        job.set_state(match result {
            Ok(report) => JobState::Done(Box::new(report)),
            Err(e) => JobState::Failed(e.to_string()),
        });
    });
}

/// Files removed when this is dropped (also on a panic).
struct Removed(Vec<PathBuf>);

impl Drop for Removed {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}
