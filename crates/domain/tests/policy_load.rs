//! Loading policy files: the demo policies compile against the repository's
//! reference data and cover the occupations the seeds name; broken files are
//! refused naming the file and line (see policy_errors.rs).

use crate::common;

use common::{d, load_text, occ, policy_text, refdata, repo_policy};
use jineng_domain::policy::RuleId;
use jineng_domain::{CertificateType, SkillLevel};

const DEMO: [&str; 3] = [
    "liaocheng-2019.toml",
    "tianshui-2019.toml",
    "rudong-2019.toml",
];

#[test]
fn demo_policies_load() {
    for name in DEMO {
        let text = policy_text(name);
        // Without reference data (as the unit tests read them) …
        let p = load_text(&[(name, &text)]).unwrap_or_else(|e| panic!("{e}"));
        assert!(!p.catalogue.entries.is_empty(), "{name}");
        assert!(p.rules.r1.is_some(), "{name}");
        // … and with it: every region, occupation, category, subsidy and
        // training type the file names exists.
        repo_policy(name);
    }
}

/// The occupations the seeds name for 就业技能培训 (家政、养老服务、托幼、保安、
/// 电商、汽修、电工, 001 #3 and 002 七; 中式烹调师、面点师, 002 七; 焊工), at
/// all five levels of their national standards, for both level certificates.
const SEED_OCCUPATIONS: [(&str, &str); 10] = [
    ("4-10-01-06", "家政服务员"),
    ("4-10-01-05", "养老护理员"),
    ("4-10-01-03", "保育师"),
    ("4-07-05-01", "保安员"),
    ("4-01-06-01", "电子商务师"),
    ("4-12-01-01", "汽车维修工"),
    ("6-31-01-03", "电工"),
    ("4-03-02-01", "中式烹调师"),
    ("4-03-02-02", "中式面点师"),
    ("6-18-02-04", "焊工"),
];

#[test]
fn demo_catalogues_cover_the_seed_occupations_at_every_level() {
    let refdata = refdata();
    for name in DEMO {
        let p = repo_policy(name);
        let on = p.meta.valid_from;
        for (code, occ_name) in SEED_OCCUPATIONS {
            assert_eq!(
                refdata.occupation_name(code),
                Some(occ_name),
                "{code} in the 2022 classification"
            );
            for cert in [CertificateType::SkillLevel, CertificateType::Qualification] {
                for level in SkillLevel::ALL {
                    let found = p.catalogue.find(
                        "职业培训补贴",
                        Some(&occ(code)),
                        Some(level),
                        Some(cert),
                        on,
                    );
                    assert!(
                        found.is_some_and(|f| f.base.0 > 0),
                        "{name}: {occ_name} {} {} missing",
                        level.as_zh(),
                        cert.as_zh()
                    );
                }
            }
        }
    }
}

/// The `name` beside each catalogue code is the classification's name, so a
/// reader of the file is not misled by a mistyped code.
#[test]
fn demo_catalogue_names_match_the_classification() {
    let refdata = refdata();
    for name in DEMO {
        let doc: toml::Table = toml::from_str(&policy_text(name)).unwrap();
        let catalogue = doc["catalogue"].as_table().unwrap();
        let lists = ["entries", "shortage"];
        for list in lists {
            let Some(items) = catalogue.get(list).and_then(|v| v.as_array()) else {
                continue;
            };
            for item in items {
                let (Some(code), Some(label)) = (
                    item.get("occupation").and_then(|v| v.as_str()),
                    item.get("name").and_then(|v| v.as_str()),
                ) else {
                    continue;
                };
                assert_eq!(
                    refdata.occupation_name(code),
                    Some(label),
                    "{name}: {code} is not {label}"
                );
            }
        }
    }
}

#[test]
fn tianshui_numbers_are_the_seed_numbers() {
    let p = repo_policy("tianshui-2019.toml");
    assert_eq!(p.meta.region.as_str(), "620500");
    assert_eq!(p.meta.valid_from, d("2019-08-23"));
    let r8 = &p.rules.r8.as_ref().unwrap().params;
    assert_eq!((r8.daily.0, r8.deep_poverty_uplift_pct), (3000, 20));
    let r9 = &p.rules.r9.as_ref().unwrap().params;
    assert_eq!((r9.per_year.0, r9.advance_pct), (400_000, 20));
    let r10 = &p.rules.r10.as_ref().unwrap().params;
    assert_eq!((r10.monthly.0, r10.max_months), (20_000, 6));
    assert_eq!(p.rules.r11.as_ref().unwrap().params.advance_pct, 20);
    assert_eq!(p.rules.r2.as_ref().unwrap().params.max_per_year, 3);
    let funds: Vec<&str> = p
        .rules
        .r16
        .as_ref()
        .unwrap()
        .params
        .funds
        .values()
        .map(String::as_str)
        .collect();
    for f in [
        "就业补助资金",
        "人才经费",
        "行业产业发展经费",
        "市级失业保险统筹基金",
    ] {
        assert!(funds.contains(&f), "{f}");
    }
    assert_eq!(p.cite(RuleId::R8).clause, "九");
    assert_eq!(p.cite(RuleId::R17).clause, "十二");
    assert!(p.catalogue.example);
    // Rules the document does not state are not enabled.
    for r in [RuleId::R4, RuleId::R6, RuleId::R13, RuleId::R14] {
        assert!(!p.rules.enabled().contains(&r), "{r}");
    }
}

#[test]
fn rudong_numbers_are_the_seed_numbers() {
    let p = repo_policy("rudong-2019.toml");
    assert_eq!(p.meta.region.as_str(), "320623");
    assert_eq!(p.rules.r2.as_ref().unwrap().params.max_per_year, 3);
    let r4 = &p.rules.r4.as_ref().unwrap().params;
    assert_eq!(
        r4.cert_types,
        vec![
            CertificateType::SpecialAbility,
            CertificateType::SpecialOperation,
            CertificateType::TrainingCompletion
        ]
    );
    let r16 = &p.rules.r16.as_ref().unwrap().params;
    assert!(r16.funds["UI"].contains("3683万元"));
    assert_eq!(r16.routing["职业培训补贴"][0].as_str(), "UI");
    assert_eq!(
        p.cite(RuleId::R6).to_string(),
        "如东县职业技能提升行动重点任务分工表 序号13"
    );
    assert_eq!(
        p.rules.enabled(),
        vec![
            RuleId::R1,
            RuleId::R2,
            RuleId::R3,
            RuleId::R4,
            RuleId::R5,
            RuleId::R6,
            RuleId::R7,
            RuleId::R16
        ]
    );
}
