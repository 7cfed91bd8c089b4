//! The dashboard (工作进度): a region's actuals against its targets per
//! sub-region, the 序时进度 and the behind-schedule flag, drill-down from
//! 全国 to a county, the targets of the regions above, and its SVG charts
//! (served as images, so the CSP holds). The region must lie inside the
//! account's scope: the store's scoped read refuses a parent or a sibling.

mod view;

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::views::{Nav, page};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use jineng_domain::access::{Action, Scope};
use jineng_domain::planning::IndicatorSet;
use jineng_report::Dashboard;
use jineng_report::dashboard::{default_year, span};
use serde::Deserialize;

/// The dashboard's query: all optional (the account's region, the current
/// or latest target year, today, every indicator).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct DashQuery {
    /// 区划代码（默认为账号所属地区）
    #[serde(default)]
    pub region: String,
    /// 年度（默认为当年或最近的目标年度）
    #[serde(default)]
    pub year: String,
    /// 指标代码（默认全部）
    #[serde(default)]
    pub indicator: String,
    /// 统计截止日期 YYYY-MM-DD（默认今天）
    #[serde(default)]
    pub as_of: String,
}

/// A dashboard loaded for an account, with what its page offers.
pub struct Loaded {
    pub dash: Dashboard,
    pub set: IndicatorSet,
    /// The years the region's targets cover.
    pub years: Vec<i32>,
}

/// Loads the dashboard `q` asks for, inside the account's scope.
/// Reads the replica when there is one, once it has this browser's
/// writes (`headers`' WAL cookie).
pub async fn load(
    state: &AppState,
    headers: &HeaderMap,
    user: &User,
    q: &DashQuery,
) -> Result<Loaded, AppError> {
    user.require(Action::ViewProgress)?;
    let store = crate::replica::fresh_reads(state, headers).await?;
    let region = match (q.region.trim(), user.scope()) {
        ("", Scope::Region(r)) => r.as_str().to_string(),
        ("", _) => return Err(AppError::forbidden()),
        (r, _) => r.to_string(),
    };
    let today = chrono::Local::now().date_naive();
    let as_of = match q.as_of.trim() {
        "" => today,
        d => NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
            AppError::BadRequest(format!("统计截止日期「{d}」无效，应为 YYYY-MM-DD"))
        })?,
    };
    let years = store.target_years(&region, true).await?;
    let year = match q.year.trim() {
        "" => {
            let own = store.target_years(&region, false).await?;
            let targeted = if own.is_empty() { &years } else { &own };
            // The latest targeted year with figures, else the usual default.
            let (_, with_data) = store.fund_use_choices().await?;
            let latest = targeted
                .iter()
                .rev()
                .find(|y| **y <= as_of.year() && with_data.contains(y));
            latest
                .copied()
                .unwrap_or_else(|| default_year(targeted, as_of.year()))
        }
        y => y
            .parse::<i32>()
            .ok()
            .filter(|y| (1949..=2100).contains(y))
            .ok_or_else(|| AppError::BadRequest(format!("年度「{y}」无效，应为四位年份")))?,
    };
    let targets = store.targets().await?;
    let data = store
        .scoped_dashboard_data(user.scope(), &region, span(&targets, year))
        .await?;
    let set = store.indicator_set().await?;
    Ok(Loaded {
        dash: Dashboard::compute(data, &set, year, as_of),
        set,
        years,
    })
}

/// `GET /dashboard?region=&year=&indicator=&as_of=`
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: User,
    Query(q): Query<DashQuery>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &headers, &user, &q).await?;
    let crumbs = view::crumbs(&state, &user, &loaded.dash.region).await?;
    page(&view::DashboardPage::new(
        Nav::of(&user),
        &user,
        &loaded,
        crumbs,
        q.indicator.trim(),
    ))
}

#[derive(Debug, Deserialize)]
pub struct ChartQuery {
    #[serde(flatten)]
    dash: DashQuery,
    /// bars | line
    #[serde(default)]
    kind: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `GET /dashboard/chart.svg?region=&year=&as_of=&indicator=&from=&to=&kind=bars|line`:
/// one chart of an indicator period, as an SVG image.
pub async fn chart(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: User,
    Query(q): Query<ChartQuery>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &headers, &user, &q.dash).await?;
    let none = || AppError::NotFound("没有该指标在该期间的目标或数据".into());
    let total = loaded
        .dash
        .totals
        .iter()
        .find(|t| {
            t.indicator == q.dash.indicator.trim()
                && t.year_from.to_string() == q.from.trim()
                && t.year_to.to_string() == q.to.trim()
        })
        .ok_or_else(none)?;
    let svg = match q.kind.as_str() {
        "line" => loaded.dash.line_svg(&loaded.set, total).ok_or_else(none)?,
        _ => loaded.dash.bars_svg(total),
    };
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        svg,
    )
        .into_response())
}
