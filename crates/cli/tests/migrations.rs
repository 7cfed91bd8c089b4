//! Explicit migrations through the binary, on both backends: a database
//! behind the binary names `jineng migrate`, which brings it current; an
//! edited migration and a newer schema are refused; checksums missing from
//! an older database are recorded once; migration 0006 chains an old trail
//! larger than its batch.

use crate::common::{self, TestDb};
use sqlx::Connection;

/// Runs raw SQL on the test database, as an operator (or a tamperer) would.
fn sql(db: &TestDb, sql: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    });
}

/// Runs and asserts failure; returns stdout and stderr together.
fn fails(db: &TestDb, args: &[&str]) -> String {
    let out = db.run(args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !out.status.success(),
        "[{}] jineng {args:?} should fail: {text}",
        db.backend
    );
    text
}

/// The files `migrate --check` lists as pending on a fresh database.
fn all_files(db: &TestDb) -> Vec<String> {
    let out = db.run(&["migrate", "--check"]);
    assert_eq!(out.status.code(), Some(1), "[{}]", db.backend);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("待执行："))
        .map(str::to_string)
        .collect()
}

fn version(file: &str) -> String {
    file[..4].trim_start_matches('0').to_string()
}

#[test]
fn a_database_behind_names_migrate_which_brings_it_current() {
    for db in common::backends("mig_behind") {
        let files = all_files(&db);
        assert!(
            files.len() > 20 && files[0] == "0001_foundation.sql",
            "{files:?}"
        );
        let (last, before) = (&files[files.len() - 1], &files[files.len() - 2]);
        let out = db.ok(&["migrate", "--to", &version(before)]);
        assert!(out.contains(&format!("已执行：{before}")), "{out}");
        assert!(!out.contains(last.as_str()), "{out}");

        // Nothing else applies it: a normal command says what to run.
        for args in [&["ledger", "verify"][..], &["init"]] {
            let err = fails(&db, args);
            assert!(
                err.contains("jineng migrate") && err.contains(last.as_str()),
                "{err}"
            );
        }
        let out = db.run(&["migrate", "--check"]);
        assert_eq!(out.status.code(), Some(1));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(&format!("待执行：{last}")), "{text}");

        let out = db.ok(&["migrate"]);
        assert!(out.contains(&format!("已执行：{last}")), "{out}");
        assert!(db.ok(&["migrate", "--check"]).contains("数据库结构为最新"));
        assert!(db.ok(&["migrate"]).contains("无需迁移"));
        db.ok(&["init"]);
        db.ok(&["ledger", "verify"]);
    }
}

#[test]
fn an_edited_migration_is_refused_naming_the_file() {
    for db in common::initialised("mig_edit") {
        sql(
            &db,
            "UPDATE schema_migrations SET checksum = '0000' || substr(checksum, 5) WHERE version = 4",
        );
        for args in [
            &["ledger", "verify"][..],
            &["migrate"],
            &["migrate", "--check"],
        ] {
            let err = fails(&db, args);
            assert!(
                err.contains("0004_planning.sql") && err.contains("改动"),
                "[{}] {args:?}: {err}",
                db.backend
            );
        }
    }
}

#[test]
fn a_newer_schema_is_refused() {
    for db in common::initialised("mig_ahead") {
        sql(
            &db,
            "INSERT INTO schema_migrations (version, name, applied_at, checksum) \
             VALUES (9999, 'from_a_newer_jineng', '2030-01-01T00:00:00Z', 'ab')",
        );
        for args in [
            &["ledger", "verify"][..],
            &["migrate"],
            &["migrate", "--check"],
        ] {
            let err = fails(&db, args);
            assert!(err.contains("9999") && err.contains("比本程序新"), "{err}");
        }
    }
}

#[test]
fn checksums_missing_from_an_older_database_are_recorded_once() {
    for db in common::initialised("mig_backfill") {
        // A database migrated before checksums were kept.
        sql(&db, "ALTER TABLE schema_migrations DROP COLUMN checksum");
        let err = fails(&db, &["ledger", "verify"]);
        assert!(
            err.contains("jineng migrate") && err.contains("校验和"),
            "{err}"
        );
        let out = db.ok(&["migrate"]);
        assert!(out.contains("已记录校验和：0004_planning.sql"), "{out}");
        assert!(!out.contains("已执行"), "{out}");
        assert!(db.ok(&["migrate"]).contains("无需迁移"));
        assert!(db.ok(&["migrate", "--check"]).contains("数据库结构为最新"));
        db.ok(&["ledger", "verify"]);
    }
}

#[test]
fn migration_6_chains_an_old_trail_larger_than_its_batch() {
    for db in common::backends("mig_chain") {
        db.ok(&["migrate", "--to", "5"]);
        // 2,500 rows written before the chain existed.
        sql(
            &db,
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500) \
             INSERT INTO audit_log (at, actor, action, entity, entity_key) \
             SELECT '2019-01-01T00:00:00Z', 'old', 'import', 'person', CAST(i AS TEXT) FROM n",
        );
        db.ok(&["migrate"]);
        let out = db.ok(&["audit", "verify"]);
        assert!(out.contains("审计链校验通过"), "{out}");
        let rows: u64 = out
            .split("共 ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(rows >= 2500, "{out}");
    }
}
