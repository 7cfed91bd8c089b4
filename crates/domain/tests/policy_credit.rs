//! A credit rating's removal of an institution from the catalogue (001 #17,
//! 退出): R1 (and R4, for its certificate types) refuse training in
//! classes that started on or after the removal date, the trace naming the
//! rating; a class that started the day before is paid.

use crate::common;

use common::{cat, cert, cert_claim, class, d, level, person, repo_policy};
use jineng_domain::CertificateType;
use jineng_domain::policy::engine::{self, DecisionOutcome};
use jineng_domain::policy::facts::{CatalogueRemoval, ClaimFacts};
use jineng_domain::policy::trace::Verdict;
use jineng_domain::policy::{Policy, RuleId};

fn removed(from: &str) -> Option<CatalogueRemoval> {
    Some(CatalogueRemoval {
        institution: "91371502MA3C000001".into(),
        year: 2018,
        grade: "D".into(),
        from: d(from),
    })
}

/// The outcome, the rules that failed, and the rendered trace.
fn decided(p: &Policy, region: &str, c: &ClaimFacts) -> (DecisionOutcome, Vec<RuleId>, String) {
    let category = if region == "320623" {
        "下岗失业人员"
    } else {
        "企业职工"
    };
    let who = person(region, vec![cat(category, "2015-01-01")]);
    let dec = engine::decide(p, &who, c, &[], d("2021-06-30"));
    let failed = dec
        .trace
        .iter()
        .filter(|l| l.verdict == Verdict::Fail)
        .filter_map(|l| l.rule)
        .collect();
    let text = common::rendered(p, c, &dec, "电工").join("\n");
    (dec.outcome, failed, text)
}

const LINE: &str = "机构 91371502MA3C000001 在 2018 年度信用评定为 D 级，自 2019-04-01 起移出目录";

#[test]
fn r1_refuses_training_after_the_removal_date() {
    let p = repo_policy("liaocheng-2019.toml");
    let mut k = class(
        1,
        "371502",
        "就业技能培训",
        "6-31-01-03",
        "2019-04-01",
        "2019-04-30",
    );
    k.level = level("五级");
    let certificate = cert(
        CertificateType::SkillLevel,
        "C1",
        "6-31-01-03",
        level("五级"),
        "2019-05-10",
    );
    let mut c = cert_claim("1", certificate, k);
    c.class.as_mut().unwrap().institution.removed = removed("2019-04-01");
    let (outcome, failed, text) = decided(&p, "371502", &c);
    assert_eq!(outcome, DecisionOutcome::Rejected, "{text}");
    assert_eq!(failed, vec![RuleId::R1], "{text}");
    assert!(text.contains(LINE), "{text}");

    // Removed from the day after the class started: paid.
    c.class.as_mut().unwrap().institution.removed = removed("2019-04-02");
    let (outcome, _, text) = decided(&p, "371502", &c);
    assert_eq!(outcome, DecisionOutcome::Approved, "{text}");
    assert!(!text.contains("移出目录"), "{text}");
}

#[test]
fn an_r4_certificate_is_refused_after_the_removal_date_too() {
    let p = repo_policy("rudong-2019.toml");
    let k = class(
        1,
        "320623",
        "就业技能培训",
        "4-10-01-06",
        "2019-04-01",
        "2019-04-30",
    );
    let certificate = cert(
        CertificateType::SpecialAbility,
        "C2",
        "4-10-01-06",
        None,
        "2019-05-10",
    );
    let mut c = cert_claim("2", certificate, k);
    let (outcome, _, text) = decided(&p, "320623", &c);
    assert_eq!(outcome, DecisionOutcome::Approved, "{text}");
    c.class.as_mut().unwrap().institution.removed = removed("2019-04-01");
    let (outcome, failed, text) = decided(&p, "320623", &c);
    assert_eq!(outcome, DecisionOutcome::Rejected, "{text}");
    // R1 refuses first and stops the decision; R4 holds the same check
    // for its certificate types.
    assert_eq!(failed, vec![RuleId::R1], "{text}");
    assert!(text.contains(LINE), "{text}");
}
