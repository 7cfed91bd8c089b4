//! Two deployments exchanging federation tags (issue 13, acceptance): a
//! subsidy paid in Tianshui (A) is refused in Liaocheng (B) by R3 and R17
//! with a trace naming A, S6 in B opens a case naming A, and the tag file
//! holds neither the ID numbers nor their SHA-256 or MD5. A person A never
//! paid is approved in B (the near miss). Months of 以工代训 paid in A are
//! not paid again in B; the months next to them are.

use super::common;
use super::common::fixtures::*;
use super::common::{credit, id};
use serde_json::{Value, json};

const PEOPLE: &str = "姓名,身份证号码,户籍地,求职就业地";
const MONTH_CLAIMS: &str = "申领编号,补贴类型,身份证号码,证书编号,班级编号,统一社会信用代码,申领单位,申请日期,月数,申请金额,起始月份,截止月份";

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

/// The people of the exchange.
struct People {
    /// 周强: registered in 聊城 (户籍), worked and trained in 天水 in 2019.
    zhou: String,
    /// 吴敏: trained only in 聊城 (the near miss).
    wu: String,
    /// 杨二娃: 以工代训 in 天水 March–May 2020, then in 聊城 April–July.
    yang: String,
}

/// Tianshui pays 周强 for 电工 四级 and 杨二娃's 以工代训 months, and
/// exports its tags; returns the tag file's path.
fn tianshui_pays(a: &common::TestDb, who: &People) -> String {
    let (zhou, yang) = (&who.zhou, &who.yang);
    let school = credit("620503", "3");
    let firm = credit("620503", "4");
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
        &[
            format!("周强,{zhou},371502,620503"),
            format!("杨二娃,{yang},620503,"),
        ],
    );
    let registry = Registry {
        categories: vec![
            format!("{zhou},企业职工,2015-01-01,,"),
            format!("{yang},贫困劳动力,2016-01-01,,"),
        ],
        institutions: vec![
            format!("天水市技工学校,{school},技工院校,620503,是,2019-01-01,"),
            format!("天水长城果汁饮料有限公司,{firm},企业,620503,否,,"),
        ],
        classes: vec![format!(
            "TS19-21,{school},就业技能培训,6-31-01-03,电工,四级,620503,2019-09-02,2019-09-27,120"
        )],
        roster: vec![format!("TS19-21,{school},周强,{zhou},120,0,合格")],
        certificates: vec![format!(
            "E-TS-1,职业技能等级证书,周强,{zhou},6-31-01-03,四级,2019-10-10,{school},TS19-21"
        )],
        claims: vec![format!("TS-1,职业培训补贴,{zhou},E-TS-1,,,,2019-10-15,,")],
        ..Registry::default()
    };
    registry.load(a);
    load(
        a,
        "claims",
        MONTH_CLAIMS,
        &[format!(
            "TS-2,以工代训补贴,{yang},,,,{firm},2020-06-10,,,2020-03,2020-05"
        )],
    );
    a.ok(&["claims", "decide", "TS-1", "TS-2"]);
    a.ok(&["claims", "approve", "TS-1", "TS-2"]);
    a.ok(&["ledger", "allocate", "--fund", "ES", "--amount", "50000"]);
    a.ok(&["claims", "pay", "TS-1", "TS-2"]);
    let paid = export_claims(a);
    for no in ["TS-1", "TS-2"] {
        assert_eq!(paid[no]["status"], "paid", "[{}] {:#}", a.backend, paid[no]);
    }
    let key = key_file(a);
    let tags = a.path("tianshui-tags.jsonl").to_str().unwrap().to_string();
    a.ok(&["federation", "export", "--key-file", &key, "--out", &tags]);
    tags
}

/// Liaocheng's registry: the same 周强 and 杨二娃, and 吴敏, each claiming.
fn liaocheng_registry(b: &common::TestDb, who: &People) {
    let (zhou, wu, yang) = (&who.zhou, &who.wu, &who.yang);
    let school = credit("371502", "1");
    let firm = credit("371502", "4");
    let cert = |no: &str, name: &str, pid: &str| {
        format!("{no},职业技能等级证书,{name},{pid},6-31-01-03,四级,2019-12-10,{school},LC19-31")
    };
    load(
        b,
        "persons",
        PEOPLE,
        &[
            format!("周强,{zhou},371502,"),
            format!("吴敏,{wu},371502,"),
            format!("杨二娃,{yang},620503,371502"),
        ],
    );
    Registry {
        categories: vec![
            format!("{zhou},登记失业人员,2019-01-01,,"),
            format!("{wu},登记失业人员,2019-01-01,,"),
            format!("{yang},贫困劳动力,2016-01-01,,"),
        ],
        institutions: vec![
            format!("聊城市技工学校,{school},技工院校,371502,是,2018-01-01,"),
            format!("聊城市某食品有限公司,{firm},企业,371502,否,,"),
        ],
        classes: vec![format!(
            "LC19-31,{school},就业技能培训,6-31-01-03,电工,四级,371502,2019-11-04,2019-11-29,120"
        )],
        roster: vec![
            format!("LC19-31,{school},周强,{zhou},120,0,合格"),
            format!("LC19-31,{school},吴敏,{wu},120,0,合格"),
        ],
        certificates: vec![cert("E-LC-1", "周强", zhou), cert("E-LC-2", "吴敏", wu)],
        claims: vec![
            format!("LC-1,职业培训补贴,{zhou},E-LC-1,,,,2019-12-15,,"),
            format!("LC-2,职业培训补贴,{wu},E-LC-2,,,,2019-12-15,,"),
        ],
        ..Registry::default()
    }
    .load(b);
    load(
        b,
        "claims",
        MONTH_CLAIMS,
        &[format!(
            "LC-3,以工代训补贴,{yang},,,,{firm},2020-08-10,,,2020-04,2020-07"
        )],
    );
}

#[test]
fn a_subsidy_paid_in_one_deployment_is_refused_in_the_other() {
    use md5::{Digest as _, Md5};
    use sha2::Sha256;
    let who = People {
        zhou: id("371502", 1988, 6, 6, 66),
        wu: id("371502", 1990, 2, 2, 22),
        yang: id("620503", 1990, 9, 1, 21),
    };
    let tianshui = common::backends("fed_refuse_a");
    let liaocheng = common::backends("fed_refuse_b");
    for (a, b) in tianshui.iter().zip(&liaocheng) {
        let be = a.backend;
        let tags = tianshui_pays(a, &who);
        let text = std::fs::read_to_string(&tags).unwrap();
        assert_eq!(
            text.lines().count(),
            3,
            "[{be}] header + two paid subsidies"
        );
        assert!(text.contains("\"deployment\":\"620500\""), "{text}");
        assert!(
            text.contains("\"first_month\":\"2020-03\",\"months\":3"),
            "[{be}] the months paid: {text}"
        );
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let lower = text.to_lowercase();
        for (pid, name) in [(&who.zhou, "周强"), (&who.yang, "杨二娃")] {
            assert!(!text.contains(pid.as_str()) && !text.contains(name));
            assert!(!lower.contains(&hex(&Sha256::digest(pid.as_bytes()))));
            assert!(!lower.contains(&hex(&Md5::digest(pid.as_bytes()))));
        }

        // ---- B loads A's tags before its persons are imported.
        b.ok(&["init"]);
        b.ok(&["policy", "load", &policy_file("liaocheng-2019.toml")]);
        b.ok(&[
            "supervise",
            "load",
            &policy_file("liaocheng-2019.supervision.toml"),
        ]);
        let key = key_file(b);
        let import = ["federation", "import", &tags, "--key-file", &key, "--json"];
        let r: Value = serde_json::from_str(&b.ok(&import)).unwrap();
        assert_eq!(
            (r["tags"].as_u64(), r["matched"].as_u64()),
            (Some(2), Some(0)),
            "[{be}] {r:#}"
        );
        liaocheng_registry(b, &who);
        assert!(
            !cases(b).iter().any(|c| c["check"] == "S6"),
            "[{be}] the tags are not matched yet"
        );
        // Matching after the persons import finds 周强 and 杨二娃; S6 opens.
        let m: Value =
            serde_json::from_str(&b.ok(&["federation", "match", "--key-file", &key, "--json"]))
                .unwrap();
        assert_eq!(m["matched"], 2, "[{be}] {m:#}");
        assert_eq!(m["supervision"]["opened"], 2, "[{be}] {m:#}");
        let all = cases(b);
        let s6: Vec<&Value> = all.iter().filter(|c| c["check"] == "S6").collect();
        assert_eq!(s6.len(), 2, "[{be}] {all:#?}");
        let of = |claim: &str| -> String {
            let c = s6
                .iter()
                .find(|c| c["claim_nos"] == json!([claim]))
                .unwrap_or_else(|| panic!("[{be}] no S6 case for {claim}: {s6:#?}"));
            c["evidence"].as_str().unwrap().to_string()
        };
        let evidence = of("LC-1");
        assert!(
            evidence.contains("部署「620500」已发放的职业培训补贴"),
            "[{be}] {evidence}"
        );
        assert!(
            !evidence.contains(&who.zhou),
            "[{be}] unmasked ID: {evidence}"
        );
        let months = of("LC-3");
        assert!(
            months.contains("人月 2020年4月至2020年5月重复申领")
                && months.contains("部署「620500」已发放的以工代训补贴"),
            "[{be}] {months}"
        );
        // The same tags again: nothing new, no case opened twice.
        let again: Value = serde_json::from_str(&b.ok(&import)).unwrap();
        assert_eq!(
            (again["inserted"].as_u64(), again["matched"].as_u64()),
            (Some(0), Some(2)),
            "[{be}] {again:#}"
        );
        assert_eq!(again["supervision"]["opened"], 0, "[{be}] {again:#}");

        // 周强's claim is refused naming Tianshui; 吴敏's is approved; 杨二娃
        // is paid June and July only.
        b.ok(&["claims", "decide", "--all"]);
        let got = export_claims(b);
        assert_eq!(
            claim_line(&got["LC-1"]),
            json!(["rejected", "rejected", 0, ["R3", "R17"], null, null, 2019]),
            "[{be}] {:#}",
            got["LC-1"]
        );
        assert_eq!(
            got["LC-2"]["outcome"], "approved",
            "[{be}] {:#}",
            got["LC-2"]
        );
        assert_eq!(
            (
                got["LC-3"]["outcome"].as_str(),
                got["LC-3"]["amount_fen"].as_i64()
            ),
            (Some("approved"), Some(40_000)),
            "[{be}] {:#}",
            got["LC-3"]
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
        assert_contains(
            b,
            &show_claim(b, "LC-3"),
            &["其中 2 个月已在 620500（其他部署）享受，同一人同一月份只补贴一次"],
        );
    }
}
