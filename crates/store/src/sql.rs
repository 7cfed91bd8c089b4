//! Small helpers for portable SQL over the `Any` driver: typed values (a NULL
//! must carry its type for PostgreSQL), `$n` placeholder lists and multi-row
//! inserts sized under both backends' parameter limits.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AssertSqlSafe, Row};

use crate::dialect::{Backend, placeholders};

/// A bindable value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Val {
    T(Option<String>),
    I(Option<i64>),
}

impl Val {
    pub fn text(s: impl Into<String>) -> Val {
        Val::T(Some(s.into()))
    }
    pub fn opt_text<S: ToString>(s: Option<S>) -> Val {
        Val::T(s.map(|s| s.to_string()))
    }
    pub fn int(i: i64) -> Val {
        Val::I(Some(i))
    }
}

/// SQLite's default limit is 32,766 host parameters, PostgreSQL's 65,535.
const MAX_PARAMS: usize = 30_000;

pub(crate) fn bind_all<'q>(
    q: Query<'q, Any, AnyArguments>,
    vals: &'q [Val],
) -> Query<'q, Any, AnyArguments> {
    bind_iter(q, vals.iter())
}

/// Each key once, in order, as values to bind (a lookup's `IN` list).
pub(crate) fn distinct<K: Ord>(keys: impl Iterator<Item = K>, val: impl Fn(K) -> Val) -> Vec<Val> {
    let keys: std::collections::BTreeSet<K> = keys.collect();
    keys.into_iter().map(val).collect()
}

impl crate::Store {
    /// `SELECT COUNT(*) FROM {from} WHERE {cond}` with `vals` bound: the
    /// count of a paged list.
    pub(crate) async fn count_where(
        &self,
        from: &str,
        cond: &str,
        vals: &[Val],
    ) -> Result<i64, crate::StoreError> {
        let sql = format!("SELECT COUNT(*) FROM {from} WHERE {cond}");
        Ok(bind_all(sqlx::query(AssertSqlSafe(sql)), vals)
            .fetch_one(self.pool())
            .await?
            .try_get(0)?)
    }

    /// Every row of `sql` with `vals` bound ($1, $2, …).
    pub(crate) async fn rows_bound(
        &self,
        sql: String,
        vals: &[Val],
    ) -> Result<Vec<sqlx::any::AnyRow>, crate::StoreError> {
        Ok(bind_all(sqlx::query(AssertSqlSafe(sql)), vals)
            .fetch_all(self.pool())
            .await?)
    }
}

/// Inserts rows (each `columns.len()` values) with as few statements as the
/// parameter limits allow. `suffix` follows the VALUES list (e.g. an
/// `ON CONFLICT` clause). Returns the rows affected.
pub(crate) async fn insert_rows(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Val>],
    suffix: &str,
) -> Result<u64, sqlx::Error> {
    insert_with(conn, table, columns, rows.len(), suffix, |i| rows[i].iter()).await
}

/// [`insert_rows`] for `count` rows whose values `row(i)` yields in column
/// order, so that callers bind values where they already are instead of
/// copying them into rows first.
pub(crate) async fn insert_with<'v, I>(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    columns: &[&str],
    count: usize,
    suffix: &str,
    row: impl Fn(usize) -> I,
) -> Result<u64, sqlx::Error>
where
    I: Iterator<Item = &'v Val>,
{
    if count == 0 {
        return Ok(0);
    }
    let per_stmt = (MAX_PARAMS / columns.len().max(1)).clamp(1, 500);
    let full = insert_statement(conn, table, columns, per_stmt.min(count), suffix);
    let mut affected = 0;
    let mut start = 0;
    while start < count {
        let n = per_stmt.min(count - start);
        let sql = if n == per_stmt.min(count) {
            full.clone()
        } else {
            insert_statement(conn, table, columns, n, suffix)
        };
        let q = bind_iter(
            sqlx::query(AssertSqlSafe(sql)),
            (start..start + n).flat_map(&row),
        );
        affected += q.execute(&mut *conn).await?.rows_affected();
        start += n;
    }
    Ok(affected)
}

/// Updates rows by key with as few statements as the parameter limits
/// allow: `WITH v(…) AS (VALUES …) UPDATE table SET col = v.col … FROM v`,
/// which SQLite (3.33+) and PostgreSQL both run. Each row is the key values
/// then the set values; `set` entries are `(column, expression over v)`.
pub(crate) async fn update_rows(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    keys: &[&str],
    columns: &[&str],
    set: &[(&str, &str)],
    rows: &[Vec<Val>],
) -> Result<u64, sqlx::Error> {
    let width = keys.len() + columns.len();
    let per_stmt = (MAX_PARAMS / width.max(1)).clamp(1, 500);
    let mut affected = 0;
    for chunk in rows.chunks(per_stmt) {
        let marks: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", Backend::of(conn).sequential(1 + i * width, width)))
            .collect();
        let names: Vec<&str> = keys.iter().chain(columns).copied().collect();
        let sets: Vec<String> = set.iter().map(|(c, e)| format!("{c} = {e}")).collect();
        let on: Vec<String> = keys
            .iter()
            .map(|k| format!("{table}.{k} = v.{k}"))
            .collect();
        let sql = format!(
            "WITH v ({}) AS (VALUES {}) UPDATE {table} SET {} FROM v WHERE {}",
            names.join(", "),
            marks.join(", "),
            sets.join(", "),
            on.join(" AND ")
        );
        let q = bind_iter(sqlx::query(AssertSqlSafe(sql)), chunk.iter().flatten());
        affected += q.execute(&mut *conn).await?.rows_affected();
    }
    Ok(affected)
}

/// `INSERT INTO table (columns) VALUES (…), …` for `rows` rows.
fn insert_statement(
    conn: &sqlx::AnyConnection,
    table: &str,
    columns: &[&str],
    rows: usize,
    suffix: &str,
) -> String {
    let row_marks = format!("({})", Backend::of(conn).sequential(1, columns.len()));
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        if row_marks.contains('$') {
            sql.push('(');
            sql.push_str(&placeholders(1 + i * columns.len(), columns.len()));
            sql.push(')');
        } else {
            sql.push_str(&row_marks);
        }
    }
    sql.push(' ');
    sql.push_str(suffix);
    sql
}

pub(crate) fn bind_iter<'q>(
    mut q: Query<'q, Any, AnyArguments>,
    vals: impl Iterator<Item = &'q Val>,
) -> Query<'q, Any, AnyArguments> {
    for v in vals {
        q = match v {
            Val::T(t) => q.bind(t.as_deref()),
            Val::I(i) => q.bind(*i),
        };
    }
    q
}

/// Runs `SELECT … WHERE key IN (…)` over any number of keys, in chunks.
pub(crate) async fn select_in(
    conn: &mut sqlx::AnyConnection,
    select: &str,
    key_column: &str,
    keys: &[Val],
) -> Result<Vec<sqlx::any::AnyRow>, sqlx::Error> {
    if Backend::of(conn) == Backend::Postgres && !keys.is_empty() {
        // One array parameter instead of thousands (PostgreSQL parses and
        // plans a 5,000-placeholder statement anew each time). Unnested in
        // a subquery, the array is parsed once; `= ANY(CAST($1 …))` in a
        // cached plan parses it again for every row the scan meets.
        let (literal, ty) = array_literal(keys);
        let sql = format!("{select} WHERE {key_column} IN (SELECT unnest(CAST($1 AS {ty}[])))");
        return sqlx::query(AssertSqlSafe(sql))
            .bind(literal)
            .fetch_all(&mut *conn)
            .await;
    }
    let mut out = Vec::new();
    for chunk in sqlite_chunks(keys) {
        let sql = sqlite_in(select, key_column, chunk.len());
        let q = bind_all(sqlx::query(AssertSqlSafe(sql)), chunk);
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

/// [`select_in`]'s statement on SQLite for a chunk of `count` keys, whichever
/// driver runs it (`read_rows::Direct` runs the same text).
pub(crate) fn sqlite_in(select: &str, key_column: &str, count: usize) -> String {
    format!(
        "{select} WHERE {key_column} IN ({})",
        vec!["?"; count].join(", ")
    )
}

/// The chunks [`select_in`] binds `keys` in on SQLite.
pub(crate) fn sqlite_chunks(keys: &[Val]) -> std::slice::Chunks<'_, Val> {
    keys.chunks(MAX_PARAMS)
}

/// A PostgreSQL array literal of `keys` and its element type (by the
/// first key: a lookup's keys are all of one column).
fn array_literal(keys: &[Val]) -> (String, &'static str) {
    let ty = match keys.first() {
        Some(Val::I(_)) => "BIGINT",
        _ => "TEXT",
    };
    let mut s = String::from("{");
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        match k {
            Val::T(None) | Val::I(None) => s.push_str("NULL"),
            Val::I(Some(n)) => s.push_str(&n.to_string()),
            Val::T(Some(t)) => {
                s.push('"');
                for c in t.chars() {
                    if c == '"' || c == '\\' {
                        s.push('\\');
                    }
                    s.push(c);
                }
                s.push('"');
            }
        }
    }
    s.push('}');
    (s, ty)
}

/// Separates the fields of a packed value (ASCII unit separator).
pub(crate) const SEP: char = '\u{1f}';
/// Separates the records of an aggregated list (record separator).
pub(crate) const REC: char = '\u{1e}';
/// Separates the sections of a packed row (group separator).
pub(crate) const GRP: char = '\u{1d}';

/// An expression joining `fields` into one text value, NULL as empty.
///
/// sqlx costs about half a microsecond per value it hands over, more than
/// the lookup that produced it, so bulk reads of wide rows (a million claims
/// with their evidence) come back as a few packed columns instead of thirty.
/// The same text runs on SQLite and PostgreSQL.
pub(crate) fn packed(fields: &[&str]) -> String {
    // One concat_ws builds the value at once; a chain of `||` copies it
    // once per field. concat_ws skips NULLs, hence the COALESCE.
    let fields: Vec<String> = fields
        .iter()
        .map(|f| format!("COALESCE(CAST({f} AS TEXT), '')"))
        .collect();
    format!("concat_ws('{SEP}', {})", fields.join(", "))
}

/// Reads the fields of a value made by [`packed`], in order.
#[derive(Debug)]
pub(crate) struct Unpack<'a> {
    fields: std::str::Split<'a, char>,
}

impl<'a> Unpack<'a> {
    pub fn new(s: &'a str) -> Unpack<'a> {
        Unpack {
            fields: s.split(SEP),
        }
    }

    /// The next field; `None` when it was NULL (or empty).
    pub fn opt(&mut self) -> Option<&'a str> {
        self.fields.next().filter(|f| !f.is_empty())
    }

    pub fn text(&mut self) -> Result<&'a str, crate::StoreError> {
        self.opt()
            .ok_or_else(|| crate::StoreError::Corrupt("缺少必填字段".into()))
    }

    pub fn opt_int(&mut self) -> Result<Option<i64>, crate::StoreError> {
        self.opt()
            .map(|f| {
                f.parse()
                    .map_err(|_| crate::StoreError::Corrupt(format!("「{f}」不是整数")))
            })
            .transpose()
    }

    pub fn int(&mut self) -> Result<i64, crate::StoreError> {
        self.opt_int()?
            .ok_or_else(|| crate::StoreError::Corrupt("缺少必填字段".into()))
    }
}
