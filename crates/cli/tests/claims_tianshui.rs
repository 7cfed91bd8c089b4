//! Worked examples 3 and 4 of docs/spec/POLICY.md under Tianshui's policy, through
//! the binary on both backends: the living allowance of a poor labourer
//! trained in a deep-poverty county, and 以工代训 capped at 6 months.

use crate::common;
use common::fixtures::{
    Registry, assert_contains, claim_line, export_claims, policy_file, show_claim,
};
use common::{credit, id};
use serde_json::{Value, json};

/// Examples 3 and 4 under Tianshui's policy: the living allowance in a
/// deep-poverty county, and 以工代训 capped at 6 months.
#[test]
fn examples_3_and_4_tianshui_allowance_and_work_training() {
    let poor = id("620525", 1992, 4, 18, 62);
    let (yang, li) = (id("620503", 1990, 9, 1, 21), id("620522", 1987, 1, 30, 84));
    let school = credit("620525", "3");
    let firm = credit("620503", "4");
    let reg = Registry {
        regions: vec!["620525,张家川回族自治县,,是".into()],
        persons: vec![
            format!("马小花,{poor},620525"),
            format!("杨二娃,{yang},620503"),
            format!("李梅,{li},620522"),
        ],
        categories: [&poor, &yang, &li]
            .iter()
            .map(|p| format!("{p},贫困劳动力,2019-01-01,,建档立卡"))
            .collect(),
        institutions: vec![
            format!("张家川县职业技术学校,{school},职业院校,620525,是,2019-01-01,"),
            format!("天水长城果汁饮料有限公司,{firm},企业,620503,否,,"),
        ],
        // Ten days: 8 to 17 October.
        classes: vec![format!(
            "TS19-01,{school},就业技能培训,4-03-02-02,中式面点师,五级,620525,2019-10-08,2019-10-17,80"
        )],
        roster: vec![format!("TS19-01,{school},马小花,{poor},80,0,合格")],
        claims: vec![
            format!("EX3-1,生活费补贴,{poor},,TS19-01,{school},,2019-10-20,,"),
            format!("EX4-1,以工代训补贴,{yang},,,,{firm},2020-03-10,8,"),
            format!("EX4-2,以工代训补贴,{li},,,,{firm},2020-03-10,8,"),
        ],
        ..Registry::default()
    };
    for db in common::initialised("claims_ex34") {
        let b = db.backend;
        reg.load(&db);
        db.ok(&["policy", "load", &policy_file("tianshui-2019.toml")]);

        // Example 3: 10 days × 30元 × 1.2 = 360元, to the trainee.
        db.ok(&["claims", "decide", "EX3-1"]);
        let got = export_claims(&db);
        assert_eq!(
            claim_line(&got["EX3-1"]),
            json!(["eligible", "approved", 36_000, [], "person", null, 2019]),
            "[{b}] {:#}",
            got["EX3-1"]
        );
        assert_contains(
            &db,
            &show_claim(&db, "EX3-1"),
            &[
                "R8",
                "培训 10 天 × 36.00 元",
                "深度贫困县上浮 20%",
                "= 360.00 元",
                "贫困劳动力",
            ],
        );

        // Example 4: 8 months claimed, 6 paid at 200元, to the enterprise.
        let s: Value =
            serde_json::from_str(&db.ok(&["claims", "decide", "EX4-1", "EX4-2", "--json"]))
                .unwrap();
        assert_eq!(
            (
                s["decided"].as_u64(),
                s["approved"].as_u64(),
                s["amount_fen"].as_i64()
            ),
            (Some(2), Some(2), Some(240_000)),
            "[{b}] {s}"
        );
        let got = export_claims(&db);
        for no in ["EX4-1", "EX4-2"] {
            assert_eq!(
                claim_line(&got[no]),
                json!([
                    "eligible",
                    "approved",
                    120_000,
                    [],
                    "enterprise",
                    firm,
                    2020
                ]),
                "[{b}] {no}: {:#}",
                got[no]
            );
        }
        assert_contains(
            &db,
            &show_claim(&db, "EX4-2"),
            &[
                "R10",
                "申请 8 个月，此前已享受 0 个月，最长 6 个月，核定 6 个月 × 200.00 元 = 1,200.00 元",
                "天水长城果汁饮料有限公司（企业）",
            ],
        );
        let total: i64 = got.values().filter_map(|c| c["amount_fen"].as_i64()).sum();
        assert_eq!(total, 36_000 + 240_000, "[{b}]");
    }
}
