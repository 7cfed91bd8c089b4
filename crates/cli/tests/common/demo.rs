//! The demo, loaded by the real binary once per backend and argument list,
//! then copied into each test's database: an SQLite file copy, a
//! PostgreSQL `CREATE DATABASE … TEMPLATE`. A test that needs the demo as
//! its starting point pays a copy (well under a second) instead of a
//! generation and import (several seconds per backend).
//!
//! The copy carries the database's secrets too (the audit chain's key and
//! the signing keys live outside the database, `docs/security.md`), so
//! `audit verify` and signed certificates hold on the copy as on the
//! original. Templates of this process are named by its id; those of
//! processes that have ended are removed when the first one is built.

use super::TestDb;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

/// The largest demo the tests share: the browser flows, the API contract
/// test and the demo's own judgement test start from it.
pub const LARGE: &[&str] = &["--persons", "3000"];

type Templates = Mutex<HashMap<(&'static str, Vec<String>), Arc<OnceLock<String>>>>;

fn templates() -> &'static Templates {
    static T: OnceLock<Templates> = OnceLock::new();
    T.get_or_init(|| {
        remove_stale();
        Mutex::default()
    })
}

/// Where this process keeps its SQLite templates.
fn sqlite_root(pid: u32) -> PathBuf {
    std::env::temp_dir().join(format!("jineng-test-demo-{pid}"))
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// Templates left by test processes that have ended.
fn remove_stale() {
    if let Ok(dir) = std::fs::read_dir(std::env::temp_dir()) {
        for e in dir.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if let Some(pid) = name.strip_prefix("jineng-test-demo-")
                && pid.parse().is_ok_and(|p| !alive(p))
            {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    if let Some(server) = super::pg_server() {
        block_on(async {
            let mut conn = pg(&server).await;
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT datname FROM pg_database WHERE datname LIKE 'jt\\_tpl\\_%'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            for name in names {
                let pid = name.split('_').nth(2).and_then(|p| p.parse().ok());
                if pid.is_some_and(|p| !alive(p)) {
                    let _ = jineng_store::drop_postgres_database(&server, &name).await;
                }
            }
        });
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

async fn pg(server: &str) -> sqlx::PgConnection {
    use sqlx::Connection;
    sqlx::PgConnection::connect(server).await.unwrap()
}

/// Runs `jineng --db url demo args…`, asserting success.
fn load_demo(url: &str, dir: &Path, args: &[String]) {
    let out = Command::new(env!("CARGO_BIN_EXE_jineng"))
        .arg("--db")
        .arg(url)
        .arg("demo")
        .args(args)
        .env("JINENG_ACTOR", "tester")
        .current_dir(dir)
        .output()
        .expect("run jineng");
    assert!(
        out.status.success(),
        "jineng demo {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The template's URL for `db`'s backend and `args`, built on first use.
fn template(db: &TestDb, args: &[&str]) -> String {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let cell = templates()
        .lock()
        .unwrap()
        .entry((db.backend, args.clone()))
        .or_default()
        .clone();
    cell.get_or_init(|| {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let pid = std::process::id();
        let dir = sqlite_root(pid).join(n.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        let url = match &db.pg {
            None => format!("sqlite://{}", dir.join("t.db").display()),
            Some((server, _)) => {
                let name = format!("jt_tpl_{pid}_{n}");
                block_on(async {
                    let url = jineng_store::fresh_postgres_database(server, &name)
                        .await
                        .unwrap();
                    super::no_commit_flush_wait(server, &name).await;
                    url
                })
            }
        };
        load_demo(&url, &dir, &args);
        url
    })
    .clone()
}

impl TestDb {
    /// This (empty) database becomes a copy of `jineng demo args…`.
    pub fn demo(&self, args: &[&str]) {
        let from = template(self, args);
        match &self.pg {
            None => {
                let src = Path::new(from.trim_start_matches("sqlite://"));
                let dst = Path::new(self.url.trim_start_matches("sqlite://"));
                let stem = src.file_name().unwrap().to_string_lossy().to_string();
                // The database, its WAL if any, and the secrets beside it.
                for e in std::fs::read_dir(src.parent().unwrap()).unwrap().flatten() {
                    let name = e.file_name().to_string_lossy().to_string();
                    if let Some(rest) = name.strip_prefix(&stem) {
                        let target = format!("{}{rest}", dst.display());
                        std::fs::copy(e.path(), target).unwrap();
                    }
                }
            }
            Some((server, name)) => {
                let template = from.rsplit('/').next().unwrap().to_string();
                block_on(async {
                    let mut conn = pg(server).await;
                    for sql in [
                        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                        format!("CREATE DATABASE {name} TEMPLATE {template}"),
                    ] {
                        sqlx::query(sqlx::AssertSqlSafe(sql))
                            .execute(&mut conn)
                            .await
                            .unwrap();
                    }
                    // A database's settings do not come with its template.
                    super::no_commit_flush_wait(server, name).await;
                });
                let paths = [
                    (
                        jineng_store::audit_key_path(&from),
                        jineng_store::audit_key_path(&self.url),
                    ),
                    (
                        jineng_store::default_key_path(&from),
                        jineng_store::default_key_path(&self.url),
                    ),
                ];
                for (src, dst) in paths {
                    if let (Some(src), Some(dst)) = (src, dst)
                        && src.exists()
                    {
                        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
                        std::fs::copy(src, dst).unwrap();
                    }
                }
            }
        }
    }
}
