//! 信用等级评定 for officers and auditors: every rating of a year with its
//! points (each with its reason) and its consequences, paged. Ratings are
//! published whole (`/public/credit`, without the points), so they are not
//! cut by region.

use super::paging;
use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::views::{Nav, page};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jineng_domain::access::Action;
use jineng_store::{PublishedRating, Store};
use serde::Deserialize;

/// Ratings per page.
const PAGE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct YearForm {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub page: Option<i64>,
}

/// A year filter: a number or none (every year).
pub fn year_filter(raw: &str) -> Result<Option<i64>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        y => y
            .parse::<i64>()
            .ok()
            .filter(|y| (1900..=2999).contains(y))
            .map(Some)
            .ok_or_else(|| AppError::BadRequest(format!("年度「{y}」不是年份，应为四位数字"))),
    }
}

/// What a rating's consequences are, in words.
pub fn consequences(r: &PublishedRating) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(d) = &r.removed_from {
        out.push(format!("自 {d} 起移出目录清单"));
    }
    if r.no_advances {
        out.push("不予先行拨付".into());
    }
    if out.is_empty() {
        out.push("无".into());
    }
    out
}

/// A page of a year's published ratings, each with its consequences.
pub struct Ratings {
    pub rows: Vec<(PublishedRating, Vec<String>)>,
    pub total: i64,
    pub page_no: i64,
    pub pages: i64,
}

/// The ratings of `year` (every year when none) on page `page` of
/// `per_page` rows.
pub async fn ratings(
    store: &Store,
    year: Option<i64>,
    page: Option<i64>,
    per_page: i64,
) -> Result<Ratings, AppError> {
    let total = store.rating_count(year).await?;
    let (page_no, pages, offset) = paging(total, page, per_page);
    let rows = store
        .published_ratings(year, offset, per_page)
        .await?
        .into_iter()
        .map(|r| {
            let c = consequences(&r);
            (r, c)
        })
        .collect();
    Ok(Ratings {
        rows,
        total,
        page_no,
        pages,
    })
}

#[derive(Template)]
#[template(path = "supervision_credit.html")]
struct CreditPage {
    nav: Option<Nav>,
    /// (year, selected)
    years: Vec<(i64, bool)>,
    year: Option<i64>,
    /// (rating, consequences)
    rows: Vec<(PublishedRating, Vec<String>)>,
    total: i64,
    page: i64,
    pages: i64,
}

/// `GET /supervision/credit?year=&page=`
pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(f): Query<YearForm>,
) -> Result<Response, AppError> {
    user.require(Action::ViewSupervision)?;
    let year = year_filter(&f.year)?;
    let store = &state.store;
    let Ratings {
        rows,
        total,
        page_no,
        pages,
    } = ratings(store, year, f.page, PAGE).await?;
    page(&CreditPage {
        nav: Some(Nav::of(&user)),
        years: store
            .rating_years()
            .await?
            .into_iter()
            .map(|y| (y, Some(y) == year))
            .collect(),
        year,
        rows,
        total,
        page: page_no,
        pages,
    })
}
