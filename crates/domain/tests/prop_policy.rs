//! Property tests of the engine under Liaocheng's policy: a person's claims
//! are decided the same whatever order they arrive in, and the yearly cap
//! (R2) and the no-repeat rule (R3) hold over any set of claims.

use crate::common;

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use chrono::{Days, NaiveDate};
use common::{cat, d, person, repo_policy};
use jineng_domain::policy::engine::{self, Decision, DecisionOutcome};
use jineng_domain::policy::facts::{
    CertificateFacts, ClaimFacts, ClassFacts, EnrolmentFacts, InstitutionFacts, PersonFacts,
};
use jineng_domain::policy::{Policy, RuleId};
use jineng_domain::{CertificateType, CompletionResult, OccupationCode, RegionCode, SkillLevel};
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

const OCCUPATIONS: [&str; 10] = [
    "4-10-01-06",
    "4-10-01-05",
    "4-10-01-03",
    "4-07-05-01",
    "4-01-06-01",
    "4-12-01-01",
    "6-31-01-03",
    "4-03-02-01",
    "4-03-02-02",
    "6-18-02-04",
];

const CATEGORIES: [&str; 8] = [
    "农村转移就业劳动者",
    "登记失业人员",
    "贫困劳动力",
    "退役军人",
    "企业职工",
    "参保职工",
    "高校毕业生",
    "残疾人",
];

/// A claim before it is numbered: a certificate (or a copy of an earlier
/// one: same number, a second claim for it) with the class it came from.
#[derive(Debug, Clone)]
struct Spec {
    occupation: usize,
    level: Option<SkillLevel>,
    cert_type: CertificateType,
    /// Days after 2019-01-01 (to the end of 2021).
    day: u64,
    /// Days between the end of the class and the certificate; negative
    /// puts the certificate before the end (flagged for review).
    gap: i64,
    class_key: i64,
    /// Reuse the certificate of the claim at this index (mod the count).
    copy_of: Option<usize>,
    skill_upgrade: bool,
}

fn spec() -> impl Strategy<Value = Spec> {
    let cert_type = prop_oneof![
        6 => Just(CertificateType::SkillLevel),
        2 => Just(CertificateType::Qualification),
        1 => Just(CertificateType::SpecialAbility),
        1 => Just(CertificateType::SpecialOperation),
        1 => Just(CertificateType::TrainingCompletion),
    ];
    (
        0..OCCUPATIONS.len(),
        select(SkillLevel::ALL.to_vec()),
        cert_type,
        0u64..(365 * 3),
        prop_oneof![9 => 1i64..30, 1 => -5i64..0],
        1i64..6,
        prop::option::weighted(0.2, 0usize..12),
        prop::bool::weighted(0.15),
    )
        .prop_map(
            |(occupation, level, cert_type, day, gap, class_key, copy_of, skill_upgrade)| {
                // Only level certificates carry a level.
                let level = matches!(
                    cert_type,
                    CertificateType::SkillLevel | CertificateType::Qualification
                )
                .then_some(level);
                Spec {
                    occupation,
                    level,
                    cert_type,
                    day,
                    gap,
                    class_key,
                    copy_of,
                    skill_upgrade,
                }
            },
        )
}

fn claims(specs: &[Spec]) -> Vec<ClaimFacts> {
    let start = NaiveDate::from_ymd_opt(2019, 1, 1).unwrap();
    let site = RegionCode::parse("371502").unwrap();
    let mut out: Vec<ClaimFacts> = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        let issued = start + Days::new(s.day);
        let occupation = OccupationCode::parse(OCCUPATIONS[s.occupation]).unwrap();
        let mut certificate = CertificateFacts {
            cert_type: s.cert_type,
            cert_no: format!("Z{i:03}"),
            occupation: occupation.clone(),
            level: s.level,
            issue_date: issued,
            revoked_on: None,
        };
        if let Some(j) = s.copy_of.filter(|_| i > 0).map(|j| j % i) {
            certificate = out[j].certificate.clone().unwrap();
        }
        let end = certificate.issue_date - chrono::Duration::days(s.gap);
        let class = ClassFacts {
            key: s.class_key,
            institution: InstitutionFacts {
                region: site.clone(),
                in_catalogue: true,
                removed: None,
            },
            training_type: "就业技能培训".into(),
            occupation: certificate.occupation.clone(),
            level: certificate.level,
            site: site.clone(),
            site_deep_poverty: false,
            start: end - Days::new(20),
            end,
            enrolment: Some(EnrolmentFacts {
                offline_hours: 100,
                online_hours: 0,
                completion: CompletionResult::Passed,
            }),
            planned_hours: 0,
            in_plan: None,
        };
        let subsidy_type = if s.skill_upgrade {
            "技能提升补贴"
        } else {
            "职业培训补贴"
        };
        out.push(ClaimFacts {
            voucher: None,
            // Zero-padded so that text order is number order.
            claim_no: format!("{:04}", 1000 + i),
            subsidy_type: subsidy_type.into(),
            applied_on: certificate.issue_date + Days::new((i % 7) as u64),
            certificate: Some(certificate),
            class: Some(class),
            has_claimant: false,
            months: None,
            amount_asked: None,
            period: None,
        });
    }
    out
}

/// Decides `claims` given in the order of `perm`; decisions by claim number.
fn decide_in(
    policy: &Policy,
    who: &PersonFacts,
    claims: &[ClaimFacts],
    perm: &[usize],
) -> BTreeMap<String, Decision> {
    let given: Vec<ClaimFacts> = perm.iter().map(|&i| claims[i].clone()).collect();
    let mut history = Vec::new();
    let out = engine::decide_person(policy, who, &given, &mut history, d("2022-01-10"));
    assert_eq!(out.len(), given.len());
    // The history gained exactly the approved claims.
    let mut approved: Vec<&str> = out
        .iter()
        .filter(|d| d.outcome == DecisionOutcome::Approved)
        .map(|d| d.award.as_ref().unwrap().claim_no.as_str())
        .collect();
    let mut held: Vec<&str> = history.iter().map(|a| a.claim_no.as_str()).collect();
    approved.sort_unstable();
    held.sort_unstable();
    assert_eq!(approved, held);
    given
        .iter()
        .zip(out)
        .map(|(c, d)| (c.claim_no.clone(), d))
        .collect()
}

fn case() -> impl Strategy<Value = (Vec<&'static str>, Vec<Spec>, Vec<usize>, Vec<usize>)> {
    (
        subsequence(CATEGORIES.to_vec(), 0..=3),
        prop::collection::vec(spec(), 1..=12),
    )
        .prop_flat_map(|(cats, specs)| {
            let n = specs.len();
            let idx: Vec<usize> = (0..n).collect();
            (
                Just(cats),
                Just(specs),
                Just(idx.clone()).prop_shuffle(),
                Just(idx).prop_shuffle(),
            )
        })
}

/// Read once: the reference data is large.
static LIAOCHENG: LazyLock<Policy> = LazyLock::new(|| repo_policy("liaocheng-2019.toml"));

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn decisions_do_not_depend_on_claim_order((cats, specs, p1, p2) in case()) {
        let policy = &*LIAOCHENG;
        let who = person("371502", cats.iter().map(|c| cat(c, "2015-01-01")).collect());
        let claims = claims(&specs);
        let a = decide_in(policy, &who, &claims, &p1);
        let b = decide_in(policy, &who, &claims, &p2);
        prop_assert_eq!(a.len(), claims.len());
        for (no, da) in &a {
            prop_assert_eq!(Some(da), b.get(no), "claim {}", no);
        }

        let r2 = &policy.rules.r2.as_ref().unwrap().params;
        let r3 = &policy.rules.r3.as_ref().unwrap().params;
        let by_no: HashMap<&str, &ClaimFacts> =
            claims.iter().map(|c| (c.claim_no.as_str(), c)).collect();
        let mut per_year: BTreeMap<i32, u32> = BTreeMap::new();
        // Items without a level differ by certificate type (R3).
        type Item = (OccupationCode, Option<SkillLevel>, Option<CertificateType>);
        let mut seen: HashMap<Item, &str> = HashMap::new();
        for (no, dec) in &a {
            if dec.outcome != DecisionOutcome::Approved {
                continue;
            }
            let c = by_no[no.as_str()];
            if r2.subsidy_types.contains(&c.subsidy_type) {
                let n = per_year.entry(dec.year).or_default();
                *n += 1;
                prop_assert!(*n <= r2.max_per_year, "{} approved in {}", n, dec.year);
            }
            if r3.subsidy_types.contains(&c.subsidy_type) {
                let cert = c.certificate.as_ref().map(|x| x.cert_type);
                let key = (
                    c.occupation().unwrap().clone(),
                    c.level(),
                    if c.level().is_none() { cert } else { None },
                );
                if let Some(first) = seen.insert(key.clone(), no) {
                    prop_assert!(false, "{:?} approved twice: {} and {}", key, first, no);
                }
            }
        }
        // A claim refused by R2 came when its year was full.
        for (no, dec) in &a {
            if dec.rules().contains(&RuleId::R2) {
                let c = by_no[no.as_str()];
                let year_full = per_year.get(&dec.year).copied().unwrap_or(0) == r2.max_per_year;
                prop_assert!(year_full, "claim {} ({:?}) refused by R2 in a year not full", no, c.event_date());
            }
        }
    }
}
