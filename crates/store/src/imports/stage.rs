//! Bulk writes by COPY on PostgreSQL (issue 17, docs/scale.md "Import
//! speed"). An import chunk's decided rows (upsert.rs) are streamed into
//! the UNLOGGED `import_stage` table over a typed connection of their own,
//! then merged into their table by one `INSERT … SELECT` and one
//! `UPDATE … FROM` inside the chunk's transaction on the `Any` pool, so a
//! chunk is still written whole or not at all. The staged rows are deleted
//! as soon as the merge has read them, whether it succeeded or not.
//!
//! COPY needs the typed driver: sqlx's `Any` connection has no COPY and
//! cannot be unwrapped, hence the separate small pool.

use crate::imports::upsert::{Kind, UpsertTable};
use crate::sql::Val;
use sqlx::AssertSqlSafe;
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::fmt::Write;

/// Columns `c1..` of `import_stage` (migration 0042).
pub(crate) const STAGE_COLUMNS: usize = 24;

/// Bytes handed to one COPY message.
const COPY_PIECE: usize = 1 << 20;

/// The typed PostgreSQL pool that runs COPY.
#[derive(Clone, Debug)]
pub(crate) struct Stager {
    pool: PgPool,
}

impl Stager {
    /// A pool for `url` that connects on first use: a store that never
    /// imports never opens it.
    pub(crate) fn lazy(url: &str) -> Result<Stager, sqlx::Error> {
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(std::time::Duration::from_secs(60))
            .connect_lazy(url)?;
        Ok(Stager { pool })
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }

    /// Streams `data` (COPY text format) by `statement`.
    async fn copy(&self, statement: &str, data: &[u8]) -> Result<(), sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        let mut copy = conn.copy_in_raw(statement).await?;
        for piece in data.chunks(COPY_PIECE) {
            if let Err(e) = copy.send(piece).await {
                let _ = copy.abort("jineng: send failed").await;
                return Err(e);
            }
        }
        copy.finish().await?;
        Ok(())
    }

    /// Removes a chunk's staged rows. Statements on the stage are planned
    /// anew (unnamed): a cached plan would scan it whole.
    async fn discard(&self, stage_id: i64) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM import_stage WHERE stage_id = $1")
            .bind(stage_id)
            .persistent(false)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// `jineng bench import`'s PostgreSQL baseline: `rows` copied straight
    /// into `table`, in one transaction, without staging or checks.
    #[cfg(feature = "bench")]
    pub(crate) async fn copy_into(
        &self,
        table: &str,
        columns: &[&str],
        rows: &[Vec<Val>],
    ) -> Result<(), sqlx::Error> {
        let mut data = String::with_capacity(rows.len() * 128);
        for row in rows {
            push_row(&mut data, row);
        }
        let stmt = format!("COPY {table} ({}) FROM STDIN", columns.join(", "));
        self.copy(&stmt, data.as_bytes()).await
    }
}

/// Appends one value in COPY text format.
fn push_field(buf: &mut String, v: &Val) {
    match v {
        Val::T(None) | Val::I(None) => buf.push_str("\\N"),
        Val::I(Some(i)) => {
            let _ = write!(buf, "{i}");
        }
        Val::T(Some(s)) => {
            for c in s.chars() {
                match c {
                    '\\' => buf.push_str("\\\\"),
                    '\t' => buf.push_str("\\t"),
                    '\n' => buf.push_str("\\n"),
                    '\r' => buf.push_str("\\r"),
                    c => buf.push(c),
                }
            }
        }
    }
}

fn push_row<'a>(buf: &mut String, vals: impl IntoIterator<Item = &'a Val>) {
    for (i, v) in vals.into_iter().enumerate() {
        if i > 0 {
            buf.push('\t');
        }
        push_field(buf, v);
    }
    buf.push('\n');
}

/// Whether `table`'s rows fit the staging table.
pub(crate) fn fits(table: &UpsertTable) -> bool {
    table.keys.len() + table.data.len() <= STAGE_COLUMNS
}

/// `s.cN` as the type of column `kind`.
fn staged(n: usize, kind: Kind) -> String {
    match kind {
        Kind::Text => format!("s.c{n}"),
        Kind::Int => format!("CAST(s.c{n} AS BIGINT)"),
    }
}

/// Writes a chunk's decided rows of `table` inside the caller's
/// transaction: `inserts` (key then data, in the order to insert) and
/// `updates` (key, data; one per key). Every written row gets `batch_id`
/// and `stamp`.
pub(crate) async fn merge(
    conn: &mut sqlx::AnyConnection,
    stager: &Stager,
    table: &UpsertTable,
    batch_id: Option<i64>,
    stamp: &str,
    inserts: &[Vec<Val>],
    updates: &[(Vec<Val>, Vec<Val>)],
) -> Result<(), sqlx::Error> {
    if inserts.is_empty() && updates.is_empty() {
        return Ok(());
    }
    let width = table.keys.len() + table.data.len();
    let stage_id =
        (getrandom::u64().map_err(|e| sqlx::Error::Protocol(e.to_string()))? >> 1) as i64;
    let mut data = String::with_capacity((inserts.len() + updates.len()) * 160);
    for (seq, row) in inserts.iter().enumerate() {
        let _ = write!(data, "{stage_id}\tI\t{seq}\t");
        push_row(&mut data, row);
    }
    for (key, vals) in updates {
        let _ = write!(data, "{stage_id}\tU\t0\t");
        push_row(&mut data, key.iter().chain(vals));
    }
    let cols: Vec<String> = (1..=width).map(|n| format!("c{n}")).collect();
    let stmt = format!(
        "COPY import_stage (stage_id, op, seq, {}) FROM STDIN",
        cols.join(", ")
    );
    stager.copy(&stmt, data.as_bytes()).await?;
    let merged = merge_staged(conn, table, stage_id, batch_id, stamp, inserts, updates).await;
    // The merge has read them: they are not needed again, even by a retry
    // of a chunk rolled back (it stages its rows anew).
    let discarded = stager.discard(stage_id).await;
    merged?;
    discarded
}

async fn merge_staged(
    conn: &mut sqlx::AnyConnection,
    table: &UpsertTable,
    stage_id: i64,
    batch_id: Option<i64>,
    stamp: &str,
    inserts: &[Vec<Val>],
    updates: &[(Vec<Val>, Vec<Val>)],
) -> Result<(), sqlx::Error> {
    let all: Vec<(&str, Kind)> = table.keys.iter().chain(table.data).copied().collect();
    if !inserts.is_empty() {
        let names: Vec<&str> = all.iter().map(|(c, _)| *c).collect();
        let values: Vec<String> = all
            .iter()
            .enumerate()
            .map(|(i, (_, k))| staged(i + 1, *k))
            .collect();
        // No ON CONFLICT: the rows to insert were decided against what the
        // chunk's lookup saw, so a conflict means a concurrent import took
        // the key; the chunk then fails as a transient conflict and is
        // written again, as before (pipeline.rs).
        let sql = format!(
            "INSERT INTO {} ({}, batch_id, updated_at) SELECT {}, $2, $3 \
             FROM import_stage s WHERE s.stage_id = $1 AND s.op = 'I' ORDER BY s.seq",
            table.name,
            names.join(", "),
            values.join(", ")
        );
        run_staged(conn, sql, stage_id, batch_id, stamp).await?;
    }
    if !updates.is_empty() {
        let nk = table.keys.len();
        let set: Vec<String> = table
            .data
            .iter()
            .enumerate()
            .map(|(i, (c, k))| format!("{c} = {}", staged(nk + i + 1, *k)))
            .collect();
        let on: Vec<String> = table
            .keys
            .iter()
            .enumerate()
            .map(|(i, (c, k))| format!("t.{c} = {}", staged(i + 1, *k)))
            .collect();
        let sql = format!(
            "UPDATE {} t SET {}, batch_id = $2, updated_at = $3 FROM import_stage s \
             WHERE s.stage_id = $1 AND s.op = 'U' AND {}",
            table.name,
            set.join(", "),
            on.join(" AND ")
        );
        run_staged(conn, sql, stage_id, batch_id, stamp).await?;
    }
    Ok(())
}

/// Runs one merge statement over the staged rows: `$1` the stage, `$2` the
/// batch, `$3` the time stamp (not kept as a prepared statement: its text
/// varies with the table).
async fn run_staged(
    conn: &mut sqlx::AnyConnection,
    sql: String,
    stage_id: i64,
    batch_id: Option<i64>,
    stamp: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(AssertSqlSafe(sql))
        .bind(stage_id)
        .bind(batch_id)
        .bind(stamp)
        .persistent(false)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_and_nulls() {
        let mut s = String::new();
        push_row(
            &mut s,
            &[
                Val::text("a\tb\\c\nd"),
                Val::T(None),
                Val::int(-3),
                Val::I(None),
            ],
        );
        assert_eq!(s, "a\\tb\\\\c\\nd\t\\N\t-3\t\\N\n");
    }
}
