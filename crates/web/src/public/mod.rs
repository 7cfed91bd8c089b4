//! 一公开: the public pages of supervision, no sign-in needed. Credit
//! ratings (institution, year, grade, consequences: no points, no case
//! number, no person) and the 双随机 draws with what re-runs them (seed,
//! algorithm, list digests), whom they picked (institutions; inspectors of
//! the published list) and the results. Nothing here names a trainee.

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::supervision::{Ratings, draws_page_size, paging, ratings, year_filter};
use crate::views::{Nav, page};
use askama::Template;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::response::Response;
use jineng_store::{PublishedDraw, PublishedRating};
use serde::Deserialize;

/// Ratings per page.
const PAGE: i64 = 100;

#[derive(Debug, Default, Deserialize)]
pub struct CreditForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "public_credit.html")]
struct CreditPage {
    nav: Option<Nav>,
    /// (year, selected)
    years: Vec<(i64, bool)>,
    year: Option<i64>,
    rows: Vec<(PublishedRating, Vec<String>)>,
    total: i64,
    page: i64,
    pages: i64,
}

async fn signed_in(state: &AppState, mut parts: Parts) -> Option<User> {
    User::from_request_parts(&mut parts, state).await.ok()
}

/// `GET /public/credit?year=&page=` (public)
pub async fn credit(
    State(state): State<AppState>,
    parts: Parts,
    Query(f): Query<CreditForm>,
) -> Result<Response, AppError> {
    let store = &crate::replica::reads(&state, &parts.headers).await;
    let user = signed_in(&state, parts).await;
    let years = store.rating_years().await?;
    // The latest year rated by default.
    let year = match year_filter(&f.year)? {
        Some(y) => Some(y),
        None => years.first().copied(),
    };
    let Ratings {
        rows,
        total,
        page_no,
        pages,
    } = ratings(store, year, f.page, PAGE).await?;
    page(&CreditPage {
        nav: user.as_ref().map(Nav::of),
        years: years.into_iter().map(|y| (y, Some(y) == year)).collect(),
        year,
        rows,
        total,
        page: page_no,
        pages,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct DrawsForm {
    #[serde(default)]
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "public_draws.html")]
struct DrawsPage {
    nav: Option<Nav>,
    rows: Vec<PublishedDraw>,
    total: i64,
    page: i64,
    pages: i64,
}

/// `GET /public/draws?page=` (public)
pub async fn draws(
    State(state): State<AppState>,
    parts: Parts,
    Query(f): Query<DrawsForm>,
) -> Result<Response, AppError> {
    let store = crate::replica::reads(&state, &parts.headers).await;
    let user = signed_in(&state, parts).await;
    let per = draws_page_size();
    let total = store.draw_count().await?;
    let (page_no, pages, offset) = paging(total, f.page, per);
    page(&DrawsPage {
        nav: user.as_ref().map(Nav::of),
        rows: store.published_draws(offset, per).await?,
        total,
        page: page_no,
        pages,
    })
}
