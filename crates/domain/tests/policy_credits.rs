//! The `[credits]` table of a policy file (学分银行, docs/learning.md): the
//! three demo policies carry one and it converts as written; a city's table
//! replaces its province's; broken tables are refused naming the file, the
//! line and what is wrong, in Chinese.

use crate::common;

use common::{HEAD, R1, assert_error, line_of, load_text, repo_policy};
use jineng_domain::learning::credit_bank::{Credits, LevelKey};
use jineng_domain::{CertificateType, CompletionResult, SkillLevel};

/// The test policy with R1 and one catalogue entry, before its `[credits]`.
fn head() -> String {
    format!(
        "{HEAD}{R1}\n[catalogue]\nentries = [{{ occupation = \"*\", cert = \"职业资格证书\", level = \"五级\", yuan = 500, from = \"2019-01-01\" }}]\n"
    )
}

fn with(credits: &str) -> String {
    format!("{}\n{credits}", head())
}

#[test]
fn the_demo_policies_state_a_credit_table() {
    for name in [
        "liaocheng-2019.toml",
        "tianshui-2019.toml",
        "rudong-2019.toml",
    ] {
        let p = repo_policy(name);
        let t = p
            .credits
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: no [credits]"));
        assert!(t.example, "{name}: the seeds give no numbers: 示例");
        let five = t
            .certificate(CertificateType::SkillLevel, Some(SkillLevel::Five))
            .unwrap();
        assert_eq!(five.credits, Credits(400), "{name}");
        assert!(five.source.contains("示例"), "{name}");
        let special = t
            .certificate(CertificateType::SpecialAbility, None)
            .unwrap();
        assert_eq!(
            (special.level, special.credits),
            (LevelKey::Any, Credits(200))
        );
        let hours = t.hours.as_ref().unwrap();
        assert_eq!((hours.per_hours, hours.credits), (16, Credits(100)));
        assert_eq!(hours.completed, [CompletionResult::Passed]);
        assert_eq!(hours.convert(40), Credits(250), "{name}");
    }
    assert!(
        repo_policy("rudong-2019.toml")
            .credits
            .unwrap()
            .clause
            .contains("序号10"),
        "如东 rests on its own 序号10"
    );
}

#[test]
fn a_table_reads_levels_decimals_and_quoted_amounts() {
    let text = with(
        r#"[credits]
clause = "十"
certificates = [
  { cert = "职业资格证书", levels = { "五级" = 1.5, "四级" = "2.25", "无" = 1 } },
  { cert = "培训合格证书", credits = 0.5 },
]
[credits.hours]
per_hours = 8
credits = 0.5
completed = ["合格", "不合格"]
"#,
    );
    let p = load_text(&[("t.toml", &text)]).unwrap_or_else(|e| panic!("{e}"));
    let t = p.credits.unwrap();
    let of = |c, l| t.certificate(c, l).map(|e| e.credits);
    assert_eq!(
        of(CertificateType::Qualification, Some(SkillLevel::Five)),
        Some(Credits(150))
    );
    assert_eq!(
        of(CertificateType::Qualification, Some(SkillLevel::Four)),
        Some(Credits(225))
    );
    assert_eq!(of(CertificateType::Qualification, None), Some(Credits(100)));
    assert_eq!(
        of(CertificateType::Qualification, Some(SkillLevel::One)),
        None
    );
    assert_eq!(
        of(CertificateType::TrainingCompletion, None),
        Some(Credits(50))
    );
    assert_eq!(t.hours.unwrap().convert(20), Credits(125));
    // No [credits]: no table.
    assert!(load_text(&[("t.toml", &head())]).unwrap().credits.is_none());
}

#[test]
fn a_citys_table_replaces_its_provinces() {
    let province = with(
        "[credits]\nclause = \"省\"\ncertificates = [{ cert = \"培训合格证书\", credits = 1 }]\n",
    );
    let city = r#"[policy]
id = "c"
title = "市政策"
doc_no = "市〔2019〕2号"
region = "620500"
valid_from = "2019-01-01"
extends = "p.toml"

[credits]
clause = "市"
certificates = [{ cert = "培训合格证书", credits = 3 }]
"#;
    let p = load_text(&[("c.toml", city), ("p.toml", &province)]).unwrap_or_else(|e| panic!("{e}"));
    let t = p.credits.unwrap();
    assert_eq!(t.clause, "市");
    assert_eq!(t.certificates.len(), 1);
    assert_eq!(t.certificates[0].credits, Credits(300));
}

#[test]
fn broken_tables_are_refused_with_file_line_and_reason() {
    let cases: [(&str, &str, &str); 9] = [
        (
            "[credits]\ncertificates = [{ cert = \"培训合格证书\", credits = 1 }]\n",
            "[credits]",
            "缺少 clause",
        ),
        (
            "[credits]\nclause = \"十\"\ncertificates = [{ cert = \"毕业证书\", credits = 1 }]\n",
            "毕业证书",
            "无法识别的证书类型「毕业证书」",
        ),
        (
            "[credits]\nclause = \"十\"\ncertificates = [{ cert = \"培训合格证书\", credits = -1 }]\n",
            "credits = -1",
            "学分 -1 不能为负数",
        ),
        (
            "[credits]\nclause = \"十\"\ncertificates = [{ cert = \"培训合格证书\", credits = 1.234 }]\n",
            "1.234",
            "最多两位小数",
        ),
        (
            "[credits]\nclause = \"十\"\ncertificates = [{ cert = \"职业资格证书\", levels = { \"六级\" = 1 } }]\n",
            "六级",
            "无法识别的技能等级",
        ),
        (
            "[credits]\nclause = \"十\"\ncertificates = [\n  { cert = \"培训合格证书\", credits = 1 },\n  { cert = \"培训合格证书\", credits = 2 },\n]\n",
            "credits = 2",
            "重复列出「培训合格证书」",
        ),
        (
            "[credits]\nclause = \"十\"\ncertificates = [{ cert = \"培训合格证书\", credits = 1, levels = { \"五级\" = 1 } }]\n",
            "levels = {",
            "levels（各等级的学分）或 credits",
        ),
        (
            "[credits]\nclause = \"十\"\n[credits.hours]\nper_hours = 0\ncredits = 1\n",
            "[credits.hours]",
            "per_hours 应为正整数",
        ),
        (
            "[credits]\nclause = \"十\"\nrate = 3\n",
            "rate = 3",
            "未知参数 rate",
        ),
    ];
    for (credits, at, needle) in cases {
        let text = with(credits);
        let e = load_text(&[("t.toml", &text)]).expect_err(credits);
        assert_error(&e, "t.toml", line_of(&text, at), &[needle]);
    }
}
