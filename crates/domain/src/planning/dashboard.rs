//! The figures of a region's dashboard, computed from what the store
//! returns: the aggregate facts under the region, the targets, the
//! statistics. Pure, so that the CLI, the reports and the web pages compute
//! the same numbers the same way.

use super::{Indicator, IndicatorKind, IndicatorSet, Measure, NATIONAL, Period, progress};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// One row of the aggregate: a county-level region's value of a measure in
/// a month, for a training type, person category ('' = every person) and
/// fund source ('' unless the measure is money).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    pub region: String,
    pub year: i32,
    pub month: u32,
    pub measure: Measure,
    pub training_type: String,
    pub category: String,
    pub fund: String,
    pub value: i64,
}

/// A statistic entered for a region and year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statistic {
    pub region: String,
    pub year: i32,
    pub key: String,
    pub value: i64,
}

/// A stored target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    pub indicator: String,
    pub period: Period,
    pub region: String,
    pub parent: String,
    pub name: String,
    pub value: i64,
}

/// A region the dashboard shows a row for: a sub-region, or the region's
/// own share (市本级: only what is recorded at the region's own code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Area {
    pub code: String,
    pub name: String,
    pub own: bool,
}

impl Area {
    /// Whether a fact recorded at `region` counts in this area.
    pub fn covers(&self, region: &str) -> bool {
        if self.own {
            region == self.code
        } else {
            region.starts_with(prefix(&self.code))
        }
    }
}

/// The code prefix shared by a region and everything under it: 37 for a
/// province, 3715 for a prefecture, the code for a county, "" for 全国.
pub fn prefix(code: &str) -> &str {
    if code == NATIONAL {
        ""
    } else if let Some(p) = code.strip_suffix("0000") {
        p
    } else if let Some(p) = code.strip_suffix("00") {
        p
    } else {
        code
    }
}

/// The value of `indicator` over `area` for `period`, counting records up to
/// and including `through`.
pub fn indicator_value(
    indicator: &Indicator,
    area: &Area,
    period: Period,
    through: NaiveDate,
    facts: &[Fact],
    stats: &[Statistic],
) -> Option<i64> {
    let last = (through.year(), through.month());
    let in_time = |y: i32, m: u32| period.contains(y) && (y, m) <= last;
    match &indicator.kind {
        IndicatorKind::Count {
            measure,
            category,
            training_type,
        } => Some(
            facts
                .iter()
                .filter(|f| {
                    f.measure == *measure
                        && in_time(f.year, f.month)
                        && area.covers(&f.region)
                        && f.category == category.as_deref().unwrap_or("")
                        && training_type.as_ref().is_none_or(|t| &f.training_type == t)
                })
                .map(|f| f.value)
                .sum(),
        ),
        IndicatorKind::Statistic { statistic } => {
            let v: Vec<i64> = stats
                .iter()
                .filter(|s| s.key == *statistic && s.region == area.code)
                .filter(|s| period.contains(s.year) && s.year <= through.year())
                .map(|s| s.value)
                .collect();
            (!v.is_empty()).then(|| v.iter().sum())
        }
        IndicatorKind::Ratio {
            numerator,
            denominator,
        } => {
            let get = |key: &str, year: i32| {
                stats
                    .iter()
                    .find(|s| s.key == key && s.year == year && s.region == area.code)
                    .map(|s| s.value)
            };
            (period.from..=period.to.min(through.year()))
                .rev()
                .find_map(|y| Some((get(numerator, y)?, get(denominator, y)?)))
                .filter(|(_, d)| *d > 0)
                .map(|(n, d)| {
                    let scale = 100 * 10i128.pow(indicator.decimals);
                    ((n as i128 * scale + d as i128 / 2) / d as i128) as i64
                })
        }
    }
}

/// One row of the progress view: an area, an indicator, a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgressRow {
    pub region: String,
    pub name: String,
    pub indicator: String,
    pub indicator_name: String,
    pub unit: String,
    pub decimals: u32,
    pub period: String,
    pub year_from: i32,
    pub year_to: i32,
    pub target: Option<i64>,
    pub actual: Option<i64>,
    pub expected: Option<i64>,
    pub elapsed: f64,
    pub completion: Option<f64>,
    pub behind: bool,
    pub status: String,
}

/// The progress entries of `areas` (the sub-regions of `parent`, and its own
/// share where it has one) for every indicator and period containing
/// `year` that `parent` breaks down or that its sub-regions have targets
/// for. An area appears under such a key when it has a target there, or
/// records: a sub-region missing from a breakdown shows without a target.
#[allow(clippy::too_many_arguments)]
pub fn progress_entries(
    parent: &str,
    areas: &[Area],
    year: i32,
    as_of: NaiveDate,
    set: &IndicatorSet,
    targets: &[Target],
    facts: &[Fact],
    stats: &[Statistic],
) -> Vec<ProgressRow> {
    let keys = keys(set, targets, year, |t| {
        t.parent == parent
            || t.parent.is_empty() && areas.iter().any(|a| !a.own && a.code == t.region)
    });
    let mut out = Vec::new();
    for (pos, period) in keys {
        let ind = &set.indicators[pos];
        for area in areas {
            let target = targets.iter().find(|t| {
                t.indicator == ind.code
                    && t.period == period
                    && t.region == area.code
                    && if area.own {
                        t.parent == area.code
                    } else {
                        t.parent == parent || t.parent.is_empty()
                    }
            });
            let e = entry(ind, area, period, target, as_of, facts, stats);
            if target.is_some() || e.actual.is_some_and(|a| a != 0) {
                out.push(e);
            }
        }
    }
    out
}

/// The entries of `region` itself (its total) for the same keys as its
/// breakdown: what the sub-regions' rows add up to, against its own target.
#[allow(clippy::too_many_arguments)]
pub fn total_entries(
    region: &Area,
    areas: &[Area],
    year: i32,
    as_of: NaiveDate,
    set: &IndicatorSet,
    targets: &[Target],
    facts: &[Fact],
    stats: &[Statistic],
) -> Vec<ProgressRow> {
    let keys = keys(set, targets, year, |t| {
        t.parent == region.code
            || t.region == region.code && t.parent != t.region
            || t.parent.is_empty() && areas.iter().any(|a| !a.own && a.code == t.region)
    });
    keys.into_iter()
        .map(|(pos, period)| {
            let ind = &set.indicators[pos];
            let target = targets.iter().find(|t| {
                t.indicator == ind.code
                    && t.period == period
                    && t.region == region.code
                    && t.parent != t.region
            });
            entry(ind, region, period, target, as_of, facts, stats)
        })
        .collect()
}

/// The (indicator position, period) pairs of the targets `relevant` picks
/// whose period contains `year`, in indicator order.
fn keys(
    set: &IndicatorSet,
    targets: &[Target],
    year: i32,
    relevant: impl Fn(&Target) -> bool,
) -> Vec<(usize, Period)> {
    let mut keys: Vec<(usize, Period)> = Vec::new();
    for t in targets
        .iter()
        .filter(|t| t.period.contains(year) && relevant(t))
    {
        if let Some(pos) = set.indicators.iter().position(|i| i.code == t.indicator)
            && !keys.contains(&(pos, t.period))
        {
            keys.push((pos, t.period));
        }
    }
    keys.sort();
    keys
}

fn entry(
    ind: &Indicator,
    area: &Area,
    period: Period,
    target: Option<&Target>,
    as_of: NaiveDate,
    facts: &[Fact],
    stats: &[Statistic],
) -> ProgressRow {
    let through = as_of.min(NaiveDate::from_ymd_opt(period.to, 12, 31).unwrap_or(as_of));
    let actual = indicator_value(ind, area, period, through, facts, stats);
    let (expected, elapsed, completion, behind, status) = match (target, actual) {
        (Some(t), Some(a)) => {
            let p = progress(period, t.value, a, ind.cumulative(), as_of);
            (
                Some(p.expected),
                p.elapsed,
                Some(p.completion),
                p.behind,
                p.status.to_string(),
            )
        }
        (Some(_), None) => (None, 0.0, None, false, "未填报".to_string()),
        (None, _) => (None, 0.0, None, false, "无目标".to_string()),
    };
    ProgressRow {
        region: area.code.clone(),
        name: target.map(|t| t.name.clone()).unwrap_or(area.name.clone()),
        indicator: ind.code.clone(),
        indicator_name: ind.name.clone(),
        unit: ind.unit.clone(),
        decimals: ind.decimals,
        period: period.label(),
        year_from: period.from,
        year_to: period.to,
        target: target.map(|t| t.value),
        actual,
        expected,
        elapsed,
        completion,
        behind,
        status,
    }
}

/// Monthly cumulative values of `indicator` over `area` in `period` through
/// `as_of`: (year, month, cumulative value), for the line chart.
pub fn cumulative_by_month(
    indicator: &Indicator,
    area: &Area,
    period: Period,
    as_of: NaiveDate,
    facts: &[Fact],
) -> Vec<(i32, u32, i64)> {
    let IndicatorKind::Count { .. } = indicator.kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for y in period.from..=period.to {
        for m in 1..=12u32 {
            if (y, m) > (as_of.year(), as_of.month()) {
                return out;
            }
            let end = NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(as_of);
            let v = indicator_value(indicator, area, period, end, facts, &[]).unwrap_or(0);
            out.push((y, m, v));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(region: &str, y: i32, m: u32, cat: &str, v: i64) -> Fact {
        Fact {
            region: region.into(),
            year: y,
            month: m,
            measure: Measure::Training,
            training_type: "就业技能培训".into(),
            category: cat.into(),
            fund: String::new(),
            value: v,
        }
    }

    #[test]
    fn areas_cover_their_codes_and_the_own_share_only_its_own() {
        assert_eq!(prefix("370000"), "37");
        assert_eq!(prefix("371500"), "3715");
        assert_eq!(prefix("371502"), "371502");
        assert_eq!(prefix(NATIONAL), "");
        let city = Area {
            code: "371500".into(),
            name: "聊城市".into(),
            own: false,
        };
        let own = Area {
            own: true,
            name: "市本级".into(),
            ..city.clone()
        };
        assert!(city.covers("371571") && city.covers("371500"));
        assert!(own.covers("371500") && !own.covers("371502"));
    }

    #[test]
    fn entries_per_area_with_the_breakdown_targets() {
        let set = IndicatorSet::parse(
            "i.toml",
            r#"
[[indicator]]
code = "training"
name = "培训"
unit = "人次"
kind = "count"
measure = "training"
definition = "d"
source = "s"

[[indicator]]
code = "migrant"
name = "农民工"
unit = "人次"
kind = "count"
measure = "training"
category = "农村转移就业劳动者"
definition = "d"
source = "s"
"#,
        )
        .unwrap();
        let target = |region: &str, parent: &str, v: i64| Target {
            indicator: "training".into(),
            period: Period::year(2019),
            region: region.into(),
            parent: parent.into(),
            name: format!("T{region}"),
            value: v,
        };
        let targets = vec![
            target("371500", "", 100),
            target("371500", "371500", 40),
            target("371502", "371500", 60),
        ];
        let facts = vec![
            fact("371500", 2019, 3, "", 5),
            fact("371502", 2019, 3, "", 7),
            fact("371502", 2019, 3, "农村转移就业劳动者", 4),
            fact("371502", 2019, 11, "", 100),
            fact("371502", 2020, 1, "", 1000),
        ];
        let areas = vec![
            Area {
                code: "371500".into(),
                name: "市本级".into(),
                own: true,
            },
            Area {
                code: "371502".into(),
                name: "东昌府区".into(),
                own: false,
            },
        ];
        let as_of = NaiveDate::from_ymd_opt(2019, 6, 30).unwrap();
        let e = progress_entries("371500", &areas, 2019, as_of, &set, &targets, &facts, &[]);
        assert_eq!(e.len(), 2, "only the indicator with a target: {e:#?}");
        assert_eq!(
            (e[0].name.as_str(), e[0].target, e[0].actual),
            ("T371500", Some(40), Some(5))
        );
        assert_eq!((e[1].target, e[1].actual), (Some(60), Some(7)));
        assert!(e[1].behind, "7 of 60 by the end of June");
        let city = Area {
            code: "371500".into(),
            name: "聊城市".into(),
            own: false,
        };
        let migrant = set.get("migrant").unwrap();
        let end = NaiveDate::from_ymd_opt(2019, 12, 31).unwrap();
        assert_eq!(
            indicator_value(migrant, &city, Period::year(2019), end, &facts, &[]),
            Some(4)
        );
        let line = cumulative_by_month(
            set.get("training").unwrap(),
            &city,
            Period::year(2019),
            end,
            &facts,
        );
        assert_eq!(line.len(), 12);
        assert_eq!(line[2], (2019, 3, 12));
        assert_eq!(line[11], (2019, 12, 112));
    }
}
