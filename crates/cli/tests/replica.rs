//! The read replica (`--db-read`) against a real PostgreSQL streaming
//! replica: a second cluster on another port, cloned from the local server
//! with `pg_basebackup -R`, started for this test and removed after it.
//!
//! Reads are served by it (`pg_is_in_recovery()` through the read store,
//! and the routing counters), and the lag is handled: with the replica's
//! replay paused, a county officer pays a claim through the real router and
//! the next report page (the public fund-use page) already counts the
//! payment, and the officer's certificate lookup reads the primary; a
//! visitor without a write of their own is served by the stale replica.
//! Once replay resumes, the officer's pages come from the replica again.
//! SQLite refuses `--db-read` in Chinese.

use crate::common;

use crate::common::http::{CITY, COUNTY, Sql, app_of, get, login, post_raw, set_cookie};
use axum::http::StatusCode;
use common::{TestDb, backends};
use jineng_store::{Actor, Store, replica_reads};
use std::path::{Path, PathBuf};
use std::process::Command;

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// A streaming replica of the local server, in a temporary directory.
struct Replica {
    dir: tempfile::TempDir,
    port: u16,
}

/// Runs a PostgreSQL program as the `postgres` user (the server refuses
/// to run as root).
fn as_postgres(program: &str, args: &[&str]) -> Result<(), String> {
    let bin = Path::new(PG_BIN).join(program);
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n");
    let out = if root {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(&bin)
            .args(args)
            .output()
    } else {
        Command::new(&bin).args(args).output()
    }
    .map_err(|e| format!("{}: {e}", bin.display()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{program} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

impl Replica {
    /// Clones the server on 127.0.0.1:5432 and starts the copy as a hot
    /// standby streaming from it.
    fn start(max_connections: &str) -> Result<Replica, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let chown = Command::new("chown")
            .args(["postgres:postgres"])
            .arg(dir.path())
            .status();
        if !matches!(chown, Ok(s) if s.success()) {
            return Err("cannot hand the replica's directory to the postgres user".into());
        }
        let data = dir.path().join("data");
        let data_s = data.to_str().unwrap().to_string();
        as_postgres(
            "pg_basebackup",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                "5432",
                "-U",
                "postgres",
                "-D",
                &data_s,
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            ],
        )?;
        // Debian keeps the configuration outside the data directory: the
        // copy gets its own, trusting loopback as the primary does.
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhost all all 127.0.0.1/32 trust\n",
        )
        .and_then(|_| std::fs::write(data.join("postgresql.conf"), ""))
        .map_err(|e| e.to_string())?;
        Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&data)
            .status()
            .map_err(|e| e.to_string())?;
        let sock = dir.path().to_str().unwrap().to_string();
        let opts = format!(
            "-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c max_connections={max_connections}"
        );
        let log = dir.path().join("log").to_str().unwrap().to_string();
        let replica = Replica { dir, port };
        as_postgres(
            "pg_ctl",
            &["-D", &data_s, "-o", &opts, "-l", &log, "-w", "start"],
        )?;
        Ok(replica)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let data = self.data();
        let _ = as_postgres(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }
}

/// Why the replica cannot be made here, if it cannot.
fn unavailable(db: &TestDb) -> Option<String> {
    if !db.url.contains("@127.0.0.1:5432/") {
        return Some(format!("the test server is not the local one ({})", db.url));
    }
    if !Path::new(PG_BIN).join("pg_basebackup").exists() {
        return Some(format!("no {PG_BIN}/pg_basebackup"));
    }
    None
}

#[test]
fn reads_go_to_the_replica_and_never_lag_behind_the_writer() {
    for db in backends("replica") {
        if db.backend == "sqlite" {
            sqlite_refuses(&db);
            continue;
        }
        if let Some(why) = unavailable(&db) {
            assert!(std::env::var_os("CI").is_none(), "CI: {why}");
            eprintln!("replica test skipped: {why}");
            continue;
        }
        db.ok(&["init"]);
        db.ok(&["ledger", "fund-add", "ES", "就业补助资金"]);
        db.ok(&["ledger", "allocate", "--fund", "ES", "--amount", "0.01"]);
        db.ok(&["demo", "--persons", "300"]);
        for fund in ["ES", "ST", "UI", "EB"] {
            db.ok(&["ledger", "allocate", "--fund", fund, "--amount", "1000000"]);
        }
        let rt = tokio::runtime::Runtime::new().unwrap();
        let max = rt.block_on(async {
            let mut sql = Sql::open(&db).await;
            sql.text("SELECT current_setting('max_connections')").await
        });
        let replica = Replica::start(&max).unwrap_or_else(|e| panic!("replica: {e}"));
        let read_url = db
            .url
            .replace("@127.0.0.1:5432/", &format!("@127.0.0.1:{}/", replica.port));
        rt.block_on(through_the_router(&db, &read_url));
    }
}

/// `serve --db sqlite://… --db-read …` is refused, in Chinese.
fn sqlite_refuses(db: &TestDb) {
    let out = db.run(&[
        "--db-read",
        "postgres://postgres@127.0.0.1:5432/none",
        "serve",
        "--addr",
        "127.0.0.1:0",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("只读副本（--db-read）仅用于 PostgreSQL"),
        "{err}"
    );
}

/// The public fund-use page's money out of the funds in `year`, in fen.
fn paid_on_page(html: &str) -> i64 {
    let money = &html[..html.find("</table>").expect("the funds table")];
    money
        .split("<tr><th scope=\"row\" class=\"nowrap\">")
        .skip(1)
        .filter(|row| !row.starts_with("合计"))
        .map(|row| {
            let last = row.rsplit("<td class=\"num\">").next().unwrap();
            let yuan = &last[..last.find("</td>").unwrap()];
            yuan.replace([',', '.'], "").parse::<i64>().unwrap()
        })
        .sum()
}

/// Money out of the dedicated account, as the ledger (the primary) says.
fn paid_in_ledger(db: &TestDb) -> i64 {
    let ledger: serde_json::Value =
        serde_json::from_str(&db.ok(&["ledger", "report", "--json"])).unwrap();
    ledger
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["allocated"].as_i64().unwrap() - f["bank"].as_i64().unwrap())
        .sum()
}

async fn through_the_router(db: &TestDb, read_url: &str) {
    let store = Store::connect(&db.url)
        .await
        .unwrap()
        .with_replica(read_url)
        .await
        .unwrap();
    // Once it has replayed the demo, reads are served by the standby.
    let loaded = store.wal_position().await.unwrap();
    let started = std::time::Instant::now();
    while !store.for_reads(loaded).await.in_recovery().await.unwrap() {
        assert!(started.elapsed().as_secs() < 120, "the replica catches up");
    }
    assert!(!store.in_recovery().await.unwrap(), "the primary");

    let sample = store.first_person_with_claim().await.unwrap().unwrap();
    let actor = Actor("test:setup".into());
    let accounts = jineng_web::demo_accounts(&store, CITY, COUNTY, &sample, &actor)
        .await
        .unwrap();
    let app = app_of(&store);
    let pw = &accounts
        .iter()
        .find(|a| a.login == "county")
        .unwrap()
        .password;
    let (county, csrf) = login(&app, "county", pw).await;
    let mut sql = Sql::open(db).await;
    // The county's approved claims of one application year: the fund-use
    // page counts money paid by that year.
    let approved = |year: &str| {
        format!(
            "SELECT c.claim_no FROM claims c JOIN persons p ON p.person_id = c.person_id \
             WHERE c.status = 'approved' AND p.hukou_region LIKE '{COUNTY}%' \
             AND c.applied_on LIKE '{year}%' ORDER BY c.claim_no"
        )
    };
    let first = sql.texts(&approved("")).await;
    assert!(!first.is_empty(), "the demo leaves approved claims");
    let year = sql
        .text(&format!(
            "SELECT substr(applied_on, 1, 4) FROM claims WHERE claim_no = '{}'",
            first[0]
        ))
        .await;
    let approved = sql.texts(&approved(&year)).await;
    let funds = format!("/funds?region={CITY}&year={year}");
    let before = get(&app, &funds, "").await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    let paid_before = paid_on_page(&before.body);
    let ledger_before = paid_in_ledger(db);

    // The replica stops replaying; the officer pays a claim.
    let mut standby = Sql(<sqlx::AnyConnection as sqlx::Connection>::connect(read_url)
        .await
        .unwrap());
    standby.exec("SELECT pg_wal_replay_pause()").await;
    let mut paid_claim = None;
    let mut wal = None;
    for claim in &approved {
        let r = post_raw(
            &app,
            &format!("/claims/{claim}/pay"),
            &county,
            &[("csrf", &csrf)],
        )
        .await;
        assert!(
            r.status.is_success() || r.status.is_redirection(),
            "{}",
            r.body
        );
        let status = sql
            .text(&format!(
                "SELECT status FROM claims WHERE claim_no = '{claim}'"
            ))
            .await;
        if status == "paid" {
            wal = set_cookie(&r, "jineng_wal");
            paid_claim = Some(claim.clone());
            break;
        }
    }
    let claim = paid_claim.expect("one of the county's approved claims is paid");
    let wal = wal.expect("a write leaves the WAL position in a cookie");
    let paid_now = paid_before + paid_in_ledger(db) - ledger_before;
    assert!(paid_now > paid_before, "{claim} moved money");

    // The officer's next report page counts the payment: the replica is
    // behind, so it was read from the primary.
    let officer = format!("{county}; {wal}");
    let (replica0, primary0) = replica_reads();
    let r = get(&app, &funds, &officer).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        paid_on_page(&r.body),
        paid_now,
        "the officer sees the payment"
    );
    let (replica1, primary1) = replica_reads();
    assert_eq!((replica1 - replica0, primary1 - primary0), (0, 1));
    let claim_page = get(&app, &format!("/claims/{claim}"), &county).await;
    assert!(claim_page.body.contains("已支付"), "{}", claim_page.body);

    // A visitor with no write of their own reads the replica as it stands.
    let lookup = "/certificates/lookup?name=x&cert_no=y";
    let r = get(&app, lookup, "").await;
    assert_eq!(r.status, StatusCode::OK);
    let (replica2, primary2) = replica_reads();
    assert_eq!((replica2 - replica1, primary2 - primary1), (1, 0));
    // The officer's lookup carries the position: the primary again.
    get(&app, lookup, &officer).await;
    let (replica3, primary3) = replica_reads();
    assert_eq!((replica3 - replica2, primary3 - primary2), (0, 1));
    assert!(
        !standby
            .text("SELECT pg_is_in_recovery()::text")
            .await
            .is_empty()
            && standby
                .int("SELECT COUNT(*) FROM claims WHERE status = 'paid'")
                .await
                < sql
                    .int("SELECT COUNT(*) FROM claims WHERE status = 'paid'")
                    .await,
        "the paused replica has not seen the payment"
    );

    // Replay resumes: the same page comes from the replica, still current.
    standby.exec("SELECT pg_wal_replay_resume()").await;
    let head = sql.text("SELECT pg_current_wal_lsn()::text").await;
    while standby
        .text(&format!(
            "SELECT (pg_last_wal_replay_lsn() >= '{head}'::pg_lsn)::text"
        ))
        .await
        != "true"
    {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let r = get(&app, &funds, &officer).await;
    assert_eq!(paid_on_page(&r.body), paid_now);
    let (replica4, _) = replica_reads();
    assert_eq!(replica4 - replica3, 1, "served by the caught-up replica");
    store.close().await;
}
