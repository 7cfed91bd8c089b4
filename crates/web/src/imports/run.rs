//! Runs one upload in the background: counts the file's rows for the
//! progress bar, then imports it through the pipeline with the account's
//! scope and login, writing the error report as .xlsx and .csv. When it
//! ends, the outcome and the reports (when they list rejected rows) are
//! stored with the job, and the job's directory goes with the uploaded
//! file in it (`storage`). Progress reaches the database at most every
//! [`TICK`], whatever the rows' pace.
//!
//! The pipeline's future is not `Send` (its row writers hold plain `&dyn
//! Fn` guards), so it runs on a blocking thread that drives it with the
//! runtime's handle instead of on a spawned task.

use super::jobs::Live;
use crate::AppState;
use crate::auth::User;
use jineng_domain::ImportJobStatus;
use jineng_ingest::pipeline::{ImportError, ImportOptions, ImportReport, import_file};
use jineng_ingest::reader::TableReader;
use jineng_store::{ImportJobOutcome, Store};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Rows per transaction, as `jineng import`.
const CHUNK_ROWS: usize = 5000;
/// How often a running job's progress is written to the database.
const TICK: Duration = Duration::from_millis(500);

/// One upload to run: its job, file and directory.
pub struct Upload {
    pub job_id: i64,
    pub kind: &'static str,
    pub title: &'static str,
    pub file_name: String,
    pub dry_run: bool,
    pub dir: tempfile::TempDir,
}

pub fn start(state: &AppState, up: Upload, user: &User) {
    let report = |ext: &str| up.dir.path().join(format!("errors.{ext}"));
    let opts = ImportOptions {
        dry_run: up.dry_run,
        errors_path: Some(report("xlsx")),
        extra_errors_paths: vec![report("csv")],
        scope: Some(user.scope().clone()),
        actor: user.actor(),
        today: chrono::Local::now().date_naive(),
        chunk_rows: CHUNK_ROWS,
    };
    let live = state.imports.add(up.job_id);
    let ticking = tokio::spawn(tick(state.store.clone(), up.job_id, live.clone()));
    let (store, jobs, after) = (
        state.store.clone(),
        state.imports.clone(),
        state.store.clone(),
    );
    let handle = tokio::runtime::Handle::current();
    let job_id = up.job_id;
    let work = tokio::task::spawn_blocking(move || {
        let path = up.dir.path().join(&up.file_name);
        if let Ok(reader) = TableReader::open(&path, up.title) {
            let total = reader.filter(Result::is_ok).count() as u64;
            live.total.store(total, Ordering::Relaxed);
        }
        let progress = |n: u64| live.done.store(n, Ordering::Relaxed);
        let result = handle.block_on(import_file(&store, up.kind, &path, &opts, &progress));
        let ended = ending(&opts, result);
        // The directory, the uploaded file and the reports in it go before
        // the job shows as ended, so an ended job never has files on disk.
        drop(up.dir);
        let saved = handle.block_on(save(&store, up.job_id, &live, ended));
        if let Err(e) = saved {
            tracing::warn!(
                "could not store the outcome of upload job {}: {e}",
                up.job_id
            );
        }
    });
    // The job leaves this process's list only once its outcome is stored
    // (a stopping server waits for the list to empty); a panic fails it.
    tokio::spawn(async move {
        let ended = work.await;
        ticking.abort();
        if ended.is_err() {
            let failed = after
                .end_import_job(job_id, ImportJobStatus::Failed, "导入意外中止，请重新上传")
                .await;
            if let Err(e) = failed {
                tracing::warn!("could not mark upload job {job_id} failed: {e}");
            }
        }
        jobs.remove(job_id);
    });
}

/// Writes the progress while it changes, every [`TICK`].
async fn tick(store: Store, job_id: i64, live: Arc<Live>) {
    let mut last = (0, 0);
    loop {
        tokio::time::sleep(TICK).await;
        let now = live.get();
        if now != last {
            if let Err(e) = store.import_job_progress(job_id, now.0, now.1).await {
                tracing::warn!("could not store the progress of upload job {job_id}: {e}");
            }
            last = now;
        }
    }
}

/// How a job ended, with its reports read into memory while the files exist.
enum Ending {
    Failed(String),
    Finished(ImportJobOutcome),
}

/// Reads how the job ended, with its reports when they list rows.
fn ending(opts: &ImportOptions, result: Result<ImportReport, ImportError>) -> Ending {
    let r = match result {
        Ok(r) => r,
        Err(e) => return Ending::Failed(e.to_string()),
    };
    let mut reports = Vec::new();
    if r.rejected > 0 {
        for path in opts.errors_path.iter().chain(&opts.extra_errors_paths) {
            if let Some(bytes) = read(path) {
                reports.push((extension(path), bytes));
            }
        }
    }
    let int = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    Ending::Finished(ImportJobOutcome {
        accepted: int(r.accepted),
        rejected: int(r.rejected),
        inserted: int(r.inserted),
        updated: int(r.updated),
        unchanged: int(r.unchanged),
        warnings: serde_json::to_string(&r.warnings).unwrap_or_else(|_| "[]".into()),
        errors: serde_json::to_string(&r.errors).unwrap_or_else(|_| "[]".into()),
        errors_truncated: r.errors_truncated,
        batch_id: r.batch_id,
        reports,
    })
}

/// Stores how the job ended.
async fn save(
    store: &Store,
    job_id: i64,
    live: &Live,
    ended: Ending,
) -> Result<(), jineng_store::StoreError> {
    match ended {
        Ending::Failed(why) => {
            store
                .end_import_job(job_id, ImportJobStatus::Failed, &why)
                .await
        }
        Ending::Finished(outcome) => {
            store
                .finish_import_job(job_id, live.get().0, &outcome)
                .await
        }
    }
}

fn read(path: &PathBuf) -> Option<Vec<u8>> {
    std::fs::read(path)
        .map_err(|e| tracing::warn!("could not read the error report {}: {e}", path.display()))
        .ok()
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default()
}
