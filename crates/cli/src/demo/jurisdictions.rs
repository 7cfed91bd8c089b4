//! The jurisdictions the demo loads: 聊城市 (seed 003), whose 2019 training
//! volume follows the targets of its annex 1 county by county, and with
//! `--all` 天水市 (seed 002, with its deep-poverty county) and 如东县
//! (seed 001), smaller, each under its own policy file.

use super::world::Place;

const LIAOCHENG_TARGETS: &str = include_str!("../../../../planning/targets/liaocheng-2019.csv");

pub(crate) struct Jurisdiction {
    pub place: Place,
    /// The region its policy governs.
    pub region: &'static str,
    /// Its own regions file (functional zones, deep-poverty flags).
    pub regions: Option<&'static str>,
    pub policy_file: &'static str,
    pub policy: &'static str,
    /// Persons at full scale.
    pub persons: usize,
    /// Subsidy types its policy prices: claims of others are not filed.
    pub prices: &'static [&'static str],
}

/// 聊城's training sites with the 2019 volume of annex 1: every county
/// and zone, and the city's own institutions (市本级) at the city's code.
fn liaocheng_areas() -> Vec<(String, i64)> {
    csv::Reader::from_reader(LIAOCHENG_TARGETS.as_bytes())
        .records()
        .map(|r| r.expect("the 2019 targets CSV"))
        .filter(|r| &r[5] == "371500")
        .map(|r| (r[3].to_string(), r[6].parse().expect("a target figure")))
        .collect()
}

pub(crate) fn liaocheng() -> Jurisdiction {
    Jurisdiction {
        place: Place {
            key: "LC",
            claim_key: "C",
            name: "聊城市",
            areas: liaocheng_areas(),
            institutions: include_str!("../../../../demo/liaocheng/institutions.csv"),
            // 2019 at its targets; the later years lighter, to keep the
            // demo quick (the 2019—2021 target is not reached).
            years: &[(2019, 100), (2020, 25), (2021, 15)],
            project_subsidy: None,
            claim_groups: None,
        },
        region: "371500",
        regions: Some(include_str!("../../../../demo/liaocheng/regions.csv")),
        policy_file: "policies/liaocheng-2019.toml",
        policy: include_str!("../../../../policies/liaocheng-2019.toml"),
        persons: 48_000,
        prices: &[
            "职业培训补贴",
            "生活费补贴",
            "新型学徒制补贴",
            "以工代训补贴",
            "技能提升补贴",
            "创业培训补贴",
        ],
    }
}

fn tianshui() -> Jurisdiction {
    let counties = [
        "620502", "620503", "620521", "620522", "620523", "620524", "620525",
    ];
    Jurisdiction {
        place: Place {
            key: "TS",
            claim_key: "TSC",
            name: "天水市",
            areas: counties.iter().map(|c| (c.to_string(), 90)).collect(),
            institutions: include_str!("../../../../demo/tianshui/institutions.csv"),
            // The policy is in force from 2019-08-23.
            years: &[(2020, 100), (2021, 60)],
            project_subsidy: Some("项目制培训补贴"),
            claim_groups: None,
        },
        region: "620500",
        regions: Some(include_str!("../../../../demo/tianshui/regions.csv")),
        policy_file: "policies/tianshui-2019.toml",
        policy: include_str!("../../../../policies/tianshui-2019.toml"),
        persons: 800,
        prices: &[
            "职业培训补贴",
            "项目制培训补贴",
            "生活费补贴",
            "新型学徒制补贴",
            "以工代训补贴",
            "技能提升补贴",
        ],
    }
}

fn rudong() -> Jurisdiction {
    Jurisdiction {
        place: Place {
            key: "RD",
            claim_key: "RDC",
            name: "如东县",
            areas: vec![("320623".to_string(), 300)],
            institutions: include_str!("../../../../demo/rudong/institutions.csv"),
            years: &[(2019, 100), (2020, 60), (2021, 40)],
            project_subsidy: None,
            claim_groups: Some(&[
                "登记失业人员",
                "下岗失业人员",
                "贫困劳动力",
                "重度残疾人",
                "城市低保家庭成员",
                "农村低保家庭成员",
            ]),
        },
        region: "320623",
        regions: None,
        policy_file: "policies/rudong-2019.toml",
        policy: include_str!("../../../../policies/rudong-2019.toml"),
        persons: 500,
        prices: &["职业培训补贴"],
    }
}

/// The jurisdictions to load: 聊城, and with `all` 天水 and 如东.
pub(crate) fn wanted(all: bool) -> Vec<Jurisdiction> {
    let mut out = vec![liaocheng()];
    if all {
        out.push(tianshui());
        out.push(rudong());
    }
    out
}
