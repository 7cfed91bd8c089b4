//! Explicit migrations through the binary, on both backends: a database
//! behind the binary names `jineng migrate`, which brings it current; an
//! edited migration and a newer schema are refused; checksums missing from
//! an older database are recorded once; migration 0006 chains an old trail
//! larger than its batch; migration 0049 gives an older trail its regions.

use crate::common::{self, TestDb, on_db};
use sqlx::Connection;

/// Runs raw SQL on the test database, as an operator (or a tamperer) would.
fn sql(db: &TestDb, sql: &str) {
    try_sql(db, sql).unwrap();
}

/// Runs raw SQL; the database's refusal as text.
fn try_sql(db: &TestDb, sql: &str) -> Result<(), String> {
    on_db(db, |mut conn| async move {
        let done = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut conn)
            .await;
        conn.close().await.unwrap();
        done.map(|_| ()).map_err(|e| e.to_string())
    })
}

/// One number the database answers.
fn number(db: &TestDb, sql: &str) -> i64 {
    on_db(db, |mut conn| async move {
        let n = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        n
    })
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

#[test]
fn migration_48_keys_vouchers_by_person_and_keeps_them() {
    for db in common::backends("mig_vouchers") {
        let b = db.backend;
        db.ok(&["migrate", "--to", "46"]);
        // A voucher issued, and its commitment on the ledger, before the key changed.
        sql(
            &db,
            "INSERT INTO regions (code, name, level, kind) VALUES ('371502', '东昌府区', 'county', '市辖区');
             INSERT INTO persons (person_id, id_number, name, sex, birth_date, hukou_region, updated_at)
                 VALUES (7, '371502199001010012', '张三', '男', '1990-01-01', '371502', '2021-01-01');
             INSERT INTO persons (person_id, id_number, name, sex, birth_date, hukou_region, updated_at)
                 VALUES (8, '371502199001010039', '李四', '男', '1990-01-01', '371502', '2021-01-01');
             INSERT INTO policies (policy_id, policy_key, title, doc_no, region_code, valid_from, sources, sha256, loaded_at, actor)
                 VALUES (1, 'lc', '聊城', '聊人社字〔2021〕1号', '371502', '2021-01-01', '[]', 'x', '2021-01-01', 'cli:t');
             INSERT INTO fund_sources (code, name, created_at) VALUES ('F1', '就业补助资金', '2021-01-01');
             INSERT INTO vouchers (voucher_no, person_id, year, region_code, seq, policy_id, kind_code, kind_name,
                 occupations, face_fen, subsidy_type, fund_code, issued_on, valid_until, created_at)
                 VALUES ('PXQ37150220210000011', 7, 2021, '371502', 1, 1, 'A', '职业技能培训券', '*', 80000,
                 'skill', 'F1', '2021-03-01', '2021-12-31', '2021-03-01');
             INSERT INTO ledger_tx (at, kind, fund_code, actor, voucher_no)
                 VALUES ('2021-03-01', 'commit', 'F1', 'cli:t', 'PXQ37150220210000011');",
        );
        db.ok(&["migrate"]);
        let key = match b {
            "sqlite" => number(
                &db,
                "SELECT COUNT(*) FROM pragma_table_info('vouchers') WHERE pk > 0 \
                 AND ((name = 'person_id' AND pk = 1) OR (name = 'voucher_no' AND pk = 2))",
            ),
            _ => number(
                &db,
                "SELECT COUNT(*) FROM pg_index i JOIN pg_attribute a \
                   ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
                 WHERE i.indrelid = 'vouchers'::regclass AND i.indisprimary \
                   AND ((a.attname = 'person_id' AND i.indkey[0] = a.attnum) \
                     OR (a.attname = 'voucher_no' AND i.indkey[1] = a.attnum))",
            ),
        };
        assert_eq!(key, 2, "[{b}] the key is (person_id, voucher_no)");
        let kept = number(
            &db,
            "SELECT COUNT(*) FROM vouchers v JOIN ledger_tx t ON t.voucher_no = v.voucher_no \
             WHERE v.person_id = 7 AND v.face_fen = 80000 AND t.kind = 'commit'",
        );
        assert_eq!(kept, 1, "[{b}] the voucher and its commitment");
        // The number stays unique across persons, and the ledger still
        // refers to a voucher that exists.
        let twice = try_sql(
            &db,
            "INSERT INTO vouchers (voucher_no, person_id, year, region_code, seq, policy_id, kind_code, kind_name, \
                 occupations, face_fen, subsidy_type, fund_code, issued_on, valid_until, created_at) \
             VALUES ('PXQ37150220210000011', 8, 2021, '371502', 2, 1, 'A', '职业技能培训券', '*', 80000, \
                 'skill', 'F1', '2021-03-01', '2021-12-31', '2021-03-01')",
        );
        assert!(twice.is_err(), "[{b}] a number given twice");
        let dangling = try_sql(
            &db,
            "INSERT INTO ledger_tx (at, kind, fund_code, actor, voucher_no) \
             VALUES ('2021-03-02', 'release', 'F1', 'cli:t', 'PXQ00000000000000000')",
        );
        assert!(dangling.is_err(), "[{b}] a commitment to no voucher");
        assert!(db.ok(&["migrate", "--check"]).contains("数据库结构为最新"));
    }
}

/// An older audit row: action, entity, key, after, and the region 0049
/// gives it.
type OldRow = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
);

/// The rows of an older trail and the region 0049 gives each.
const OLD_TRAIL: &[OldRow] = &[
    ("import", "person", "7", None, Some("371502")),
    (
        "export_archive",
        "person",
        "371521********0039",
        Some(r#"{"format":"pdf","person_id":8}"#),
        Some("371521"),
    ),
    ("update", "family_relation", "7/8", None, Some("371502")),
    ("update", "institution", "4", None, Some("371502")),
    ("insert", "region", "371521", None, Some("371521")),
    ("insert", "statistic", "371502/2021/k", None, Some("371502")),
    (
        "insert",
        "target",
        "ind/2021-2025/371521/371500",
        None,
        Some("371521"),
    ),
    ("load_policy", "policy", "lc", None, Some("")),
    ("decide", "claims", "2 件", None, None),
    ("import", "person", "99", None, None),
];

#[test]
fn migration_49_gives_the_old_trail_its_regions_and_keeps_the_chain() {
    for db in common::backends("mig_audit_region") {
        let b = db.backend;
        // Rows written before the chain, chained by 0006, as they stand at 0048.
        db.ok(&["migrate", "--to", "5"]);
        for (action, entity, key, after, _) in OLD_TRAIL {
            let after = after.map_or("NULL".to_string(), |a| format!("'{a}'"));
            sql(
                &db,
                &format!(
                    "INSERT INTO audit_log (at, actor, action, entity, entity_key, after) \
                     VALUES ('2021-01-01T00:00:00Z', 'cli:t', '{action}', '{entity}', '{key}', {after})"
                ),
            );
        }
        db.ok(&["migrate", "--to", "48"]);
        sql(
            &db,
            "INSERT INTO regions (code, name, level, kind) VALUES ('371502', '东昌府区', 'county', '市辖区');
             INSERT INTO regions (code, name, level, kind) VALUES ('371521', '阳谷县', 'county', '县');
             INSERT INTO persons (person_id, id_number, name, sex, birth_date, hukou_region, updated_at)
                 VALUES (7, '371502199001010012', '张三', '男', '1990-01-01', '371502', '2021-01-01');
             INSERT INTO persons (person_id, id_number, name, sex, birth_date, hukou_region, updated_at)
                 VALUES (8, '371521199001010039', '李四', '男', '1990-01-01', '371521', '2021-01-01');
             INSERT INTO institutions (institution_id, credit_code, name, kind, region_code, updated_at)
                 VALUES (4, '91371502MA3C000000', '技校', 'school', '371502', '2021-01-01');",
        );
        db.ok(&["migrate"]);
        for (_, entity, key, _, region) in OLD_TRAIL {
            let found = on_db(&db, |mut conn| async move {
                let r: Option<String> = sqlx::query_scalar(
                    "SELECT region_code FROM audit_log WHERE entity = $1 AND entity_key = $2",
                )
                .bind(*entity)
                .bind(*key)
                .fetch_one(&mut conn)
                .await
                .unwrap();
                conn.close().await.unwrap();
                r
            });
            assert_eq!(found.as_deref(), *region, "[{b}] {entity} {key}");
        }
        // The region is not hashed: the old rows still verify, and so do
        // rows written after the migration (with their region).
        db.ok(&["ledger", "fund-add", "ES", "就业补助资金"]);
        let out = db.ok(&["audit", "verify"]);
        assert!(out.contains("审计链校验通过"), "[{b}] {out}");
    }
}
