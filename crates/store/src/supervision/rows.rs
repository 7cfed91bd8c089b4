//! Reading the checks' inputs in bulk, whichever driver reads them.
//!
//! A full scan reads every enrolment, certificate, claim and list entry of
//! the registry, some twice (tens of millions of rows at a province's
//! county). Through sqlx every SQLite value crosses from the connection's
//! worker thread into an `AnyRow` (about half a microsecond a value,
//! docs/scale.md § Supervision scan), which made the driver, not SQLite,
//! most of the scan. So on SQLite these statements run on the calling
//! thread through rusqlite, on the store's own read connections to the same
//! file ([`crate::lookup::SqliteReader`], `query_only`), and each row is
//! turned into the checks' types straight from SQLite's buffers. PostgreSQL,
//! an in-memory SQLite and a direct read that fails (a busy moment during
//! WAL recovery) go through the pool. The statements and the conversions
//! are the same for both: a conversion reads a row through [`Get`].
//!
//! The reads are short and run where the scan runs: `jineng supervise scan`
//! and the incremental check after an import, both off the request path.

use sqlx::AssertSqlSafe;

use super::inputs::Filter;
use crate::dialect::placeholders;
pub(crate) use crate::read_rows::Get;
use crate::read_rows::{Failed, lite_rows};
use crate::{Store, StoreError};

/// Keys bound per statement.
const KEY_CHUNK: usize = 500;

/// A value bound to a statement.
#[derive(Debug, Clone, Copy)]
enum Bind<'a> {
    Int(i64),
    Text(&'a str),
}

impl rusqlite::ToSql for Bind<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Bind::Int(v) => v.to_sql(),
            Bind::Text(v) => v.to_sql(),
        }
    }
}

/// The statements `filter` makes of `base`, with their values: one, or one
/// per chunk of keys so that a long key list stays under both backends'
/// parameter limits.
fn statements<'a>(base: &str, filter: Filter<'a>) -> Vec<(String, Vec<Bind<'a>>)> {
    match filter {
        Filter::All => vec![(base.to_string(), Vec::new())],
        Filter::Batch(column, id) => {
            vec![(format!("{base} AND {column} = $1"), vec![Bind::Int(id)])]
        }
        Filter::Range(column, lo, hi) => vec![(
            format!("{base} AND {column} >= $1 AND {column} < $2"),
            vec![Bind::Int(lo), Bind::Int(hi)],
        )],
        Filter::Keys(column, keys) => keys
            .chunks(KEY_CHUNK)
            .map(|chunk| {
                (
                    format!("{base} AND {column} IN ({})", placeholders(1, chunk.len())),
                    chunk.iter().map(|k| Bind::Text(k.as_str())).collect(),
                )
            })
            .collect(),
        Filter::Ids(column, ids) => ids
            .chunks(KEY_CHUNK)
            .map(|chunk| {
                (
                    format!("{base} AND {column} IN ({})", placeholders(1, chunk.len())),
                    chunk.iter().map(|k| Bind::Int(*k)).collect(),
                )
            })
            .collect(),
    }
}

fn direct<T>(
    conn: &rusqlite::Connection,
    stmts: &[(String, Vec<Bind<'_>>)],
    map: &impl Fn(&dyn Get) -> Result<T, StoreError>,
) -> Result<Vec<T>, Failed> {
    let mut out = Vec::new();
    for (sql, binds) in stmts {
        lite_rows(conn, sql, binds, map, &mut out)?;
    }
    Ok(out)
}

/// The rows `filter` selects from `base`, each turned by `map`.
pub(crate) async fn fetch_map<T>(
    store: &Store,
    base: &str,
    filter: Filter<'_>,
    map: impl Fn(&dyn Get) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let stmts = statements(base, filter);
    if let Some(reader) = store.reader() {
        match reader.with_direct(|conn| direct(conn, &stmts, &map)) {
            Ok(rows) => return Ok(rows),
            Err(Failed::Row(e)) => return Err(e),
            Err(Failed::Sqlite(e)) => {
                tracing::debug!("direct SQLite read failed, using the pool: {e}")
            }
        }
    }
    let mut out = Vec::new();
    for (sql, binds) in &stmts {
        let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
        for b in binds {
            q = match b {
                Bind::Int(v) => q.bind(*v),
                Bind::Text(v) => q.bind(*v),
            };
        }
        for r in q.fetch_all(store.pool()).await? {
            out.push(map(&r)?);
        }
    }
    Ok(out)
}

/// The rows `filter` selects from `base`, each fetched and only counted,
/// nothing converted: the plain read a scan is measured against (`jineng
/// bench supervise`), by the same driver as the scan.
#[cfg(feature = "bench")]
pub(crate) async fn count(
    store: &Store,
    base: &str,
    filter: Filter<'_>,
) -> Result<u64, StoreError> {
    Ok(fetch_map(store, base, filter, |_| Ok(())).await?.len() as u64)
}
