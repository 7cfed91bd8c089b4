//! Bulk import by COPY on PostgreSQL (issue 17): the same files with
//! rejected rows, updates, 冒名 and keys repeated within a chunk give the
//! same report, error file, stored rows and audit trail as on SQLite, and
//! importing them again changes nothing.

use crate::common;
use common::fixtures::{self, CERTIFICATES, Fx, PERSONS, ROSTER, base, csv_text, sql_rows};
use common::{TestDb, id};
use serde_json::Value;

/// What a user can see of one import: its JSON report and error file.
#[derive(Debug, PartialEq)]
struct Seen {
    report: Value,
    error_file: String,
}

fn import(db: &TestDb, kind: &str, text: &str, round: u32) -> Seen {
    let file = db.csv(&format!("{kind}.csv"), text);
    let errs = db.path(&format!("{kind}_errors_{round}.csv"));
    // Chunks of 4 rows: repeated keys fall in one chunk and across chunks.
    let (report, _) = db.import(
        kind,
        &file,
        &["--chunk", "4", "--errors", errs.to_str().unwrap()],
    );
    let error_file = std::fs::read_to_string(&errs).unwrap_or_default();
    Seen { report, error_file }
}

fn files(f: &Fx) -> Vec<(&'static str, String)> {
    let new = |seq| id("371503", 1995, 7, 1, seq);
    let persons = [
        format!("新一,{},371503", new(1)),
        format!("张三,{},371521", f.zhang), // moves: updated, audited
        format!("李五,{},371521", f.li),    // 冒名: another name for 李四's ID
        format!("新二,{},371503", new(3)),
        format!("新二,{},371524", new(3)), // same new key twice in a chunk
        "坏号,37150319950701001,371503".to_string(), // ID too short
        format!("新三,{},371503", new(5)),
        format!("张三,{},371524", f.zhang), // moves again, another chunk
        format!("新四,{},999999", new(7)),  // unknown region
        format!("新一,{},371502", new(1)),  // a key of an earlier chunk
    ];
    let roster = [
        format!("2024-001,{},张三,{},60,20,合格", f.school, f.zhang),
        format!("2024-001,{},张三,{},61,20,合格", f.school, f.zhang),
        format!("2024-001,{},新一,{},10,0,未结业", f.school, new(1)),
        format!("2024-009,{},新一,{},10,0,未结业", f.school, new(1)),
        format!("2024-002,{},某人,{},10,0,未结业", f.school, f.stranger),
        format!("2024-002,{},新二,{},12,0,合格", f.school, new(3)),
    ];
    let certificates = [
        format!(
            "C000001,职业技能等级证书,张三,{},6-31-01-03,五级/初级工,2024-04-10,{},",
            f.zhang, f.school
        ),
        format!(
            "C000002,培训合格证书,新二,{},4-10-01-06,,2024-06-01,{},2024-002",
            new(3),
            f.school
        ),
        format!(
            "C000002,培训合格证书,新二,{},4-10-01-06,,2024-06-02,{},2024-002",
            new(3),
            f.school
        ),
        format!(
            "C000003,培训合格证书,新一,{},4-10-01-06,,2024-06-01,{},2024-002",
            new(1),
            f.school
        ),
        format!(
            "C000001,职业技能等级证书,新三,{},6-31-01-03,五级/初级工,2024-04-10,{},",
            new(5),
            f.school
        ),
    ];
    vec![
        ("persons", csv_text(PERSONS, &persons)),
        ("roster", csv_text(ROSTER, &roster)),
        ("certificates", csv_text(CERTIFICATES, &certificates)),
    ]
}

/// Query results, each a list of rows of text columns.
type Tables = Vec<Vec<Vec<String>>>;

/// The stored rows and the audit trail, without timestamps.
fn stored(db: &TestDb) -> Tables {
    [
        "SELECT person_id, id_number, name, hukou_region, batch_id FROM persons ORDER BY person_id",
        "SELECT person_id, class_id, offline_hours, online_hours, completion, batch_id \
         FROM enrolments ORDER BY person_id, class_id",
        "SELECT cert_type, cert_no, person_id, issue_date, class_id, batch_id \
         FROM certificates ORDER BY cert_no",
        // The audit key's marker names a random key.
        "SELECT actor, action, entity, entity_key, batch_id, before, after \
         FROM audit_log WHERE entity <> 'audit_chain' ORDER BY audit_id",
        "SELECT batch_id, kind, status, inserted, updated, unchanged, rejected \
         FROM import_batches ORDER BY batch_id",
    ]
    .iter()
    .map(|q| sql_rows(db, q))
    .collect()
}

/// Rows the staging table received on PostgreSQL (its statistics reach
/// the view shortly after the importing process ends).
fn staged_rows(db: &TestDb) -> i64 {
    let q = "SELECT CAST(COALESCE(SUM(n_tup_ins), 0) AS BIGINT) FROM pg_stat_user_tables \
             WHERE relname = 'import_stage'";
    for _ in 0..50 {
        let n: i64 = sql_rows(db, q)[0][0].parse().unwrap_or(0);
        if n > 0 {
            return n;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    0
}

#[test]
fn copy_import_reports_stores_and_audits_as_sqlite_and_reruns_unchanged() {
    let f = fixtures::fx();
    let mut seen: Vec<(Vec<Seen>, Tables)> = Vec::new();
    for db in common::initialised("copy_import") {
        base(&db, &f, "classes");
        let mut first: Vec<Seen> = Vec::new();
        for (kind, text) in files(&f) {
            first.push(import(&db, kind, &text, 1));
        }
        let after_first = stored(&db);
        // Each file rejects rows and accepts others.
        for s in &first[..] {
            let r = &s.report;
            assert!(
                r["rejected"].as_u64().unwrap() > 0,
                "[{}] {r:#}",
                db.backend
            );
            assert!(
                r["accepted"].as_u64().unwrap() > 0,
                "[{}] {r:#}",
                db.backend
            );
            assert!(!s.error_file.is_empty(), "[{}] error file", db.backend);
        }
        assert_eq!(
            fixtures::counts(&first[0].report),
            (3, 4, 0),
            "[{}] persons: 新一 新二 新三 inserted; 张三 twice, 新二 and 新一 updated",
            db.backend
        );
        // Again: nothing new is inserted, the same rows are rejected for the
        // same reasons, and the stored rows end as they were (rows that move
        // a key back and forth are updated again: the last row wins).
        let mut second = Vec::new();
        for ((kind, text), before) in files(&f).into_iter().zip(&first) {
            let again = import(&db, kind, &text, 2);
            let r = &again.report;
            assert_eq!(
                r["inserted"].as_u64(),
                Some(0),
                "[{}] {kind}: {r:#}",
                db.backend
            );
            assert_eq!(r["accepted"], before.report["accepted"], "[{}]", db.backend);
            assert_eq!(r["errors"], before.report["errors"], "[{}]", db.backend);
            assert_eq!(again.error_file, before.error_file, "[{}]", db.backend);
            second.push(again);
        }
        first.extend(second);
        let after_second = stored(&db);
        // The same rows (batch_id, the last column, names the latest writer).
        let content = |rows: &[Vec<String>]| -> Vec<Vec<String>> {
            rows.iter().map(|r| r[..r.len() - 1].to_vec()).collect()
        };
        for t in 0..3 {
            assert_eq!(
                content(&after_first[t]),
                content(&after_second[t]),
                "[{}] table {t}",
                db.backend
            );
        }
        let new_audit = &after_second[3][after_first[3].len()..];
        assert!(
            new_audit
                .iter()
                .all(|a| a[1] == "update" || a[2] == "import_batch"),
            "[{}] a re-run audits updates and its batches only: {new_audit:#?}",
            db.backend
        );
        let leftover = sql_rows(&db, "SELECT COUNT(*) FROM import_stage");
        assert_eq!(leftover[0][0], "0", "[{}] staging emptied", db.backend);
        if db.backend == "postgres" {
            assert!(staged_rows(&db) > 0, "PostgreSQL imports stage by COPY");
        }
        seen.push((first, after_second));
    }
    if let [(sqlite, sqlite_rows), (pg, pg_rows)] = &seen[..] {
        assert_eq!(sqlite, pg, "same reports and error files on both backends");
        assert_eq!(sqlite_rows, pg_rows, "same rows, batches and audit trail");
    }
}
