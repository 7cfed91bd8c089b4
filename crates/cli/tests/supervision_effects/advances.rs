//! A grade whose consequences say `no_advances` (C) refuses 先行拨付,
//! naming the rating; a later year's better rating lifts it.

use crate::common::fixtures::{
    apprentice, credit_rules, load, load_supervision, policy_file, supervision_file,
};
use crate::common::{credit, id, initialised};

/// Credit rules whose base score is `base`; C means no advances.
fn rules(id: &str, base: i32) -> String {
    let checks = "\n[checks.S6]\nclause = \"二十四\"\n";
    supervision_file(
        id,
        &format!("{checks}{}", credit_rules(base, "\"高\" = -30")),
    )
}

#[test]
fn a_c_rating_refuses_advances_until_a_better_one() {
    let worker = id("371502", 1995, 2, 3, 15);
    let firm = credit("371502", "7");
    for db in initialised("effects_advance") {
        let b = db.backend;
        load_supervision(&db, "c.supervision.toml", &rules("effects-c", 65));
        apprentice(&db, &worker, &firm, &[("XT-1", "2020-02-29", "是")]);
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
        load_supervision(&db, "c.supervision.toml", &rules("effects-a", 100));
        db.ok(&["credit", "rate", "--year", "2020", "--on", "2021-01-15"]);
        let o = db.run(&["claims", "advance", "XT-C1"]);
        assert!(o.status.success(), "[{b}] {o:?}");
        assert!(String::from_utf8_lossy(&o.stdout).contains("已预拨申领 XT-C1"));
    }
}
