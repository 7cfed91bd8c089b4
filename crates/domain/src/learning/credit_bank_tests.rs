//! Credits: reading and printing amounts, the table's lookup (exact level
//! before the type's every-level entry), the outcomes and their reasons,
//! and (proptest) that the hours conversion is monotonic, never exceeds the
//! exact proportion, and splitting hours never earns more than keeping them.

use super::*;
use crate::learning::hours::{OnlineRule, TrainingHours, online_hours};
use proptest::prelude::*;

fn table() -> CreditTable {
    CreditTable {
        clause: "序号10".into(),
        note: String::new(),
        example: false,
        certificates: vec![
            CertCredits {
                cert: CertificateType::SkillLevel,
                level: LevelKey::Level(SkillLevel::Five),
                credits: Credits(400),
                source: "测试".into(),
            },
            CertCredits {
                cert: CertificateType::SkillLevel,
                level: LevelKey::Any,
                credits: Credits(300),
                source: "测试".into(),
            },
            CertCredits {
                cert: CertificateType::SpecialAbility,
                level: LevelKey::NoLevel,
                credits: Credits(250),
                source: "示例".into(),
            },
        ],
        hours: Some(HoursCredits {
            per_hours: 16,
            credits: Credits(100),
            completed: vec![CompletionResult::Passed],
            source: "测试".into(),
        }),
    }
}

#[test]
fn amounts_read_and_print_exactly() {
    for (s, v) in [
        ("4", 400),
        ("2.5", 250),
        ("0.25", 25),
        ("0", 0),
        (" 12.50 ", 1250),
    ] {
        assert_eq!(Credits::parse(s).unwrap(), Credits(v), "{s}");
    }
    for s in ["-1", "1.", ".5", "1.234", "abc", ""] {
        assert!(Credits::parse(s).is_err(), "{s}");
    }
    assert!(
        Credits::parse("1.234")
            .unwrap_err()
            .message()
            .contains("两位小数")
    );
    let shown: Vec<String> = [400, 250, 93, 5, 0]
        .map(|c| Credits(c).to_string())
        .to_vec();
    assert_eq!(shown, ["4", "2.5", "0.93", "0.05", "0"]);
    assert_eq!(serde_json::to_string(&Credits(93)).unwrap(), "0.93");
}

#[test]
fn the_exact_level_wins_over_the_every_level_entry() {
    let t = table();
    let of = |c, l| t.certificate(c, l).map(|e| e.credits);
    assert_eq!(
        of(CertificateType::SkillLevel, Some(SkillLevel::Five)),
        Some(Credits(400))
    );
    assert_eq!(
        of(CertificateType::SkillLevel, Some(SkillLevel::Three)),
        Some(Credits(300))
    );
    assert_eq!(of(CertificateType::SkillLevel, None), Some(Credits(300)));
    assert_eq!(
        of(CertificateType::SpecialAbility, None),
        Some(Credits(250))
    );
    assert_eq!(
        of(CertificateType::SpecialAbility, Some(SkillLevel::Five)),
        None
    );
    assert_eq!(
        of(CertificateType::Qualification, Some(SkillLevel::Five)),
        None
    );
}

#[test]
fn outcomes_say_why() {
    let t = table();
    let o = certificate_outcome(
        Some(&t),
        CertificateType::SkillLevel,
        Some(SkillLevel::Five),
        false,
    );
    assert_eq!(o.credits(), Credits(400));
    assert!(
        o.explain()
            .contains("职业技能等级证书（五级/初级工）计 4 学分"),
        "{}",
        o.explain()
    );
    let ex = certificate_outcome(Some(&t), CertificateType::SpecialAbility, None, false);
    assert!(ex.explain().ends_with("（示例标准）"), "{}", ex.explain());
    assert_eq!(
        certificate_outcome(Some(&t), CertificateType::SkillLevel, None, true),
        CreditOutcome::Revoked
    );
    assert_eq!(
        certificate_outcome(None, CertificateType::SkillLevel, None, false),
        CreditOutcome::NoTable
    );
    assert_eq!(
        certificate_outcome(Some(&t), CertificateType::Qualification, None, false),
        CreditOutcome::NotListed
    );

    let rule = OnlineRule {
        pct: 50,
        max_hours: Some(40),
    };
    let hours = TrainingHours::new(20, online_hours(0, Some(40 * 60)), rule);
    let o = training_outcome(Some(&t), &hours, CompletionResult::Passed);
    assert_eq!(o.credits(), Credits(250), "40 counted hours at 1 per 16");
    assert!(
        o.explain().contains("计入课时 40（线下 20，线上 40）"),
        "{}",
        o.explain()
    );
    let failed = training_outcome(Some(&t), &hours, CompletionResult::Failed);
    assert_eq!(failed.credits(), Credits(0));
    assert!(failed.explain().contains("不合格"));
    let no_rule = CreditTable { hours: None, ..t };
    assert_eq!(
        training_outcome(Some(&no_rule), &hours, CompletionResult::Passed),
        CreditOutcome::NoHoursRule
    );
}

proptest! {
    #[test]
    fn hours_convert_in_proportion_rounded_down(
        a in 0i64..2000, b in 0i64..2000, per in 1i64..100, credits in 0i64..1000,
    ) {
        let r = HoursCredits { per_hours: per, credits: Credits(credits), completed: vec![], source: String::new() };
        // Never more than the exact proportion, less by under a hundredth.
        let exact = a as f64 * credits as f64 / per as f64;
        let got = r.convert(a).0 as f64;
        prop_assert!(got <= exact + 1e-9 && exact - got < 1.0);
        // More hours never earn less.
        prop_assert!(r.convert(a + b) >= r.convert(a));
        // Two trainings never earn more than their hours together.
        prop_assert!(r.convert(a) + r.convert(b) <= r.convert(a + b));
    }

    #[test]
    fn amounts_print_and_read_back(v in 0i64..100_000_000) {
        prop_assert_eq!(Credits::parse(&Credits(v).to_string()).unwrap(), Credits(v));
    }
}
