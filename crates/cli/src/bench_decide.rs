//! `jineng bench decide`: the policy engine's decisions per second on one
//! core, in memory, beside the catalogue lookup alone; and a batch decide of
//! generated claims on a fresh store end to end, beside a plain read of the
//! same claims with their evidence.

use std::hint::black_box;
use std::time::Instant;

use chrono::{Duration, NaiveDate};
use jineng_domain::policy::Policy;
use jineng_domain::policy::engine;
use jineng_domain::policy::facts::{
    Award, CategorySpan, CertificateFacts, ClaimFacts, ClassFacts, EnrolmentFacts,
    InstitutionFacts, PersonFacts,
};
use jineng_domain::{
    CertificateType, CompletionResult, OccupationCode, RegionCode, Sex, SkillLevel,
};
use jineng_store::{Actor, Store};
use serde_json::json;

const OCCUPATIONS: [&str; 6] = [
    "6-31-01-03",
    "6-18-02-04",
    "4-10-01-06",
    "4-10-01-05",
    "4-07-05-01",
    "4-03-02-01",
];
const CATEGORIES: [&str; 4] = [
    "农村转移就业劳动者",
    "登记失业人员",
    "企业职工",
    "贫困劳动力",
];

fn policy(refdata: &jineng_domain::refdata::RefData) -> anyhow::Result<Policy> {
    let text = include_str!("../../../policies/liaocheng-2019.toml");
    let mut read = |_: &str| Ok(text.to_string());
    Ok(jineng_domain::policy::load("liaocheng-2019.toml", &mut read, refdata)?.0)
}

/// Claim `i` with its person and up to two earlier awards.
fn case(i: usize) -> (PersonFacts, ClaimFacts, Vec<Award>) {
    let site = RegionCode::parse("371502").unwrap();
    let day = NaiveDate::from_ymd_opt(2019, 1, 1).unwrap() + Duration::days((i % 1000) as i64);
    let occupation = OccupationCode::parse(OCCUPATIONS[i % OCCUPATIONS.len()]).unwrap();
    let level = SkillLevel::from_grade(5 - (i % 3) as u8);
    let person = PersonFacts {
        birth_date: NaiveDate::from_ymd_opt(1980 + (i % 30) as i32, 3, 1).unwrap(),
        sex: if i.is_multiple_of(2) {
            Sex::Male
        } else {
            Sex::Female
        },
        receives_pension: i.is_multiple_of(97),
        hukou: site.clone(),
        residence: None,
        job: None,
        categories: vec![CategorySpan {
            category: CATEGORIES[i % CATEGORIES.len()].into(),
            from: NaiveDate::from_ymd_opt(2018, 1, 1).unwrap(),
            to: None,
        }],
        family: Vec::new(),
        paid_elsewhere: Vec::new(),
    };
    let claim = ClaimFacts {
        voucher: None,
        claim_no: format!("B{i:09}"),
        subsidy_type: "职业培训补贴".into(),
        applied_on: day + Duration::days(20),
        certificate: Some(CertificateFacts {
            cert_type: CertificateType::SkillLevel,
            cert_no: format!("S{i:09}"),
            occupation: occupation.clone(),
            level,
            issue_date: day + Duration::days(10),
            revoked_on: None,
        }),
        class: Some(ClassFacts {
            key: i as i64,
            institution: InstitutionFacts {
                region: site.clone(),
                in_catalogue: true,
                removed: None,
            },
            training_type: "就业技能培训".into(),
            occupation: occupation.clone(),
            level,
            site,
            site_deep_poverty: false,
            start: day - Duration::days(20),
            end: day,
            enrolment: Some(EnrolmentFacts {
                offline_hours: 80,
                online_hours: 0,
                completion: CompletionResult::Passed,
            }),
            planned_hours: 0,
            in_plan: None,
        }),
        has_claimant: false,
        months: None,
        amount_asked: None,
        period: None,
    };
    let awards = (0..i % 3)
        .map(|k| Award {
            claim_no: format!("A{i}-{k}"),
            subsidy_type: "职业培训补贴".into(),
            year: 2019 + (k as i32 % 2),
            occupation: Some(
                OccupationCode::parse(OCCUPATIONS[(i + k + 1) % OCCUPATIONS.len()]).unwrap(),
            ),
            level,
            cert: None,
            class_key: None,
            months: 0,
            paid_months: Vec::new(),
            veteran_free: false,
        })
        .collect();
    (person, claim, awards)
}

/// In-memory decisions per second on this thread, beside catalogue lookups
/// of the same claims.
pub fn in_memory(claims: usize) -> anyhow::Result<serde_json::Value> {
    let refdata = jineng_domain::refdata::RefData::default();
    let policy = policy(&refdata)?;
    let cases: Vec<_> = (0..claims.min(200_000)).map(case).collect();
    let today = NaiveDate::from_ymd_opt(2021, 6, 1).unwrap();
    let rounds = claims.div_ceil(cases.len());
    let t = Instant::now();
    let mut approved = 0usize;
    for _ in 0..rounds {
        for (p, c, h) in &cases {
            let d = engine::decide(&policy, p, c, h, today);
            approved += usize::from(d.outcome == jineng_domain::policy::DecisionOutcome::Approved);
            black_box(&d);
        }
    }
    let decide_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    for _ in 0..rounds {
        for (_, c, _) in &cases {
            let cert = c.certificate.as_ref().unwrap();
            black_box(policy.catalogue.find(
                "职业培训补贴",
                Some(&cert.occupation),
                cert.level,
                Some(cert.cert_type),
                cert.issue_date,
            ));
        }
    }
    let lookup_s = t.elapsed().as_secs_f64();
    let n = (rounds * cases.len()) as f64;
    Ok(json!({
        "decisions": n as u64,
        "approved": approved,
        "decisions_per_s": (n / decide_s).round(),
        "baseline_lookups_per_s": (n / lookup_s).round(),
        "ratio_decide_to_lookup_time": (decide_s / lookup_s * 100.0).round() / 100.0,
    }))
}

/// A batch decide of every submitted claim in `store`, beside a plain read
/// of the same claims joined to their evidence.
pub async fn end_to_end(store: &Store, actor: &Actor) -> anyhow::Result<serde_json::Value> {
    store.checkpoint().await?;
    let t = Instant::now();
    let read = store.bench_read_claims().await?;
    let read_s = t.elapsed().as_secs_f64();
    let policies = store.policy_set().await?;
    let today = NaiveDate::from_ymd_opt(2021, 6, 1).unwrap();
    let t = Instant::now();
    let s = store
        .decide_claims(&policies, None, today, actor, &|_| {})
        .await?;
    let decide_s = t.elapsed().as_secs_f64();
    Ok(json!({
        "claims": s.decided,
        "approved": s.approved,
        "rejected": s.rejected,
        "review": s.review,
        "decide_seconds": (decide_s * 10.0).round() / 10.0,
        "claims_per_s": (s.decided as f64 / decide_s).round(),
        "baseline_read_rows": read,
        "baseline_read_seconds": (read_s * 10.0).round() / 10.0,
        "ratio_decide_to_read_time": (decide_s / read_s * 10.0).round() / 10.0,
    }))
}
