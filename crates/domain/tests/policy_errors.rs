//! Policy files that must be refused (or accepted), each refusal checked for
//! the file it names, the line, and the key words of its Chinese message.

use crate::common;

use common::{HEAD, R1, assert_error, line_of, load_text, load_with, refdata};
use jineng_domain::policy::{PolicyError, RuleId};

const R8: &str = r#"
[rules.R8]
clause = "九"
subsidy_type = "生活费补贴"
daily = 30
deep_poverty_uplift_pct = 20
eligible = ["贫困劳动力"]
require_completion = true
"#;

/// The occupation and certificate of the catalogue entries below.
const WELDER: &str = r#"occupation = "6-31-01-03", cert = "职业资格证书""#;

/// A `[catalogue]` of `entries` (each an inline table's fields), and the
/// standard classes' `[catalogue.grades]` when `grades` is not empty.
fn catalogue(entries: &[String], grades: &str) -> String {
    let mut s = String::from("\n[catalogue]\nentries = [\n");
    for e in entries {
        s.push_str(&format!("  {{ {e} }},\n"));
    }
    s.push_str("]\n");
    if !grades.is_empty() {
        s.push_str(&format!("[catalogue.grades]\n{grades}\n"));
    }
    s
}

fn doc(parts: &[&str]) -> String {
    let mut s = HEAD.to_string();
    for p in parts {
        s.push_str(p);
    }
    s
}

fn refused(name: &str, text: &str) -> PolicyError {
    match load_text(&[(name, text)]) {
        Ok(_) => panic!("{name} should be refused:\n{text}"),
        Err(e) => e,
    }
}

/// `text` (as p.toml) is refused at the line holding `at`, the message
/// naming every word.
fn refused_at(text: &str, at: &str, words: &[&str]) {
    let e = refused("p.toml", text);
    assert_error(&e, "p.toml", line_of(text, at), words);
}

#[test]
fn the_base_policy_loads() {
    let p = load_text(&[("p.toml", &doc(&[R1, R8]))]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.rules.r8.as_ref().unwrap().params.daily.0, 3000);
}

#[test]
fn unknown_rule() {
    let text = doc(&[R1, "\n[rules.R99]\nclause = \"一\"\n"]);
    refused_at(&text, "[rules.R99]", &["未知规则", "R99", "R1–R17"]);
}

#[test]
fn missing_number() {
    let text = doc(&[R1, &R8.replace("daily = 30\n", "")]);
    // A missing parameter has no line of its own: the rule's line.
    refused_at(&text, "[rules.R8]", &["R8", "缺少参数", "daily"]);
}

#[test]
fn unknown_parameter() {
    let text = doc(&[
        R1,
        &R8.replace("daily = 30\n", "daily = 30\ndialy_max = 40\n"),
    ]);
    refused_at(&text, "dialy_max", &["R8", "未知参数", "dialy_max"]);
}

#[test]
fn a_bad_value_points_at_its_own_line() {
    // Not at the rule's header: at the parameter.
    let text = doc(&[R1, &R8.replace("= 20", "= 120")]);
    refused_at(
        &text,
        "deep_poverty_uplift_pct",
        &["R8", "百分比 120", "0 到 100"],
    );

    let text = doc(&[R1.replace("\"市\"", "\"乡\"").as_str()]);
    refused_at(&text, "place_level", &["R1", "无法识别的取值「乡」"]);
}

#[test]
fn unknown_category_with_reference_data() {
    let text = doc(&[
        R1,
        &R8.replace("[\"贫困劳动力\"]", "[\"贫困劳动力\", \"穷人\"]"),
    ]);
    let e = load_with(&[("p.toml", &text)], &refdata()).unwrap_err();
    assert_error(
        &e,
        "p.toml",
        line_of(&text, "穷人"),
        &["R8", "未知的人员类别「穷人」", "person_category"],
    );
}

#[test]
fn float_amounts_are_refused() {
    // In a rule …
    let text = doc(&[R1, &R8.replace("daily = 30", "daily = 30.5")]);
    refused_at(&text, "daily = 30.5", &["R8", "30.5", "\"30.50\"", "浮点"]);

    // … in a catalogue entry …
    let entry = catalogue(
        &[format!(
            r#"{WELDER}, level = "四级", yuan = 1500.5, from = "2019-01-01""#
        )],
        "",
    );
    let text = doc(&[R1, &entry]);
    refused_at(&text, "1500.5", &["1500.5", "\"1500.50\"", "浮点"]);

    // … and in a standard class, at the class's line.
    let grade = catalogue(
        &[format!(r#"{WELDER}, grade = "A", from = "2019-01-01""#)],
        r#"A = { "五级" = 1000, "四级" = 1500.25 }"#,
    );
    let text = doc(&[R1, &grade]);
    refused_at(&text, "1500.25", &["1500.25", "浮点"]);
}

#[test]
fn decimal_strings_are_exact() {
    let text = doc(&[R1, &R8.replace("daily = 30", "daily = \"30.55\"")]);
    let p = load_text(&[("p.toml", &text)]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.rules.r8.as_ref().unwrap().params.daily.0, 3055);

    let text = doc(&[R1, &R8.replace("daily = 30", "daily = \"30.555\"")]);
    refused_at(&text, "daily", &["小数超过两位"]);
}

#[test]
fn overlapping_catalogue_entries() {
    let entries = catalogue(
        &[
            r#"level = "四级", yuan = 1500, from = "2019-01-01", to = "2020-12-31""#,
            r#"level = "三级", yuan = 2000, from = "2019-01-01""#,
            r#"level = "四级", yuan = 1600, from = "2020-07-01""#,
        ]
        .map(|e| format!("{WELDER}, {e}")),
        "",
    );
    let text = doc(&[R1, &entries]);
    let first = line_of(&text, "yuan = 1500,");
    refused_at(
        &text,
        "yuan = 1600",
        &[
            "目录条目重叠",
            "6-31-01-03",
            "四级",
            "有效期",
            &format!("第 {first} 行"),
        ],
    );

    // Back to back is not an overlap: the new standard starts the day after.
    let text = text.replace("2020-07-01", "2021-01-01");
    let p = load_text(&[("p.toml", &text)]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.catalogue.entries.len(), 3);
}

#[test]
fn two_departments_different_amounts_violate_r15() {
    let entries = catalogue(
        &[
            r#"yuan = 800, from = "2019-01-01", dept = "人社局""#,
            r#"yuan = 800, from = "2019-01-01", dept = "商务局""#,
            r#"yuan = 1000, from = "2019-06-01", dept = "妇联""#,
        ]
        .map(|e| {
            format!(r#"occupation = "4-10-01-06", cert = "职业技能等级证书", level = "五级", {e}"#)
        }),
        "",
    );
    let text = doc(&[R1, "\n[rules.R15]\nclause = \"二十一\"\n", &entries]);
    let first = line_of(&text, "dept = \"人社局\"");
    refused_at(
        &text,
        "dept = \"妇联\"",
        &[
            "R15",
            "同类工种、同一等级、同等补贴",
            "妇联",
            "1000.00元",
            "人社局",
            "800.00元",
            &format!("第 {first} 行"),
        ],
    );

    // Two departments with the same amount keep R15.
    let text = text.replace("yuan = 1000", "yuan = 800");
    assert!(load_text(&[("p.toml", &text)]).is_ok());
}

#[test]
fn missing_clause() {
    let text = doc(&[R1, &R8.replace("clause = \"九\"\n", "")]);
    refused_at(&text, "[rules.R8]", &["R8", "缺少 clause", "条款"]);
}

#[test]
fn grade_and_level_together_are_refused() {
    let entry = catalogue(
        &[format!(
            r#"{WELDER}, grade = "A", level = "四级", from = "2019-01-01""#
        )],
        r#"A = { "五级" = 1000, "四级" = 1500 }"#,
    );
    let text = doc(&[R1, &entry]);
    refused_at(&text, "grade = \"A\"", &["grade", "level"]);
}

#[test]
fn toml_syntax_errors_name_the_line() {
    let text = doc(&[R1, &R8.replace("daily = 30", "daily = ")]);
    let e = refused("p.toml", &text);
    assert_eq!(e.file, "p.toml");
    assert_eq!(e.line, Some(line_of(&text, "daily =")), "{e}");
}

const PROVINCE: &str = r#"[policy]
id = "gansu"
title = "甘肃省职业技能提升行动实施方案"
doc_no = "甘政办发〔2019〕1号"
region = "620000"
valid_from = "2019-01-01"

[rules.R1]
clause = "十"
subsidy_type = "职业培训补贴"
cert_types = ["职业资格证书", "职业技能等级证书"]
place_level = "省"

[rules.R8]
clause = "九"
subsidy_type = "生活费补贴"
daily = 30
deep_poverty_uplift_pct = 20
eligible = ["贫困劳动力"]
require_completion = true

[catalogue]
entries = [
  { occupation = "6-31-01-03", cert = "职业资格证书", level = "四级", yuan = 1500, from = "2019-01-01" },
  { occupation = "6-18-02-04", cert = "职业资格证书", level = "四级", yuan = 1500, from = "2019-01-01" },
]
"#;

const CITY: &str = r#"[policy]
id = "tianshui"
title = "天水市职业技能提升行动实施方案"
doc_no = "天水市人民政府办公室（2019年8月23日）"
region = "620500"
valid_from = "2019-08-23"
extends = "gansu.toml"

[rules.R8]
daily = 35

[rules.R1]
clause = "十（市）"
place_level = "市"

[catalogue]
entries = [
  { occupation = "6-31-01-03", cert = "职业资格证书", level = "四级", yuan = 1800, from = "2019-08-23" },
]
"#;

#[test]
fn a_city_extends_its_province() {
    let files = [
        ("policies/tianshui.toml", CITY),
        ("policies/gansu.toml", PROVINCE),
    ];
    let p = load_text(&files).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.meta.doc_no, "天水市人民政府办公室（2019年8月23日）");
    assert_eq!(p.meta.builds_on, vec!["甘政办发〔2019〕1号".to_string()]);
    // The city's number replaces the province's; the others stay.
    let r8 = &p.rules.r8.as_ref().unwrap().params;
    assert_eq!(r8.daily.0, 3500);
    assert_eq!(r8.deep_poverty_uplift_pct, 20);
    // The citation follows the file that set `clause`: the city did not.
    let cite = p.cite(RuleId::R8);
    assert_eq!(
        (cite.doc_no.as_str(), cite.clause.as_str()),
        ("甘政办发〔2019〕1号", "九")
    );
    // R1's clause was set by the city.
    let cite = p.cite(RuleId::R1);
    assert_eq!(
        (cite.doc_no.as_str(), cite.clause.as_str()),
        ("天水市人民政府办公室（2019年8月23日）", "十（市）")
    );
    // The city's entry replaces the province's for 电工 四级; 焊工 stays.
    let e: Vec<_> = p
        .catalogue
        .entries
        .iter()
        .map(|e| {
            (
                e.occupation.as_ref().unwrap().to_string(),
                e.amount.0,
                e.file.as_str(),
            )
        })
        .collect();
    assert_eq!(
        e,
        vec![
            ("6-18-02-04".to_string(), 150_000, "policies/gansu.toml"),
            ("6-31-01-03".to_string(), 180_000, "policies/tianshui.toml"),
        ]
    );
}

const TIANSHUI: &str = "policies/tianshui.toml";
const GANSU: &str = "policies/gansu.toml";

/// `city` over `province` is refused in `file` (one of the two) at the
/// line holding `at`, the message naming every word.
fn refused_in(city: &str, province: &str, file: &str, at: &str, words: &[&str]) {
    let files = [(TIANSHUI, city), (GANSU, province)];
    let e = load_text(&files).unwrap_err();
    let text = files.iter().find(|(name, _)| *name == file).unwrap().1;
    assert_error(&e, file, line_of(text, at), words);
}

#[test]
fn errors_in_an_extended_file_name_that_file() {
    // A float in the city's override: the city's file and line.
    let city = CITY.replace("daily = 35", "daily = 35.5");
    refused_in(&city, PROVINCE, TIANSHUI, "daily = 35.5", &["R8", "浮点"]);

    // A missing parameter in the province that the city does not supply:
    // the province's file and its rule's line.
    let province = PROVINCE.replace("deep_poverty_uplift_pct = 20\n", "");
    // The city's [rules.R8] is the last table of R8 read.
    let words = ["缺少参数", "deep_poverty_uplift_pct"];
    refused_in(CITY, &province, TIANSHUI, "[rules.R8]", &words);

    // An unknown rule in the province.
    let province = format!("{PROVINCE}\n[rules.R0]\nclause = \"一\"\n");
    refused_in(CITY, &province, GANSU, "[rules.R0]", &["未知规则", "R0"]);

    // The file it extends is not there.
    let files = [("policies/tianshui.toml", CITY)];
    let e = load_text(&files).unwrap_err();
    assert_eq!(e.file, "policies/gansu.toml");
    assert!(e.message.contains("无法读取"), "{e}");

    // A file extending itself.
    let selfish = CITY.replace("gansu.toml", "tianshui.toml");
    let e = load_text(&[("policies/tianshui.toml", selfish.as_str())]).unwrap_err();
    assert!(e.message.contains("循环"), "{e}");
}

#[test]
fn a_city_may_switch_a_province_rule_off() {
    let city = CITY.replace("[rules.R8]\ndaily = 35", "[rules.R8]\nenabled = false");
    let files = [
        ("policies/tianshui.toml", city.as_str()),
        ("policies/gansu.toml", PROVINCE),
    ];
    let p = load_text(&files).unwrap_or_else(|e| panic!("{e}"));
    assert!(p.rules.r8.is_none());
    assert!(!p.amount_rules.contains_key("生活费补贴"));
}

#[test]
fn a_bad_fund_code_in_r16_routing_is_refused_when_the_policy_is_read() {
    let r16 = |code: &str| {
        format!(
            "\n[rules.R16]\nclause = \"十一\"\nfunds = {{ UI = \"失业保险基金\" }}\nrouting = {{ \"职业培训补贴\" = [\"{code}\"], \"生活费补贴\" = [\"UI\"] }}\n"
        )
    };
    let ok = doc(&[R1, R8, &r16("UI")]);
    let p = load_text(&[("p.toml", &ok)]).unwrap_or_else(|e| panic!("{e}"));
    let routing = p.fund_routing("职业培训补贴").unwrap();
    assert_eq!(
        routing.iter().map(|f| f.as_str()).collect::<Vec<_>>(),
        ["UI"]
    );
    for (code, words) in [
        (
            "U-I",
            &["R16", "职业培训补贴", "资金来源代码「U-I」无效"][..],
        ),
        ("ui", &["R16", "资金来源代码「ui」应写作「UI」"][..]),
    ] {
        let text = doc(&[R1, R8, &r16(code)]);
        refused_at(&text, "routing =", words);
    }
}
