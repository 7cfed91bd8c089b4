//! The audit trail's hash chain through the binary: `jineng audit verify`
//! passes on an untouched trail (also after concurrent writers) and names
//! the first broken row after a row is edited or deleted in SQL, on both
//! backends.

use crate::common;

use common::fixtures::{base, fx};
use common::{TestDb, initialised, tamper};
use sqlx::Connection;

async fn audit_ids(db: &TestDb) -> Vec<i64> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    sqlx::query_scalar("SELECT audit_id FROM audit_log ORDER BY audit_id")
        .fetch_all(&mut conn)
        .await
        .unwrap()
}

/// `audit verify`: exit code and output.
fn verify(db: &TestDb) -> (i32, String) {
    let out = db.run(&["audit", "verify"]);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// A trail of several rows: imports, reveals from concurrent processes.
fn trail(db: &TestDb) {
    let f = fx();
    base(db, &f, "certificates");
    let children: Vec<_> = (0..8)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_jineng"))
                .args(["--db", &db.url, "person", "show", &f.zhang, "--reveal"])
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(
            c.wait().unwrap().success(),
            "[{}] reveal failed",
            db.backend
        );
    }
}

#[test]
fn an_edited_or_deleted_row_breaks_the_chain() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in initialised("audit_edit") {
        trail(&db);
        rt.block_on(edit_and_delete(&db));
    }
}

async fn edit_and_delete(db: &TestDb) {
    {
        let (code, out) = verify(db);
        assert_eq!(code, 0, "[{}] {out}", db.backend);
        assert!(out.contains("审计链校验通过"), "[{}] {out}", db.backend);
        let ids = audit_ids(db).await;
        assert!(ids.len() >= 10, "[{}] {} rows", db.backend, ids.len());

        // An edited row is named.
        let victim = ids[ids.len() / 2];
        tamper(
            db,
            &format!("UPDATE audit_log SET actor = 'cli:mallory' WHERE audit_id = {victim}"),
        )
        .await;
        let (code, out) = verify(db);
        assert_eq!(code, 1, "[{}] {out}", db.backend);
        assert!(
            out.contains(&format!("第 {victim} 号")),
            "[{}] {out}",
            db.backend
        );
        assert!(out.contains("改动"), "[{}] {out}", db.backend);

        // Deleting it instead breaks the link of the next row.
        tamper(
            db,
            &format!("DELETE FROM audit_log WHERE audit_id = {victim}"),
        )
        .await;
        let next = ids[ids.len() / 2 + 1];
        let (code, out) = verify(db);
        assert_eq!(code, 1, "[{}] {out}", db.backend);
        assert!(
            out.contains(&format!("第 {next} 号")),
            "[{}] {out}",
            db.backend
        );
    }
}

#[test]
fn deleting_the_last_row_is_found() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in initialised("audit_last") {
        trail(&db);
        rt.block_on(delete_last(&db));
    }
}

async fn delete_last(db: &TestDb) {
    {
        assert_eq!(verify(db).0, 0, "[{}]", db.backend);
        let last = *audit_ids(db).await.last().unwrap();
        tamper(
            db,
            &format!("DELETE FROM audit_log WHERE audit_id = {last}"),
        )
        .await;
        let (code, out) = verify(db);
        assert_eq!(code, 1, "[{}] {out}", db.backend);
        assert!(out.contains("最后的记录被删除"), "[{}] {out}", db.backend);
    }
}
