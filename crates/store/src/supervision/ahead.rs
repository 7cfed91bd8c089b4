//! Reading a full scan's next chunks while the checks run on this one.
//!
//! The scan alternates between reading a chunk (SQLite's work and the
//! conversion into the checks' types) and checking it; the two are about
//! equal. A thread of the blocking pool reads the chunks in order, at most
//! [`DEPTH`] ahead, on a read connection of its own (on SQLite the store's
//! rusqlite readers, on PostgreSQL a pool connection), so on two cores the
//! reading hides behind the checks. Reads see committed rows only, as the
//! scan always did: it never ran inside a transaction.

use std::future::Future;
use std::time::Instant;

use tokio::sync::mpsc;

use crate::{Store, StoreError};

/// Chunks read ahead of the one being checked.
const DEPTH: usize = 2;

/// A chunk as read, and the seconds its reading took.
pub(crate) type Read<T> = Result<(T, f64), StoreError>;

/// `read(store, key)` for every key, in order, on a blocking thread; the
/// receiver yields each result as it is ready. A failed read is the last;
/// dropping the receiver stops the reading.
pub(crate) fn read_ahead<K, T, F, Fut>(
    store: &Store,
    keys: Vec<K>,
    read: F,
) -> mpsc::Receiver<Read<T>>
where
    K: Send + 'static,
    T: Send + 'static,
    F: Fn(Store, K) -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, StoreError>>,
{
    let (tx, rx) = mpsc::channel(DEPTH);
    let store = store.clone();
    let rt = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        for key in keys {
            let t = Instant::now();
            let out = rt
                .block_on(read(store.clone(), key))
                .map(|v| (v, t.elapsed().as_secs_f64()));
            let failed = out.is_err();
            if tx.blocking_send(out).is_err() || failed {
                break;
            }
        }
    });
    rx
}
