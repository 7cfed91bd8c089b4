//! Jurisdiction (管辖) through the binary on both backends: several
//! jurisdictions' policies in one database, each claim decided under the
//! policy of the region that pays it; overlapping policies refused at load;
//! a claim no policy governs held for review; a county's variant beating
//! its city's; a changed policy file making a new version while earlier
//! decisions keep theirs. And the claims import's side of the training
//! behind a claim: the class must be one the person attended, and a
//! decided claim is final as imported.

use crate::common;
use common::fixtures::{
    CLAIMS, Registry, Sheet, assert_contains, base, base_rows, counts, csv_text, fx, policy_file,
    show_claim, sql_rows,
};
use common::{TestDb, credit, id};
use std::collections::BTreeMap;

/// (policy id, policy version number, status, amount in fen) of a claim.
type Decided = (String, String, String, String);

/// Every claim's decision as stored, by claim number.
fn decisions(db: &TestDb) -> BTreeMap<String, Decided> {
    sql_rows(
        db,
        "SELECT c.claim_no, COALESCE(p.policy_key, ''), COALESCE(v.version_no, 0), c.status, \
         COALESCE(c.amount_fen, 0) FROM claims c \
         LEFT JOIN policies p ON p.policy_id = c.policy_id \
         LEFT JOIN policy_versions v ON v.version_id = c.policy_version ORDER BY c.claim_no",
    )
    .into_iter()
    .map(|r| {
        (
            r[0].clone(),
            (r[1].clone(), r[2].clone(), r[3].clone(), r[4].clone()),
        )
    })
    .collect()
}

fn decided(key: &str, version: u32, status: &str, fen: i64) -> Decided {
    (
        key.to_string(),
        version.to_string(),
        status.to_string(),
        fen.to_string(),
    )
}

/// A demo policy with some of its text replaced, written beside the test
/// database.
fn variant(db: &TestDb, base: &str, name: &str, edits: &[(&str, &str)]) -> String {
    let mut text = std::fs::read_to_string(policy_file(base)).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "{base} has no 「{from}」");
        text = text.replacen(from, to, 1);
    }
    let path = db.path(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// `policy load FILE`: (exit code, stdout, stderr).
fn load_policy(db: &TestDb, file: &str) -> (i32, String, String) {
    let out = db.run(&["policy", "load", file]);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A trainee with a 专项职业能力证书 in 家政服务员 from a class held in
/// `region` (also the person's 户籍地) in March of `year`, at a school of
/// that region, and the claim for it, `C-<tag>`.
fn add_trainee(reg: &mut Registry, tag: &str, region: &str, seq: u16, year: i32) {
    let person = id(region, 1990, 5, 17, seq);
    let school = credit(region, &seq.to_string());
    let class = format!("K-{tag}");
    reg.persons.push(format!("学员{tag},{person},{region}"));
    reg.institutions.push(format!(
        "培训学校{tag},{school},技工院校,{region},是,2019-01-01,"
    ));
    reg.classes.push(format!(
        "{class},{school},就业技能培训,4-10-01-06,家政服务员,,{region},{year}-03-01,{year}-03-20,80"
    ));
    reg.passed(&class, &school, &format!("学员{tag}"), &person);
    reg.certificates.push(format!(
        "ZX-{tag},专项职业能力证书,学员{tag},{person},4-10-01-06,,{year}-04-01,{school},{class}"
    ));
    let (no, cert) = (format!("C-{tag}"), format!("ZX-{tag}"));
    reg.training_claim(&no, &person, &cert, &format!("{year}-04-10"));
}

/// The three demo policies in one database: each jurisdiction's claims
/// decided under its own policy, whatever the load order; an enterprise's
/// 以工代训 claim under the policy of the enterprise's region, not the
/// worker's.
#[test]
fn three_demo_policies_each_jurisdiction_under_its_own() {
    let mut reg = Registry::default();
    add_trainee(&mut reg, "LC", "371502", 11, 2020);
    add_trainee(&mut reg, "TS", "620503", 12, 2020);
    add_trainee(&mut reg, "RD", "320623", 13, 2020);
    // 如东 pays its listed groups only.
    let rd = id("320623", 1990, 5, 17, 13);
    reg.categories
        .push(format!("{rd},登记失业人员,2019-01-01,,失业登记"));
    // A poor labourer of 聊城 hired and trained on the job by a 天水 firm.
    let worker = id("371521", 1993, 2, 2, 44);
    let firm = credit("620503", "44");
    reg.persons.push(format!("务工者,{worker},371521"));
    reg.categories
        .push(format!("{worker},贫困劳动力,2019-01-01,,建档立卡"));
    reg.institutions
        .push(format!("天水某食品有限公司,{firm},企业,620503,否,,"));
    reg.claims.push(format!(
        "C-WK,以工代训补贴,{worker},,,,{firm},2020-05-10,3,"
    ));
    for db in common::initialised("jur_three") {
        let b = db.backend;
        reg.load(&db);
        for p in [
            "liaocheng-2019.toml",
            "tianshui-2019.toml",
            "rudong-2019.toml",
        ] {
            db.ok(&["policy", "load", &policy_file(p)]);
        }
        db.ok(&["claims", "decide", "--all"]);
        let got = decisions(&db);
        // The same certificate is worth 800元 in 聊城 and 600元 in 天水 and 如东.
        let want: BTreeMap<String, Decided> = [
            ("C-LC", decided("liaocheng-2019", 1, "eligible", 80_000)),
            ("C-RD", decided("rudong-2019", 1, "eligible", 60_000)),
            ("C-TS", decided("tianshui-2019", 1, "eligible", 60_000)),
            ("C-WK", decided("tianshui-2019", 1, "eligible", 60_000)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        assert_eq!(got, want, "[{b}]");
        assert_contains(
            &db,
            &show_claim(&db, "C-LC"),
            &[
                "聊政办发〔2019〕10号",
                "依据政策：liaocheng-2019 第 1 版（摘要 ",
            ],
        );
        assert_contains(
            &db,
            &show_claim(&db, "C-WK"),
            &[
                "依据政策：tianshui-2019 第 1 版",
                "天水某食品有限公司（企业）",
            ],
        );
    }
}

/// A second policy for a region already governed over an overlapping
/// period is refused at load, naming both; one that follows it in time is
/// taken; reloading the same file is no overlap.
#[test]
fn overlapping_policies_for_one_region_are_refused_naming_both() {
    for db in common::initialised("jur_overlap") {
        let b = db.backend;
        db.ok(&["policy", "load", &policy_file("liaocheng-2019.toml")]);
        let overlap = variant(
            &db,
            "liaocheng-2019.toml",
            "overlap.toml",
            &[
                ("id = \"liaocheng-2019\"", "id = \"liaocheng-2021\""),
                ("valid_from = \"2019-01-01\"", "valid_from = \"2021-06-01\""),
                ("valid_to = \"2021-12-31\"", "valid_to = \"2023-12-31\""),
            ],
        );
        let (code, _, err) = load_policy(&db, &overlap);
        assert_eq!(code, 1, "[{b}] {err}");
        assert_contains(
            &db,
            &err,
            &[
                "政策「liaocheng-2021」",
                "已载入的政策「liaocheng-2019」",
                "2021-06-01 至 2023-12-31",
                "2019-01-01 至 2021-12-31",
                "371500",
                "有效期重叠",
            ],
        );
        let rows = sql_rows(&db, "SELECT policy_key FROM policies ORDER BY policy_key");
        assert_eq!(rows, vec![vec!["liaocheng-2019".to_string()]], "[{b}]");
        // The next period, open-ended, follows the first: no overlap.
        let next = variant(
            &db,
            "liaocheng-2019.toml",
            "next.toml",
            &[
                ("id = \"liaocheng-2019\"", "id = \"liaocheng-2022\""),
                ("valid_from = \"2019-01-01\"", "valid_from = \"2022-01-01\""),
                ("valid_to = \"2021-12-31\"\n", ""),
            ],
        );
        db.ok(&["policy", "load", &next]);
        // The same file again: nothing changes, no overlap with itself.
        let (code, out, err) = load_policy(&db, &policy_file("liaocheng-2019.toml"));
        assert_eq!(code, 0, "[{b}] {err}");
        assert_contains(&db, &out, &["政策未变"]);
        // Another open-ended policy now overlaps the open-ended one.
        let late = variant(
            &db,
            "liaocheng-2019.toml",
            "late.toml",
            &[
                ("id = \"liaocheng-2019\"", "id = \"liaocheng-2030\""),
                ("valid_from = \"2019-01-01\"", "valid_from = \"2030-01-01\""),
                ("valid_to = \"2021-12-31\"\n", ""),
            ],
        );
        let (code, _, err) = load_policy(&db, &late);
        assert_eq!(code, 1, "[{b}] {err}");
        assert_contains(
            &db,
            &err,
            &["「liaocheng-2030」", "「liaocheng-2022」", "长期"],
        );
    }
}

/// A claim whose paying region no policy governs on its date is held for
/// review with 无适用政策, its region and date; so is a claim of a governed
/// region dated outside the policy's period.
#[test]
fn a_claim_no_policy_governs_is_held_for_review() {
    let mut reg = Registry::default();
    add_trainee(&mut reg, "LC", "371502", 21, 2020);
    // 济南 has no policy here.
    add_trainee(&mut reg, "JN", "370102", 22, 2020);
    // A 聊城 claim of 2023: after the policy's period.
    add_trainee(&mut reg, "LATE", "371502", 23, 2023);
    for db in common::initialised("jur_none") {
        let b = db.backend;
        reg.load(&db);
        // Nothing loaded: the decide refuses to run rather than hold all.
        let out = db.run(&["claims", "decide", "--all"]);
        assert!(!out.status.success(), "[{b}]");
        db.ok(&["policy", "load", &policy_file("liaocheng-2019.toml")]);
        let s = db.ok(&["claims", "decide", "--all", "--json"]);
        let s: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(
            (s["decided"].as_u64(), s["review"].as_u64()),
            (Some(3), Some(2)),
            "[{b}] {s}"
        );
        let got = decisions(&db);
        assert_eq!(
            got["C-LC"],
            decided("liaocheng-2019", 1, "eligible", 80_000),
            "[{b}]"
        );
        assert_eq!(got["C-JN"], decided("", 0, "review", 0), "[{b}]");
        assert_eq!(got["C-LATE"], decided("", 0, "review", 0), "[{b}]");
        assert_contains(
            &db,
            &show_claim(&db, "C-JN"),
            &["无适用政策", "370102", "2020-04-01", "需人工复核"],
        );
        assert_contains(
            &db,
            &show_claim(&db, "C-LATE"),
            &["无适用政策", "371502", "2023-04-01"],
        );
        // An officer cannot approve it while no policy applies.
        let out = db.run(&["claims", "approve", "C-JN"]);
        assert_eq!(out.status.code(), Some(1), "[{b}]");
        assert_contains(&db, &String::from_utf8_lossy(&out.stdout), &["无适用政策"]);
        assert_eq!(decisions(&db)["C-JN"].2, "review", "[{b}]");
    }
}

/// A county's own policy beats its city's for a class held in the county;
/// the city's still decides its other counties; a deployment's functional
/// zone belongs to the city it was imported under.
#[test]
fn a_county_variant_beats_its_city_and_a_zone_follows_its_parent() {
    let mut reg = Registry::default();
    // A development zone whose code names no prefecture of its own.
    reg.regions.push("379901,聊城某开发区,371500,".into());
    add_trainee(&mut reg, "DC", "371502", 31, 2020);
    add_trainee(&mut reg, "YG", "371521", 32, 2020);
    add_trainee(&mut reg, "ZONE", "379901", 33, 2020);
    for db in common::initialised("jur_county") {
        let b = db.backend;
        reg.load(&db);
        db.ok(&["policy", "load", &policy_file("liaocheng-2019.toml")]);
        // 东昌府区 pays 900元 for the same certificate.
        let county = variant(
            &db,
            "liaocheng-2019.toml",
            "dongchangfu.toml",
            &[
                ("id = \"liaocheng-2019\"", "id = \"dongchangfu-2019\""),
                ("region = \"371500\"", "region = \"371502\""),
                (
                    "name = \"家政服务员\", cert = \"专项职业能力证书\", yuan = 800",
                    "name = \"家政服务员\", cert = \"专项职业能力证书\", yuan = 900",
                ),
            ],
        );
        db.ok(&["policy", "load", &county]);
        db.ok(&["claims", "decide", "--all"]);
        let got = decisions(&db);
        assert_eq!(
            got["C-DC"],
            decided("dongchangfu-2019", 1, "eligible", 90_000),
            "[{b}]"
        );
        assert_eq!(
            got["C-YG"],
            decided("liaocheng-2019", 1, "eligible", 80_000),
            "[{b}]"
        );
        assert_eq!(
            got["C-ZONE"].0, "liaocheng-2019",
            "[{b}] {:?}",
            got["C-ZONE"]
        );
    }
}

/// A changed file under the same policy id is the policy's next version:
/// claims decided before keep the version they used (also through an
/// officer's approval), later claims use the new one, and loading the
/// changed file again changes nothing.
#[test]
fn a_changed_policy_is_a_new_version_and_decisions_keep_theirs() {
    let mut first = Registry::default();
    add_trainee(&mut first, "A", "371502", 41, 2020);
    let mut second = Registry::default();
    add_trainee(&mut second, "B", "371521", 42, 2020);
    for db in common::initialised("jur_version") {
        let b = db.backend;
        first.load(&db);
        let (_, out, _) = load_policy(&db, &policy_file("liaocheng-2019.toml"));
        assert_contains(&db, &out, &["已载入", "liaocheng-2019 第 1 版"]);
        db.ok(&["claims", "decide", "--all"]);
        let changed = variant(
            &db,
            "liaocheng-2019.toml",
            "liaocheng-2019.toml",
            &[(
                "name = \"家政服务员\", cert = \"专项职业能力证书\", yuan = 800",
                "name = \"家政服务员\", cert = \"专项职业能力证书\", yuan = 850",
            )],
        );
        let (code, out, err) = load_policy(&db, &changed);
        assert_eq!(code, 0, "[{b}] {err}");
        assert_contains(&db, &out, &["已载入新版本", "liaocheng-2019 第 2 版"]);
        second.load(&db);
        db.ok(&["claims", "decide", "--all"]);
        let got = decisions(&db);
        assert_eq!(
            got["C-A"],
            decided("liaocheng-2019", 1, "eligible", 80_000),
            "[{b}]"
        );
        assert_eq!(
            got["C-B"],
            decided("liaocheng-2019", 2, "eligible", 85_000),
            "[{b}]"
        );
        assert_contains(
            &db,
            &show_claim(&db, "C-A"),
            &["= 800.00 元", "依据政策：liaocheng-2019 第 1 版"],
        );
        assert_contains(
            &db,
            &show_claim(&db, "C-B"),
            &["= 850.00 元", "依据政策：liaocheng-2019 第 2 版"],
        );
        // The approval re-checks C-A under its own version.
        db.ok(&["claims", "approve", "C-A"]);
        assert_eq!(
            decisions(&db)["C-A"],
            decided("liaocheng-2019", 1, "approved", 80_000),
            "[{b}]"
        );
        // The changed file again: unchanged, still two versions.
        let (_, out, _) = load_policy(&db, &changed);
        assert_contains(&db, &out, &["政策未变", "第 2 版"]);
        let versions = sql_rows(&db, "SELECT COUNT(*) FROM policy_versions");
        assert_eq!(versions, vec![vec!["2".to_string()]], "[{b}]");
        // The two versions differ by their digest.
        let shas = sql_rows(
            &db,
            "SELECT sha256 FROM policy_versions ORDER BY version_no",
        );
        assert_ne!(shas[0], shas[1], "[{b}]");
    }
}

// ------------------------------------------------- the claims import ----

/// A claim naming a class the person is not on the roster of is refused
/// in 班级编号, with or without the institution's code.
#[test]
fn the_claims_import_refuses_a_class_the_person_did_not_attend() {
    let f = fx();
    for db in common::initialised("jur_enrol") {
        base(&db, &f, "certificates");
        let mut sheet = Sheet::new(CLAIMS);
        // 王五 is on the roster of the school's 2024-002.
        sheet.good(format!(
            "SLX001,职业培训补贴,{},,2024-002,{},{},2024-06-15,,",
            f.wang, f.school, f.school
        ));
        // 李四 is not, named with the institution …
        sheet.bad(
            "班级编号",
            "该人员不在培训班「2024-002」的花名册中",
            format!(
                "SLX002,职业培训补贴,{},,2024-002,{},,2024-06-15,,",
                f.li, f.school
            ),
        );
        // … or without it.
        sheet.bad(
            "班级编号",
            "没有班级编号为「2024-002」的参训记录",
            format!("SLX003,职业培训补贴,{},,2024-002,,,2024-06-15,,", f.li),
        );
        let (r, code) = sheet.import(&db, "claims");
        sheet.check(&db, &r, code);
    }
}

/// Re-importing a decided claim: the same row is unchanged (the file stays
/// re-runnable), a changed row is refused naming the column that changed,
/// while an undecided claim still takes the change.
#[test]
fn a_decided_claim_is_final_as_imported() {
    let f = fx();
    for db in common::initialised("jur_reimport") {
        let b = db.backend;
        base(&db, &f, "claims");
        // 聊城's policy without an end date, so that the 2024 claims are decided.
        let open = variant(
            &db,
            "liaocheng-2019.toml",
            "open.toml",
            &[("valid_to = \"2021-12-31\"\n", "")],
        );
        db.ok(&["policy", "load", &open]);
        db.ok(&["claims", "decide", "SL2024001"]);
        let (header, rows) = base_rows("claims", &f);
        let file = db.csv("again.csv", &csv_text(header, &rows));
        let (r, code) = db.import("claims", &file, &[]);
        assert_eq!((code, counts(&r)), (0, (0, 0, 2)), "[{b}] {r:#}");

        let mut sheet = Sheet::new(CLAIMS);
        sheet.bad(
            "申请日期",
            "申领「SL2024001」已决定",
            rows[0].replace("2024-05-01", "2024-05-02"),
        );
        sheet.good(rows[1].replace("800.5", "900"));
        let (r, code) = sheet.import(&db, "claims");
        sheet.check(&db, &r, code);
        let stored = sql_rows(
            &db,
            "SELECT claim_no, applied_on, amount_asked_fen, status FROM claims ORDER BY claim_no",
        );
        assert_eq!(stored[0][1], "2024-05-01", "[{b}] {stored:?}");
        assert_ne!(stored[0][3], "submitted", "[{b}] {stored:?}");
        assert_eq!(
            stored[1][1..],
            ["2024-06-15", "90000", "submitted"],
            "[{b}] {stored:?}"
        );
    }
}
