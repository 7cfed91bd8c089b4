//! The migration runner on both backends with a list of its own: the
//! no-transaction marker, checksums kept and compared, a newer schema
//! refused; and the real list against the files on disk.

use super::apply::{MigrationStep, create, migrate};
use super::state::{self, file_name};
use super::{MIGRATIONS, Migration, split_statements};
use crate::{Backend, Store, StoreError};

const TABLE: &str = "CREATE TABLE t (id {pk}, v TEXT NOT NULL);\nINSERT INTO t (v) VALUES ('a');\n";
const INDEX: &str = "-- jineng:no-transaction\n-- Built without blocking writers.\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_v ON t (v);\n";
const LIST: &[Migration] = &[(901, "table", TABLE), (902, "index", INDEX)];

/// A fresh store and what to remove after it.
struct Fresh {
    store: Store,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl Fresh {
    async fn finish(self) {
        self.store.close().await;
        if let Some((server, name)) = self.pg {
            crate::drop_postgres_database(&server, &name).await.unwrap();
        }
    }
}

/// Fresh stores: a SQLite file, and a PostgreSQL database when the test
/// server answers (`JINENG_TEST_PG`).
async fn stores(name: &str) -> Vec<Fresh> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("m.db").display());
    let mut out = vec![Fresh {
        store: Store::open(&url).await.unwrap(),
        _dir: Some(dir),
        pg: None,
    }];
    let server = std::env::var("JINENG_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let db = format!("jst_{name}_{}", std::process::id());
    match crate::fresh_postgres_database(&server, &db).await {
        Ok(url) => out.push(Fresh {
            store: Store::open(&url).await.unwrap(),
            _dir: None,
            pg: Some((server, db)),
        }),
        Err(e) => {
            assert!(std::env::var_os("CI").is_none(), "CI needs PostgreSQL: {e}");
            eprintln!("no PostgreSQL ({e}): PostgreSQL half skipped");
        }
    }
    out
}

async fn index_exists(store: &Store) -> bool {
    let sql = match store.backend() {
        Backend::Sqlite => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 't_v'"
        }
        // A failed CONCURRENTLY build leaves an invalid index behind.
        Backend::Postgres => {
            "SELECT COUNT(*) FROM pg_index WHERE indexrelid = 't_v'::regclass AND indisvalid"
        }
    };
    let n: i64 = sqlx::query_scalar(sql)
        .fetch_one(store.pool())
        .await
        .unwrap();
    n == 1
}

#[tokio::test]
async fn no_transaction_marker_builds_the_index_on_both_paths() {
    for fresh in stores("notx").await {
        let store = &fresh.store;
        let steps = migrate(store, Some(LIST), None, &mut |_| {}).await.unwrap();
        assert_eq!(
            steps,
            vec![
                MigrationStep::Applied("0901_table.sql".into()),
                MigrationStep::Applied("0902_index.sql".into())
            ]
        );
        assert!(index_exists(store).await, "{:?}", store.backend());
        // Applied once: a second run has nothing to do.
        let again = migrate(store, Some(LIST), None, &mut |_| {}).await.unwrap();
        assert!(again.is_empty());
        // The fresh path runs the same file inside its one transaction.
        sqlx::query("DROP INDEX t_v")
            .execute(store.pool())
            .await
            .unwrap();
        sqlx::query("DROP TABLE t")
            .execute(store.pool())
            .await
            .unwrap();
        sqlx::query("DROP TABLE schema_migrations")
            .execute(store.pool())
            .await
            .unwrap();
        let mut conn = store.pool().acquire().await.unwrap();
        assert!(
            create(&mut conn, store.backend(), LIST)
                .await
                .unwrap()
                .is_none()
        );
        drop(conn);
        assert!(index_exists(store).await);
        fresh.finish().await;
    }
}

#[tokio::test]
async fn edited_and_newer_schemas_are_refused_and_old_records_backfilled() {
    for fresh in stores("sums").await {
        let store = &fresh.store;
        let backend = store.backend();
        migrate(store, Some(&LIST[..1]), None, &mut |_| {})
            .await
            .unwrap();
        let mut conn = store.pool().acquire().await.unwrap();
        let status = state::read(&mut conn, backend, LIST).await.unwrap();
        assert_eq!(status.pending, vec!["0902_index.sql".to_string()]);
        // Edited after it was applied.
        let edited: &[Migration] = &[(901, "table", "CREATE TABLE t (id {pk});"), LIST[1]];
        let err = state::read(&mut conn, backend, edited).await.unwrap_err();
        assert!(
            matches!(&err, StoreError::Schema(m) if m.contains("0901_table.sql")),
            "{err}"
        );
        // A database that went further than this list.
        let err = state::read(&mut conn, backend, &[]).await.unwrap_err();
        assert!(
            matches!(&err, StoreError::Schema(m) if m.contains("0901")),
            "{err}"
        );
        // A record from before checksums: recorded by the next migrate.
        sqlx::query("UPDATE schema_migrations SET checksum = NULL")
            .execute(&mut *conn)
            .await
            .unwrap();
        drop(conn);
        let steps = migrate(store, Some(LIST), None, &mut |_| {}).await.unwrap();
        assert_eq!(
            steps,
            vec![
                MigrationStep::Recorded("0901_table.sql".into()),
                MigrationStep::Applied("0902_index.sql".into())
            ]
        );
        let mut conn = store.pool().acquire().await.unwrap();
        assert!(
            state::read(&mut conn, backend, LIST)
                .await
                .unwrap()
                .is_current()
        );
        drop(conn);
        fresh.finish().await;
    }
}

#[test]
fn the_list_names_every_file_once_in_order() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| f.ends_with(".sql"))
        .collect();
    on_disk.sort();
    let listed: Vec<String> = MIGRATIONS.iter().map(|m| file_name(m.0, m.1)).collect();
    assert_eq!(listed, on_disk);
    for (m, file) in MIGRATIONS.iter().zip(&listed) {
        assert_eq!(std::fs::read_to_string(dir.join(file)).unwrap(), m.2);
    }
}

#[test]
fn statements_split_at_line_ends_without_comments() {
    let parts = split_statements(INDEX);
    assert_eq!(
        parts,
        vec!["CREATE INDEX CONCURRENTLY IF NOT EXISTS t_v ON t (v);\n"]
    );
    assert!(super::no_transaction(INDEX));
    assert!(!super::no_transaction(TABLE));
}
