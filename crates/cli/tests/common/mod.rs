//! Test harness: every test runs the real `jineng` binary against a fresh
//! database, once on SQLite and once on PostgreSQL.
//!
//! PostgreSQL is the server named by `JINENG_TEST_PG` (default
//! `postgres://postgres@127.0.0.1:5432/test`); each test gets a database of
//! its own there. When no server answers, the PostgreSQL half is skipped with
//! a notice, except under CI (`CI` set), where that is a failure.

#![allow(dead_code, unused_imports)]

pub mod demo;
pub mod fixtures;
pub mod http;
pub mod server;

use chrono::NaiveDate;
use jineng_domain::{CreditCode, NationalId};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct TestDb {
    pub url: String,
    pub dir: tempfile::TempDir,
    pub backend: &'static str,
    /// PostgreSQL: the server and the database to drop afterwards.
    pg: Option<(String, String)>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((server, name)) = self.pg.take() {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let _ = rt.block_on(jineng_store::drop_postgres_database(&server, &name));
        }
    }
}

impl TestDb {
    /// Runs `jineng --db <this> args…`.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_jineng"))
            .arg("--db")
            .arg(&self.url)
            .args(args)
            .env("JINENG_ACTOR", "tester")
            .current_dir(self.dir.path())
            .output()
            .expect("run jineng")
    }

    /// Runs and asserts success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "[{}] jineng {:?} failed: {}\n{}",
            self.backend,
            args,
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// `import KIND FILE --json`: the JSON report and the exit code.
    pub fn import(&self, kind: &str, file: &Path, extra: &[&str]) -> (Value, i32) {
        let mut args = vec!["import", kind, file.to_str().unwrap(), "--json"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let v: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
            panic!(
                "[{}] not JSON ({e}): {stdout}\n{}",
                self.backend,
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (v, out.status.code().unwrap_or(-1))
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a UTF-8 CSV in the test's directory.
    pub fn csv(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// The e-archive of `id` as JSON (masked ID).
    pub fn archive(&self, id: &str) -> Value {
        serde_json::from_str(&self.ok(&["person", "show", id, "--json"])).unwrap()
    }

    pub async fn store(&self) -> jineng_store::Store {
        jineng_store::Store::connect(&self.url).await.unwrap()
    }
}

fn pg_server() -> Option<String> {
    let url = std::env::var("JINENG_TEST_PG")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into());
    let reachable = std::net::TcpStream::connect_timeout(
        &"127.0.0.1:5432".parse().unwrap(),
        std::time::Duration::from_secs(2),
    )
    .is_ok()
        || !url.contains("127.0.0.1:5432");
    if reachable {
        return Some(url);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run the PostgreSQL half: no server at {url}"
    );
    eprintln!("no PostgreSQL at {url}: PostgreSQL half skipped");
    None
}

/// Fresh databases, SQLite first then PostgreSQL, named after the test.
pub fn backends(test: &str) -> Vec<TestDb> {
    let mut out = vec![sqlite_only()];
    if let Some(server) = pg_server() {
        // One test process runs many tests: the counter keeps their names apart.
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("jt_{}_{}_{}", test, std::process::id(), n);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let url = rt
            .block_on(jineng_store::fresh_postgres_database(&server, &name))
            .unwrap();
        rt.block_on(no_commit_flush_wait(&server, &name));
        out.push(TestDb {
            url,
            dir: tempfile::tempdir().unwrap(),
            backend: "postgres",
            pg: Some((server, name)),
        });
    }
    out
}

/// A test database's commits return before their WAL reaches the disk
/// (`synchronous_commit = off`), as SQLite's WAL mode with `synchronous =
/// NORMAL` does: every reader still sees every commit at once; only a
/// crash of the server could lose the last ones, and no test crashes it.
/// It keeps the PostgreSQL half of the tests from waiting on the disk
/// (CI time, docs/operations.md).
pub async fn no_commit_flush_wait(server: &str, name: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(server).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "ALTER DATABASE {name} SET synchronous_commit = off"
    )))
    .execute(&mut conn)
    .await
    .unwrap();
}

/// A fresh SQLite database alone, for tests that drive a server process
/// and need one backend (the browser and the API contract tests).
pub fn sqlite_only() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    TestDb {
        url: format!("sqlite://{}", dir.path().join("t.db").display()),
        dir,
        backend: "sqlite",
        pg: None,
    }
}

/// Whether `python3` has the packages the independent credential check
/// (`tests/credentials/verify.py`) needs; under CI their absence is a
/// failure (`.ci/run` installs them).
pub fn python_ready() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import cryptography, jcs"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the Python check: pip install cryptography jcs (see .ci/run)"
        );
        eprintln!("python3 lacks cryptography or jcs: the independent Python check is skipped");
    }
    ok
}

/// Runs raw SQL on the test database, as a tamperer would.
pub async fn tamper(db: &TestDb, sql: &str) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

/// Runs `f` on a fresh connection to the test database, on a runtime of
/// its own: SQL behind the binary's back, from a synchronous test.
pub fn on_db<T, F: std::future::Future<Output = T>>(
    db: &TestDb,
    f: impl FnOnce(sqlx::AnyConnection) -> F,
) -> T {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        f(sqlx::AnyConnection::connect(&db.url).await.unwrap()).await
    })
}

/// The rows of a query, each column read by `cell` (row, column index).
pub fn query_rows<T>(
    db: &TestDb,
    sql: &str,
    cell: impl Fn(&sqlx::any::AnyRow, usize) -> T,
) -> Vec<Vec<T>> {
    use sqlx::{Connection, Row};
    on_db(db, |mut conn| async move {
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_all(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        rows.iter()
            .map(|r| (0..r.len()).map(|i| cell(r, i)).collect())
            .collect()
    })
}

/// A fresh, initialised database per backend.
pub fn initialised(test: &str) -> Vec<TestDb> {
    let dbs = backends(test);
    for db in &dbs {
        db.ok(&["init"]);
    }
    dbs
}

/// A valid ID number born on `y-m-d` in `region`, sequence `seq`.
pub fn id(region: &str, y: i32, m: u32, d: u32, seq: u16) -> String {
    NationalId::from_parts(region, NaiveDate::from_ymd_opt(y, m, d).unwrap(), seq)
        .as_str()
        .to_string()
}

/// A valid unified social credit code registered in `region`.
pub fn credit(region: &str, tail: &str) -> String {
    let body = format!("52{region}{tail:0>9}");
    CreditCode::from_body(&body[..17]).as_str().to_string()
}

/// The errors of an import report as (row, column, message).
pub fn errors(report: &Value) -> Vec<(u64, String, String)> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["column"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Asserts that row `row` was rejected for `column` with a message containing `needle`.
pub fn assert_error(report: &Value, row: u64, column: &str, needle: &str) {
    let errs = errors(report);
    assert!(
        errs.iter()
            .any(|(r, c, m)| *r == row && c == column && m.contains(needle)),
        "expected row {row} 「{column}」 containing 「{needle}」, got {errs:#?}"
    );
}
