//! A grade whose consequences say `no_advances` (C) refuses 先行拨付,
//! naming the rating; a later year's better rating lifts it.

use crate::common::fixtures::{INSTITUTIONS, ROSTER, load, policy_file};
use crate::common::{credit, id, initialised};

/// Credit rules whose base score is `base`; C means no advances.
fn rules(id: &str, base: i32) -> String {
    format!(
        r#"
[supervision]
id = "{id}"
title = "测试监管规则"
doc_no = "聊政办发〔2019〕10号"
region = "371500"

[checks.S6]
clause = "二十四"

[credit]
clause = "序号17、序号18"
base = {base}
[credit.cases]
"高" = -30
[credit.grades]
A = 90
B = 75
C = 60
[credit.consequences.C]
no_advances = true
"#
    )
}

#[test]
fn a_c_rating_refuses_advances_until_a_better_one() {
    let worker = id("371502", 1995, 2, 3, 15);
    let firm = credit("371502", "7");
    for db in initialised("effects_advance") {
        let b = db.backend;
        let file = db.path("c.supervision.toml");
        std::fs::write(&file, rules("effects-c", 65)).unwrap();
        db.ok(&["supervise", "load", file.to_str().unwrap()]);
        load(
            &db,
            "persons",
            "姓名,身份证号码,户籍地",
            &[format!("刘学徒,{worker},371502")],
        );
        load(
            &db,
            "institutions",
            INSTITUTIONS,
            &[format!("聊城某机械有限公司,{firm},企业,371502,否,,")],
        );
        load(
            &db,
            "classes",
            "班级编号,统一社会信用代码,培训类型,职业编码,等级,培训地,开班日期,结业日期,计划课时,是否列入培训计划",
            &[format!(
                "XT-1,{firm},新型学徒制,6-18-02-04,五级,371502,2019-03-01,2020-02-29,400,是"
            )],
        );
        load(
            &db,
            "roster",
            ROSTER,
            &[format!("XT-1,{firm},刘学徒,{worker},400,0,合格")],
        );
        load(
            &db,
            "claims",
            "申领编号,补贴类型,身份证号码,班级编号,统一社会信用代码,申领单位,申请日期",
            &[format!(
                "XT-C1,新型学徒制补贴,{worker},XT-1,{firm},{firm},2020-03-10"
            )],
        );
        db.ok(&["policy", "load", &policy_file("liaocheng-2019.toml")]);
        db.ok(&["ledger", "allocate", "--fund", "ES", "--amount", "100000"]);
        db.ok(&["claims", "decide", "--all"]);
        db.ok(&["claims", "approve", "XT-C1"]);

        let rated = db.ok(&[
            "credit",
            "rate",
            "--year",
            "2019",
            "--on",
            "2020-01-15",
            "--json",
        ]);
        assert!(rated.contains("\"grade\":\"C\""), "[{b}] {rated}");
        let o = db.run(&["claims", "advance", "XT-C1"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "[{b}] advanced under a C rating");
        assert!(
            err.contains(&format!(
                "机构 {firm} 在 2019 年度信用评定为 C 级，不得先行拨付"
            )),
            "[{b}] {err}"
        );

        // Rated A for 2020: advances again.
        std::fs::write(&file, rules("effects-a", 100)).unwrap();
        db.ok(&["supervise", "load", file.to_str().unwrap()]);
        db.ok(&["credit", "rate", "--year", "2020", "--on", "2021-01-15"]);
        let o = db.run(&["claims", "advance", "XT-C1"]);
        assert!(o.status.success(), "[{b}] {o:?}");
        assert!(String::from_utf8_lossy(&o.stdout).contains("已预拨申领 XT-C1"));
    }
}
