//! What a database's `schema_migrations` holds against the migrations this
//! binary carries: fresh, current, behind (pending files, or checksums not
//! yet recorded), ahead (a version the binary does not know) or edited (a
//! checksum that differs). Ahead and edited are errors wherever they are
//! found; behind is an error everywhere but `jineng migrate`.

use super::Migration;
use crate::{Backend, StoreError};
use sha2::{Digest, Sha256};
use sqlx::{AssertSqlSafe, Row};

/// A migration as applied or known: its file and the SHA-256 of its text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MigrationFile {
    pub version: i64,
    pub file: String,
    pub checksum: String,
}

/// A database against this binary's migrations (ahead and edited never
/// get here: they are errors).
#[derive(Debug, Clone, Default)]
pub struct MigrationStatus {
    /// No tables at all: `connect` creates the whole schema in one step.
    pub fresh: bool,
    /// Files not yet applied, in order.
    pub pending: Vec<String>,
    /// Files applied before checksums were kept; `jineng migrate` records
    /// the current checksum of each once.
    pub unrecorded: Vec<String>,
}

impl MigrationStatus {
    pub fn is_current(&self) -> bool {
        self.pending.is_empty() && self.unrecorded.is_empty()
    }
}

pub(crate) fn file_name(version: i64, name: &str) -> String {
    format!("{version:04}_{name}.sql")
}

pub(crate) fn checksum(sql: &str) -> String {
    crate::audit::keys::hex(&Sha256::digest(sql.as_bytes()))
}

pub(super) async fn has_table(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    table: &str,
) -> Result<bool, sqlx::Error> {
    let sql = match backend {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = $1"
        }
    };
    let n: i64 = sqlx::query_scalar(sql).bind(table).fetch_one(conn).await?;
    Ok(n > 0)
}

/// The user tables of the database, by name (the backup's row counts).
pub(crate) async fn tables(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<Vec<String>, sqlx::Error> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             ORDER BY table_name"
        }
    };
    sqlx::query_scalar(sql).fetch_all(conn).await
}

pub(super) async fn has_checksum_column(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<bool, sqlx::Error> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT COUNT(*) FROM pragma_table_info('schema_migrations') WHERE name = 'checksum'"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() \
             AND table_name = 'schema_migrations' AND column_name = 'checksum'"
        }
    };
    let n: i64 = sqlx::query_scalar(sql).fetch_one(conn).await?;
    Ok(n > 0)
}

/// The recorded migrations as (version, checksum if kept).
async fn recorded(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<Vec<(i64, Option<String>)>, sqlx::Error> {
    let column = match has_checksum_column(&mut *conn, backend).await? {
        true => "checksum",
        false => "CAST(NULL AS TEXT) AS checksum",
    };
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT version, {column} FROM schema_migrations ORDER BY version"
    )))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("version")?, r.try_get("checksum")?)))
        .collect()
}

/// The applied migrations with their recorded checksums, in order (the
/// backup's manifest); a checksum not yet recorded is empty.
pub(crate) async fn applied(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<Vec<MigrationFile>, StoreError> {
    let names: std::collections::HashMap<i64, String> =
        sqlx::query("SELECT version, name FROM schema_migrations")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("version")?, r.try_get("name")?)))
            .collect::<Result<_, sqlx::Error>>()?;
    Ok(recorded(conn, backend)
        .await?
        .into_iter()
        .map(|(version, sum)| MigrationFile {
            version,
            file: file_name(version, names.get(&version).map_or("", String::as_str)),
            checksum: sum.unwrap_or_default(),
        })
        .collect())
}

/// Reads the database's state against `list`; refuses a database that is
/// not Jineng's, one ahead of the binary and one with an edited migration.
pub(super) async fn read(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    list: &[Migration],
) -> Result<MigrationStatus, StoreError> {
    if !has_table(&mut *conn, backend, "schema_migrations").await? {
        let others = tables(&mut *conn, backend).await?;
        if !others.is_empty() {
            return Err(StoreError::Schema(format!(
                "数据库中已有 {} 张表（如 {}），却没有迁移记录表 schema_migrations：这不是 Jineng 的数据库，拒绝使用",
                others.len(),
                others[0]
            )));
        }
        return Ok(MigrationStatus {
            fresh: true,
            pending: list.iter().map(|m| file_name(m.0, m.1)).collect(),
            unrecorded: Vec::new(),
        });
    }
    let rows = recorded(conn, backend).await?;
    let unknown: Vec<String> = rows
        .iter()
        .filter(|(v, _)| !list.iter().any(|m| m.0 == *v))
        .map(|(v, _)| format!("{v:04}"))
        .collect();
    if !unknown.is_empty() {
        let newest = list.last().map_or(0, |m| m.0);
        return Err(StoreError::Schema(format!(
            "数据库结构比本程序新：数据库已执行本程序不认识的迁移 {}（本程序最新为 {newest:04}）。请使用与该数据库相符或更新版本的 jineng，拒绝连接",
            unknown.join("、")
        )));
    }
    let mut status = MigrationStatus::default();
    for (version, name, sql) in list {
        let file = file_name(*version, name);
        match rows.iter().find(|(v, _)| v == version) {
            None => status.pending.push(file),
            Some((_, None)) => status.unrecorded.push(file),
            Some((_, Some(kept))) => {
                let now = checksum(sql);
                if *kept != now {
                    return Err(StoreError::Schema(format!(
                        "迁移文件 {file} 在执行后被改动过：数据库记录的校验和为 {}…，本程序中的为 {}…。请恢复该文件的原文（改动应写成新的迁移），拒绝连接",
                        &kept[..kept.len().min(12)],
                        &now[..12]
                    )));
                }
            }
        }
    }
    Ok(status)
}

/// A normal command's check: the database must be exactly current.
pub(super) fn require_current(status: &MigrationStatus) -> Result<(), StoreError> {
    if !status.pending.is_empty() {
        return Err(StoreError::Schema(format!(
            "数据库结构落后于本程序：尚未执行迁移 {}。请先备份（jineng backup），再运行 jineng migrate",
            status.pending.join("、")
        )));
    }
    if !status.unrecorded.is_empty() {
        return Err(StoreError::Schema(format!(
            "数据库的迁移记录尚无校验和（建于本版本之前，共 {} 个迁移）：请运行一次 jineng migrate 记录校验和",
            status.unrecorded.len()
        )));
    }
    Ok(())
}
