//! What this process has written, counted for `/metrics`: rows imported,
//! claims decided and approved, payments posted. Counters only, no personal
//! data; they are bumped after the transaction that did the work commits,
//! so a rolled-back write is never counted.
//!
//! The counters are process-wide (one `Store` or several, one server):
//! Prometheus computes rates from them, and a restart resets them as it
//! expects of a counter.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};

struct Counters {
    /// Batch kind (`import_batches.kind`, a code) → (rows taken, rejected).
    imports: Mutex<BTreeMap<String, (u64, u64)>>,
    decided: [AtomicU64; 3],
    approved: AtomicU64,
    approved_fen: AtomicI64,
    payments: [AtomicU64; 4],
    payments_fen: [AtomicI64; 4],
}

static COUNTERS: Counters = Counters {
    imports: Mutex::new(BTreeMap::new()),
    decided: [const { AtomicU64::new(0) }; 3],
    approved: AtomicU64::new(0),
    approved_fen: AtomicI64::new(0),
    payments: [const { AtomicU64::new(0) }; 4],
    payments_fen: [const { AtomicI64::new(0) }; 4],
};

/// The outcomes of a decision, as `/metrics` labels them.
pub const DECISION_OUTCOMES: [&str; 3] = ["eligible", "rejected", "review"];

/// The ledger operations that move money out of a fund.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payment {
    /// Paid in full (R16).
    Pay = 0,
    /// An advance of the policy's share (R9, R11).
    Advance = 1,
    /// The rest of an advanced claim.
    Settle = 2,
    /// Paid through the bank: booked when the bank's answer (回盘) says so.
    Bank = 3,
}

impl Payment {
    pub const ALL: [Payment; 4] = [
        Payment::Pay,
        Payment::Advance,
        Payment::Settle,
        Payment::Bank,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Payment::Pay => "pay",
            Payment::Advance => "advance",
            Payment::Settle => "settle",
            Payment::Bank => "bank",
        }
    }
}

/// A finished import batch of `kind`: rows taken and rows rejected.
pub(crate) fn imported(kind: &str, taken: u64, rejected: u64) {
    let mut m = COUNTERS.imports.lock().unwrap_or_else(|e| e.into_inner());
    let e = m.entry(kind.to_string()).or_default();
    e.0 += taken;
    e.1 += rejected;
}

/// Claims decided by the engine, by outcome.
pub(crate) fn decided(eligible: u64, rejected: u64, review: u64) {
    for (i, n) in [eligible, rejected, review].into_iter().enumerate() {
        COUNTERS.decided[i].fetch_add(n, Relaxed);
    }
}

/// Claims approved by an officer (or the batch approval), with the amount.
pub(crate) fn approved(n: u64, fen: i64) {
    COUNTERS.approved.fetch_add(n, Relaxed);
    COUNTERS.approved_fen.fetch_add(fen, Relaxed);
}

/// `n` payments of `kind` posted to the ledger, `fen` in all.
pub(crate) fn paid(kind: Payment, n: u64, fen: i64) {
    COUNTERS.payments[kind as usize].fetch_add(n, Relaxed);
    COUNTERS.payments_fen[kind as usize].fetch_add(fen, Relaxed);
}

/// The counters as they stand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteCounters {
    /// (import kind, rows taken, rows rejected).
    pub imports: Vec<(String, u64, u64)>,
    /// (outcome, claims) in [`DECISION_OUTCOMES`] order.
    pub decided: Vec<(&'static str, u64)>,
    pub approved: u64,
    pub approved_fen: i64,
    /// (kind, payments, fen).
    pub payments: Vec<(&'static str, u64, i64)>,
}

/// Reads every counter.
pub fn write_counters() -> WriteCounters {
    WriteCounters {
        imports: COUNTERS
            .imports
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(k, (t, r))| (k.clone(), *t, *r))
            .collect(),
        decided: DECISION_OUTCOMES
            .iter()
            .enumerate()
            .map(|(i, o)| (*o, COUNTERS.decided[i].load(Relaxed)))
            .collect(),
        approved: COUNTERS.approved.load(Relaxed),
        approved_fen: COUNTERS.approved_fen.load(Relaxed),
        payments: Payment::ALL
            .iter()
            .map(|p| {
                (
                    p.label(),
                    COUNTERS.payments[*p as usize].load(Relaxed),
                    COUNTERS.payments_fen[*p as usize].load(Relaxed),
                )
            })
            .collect(),
    }
}

/// The connection pool's use: (open connections, idle, maximum).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

impl crate::Store {
    /// How many pool connections are open and idle, and the maximum.
    pub fn pool_use(&self) -> PoolUse {
        let pool = self.pool();
        PoolUse {
            open: pool.size(),
            idle: pool.num_idle() as u32,
            max: pool.options().get_max_connections(),
        }
    }
}
