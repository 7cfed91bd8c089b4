//! Worked examples 1 and 2 of docs/spec/POLICY.md (3 and 4: claims_tianshui.rs),
//! through the binary on both backends: the registry imported with the
//! templates, the policy file loaded, the claims decided, and what an
//! officer checks — the export, the decision's reasons (`claims show`),
//! the payment and the audit trail.

use crate::common;
use common::fixtures::{
    Registry, assert_contains, claim_line, export_claims, policy_file, show_claim, sql_rows,
};
use common::{credit, id};
use serde_json::{Value, json};

/// Example 1: a rural migrant worker's five certificates, 2019–2020.
#[test]
fn example_1_three_a_year_then_a_new_year() {
    let pid = id("371502", 1985, 3, 12, 11);
    let school = credit("371502", "1");
    let centre = credit("371502", "5");
    // (occupation, name, level, class dates, certificate date)
    let certs = [
        (
            "6-31-01-03",
            "电工",
            "五级",
            "2019-03-01",
            "2019-03-20",
            "2019-04-10",
        ),
        (
            "6-18-02-04",
            "焊工",
            "五级",
            "2019-05-06",
            "2019-05-25",
            "2019-06-15",
        ),
        (
            "4-10-01-06",
            "家政服务员",
            "四级",
            "2019-08-01",
            "2019-08-20",
            "2019-09-10",
        ),
        (
            "4-10-01-05",
            "养老护理员",
            "五级",
            "2019-11-01",
            "2019-11-20",
            "2019-12-10",
        ),
        (
            "4-07-05-01",
            "保安员",
            "五级",
            "2019-12-02",
            "2019-12-21",
            "2020-01-08",
        ),
    ];
    let mut reg = Registry {
        persons: vec![format!("刘强,{pid},371502")],
        categories: vec![format!("{pid},农村转移就业劳动者,2018-01-01,,")],
        institutions: vec![
            format!("聊城市技工学校,{school},技工院校,371502,是,2018-01-01,"),
            format!("聊城市职业技能鉴定中心,{centre},评价机构,371502,否,,"),
        ],
        ..Registry::default()
    };
    for (i, (occ, name, level, start, end, issued)) in certs.iter().enumerate() {
        let n = i + 1;
        reg.classes.push(format!(
            "LC-{n},{school},就业技能培训,{occ},{name},{level},371502,{start},{end},80"
        ));
        reg.passed(&format!("LC-{n}"), &school, "刘强", &pid);
        reg.certificates.push(format!(
            "E1-{n},职业技能等级证书,刘强,{pid},{occ},{level},{issued},{centre},LC-{n}"
        ));
        reg.training_claim(&format!("EX1-{n}"), &pid, &format!("E1-{n}"), issued);
    }
    for db in common::initialised("claims_ex1") {
        let b = db.backend;
        reg.load(&db);
        db.ok(&["policy", "load", &policy_file("liaocheng-2019.toml")]);
        let out = db.ok(&["claims", "decide", "--all"]);
        assert_contains(&db, &out, &["决定 5 件：核准 4 件，不予核准 1 件"]);

        let got = export_claims(&db);
        let approved = |fen: i64, year: i64| {
            json!(["eligible", "approved", fen, [], "institution", school, year])
        };
        let want = [
            approved(100_000, 2019), // 电工 五级, class A
            approved(100_000, 2019), // 焊工 五级, class A
            approved(120_000, 2019), // 家政服务员 四级, class B
            json!(["rejected", "rejected", 0, ["R2"], null, null, 2019]),
            approved(50_000, 2020), // 保安员 五级, class C, a new year
        ];
        assert_eq!(got.len(), 5, "[{b}] {got:#?}");
        for (n, want) in want.iter().enumerate() {
            let no = format!("EX1-{}", n + 1);
            assert_eq!(&claim_line(&got[&no]), want, "[{b}] {no}: {:#}", got[&no]);
        }

        let fourth = show_claim(&db, "EX1-4");
        assert_contains(
            &db,
            &fourth,
            &[
                "申领 #EX1-4",
                "养老护理员 五级",
                "R2",
                "2019年已享受 3 次",
                "已达每人每年 3 次上限",
                "聊政办发〔2019〕10号 二十一",
                "结论：不予核准",
            ],
        );
        assert!(!fourth.contains(&pid), "[{b}] the ID is masked: {fourth}");
        let fifth = show_claim(&db, "EX1-5");
        assert_contains(
            &db,
            &fifth,
            &[
                "2020年已享受 0 次",
                "结论：核准 500.00 元",
                "聊城市技工学校（培训机构）",
            ],
        );

        // The officer approves the first three and turns the fifth down.
        let out = db.ok(&["claims", "approve", "EX1-1", "EX1-2", "EX1-3"]);
        assert_contains(&db, &out, &["核准 3 件，合计 3200.00元"]);
        db.ok(&[
            "claims",
            "reject",
            "EX1-5",
            "--reason",
            "证书真伪待核，退回补正",
        ]);
        // A claim the engine refused cannot be approved by naming it.
        let out = db.run(&["claims", "approve", "EX1-4"]);
        let got = export_claims(&db);
        assert_eq!(
            (
                got["EX1-4"]["status"].as_str(),
                got["EX1-4"]["amount_fen"].as_i64()
            ),
            (Some("rejected"), Some(0)),
            "[{b}] approve EX1-4 → {:?} {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout)
        );
        let statuses: Vec<&str> = got
            .values()
            .map(|c| c["status"].as_str().unwrap())
            .collect();
        assert_eq!(
            statuses,
            ["approved", "approved", "approved", "rejected", "rejected"],
            "[{b}]"
        );
        assert_eq!(got["EX1-5"]["amount_fen"], 0, "[{b}]");

        // The audit trail names who approved and rejected which claim.
        let audit = sql_rows(
            &db,
            "SELECT action, entity_key, actor, after FROM audit_log \
             WHERE entity = 'claim' AND action IN ('approve', 'reject') ORDER BY audit_id",
        );
        let who: Vec<[&str; 3]> = audit
            .iter()
            .map(|r| [r[0].as_str(), r[1].as_str(), r[2].as_str()])
            .collect();
        assert_eq!(
            who,
            [
                ["approve", "EX1-1", "cli:tester"],
                ["approve", "EX1-2", "cli:tester"],
                ["approve", "EX1-3", "cli:tester"],
                ["reject", "EX1-5", "cli:tester"],
            ],
            "[{b}] {audit:#?}"
        );
        assert!(audit[3][3].contains("证书真伪待核"), "[{b}] {audit:#?}");
    }
}

/// Example 2: 电工 四级 paid in 2019; the same occupation and level again in
/// 2020, assessed elsewhere, is refused by R3.
#[test]
fn example_2_same_occupation_and_level_never_twice() {
    let pid = id("371521", 1988, 7, 2, 42);
    let school = credit("371502", "1");
    let liaocheng = credit("371502", "5");
    let jinan = credit("370102", "7");
    let reg = Registry {
        persons: vec![format!("陈静,{pid},371521")],
        categories: vec![format!(
            "{pid},登记失业人员,2019-01-01,,就业创业证 3715210001"
        )],
        institutions: vec![format!(
            "聊城市技工学校,{school},技工院校,371502,是,2018-01-01,"
        )],
        classes: vec![
            format!(
                "LC19-11,{school},就业技能培训,6-31-01-03,电工,四级,371502,2019-05-06,2019-05-31,120"
            ),
            format!(
                "LC20-02,{school},岗位技能提升培训,6-31-01-03,电工,四级,371502,2020-06-01,2020-06-30,120"
            ),
        ],
        roster: vec![
            format!("LC19-11,{school},陈静,{pid},120,0,合格"),
            format!("LC20-02,{school},陈静,{pid},100,20,合格"),
        ],
        certificates: vec![
            format!(
                "E19-1001,职业技能等级证书,陈静,{pid},6-31-01-03,四级,2019-06-20,{liaocheng},LC19-11"
            ),
            format!(
                "E20-2001,职业技能等级证书,陈静,{pid},6-31-01-03,四级,2020-07-15,{jinan},LC20-02"
            ),
        ],
        claims: vec![
            format!("EX2-1,职业培训补贴,{pid},E19-1001,,,,2019-06-25,,"),
            format!("EX2-2,职业培训补贴,{pid},E20-2001,,,,2020-07-20,,"),
        ],
        ..Registry::default()
    };
    for db in common::initialised("claims_ex2") {
        let b = db.backend;
        reg.load(&db);
        db.ok(&["policy", "load", &policy_file("liaocheng-2019.toml")]);

        // 2019: decided, approved, paid from the dedicated account.
        db.ok(&["claims", "decide", "EX2-1"]);
        db.ok(&["claims", "approve", "EX2-1"]);
        db.ok(&["ledger", "allocate", "--fund", "ES", "--amount", "5000"]);
        let out = db.ok(&["claims", "pay", "EX2-1"]);
        assert_contains(&db, &out, &["支付 1 件，合计 1500.00元"]);
        let got = export_claims(&db);
        assert_eq!(
            claim_line(&got["EX2-1"]),
            json!(["paid", "approved", 150_000, [], "person", null, 2019]),
            "[{b}] 登记失业人员 is not a free group in Liaocheng: paid to the person"
        );
        assert_eq!(got["EX2-2"]["status"], "submitted", "[{b}]");

        // 2020: the same occupation and level → R3.
        let out = db.ok(&["claims", "decide", "EX2-2"]);
        assert_contains(&db, &out, &["决定 1 件：核准 0 件，不予核准 1 件"]);
        let got = export_claims(&db);
        assert_eq!(
            claim_line(&got["EX2-2"]),
            json!(["rejected", "rejected", 0, ["R3"], null, null, 2020]),
            "[{b}] {:#}",
            got["EX2-2"]
        );
        assert_eq!(got["EX2-1"]["status"], "paid", "[{b}]");
        // An officer cannot approve what was rejected: told why, exit 1.
        let out = db.run(&["claims", "approve", "EX2-2", "NO-SUCH"]);
        assert_eq!(out.status.code(), Some(1), "[{b}]");
        let text = String::from_utf8_lossy(&out.stdout);
        assert_contains(
            &db,
            &text,
            &[
                "核准 0 件",
                "EX2-2：状态为「不予核准」，不能核准",
                "NO-SUCH：没有这个申领编号",
            ],
        );
        assert_eq!(export_claims(&db)["EX2-2"]["status"], "rejected", "[{b}]");
        assert_contains(
            &db,
            &show_claim(&db, "EX2-2"),
            &[
                "R3",
                "电工 四级",
                "已享受过（申领 #EX2-1）",
                "2020年已享受 0 次",
                "聊政办发〔2019〕10号 二十一",
                "结论：不予核准",
            ],
        );
        assert_eq!(db.ok(&["ledger", "verify"]).trim(), "专账校验通过", "[{b}]");
        let report: Value = serde_json::from_str(&db.ok(&["ledger", "report", "--json"])).unwrap();
        let es = report
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "ES")
            .unwrap();
        assert_eq!(
            (
                es["paid"].as_i64(),
                es["claims_paid"].as_i64(),
                es["bank"].as_i64()
            ),
            (Some(150_000), Some(1), Some(350_000)),
            "[{b}] {es:#}"
        );
    }
}
