//! Supervision through the binary (docs/supervision.md): a supervision file
//! loaded, real imports with one planted hit and one near miss per check,
//! cases opened at import and by `supervise scan`, closing, and the
//! comparison-list template; on both backends.

use crate::common;
use common::fixtures::*;
use common::{assert_error, id, initialised};
use serde_json::Value;
use std::collections::BTreeMap;

/// 双随机 draws, credit ratings and federation tags.
#[path = "supervision/exchange.rs"]
mod exchange;

/// Another deployment's paid subsidy refused here (R3, R17) and found by S6.
#[path = "supervision/federation_refusal.rs"]
mod federation_refusal;

/// Online sessions (线上学习记录) and check S10.
#[path = "supervision/sessions.rs"]
mod sessions;

/// Small thresholds, so that each pattern needs only a handful of rows.
const CHECKS: &str = r#"
[checks.S1]
clause = "二十四"
severity = "高"
[checks.S2]
clause = "二十四"
daily_max_hours = 8
[checks.S3]
clause = "二十四"
days_after = 90
[checks.S4]
clause = "二十四"
[checks.S5]
clause = "二十四"
training_types = ["就业技能培训"]
[checks.S6]
clause = "二十四"
cert_subsidy_types = ["职业培训补贴", "技能提升补贴"]
[checks.S7]
clause = "二十四"
min_persons = 3
[checks.S8]
clause = "二十四"
pass_rate_min_class_size = 3
assessor_daily_max = 2
[checks.S9]
clause = "二十四"
"#;

const PEOPLE: &str = "姓名,身份证号码,户籍地,联系电话";
const WATCHLIST: &str = "名单类型,身份证号码,姓名,起始日期,截止日期,来源,参保单位";

/// Person `n` (1-based) of the test registry.
fn p(n: u16) -> String {
    id("371502", 1980, 1, 1 + u32::from(n), n)
}

fn name(n: u16) -> String {
    format!(
        "学员{}",
        ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"][n as usize - 1]
    )
}

/// The registry with the planted patterns; returns the school's code.
fn registry(db: &common::TestDb, f: &Fx) {
    let people: Vec<String> = (1..=10)
        .map(|n| {
            // S7: 7, 8, 9 share a phone (hit); 4 and 10 share one (near miss: 2 < 3).
            let phone = match n {
                7..=9 => "13900000007".to_string(),
                4 | 10 => "13900000004".to_string(),
                _ => format!("1380000{n:04}"),
            };
            format!("{},{},371502,{phone}", name(n), p(n))
        })
        .collect();
    load(db, "persons", PEOPLE, &people);
    let (h, rows) = base_rows("institutions", f);
    load(db, "institutions", h, &rows);
    let class = |no: &str, kind: &str, from: &str, to: &str, hours: u32| {
        format!(
            "{no},{},{kind},6-31-01-03,电工,五级,371502,{from},{to},{hours}",
            f.school
        )
    };
    load(
        db,
        "classes",
        CLASSES,
        &[
            // A: 10 days × 8 = 80 hours (S2 near miss).
            class("A", "就业技能培训", "2024-03-01", "2024-03-10", 80),
            // B: 11 days, 200 hours (S2 hit); overlaps A on 03-10.
            class("B", "岗位技能提升培训", "2024-03-10", "2024-03-20", 200),
            // C: starts the day after A ends (S1 near miss).
            class("C", "就业技能培训", "2024-03-11", "2024-03-20", 40),
        ],
    );
    // S9: one teacher in T1 and T2 at once (hit), and in T3 later (near miss).
    let teacher = id("371502", 1975, 5, 5, 77);
    let taught = |no: &str, from: &str, to: &str| {
        format!(
            "{},王老师,{teacher}",
            class(no, "岗位技能提升培训", from, to, 40)
        )
    };
    load(
        db,
        "classes",
        &format!("{CLASSES},授课教师姓名,授课教师身份证号码"),
        &[
            taught("T1", "2024-04-01", "2024-04-10"),
            taught("T2", "2024-04-05", "2024-04-15"),
            taught("T3", "2024-04-20", "2024-04-30"),
        ],
    );
}

fn roster_rows(f: &Fx) -> Vec<String> {
    let r = |class: &str, n: u16, result: &str| {
        format!("{class},{},{},{},20,0,{result}", f.school, name(n), p(n))
    };
    vec![
        // A: 1, 2, 5 all passed (S8 pass-rate hit with 3 trainees).
        r("A", 1, "合格"),
        r("A", 2, "合格"),
        r("A", 5, "合格"),
        // B: 1 again (S1 hit: A and B share 03-10); 6 (insured, but B is not 就业技能培训).
        r("B", 1, "合格"),
        r("B", 6, "合格"),
        // C: 2 (after A: near miss), 3 (dead, S4 hit), 4, 7-10; 10 failed (S8 near miss).
        r("C", 2, "合格"),
        r("C", 3, "合格"),
        r("C", 4, "合格"),
        r("C", 7, "合格"),
        r("C", 8, "合格"),
        r("C", 9, "合格"),
        r("C", 10, "不合格"),
    ]
}

fn cases(db: &common::TestDb, status: &str) -> Vec<Value> {
    db.ok(&[
        "supervise",
        "cases",
        "--status",
        status,
        "--format",
        "jsonl",
    ])
    .lines()
    .map(|l| serde_json::from_str(l).unwrap())
    .collect()
}

/// Cases by check: the sorted record lists each names.
fn by_check(cases: &[Value]) -> BTreeMap<String, Vec<Vec<String>>> {
    let mut out: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    for c in cases {
        let mut keys = Vec::new();
        for field in ["claim_nos", "class_nos", "cert_nos"] {
            for v in c[field].as_array().unwrap() {
                keys.push(v.as_str().unwrap().to_string());
            }
        }
        out.entry(c["check"].as_str().unwrap().to_string())
            .or_default()
            .push(keys);
    }
    out
}

/// `supervise close CASE --finding F --note N`.
fn close(db: &common::TestDb, case: &str, finding: &str, note: &str) -> std::process::Output {
    db.run(&[
        "supervise",
        "close",
        case,
        "--finding",
        finding,
        "--note",
        note,
    ])
}

fn scan(db: &common::TestDb) -> Value {
    serde_json::from_str(&db.ok(&["supervise", "scan", "--json"])).unwrap()
}

/// The full scan read in chunks of whole persons and classes (as small as
/// one a chunk) finds what one batch of every row finds.
fn chunked_scan_finds_what_one_batch_finds(db: &common::TestDb) {
    use jineng_store::ScanMode;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = db.store().await;
        let sup = store.supervision().await.unwrap().unwrap();
        let prints = |hits: Vec<jineng_domain::supervision::Hit>| {
            hits.iter()
                .map(|h| format!("{}:{}", h.check.as_str(), h.fingerprint))
                .collect::<std::collections::BTreeSet<String>>()
        };
        let whole = prints(store.scan_hits(&sup, ScanMode::Whole).await.unwrap());
        assert_eq!(whole.len(), 10, "[{}] {whole:#?}", db.backend);
        for persons in [1, 3, 20_000] {
            let hits = store
                .scan_hits(&sup, ScanMode::Chunked { persons })
                .await
                .unwrap();
            assert_eq!(hits.len(), whole.len(), "[{}] {persons}", db.backend);
            assert_eq!(prints(hits), whole, "[{}] {persons} a chunk", db.backend);
        }
    });
}

/// The cases the planted registry opens: per check, the claims, classes
/// and certificates each names.
fn expected_cases() -> BTreeMap<String, Vec<Vec<String>>> {
    [
        ("S1", vec![vec!["A", "B"]]),
        ("S2", vec![vec!["B"]]),
        ("S3", vec![vec!["A", "Z1"]]),
        ("S4", vec![vec!["C"]]),
        ("S5", vec![vec!["A"]]),
        ("S6", vec![vec!["SL1", "SL2", "Z1"]]),
        ("S7", vec![vec!["C"]]),
        ("S8", vec![vec!["A"], vec!["Z5", "Z6", "Z7"]]),
        ("S9", vec![vec!["T1", "T2"]]),
    ]
    .into_iter()
    .map(|(k, v)| {
        let mut v: Vec<Vec<String>> = v
            .into_iter()
            .map(|r| r.into_iter().map(String::from).collect())
            .collect();
        v.sort();
        (k.to_string(), v)
    })
    .collect()
}

#[test]
fn each_check_finds_its_planted_hit_and_not_its_near_miss() {
    let f = fx();
    for db in initialised("sup_checks") {
        let text = supervision_file("test-supervision", CHECKS);
        load_supervision(&db, "test.supervision.toml", &text);
        registry(&db, &f);
        // The roster is checked at once, before any scan.
        let r = load(&db, "roster", ROSTER, &roster_rows(&f));
        assert!(r["supervision"]["opened"].as_u64().unwrap() >= 3, "{r:#}");
        let open = by_check(&cases(&db, "open"));
        assert_eq!(
            open["S1"],
            vec![vec!["A".to_string(), "B".into()]],
            "[{}]",
            db.backend
        );
        // S2 (class B) comes with the classes import.
        assert_eq!(open["S2"], vec![vec!["B".to_string()]], "[{}]", db.backend);
        assert_eq!(open["S7"], vec![vec!["C".to_string()]], "[{}]", db.backend);
        assert_eq!(open["S8"], vec![vec!["A".to_string()]], "[{}]", db.backend);

        let cert = |no: &str, n: u16, date: &str, issuer: &str, class: &str| {
            format!(
                "{no},职业技能等级证书,{},{},6-31-01-03,五级,{date},{issuer},{class}",
                name(n),
                p(n)
            )
        };
        load(
            &db,
            "certificates",
            CERTIFICATES,
            &[
                // S3: before A ended (hit); 2 weeks after (near miss).
                cert("Z1", 1, "2024-03-05", &f.school, "A"),
                cert("Z2", 2, "2024-03-25", &f.school, "A"),
                // S8: three by one assessor on one day (hit), two on another (near miss).
                cert("Z5", 5, "2024-04-02", &f.private, ""),
                cert("Z6", 6, "2024-04-02", &f.private, ""),
                cert("Z7", 7, "2024-04-02", &f.private, ""),
                cert("Z8", 8, "2024-04-03", &f.private, ""),
                cert("Z9", 9, "2024-04-03", &f.private, ""),
            ],
        );
        let claim = |no: &str, n: u16, cert: &str| {
            format!("{no},职业培训补贴,{},{cert},,,,2024-05-01,,", p(n))
        };
        load(
            &db,
            "claims",
            CLAIMS,
            &[
                // S6: one certificate claimed twice (hit); another once (near miss).
                claim("SL1", 1, "Z1"),
                claim("SL2", 1, "Z1"),
                claim("SL3", 2, "Z2"),
            ],
        );
        let list = db.csv(
            "list.csv",
            &csv_text(
                WATCHLIST,
                &[
                    // S4: 3 died before class C (hit); 4 died after it (near miss).
                    format!("死亡,{},{},2024-03-01,,市民政局 2024-04,", p(3), name(3)),
                    format!("死亡,{},{},2024-04-01,,市民政局 2024-04,", p(4), name(4)),
                    // S5: 5 insured while in A (就业技能培训: hit); 6 insured while in B (near miss).
                    format!(
                        "在职参保,{},{},2023-01-01,,市社保中心 2024-03,{}",
                        p(5),
                        name(5),
                        f.private
                    ),
                    format!(
                        "在职参保,{},{},2023-01-01,,市社保中心 2024-03,",
                        p(6),
                        name(6)
                    ),
                    // Not in the registry: kept as evidence.
                    format!(
                        "服刑,{},某人,2020-01-01,2030-01-01,市司法局 2024-01,",
                        f.stranger
                    ),
                ],
            ),
        );
        let (r, code) = db.import("watchlist", &list, &[]);
        assert_eq!((code, r["accepted"].as_u64()), (0, Some(5)), "{r:#}");

        let all = cases(&db, "open");
        let open = by_check(&all);
        let expect = expected_cases();
        let mut got = open.clone();
        for v in got.values_mut() {
            v.sort();
        }
        assert_eq!(got, expect, "[{}] {all:#?}", db.backend);

        // The incremental checks found what a full scan finds.
        let s = scan(&db);
        assert_eq!(s["opened"], 0, "[{}] {s:#}", db.backend);
        assert!(s["hits"].as_u64().unwrap() >= 9, "{s:#}");
        chunked_scan_finds_what_one_batch_finds(&db);

        // Every person is masked; the fields are the contract.
        let text = db.ok(&["supervise", "cases", "--status", "all"]);
        for n in 1..=10 {
            assert!(!text.contains(&p(n)), "unmasked ID in {text}");
        }
        assert!(
            !text.contains(&id("371502", 1975, 5, 5, 77)),
            "unmasked teacher"
        );
        assert!(!text.contains(&f.stranger));
        let s4 = all.iter().find(|c| c["check"] == "S4").unwrap();
        let fields: Vec<&str> = s4.as_object().unwrap().keys().map(String::as_str).collect();
        let mut want = vec![
            "case_no",
            "check",
            "severity",
            "status",
            "claim_nos",
            "class_nos",
            "cert_nos",
            "institution_codes",
            "persons",
            "evidence",
            "clause",
        ];
        want.sort();
        let mut fields = fields;
        fields.sort();
        assert_eq!(fields, want);
        assert_eq!(s4["persons"].as_array().unwrap().len(), 1);
        assert!(s4["persons"][0].as_str().unwrap().contains("****"));
        assert!(s4["evidence"].as_str().unwrap().contains("死亡"), "{s4:#}");
        assert!(s4["clause"].as_str().unwrap().contains("二十四"));
    }
}

#[test]
fn a_closed_case_is_not_reopened_by_the_same_evidence() {
    let f = fx();
    for db in initialised("sup_close") {
        let text = supervision_file("test-supervision", CHECKS);
        load_supervision(&db, "test.supervision.toml", &text);
        registry(&db, &f);
        let rows = roster_rows(&f);
        load(&db, "roster", ROSTER, &rows);
        let open = cases(&db, "open");
        let s1 = open.iter().find(|c| c["check"] == "S1").unwrap();
        let s1_no = s1["case_no"].as_str().unwrap().to_string();
        let s2 = open.iter().find(|c| c["check"] == "S2").unwrap();
        let s2_no = s2["case_no"].as_str().unwrap().to_string();

        // A finding needs a known word and a note.
        let out = close(&db, &s1_no, "可能", "x");
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("属实 或 不属实"));
        let out = close(&db, &s1_no, "不属实", " ");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("核查说明"),
            "{out:?}"
        );

        let out = close(&db, &s1_no, "不属实", "两班为同一实训基地的连续课程");
        assert!(out.status.success(), "{out:?}");
        assert!(close(&db, &s2_no, "属实", "课时虚报").status.success());
        let out = close(&db, &s2_no, "属实", "again");
        assert!(String::from_utf8_lossy(&out.stderr).contains("不能再次结案"));

        // The same evidence again: by a scan and by the same roster re-imported.
        let before = cases(&db, "all").len();
        assert_eq!(scan(&db)["opened"], 0);
        let file = db.csv("roster_again.csv", &csv_text(ROSTER, &rows));
        let (r, code) = db.import("roster", &file, &[]);
        assert_eq!(
            (code, r["supervision"]["opened"].as_u64()),
            (0, Some(0)),
            "{r:#}"
        );
        assert_eq!(cases(&db, "all").len(), before);
        let closed = cases(&db, "closed");
        let statuses: BTreeMap<&str, &str> = closed
            .iter()
            .map(|c| {
                (
                    c["case_no"].as_str().unwrap(),
                    c["status"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(statuses[s1_no.as_str()], "closed_not_true");
        assert_eq!(statuses[s2_no.as_str()], "closed_true");
        assert!(cases(&db, "open").iter().all(|c| c["check"] != "S1"));

        // New evidence (2 also in B, which overlaps A and C) opens new cases.
        let extra = format!("B,{},{},{},10,0,不合格", f.school, name(2), p(2));
        let (r, _) = db.import(
            "roster",
            &db.csv("extra.csv", &csv_text(ROSTER, &[extra])),
            &[],
        );
        assert_eq!(r["supervision"]["opened"], 2, "{r:#}");
        assert_eq!(
            cases(&db, "open")
                .iter()
                .filter(|c| c["check"] == "S1")
                .count(),
            2
        );

        // The findings are in the audit trail.
        let audit = common::fixtures::sql_rows(
            &db,
            "SELECT action, entity_key, after FROM audit_log WHERE action = 'close_case' ORDER BY audit_id",
        );
        assert_eq!(audit.len(), 2, "{audit:?}");
        assert!(audit[0][2].contains("不属实") && audit[0][2].contains("连续课程"));
    }
}

#[test]
fn watchlist_errors_name_row_and_column_in_chinese() {
    let f = fx();
    for db in initialised("sup_watchlist") {
        base(&db, &f, "persons");
        let mut s = Sheet::new(WATCHLIST);
        s.good(format!(
            "死亡,{},张三,2024-01-01,,市民政局 2024-01,",
            f.zhang
        ));
        s.good(format!(
            "服刑,{},陌生人,2024-01-01,2025-01-01,市司法局,",
            f.stranger
        ));
        s.bad(
            "名单类型",
            "无法识别",
            format!("失踪,{},张三,2024-01-01,,市民政局,", f.zhang),
        );
        s.bad(
            "身份证号码",
            "",
            format!("死亡,{},张三,2024-01-01,,市民政局,", bad_check(&f.zhang)),
        );
        s.bad(
            "截止日期",
            "早于起始日期",
            format!("服刑,{},李四,2024-01-01,2023-01-01,市司法局,", f.li),
        );
        s.bad(
            "来源",
            "不能为空",
            format!("死亡,{},李四,2024-01-01,,,", f.li),
        );
        s.bad(
            "参保单位",
            "在职参保",
            format!("死亡,{},李四,2024-01-01,,市民政局,{}", f.li, f.school),
        );
        s.bad(
            "姓名",
            "冒名",
            format!("死亡,{},李五,2024-01-01,,市民政局,", f.li),
        );
        let (r, code) = s.import(&db, "watchlist");
        s.check(&db, &r, code);
        assert_error(&r, 6, "截止日期", "早于起始日期");
        // Re-running changes nothing.
        let (r, _) = s.import(&db, "watchlist");
        assert_eq!(counts(&r), (0, 0, 2));
    }
}
