//! The public page of fund use (资金使用情况公开, 003 二十四): per area,
//! the money the dedicated account paid by fund source and the training it
//! paid for. No login; sums and counts only — no name, ID number or claim
//! number can appear, because the page reads nothing but the aggregate.

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::views::{Nav, page};
use askama::Template;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::response::Response;
use jineng_domain::planning::Period;
use jineng_report::{Table, fund_use};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct FundsQuery {
    #[serde(default)]
    region: String,
    #[serde(default)]
    year: String,
}

/// A report table as text cells.
pub struct Shown {
    pub title: String,
    pub subtitle: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl From<&Table> for Shown {
    fn from(t: &Table) -> Shown {
        Shown {
            title: t.title.clone(),
            subtitle: t.subtitle.clone(),
            headers: t.headers.clone(),
            rows: t
                .rows
                .iter()
                .chain(t.total.iter())
                .map(|r| r.iter().map(|c| c.display()).collect())
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "funds.html")]
struct FundsPage {
    nav: Option<Nav>,
    year: i32,
    /// (code, name, selected)
    regions: Vec<(String, String, bool)>,
    years: Vec<i32>,
    tables: Vec<Shown>,
}

/// `GET /funds?region=&year=` (public)
pub async fn show(
    State(state): State<AppState>,
    mut parts: Parts,
    Query(q): Query<FundsQuery>,
) -> Result<Response, AppError> {
    // A report of the aggregate facts: the replica's, if any.
    let store = crate::replica::fresh_reads(&state, &parts.headers).await?;
    let user = User::from_request_parts(&mut parts, &state).await.ok();
    let (regions, years) = store.fund_use_choices().await?;
    // By default the first city (or province) with money paid.
    let region = match q.region.trim() {
        "" => regions
            .iter()
            .find(|(c, _)| c.ends_with("00") && !c.ends_with("0000"))
            .or(regions.first())
            .map(|(c, _)| c.clone())
            .unwrap_or_default(),
        r if r.len() == 6 && r.bytes().all(|b| b.is_ascii_digit()) => r.to_string(),
        r => {
            return Err(AppError::BadRequest(format!(
                "行政区划代码「{r}」无效，应为6位数字"
            )));
        }
    };
    let year = match q.year.trim() {
        "" => years
            .last()
            .copied()
            .unwrap_or_else(|| chrono::Datelike::year(&chrono::Local::now().date_naive())),
        y => y
            .parse::<i32>()
            .ok()
            .filter(|y| (1949..=2100).contains(y))
            .ok_or_else(|| AppError::BadRequest(format!("年度「{y}」无效，应为四位年份")))?,
    };
    let tables = if region.is_empty() {
        Vec::new()
    } else {
        let data = store.dashboard_data(&region, Period::year(year)).await?;
        let set = store.indicator_set().await?;
        fund_use(&data, &set, year, &store.fund_names().await?)
    };
    page(&FundsPage {
        nav: user.as_ref().map(Nav::of),
        regions: regions
            .into_iter()
            .map(|(c, n)| {
                let s = c == region;
                (c, n, s)
            })
            .collect(),
        year,
        years,
        tables: tables.iter().map(Shown::from).collect(),
    })
}
