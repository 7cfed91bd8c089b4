//! Rows of bulk reads, whichever driver reads them.
//!
//! Through sqlx every SQLite value crosses from the connection's worker
//! thread into an `AnyRow` (about half a microsecond a value, docs/scale.md
//! § Supervision scan), which made the driver, not SQLite, most of a bulk
//! read. So on SQLite the bulk reads (the supervision scan, the what-if
//! replay's facts) run on the calling thread through rusqlite, on the
//! store's own read connections to the same file
//! ([`crate::lookup::SqliteReader`], `query_only`), and each row is turned
//! into the domain's types straight from SQLite's buffers. The statements
//! and the conversions are the same for both drivers: a conversion reads a
//! row through [`Get`], and a read that takes keys runs on a [`Source`].

use std::future::Future;

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::StoreError;
use crate::dialect::Backend;
use crate::sql::{Val, select_in, sqlite_chunks, sqlite_in};

/// A column of a row, read by name.
pub(crate) trait Get {
    fn text(&self, col: &str) -> Result<String, StoreError>;
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError>;
    fn int(&self, col: &str) -> Result<i64, StoreError>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError>;
}

impl Get for AnyRow {
    fn text(&self, col: &str) -> Result<String, StoreError> {
        Ok(self.try_get(col)?)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        Ok(self.try_get(col)?)
    }
    fn int(&self, col: &str) -> Result<i64, StoreError> {
        Ok(self.try_get(col)?)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.try_get(col)?)
    }
}

fn lite(col: &str, e: rusqlite::Error) -> StoreError {
    StoreError::Corrupt(format!("读取列 {col} 失败：{e}"))
}

/// A rusqlite row with its statement's column names, looked up once per
/// statement: rusqlite's own lookup by name asks SQLite for every column's
/// name on every read, which was a good part of a scan's time.
struct LiteRow<'r, 's> {
    row: &'r rusqlite::Row<'s>,
    names: &'r [String],
}

impl LiteRow<'_, '_> {
    fn get<T: rusqlite::types::FromSql>(&self, col: &str) -> Result<T, StoreError> {
        let i = self
            .names
            .iter()
            .position(|n| n == col)
            .ok_or_else(|| lite(col, rusqlite::Error::InvalidColumnName(col.into())))?;
        self.row.get(i).map_err(|e| lite(col, e))
    }
}

impl Get for LiteRow<'_, '_> {
    fn text(&self, col: &str) -> Result<String, StoreError> {
        self.get(col)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        self.get(col)
    }
    fn int(&self, col: &str) -> Result<i64, StoreError> {
        self.get(col)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError> {
        self.get(col)
    }
}

/// Why a direct read gave up: SQLite's own error (the pool then reads), or
/// a row the conversion refused (the same row would be refused again).
pub(crate) enum Failed {
    Sqlite(rusqlite::Error),
    Row(StoreError),
}

impl From<rusqlite::Error> for Failed {
    fn from(e: rusqlite::Error) -> Failed {
        Failed::Sqlite(e)
    }
}

/// A connection that reads rows by key: `select WHERE key_column IN
/// (keys)`, each row turned by `map`.
pub(crate) trait Source {
    /// The database behind the connection (for the SQL dialect).
    fn backend(&self) -> Backend;

    fn select_in<T>(
        &mut self,
        select: &str,
        key_column: &str,
        keys: &[Val],
        map: impl Fn(&dyn Get) -> Result<T, StoreError>,
    ) -> impl Future<Output = Result<Vec<T>, StoreError>>;
}

impl Source for sqlx::AnyConnection {
    fn backend(&self) -> Backend {
        Backend::of(self)
    }

    async fn select_in<T>(
        &mut self,
        select: &str,
        key_column: &str,
        keys: &[Val],
        map: impl Fn(&dyn Get) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let rows = select_in(self, select, key_column, keys).await?;
        rows.iter().map(|r| map(r)).collect()
    }
}

/// A rusqlite connection to the store's SQLite file, read on the calling
/// thread; its reads never wait, so a read over it completes when first
/// polled ([`Direct::run`]).
pub(crate) struct Direct<'c> {
    conn: &'c rusqlite::Connection,
    /// SQLite's error, when a statement failed.
    failed: Option<rusqlite::Error>,
}

impl<'c> Direct<'c> {
    /// Runs `read` over `conn` to its end.
    pub(crate) fn run<T>(
        conn: &'c rusqlite::Connection,
        read: impl AsyncFnOnce(&mut Direct<'c>) -> Result<T, StoreError>,
    ) -> Result<T, Failed> {
        use futures_util::FutureExt;
        let mut direct = Direct { conn, failed: None };
        let done = read(&mut direct).now_or_never();
        match (done, direct.failed) {
            (_, Some(e)) => Err(Failed::Sqlite(e)),
            (Some(Ok(v)), None) => Ok(v),
            (Some(Err(e)), None) => Err(Failed::Row(e)),
            (None, None) => Err(Failed::Row(StoreError::Corrupt(
                "直接读取未能一次完成".into(),
            ))),
        }
    }
}

impl rusqlite::ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Val::I(v) => v.to_sql(),
            Val::T(v) => v.to_sql(),
        }
    }
}

/// Runs `sql` over `conn` with `binds` ($1, $2, …), each row turned by `map`
/// and pushed to `out`.
pub(crate) fn lite_rows<T>(
    conn: &rusqlite::Connection,
    sql: &str,
    binds: &[impl rusqlite::ToSql],
    map: &impl Fn(&dyn Get) -> Result<T, StoreError>,
    out: &mut Vec<T>,
) -> Result<(), Failed> {
    let mut stmt = conn.prepare_cached(sql)?;
    for (i, b) in binds.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, b)?;
    }
    let names: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next()? {
        let r = LiteRow { row, names: &names };
        out.push(map(&r).map_err(Failed::Row)?);
    }
    Ok(())
}

impl Source for Direct<'_> {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn select_in<T>(
        &mut self,
        select: &str,
        key_column: &str,
        keys: &[Val],
        map: impl Fn(&dyn Get) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let mut out = Vec::new();
        for chunk in sqlite_chunks(keys) {
            let sql = sqlite_in(select, key_column, chunk.len());
            match lite_rows(self.conn, &sql, chunk, &map, &mut out) {
                Ok(()) => {}
                Err(Failed::Row(e)) => return Err(e),
                Err(Failed::Sqlite(e)) => {
                    let shown = StoreError::Corrupt(format!("SQLite：{e}"));
                    self.failed = Some(e);
                    return Err(shown);
                }
            }
        }
        Ok(out)
    }
}
