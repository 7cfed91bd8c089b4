//! The table of upload jobs, in memory (docs/decisions.md): each job's
//! progress, its result, and a private temp dir holding the uploaded file
//! and its error reports. Only the account that uploaded may see a job.
//! The table keeps the latest [`KEEP`] jobs; older finished ones are
//! dropped with their files.

use jineng_ingest::pipeline::ImportReport;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

const KEEP: usize = 200;

/// How a job ended, or that it still runs.
#[derive(Debug, Clone)]
pub enum JobState {
    Running,
    Done(Box<ImportReport>),
    /// The file could not be imported at all (header, format); the message
    /// names the file and what is wrong.
    Failed(String),
}

/// One upload.
#[derive(Debug)]
pub struct Job {
    pub id: u64,
    pub account_id: i64,
    pub kind: &'static str,
    pub title: &'static str,
    pub file_name: String,
    pub dry_run: bool,
    pub started_at: String,
    /// Data rows in the file (0 until counted).
    pub total: AtomicU64,
    /// Rows read, parsed and written so far.
    pub done: AtomicU64,
    pub state: Mutex<JobState>,
    pub dir: tempfile::TempDir,
}

impl Job {
    pub fn upload_path(&self) -> PathBuf {
        self.dir.path().join(&self.file_name)
    }

    pub fn report_path(&self, ext: &str) -> PathBuf {
        self.dir.path().join(format!("errors.{ext}"))
    }

    pub fn state(&self) -> JobState {
        self.state.lock().expect("job state").clone()
    }

    pub fn set_state(&self, s: JobState) {
        *self.state.lock().expect("job state") = s;
    }

    pub fn progress(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}

/// What a new job is.
pub struct NewJob {
    pub account_id: i64,
    pub kind: &'static str,
    pub title: &'static str,
    pub file_name: String,
    pub dry_run: bool,
    pub dir: tempfile::TempDir,
}

#[derive(Default)]
pub struct Jobs {
    next: AtomicU64,
    map: Mutex<BTreeMap<u64, Arc<Job>>>,
}

impl std::fmt::Debug for Jobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jobs").finish_non_exhaustive()
    }
}

impl Jobs {
    pub fn add(&self, new: NewJob) -> Arc<Job> {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let job = Arc::new(Job {
            id,
            account_id: new.account_id,
            kind: new.kind,
            title: new.title,
            file_name: new.file_name,
            dry_run: new.dry_run,
            started_at: chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string(),
            total: AtomicU64::new(0),
            done: AtomicU64::new(0),
            state: Mutex::new(JobState::Running),
            dir: new.dir,
        });
        let mut map = self.map.lock().expect("jobs");
        map.insert(id, job.clone());
        while map.len() > KEEP {
            let oldest = map
                .iter()
                .find(|(_, j)| !matches!(j.state(), JobState::Running))
                .map(|(k, _)| *k);
            match oldest {
                Some(k) => map.remove(&k),
                None => break,
            };
        }
        job
    }

    /// The job `id` if `account_id` started it.
    pub fn get(&self, id: u64, account_id: i64) -> Option<Arc<Job>> {
        self.map
            .lock()
            .expect("jobs")
            .get(&id)
            .filter(|j| j.account_id == account_id)
            .cloned()
    }

    /// The account's jobs, newest first.
    pub fn of(&self, account_id: i64, limit: usize) -> Vec<Arc<Job>> {
        self.map
            .lock()
            .expect("jobs")
            .values()
            .rev()
            .filter(|j| j.account_id == account_id)
            .take(limit)
            .cloned()
            .collect()
    }

    /// How many jobs are still running.
    pub fn running(&self) -> usize {
        self.map
            .lock()
            .expect("jobs")
            .values()
            .filter(|j| matches!(j.state(), JobState::Running))
            .count()
    }
}
