use chrono::NaiveDate;

use super::*;

const RULES: &str = r#"
clause = "序号17"
base = 100
complaint = -5
pass_rate_min_trainees = 20
[cases]
"高" = -30
"中" = -20
"低" = -10
[inspection]
"合格" = 0
"基本合格" = -5
"不合格" = -20
[[pass_rate]]
min_pct = 90
points = 5
[[pass_rate]]
min_pct = 0
points = 0
[[pass_rate]]
min_pct = 60
points = -10
[grades]
A = 90
B = 75
C = 60
[consequences.C]
no_advances = true
[consequences.D]
remove_from_catalogue = true
removal_after_days = 30
note = "移出培训机构目录"
"#;

fn rules() -> CreditRules {
    let raw: RawCredit = toml::from_str(RULES).unwrap();
    CreditRules::from_raw(raw, "如东县职业技能提升行动重点任务分工表").unwrap()
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 15).unwrap()
}

fn inputs() -> RatingInputs {
    RatingInputs {
        institution: "91320623MA1X000001".into(),
        kind: InstitutionKind::Training,
        year: 2019,
        cases_true: vec![],
        complaints_upheld: 0,
        inspections: vec![],
        trainees: 100,
        passed: 95,
    }
}

#[test]
fn a_clean_institution_with_a_good_pass_rate_is_a() {
    let r = rate(&rules(), &inputs(), day());
    assert_eq!((r.score, r.grade), (105, Grade::A));
    assert_eq!(
        r.points[1].reason,
        "年度合格率 95%（95/100），达到 90% 档，加 5 分"
    );
    assert_eq!(r.consequences, Consequences::default());
    assert_eq!(
        r.cite.to_string(),
        "如东县职业技能提升行动重点任务分工表 序号17"
    );
}

#[test]
fn cases_found_true_and_a_failed_inspection_take_it_to_d_and_out_of_the_catalogue() {
    let mut i = inputs();
    i.cases_true = vec![
        CaseFound {
            case_no: "XS-2019-0001".into(),
            check: CheckId::S1,
            severity: Severity::High,
        },
        CaseFound {
            case_no: "XS-2019-0002".into(),
            check: CheckId::S7,
            severity: Severity::Medium,
        },
    ];
    i.inspections = vec![InspectionResult {
        draw_no: "CQ-2019-01".into(),
        result: "不合格".into(),
    }];
    i.complaints_upheld = 1;
    i.passed = 50;
    let r = rate(&rules(), &i, day());
    // 100 - 30 - 20 - 5 - 20 + 0 (50% is in the 0 band)
    assert_eq!(r.score, 25);
    assert_eq!(r.grade, Grade::D);
    let reasons: Vec<&str> = r.points.iter().map(|p| p.reason.as_str()).collect();
    assert!(
        reasons
            .contains(&"线索「XS-2019-0001」（S1 同一人培训时间重叠，高风险）核查属实，扣 30 分"),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&"双随机抽查「CQ-2019-01」结果「不合格」，扣 20 分"),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&"投诉属实 1 件，每件扣 5 分，扣 5 分"),
        "{reasons:?}"
    );
    assert_eq!(
        r.consequences.removed_from,
        NaiveDate::from_ymd_opt(2020, 2, 14)
    );
}

#[test]
fn grade_floors_are_inclusive_and_c_means_no_advances() {
    let rules = rules();
    assert_eq!(rules.grade(90), Grade::A);
    assert_eq!(rules.grade(89), Grade::B);
    assert_eq!(rules.grade(60), Grade::C);
    assert_eq!(rules.grade(59), Grade::D);
    let mut i = inputs();
    i.passed = 70; // -10 band
    i.cases_true = vec![CaseFound {
        case_no: "XS-1".into(),
        check: CheckId::S3,
        severity: Severity::Low,
    }];
    i.inspections = vec![InspectionResult {
        draw_no: "CQ-1".into(),
        result: "整改中".into(),
    }];
    let r = rate(&rules, &i, day());
    assert_eq!((r.score, r.grade), (80, Grade::B));
    assert!(
        r.points
            .iter()
            .any(|p| p.reason.contains("未列入评级规则，不计分"))
    );
    i.complaints_upheld = 4;
    let r = rate(&rules, &i, day());
    assert_eq!((r.score, r.grade), (60, Grade::C));
    assert!(r.consequences.no_advances && r.consequences.removed_from.is_none());
    // Too few trainees: no pass-rate point at all.
    i.trainees = 10;
    i.passed = 0;
    assert!(
        !rate(&rules, &i, day())
            .points
            .iter()
            .any(|p| p.reason.contains("合格率"))
    );
}

#[test]
fn bad_rules_are_refused_naming_the_key() {
    let bad = RULES.replace("C = 60", "C = 80");
    let raw: RawCredit = toml::from_str(&bad).unwrap();
    let e = CreditRules::from_raw(raw, "x").unwrap_err();
    assert!(e.contains("A > B > C"), "{e}");
    let bad = RULES.replace("[consequences.C]", "[consequences.E]");
    let e = CreditRules::from_raw(toml::from_str(&bad).unwrap(), "x").unwrap_err();
    assert!(e.contains("「E」应为 A、B、C 或 D"), "{e}");
    let bad = RULES.replace("\"低\" = -10", "\"轻\" = -10");
    let e = CreditRules::from_raw(toml::from_str(&bad).unwrap(), "x").unwrap_err();
    assert!(e.contains("「轻」应为 高、中 或 低"), "{e}");
    assert!(toml::from_str::<RawCredit>(&RULES.replace("base", "bass")).is_err());
}
