//! Applying migrations. Two ways in: `prepare` (every connect) creates a
//! fresh database whole in one transaction and otherwise only checks;
//! `migrate` (`jineng migrate`) records missing checksums and applies the
//! pending files, each in a transaction of its own, announcing each.

use super::state::{self, MigrationStatus, checksum, file_name};
use super::{MIGRATIONS, Migration, SQLITE_ONLY, after, dialect, no_transaction, split_statements};
use crate::{Backend, Store, StoreError};
use sqlx::{AssertSqlSafe, Connection, Executor};

/// One thing `jineng migrate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrationStep {
    /// The file was applied.
    Applied(String),
    /// The file had been applied before checksums were kept: its current
    /// checksum was recorded (once; docs/operations.md).
    Recorded(String),
}

/// Serialises migrations of one PostgreSQL database across processes.
const PG_LOCK: &str = "7201";

/// On connect: a database without tables gets the whole schema at once
/// (`init`, `demo` and `serve --demo` stay one command); any other must
/// already be current, and nothing is applied to it.
pub(crate) async fn prepare(store: &Store) -> Result<(), StoreError> {
    let backend = store.backend();
    let mut conn = store.pool().acquire().await?;
    let status = state::read(&mut conn, backend, MIGRATIONS).await?;
    if !status.fresh {
        return state::require_current(&status);
    }
    fk_off(&mut conn, backend).await?;
    let created = create(&mut conn, backend, MIGRATIONS).await;
    fk_on(&mut conn, backend).await?;
    match created? {
        None => Ok(()),
        // Another process created or changed it first.
        Some(status) => state::require_current(&status),
    }
}

/// Creates the schema in one transaction, unless the database stopped
/// being fresh meanwhile (then returns what it found).
pub(super) async fn create(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    list: &[Migration],
) -> Result<Option<MigrationStatus>, StoreError> {
    let mut tx = begin(conn, backend).await?;
    if backend == Backend::Postgres {
        tx.execute(AssertSqlSafe(format!(
            "SELECT pg_advisory_xact_lock({PG_LOCK})"
        )))
        .await?;
    }
    let status = state::read(&mut tx, backend, list).await?;
    if !status.fresh {
        return Ok(Some(status));
    }
    create_meta(&mut tx, backend).await?;
    for m in list {
        run_in_tx(&mut tx, backend, m).await?;
    }
    fk_check(&mut tx, backend).await?;
    tx.commit().await?;
    Ok(None)
}

/// `jineng migrate`: records the checksums of files applied before they
/// were kept, then applies the pending files up to `upto` (all if `None`).
pub(crate) async fn migrate(
    store: &Store,
    list: Option<&[Migration]>,
    upto: Option<i64>,
    on_step: &mut (dyn FnMut(&MigrationStep) + Send),
) -> Result<Vec<MigrationStep>, StoreError> {
    let list = list.unwrap_or(MIGRATIONS);
    let backend = store.backend();
    let mut conn = store.pool().acquire().await?;
    if backend == Backend::Postgres {
        conn.execute(AssertSqlSafe(format!("SELECT pg_advisory_lock({PG_LOCK})")))
            .await?;
    }
    fk_off(&mut conn, backend).await?;
    let done = migrate_locked(&mut conn, backend, list, upto, on_step).await;
    fk_on(&mut conn, backend).await?;
    if backend == Backend::Postgres {
        conn.execute(AssertSqlSafe(format!(
            "SELECT pg_advisory_unlock({PG_LOCK})"
        )))
        .await?;
    }
    done
}

async fn migrate_locked(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    list: &[Migration],
    upto: Option<i64>,
    on_step: &mut (dyn FnMut(&MigrationStep) + Send),
) -> Result<Vec<MigrationStep>, StoreError> {
    let status = state::read(&mut *conn, backend, list).await?;
    let mut steps = Vec::new();
    let mut step = |s: MigrationStep, steps: &mut Vec<MigrationStep>| {
        on_step(&s);
        steps.push(s);
    };
    let mut tx = begin(conn, backend).await?;
    create_meta(&mut tx, backend).await?;
    for (version, name, sql) in list {
        let file = file_name(*version, name);
        if status.unrecorded.contains(&file) {
            sqlx::query(
                "UPDATE schema_migrations SET checksum = $1 WHERE version = $2 AND checksum IS NULL",
            )
            .bind(checksum(sql))
            .bind(*version)
            .execute(&mut *tx)
            .await?;
            step(MigrationStep::Recorded(file), &mut steps);
        }
    }
    tx.commit().await?;
    for m in list {
        let file = file_name(m.0, m.1);
        if !status.pending.contains(&file) || upto.is_some_and(|u| m.0 > u) {
            continue;
        }
        if backend == Backend::Postgres && no_transaction(m.2) && !SQLITE_ONLY.contains(&m.0) {
            // CREATE INDEX CONCURRENTLY refuses a transaction: each
            // statement commits on its own, then the record is written.
            // A file of this kind must be safe to run again (IF NOT
            // EXISTS), as a failure leaves its earlier statements done.
            for statement in split_statements(&dialect(m.2, backend)) {
                conn.execute(AssertSqlSafe(statement)).await?;
            }
            let mut tx = conn.begin().await?;
            record(&mut tx, m).await?;
            after(m.0, &mut tx, backend).await?;
            tx.commit().await?;
        } else {
            let mut tx = begin(conn, backend).await?;
            run_in_tx(&mut tx, backend, m).await?;
            fk_check(&mut tx, backend).await?;
            tx.commit().await?;
        }
        step(MigrationStep::Applied(file), &mut steps);
    }
    Ok(steps)
}

/// Applies one migration inside the caller's transaction and records it.
async fn run_in_tx(
    tx: &mut sqlx::AnyConnection,
    backend: Backend,
    m: &Migration,
) -> Result<(), StoreError> {
    let (version, _, sql) = m;
    let mut text = dialect(sql, backend);
    if no_transaction(sql) {
        // Inside a transaction the index is built plainly (SQLite has no
        // CONCURRENTLY; a fresh database has no writers to spare).
        text = text.replace("INDEX CONCURRENTLY", "INDEX");
    }
    let skip = backend == Backend::Postgres && SQLITE_ONLY.contains(version);
    for statement in split_statements(&text).into_iter().filter(|_| !skip) {
        tx.execute(AssertSqlSafe(statement)).await?;
    }
    record(tx, m).await?;
    after(*version, tx, backend).await?;
    Ok(())
}

async fn record(tx: &mut sqlx::AnyConnection, m: &Migration) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES ($1, $2, $3, $4)",
    )
    .bind(m.0)
    .bind(m.1)
    .bind(crate::audit::now())
    .bind(checksum(m.2))
    .execute(tx)
    .await?;
    Ok(())
}

/// The record table, with the checksum column added to one made before
/// checksums were kept.
async fn create_meta(tx: &mut sqlx::AnyConnection, backend: Backend) -> Result<(), StoreError> {
    tx.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, \
         name TEXT NOT NULL, applied_at TEXT NOT NULL, checksum TEXT)",
    )
    .await?;
    if !state::has_checksum_column(&mut *tx, backend).await? {
        tx.execute("ALTER TABLE schema_migrations ADD COLUMN checksum TEXT")
            .await?;
    }
    Ok(())
}

/// A write transaction; SQLite takes the write lock at once.
async fn begin(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<sqlx::Transaction<'_, sqlx::Any>, sqlx::Error> {
    match backend {
        Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => conn.begin().await,
    }
}

// SQLite rebuilds a table (new table, copy, drop, rename) with foreign-key
// enforcement off, and checks every reference before commit; the pragma
// has no effect inside a transaction.
async fn fk_off(conn: &mut sqlx::AnyConnection, backend: Backend) -> Result<(), sqlx::Error> {
    if backend == Backend::Sqlite {
        conn.execute("PRAGMA foreign_keys = OFF").await?;
    }
    Ok(())
}

async fn fk_on(conn: &mut sqlx::AnyConnection, backend: Backend) -> Result<(), sqlx::Error> {
    if backend == Backend::Sqlite {
        conn.execute("PRAGMA foreign_keys = ON").await?;
    }
    Ok(())
}

async fn fk_check(tx: &mut sqlx::AnyConnection, backend: Backend) -> Result<(), StoreError> {
    if backend != Backend::Sqlite {
        return Ok(());
    }
    let broken: Vec<String> = sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_check")
        .fetch_all(tx)
        .await?;
    if !broken.is_empty() {
        return Err(StoreError::Corrupt(format!(
            "数据库升级后外键引用不完整：{}",
            broken.join("、")
        )));
    }
    Ok(())
}
