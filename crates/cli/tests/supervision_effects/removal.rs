//! A D rating takes the institution out of the catalogue from its removal
//! date: R1 refuses a claim for a class that started after it, the trace
//! naming the rating; a class that started before is paid; a claim found
//! eligible before the rating is refused when approved.

use super::{export_claims, load, pid, registry, school};
use crate::common::{credit, initialised};
use serde_json::Value;

#[test]
fn a_d_rating_takes_the_institution_out_of_the_catalogue() {
    for db in initialised("effects_credit") {
        let b = db.backend;
        // Persons 3 and 4 have certificates but no claims yet.
        registry(&db, 4, 2, &[]);
        // Rated D on 2019-01-02: out of the catalogue from 2019-02-01.
        let rated = db.ok(&[
            "credit",
            "rate",
            "--year",
            "2018",
            "--on",
            "2019-01-02",
            "--json",
        ]);
        let r: Value = serde_json::from_str(rated.lines().next().unwrap()).unwrap();
        assert_eq!(
            (&r["grade"], &r["consequences"]["removed_from"]),
            (&Value::from("D"), &Value::from("2019-02-01")),
            "[{b}] {r:#}"
        );
        // A class that started before the removal (near miss); CL-1 started after.
        load(
            &db,
            "classes",
            crate::common::fixtures::CLASSES,
            &[format!(
                "CL-0,{},就业技能培训,6-31-01-03,电工,四级,371502,2019-01-10,2019-01-31,80",
                school()
            )],
        );
        let name = "钱四";
        load(
            &db,
            "roster",
            crate::common::fixtures::ROSTER,
            &[format!("CL-0,{},{name},{},80,0,合格", school(), pid(4))],
        );
        load(
            &db,
            "certificates",
            crate::common::fixtures::CERTIFICATES,
            &[format!(
                "ZEARLY,职业技能等级证书,{name},{},6-31-01-03,四级,2019-02-10,{},CL-0",
                pid(4),
                credit("371502", "5")
            )],
        );
        load(
            &db,
            "claims",
            crate::common::fixtures::CLAIMS,
            &[
                format!("LATE,职业培训补贴,{},ZPB3,,,,2019-04-01,,", pid(3)),
                format!("EARLY,职业培训补贴,{},ZEARLY,,,,2019-04-01,,", pid(4)),
            ],
        );
        db.ok(&["claims", "decide", "--all"]);
        let claims = export_claims(&db);
        assert_eq!(claims["LATE"]["status"], "rejected", "[{b}]");
        assert!(
            claims["LATE"]["rules"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == "R1"),
            "[{b}] {:#}",
            claims["LATE"]
        );
        let shown = db.ok(&["claims", "show", "LATE"]);
        let line = format!(
            "机构 {} 在 2018 年度信用评定为 D 级，自 2019-02-01 起移出目录",
            school()
        );
        assert!(shown.contains(&line), "[{b}] {shown}");
        assert_ne!(
            claims["EARLY"]["status"], "rejected",
            "[{b}] {:#}",
            claims["EARLY"]
        );
        assert!(!db.ok(&["claims", "show", "EARLY"]).contains("移出目录"));

        // PB-1 (CL-1) was found eligible before the rating: approval
        // decides again and refuses it.
        assert_eq!(claims["PB-1"]["status"], "eligible", "[{b}]");
        let o = db.run(&["claims", "approve", "PB-1"]);
        let text = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(1), "[{b}] {text}");
        assert!(text.contains("复核时不再符合条件（R1）"), "[{b}] {text}");
    }
}
