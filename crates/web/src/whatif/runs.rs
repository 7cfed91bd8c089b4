//! The what-if runs of the page, in memory: each run's report and changed
//! claims under a number, reachable only by the account that ran it.
//!
//! Kept rather than recomputed from a stored draft: a replay reads every
//! claim of the policy (seconds on a province) and writes an audit row, so
//! paging, sorting and the download must not repeat it; and the figures a
//! reader pages through must not shift under them when a claim is decided
//! meanwhile. A run lives until the server restarts or [`KEEP`] newer runs
//! push it out — long enough for a working session, and the workbook keeps
//! it for good.

use jineng_domain::policy::whatif::{ChangedClaim, Report};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Runs kept, all accounts together.
pub const KEEP: usize = 20;
/// Changed claims kept per run for the list and the workbook; a run that
/// changes more says so (`jineng policy whatif --claims-out` writes all).
pub const MAX_CHANGED: usize = 100_000;

/// One replay as the page shows it.
#[derive(Debug)]
pub struct Run {
    pub id: u64,
    pub account_id: i64,
    /// When it ran, local time.
    pub at: String,
    pub draft_name: String,
    /// The paths the overlay set.
    pub changes: Vec<String>,
    /// What was compared: draft, base version, period (the workbook's
    /// subtitle).
    pub about: String,
    /// The region the totals count (the account's), and its name.
    pub region: String,
    pub region_name: String,
    pub report: Report,
    /// In claim-number order, at most [`MAX_CHANGED`].
    pub changed: Vec<ChangedClaim>,
}

impl Run {
    /// Whether the list holds fewer claims than changed.
    pub fn cut(&self) -> bool {
        (self.changed.len() as u64) < self.report.changed
    }
}

/// The runs, numbered from 1.
#[derive(Default)]
pub struct Runs {
    next: AtomicU64,
    map: Mutex<BTreeMap<u64, Arc<Run>>>,
}

impl std::fmt::Debug for Runs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runs").finish_non_exhaustive()
    }
}

impl Runs {
    /// Keeps `run` under a new number, dropping the oldest beyond [`KEEP`].
    pub fn add(&self, mut run: Run) -> Arc<Run> {
        run.id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let run = Arc::new(run);
        let mut map = self.map.lock().expect("what-if runs");
        map.insert(run.id, run.clone());
        while map.len() > KEEP {
            map.pop_first();
        }
        run
    }

    /// Run `id` if `account_id` ran it.
    pub fn get(&self, id: u64, account_id: i64) -> Option<Arc<Run>> {
        self.map
            .lock()
            .expect("what-if runs")
            .get(&id)
            .filter(|r| r.account_id == account_id)
            .cloned()
    }

    /// The account's runs, newest first.
    pub fn of(&self, account_id: i64) -> Vec<Arc<Run>> {
        self.map
            .lock()
            .expect("what-if runs")
            .values()
            .rev()
            .filter(|r| r.account_id == account_id)
            .cloned()
            .collect()
    }
}
