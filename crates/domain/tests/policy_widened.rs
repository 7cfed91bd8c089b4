//! What the policy file can now say, decided: an allowance group limited to
//! a training type (003 六), a veteran's own allowance rate (003 八), the
//! apprenticeship advance only for a class in the local training plan
//! (003 十二), 以工代训 by calendar month across employers (R10, R17), a
//! project training priced before any certificate (002 十), and the
//! sources the trace cites. Refusals of the new parameters name file and
//! line.

use crate::common;

use common::{cat, class, d, person, repo_policy};
use jineng_domain::Fen;
use jineng_domain::policy::engine::{self, Decision, DecisionOutcome, PayeeKind};
use jineng_domain::policy::facts::{Award, ClaimFacts, PersonFacts};
use jineng_domain::policy::{Policy, RuleId};

const TODAY: &str = "2021-06-30";
const LC: &str = "371502";
const TS: &str = "620502";

fn decide(p: &Policy, who: &PersonFacts, c: &ClaimFacts, history: &[Award]) -> Decision {
    engine::decide(p, who, c, history, d(TODAY))
}

fn text(p: &Policy, c: &ClaimFacts, dec: &Decision) -> String {
    common::rendered(p, c, dec, "家政服务员").join("\n")
}

fn allowance(no: &str, training_type: &str) -> ClaimFacts {
    ClaimFacts {
        voucher: None,
        class: Some(class(
            no.parse().unwrap(),
            LC,
            training_type,
            "4-10-01-06",
            "2020-05-11",
            "2020-05-20",
        )),
        ..common::claim(no, "生活费补贴", "2020-05-25")
    }
}

#[test]
fn a_poor_labourers_allowance_only_in_project_training() {
    // 003 六: 贫困劳动力参加项目制培训期间生活费补贴.
    let p = repo_policy("liaocheng-2019.toml");
    let poor = person(LC, vec![cat("贫困劳动力", "2016-01-01")]);
    let project = allowance("1", "项目制培训");
    let dec = decide(&p, &poor, &project, &[]);
    assert_eq!(dec.outcome, DecisionOutcome::Approved, "{:#?}", dec.trace);
    assert_eq!(dec.amount, Fen(30_000));
    let other = allowance("2", "就业技能培训");
    let dec = decide(&p, &poor, &other, &[]);
    assert_eq!(dec.rules(), vec![RuleId::R8]);
    assert!(text(&p, &other, &dec).contains("培训时不属于本项补贴的对象范围"));
    // The other groups are not limited.
    let ui = person(
        LC,
        vec![
            cat("领取失业保险金人员", "2020-01-01"),
            cat("就业困难人员", "2019-01-01"),
        ],
    );
    assert_eq!(
        decide(&p, &ui, &other, &[]).outcome,
        DecisionOutcome::Approved
    );
}

#[test]
fn a_veterans_allowance_has_its_own_rate() {
    let text_of = common::policy_text("liaocheng-2019.toml").replace(
        "living_allowance = true\n",
        "living_allowance = true\nsources = { daily = \"示例：八未定数额\" }\n",
    );
    let text_of = text_of.replace("daily = 30\n", "daily = \"45.50\"\n");
    let p =
        common::load_text(&[("liaocheng-2019.toml", &text_of)]).unwrap_or_else(|e| panic!("{e}"));
    let veteran = person(LC, vec![cat("退役军人", "2018-01-01")]);
    let c = allowance("3", "就业技能培训");
    let dec = decide(&p, &veteran, &c, &[]);
    assert_eq!(dec.outcome, DecisionOutcome::Approved, "{:#?}", dec.trace);
    // 10 days × 45.50 元, not R8's 30元.
    assert_eq!(dec.amount, Fen(45_500));
    let t = text(&p, &c, &dec);
    assert!(
        t.contains("退役军人免费培训的生活补助按每天 45.50 元"),
        "{t}"
    );
    assert!(t.contains("daily：示例"), "{t}");
}

fn apprenticeship(start: &str, end: &str, in_plan: Option<bool>) -> ClaimFacts {
    let mut k = class(61, LC, "新型学徒制", "6-18-02-04", start, end);
    k.in_plan = in_plan;
    ClaimFacts {
        voucher: None,
        has_claimant: true,
        class: Some(k),
        ..common::claim("61", "新型学徒制补贴", "2021-02-10")
    }
}

#[test]
fn the_apprenticeship_advance_needs_the_training_plan() {
    let p = repo_policy("liaocheng-2019.toml");
    let who = person(LC, vec![cat("企业职工", "2019-01-01")]);
    let planned = apprenticeship("2019-03-01", "2020-02-29", Some(true));
    let dec = decide(&p, &who, &planned, &[]);
    // Exactly one calendar year, 29 February inside: one year.
    assert_eq!(dec.amount, Fen(400_000));
    assert_eq!(dec.advance_pct, 60);
    for in_plan in [Some(false), None] {
        let c = apprenticeship("2019-03-01", "2020-02-29", in_plan);
        let dec = decide(&p, &who, &c, &[]);
        assert_eq!(dec.outcome, DecisionOutcome::Approved);
        assert_eq!(dec.advance_pct, 0);
        assert!(text(&p, &c, &dec).contains("培训班未列入当地培训计划，不预支"));
    }
    // Liaocheng counts a partial year by month: 1 year 3 months.
    let c = apprenticeship("2019-03-01", "2020-05-31", Some(true));
    let dec = decide(&p, &who, &c, &[]);
    assert_eq!(dec.amount, Fen(500_000));
    assert!(
        text(&p, &c, &dec).contains("学徒 1 年 3 个月（按月折算）× 每年 4,000.00 元 = 5,000.00 元"),
        "{}",
        text(&p, &c, &dec)
    );
    // Tianshui rounds a started year up, and has no plan condition.
    let ts = repo_policy("tianshui-2019.toml");
    let mut c = apprenticeship("2020-01-01", "2020-12-31", None);
    c.class.as_mut().unwrap().site = common::region(TS);
    let dec = decide(&ts, &who, &c, &[]);
    assert_eq!((dec.amount, dec.advance_pct), (Fen(400_000), 20));
    c.class.as_mut().unwrap().end = d("2021-01-01");
    assert_eq!(decide(&ts, &who, &c, &[]).amount, Fen(800_000));
}

fn work_training(no: &str, from: &str, to: &str) -> ClaimFacts {
    ClaimFacts {
        voucher: None,
        has_claimant: true,
        period: Some((d(from), d(to))),
        ..common::claim(no, "以工代训补贴", "2020-12-31")
    }
}

#[test]
fn one_person_month_of_work_training_is_paid_once() {
    let p = repo_policy("tianshui-2019.toml");
    let poor = person(TS, vec![cat("贫困劳动力", "2016-01-01")]);
    // Enterprise A: March to May.
    let a = work_training("A1", "2020-03-01", "2020-05-01");
    let first = decide(&p, &poor, &a, &[]);
    assert_eq!(first.outcome, DecisionOutcome::Approved);
    assert_eq!(first.amount, Fen(60_000));
    let award = first.award.clone().unwrap();
    assert_eq!(
        award.paid_months,
        vec![d("2020-03-01"), d("2020-04-01"), d("2020-05-01")]
    );
    // Enterprise B claims April to July: April and May were paid to A.
    let b = work_training("B1", "2020-04-01", "2020-07-01");
    let second = decide(&p, &poor, &b, std::slice::from_ref(&award));
    assert_eq!(
        second.outcome,
        DecisionOutcome::Approved,
        "{:#?}",
        second.trace
    );
    assert_eq!(second.amount, Fen(40_000));
    assert_eq!(second.payee(), Some(PayeeKind::Enterprise));
    assert_eq!(
        second.award.as_ref().unwrap().paid_months,
        vec![d("2020-06-01"), d("2020-07-01")]
    );
    let t = text(&p, &b, &second);
    assert!(
        t.contains("其中 2 个月已由申领 #A1 享受，同一人同一月份只补贴一次"),
        "{t}"
    );
    // Enterprise C claims only months already paid: refused by R17.
    let history = vec![award, second.award.unwrap()];
    let c = work_training("C1", "2020-04-01", "2020-05-01");
    let third = decide(&p, &poor, &c, &history);
    assert_eq!(third.outcome, DecisionOutcome::Rejected);
    assert_eq!(
        third.rules(),
        vec![RuleId::R17, RuleId::R10],
        "{:#?}",
        third.trace
    );
    // Six months in all (five paid): a claim for Aug–Dec gets one more.
    let d4 = decide(
        &p,
        &poor,
        &work_training("D1", "2020-08-01", "2020-12-01"),
        &history,
    );
    assert_eq!(d4.amount, Fen(20_000));
    assert_eq!(d4.award.unwrap().paid_months, vec![d("2020-08-01")]);
}

#[test]
fn project_training_is_priced_before_the_certificate() {
    // 002 十: 20% may be advanced before certification, priced on the
    // class's occupation and level (catalogue entries 未取证).
    let p = repo_policy("tianshui-2019.toml");
    let who = person(TS, vec![cat("贫困劳动力", "2016-01-01")]);
    let mut k = class(
        72,
        "620503",
        "项目制培训",
        "4-10-01-06",
        "2020-09-01",
        "2020-09-15",
    );
    k.level = common::level("四级");
    let c = ClaimFacts {
        voucher: None,
        class: Some(k),
        has_claimant: true,
        ..common::claim("72", "项目制培训补贴", "2020-09-05")
    };
    let dec = decide(&p, &who, &c, &[]);
    assert_eq!(dec.outcome, DecisionOutcome::Approved, "{:#?}", dec.trace);
    assert_eq!(dec.amount, Fen(120_000));
    assert_eq!(dec.advance_pct, 20);
    assert_eq!(dec.payee(), Some(PayeeKind::Institution));
    let t = text(&p, &c, &dec);
    assert!(
        t.contains("家政服务员 四级/中级工 （未取证） = 1,200.00 元"),
        "{t}"
    );
    // The entry cites its source and dates.
    assert!(
        t.contains("目录依据：天水市人民政府办公室（2019年8月23日） 十，2019-08-23 起"),
        "{t}"
    );
    // An R1 certificate claim is never priced by a 未取证 entry.
    let lookup = p.catalogue.find(
        "职业培训补贴",
        Some(&common::occ("4-10-01-06")),
        common::level("四级"),
        Some(jineng_domain::CertificateType::SkillLevel),
        d("2020-07-01"),
    );
    assert!(!p.catalogue.entries[lookup.unwrap().entry as usize].uncertified);
}

#[test]
fn new_parameters_are_checked_where_they_are_written() {
    let base = common::policy_text("liaocheng-2019.toml");
    let line_of = |text: &str, needle: &str| {
        let needle = needle.lines().last().unwrap();
        text.lines().position(|l| l.contains(needle)).unwrap() + 1
    };
    for (from, to, message) in [
        (
            "partial_year = \"按月折算\"",
            "partial_year = \"按天\"",
            "无法识别的取值「按天」",
        ),
        (
            "completed = [\"合格\"]",
            "completed = [\"通过了\"]",
            "无法识别的结业结果「通过了」",
        ),
        (
            "group_training_types = { \"贫困劳动力\" = [\"项目制培训\"] }",
            "group_training_types = { \"贫困劳动力\" = [\"项目培训\"] }",
            "未知的培训类型「项目培训」",
        ),
        (
            "retirement_age_female_by_category = { \"干部\" = 55 }",
            "retirement_age_female_by_category = { \"干部\" = 95 }",
            "退休年龄 95 不合理",
        ),
        (
            "living_allowance = true\n",
            "living_allowance = true\nsources = { dialy = \"八\" }\n",
            "sources 中的「dialy」不是本规则的参数",
        ),
        (
            "unverified = \"不予核准\"",
            "unverified = \"退回\"",
            "无法识别的取值「退回」",
        ),
    ] {
        let text = base.replacen(from, to, 1);
        let err =
            common::load_with(&[("liaocheng-2019.toml", &text)], &common::refdata()).expect_err(to);
        assert_eq!(err.file, "liaocheng-2019.toml");
        assert_eq!(err.line, Some(line_of(&text, to)), "{to}: {err}");
        assert!(err.message.contains(message), "{to}: {err}");
    }
}
