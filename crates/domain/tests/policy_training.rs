//! R1 and the training behind a claim: the roster of the claim's class,
//! what counts as completed, online hours in proportion, and whether the
//! certificate is that training's; R5's derived category (a man of 63
//! without a pension is eligible under 如东's R1 without typing it in) and
//! women's retirement ages by category.

use crate::common;

use common::{cat, cert, cert_claim, class, d, level, person, repo_policy};
use jineng_domain::policy::engine::{self, Decision, DecisionOutcome, PayeeKind};
use jineng_domain::policy::facts::{ClaimFacts, PersonFacts};
use jineng_domain::policy::trace::Verdict;
use jineng_domain::policy::{Policy, RuleId};
use jineng_domain::{CertificateType, CompletionResult, Fen, Sex};

const TODAY: &str = "2021-06-30";
/// 东昌府区, 聊城市.
const LC: &str = "371502";
/// 如东县.
const RD: &str = "320623";

fn decide(p: &Policy, who: &PersonFacts, c: &ClaimFacts) -> Decision {
    engine::decide(p, who, c, &[], d(TODAY))
}

fn lines(p: &Policy, c: &ClaimFacts, dec: &Decision) -> Vec<String> {
    common::rendered(p, c, dec, "电工")
}

/// The roster result of the claim's class.
fn completion(c: &mut ClaimFacts) -> &mut CompletionResult {
    &mut c
        .class
        .as_mut()
        .unwrap()
        .enrolment
        .as_mut()
        .unwrap()
        .completion
}

/// An 电工 五级 certificate from a Liaocheng class (2019-04-01 … 04-30),
/// issued on `issued`.
fn lc_claim(issued: &str) -> ClaimFacts {
    let mut k = class(
        1,
        LC,
        "就业技能培训",
        "6-31-01-03",
        "2019-04-01",
        "2019-04-30",
    );
    k.level = level("五级");
    k.planned_hours = 100;
    cert_claim(
        "1",
        cert(
            CertificateType::SkillLevel,
            "C1",
            "6-31-01-03",
            level("五级"),
            issued,
        ),
        k,
    )
}

fn worker() -> PersonFacts {
    person(LC, vec![cat("企业职工", "2015-01-01")])
}

/// The claim's outcome and the text of its R1 lines that are not passes.
fn refused(p: &Policy, c: &ClaimFacts) -> (DecisionOutcome, String) {
    let dec = decide(p, &worker(), c);
    let text = lines(p, c, &dec)
        .into_iter()
        .zip(&dec.trace)
        .filter(|(_, l)| l.rule == Some(RuleId::R1) && l.verdict != Verdict::Pass)
        .map(|(s, _)| s)
        .collect::<Vec<_>>()
        .join("\n");
    (dec.outcome, text)
}

#[test]
fn r1_pays_only_a_completed_training_of_the_person() {
    let p = repo_policy("liaocheng-2019.toml");
    let ok = lc_claim("2019-05-10");
    let dec = decide(&p, &worker(), &ok);
    assert_eq!(dec.outcome, DecisionOutcome::Approved, "{:#?}", dec.trace);
    assert_eq!(dec.amount, Fen(100_000));
    assert!(
        lines(&p, &ok, &dec)
            .iter()
            .any(|l| l.contains("在该培训班花名册中，结业合格，证书与培训相符  通过")),
        "{:?}",
        lines(&p, &ok, &dec)
    );

    // Not on the roster: a class the person never attended.
    let mut c = lc_claim("2019-05-10");
    c.class.as_mut().unwrap().enrolment = None;
    let (outcome, text) = refused(&p, &c);
    assert_eq!(outcome, DecisionOutcome::Rejected);
    assert!(text.contains("本人不在该培训班花名册中"), "{text}");
    assert!(text.contains("不通过"), "{text}");

    // On the roster, but 未结业 or 不合格.
    for (result, word) in [
        (CompletionResult::NotFinished, "未结业"),
        (CompletionResult::Failed, "不合格"),
    ] {
        let mut c = lc_claim("2019-05-10");
        *completion(&mut c) = result;
        let (outcome, text) = refused(&p, &c);
        assert_eq!(outcome, DecisionOutcome::Rejected, "{word}");
        assert!(
            text.contains(&format!(
                "花名册结业结果为「{word}」，不属于本政策认可的结业"
            )),
            "{text}"
        );
    }

    // A certificate of another occupation is not that training's.
    let mut c = lc_claim("2019-05-10");
    c.class.as_mut().unwrap().occupation = common::occ("6-18-02-04");
    let (outcome, text) = refused(&p, &c);
    assert_eq!(outcome, DecisionOutcome::Rejected);
    assert!(text.contains("证书职业与培训班职业不符"), "{text}");

    // Dated before the class began, or more than a year after it ended.
    let (outcome, text) = refused(&p, &lc_claim("2019-03-20"));
    assert_eq!(outcome, DecisionOutcome::Rejected);
    assert!(
        text.contains("证书日期早于培训班开班日期 2019-04-01"),
        "{text}"
    );
    let (outcome, text) = refused(&p, &lc_claim("2020-05-01"));
    assert_eq!(outcome, DecisionOutcome::Rejected);
    assert!(
        text.contains("证书日期晚于培训班结业日期 2019-04-30 超过 365 天"),
        "{text}"
    );
    // Exactly 365 days after is still within.
    assert_eq!(
        decide(&p, &worker(), &lc_claim("2020-04-29")).outcome,
        DecisionOutcome::Approved
    );
    // During the class: an officer looks (as before).
    assert_eq!(
        decide(&p, &worker(), &lc_claim("2019-04-20")).outcome,
        DecisionOutcome::Review
    );
}

#[test]
fn r1_holds_for_review_where_the_policy_says_so() {
    let text = common::policy_text("liaocheng-2019.toml")
        .replace("unverified = \"不予核准\"", "unverified = \"人工复核\"")
        .replace(
            "completed = [\"合格\"]",
            "completed = [\"合格\", \"未结业\"]",
        );
    let p = common::load_text(&[("liaocheng-2019.toml", &text)]).unwrap_or_else(|e| panic!("{e}"));
    // 未结业 counts as completed under this policy.
    let mut c = lc_claim("2019-05-10");
    *completion(&mut c) = CompletionResult::NotFinished;
    assert_eq!(decide(&p, &worker(), &c).outcome, DecisionOutcome::Approved);
    // Not on the roster: held for review, with the amount computed.
    c.class.as_mut().unwrap().enrolment = None;
    let dec = decide(&p, &worker(), &c);
    assert_eq!(dec.outcome, DecisionOutcome::Review, "{:#?}", dec.trace);
    assert_eq!(dec.amount, Fen(100_000));
    assert_eq!(dec.rules(), vec![RuleId::R1]);
    // No class at all: review by default (no_class), refused when the
    // policy says so.
    let mut c = lc_claim("2019-05-10");
    c.class = None;
    let (outcome, text) = refused(&repo_policy("liaocheng-2019.toml"), &c);
    assert_eq!(outcome, DecisionOutcome::Review);
    assert!(
        text.contains("申领和证书均未关联培训班，无法核实参训"),
        "{text}"
    );
    let strict = common::policy_text("liaocheng-2019.toml")
        .replace("no_class = \"人工复核\"", "no_class = \"不予核准\"");
    let p = common::load_text(&[("liaocheng-2019.toml", &strict)]).unwrap();
    assert_eq!(decide(&p, &worker(), &c).outcome, DecisionOutcome::Rejected);
}

/// An 电工 五级 certificate from a 如东 class of 100 planned hours with the
/// given in-person and online hours.
fn rd_claim(offline: i64, online: i64) -> ClaimFacts {
    let mut c = lc_claim("2019-05-10");
    let k = c.class.as_mut().unwrap();
    k.site = common::region(RD);
    k.institution.region = common::region(RD);
    let e = k.enrolment.as_mut().unwrap();
    e.offline_hours = offline;
    e.online_hours = online;
    c
}

#[test]
fn online_hours_count_in_proportion_with_a_cap() {
    // 如东 (001 #10, figures 示例): online hours at 50 %, at most 40, and
    // 80 % of the planned 100 hours.
    let p = repo_policy("rudong-2019.toml");
    let who = person(RD, vec![cat("登记失业人员", "2018-01-01")]);
    let outcome = |offline, online| decide(&p, &who, &rd_claim(offline, online)).outcome;
    assert_eq!(outcome(80, 0), DecisionOutcome::Approved);
    assert_eq!(outcome(60, 40), DecisionOutcome::Approved); // 60 + 20
    assert_eq!(outcome(60, 38), DecisionOutcome::Rejected); // 60 + 19
    assert_eq!(outcome(40, 100), DecisionOutcome::Approved); // 40 + min(50, 40)
    assert_eq!(outcome(39, 100), DecisionOutcome::Rejected); // the cap holds
    let c = rd_claim(60, 38);
    let dec = decide(&p, &who, &c);
    let text = lines(&p, &c, &dec).join("\n");
    assert!(text.contains("计入课时 79，不足要求的 80 课时"), "{text}");
    // The trace cites each parameter's own source.
    assert!(text.contains("online_pct：序号10（比例为示例）"), "{text}");
}

#[test]
fn over_the_retirement_age_without_a_pension_is_a_category_of_its_own() {
    // 如东 lists 超过法定退休年龄人员 in R1's eligible sets. A man of 63
    // without a pension passes R5 and, without anyone typing the category
    // in, R1.
    let p = repo_policy("rudong-2019.toml");
    let mut old = person(RD, vec![]);
    old.birth_date = d("1956-03-01");
    let c = rd_claim(90, 0);
    let dec = decide(&p, &old, &c);
    assert_eq!(dec.outcome, DecisionOutcome::Approved, "{:#?}", dec.trace);
    assert_eq!(dec.payee(), Some(PayeeKind::Person));
    let text = lines(&p, &c, &dec).join("\n");
    assert!(
        text.contains("63 岁，超过法定退休年龄、未领取养老金，可享受"),
        "{text}"
    );
    assert!(
        text.contains("培训时属于「超过法定退休年龄人员」"),
        "{text}"
    );
    // Drawing a pension: R5 refuses.
    old.receives_pension = true;
    assert_eq!(decide(&p, &old, &c).rules(), vec![RuleId::R5]);
    // Under the age and in no eligible group: R1 refuses.
    let young = person(RD, vec![]);
    assert_eq!(decide(&p, &young, &c).rules(), vec![RuleId::R1]);
}

#[test]
fn a_womans_retirement_age_follows_her_category() {
    // 女职工 50, 女干部 55 (如东, R5).
    let p = repo_policy("rudong-2019.toml");
    let c = rd_claim(90, 0); // the class began 2019-04-01
    let woman = |birth: &str, categories| PersonFacts {
        sex: Sex::Female,
        birth_date: d(birth),
        ..person(RD, categories)
    };
    // 52 on the day: over a worker's age, under a cadre's.
    let worker = woman("1967-01-01", vec![]);
    assert_eq!(decide(&p, &worker, &c).outcome, DecisionOutcome::Approved);
    let cadre = woman("1967-01-01", vec![cat("干部", "1990-01-01")]);
    assert_eq!(decide(&p, &cadre, &c).rules(), vec![RuleId::R1]);
    // 56: over both.
    let older = woman("1963-01-01", vec![cat("干部", "1990-01-01")]);
    assert_eq!(decide(&p, &older, &c).outcome, DecisionOutcome::Approved);
}
