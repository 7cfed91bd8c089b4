//! Two deployments exchanging federation tags (issue 13, acceptance): a
//! subsidy paid in Tianshui (A) is refused in Liaocheng (B) by R3 and R17
//! with a trace naming A, S6 in B opens a case naming A, and the tag file
//! holds neither the ID number nor its SHA-256 or MD5. A person A never
//! paid is approved in B (the near miss).

use super::common;
use super::common::fixtures::*;
use super::common::{credit, id};
use serde_json::Value;

const PEOPLE: &str = "姓名,身份证号码,户籍地,求职就业地";

fn key_file(db: &common::TestDb) -> String {
    let key = db.path("federation.key");
    std::fs::write(
        &key,
        "# 两地共同持有的联邦密钥\nf00dfeedc0ffee0123456789abcdef0123456789abcdef0123456789abcdef01\n",
    )
    .unwrap();
    key.to_str().unwrap().to_string()
}

fn cases(db: &common::TestDb) -> Vec<Value> {
    db.ok(&["supervise", "cases", "--status", "all", "--format", "jsonl"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_subsidy_paid_in_one_deployment_is_refused_in_the_other() {
    use md5::{Digest as _, Md5};
    use sha2::Sha256;
    // 周强: registered in 聊城 (户籍), worked and trained in 天水 in 2019.
    let zhou = id("371502", 1988, 6, 6, 66);
    // 吴敏: trained only in 聊城 (near miss).
    let wu = id("371502", 1990, 2, 2, 22);
    let ts_school = credit("620503", "3");
    let lc_school = credit("371502", "1");
    let tianshui = common::backends("fed_refuse_a");
    let liaocheng = common::backends("fed_refuse_b");
    for (a, b) in tianshui.iter().zip(&liaocheng) {
        let be = a.backend;
        // ---- A: Tianshui pays 周强 for 电工 四级.
        a.ok(&["init"]);
        a.ok(&["policy", "load", &policy_file("tianshui-2019.toml")]);
        a.ok(&[
            "supervise",
            "load",
            &policy_file("tianshui-2019.supervision.toml"),
        ]);
        load(
            a,
            "persons",
            PEOPLE,
            &[format!("周强,{zhou},371502,620503")],
        );
        load(
            a,
            "categories",
            CATEGORIES,
            &[format!("{zhou},企业职工,2015-01-01,,")],
        );
        load(
            a,
            "institutions",
            INSTITUTIONS,
            &[format!(
                "天水市技工学校,{ts_school},技工院校,620503,是,2019-01-01,"
            )],
        );
        load(
            a,
            "classes",
            CLASSES,
            &[format!(
                "TS19-21,{ts_school},就业技能培训,6-31-01-03,电工,四级,620503,2019-09-02,2019-09-27,120"
            )],
        );
        load(
            a,
            "roster",
            ROSTER,
            &[format!("TS19-21,{ts_school},周强,{zhou},120,0,合格")],
        );
        load(
            a,
            "certificates",
            CERTIFICATES,
            &[format!(
                "E-TS-1,职业技能等级证书,周强,{zhou},6-31-01-03,四级,2019-10-10,{ts_school},TS19-21"
            )],
        );
        load(
            a,
            "claims",
            CLAIMS,
            &[format!("TS-1,职业培训补贴,{zhou},E-TS-1,,,,2019-10-15,,")],
        );
        a.ok(&["claims", "decide", "TS-1"]);
        a.ok(&["claims", "approve", "TS-1"]);
        a.ok(&["ledger", "allocate", "--fund", "ES", "--amount", "50000"]);
        a.ok(&["claims", "pay", "TS-1"]);
        assert_eq!(export_claims(a)["TS-1"]["status"], "paid", "[{be}]");

        let key = key_file(a);
        let tags = a.path("tianshui-tags.jsonl");
        let tags = tags.to_str().unwrap();
        a.ok(&["federation", "export", "--key-file", &key, "--out", tags]);
        let text = std::fs::read_to_string(tags).unwrap();
        assert_eq!(text.lines().count(), 2, "[{be}] header + one paid subsidy");
        assert!(text.contains("\"deployment\":\"620500\""), "{text}");
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let lower = text.to_lowercase();
        assert!(!text.contains(&zhou) && !text.contains("周强"));
        assert!(!lower.contains(&hex(&Sha256::digest(zhou.as_bytes()))));
        assert!(!lower.contains(&hex(&Md5::digest(zhou.as_bytes()))));

        // ---- B: Liaocheng loads A's tags before its persons are imported.
        b.ok(&["init"]);
        b.ok(&["policy", "load", &policy_file("liaocheng-2019.toml")]);
        b.ok(&[
            "supervise",
            "load",
            &policy_file("liaocheng-2019.supervision.toml"),
        ]);
        let key_b = key_file(b);
        let import = ["federation", "import", tags, "--key-file", &key_b, "--json"];
        let r: Value = serde_json::from_str(&b.ok(&import)).unwrap();
        assert_eq!(
            (r["tags"].as_u64(), r["matched"].as_u64()),
            (Some(1), Some(0)),
            "[{be}] {r:#}"
        );

        load(
            b,
            "persons",
            PEOPLE,
            &[format!("周强,{zhou},371502,"), format!("吴敏,{wu},371502,")],
        );
        load(
            b,
            "categories",
            CATEGORIES,
            &[
                format!("{zhou},登记失业人员,2019-01-01,,"),
                format!("{wu},登记失业人员,2019-01-01,,"),
            ],
        );
        load(
            b,
            "institutions",
            INSTITUTIONS,
            &[format!(
                "聊城市技工学校,{lc_school},技工院校,371502,是,2018-01-01,"
            )],
        );
        load(
            b,
            "classes",
            CLASSES,
            &[format!(
                "LC19-31,{lc_school},就业技能培训,6-31-01-03,电工,四级,371502,2019-11-04,2019-11-29,120"
            )],
        );
        load(
            b,
            "roster",
            ROSTER,
            &[
                format!("LC19-31,{lc_school},周强,{zhou},120,0,合格"),
                format!("LC19-31,{lc_school},吴敏,{wu},120,0,合格"),
            ],
        );
        load(
            b,
            "certificates",
            CERTIFICATES,
            &[
                format!(
                    "E-LC-1,职业技能等级证书,周强,{zhou},6-31-01-03,四级,2019-12-10,{lc_school},LC19-31"
                ),
                format!(
                    "E-LC-2,职业技能等级证书,吴敏,{wu},6-31-01-03,四级,2019-12-10,{lc_school},LC19-31"
                ),
            ],
        );
        load(
            b,
            "claims",
            CLAIMS,
            &[
                format!("LC-1,职业培训补贴,{zhou},E-LC-1,,,,2019-12-15,,"),
                format!("LC-2,职业培训补贴,{wu},E-LC-2,,,,2019-12-15,,"),
            ],
        );
        assert!(
            !cases(b).iter().any(|c| c["check"] == "S6"),
            "[{be}] the tag is not matched yet"
        );
        // Matching again after the persons import finds 周强 and opens S6.
        let m: Value =
            serde_json::from_str(&b.ok(&["federation", "match", "--key-file", &key_b, "--json"]))
                .unwrap();
        assert_eq!(m["matched"], 1, "[{be}] {m:#}");
        assert_eq!(m["supervision"]["opened"], 1, "[{be}] {m:#}");
        let all = cases(b);
        let s6: Vec<&Value> = all.iter().filter(|c| c["check"] == "S6").collect();
        assert_eq!(s6.len(), 1, "[{be}] {all:#?}");
        assert_eq!(s6[0]["claim_nos"], serde_json::json!(["LC-1"]), "[{be}]");
        let evidence = s6[0]["evidence"].as_str().unwrap();
        assert!(
            evidence.contains("部署「620500」已发放的职业培训补贴"),
            "[{be}] {evidence}"
        );
        assert!(!evidence.contains(&zhou), "[{be}] unmasked ID: {evidence}");
        // The same tags again: nothing new, the case is not opened twice.
        let again: Value = serde_json::from_str(&b.ok(&import)).unwrap();
        assert_eq!(
            (again["inserted"].as_u64(), again["matched"].as_u64()),
            (Some(0), Some(1)),
            "[{be}] {again:#}"
        );
        assert_eq!(again["supervision"]["opened"], 0, "[{be}] {again:#}");

        // 周强's claim is refused naming Tianshui; 吴敏's is approved.
        b.ok(&["claims", "decide", "--all"]);
        let got = export_claims(b);
        assert_eq!(
            claim_line(&got["LC-1"]),
            serde_json::json!(["rejected", "rejected", 0, ["R3", "R17"], null, null, 2019]),
            "[{be}] {:#}",
            got["LC-1"]
        );
        assert_eq!(
            got["LC-2"]["outcome"], "approved",
            "[{be}] {:#}",
            got["LC-2"]
        );
        assert_contains(
            b,
            &show_claim(b, "LC-1"),
            &[
                "R3",
                "该人员已于 2019 年在 620500（其他部署）领取同职业同等级职业培训补贴",
                "R17",
                "已于 2019 年在 620500（其他部署）发放，不得多头申领",
                "结论：不予核准",
            ],
        );
    }
}
