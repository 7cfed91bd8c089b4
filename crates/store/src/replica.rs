//! The read replica (`--db-read`): a PostgreSQL streaming replica that
//! serves the read-only pages (dashboards, the public certificate lookup,
//! verification). Writes, and every page that reads what it just wrote,
//! stay on the primary: only callers that ask for [`Store::for_reads`] are
//! routed here, so nothing else can read stale data by accident.
//!
//! Lag: a writer remembers the primary's WAL position after its write
//! ([`Store::wal_position`]); a later read that carries it waits, briefly
//! and bounded, until the replica has replayed that far, and otherwise reads
//! the primary. A reader without a position (the public) reads the replica
//! as it stands. See docs/decisions.md § Read replica.

use crate::{Backend, Store, StoreError};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// How long a read waits for the replica to catch up with its writer's
/// position before it reads the primary instead.
const CATCH_UP: Duration = Duration::from_millis(200);
/// How often the replica's replay position is asked during that wait.
const POLL: Duration = Duration::from_millis(10);

/// Reads routed, process-wide, for `/metrics`: served by the replica, and
/// sent to the primary because the replica lagged (or failed).
static SERVED: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];

/// (reads served by the replica, reads sent back to the primary).
pub fn replica_reads() -> (u64, u64) {
    (SERVED[0].load(Relaxed), SERVED[1].load(Relaxed))
}

/// A position in the primary's write-ahead log (`pg_lsn`, e.g.
/// `0/16B3748`): what a writer has committed up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct WalPosition(u64);

/// Counts a routed read.
fn served(by_replica: bool) {
    SERVED[usize::from(!by_replica)].fetch_add(1, Relaxed);
}

impl WalPosition {
    /// Parses PostgreSQL's text form `HI/LO` (hexadecimal); anything else
    /// (a forged or garbled cookie) is `None`.
    pub fn parse(s: &str) -> Option<WalPosition> {
        let (hi, lo) = s.trim().split_once('/')?;
        if hi.is_empty() || lo.is_empty() || hi.len() > 8 || lo.len() > 8 {
            return None;
        }
        let hi = u32::from_str_radix(hi, 16).ok()?;
        let lo = u32::from_str_radix(lo, 16).ok()?;
        Some(WalPosition((u64::from(hi) << 32) | u64::from(lo)))
    }
}

impl std::fmt::Display for WalPosition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

impl Store {
    /// Adds a read replica at `url`. Only a PostgreSQL primary can have
    /// one: SQLite is refused (its readers already run beside the writer).
    pub async fn with_replica(mut self, url: &str) -> Result<Store, StoreError> {
        if self.backend() != Backend::Postgres {
            return Err(StoreError::Config(
                "只读副本（--db-read）仅用于 PostgreSQL：SQLite 数据库请去掉 --db-read".into(),
            ));
        }
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(StoreError::Config(format!(
                "只读副本地址「{url}」无效：应为 postgres://…（PostgreSQL 流复制备库）"
            )));
        }
        let mut replica = Store::open(url).await?;
        replica.is_replica = true;
        // Reachable now, not at the first page; and a replica at all.
        let standby: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()")
            .fetch_one(replica.pool())
            .await?;
        if !standby {
            tracing::warn!("--db-read {url} is not in recovery: reads go to a second primary");
        }
        self.replica = Some(std::sync::Arc::new(replica));
        Ok(self)
    }

    /// True when reads may be routed to a replica.
    pub fn has_replica(&self) -> bool {
        self.replica.is_some()
    }

    /// True for the store of a replica (reads only).
    pub(crate) fn is_replica(&self) -> bool {
        self.is_replica
    }

    /// The store's server is a standby (`pg_is_in_recovery()`); false on
    /// SQLite. Used to show where a read was served.
    pub async fn in_recovery(&self) -> Result<bool, StoreError> {
        if self.backend() != Backend::Postgres {
            return Ok(false);
        }
        Ok(sqlx::query_scalar("SELECT pg_is_in_recovery()")
            .fetch_one(self.pool())
            .await?)
    }

    /// The primary's WAL position now, to hand to later reads of the same
    /// writer; `None` without a replica (there is nothing to wait for).
    pub async fn wal_position(&self) -> Result<Option<WalPosition>, StoreError> {
        if self.replica.is_none() {
            return Ok(None);
        }
        let lsn: String = sqlx::query_scalar("SELECT pg_current_wal_lsn()::text")
            .fetch_one(self.pool())
            .await?;
        Ok(WalPosition::parse(&lsn))
    }

    /// The store a read-only page reads from: the replica, once it has
    /// replayed the writer's position `seen` (waiting at most 200 ms),
    /// else this store, the primary. Without a replica, this store.
    pub async fn for_reads(&self, seen: Option<WalPosition>) -> Store {
        let Some(replica) = &self.replica else {
            return self.clone();
        };
        let caught_up = match seen {
            None => true,
            Some(pos) => replica.replayed(pos).await,
        };
        served(caught_up);
        if caught_up {
            (**replica).clone()
        } else {
            self.clone()
        }
    }

    /// As [`Store::for_reads`], for pages of the aggregate facts: the
    /// primary rebuilds them first if they are stale (a replica cannot),
    /// and the read then waits for that rebuild too.
    pub async fn fresh_reads(&self, seen: Option<WalPosition>) -> Result<Store, StoreError> {
        let Some(replica) = &self.replica else {
            return Ok(self.clone());
        };
        let rebuilt = self.refresh_facts(false).await?;
        let seen = match rebuilt {
            Some(_) => seen.max(self.wal_position().await?),
            None => seen,
        };
        let caught_up = match seen {
            None => true,
            Some(pos) => replica.replayed(pos).await,
        };
        // Replayed past `seen`, the replica may still stop short of a
        // rebuild the primary committed later (by another reader): its
        // facts must match its own audit trail, or the primary answers.
        let current = caught_up && replica.facts_current().await.unwrap_or(false);
        served(current);
        Ok(if current {
            (**replica).clone()
        } else {
            self.clone()
        })
    }

    /// Waits (bounded) until this replica has replayed `pos`; false when
    /// it has not in time, or cannot say.
    async fn replayed(&self, pos: WalPosition) -> bool {
        let started = Instant::now();
        loop {
            let done: Result<Option<bool>, _> =
                sqlx::query_scalar("SELECT pg_last_wal_replay_lsn() >= $1::text::pg_lsn")
                    .bind(pos.to_string())
                    .fetch_one(self.pool())
                    .await;
            match done {
                Ok(Some(true)) => return true,
                Ok(_) if started.elapsed() < CATCH_UP => tokio::time::sleep(POLL).await,
                Ok(_) => return false,
                Err(e) => {
                    tracing::warn!("read replica unavailable, reading the primary: {e}");
                    return false;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::WalPosition;

    #[test]
    fn positions_round_trip_and_order() {
        let a = WalPosition::parse("0/16B3748").unwrap();
        let b = WalPosition::parse("1/0").unwrap();
        assert!(a < b);
        assert_eq!(a.to_string(), "0/16B3748");
        assert_eq!(b.to_string(), "1/0");
        for bad in ["", "/", "0/", "x/1", "0/1/2", "123456789/0", "0/-1"] {
            assert_eq!(WalPosition::parse(bad), None, "{bad}");
        }
    }
}
