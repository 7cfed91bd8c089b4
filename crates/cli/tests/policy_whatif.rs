//! `jineng policy whatif` on the demo, on both backends: an overlay that
//! changes nothing changes no claim; raising the B-class 五级 standard from
//! 800 to 1,000 元 moves exactly the claims that standard priced, by
//! exactly the difference; lowering R2's cap from 3 to 2 flips exactly the
//! claims the cap decided (the third of a year); a period narrows the
//! replay; an unknown parameter path is refused naming it. Checked against
//! counts read straight from the database, and the live records, the
//! claims export and the ledger are byte-identical afterwards, with one
//! audit row per run.

use crate::common;

use std::collections::BTreeSet;

use common::TestDb;
use serde_json::Value;
use sqlx::Row;

const HEAD: &str = "[overlay]\nbase = \"liaocheng-2019\"\n";

/// Rows of a query, each column read as text.
fn query(db: &TestDb, sql: &str) -> Vec<Vec<Option<String>>> {
    common::query_rows(db, sql, |r, i| r.try_get::<Option<String>, _>(i).unwrap())
}

/// What must not move: the claims as stored and exported, the ledger, the
/// bank batches.
fn live(db: &TestDb) -> Vec<String> {
    let claims = query(
        db,
        "SELECT claim_no || '|' || status || '|' || COALESCE(outcome, '') || '|' || \
         CAST(COALESCE(amount_fen, 0) AS TEXT) || '|' || COALESCE(trace, '') || '|' || \
         COALESCE(decided_at, '') || '|' || COALESCE(updated_at, '') FROM claims ORDER BY claim_no",
    );
    let entries = query(
        db,
        "SELECT CAST(COUNT(*) AS TEXT) || '|' || CAST(COALESCE(SUM(debit_fen), 0) AS TEXT) FROM ledger_entries",
    );
    vec![
        format!("{claims:?}{entries:?}"),
        db.ok(&["claims", "export", "--format", "jsonl"]),
        db.ok(&["ledger", "report", "--json"]),
        db.ok(&["ledger", "verify"]),
        db.ok(&["pay", "batches"]),
    ]
}

fn whatif(db: &TestDb, draft: &str, extra: &[&str]) -> (Value, Vec<Value>) {
    let path = db.path("draft.toml");
    std::fs::write(&path, draft).unwrap();
    let out = db.path("changed.jsonl");
    let mut args = vec![
        "policy",
        "whatif",
        "--draft",
        path.to_str().unwrap(),
        "--json",
        "--claims-out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let report: Value = serde_json::from_str(&db.ok(&args)).unwrap();
    let lines = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (report, lines)
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap()
}

fn nos(lines: &[Value]) -> BTreeSet<String> {
    lines
        .iter()
        .map(|l| l["claim_no"].as_str().unwrap().to_string())
        .collect()
}

/// The occupations the policy file puts in class B, read from its text.
fn class_b() -> Vec<String> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../policies/liaocheng-2019.toml"
    ))
    .unwrap();
    let mut out: Vec<String> = text
        .lines()
        .filter(|l| l.contains("grade = \"B\""))
        .filter_map(|l| l.split("occupation = \"").nth(1))
        .filter_map(|r| r.split('"').next())
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Claims decided (standing) on a B-class 五级 certificate of the two
/// graded types: (claim, amount).
fn b5_claims(db: &TestDb) -> Vec<(String, i64)> {
    let list = class_b()
        .iter()
        .map(|o| format!("'{o}'"))
        .collect::<Vec<_>>()
        .join(",");
    query(
        db,
        &format!(
            "SELECT c.claim_no, CAST(c.amount_fen AS TEXT) FROM claims c \
             JOIN certificates ce ON ce.person_id = c.person_id AND ce.cert_no = c.cert_no \
             WHERE c.subsidy_type = '职业培训补贴' AND c.outcome <> 'rejected' AND c.status <> 'submitted' \
             AND ce.cert_type IN ('skill_level', 'qualification') AND ce.skill_level = 5 \
             AND ce.occupation_code IN ({list})"
        ),
    )
    .into_iter()
    .map(|r| (r[0].clone().unwrap(), r[1].clone().unwrap().parse().unwrap()))
    .collect()
}

/// Claims standing whose R2 line counted two earlier awards in their year.
fn third_of_year(db: &TestDb) -> BTreeSet<String> {
    query(
        db,
        "SELECT claim_no, trace FROM claims WHERE outcome <> 'rejected' AND status <> 'submitted'",
    )
    .into_iter()
    .filter(|r| {
        let trace: Value = serde_json::from_str(r[1].as_deref().unwrap_or("[]")).unwrap();
        trace
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l[0] == "R2" && l[2]["YearCount"]["before"].as_i64() == Some(2))
    })
    .map(|r| r[0].clone().unwrap())
    .collect()
}

fn assert_unchanged_rows(report: &Value) {
    for key in [
        "by_region",
        "by_subsidy_type",
        "by_occupation",
        "by_category",
        "by_institution",
        "by_fund",
    ] {
        for row in report[key].as_array().unwrap() {
            assert_eq!(int(&row["changed"]), 0, "{key}: {row}");
            assert_eq!(row["base_fen"], row["draft_fen"], "{key}: {row}");
        }
    }
}

#[test]
fn whatif_replays_the_demo_under_drafts_and_changes_nothing_live() {
    for db in common::backends("policy_whatif") {
        let b = db.backend;
        db.demo(&["--persons", "300"]);
        let before = live(&db);
        let decided = query(
            &db,
            "SELECT claim_no FROM claims WHERE status <> 'submitted'",
        )
        .len();

        // An overlay that changes nothing.
        let (r, lines) = whatif(&db, HEAD, &[]);
        assert_eq!(r["base_policy"], "liaocheng-2019");
        assert_eq!(
            int(&r["claims"]) as usize,
            decided,
            "[{b}] every decided claim"
        );
        assert_eq!(int(&r["changed"]), 0, "[{b}]");
        assert_eq!(r["base_fen"], r["draft_fen"], "[{b}]");
        assert!(lines.is_empty());
        assert_unchanged_rows(&r);
        let stood: i64 = query(
            &db,
            "SELECT CAST(SUM(amount_fen) AS TEXT) FROM claims WHERE outcome <> 'rejected' AND status <> 'submitted'",
        )[0][0]
            .clone()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            int(&r["base_fen"]),
            stood,
            "[{b}] the replay decides as the store did"
        );

        // B-class 五级: 800 → 1,000 元.
        let expected = b5_claims(&db);
        assert!(
            expected.len() > 5,
            "[{b}] the demo prices B 五级: {expected:?}"
        );
        let (r, lines) = whatif(
            &db,
            &format!("{HEAD}[catalogue.grades]\nB = {{ \"五级\" = 1000 }}\n"),
            &[],
        );
        assert_eq!(int(&r["changed"]) as usize, expected.len(), "[{b}]");
        assert_eq!(int(&r["flips"]["amount_up"]) as usize, expected.len());
        let diff: i64 = expected.iter().map(|(_, fen)| fen / 4).sum();
        assert_eq!(int(&r["draft_fen"]) - int(&r["base_fen"]), diff, "[{b}]");
        assert_eq!(
            nos(&lines),
            expected.iter().map(|(n, _)| n.clone()).collect(),
            "[{b}] exactly the claims the standard priced"
        );
        for l in &lines {
            let stored = expected
                .iter()
                .find(|(n, _)| l["claim_no"] == n.as_str())
                .unwrap()
                .1;
            assert_eq!(int(&l["base"]["amount_fen"]), stored);
            assert_eq!(int(&l["draft"]["amount_fen"]), stored * 5 / 4);
            assert_eq!(l["rules_changed"], serde_json::json!(["R1"]));
        }
        for row in r["by_occupation"].as_array().unwrap() {
            if int(&row["changed"]) > 0 {
                assert_eq!(row["level"], "五级", "{row}");
                assert!(class_b().contains(&row["occupation"].as_str().unwrap().to_string()));
            }
        }
        let es = r["budget"]["funds"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["fund"] == "ES")
            .unwrap();
        assert_eq!(
            int(&es["extra_fen"]),
            diff,
            "[{b}] 就业补助资金 pays the difference"
        );
        assert_eq!(
            int(&es["balance_after_fen"]),
            int(&es["balance_fen"]) - diff
        );

        // The same change for 2019 only: the claims of that year.
        let in_2019: BTreeSet<String> = query(
            &db,
            "SELECT c.claim_no FROM claims c \
             LEFT JOIN certificates ce ON ce.person_id = c.person_id AND ce.cert_no = c.cert_no \
             LEFT JOIN classes cl ON cl.class_id = COALESCE(c.class_id, ce.class_id) \
             WHERE c.status <> 'submitted' \
             AND COALESCE(ce.issue_date, cl.end_date, c.applied_on) BETWEEN '2019-01-01' AND '2019-12-31'",
        )
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect();
        let (r19, lines19) = whatif(
            &db,
            &format!("{HEAD}[catalogue.grades]\nB = {{ \"五级\" = 1000 }}\n"),
            &["--from", "2019-01-01", "--to", "2019-12-31"],
        );
        assert_eq!(int(&r19["claims"]) as usize, in_2019.len(), "[{b}]");
        assert_eq!(
            nos(&lines19),
            nos(&lines).intersection(&in_2019).cloned().collect(),
            "[{b}]"
        );

        // R2: at most 2 a year instead of 3.
        let third = third_of_year(&db);
        assert!(
            !third.is_empty(),
            "[{b}] the demo plants a fourth certificate in a year"
        );
        let (r, lines) = whatif(&db, &format!("{HEAD}[rules.R2]\nmax_per_year = 2\n"), &[]);
        assert_eq!(
            nos(&lines),
            third,
            "[{b}] exactly the claims the cap decided"
        );
        assert_eq!(
            int(&r["flips"]["approved_to_rejected"]) as usize,
            third.len()
        );
        assert_eq!(int(&r["changed"]) as usize, third.len());
        for l in &lines {
            assert_eq!(l["draft"]["outcome"], "rejected");
            assert_eq!(int(&l["draft"]["amount_fen"]), 0);
            assert_eq!(l["rules_changed"], serde_json::json!(["R2"]));
        }

        // A parameter that does not exist.
        let bad = db.path("bad.toml");
        std::fs::write(&bad, format!("{HEAD}[rules.R2]\nmax_per_yaer = 2\n")).unwrap();
        let out = db.run(&["policy", "whatif", "--draft", bad.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "[{b}]");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("rules.R2.max_per_yaer"), "[{b}] {err}");
        assert!(err.contains("第 4 行"), "[{b}] {err}");

        // The xlsx.
        let xlsx = db.path("whatif.xlsx");
        db.ok(&[
            "policy",
            "whatif",
            "--draft",
            db.path("draft.toml").to_str().unwrap(),
            "--out",
            xlsx.to_str().unwrap(),
        ]);
        assert!(std::fs::metadata(&xlsx).unwrap().len() > 1000);

        assert_eq!(live(&db), before, "[{b}] nothing live moved");
        let runs = query(
            &db,
            "SELECT entity_key, after FROM audit_log WHERE action = 'whatif' ORDER BY audit_id",
        );
        assert_eq!(runs.len(), 5, "[{b}] one audit row per run");
        let last: Value = serde_json::from_str(runs[4][1].as_deref().unwrap()).unwrap();
        assert_eq!(runs[4][0].as_deref(), Some("liaocheng-2019"));
        assert_eq!(last["claims"], r["claims"]);
        assert_eq!(last["draft_sha256"].as_str().unwrap().len(), 64);
    }
}
