//! The audit chain's key, through the binary on both backends: a new
//! database is keyed from its first row with a key file made 0600 outside
//! the database; someone holding only the database who edits a row and
//! recomputes the whole chain without the key (with or without the marker)
//! is found by `jineng audit verify`; an existing unkeyed chain is keyed
//! from a marker row when its key file is first created, and the unkeyed
//! rows before the marker are protected by it.

use crate::common;

use common::fixtures::{base, fx};
use common::{TestDb, initialised};
use sha2::{Digest, Sha256};
use sqlx::{Connection, Row};

async fn conn(db: &TestDb) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(&db.url).await.unwrap()
}

async fn exec(db: &TestDb, sql: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn(db).await)
        .await
        .unwrap();
}

fn verify(db: &TestDb) -> (i32, String) {
    let out = db.run(&["audit", "verify"]);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// What an attacker with only the database can do: recompute every hash
/// from `genesis` with plain SHA-256 (the public encoding) and set the head.
async fn rechain_unkeyed(db: &TestDb) {
    let mut c = conn(db).await;
    let rows = sqlx::query(
        "SELECT audit_id, at, actor, action, entity, entity_key, batch_id, before, after \
         FROM audit_log ORDER BY audit_id",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    let mut prev = "genesis".to_string();
    let mut last = 0i64;
    for r in &rows {
        let id: i64 = r.get("audit_id");
        let batch: Option<i64> = r.get("batch_id");
        let text = |c: &str| r.get::<Option<String>, _>(c);
        let mut h = Sha256::new();
        for v in [
            text("at"),
            text("actor"),
            text("action"),
            text("entity"),
            text("entity_key"),
            batch.map(|b| b.to_string()),
            text("before"),
            text("after"),
            Some(prev.clone()),
        ] {
            match v {
                None => h.update(b"N"),
                Some(s) => {
                    h.update(format!("S{}:", s.len()).as_bytes());
                    h.update(s.as_bytes());
                }
            }
        }
        let hash: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        sqlx::query("UPDATE audit_log SET prev_hash = $1, row_hash = $2 WHERE audit_id = $3")
            .bind(&prev)
            .bind(&hash)
            .bind(id)
            .execute(&mut c)
            .await
            .unwrap();
        prev = hash;
        last = id;
    }
    sqlx::query("UPDATE audit_chain_head SET last_audit_id = $1, last_hash = $2 WHERE id = 1")
        .bind(last)
        .bind(&prev)
        .execute(&mut c)
        .await
        .unwrap();
}

async fn marker(db: &TestDb) -> Option<i64> {
    sqlx::query_scalar("SELECT keyed_from FROM audit_chain_head WHERE id = 1")
        .fetch_one(&mut conn(db).await)
        .await
        .unwrap()
}

/// What drops the marker and the head's note of it: as before the key.
const UNKEYED: [&str; 2] = [
    "DELETE FROM audit_log WHERE action = 'audit_key'",
    "UPDATE audit_chain_head SET keyed_from = NULL, key_id = NULL WHERE id = 1",
];

/// Runs `statements`, then recomputes the chain the old way, without the key.
fn tamper(rt: &tokio::runtime::Runtime, db: &TestDb, statements: &[&str]) {
    for sql in statements {
        rt.block_on(exec(db, sql));
    }
    rt.block_on(rechain_unkeyed(db));
}

#[test]
fn a_chain_recomputed_without_the_key_is_found() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in initialised("audit_key") {
        let b = db.backend;
        base(&db, &fx(), "certificates");
        let (code, out) = verify(&db);
        assert_eq!(code, 0, "[{b}] {out}");
        assert!(out.contains("自第 1 号记录起以密钥保护"), "[{b}] {out}");

        // The key file sits outside the database, private.
        let path = jineng_store::audit_key_path(&db.url).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(meta.permissions().mode() & 0o777, 0o600, "[{b}]");
        }
        assert_eq!(meta.len(), 65, "[{b}] 64 hex digits and a newline");

        // An edit with the chain recomputed the old way is found at the
        // marker, the first keyed row.
        tamper(
            &rt,
            &db,
            &["UPDATE audit_log SET actor = 'cli:mallory' WHERE audit_id = 3"],
        );
        let (code, out) = verify(&db);
        assert_eq!(code, 1, "[{b}] {out}");
        assert!(
            out.contains("第 1 号") && out.contains("无密钥的情况下被重算"),
            "[{b}] {out}"
        );

        // Dropping the marker (and the head's note of it) as well: the
        // chain has no keyed start, which a keyed deployment refuses.
        tamper(&rt, &db, &UNKEYED);
        let (code, out) = verify(&db);
        assert_eq!(code, 1, "[{b}] {out}");
        assert!(out.contains("没有密钥起点"), "[{b}] {out}");
        // Other commands do not key it silently (that would bless the edit).
        db.ok(&["person", "show", &fx().zhang, "--reveal"]);
        assert_eq!(rt.block_on(marker(&db)), None, "[{b}]");
        assert_eq!(verify(&db).0, 1, "[{b}]");
    }
}

#[test]
fn an_unkeyed_chain_is_keyed_from_a_marker_when_its_key_is_made() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in initialised("audit_key_upgrade") {
        let b = db.backend;
        base(&db, &fx(), "certificates");
        // As before the key existed: no marker, plain hashes, no key file.
        tamper(&rt, &db, &UNKEYED);
        let path = jineng_store::audit_key_path(&db.url).unwrap();
        std::fs::remove_file(&path).unwrap();
        let before: i64 = rt.block_on(async {
            sqlx::query_scalar("SELECT MAX(audit_id) FROM audit_log")
                .fetch_one(&mut conn(&db).await)
                .await
                .unwrap()
        });

        // The first start makes the key and the marker after the old rows.
        let (code, out) = verify(&db);
        assert_eq!(code, 0, "[{b}] {out}");
        let from = rt.block_on(marker(&db)).expect("keyed");
        assert!(from > before, "[{b}] marker {from} after {before}");
        assert!(path.exists(), "[{b}]");
        db.ok(&["person", "show", &fx().zhang, "--reveal"]);
        assert_eq!(verify(&db).0, 0, "[{b}] keyed rows verify");

        // An edit before the marker, recomputed without the key up to it,
        // no longer links to the marker.
        tamper(
            &rt,
            &db,
            &["UPDATE audit_log SET actor = 'cli:mallory' WHERE audit_id = 2"],
        );
        let (code, out) = verify(&db);
        assert_eq!(code, 1, "[{b}] {out}");
        assert!(out.contains(&format!("第 {from} 号")), "[{b}] {out}");
    }
}
