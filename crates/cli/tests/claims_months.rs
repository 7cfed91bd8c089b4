//! The template columns the widened rules read, through the binary on both
//! backends: 起始月份/截止月份 of a 以工代训 claim (one person-month paid
//! once across employers, R10 and R17) and 是否列入培训计划 of a class (the
//! condition of Liaocheng's apprenticeship advance, R9).

use crate::common;
use common::fixtures::{
    CATEGORIES, INSTITUTIONS, PERSONS, Sheet, apprentice, assert_contains, export_claims, load,
    policy_file, show_claim, sql_rows,
};
use common::{credit, id};

const CLAIMS_BY_MONTH: &str =
    "申领编号,补贴类型,身份证号码,申领单位,申请日期,月数,起始月份,截止月份";

#[test]
fn a_person_month_of_work_training_is_paid_once_across_employers() {
    let poor = id("620503", 1990, 9, 1, 21);
    let (a, b, c) = (
        credit("620503", "4"),
        credit("620503", "5"),
        credit("620503", "6"),
    );
    for db in common::initialised("claims_months") {
        let bk = db.backend;
        load(&db, "persons", PERSONS, &[format!("杨二娃,{poor},620503")]);
        load(
            &db,
            "categories",
            CATEGORIES,
            &[format!("{poor},贫困劳动力,2019-01-01,,建档立卡")],
        );
        load(
            &db,
            "institutions",
            INSTITUTIONS,
            &[
                format!("天水甲公司,{a},企业,620503,否,,"),
                format!("天水乙公司,{b},企业,620503,否,,"),
                format!("天水丙公司,{c},企业,620503,否,,"),
            ],
        );
        load(
            &db,
            "claims",
            CLAIMS_BY_MONTH,
            &[
                format!("WM-A,以工代训补贴,{poor},{a},2020-06-10,3,2020-03,2020-05"),
                format!("WM-B,以工代训补贴,{poor},{b},2020-08-10,,2020年4月,2020年7月"),
                format!("WM-C,以工代训补贴,{poor},{c},2020-09-10,,202004,202005"),
            ],
        );
        assert_eq!(
            sql_rows(
                &db,
                "SELECT claim_no, period_from, period_to FROM claims ORDER BY claim_no"
            ),
            vec![
                vec!["WM-A".to_string(), "2020-03".into(), "2020-05".into()],
                vec!["WM-B".to_string(), "2020-04".into(), "2020-07".into()],
                vec!["WM-C".to_string(), "2020-04".into(), "2020-05".into()],
            ],
            "[{bk}]"
        );
        db.ok(&["policy", "load", &policy_file("tianshui-2019.toml")]);
        db.ok(&["claims", "decide", "--all"]);
        let got = export_claims(&db);
        let amount = |no: &str| got[no]["amount_fen"].as_i64();
        // A: March–May, 3 × 200元. B: April and May were A's; June and July.
        assert_eq!(amount("WM-A"), Some(60_000), "[{bk}] {:#}", got["WM-A"]);
        assert_eq!(amount("WM-B"), Some(40_000), "[{bk}] {:#}", got["WM-B"]);
        // C: only months already paid: refused by R17.
        assert_eq!(
            got["WM-C"]["status"], "rejected",
            "[{bk}] {:#}",
            got["WM-C"]
        );
        assert_eq!(
            got["WM-C"]["rules"],
            serde_json::json!(["R17", "R10"]),
            "[{bk}]"
        );
        assert_eq!(
            sql_rows(
                &db,
                "SELECT claim_no, paid_months FROM claims WHERE paid_months IS NOT NULL ORDER BY claim_no"
            ),
            vec![
                vec!["WM-A".to_string(), "2020-03,2020-04,2020-05".into()],
                vec!["WM-B".to_string(), "2020-06,2020-07".into()],
            ],
            "[{bk}]"
        );
        assert_contains(
            &db,
            &show_claim(&db, "WM-B"),
            &["其中 2 个月已由申领 #WM-A 享受，同一人同一月份只补贴一次"],
        );
    }
}

#[test]
fn the_claim_months_are_checked_where_they_are_written() {
    let poor = id("620503", 1990, 9, 1, 21);
    let firm = credit("620503", "4");
    for db in common::initialised("claims_months_bad") {
        load(&db, "persons", PERSONS, &[format!("杨二娃,{poor},620503")]);
        let mut s = Sheet::new(CLAIMS_BY_MONTH);
        s.good(format!(
            "G1,以工代训补贴,{poor},{firm},2020-06-10,,2020-03,2020-03"
        ));
        s.good(format!(
            "G2,以工代训补贴,{poor},{firm},2020-06-10,4,2020-01,2020-04"
        ));
        s.bad(
            "起始月份",
            "月份 2020-13 不存在",
            format!("B1,以工代训补贴,{poor},{firm},2020-06-10,,2020-13,2020-12"),
        );
        s.bad(
            "截止月份",
            "无法识别的月份「十二月」",
            format!("B5,以工代训补贴,{poor},{firm},2020-06-10,,2020-01,十二月"),
        );
        s.bad(
            "截止月份",
            "截止月份不得早于起始月份",
            format!("B2,以工代训补贴,{poor},{firm},2020-06-10,,2020-05,2020-03"),
        );
        s.bad(
            "截止月份",
            "填写了起始月份时须同时填写截止月份",
            format!("B3,以工代训补贴,{poor},{firm},2020-06-10,,2020-05,"),
        );
        s.bad(
            "月数",
            "月数与起始、截止月份不符（2020-01 至 2020-04 共 4 个月）",
            format!("B4,以工代训补贴,{poor},{firm},2020-06-10,3,2020-01,2020-04"),
        );
        let (r, code) = s.import(&db, "claims");
        s.check(&db, &r, code);
    }
}

#[test]
fn the_apprenticeship_advance_follows_the_training_plan() {
    let worker = id("371502", 1995, 2, 3, 15);
    let firm = credit("371502", "7");
    for db in common::initialised("claims_plan") {
        let bk = db.backend;
        let classes = [("XT-1", "2020-02-29", "是"), ("XT-2", "2020-05-31", "否")];
        apprentice(&db, &worker, &firm, &classes);
        assert_eq!(
            sql_rows(
                &db,
                "SELECT class_no, in_plan FROM classes ORDER BY class_no"
            ),
            vec![
                vec!["XT-1".to_string(), "1".into()],
                vec!["XT-2".to_string(), "0".into()]
            ],
            "[{bk}]"
        );
        load(
            &db,
            "claims",
            "申领编号,补贴类型,身份证号码,班级编号,统一社会信用代码,申领单位,申请日期",
            &[
                format!("XT-C1,新型学徒制补贴,{worker},XT-1,{firm},{firm},2020-03-10"),
                format!("XT-C2,新型学徒制补贴,{worker},XT-2,{firm},{firm},2020-06-10"),
            ],
        );
        db.ok(&["policy", "load", &policy_file("liaocheng-2019.toml")]);
        db.ok(&["claims", "decide", "--all"]);
        // One calendar year (29 February inside): 4000元, 60 % advance. One
        // year and three months, by month: 5000元, no advance (not planned).
        assert_eq!(
            sql_rows(
                &db,
                "SELECT claim_no, amount_fen, advance_pct FROM claims ORDER BY claim_no"
            ),
            vec![
                vec!["XT-C1".to_string(), "400000".into(), "60".into()],
                vec!["XT-C2".to_string(), "500000".into(), "0".into()],
            ],
            "[{bk}]"
        );
        assert_contains(
            &db,
            &show_claim(&db, "XT-C2"),
            &[
                "学徒 1 年 3 个月（按月折算）",
                "培训班未列入当地培训计划，不预支",
            ],
        );
    }
}
