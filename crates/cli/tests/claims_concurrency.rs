//! Many officers at once on one person's claims: 64 `jineng` processes
//! deciding, approving and paying the same eight claims concurrently, then
//! 16 paying at once; and one process per claim deciding every claim of
//! three persons at the same moment. The caps (R2: 3 a year; R3: an
//! occupation and level once) hold, every paid claim is paid exactly once
//! (R17) and the ledger verifies — on SQLite and on PostgreSQL.

use crate::common;
use common::fixtures::{Registry, export_claims, policy_file, sql_rows};
use common::{TestDb, credit, id};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};

/// (claim, occupation, name, level, class, certificate date): six
/// occupations, and 电工 五级 and 焊工 五级 twice under another number.
const CLAIMS: [(&str, &str, &str, &str, usize, &str); 8] = [
    ("CC-1", "6-31-01-03", "电工", "五级", 1, "2019-03-10"),
    ("CC-2", "6-18-02-04", "焊工", "五级", 2, "2019-04-10"),
    ("CC-3", "4-10-01-06", "家政服务员", "四级", 3, "2019-05-10"),
    ("CC-4", "4-10-01-05", "养老护理员", "五级", 4, "2019-06-10"),
    ("CC-5", "4-03-02-01", "中式烹调师", "五级", 5, "2019-07-10"),
    ("CC-6", "4-01-06-01", "电子商务师", "四级", 6, "2019-08-10"),
    ("CC-7", "6-31-01-03", "电工", "五级", 1, "2019-03-12"),
    ("CC-8", "6-18-02-04", "焊工", "五级", 2, "2019-04-15"),
];

/// Statuses whose decision stands and counts towards the caps.
const COUNTING: [&str; 4] = ["eligible", "approved", "advanced", "paid"];

/// The person of prefix `p` (A, B, C …) and their claims `{p}CC-1` …
/// `{p}CC-8`, with the classes, roster and certificates they rest on.
fn registry(prefixes: &[&str]) -> Registry {
    let school = credit("371502", "1");
    let centre = credit("371502", "5");
    let mut reg = Registry {
        institutions: vec![format!(
            "聊城市技工学校,{school},技工院校,371502,是,2018-01-01,"
        )],
        ..Registry::default()
    };
    for (n, p) in prefixes.iter().enumerate() {
        let pid = id("371502", 1986, 10, 3, 57 + n as u16);
        let name = format!("周涛{p}");
        reg.persons.push(format!("{name},{pid},371502"));
        reg.categories
            .push(format!("{pid},农村转移就业劳动者,2018-01-01,,"));
        for (no, occ, occ_name, level, class, issued) in CLAIMS {
            let month = class + 1;
            let class_row = format!(
                "CL-{class},{school},就业技能培训,{occ},{occ_name},{level},371502,2019-{month:02}-01,2019-{month:02}-20,80"
            );
            if !reg.classes.contains(&class_row) {
                reg.classes.push(class_row);
            }
            let roster = format!("CL-{class},{school},{name},{pid},80,0,合格");
            if !reg.roster.contains(&roster) {
                reg.roster.push(roster);
            }
            reg.certificates.push(format!(
                "Z{p}{no},职业技能等级证书,{name},{pid},{occ},{level},{issued},{centre},CL-{class}"
            ));
            reg.claims
                .push(format!("{p}{no},职业培训补贴,{pid},Z{p}{no},,,,{issued},,"));
        }
    }
    reg
}

fn spawn(db: &TestDb, actor: &str, args: &[String]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_jineng"))
        .arg("--db")
        .arg(&db.url)
        .args(args)
        .env("JINENG_ACTOR", actor)
        .current_dir(db.dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn jineng")
}

/// Starts every (actor, args) command at once and waits for all; fails
/// unless each ended in success or a refusal (exit 0 or 1).
fn run_all(db: &TestDb, commands: Vec<(String, Vec<String>)>) {
    let running: Vec<(Vec<String>, Child)> = commands
        .into_iter()
        .map(|(actor, args)| {
            let child = spawn(db, &actor, &args);
            (args, child)
        })
        .collect();
    let done: Vec<_> = running
        .into_iter()
        .map(|(args, child)| (args, child.wait_with_output().unwrap()))
        .collect();
    let mut codes: BTreeMap<String, usize> = BTreeMap::new();
    for (args, out) in &done {
        let code = out.status.code();
        *codes.entry(format!("{} → {code:?}", args[1])).or_default() += 1;
        if !matches!(code, Some(0 | 1)) {
            eprintln!(
                "[{}] jineng {args:?} → {code:?}\n{}{}",
                db.backend,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    eprintln!("[{}] exit codes: {codes:?}", db.backend);
    for (args, out) in &done {
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "[{}] jineng {args:?} failed with {:?} (not a refusal): {}",
            db.backend,
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// What must hold whatever the interleaving was, for each person of
/// `prefixes`; returns the paid claims.
fn check_invariants(db: &TestDb, stage: &str, prefixes: &[&str]) -> Vec<String> {
    let b = db.backend;
    let claims = export_claims(db);
    assert_eq!(claims.len(), CLAIMS.len() * prefixes.len(), "[{b}] {stage}");
    let status = |no: &str| claims[no]["status"].as_str().unwrap().to_string();
    let mut paid: Vec<String> = Vec::new();
    for p in prefixes {
        let of_person: Vec<_> = CLAIMS
            .iter()
            .map(|c| (format!("{p}{}", c.0), c.1, c.2, c.3))
            .collect();
        let standing: Vec<_> = of_person
            .iter()
            .filter(|c| COUNTING.contains(&status(&c.0).as_str()))
            .collect();
        let summary: Vec<String> = of_person
            .iter()
            .map(|c| format!("{} {}{} {}", c.0, c.2, c.3, status(&c.0)))
            .collect();
        eprintln!("[{b}] {stage}: {summary:?}");
        assert!(
            standing.len() <= 3,
            "[{b}] {stage}: R2 allows 3 a year, {} stand: {summary:#?}",
            standing.len()
        );
        let items: BTreeSet<_> = standing.iter().map(|c| (c.1, c.3)).collect();
        assert_eq!(
            items.len(),
            standing.len(),
            "[{b}] {stage}: R3, one occupation and level stands twice: {summary:#?}"
        );
        for c in &standing {
            assert!(
                claims[&c.0]["amount_fen"].as_i64().unwrap() > 0,
                "[{b}] {stage}: {:#}",
                claims[&c.0]
            );
        }
        paid.extend(
            of_person
                .iter()
                .filter(|c| status(&c.0) == "paid")
                .map(|c| c.0.clone()),
        );
    }
    // Exactly one payment per paid claim, none for the others.
    let pay_rows: BTreeMap<String, i64> = sql_rows(
        db,
        "SELECT claim_no, COUNT(*) FROM ledger_tx WHERE kind = 'pay' GROUP BY claim_no",
    )
    .into_iter()
    .map(|r| (r[0].clone(), r[1].parse().unwrap()))
    .collect();
    let want: BTreeMap<String, i64> = paid.iter().map(|c| (c.clone(), 1)).collect();
    assert_eq!(pay_rows, want, "[{b}] {stage}: payments per claim");
    let verify = db.run(&["ledger", "verify"]);
    assert_eq!(
        verify.status.code(),
        Some(0),
        "[{b}] {stage}: {}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let report: Value = serde_json::from_str(&db.ok(&["ledger", "report", "--json"])).unwrap();
    let funds = report.as_array().unwrap();
    let sum = |k: &str| funds.iter().map(|f| f[k].as_i64().unwrap()).sum::<i64>();
    let paid_fen: i64 = paid
        .iter()
        .map(|c| claims[c]["amount_fen"].as_i64().unwrap())
        .sum();
    assert_eq!(
        (sum("claims_paid"), sum("paid")),
        (paid.len() as i64, paid_fen),
        "[{b}] {stage}: the report agrees with the claims {report:#}"
    );
    paid
}

#[test]
fn concurrent_decide_approve_pay_keep_caps_and_pay_once() {
    let reg = registry(&["A"]);
    let nos: Vec<String> = CLAIMS.iter().map(|c| format!("A{}", c.0)).collect();
    for db in common::initialised("claims_conc") {
        let b = db.backend;
        reg.load(&db);
        db.ok(&["policy", "load", &policy_file("liaocheng-2019.toml")]);
        db.ok(&["ledger", "allocate", "--fund", "ES", "--amount", "100000"]);

        // 64 at once: decide, approve and pay, each on a few of the claims;
        // a second wave finds the first wave's decisions and approvals.
        for wave in 0..2usize {
            let commands = (0..64usize)
                .map(|i| {
                    let verb = ["decide", "approve", "pay"][(i + wave) % 3];
                    let take = 1 + (i * 7 + wave) % 4;
                    let mut args = vec!["claims".to_string(), verb.to_string()];
                    args.extend((0..take).map(|k| nos[(i * 5 + k * 3 + wave) % nos.len()].clone()));
                    (format!("clerk{wave}-{i}"), args)
                })
                .collect();
            run_all(&db, commands);
            check_invariants(
                &db,
                &format!("after wave {wave} of 64 concurrent commands"),
                &["A"],
            );
        }

        // Whatever was left: decided and approved one after the other, then
        // 16 officers pay at once.
        db.run(&["claims", "decide", "--all"]);
        db.run(&["claims", "approve", "--all"]);
        let commands = (0..16usize)
            .map(|i| {
                let mut args = vec!["claims".to_string(), "pay".to_string()];
                if i % 2 == 0 {
                    args.push("--all".into());
                } else {
                    args.extend(nos.iter().rev().cloned());
                }
                (format!("cashier{i}"), args)
            })
            .collect();
        run_all(&db, commands);
        let paid = check_invariants(&db, "after 16 concurrent payers", &["A"]);
        assert_eq!(paid.len(), 3, "[{b}] three a year, all paid: {paid:?}");

        // Paying a paid claim again is refused and changes nothing.
        let before = (
            export_claims(&db),
            db.ok(&["ledger", "report", "--json"]),
            sql_rows(&db, "SELECT COUNT(*) FROM audit_log"),
        );
        let out = db.run(&["claims", "pay", &paid[0]]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "[{b}] {stdout}");
        assert!(
            stdout.contains("支付 0 件") && stdout.contains("只有已核准的申领可以支付"),
            "[{b}] {stdout}"
        );
        let after = (
            export_claims(&db),
            db.ok(&["ledger", "report", "--json"]),
            sql_rows(&db, "SELECT COUNT(*) FROM audit_log"),
        );
        assert_eq!(after, before, "[{b}] a refused payment changes nothing");
        check_invariants(&db, "after paying a paid claim again", &["A"]);
    }
}

/// Every claim of three persons decided at the same moment, each by its own
/// process, while others approve and pay whatever is ready: each person
/// ends with exactly three standing claims of distinct items, all paid once.
#[test]
fn one_process_per_claim_never_exceeds_the_yearly_cap() {
    let people = ["A", "B", "C"];
    let reg = registry(&people);
    for db in common::initialised("claims_conc_each") {
        let b = db.backend;
        reg.load(&db);
        db.ok(&["policy", "load", &policy_file("liaocheng-2019.toml")]);
        db.ok(&["ledger", "allocate", "--fund", "ES", "--amount", "100000"]);
        let mut commands: Vec<Vec<String>> = Vec::new();
        for c in CLAIMS {
            for p in people {
                commands.push(vec![
                    "claims".into(),
                    "decide".into(),
                    format!("{p}{}", c.0),
                ]);
            }
        }
        for verb in ["approve", "pay"] {
            for _ in 0..4 {
                commands.push(vec!["claims".into(), verb.into(), "--all".into()]);
            }
        }
        let commands = commands
            .into_iter()
            .enumerate()
            .map(|(i, args)| (format!("clerk{i}"), args))
            .collect();
        run_all(&db, commands);
        check_invariants(&db, "after one decide per claim", &people);
        db.ok(&["claims", "approve", "--all"]);
        db.ok(&["claims", "pay", "--all"]);
        let paid = check_invariants(&db, "after approving and paying the rest", &people);
        assert_eq!(paid.len(), 3 * people.len(), "[{b}] {paid:?}");
    }
}

/// What a decision says of a claim, without when it was made.
fn decisions(db: &TestDb) -> BTreeMap<String, (String, i64, Value)> {
    export_claims(db)
        .into_iter()
        .map(|(no, c)| {
            let status = c["status"].as_str().unwrap().to_string();
            (
                no,
                (
                    status,
                    c["amount_fen"].as_i64().unwrap(),
                    c["rules"].clone(),
                ),
            )
        })
        .collect()
}

#[test]
fn a_batch_decided_a_person_per_transaction_decides_as_one_transaction_does() {
    // Six persons, eight claims each, in six transactions: side by side on
    // PostgreSQL, read ahead on SQLite; the caps still see every claim of
    // a person, as in one transaction.
    let people = ["A", "B", "C", "D", "E", "F"];
    let reg = registry(&people);
    let whole = common::initialised("claims_chunk_whole");
    let split = common::initialised("claims_chunk_split");
    for (one, each) in whole.iter().zip(&split) {
        let b = one.backend;
        for db in [one, each] {
            reg.load(db);
            db.ok(&["policy", "load", &policy_file("liaocheng-2019.toml")]);
        }
        let all = one.ok(&["claims", "decide", "--all", "--json"]);
        let chunked = each.ok(&["claims", "decide", "--all", "--chunk", "1", "--json"]);
        let summary = |s: &str| {
            let mut v: Value = serde_json::from_str(s).unwrap();
            v.as_object_mut()
                .unwrap()
                .retain(|k, _| k != "refused" && k != "held");
            v
        };
        assert_eq!(summary(&all), summary(&chunked), "[{b}] {all}");
        let (a, c) = (decisions(one), decisions(each));
        assert_eq!(a.len(), CLAIMS.len() * people.len(), "[{b}]");
        assert_eq!(a, c, "[{b}]");
        // R2 held in both: three awards a person a year, some refused.
        let capped = a
            .values()
            .filter(|d| d.2.to_string().contains("R2"))
            .count();
        assert!(capped >= people.len(), "[{b}] {a:?}");
    }
}
