//! The reference data shipped in the repository (`reference/`): 2023 division
//! codes, the 2022 occupational classification and the open vocabularies,
//! embedded in the binary so that `jineng init` needs no other file.

use jineng_domain::refdata::{OccupationRow, RefData, RegionRow};
use std::collections::HashMap;

const PROVINCES: &str = include_str!("../../../reference/division_provinces.csv");
const CITIES: &str = include_str!("../../../reference/division_cities.csv");
const AREAS: &str = include_str!("../../../reference/division_areas.csv");
const OCCUPATIONS: &str = include_str!("../../../reference/occupation_csco22.csv");
const VOCABULARY: &str = include_str!("../../../reference/vocabulary.csv");

fn records(text: &str) -> impl Iterator<Item = csv::StringRecord> + '_ {
    csv::Reader::from_reader(text.as_bytes())
        .into_records()
        .map(|r| r.expect("embedded reference CSV is well-formed"))
}

/// Prefecture rows that only group counties (市辖区, 县, 省直辖县级行政区划 …).
fn is_placeholder(name: &str) -> bool {
    matches!(
        name,
        "市辖区" | "县" | "省直辖县级行政区划" | "自治区直辖县级行政区划"
    )
}

/// All national regions, parents first; codes in their 6-digit form.
pub fn regions() -> Vec<RegionRow> {
    let mut out = Vec::new();
    for r in records(PROVINCES) {
        out.push(RegionRow {
            code: format!("{}0000", &r[0]),
            name: r[1].to_string(),
            parent: None,
            level: "province",
            kind: "administrative",
            national: true,
            county_level: false,
        });
    }
    for r in records(CITIES) {
        out.push(RegionRow {
            code: format!("{}00", &r[0]),
            name: r[1].to_string(),
            parent: Some(format!("{}0000", &r[2])),
            level: "prefecture",
            kind: if is_placeholder(&r[1]) {
                "placeholder"
            } else {
                "administrative"
            },
            national: true,
            county_level: false,
        });
    }
    for r in records(AREAS) {
        // 东莞市 and a few others are listed as their own county under the
        // prefecture's code: one region, counted at both levels.
        if let Some(city) = out.iter_mut().find(|c| c.code == r[0]) {
            city.county_level = true;
            continue;
        }
        // NBS marks development zones (not in GB/T 2260) with a 7 in the 5th digit.
        let functional = r[0].as_bytes().get(4) == Some(&b'7');
        out.push(RegionRow {
            code: r[0].to_string(),
            name: r[1].to_string(),
            parent: Some(format!("{}00", &r[2])),
            level: "county",
            kind: if functional {
                "functional"
            } else {
                "administrative"
            },
            national: true,
            county_level: false,
        });
    }
    out
}

/// The 2022 classification, cleaned as SOURCES.md describes: marks split
/// from names, duplicate codes folded (the row of the deeper level wins),
/// and `6-20-03-00`, labelled an occupation but with children, made a group.
pub fn occupations() -> Vec<OccupationRow> {
    let mut by_code: HashMap<String, OccupationRow> = HashMap::new();
    let mut order = Vec::new();
    for r in records(OCCUPATIONS) {
        let level: i64 = r[0].parse().expect("level is a number");
        let code = r[1].to_string();
        let raw = &r[3];
        let (name, mark) = match raw.strip_suffix("L/S") {
            Some(n) => (n, "L/S"),
            None => match raw.strip_suffix('L') {
                Some(n) => (n, "L"),
                None => match raw.strip_suffix('S') {
                    Some(n) => (n, "S"),
                    None => (raw, ""),
                },
            },
        };
        let row = OccupationRow {
            code: code.clone(),
            level,
            name: name.to_string(),
            mark: mark.to_string(),
            definition: r[4].to_string(),
        };
        match by_code.get(&code) {
            Some(existing) if existing.level >= level => {}
            Some(_) => {
                by_code.insert(code, row);
            }
            None => {
                order.push(code.clone());
                by_code.insert(code, row);
            }
        }
    }
    let mut out: Vec<OccupationRow> = order
        .into_iter()
        .filter_map(|c| by_code.remove(&c))
        .collect();
    let has_children = |code: &str, all: &[OccupationRow]| {
        let prefix = &code[..7];
        all.iter()
            .any(|o| o.code != code && o.code.starts_with(prefix))
    };
    let fix: Vec<usize> = out
        .iter()
        .enumerate()
        .filter(|(_, o)| {
            o.level == 4
                && o.code.ends_with("-00")
                && o.definition.is_empty()
                && has_children(&o.code, &out)
        })
        .map(|(i, _)| i)
        .collect();
    for i in fix {
        out[i].level = 3;
    }
    out
}

/// `(kind, term, description)` of the open vocabularies.
pub fn vocabulary() -> Vec<(String, String, String)> {
    records(VOCABULARY)
        .map(|r| (r[0].to_string(), r[1].to_string(), r[2].to_string()))
        .collect()
}

/// The shipped reference data as the store's `ref_data` gives it after
/// `jineng init`, for checking a policy file without a database.
pub fn refdata() -> RefData {
    let mut r = RefData::default();
    for row in regions() {
        if row.level == "province" {
            r.provinces.insert(row.code[..2].to_string());
        }
        r.regions.insert(row.code, row.name);
    }
    for o in occupations().into_iter().filter(|o| o.level == 4) {
        r.occupations.insert(o.code, o.name);
    }
    for (kind, term, _) in vocabulary() {
        r.vocab.entry(kind).or_default().push(term);
    }
    for terms in r.vocab.values_mut() {
        terms.sort();
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_match_sources() {
        let r = regions();
        assert_eq!(r.iter().filter(|r| r.level == "province").count(), 31);
        assert_eq!(r.iter().filter(|r| r.level == "prefecture").count(), 342);
        let counties = r
            .iter()
            .filter(|r| r.level == "county" || r.county_level)
            .count();
        assert_eq!(counties, 2978);
        assert_eq!(r.iter().filter(|r| r.county_level).count(), 3);
        assert_eq!(r.iter().filter(|r| r.kind == "functional").count(), 124);
        let o = occupations();
        let occ: Vec<_> = o.iter().filter(|o| o.level == 4).collect();
        assert_eq!(
            occ.len(),
            1631,
            "1,632 unique level-4 codes less 6-20-03-00"
        );
        assert!(o.iter().any(|o| o.code == "2-02-10-03"
            && o.name == "计算机软件工程技术人员"
            && o.mark == "S"));
        assert!(o.iter().any(|o| o.code == "6-20-03-00" && o.level == 3));
        assert!(o.iter().any(|o| o.code == "2-03-01-00" && o.level == 4));
    }

    #[test]
    fn refdata_is_what_init_loads() {
        let r = refdata();
        assert_eq!(r.provinces.len(), 31);
        assert_eq!(r.region_name("371500"), Some("聊城市"));
        assert_eq!(r.region_name("320623"), Some("如东县"));
        assert_eq!(r.occupation_name("6-31-01-03"), Some("电工"));
        assert!(
            r.occupation_name("6-20-03-00").is_none(),
            "a group, not an occupation"
        );
        assert!(r.has_term("person_category", "贫困劳动力"));
    }
}
