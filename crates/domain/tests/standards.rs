//! The evaluation of the standards in force, without a database: the
//! published amounts' file is read and refused as documented (file, line,
//! Chinese), the Liaocheng catalogue's rows meet the amounts published for
//! their class and level, refusal reasons come from the decision's failed
//! lines, and a tally becomes a row with its standard, published amount
//! and clauses (the arithmetic for any counts: `prop_standards.rs`).

use crate::common;

use std::collections::{BTreeMap, HashMap};

use common::{d, policy_text, refdata};
use jineng_domain::policy::trace::{Detail, TraceLine, Verdict};
use jineng_domain::policy::{self, Policy, RuleId};
use jineng_domain::refdata::RefData;
use jineng_domain::standards::published::{BUILTIN, Item};
use jineng_domain::standards::standard::RowKey;
use jineng_domain::standards::{
    Counts, EntryGrades, Figure, PolicyRef, Published, Reason, Tally, Unit, evaluate, in_force,
};
use jineng_domain::{CertificateType, Fen, OccupationCode, SkillLevel};

fn liaocheng() -> (Policy, EntryGrades) {
    let text = policy_text("liaocheng-2019.toml");
    let mut read = |_: &str| Ok(text.clone());
    let (p, sources) = policy::load("liaocheng-2019.toml", &mut read, rd()).unwrap();
    (p, EntryGrades::read(&sources))
}

fn occ(s: &str) -> OccupationCode {
    OccupationCode::parse(s).unwrap()
}

/// The repository's reference data, read once.
fn rd() -> &'static RefData {
    static ONCE: std::sync::OnceLock<RefData> = std::sync::OnceLock::new();
    ONCE.get_or_init(refdata)
}

/// The shipped file, read once: the property tests ask for it often.
fn published() -> Published {
    static ONCE: std::sync::OnceLock<Published> = std::sync::OnceLock::new();
    ONCE.get_or_init(|| Published::builtin(rd()).unwrap_or_else(|e| panic!("{e}")))
        .clone()
}

#[test]
fn the_shipped_file_reads_against_the_reference_data() {
    let p = published();
    assert_eq!(p.sources.len(), 5);
    assert!(p.amounts.len() >= 25, "{}", p.amounts.len());
    assert_eq!(p.uplifts.len(), 3);
    // Every amount of Jiangsu's three classes at five levels is there.
    for (grade, five) in [("A", 100_000), ("B", 80_000), ("C", 50_000)] {
        let a = p
            .amounts
            .iter()
            .find(|a| a.grade.as_deref() == Some(grade) && a.level == Some(Some(SkillLevel::Five)))
            .unwrap();
        assert_eq!(a.figure, Figure::Exact { fen: Fen(five) }, "{grade}");
    }
}

#[test]
fn liaocheng_rows_meet_the_amounts_of_their_class_and_level() {
    let (p, grades) = liaocheng();
    let pb = published();
    let on = d("2019-12-31");
    let row = |subsidy, o: &str, level, cert| RowKey {
        subsidy,
        occupation: Some(Box::leak(Box::new(occ(o)))),
        level,
        cert,
    };
    let find = |s: &jineng_domain::standards::Standard, level, cert| {
        pb.find(&Item {
            subsidy: &s.catalogue_subsidy,
            grade: s.grade.as_deref(),
            level,
            cert,
            unit: s.unit,
        })
        .cloned()
    };
    // 家政服务员 is a class-B occupation: 五级 800 beside Jiangsu's B 800.
    let skill = Some(CertificateType::SkillLevel);
    let five = Some(SkillLevel::Five);
    let s = in_force(
        &p,
        &grades,
        row("职业培训补贴", "4-10-01-06", five, skill),
        on,
    )
    .unwrap();
    assert_eq!(
        (s.amount, s.grade.as_deref(), s.unit),
        (Fen(80_000), Some("B"), Unit::PerClaim)
    );
    let a = find(&s, five, skill).unwrap();
    assert_eq!(a.label, "B类职业 五级/初级工");
    assert_eq!(a.figure.difference(s.amount), Fen::ZERO);
    assert_eq!(pb.source(&a).id, "jiangsu-2023");
    // 电工 四级 is class A: 1500.
    let four = Some(SkillLevel::Four);
    let s = in_force(
        &p,
        &grades,
        row("职业培训补贴", "6-31-01-03", four, skill),
        on,
    )
    .unwrap();
    assert_eq!((s.amount, s.grade.as_deref()), (Fen(150_000), Some("A")));
    assert_eq!(find(&s, four, skill).unwrap().label, "A类职业 四级/中级工");
    // 专项职业能力 800 written without a class: Jiangsu's span 400–800.
    let special = Some(CertificateType::SpecialAbility);
    let s = in_force(
        &p,
        &grades,
        row("职业培训补贴", "4-10-01-06", None, special),
        on,
    )
    .unwrap();
    let a = find(&s, None, special).unwrap();
    assert_eq!(
        a.figure,
        Figure::Range {
            min: Fen(40_000),
            max: Fen(80_000)
        }
    );
    assert_eq!(a.figure.difference(s.amount), Fen::ZERO);
    // 技能提升补贴 at most 1000 for 五级.
    let s = in_force(
        &p,
        &grades,
        row("技能提升补贴", "4-10-01-05", five, skill),
        on,
    )
    .unwrap();
    assert_eq!((s.amount, s.grade.as_deref()), (Fen(100_000), Some("UP")));
    let a = find(&s, five, skill).unwrap();
    assert_eq!(a.figure, Figure::UpTo { fen: Fen(100_000) });
    // R8 30 a day beside Heilongjiang's 25; R10 200 a month beside 500.
    let s = in_force(&p, &grades, row("生活费补贴", "4-07-05-01", five, None), on).unwrap();
    assert_eq!((s.amount, s.unit), (Fen(3_000), Unit::PerDay));
    assert_eq!(
        find(&s, five, None).unwrap().figure.difference(s.amount),
        Fen(500)
    );
    let s = in_force(
        &p,
        &grades,
        row("以工代训补贴", "4-03-02-01", None, None),
        on,
    )
    .unwrap();
    assert_eq!((s.amount, s.unit), (Fen(20_000), Unit::PerMonth));
    assert_eq!(
        find(&s, None, None).unwrap().figure.difference(s.amount),
        Fen(-30_000)
    );
    // 特种作业 has no published amount; the 养老护理员 uplift starts in 2020.
    let op = Some(CertificateType::SpecialOperation);
    let s = in_force(&p, &grades, row("职业培训补贴", "6-31-01-03", None, op), on).unwrap();
    assert!(find(&s, None, op).is_none());
    let key = row("职业培训补贴", "4-10-01-05", five, skill);
    assert_eq!(in_force(&p, &grades, key, on).unwrap().uplift_pct, 0);
    assert_eq!(
        in_force(&p, &grades, key, d("2020-06-30"))
            .unwrap()
            .uplift_pct,
        30
    );
    // A type the policy does not price has no standard.
    assert!(
        in_force(
            &p,
            &grades,
            row("项目制培训补贴", "6-31-01-03", five, skill),
            on
        )
        .is_none()
    );
}

/// A copy of the shipped file with `[[amount]]` `extra` appended.
fn with(extra: &str) -> Result<Published, String> {
    let text = format!("{BUILTIN}\n{extra}");
    Published::parse("p.toml", &text, rd()).map_err(|e| e.to_string())
}

fn line_of_extra() -> usize {
    BUILTIN.lines().count() + 2
}

#[test]
fn a_broken_file_is_refused_with_its_line() {
    let at = line_of_extra();
    let cases = [
        (
            "source = \"jiangsu-2023\"\nlabel = \"x\"\nsubsidy = \"职业培训补贴\"\nlevel = \"五级\"\nyuan = 800.5",
            "浮点",
        ),
        (
            "source = \"nowhere\"\nlabel = \"x\"\nsubsidy = \"职业培训补贴\"\nyuan = 1",
            "未定义的来源「nowhere」",
        ),
        (
            "source = \"jiangsu-2023\"\nlabel = \"x\"\nsubsidy = \"职业培训补贴\"\nlevel = \"九级\"\nyuan = 1",
            "无法识别的技能等级「九级」",
        ),
        (
            "source = \"jiangsu-2023\"\nlabel = \"x\"\nsubsidy = \"职业培训补贴\"\ncert = [\"驾照\"]\nyuan = 1",
            "无法识别的证书类型「驾照」",
        ),
        (
            "source = \"jiangsu-2023\"\nlabel = \"x\"\nsubsidy = \"职业培训补贴\"\nunit = \"周\"\nyuan = 1",
            "无法识别的单位「周」",
        ),
        (
            "source = \"jiangsu-2023\"\nlabel = \"x\"\nsubsidy = \"职业培训补贴\"\nyuan = 1\nmin_yuan = 1\nmax_yuan = 2",
            "之一",
        ),
        (
            "source = \"jiangsu-2023\"\nlabel = \"x\"\nsubsidy = \"职业培训补贴\"\nmin_yuan = 3\nmax_yuan = 2",
            "大于",
        ),
        (
            "source = \"jiangsu-2023\"\nlabel = \"x\"\nsubsidy = \"补贴大全\"\nyuan = 1",
            "未知的补贴类型「补贴大全」",
        ),
        (
            "source = \"jiangsu-2023\"\nlabel = \"x\"\nsubsidy = \"职业培训补贴\"\nyuan = 1\ncolour = 1",
            "未知参数 colour",
        ),
        (
            "source = \"jiangsu-2023\"\nlabel = \"again\"\nsubsidy = \"职业培训补贴\"\ngrade = \"B\"\nlevel = \"初级工\"\nyuan = 900",
            "与第",
        ),
    ];
    for (body, words) in cases {
        let err = with(&format!("[[amount]]\n{body}\n")).unwrap_err();
        assert!(err.contains(words), "{body}: {err}");
        assert!(err.starts_with("公开标准文件「p.toml」第 "), "{err}");
        let line: usize = err["公开标准文件「p.toml」第 ".len()..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            (at..at + 8).contains(&line),
            "{body}: line {line}, amount at {at}"
        );
    }
    let dup = with("[[amount]]\nsource = \"jiangsu-2023\"\nlabel = \"again\"\nsubsidy = \"职业培训补贴\"\ngrade = \"B\"\nlevel = \"五级\"\nyuan = 900\n")
        .unwrap_err();
    assert!(dup.contains("B类职业 五级/初级工"), "{dup}");
    // Without reference data the subsidy type is not checked.
    let text = format!(
        "{BUILTIN}\n[[amount]]\nsource = \"jiangsu-2023\"\nlabel = \"x\"\nsubsidy = \"补贴大全\"\nyuan = 1\n"
    );
    assert!(Published::parse("p.toml", &text, &RefData::default()).is_ok());
}

fn line(rule: Option<RuleId>, verdict: Verdict) -> TraceLine {
    TraceLine {
        rule,
        verdict,
        detail: Detail::FirstTime,
    }
}

#[test]
fn reasons_are_the_failed_rules_else_the_policy_else_an_officer() {
    let trace = vec![
        line(Some(RuleId::R1), Verdict::Pass),
        line(Some(RuleId::R2), Verdict::Fail),
        line(Some(RuleId::R1), Verdict::Flag),
        line(Some(RuleId::R3), Verdict::Fail),
        line(Some(RuleId::R2), Verdict::Fail),
    ];
    assert_eq!(
        Reason::of(Some("rejected"), &trace),
        vec![Reason::Rule(RuleId::R2), Reason::Rule(RuleId::R3)]
    );
    assert_eq!(
        Reason::of(Some("rejected"), &[line(None, Verdict::Fail)]),
        vec![Reason::Policy]
    );
    assert_eq!(Reason::of(Some("approved"), &trace), vec![Reason::Officer]);
    assert_eq!(Reason::of(None, &[]), vec![Reason::Officer]);
}

#[test]
fn a_tally_becomes_a_row_with_standard_published_and_clauses() {
    let (p, grades) = liaocheng();
    let pb = published();
    let refs = HashMap::from([(
        7,
        PolicyRef {
            key: "liaocheng-2019",
            policy: &p,
            grades: &grades,
        },
    )]);
    let tally = |o: &str, paid: i64, reasons: BTreeMap<Reason, i64>| Tally {
        policy_id: Some(7),
        subsidy_type: "职业培训补贴".into(),
        occupation: Some(occ(o)),
        occupation_name: "家政服务员".into(),
        level: Some(SkillLevel::Five),
        cert_type: Some(CertificateType::SkillLevel),
        counts: Counts {
            claims: 10,
            approved: 7,
            rejected: 3,
            approved_fen: 560_000,
            paid_fen: paid,
            certificates: 7,
            ..Counts::default()
        },
        reasons,
    };
    let reasons = BTreeMap::from([(Reason::Rule(RuleId::R2), 2), (Reason::Officer, 1)]);
    let e = evaluate(
        ("371500", "聊城市", 2019),
        vec![
            tally("4-10-01-06", 100, reasons),
            tally("4-10-01-05", 200, BTreeMap::new()),
        ],
        &refs,
        &pb,
    );
    // Ordered by occupation; shares of 300 paid: 1/3 and 2/3, rounded down.
    let r = &e.rows[1];
    assert_eq!(r.occupation.as_deref(), Some("4-10-01-06"));
    assert_eq!((r.fund_share_bp, e.rows[0].fund_share_bp), (3333, 6666));
    assert_eq!(r.avg_fen_per_certificate, Some(80_000));
    assert_eq!(
        (r.standard_fen, r.published_fen, r.difference_fen),
        (Some(80_000), Some(80_000), Some(0))
    );
    assert_eq!(r.grade.as_deref(), Some("B"));
    assert_eq!(r.policy.as_deref(), Some("liaocheng-2019"));
    let r2 = &r.rejections[0];
    assert_eq!(
        (r2.rule.as_str(), r2.title.as_str(), r2.count),
        ("R2", "年度次数", 2)
    );
    assert_eq!(r2.clause, "聊政办发〔2019〕10号 二十一");
    assert_eq!(r.rejections[1].rule, "officer");
    assert_eq!(e.totals.counts.claims, 20);
    assert_eq!(e.totals.fund_share_bp, 10_000);
    assert_eq!(e.totals.rejections[0].clause, "聊政办发〔2019〕10号 二十一");
    // Without its policy a row has no standard and no comparison.
    let e = evaluate(
        ("371500", "聊城市", 2019),
        vec![tally("4-10-01-06", 0, BTreeMap::new())],
        &HashMap::new(),
        &pb,
    );
    assert_eq!(
        (
            e.rows[0].standard_fen,
            e.rows[0].published_fen,
            e.rows[0].fund_share_bp
        ),
        (None, None, 0)
    );
}
