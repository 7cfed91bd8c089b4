//! The effects of supervision on the money path, through the binary, on
//! both backends (docs/supervision.md, Cases and Institution credit):
//! claims named in an open case are neither approved nor paid (`claims
//! approve` and `claims pay` exit 1 naming the case; `--all` skips them);
//! closing 属实 rejects the unpaid claims and recovers the paid ones through
//! the ledger (which still verifies), and can mark certificates revoked;
//! closing 不属实 releases them, and a re-scan does not reopen the case; a D
//! rating takes the institution out of the catalogue, so R1 refuses claims
//! for its later classes with a trace line naming the rating; a C rating
//! refuses advances.

use crate::common;

/// C ratings and advances.
#[path = "supervision_effects/advances.rs"]
mod advances;

/// Holds through a named person and class.
#[path = "supervision_effects/by_class.rs"]
mod by_class;

/// D ratings and the catalogue.
#[path = "supervision_effects/removal.rs"]
mod removal;

use common::fixtures::{
    Registry, credit_rules, export_claims, load, load_supervision, policy_file, sql_rows,
    supervision_file,
};
use common::{TestDb, credit, id};
use serde_json::Value;

/// S6 (one certificate claimed twice) and credit rules under which every
/// institution without merit is rated D (base below C's floor).
fn supervision() -> String {
    let checks = "\n[checks.S1]\nclause = \"二十四\"\n[checks.S6]\nclause = \"二十四\"\ncert_subsidy_types = [\"职业培训补贴\"]\n";
    let credit = credit_rules(55, "\"高\" = -30\n\"中\" = -20\n\"低\" = -10");
    let d = "[credit.consequences.D]\nremove_from_catalogue = true\nremoval_after_days = 30\n";
    supervision_file("effects-supervision", &format!("{checks}{credit}{d}"))
}

fn school() -> String {
    credit("371502", "1")
}

fn pid(i: u32) -> String {
    id("371502", 1980, 1, 1 + i, 100 + i as u16)
}

/// `n` persons in class CL-1, each with certificate ZPB{i}, the first
/// `claimed` with claim PB-{i}; `extra` claims (claim number, person) on
/// the same certificates. Everything decided.
fn registry(db: &TestDb, n: u32, claimed: u32, extra: &[(&str, u32)]) {
    let centre = credit("371502", "5");
    let mut reg = Registry {
        institutions: vec![format!(
            "聊城市技工学校,{},技工院校,371502,是,2018-01-01,",
            school()
        )],
        classes: vec![format!(
            "CL-1,{},就业技能培训,6-31-01-03,电工,五级,371502,2019-03-01,2019-03-20,80",
            school()
        )],
        ..Registry::default()
    };
    for i in 1..=n {
        let name = format!("钱{}", ["一", "二", "三", "四"][(i - 1) as usize]);
        reg.persons.push(format!("{name},{},371502", pid(i)));
        reg.categories
            .push(format!("{},企业职工,2018-01-01,,", pid(i)));
        reg.roster
            .push(format!("CL-1,{},{name},{},80,0,合格", school(), pid(i)));
        reg.certificates.push(format!(
            "ZPB{i},职业技能等级证书,{name},{},6-31-01-03,五级,2019-03-25,{centre},CL-1",
            pid(i)
        ));
        if i <= claimed {
            reg.claims.push(format!(
                "PB-{i},职业培训补贴,{},ZPB{i},,,,2019-03-26,,",
                pid(i)
            ));
        }
    }
    for (no, i) in extra {
        reg.claims.push(format!(
            "{no},职业培训补贴,{},ZPB{i},,,,2019-03-27,,",
            pid(*i)
        ));
    }
    load_supervision(db, "effects.supervision.toml", &supervision());
    reg.load(db);
    db.ok(&["policy", "load", &policy_file("liaocheng-2019.toml")]);
    db.ok(&["ledger", "allocate", "--fund", "ES", "--amount", "100000"]);
    db.ok(&["claims", "decide", "--all"]);
}

/// Another claim on person `i`'s certificate, imported later.
fn duplicate(db: &TestDb, no: &str, i: u32) -> Value {
    let row = format!("{no},职业培训补贴,{},ZPB{i},,,,2019-03-27,,", pid(i));
    load(db, "claims", common::fixtures::CLAIMS, &[row])
}

fn status(db: &TestDb, claim: &str) -> String {
    export_claims(db)[claim]["status"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The first open case that `pick` accepts.
fn open_case(db: &TestDb, pick: impl Fn(&Value) -> bool) -> String {
    db.ok(&["supervise", "cases", "--status", "open"])
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(pick)
        .unwrap_or_else(|| panic!("[{}] no such open case", db.backend))["case_no"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The open case naming `claim`.
fn case_of(db: &TestDb, claim: &str) -> String {
    open_case(db, |c| {
        c["claim_nos"]
            .as_array()
            .unwrap()
            .contains(&Value::from(claim))
    })
}

/// The open case of a check.
fn case_of_check(db: &TestDb, check: &str) -> String {
    open_case(db, |c| c["check"] == check)
}

fn out(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn close(db: &TestDb, case: &str, finding: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "supervise",
        "close",
        case,
        "--finding",
        finding,
        "--note",
        "核查",
    ];
    args.extend(extra);
    db.run(&args)
}

fn bank(db: &TestDb) -> Value {
    let r: Value = serde_json::from_str(&db.ok(&["ledger", "report", "--json"])).unwrap();
    r.as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "ES")
        .unwrap()["bank"]
        .clone()
}

#[test]
fn held_claims_are_neither_approved_nor_paid_until_released() {
    for db in common::initialised("effects_hold") {
        let b = db.backend;
        registry(&db, 3, 3, &[("PB-1X", 1)]);
        let a = case_of(&db, "PB-1");
        let held = format!("被线索 {a} 暂停");

        // Approving the held claim by name: refused, naming the case, exit 1.
        let o = db.run(&["claims", "approve", "PB-1"]);
        assert_eq!(o.status.code(), Some(1), "[{b}] {}", out(&o));
        assert!(out(&o).contains(&held), "[{b}] {}", out(&o));
        // --all approves the rest and lists the held claim.
        let o = db.run(&["claims", "approve", "--all"]);
        assert_eq!(o.status.code(), Some(0), "[{b}] {}", out(&o));
        assert!(out(&o).contains(&held), "[{b}] {}", out(&o));
        assert_eq!(status(&db, "PB-1"), "eligible", "[{b}]");
        assert_eq!(status(&db, "PB-2"), "approved", "[{b}]");

        // A case opened after approval holds an approved claim.
        duplicate(&db, "PB-2X", 2);
        let c = case_of(&db, "PB-2");
        let held = format!("申领 PB-2 被线索 {c} 暂停，结案前不得审核或支付");
        let o = db.run(&["claims", "pay", "PB-2"]);
        assert_eq!(o.status.code(), Some(1), "[{b}] {}", out(&o));
        assert!(out(&o).contains(&held), "[{b}] {}", out(&o));
        let o = db.run(&["pay", "batch", "--claims", "PB-2"]);
        assert_eq!(o.status.code(), Some(1), "[{b}] {}", out(&o));
        assert!(out(&o).contains(&held), "[{b}] {}", out(&o));
        let o = db.run(&["claims", "pay", "--all"]);
        assert_eq!(o.status.code(), Some(0), "[{b}] {}", out(&o));
        assert!(out(&o).contains("支付 1 件"), "[{b}] {}", out(&o));
        assert_eq!(status(&db, "PB-3"), "paid", "[{b}]");
        assert_eq!(status(&db, "PB-2"), "approved", "[{b}]");
        let shown = db.ok(&["claims", "show", "PB-2"]);
        assert!(shown.contains(&format!("被线索 {c} 暂停")), "[{b}] {shown}");

        // 不属实 releases the claims: PB-2 is paid; a re-scan opens nothing.
        let o = close(&db, &c, "不属实", &[]);
        assert!(o.status.success(), "[{b}] {}", out(&o));
        assert!(out(&o).contains("解除暂停的申领 2 件"), "[{b}] {}", out(&o));
        let o = db.run(&["claims", "pay", "PB-2"]);
        assert!(o.status.success(), "[{b}] {}", out(&o));
        assert_eq!(status(&db, "PB-2"), "paid", "[{b}]");
        let scan: Value = serde_json::from_str(&db.ok(&["supervise", "scan", "--json"])).unwrap();
        assert_eq!(scan["opened"], 0, "[{b}] {scan:#}");
        let open = db.ok(&["supervise", "cases", "--status", "open"]);
        assert!(!open.contains(&c), "[{b}] reopened: {open}");
        assert!(!db.ok(&["claims", "show", "PB-2"]).contains("暂停"));

        // 属实 with --revoke-certs: the unpaid PB-1 is rejected, the
        // certificate marked revoked and shown so.
        let o = close(&db, &a, "属实", &["--revoke-certs"]);
        assert!(o.status.success(), "[{b}] {}", out(&o));
        assert!(
            out(&o).contains("标记撤销的证书 1 本：ZPB1"),
            "[{b}] {}",
            out(&o)
        );
        assert_eq!(status(&db, "PB-1"), "rejected", "[{b}]");
        let person = db.ok(&["person", "show", &pid(1)]);
        assert!(
            person.contains("已标记撤销") && person.contains(&a),
            "[{b}] {person}"
        );
        let o = close(&db, &c, "属实", &[]);
        assert!(out(&o).contains("不能再次结案"), "[{b}] {}", out(&o));
    }
}

#[test]
fn found_true_recovers_paid_claims_and_rejects_unpaid_ones() {
    for db in common::initialised("effects_true") {
        let b = db.backend;
        registry(&db, 2, 2, &[]);
        db.ok(&["claims", "approve", "--all"]);
        let before = bank(&db);
        db.ok(&["claims", "pay", "--all"]);
        assert_eq!(status(&db, "PB-1"), "paid", "[{b}]");
        let paid: i64 = export_claims(&db)["PB-1"]["amount_fen"].as_i64().unwrap();
        assert!(paid > 0);

        // The same certificate claimed again after payment opens a case
        // naming the paid claim and the new one.
        duplicate(&db, "PB-1X", 1);
        let a = case_of(&db, "PB-1X");
        // --revoke-certs is only for 属实.
        let o = close(&db, &a, "不属实", &["--revoke-certs"]);
        assert!(!o.status.success(), "[{b}] {}", out(&o));
        assert!(out(&o).contains("不能注销证书"), "[{b}] {}", out(&o));

        let o = close(&db, &a, "属实", &["--json"]);
        assert!(o.status.success(), "[{b}] {}", out(&o));
        let r: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(r["recovered"], serde_json::json!(["PB-1"]), "[{b}] {r:#}");
        assert_eq!(r["recovered_fen"], paid, "[{b}] {r:#}");
        assert_eq!(r["rejected"], serde_json::json!(["PB-1X"]), "[{b}] {r:#}");
        assert_eq!(r["revoked_certs"], serde_json::json!([]), "[{b}] {r:#}");
        assert_eq!(status(&db, "PB-1"), "recovered", "[{b}]");
        assert_eq!(status(&db, "PB-1X"), "rejected", "[{b}]");
        let shown: Value =
            serde_json::from_str(&db.ok(&["claims", "show", "PB-1X", "--json"])).unwrap();
        assert!(
            shown["officer_note"].as_str().unwrap().contains(&a),
            "[{b}] {shown:#}"
        );

        // The ledger verifies, and the fund holds what it held before,
        // less PB-2 (paid and not in the case).
        let o = db.run(&["ledger", "verify"]);
        assert_eq!(o.status.code(), Some(0), "[{b}] {}", out(&o));
        let pb2 = export_claims(&db)["PB-2"]["amount_fen"].as_i64().unwrap();
        let fen = |v: &Value| -> i64 {
            v.as_i64()
                .unwrap_or_else(|| (v.as_str().unwrap().parse::<f64>().unwrap() * 100.0) as i64)
        };
        assert_eq!(fen(&bank(&db)), fen(&before) - pb2, "[{b}]");

        // Every step is in the audit trail.
        let audit = sql_rows(
            &db,
            "SELECT action, entity_key, after FROM audit_log \
             WHERE action IN ('close_case', 'claim_status', 'reject') ORDER BY audit_id",
        );
        let last = audit.iter().rev().find(|r| r[0] == "close_case").unwrap();
        assert!(last[2].contains("PB-1") && last[2].contains("recovered_fen"));
        assert!(audit.iter().any(|r| r[0] == "reject" && r[1] == "PB-1X"));
        assert!(
            audit
                .iter()
                .any(|r| r[0] == "claim_status" && r[1] == "PB-1" && r[2].contains("recovered"))
        );
    }
}
