//! The dashboard page's rows, as text ready for the template.

use super::Loaded;
use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::views::Nav;
use askama::Template;
use jineng_domain::RegionCode;
use jineng_domain::planning::{NATIONAL, ProgressRow};
use jineng_report::dashboard::show;

/// A link of the breadcrumb (全国 › 山东省 › 聊城市): `href` only for
/// regions inside the account's scope.
pub struct Crumb {
    pub name: String,
    pub href: Option<String>,
}

/// One row of an indicator's table.
pub struct Row {
    pub code: String,
    pub name: String,
    /// Drill-down to the sub-region's own dashboard.
    pub href: Option<String>,
    pub target: String,
    pub actual: String,
    pub expected: String,
    pub completion: String,
    pub status: String,
    pub behind: bool,
}

/// An indicator period: its rows, the region's total and the charts.
pub struct Group {
    /// `indicator:from-to`, marking the rows for machine readers.
    pub key: String,
    pub title: String,
    pub unit: String,
    /// 序时进度: the share of the period elapsed, as a percentage.
    pub elapsed: String,
    pub rows: Vec<Row>,
    pub total: Row,
    /// The charts' addresses (an SVG file each, to download).
    pub bars: String,
    pub line: Option<String>,
    /// The same charts inline, so that hovering shows the figures.
    pub bars_svg: String,
    pub line_svg: Option<String>,
}

pub struct UpperRow {
    pub region: String,
    pub indicator: String,
    pub period: String,
    pub target: String,
    pub actual: String,
    pub unit: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub nav: Option<Nav>,
    pub region: String,
    pub name: String,
    pub year: i32,
    pub as_of: String,
    pub years: Vec<i32>,
    pub crumbs: Vec<Crumb>,
    /// (code, name, selected)
    pub indicators: Vec<(String, String, bool)>,
    pub groups: Vec<Group>,
    pub upper: Vec<UpperRow>,
}

fn row(e: &ProgressRow, href: Option<String>) -> Row {
    Row {
        code: e.region.clone(),
        name: e.name.clone(),
        href,
        target: show(e.target, e.decimals),
        actual: show(e.actual, e.decimals),
        expected: show(e.expected, e.decimals),
        completion: e
            .completion
            .map(|c| format!("{:.1}%", c * 100.0))
            .unwrap_or_else(|| "—".into()),
        status: e.status.clone(),
        behind: e.behind,
    }
}

impl DashboardPage {
    pub fn new(
        nav: Nav,
        user: &User,
        loaded: &Loaded,
        crumbs: Vec<Crumb>,
        indicator: &str,
    ) -> DashboardPage {
        let d = &loaded.dash;
        let base = format!("region={}&year={}&as_of={}", d.region, d.year, d.as_of);
        let link = |code: &str, own: bool| {
            let inside = RegionCode::parse(code).is_ok_and(|c| user.scope().contains_region(&c));
            (!own && inside && code != d.region)
                .then(|| format!("/dashboard?region={code}&year={}&as_of={}", d.year, d.as_of))
        };
        let mut indicators: Vec<(String, String, bool)> = Vec::new();
        for t in &d.totals {
            if !indicators.iter().any(|(c, _, _)| *c == t.indicator) {
                indicators.push((
                    t.indicator.clone(),
                    t.indicator_name.clone(),
                    t.indicator == indicator,
                ));
            }
        }
        let groups = d
            .totals
            .iter()
            .filter(|t| indicator.is_empty() || t.indicator == indicator)
            .map(|t| {
                let chart = |kind: &str| {
                    format!(
                        "/dashboard/chart.svg?{base}&indicator={}&from={}&to={}&kind={kind}",
                        t.indicator, t.year_from, t.year_to
                    )
                };
                let own =
                    |e: &ProgressRow| d.data.areas.iter().any(|a| a.own && a.code == e.region);
                let line_svg = d.line_svg(&loaded.set, t);
                Group {
                    key: format!("{}:{}-{}", t.indicator, t.year_from, t.year_to),
                    title: format!("{}{}", t.period, t.indicator_name),
                    unit: t.unit.clone(),
                    elapsed: format!("{:.1}%", t.elapsed * 100.0),
                    rows: d
                        .group(t)
                        .into_iter()
                        .map(|e| row(e, link(&e.region, own(e))))
                        .collect(),
                    total: row(t, None),
                    bars: chart("bars"),
                    bars_svg: d.bars_svg(t),
                    line: line_svg.as_ref().map(|_| chart("line")),
                    line_svg,
                }
            })
            .collect();
        DashboardPage {
            nav: Some(nav),
            region: d.region.clone(),
            name: d.name.clone(),
            year: d.year,
            as_of: d.as_of.to_string(),
            years: loaded.years.clone(),
            crumbs,
            indicators,
            groups,
            upper: d
                .upper
                .iter()
                .map(|u| UpperRow {
                    region: u.name.clone(),
                    indicator: u.indicator_name.clone(),
                    period: u.period.clone(),
                    target: show(Some(u.target), u.decimals),
                    actual: show(u.actual, u.decimals),
                    unit: u.unit.clone(),
                })
                .collect(),
        }
    }
}

/// 全国 › province › city › the region, linked where inside the scope.
pub async fn crumbs(state: &AppState, user: &User, region: &str) -> Result<Vec<Crumb>, AppError> {
    let mut codes = vec![NATIONAL.to_string()];
    if let Ok(r) = RegionCode::parse(region) {
        for c in [Some(r.province()), r.prefecture(), Some(r.clone())]
            .into_iter()
            .flatten()
        {
            if !codes.contains(&c.as_str().to_string()) {
                codes.push(c.as_str().to_string());
            }
        }
    }
    let mut out = Vec::new();
    for code in codes {
        let Some(name) = state.store.region_name(&code).await? else {
            continue;
        };
        let inside = RegionCode::parse(&code).is_ok_and(|c| user.scope().contains_region(&c));
        out.push(Crumb {
            name,
            href: (inside && code != region).then(|| format!("/dashboard?region={code}")),
        });
    }
    Ok(out)
}
