//! What `jineng backup` and `jineng restore` need from the database: a
//! consistent copy (SQLite `VACUUM INTO`; PostgreSQL an exported snapshot
//! that `pg_dump --snapshot` reads), the facts of that same copy for the
//! manifest (migrations, row counts per table, the audit chain's head), and
//! an emptiness check of a restore target. Packing, hashing and the
//! external tools live in the CLI (crates/cli/src/backup/).

use crate::schema::{self, MigrationFile};
use crate::{Backend, Store, StoreError};
use sqlx::{AssertSqlSafe, Executor, Row};
use std::collections::BTreeMap;
use std::future::Future;
use std::path::Path;

/// The facts of one copy of the database, as the manifest records them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BackupFacts {
    pub backend: String,
    pub migrations: Vec<MigrationFile>,
    /// Rows per table, by table name.
    pub row_counts: BTreeMap<String, i64>,
    /// The audit chain's key id (public: a hash of the key), if keyed.
    pub audit_key_id: Option<String>,
    /// The audit chain's last hash: a restore that ends elsewhere lost rows.
    pub audit_head_hash: String,
}

async fn facts(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<BackupFacts, StoreError> {
    if !schema::has_migrations_table(&mut *conn, backend).await? {
        return Err(StoreError::Schema(
            "数据库中没有迁移记录表 schema_migrations：不是 Jineng 的数据库，或尚未建库".into(),
        ));
    }
    let migrations = schema::applied(&mut *conn, backend).await?;
    let mut row_counts = BTreeMap::new();
    for table in schema::tables(&mut *conn, backend).await? {
        // Names come from the catalog, quoted as identifiers.
        let n: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM \"{}\"",
            table.replace('"', "\"\"")
        )))
        .fetch_one(&mut *conn)
        .await?;
        row_counts.insert(table, n);
    }
    let head = sqlx::query("SELECT key_id, last_hash FROM audit_chain_head WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    Ok(BackupFacts {
        backend: backend.name().to_string(),
        migrations,
        row_counts,
        audit_key_id: head.try_get("key_id")?,
        audit_head_hash: head.try_get("last_hash")?,
    })
}

impl Store {
    /// SQLite: writes a consistent copy of the database to `dest` (which
    /// must not exist) and returns the facts read from that copy.
    pub async fn backup_sqlite(url: &str, dest: &Path) -> Result<BackupFacts, StoreError> {
        let store = Store::open(url).await?;
        let dest_text = dest
            .to_str()
            .ok_or_else(|| StoreError::Config(format!("路径「{}」不是 UTF-8", dest.display())))?;
        let copied = store
            .pool()
            .execute(AssertSqlSafe(format!(
                "VACUUM INTO '{}'",
                dest_text.replace('\'', "''")
            )))
            .await;
        store.close().await;
        copied?;
        let copy = Store::open(&format!("sqlite://{dest_text}?mode=rw")).await?;
        let mut conn = copy.pool().acquire().await?;
        let found = facts(&mut conn, Backend::Sqlite).await;
        drop(conn);
        copy.close().await;
        found
    }

    /// PostgreSQL: holds a read-only snapshot, counts the rows in it and
    /// runs `dump` with the snapshot's id (for `pg_dump --snapshot`) while
    /// it is held, so the dump and the counts see the same rows.
    pub async fn backup_postgres<F, Fut>(url: &str, dump: F) -> Result<BackupFacts, StoreError>
    where
        F: FnOnce(String) -> Fut,
        Fut: Future<Output = Result<(), StoreError>>,
    {
        let store = Store::open(url).await?;
        let result = async {
            let mut tx = store.pool().begin().await?;
            tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .await?;
            let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
                .fetch_one(&mut *tx)
                .await?;
            let found = facts(&mut tx, Backend::Postgres).await?;
            dump(snapshot).await?;
            tx.commit().await?;
            Ok(found)
        }
        .await;
        store.close().await;
        result
    }

    /// The tables a restore target already holds (empty: it may be
    /// restored into). A SQLite file that does not exist holds none.
    pub async fn existing_tables(url: &str) -> Result<Vec<String>, StoreError> {
        if sqlite_path(url).is_some_and(|p| !p.exists()) {
            return Ok(Vec::new());
        }
        let store = Store::open(url).await?;
        let mut conn = store.pool().acquire().await?;
        let found = schema::tables(&mut conn, store.backend()).await;
        drop(conn);
        store.close().await;
        Ok(found?)
    }

    /// The facts of a (restored) database, to compare with a manifest;
    /// read before anything connects and writes to it.
    pub async fn facts_at(url: &str) -> Result<BackupFacts, StoreError> {
        let store = Store::open(url).await?;
        let mut conn = store.pool().acquire().await?;
        let found = facts(&mut conn, store.backend()).await;
        drop(conn);
        store.close().await;
        found
    }
}

/// `true` when `url` names a PostgreSQL database.
pub fn is_postgres_url(url: &str) -> bool {
    Backend::from_url(url) == Some(Backend::Postgres)
}

/// The file of a `sqlite:` URL (`None`: not SQLite, or in memory).
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    if Backend::from_url(url) != Some(Backend::Sqlite) {
        return None;
    }
    crate::lookup::SqliteReader::for_url(url).map(|r| r.path().to_path_buf())
}
