//! A region's dashboard as the web pages and the API show it: the progress
//! entries of its sub-regions, its own totals, the targets of the regions
//! above it, and the charts of one indicator. Pure: the caller loads the
//! data (through the store's scoped read) and the indicator set; the
//! figures are the ones `jineng report progress` computes, by the same
//! domain functions.

use crate::svg;
use chrono::NaiveDate;
use jineng_domain::planning::{
    Area, IndicatorSet, NATIONAL, Period, ProgressRow, Target, cumulative_by_month, format_value,
    indicator_value, progress_entries, total_entries,
};
use jineng_store::DashboardData;
use serde::Serialize;

/// The period spanning every target period that contains `year` (what the
/// facts must cover).
pub fn span(targets: &[Target], year: i32) -> Period {
    let mut p = Period::year(year);
    for t in targets.iter().filter(|t| t.period.contains(year)) {
        p.from = p.from.min(t.period.from);
        p.to = p.to.max(t.period.to);
    }
    p
}

/// The progress entries of `data`'s areas and the region's own totals
/// (what `jineng report progress` prints, and the dashboard shows).
pub fn progress(
    data: &DashboardData,
    set: &IndicatorSet,
    year: i32,
    as_of: NaiveDate,
) -> (Vec<ProgressRow>, Vec<ProgressRow>) {
    let (targets, facts, stats) = (&data.targets, &data.facts, &data.statistics);
    let entries = progress_entries(
        &data.region,
        &data.areas,
        year,
        as_of,
        set,
        targets,
        facts,
        stats,
    );
    let totals = total_entries(
        &whole(data),
        &data.areas,
        year,
        as_of,
        set,
        targets,
        facts,
        stats,
    );
    (entries, totals)
}

/// The year a dashboard opens on: `today`'s year if a target covers it,
/// else the latest covered year before it, else the first one.
pub fn default_year(years: &[i32], today: i32) -> i32 {
    years
        .iter()
        .rev()
        .find(|y| **y <= today)
        .or(years.first())
        .copied()
        .unwrap_or(today)
}

/// A target of a region above the dashboard's, with the dashboard region's
/// own figure for it (its contribution; nothing outside it is summed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpperTarget {
    pub region: String,
    pub name: String,
    pub indicator: String,
    pub indicator_name: String,
    pub unit: String,
    pub decimals: u32,
    pub period: String,
    pub target: i64,
    /// This region's value over the period, through the as-of date.
    pub actual: Option<i64>,
}

/// Everything a dashboard shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dashboard {
    pub region: String,
    pub name: String,
    pub year: i32,
    pub as_of: NaiveDate,
    /// One per area (sub-region, 本级) and indicator period: the same
    /// entries as `jineng report progress --format json`.
    pub entries: Vec<ProgressRow>,
    /// The region's own total per indicator period.
    pub totals: Vec<ProgressRow>,
    pub upper: Vec<UpperTarget>,
    #[serde(skip)]
    pub data: DashboardData,
}

impl Dashboard {
    /// Computes the dashboard of `data` (loaded for [`span`] of `year`).
    pub fn compute(data: DashboardData, set: &IndicatorSet, year: i32, as_of: NaiveDate) -> Self {
        let (entries, totals) = progress(&data, set, year, as_of);
        let whole = whole(&data);
        let upper = data
            .targets
            .iter()
            .filter(|t| {
                t.period.contains(year) && t.parent.is_empty() && above(&t.region, &data.region)
            })
            .filter_map(|t| {
                let ind = set.get(&t.indicator)?;
                let through = as_of.min(NaiveDate::from_ymd_opt(t.period.to, 12, 31)?);
                Some(UpperTarget {
                    region: t.region.clone(),
                    name: t.name.clone(),
                    indicator: ind.code.clone(),
                    indicator_name: ind.name.clone(),
                    unit: ind.unit.clone(),
                    decimals: ind.decimals,
                    period: t.period.label(),
                    target: t.value,
                    actual: indicator_value(
                        ind,
                        &whole,
                        t.period,
                        through,
                        &data.facts,
                        &data.statistics,
                    ),
                })
            })
            .collect();
        Dashboard {
            region: data.region.clone(),
            name: data.name.clone(),
            year,
            as_of,
            entries,
            totals,
            upper,
            data,
        }
    }

    /// The entries of one indicator period.
    pub fn group(&self, total: &ProgressRow) -> Vec<&ProgressRow> {
        self.entries
            .iter()
            .filter(|e| e.indicator == total.indicator && e.period == total.period)
            .collect()
    }

    /// The bar chart of an indicator period: each area's actual against
    /// its target, red when behind schedule.
    pub fn bars_svg(&self, total: &ProgressRow) -> String {
        let same: Vec<ProgressRow> = self.group(total).into_iter().cloned().collect();
        let rows = if same.is_empty() {
            vec![total.clone()]
        } else {
            same
        };
        svg::bars(
            &format!(
                "{} {}{}：各地完成与目标",
                self.name, total.period, total.indicator_name
            ),
            &rows,
        )
    }

    /// The region's cumulative monthly line of an indicator period against
    /// its target (count indicators only; `None` otherwise).
    pub fn line_svg(&self, set: &IndicatorSet, total: &ProgressRow) -> Option<String> {
        let ind = set.get(&total.indicator)?;
        let period = Period {
            from: total.year_from,
            to: total.year_to,
        };
        let line: Vec<(String, i64)> = cumulative_by_month(
            ind,
            &whole(&self.data),
            period,
            self.as_of,
            &self.data.facts,
        )
        .into_iter()
        .map(|(y, m, v)| (format!("{}-{m:02}", y % 100), v))
        .collect();
        if line.is_empty() {
            return None;
        }
        let months = 12 * (period.to - period.from + 1) as usize;
        Some(svg::cumulative(
            &format!("{} {}{}：累计完成", self.name, total.period, ind.name),
            &line,
            total.target,
            months,
            ind.decimals,
        ))
    }
}

/// The dashboard's region as one area (its whole, not its own share).
pub fn whole(data: &DashboardData) -> Area {
    Area {
        code: data.region.clone(),
        name: data.name.clone(),
        own: false,
    }
}

/// Whether region `upper` lies above `region` (全国 above every region).
fn above(upper: &str, region: &str) -> bool {
    if upper == region {
        return false;
    }
    if upper == NATIONAL {
        return true;
    }
    let p = jineng_domain::planning::prefix(upper);
    p.len() < 6 && region.starts_with(p)
}

/// A value as the page shows it: 40,100 or 7,500.00 (— when absent).
pub fn show(v: Option<i64>, decimals: u32) -> String {
    v.map(|v| format_value(v, decimals))
        .unwrap_or_else(|| "—".into())
}
