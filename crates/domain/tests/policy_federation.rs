//! R3, R17 and R10 over subsidies paid in other deployments (their
//! federation tags, as `PersonFacts::paid_elsewhere`): a match refuses the
//! claim and the trace names the deployment; a tag for another level, type
//! or month does not.

use crate::common;

use common::{cat, cert, cert_claim, class, d, level, person, rendered, repo_policy};
use jineng_domain::CertificateType::SkillLevel as LevelCert;
use jineng_domain::federation::TagRecord;
use jineng_domain::policy::engine::{self, Decision, DecisionOutcome};
use jineng_domain::policy::facts::{ClaimFacts, ForeignAward, PersonFacts};
use jineng_domain::policy::{Policy, RuleId};

fn decide(p: &Policy, who: &PersonFacts, c: &ClaimFacts) -> Decision {
    engine::decide(p, who, c, &[], d("2021-06-30"))
}

fn tag(subsidy_type: &str, level: Option<&str>, months: Option<(&str, u32)>) -> ForeignAward {
    TagRecord {
        tag: String::new(),
        occupation: Some("6-31-01-03".into()),
        level: level.map(String::from),
        subsidy_type: subsidy_type.into(),
        year: 2019,
        first_month: months.map(|(m, _)| m.to_string()),
        months: months.map(|(_, n)| n),
        fund: "就业补助资金".into(),
        deployment: "620500".into(),
    }
    .as_award()
}

/// 电工 at `lvl`, certificate of 2019-12-10, class in 东昌府区.
fn electrician(lvl: &str) -> ClaimFacts {
    let mut k = class(
        1,
        "371502",
        "就业技能培训",
        "6-31-01-03",
        "2019-11-01",
        "2019-11-30",
    );
    k.level = level(lvl);
    cert_claim(
        "B1",
        cert(LevelCert, "E1", "6-31-01-03", level(lvl), "2019-12-10"),
        k,
    )
}

fn text(p: &Policy, c: &ClaimFacts, dec: &Decision) -> String {
    rendered(p, c, dec, "电工").join("\n")
}

#[test]
fn the_same_occupation_and_level_paid_in_another_deployment_is_refused_naming_it() {
    let p = repo_policy("liaocheng-2019.toml");
    let mut who = person("371502", vec![cat("登记失业人员", "2018-10-01")]);
    let c = electrician("四级");
    assert_eq!(decide(&p, &who, &c).outcome, DecisionOutcome::Approved);

    // Another level, or another subsidy type: no match (the near misses).
    who.paid_elsewhere = vec![
        tag("职业培训补贴", Some("5"), None),
        tag("职业技能鉴定补贴", Some("4"), None),
        tag("职业培训补贴", None, None),
    ];
    assert_eq!(
        decide(&p, &who, &c).outcome,
        DecisionOutcome::Approved,
        "{:#?}",
        decide(&p, &who, &c).trace
    );

    // Paid in Tianshui for 电工 四级 (the tag writes the level as a grade).
    who.paid_elsewhere
        .push(tag("职业培训补贴", Some("4"), None));
    let dec = decide(&p, &who, &c);
    assert_eq!(dec.outcome, DecisionOutcome::Rejected);
    assert_eq!(dec.rules(), vec![RuleId::R3, RuleId::R17]);
    let t = text(&p, &c, &dec);
    assert!(
        t.contains("该人员已于 2019 年在 620500（其他部署）领取同职业同等级职业培训补贴"),
        "{t}"
    );
    assert!(
        t.contains("职业培训补贴已于 2019 年在 620500（其他部署）发放，不得多头申领"),
        "{t}"
    );
}

#[test]
fn months_paid_in_another_deployment_are_not_paid_again() {
    let p = repo_policy("tianshui-2019.toml");
    let mut poor = person("620502", vec![cat("贫困劳动力", "2016-01-01")]);
    let c = ClaimFacts {
        voucher: None,
        has_claimant: true,
        period: Some((d("2020-03-01"), d("2020-05-01"))),
        ..common::claim("W1", "以工代训补贴", "2020-12-31")
    };
    // Adjacent months paid elsewhere: all three months paid here.
    poor.paid_elsewhere = vec![tag("以工代训补贴", None, Some(("2020-01", 2)))];
    assert_eq!(decide(&p, &poor, &c).amount.0, 60_000);
    // April and May paid in Tianshui's neighbour: only March here.
    poor.paid_elsewhere = vec![tag("以工代训补贴", None, Some(("2020-04", 3)))];
    let dec = decide(&p, &poor, &c);
    assert_eq!(dec.outcome, DecisionOutcome::Approved, "{:#?}", dec.trace);
    assert_eq!(dec.amount.0, 20_000);
    let t = text(&p, &c, &dec);
    assert!(
        t.contains("其中 2 个月已在 620500（其他部署）享受，同一人同一月份只补贴一次"),
        "{t}"
    );
    // Every month paid elsewhere: refused by R17.
    poor.paid_elsewhere = vec![tag("以工代训补贴", None, Some(("2020-02", 6)))];
    let dec = decide(&p, &poor, &c);
    assert_eq!(dec.outcome, DecisionOutcome::Rejected);
    assert!(dec.rules().contains(&RuleId::R17), "{:?}", dec.rules());
}
