//! `jineng demo` and 监管 (issue 13): the demo's clean records open no
//! case; the fraud it plants (keys `LCJ…` for classes, `LCJS…` for
//! certificates, `CJ…` for claims) opens cases of every check S1–S10; one
//! case is closed 属实 naming a paid claim, one 不属实; and the school the
//! fraud was found at is rated D while the others keep a published A or B.
//! On both backends, and the same after a second load.

use crate::common;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

fn cases(db: &common::TestDb) -> Vec<Value> {
    db.ok(&["supervise", "cases", "--status", "all", "--format", "jsonl"])
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn list<'a>(c: &'a Value, key: &str) -> Vec<&'a str> {
    c[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

fn text<'a>(c: &'a Value, key: &str) -> &'a str {
    c[key].as_str().unwrap_or_default()
}

/// Whether a case is about planted records only: it names at least one
/// class, certificate or claim, each with a planted key.
fn planted(c: &Value) -> bool {
    let classes = list(c, "class_nos");
    let certs = list(c, "cert_nos");
    let claims = list(c, "claim_nos");
    !(classes.is_empty() && certs.is_empty() && claims.is_empty())
        && classes.iter().all(|k| k.starts_with("LCJ"))
        && certs.iter().all(|k| k.starts_with("LCJS"))
        && claims.iter().all(|k| k.starts_with("CJ"))
}

/// The masked persons of the clean claims held for review under R1 (the
/// certificates the demo's policy cases date before their class ended).
fn r1_review_persons(db: &common::TestDb, claims: &[Value]) -> BTreeSet<String> {
    claims
        .iter()
        .filter(|c| {
            text(c, "status") == "review"
                && c["rules"] == serde_json::json!(["R1"])
                && !text(c, "claim_no").starts_with("CJ")
        })
        .map(|c| {
            let shown = db.ok(&["claims", "show", text(c, "claim_no")]);
            // "申领 #C… 姓名 (3715**********1734) …"
            let masked = shown.split('(').nth(1).unwrap().split(')').next().unwrap();
            masked.to_string()
        })
        .collect()
}

#[test]
fn demo_plants_fraud_that_opens_cases_and_clean_records_open_none() {
    for db in common::backends("demo_supervision") {
        let b = db.backend;
        let out = db.ok(&["demo", "--persons", "600"]);
        assert!(out.contains("监管线索：未结"), "[{b}] {out}");
        let all = cases(&db);
        let claims: Vec<Value> = db
            .ok(&["claims", "export", "--format", "jsonl"])
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();

        // (i) No false alarm: every case not about planted records is one
        // of the policy cases' certificates dated before the class ended,
        // whose claim R1 holds for review.
        let review = r1_review_persons(&db, &claims);
        let clean: Vec<&Value> = all.iter().filter(|c| !planted(c)).collect();
        for c in &clean {
            let persons = list(c, "persons");
            assert!(
                text(c, "check") == "S3"
                    && text(c, "evidence").contains("早于培训班结业日期")
                    && persons.iter().all(|p| review.contains(*p)),
                "[{b}] a case about clean records: {c}"
            );
        }
        assert!(clean.len() <= review.len(), "[{b}] {clean:?}");

        // (ii) Each planted pattern opens a handful of cases of its check.
        let mut by_check: BTreeMap<&str, usize> = BTreeMap::new();
        for c in all.iter().filter(|c| planted(c)) {
            *by_check.entry(text(c, "check")).or_default() += 1;
        }
        for check in ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "S10"] {
            let n = by_check.get(check).copied().unwrap_or(0);
            assert!(
                (1..=5).contains(&n),
                "[{b}] {check}: {n} cases {by_check:?}"
            );
        }
        // S8's three figures: a class all passed, an assessor's day, a month.
        for figure in ["全部合格", "一天颁发证书", "前 6 个月平均每月"] {
            assert!(
                all.iter()
                    .any(|c| text(c, "check") == "S8" && text(c, "evidence").contains(figure)),
                "[{b}] S8 {figure}"
            );
        }

        // (iii) One case closed 属实 naming a paid claim, now recovered
        // (追回) with the ledger still whole, the case's unpaid claim
        // rejected; one 不属实; the rest open.
        let status = |c: &Value| text(c, "status").to_string();
        let with_status = |s: &str| -> BTreeSet<&str> {
            claims
                .iter()
                .filter(|c| text(c, "status") == s)
                .map(|c| text(c, "claim_no"))
                .collect()
        };
        let (recovered, rejected) = (with_status("recovered"), with_status("rejected"));
        let found: Vec<&Value> = all.iter().filter(|c| status(c) == "closed_true").collect();
        assert!(
            found.iter().any(|c| text(c, "check") == "S6"
                && list(c, "claim_nos").iter().any(|n| recovered.contains(n))
                && list(c, "claim_nos").iter().any(|n| rejected.contains(n))),
            "[{b}] an S6 case closed 属实: its paid claim recovered, the other rejected: {found:?}"
        );
        let verify = db.ok(&["ledger", "verify"]);
        assert!(verify.contains("专账校验通过"), "[{b}] {verify}");
        assert!(
            all.iter().any(|c| status(c) == "closed_not_true"),
            "[{b}] a case closed 不属实"
        );
        assert!(
            all.iter().filter(|c| status(c) == "open").count() > 10,
            "[{b}] cases left open"
        );

        // (iv) The school named by the cases found 属实 is rated D, for
        // the year the cases were closed; others keep a published A or B.
        let school: BTreeSet<&str> = found
            .iter()
            .map(|c| list(c, "institution_codes"))
            .reduce(|a, b| a.into_iter().filter(|x| b.contains(x)).collect())
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(school.len(), 1, "[{b}] {found:?}");
        let ratings: Vec<Value> = db
            .ok(&["credit", "list", "--json"])
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let d: Vec<&str> = ratings
            .iter()
            .filter(|r| text(r, "grade") == "D")
            .map(|r| text(r, "institution_code"))
            .collect();
        assert_eq!(d, school.iter().copied().collect::<Vec<_>>(), "[{b}]");
        assert!(
            ratings
                .iter()
                .any(|r| matches!(text(r, "grade"), "A" | "B")),
            "[{b}] {ratings:?}"
        );

        // A second load finds everything in place: no case opened again,
        // the findings kept; a scan opens nothing new.
        db.ok(&["demo", "--persons", "600"]);
        let again = cases(&db);
        assert_eq!(again, all, "[{b}] the second load changed the cases");
        let scan = db.ok(&["supervise", "scan"]);
        assert!(scan.contains("新立案 0 条"), "[{b}] {scan}");
    }
}
