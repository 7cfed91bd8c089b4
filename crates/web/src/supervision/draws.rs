//! 双随机 draws for officers and auditors: the list (paged), one draw with
//! what re-runs it, whom it picked and the results; an officer records the
//! result for a drawn institution of their region (post/redirect/get,
//! audited by the store). The result words offered are the scored ones of
//! the supervision file's `[credit.inspection]`; any other word is kept
//! and rated 0.

use super::paging;
use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::views::{Nav, page};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jineng_domain::access::Action;
use jineng_store::{DrawInstitution, PublishedDraw, StoreError};
use serde::Deserialize;

/// Draws per page.
pub const PAGE: i64 = 20;

#[derive(Debug, Default, Deserialize)]
pub struct PageForm {
    #[serde(default)]
    pub page: Option<i64>,
}

#[derive(Template)]
#[template(path = "supervision_draws.html")]
struct ListPage {
    nav: Option<Nav>,
    rows: Vec<PublishedDraw>,
    total: i64,
    page: i64,
    pages: i64,
}

/// `GET /supervision/draws?page=`
pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(f): Query<PageForm>,
) -> Result<Response, AppError> {
    user.require(Action::ViewSupervision)?;
    let total = state.store.draw_count().await?;
    let (page_no, pages, offset) = paging(total, f.page, PAGE);
    page(&ListPage {
        nav: Some(Nav::of(&user)),
        rows: state.store.published_draws(offset, PAGE).await?,
        total,
        page: page_no,
        pages,
    })
}

#[derive(Template)]
#[template(path = "supervision_draw.html")]
struct ShowPage {
    nav: Option<Nav>,
    csrf: String,
    d: PublishedDraw,
    /// The picked institutions, each with whether this account may
    /// record its result.
    picked: Vec<(DrawInstitution, bool)>,
    results: Vec<String>,
    message: Option<String>,
    errors: Vec<String>,
    input: ResultForm,
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    recorded: Option<String>,
}

async fn draw_page(
    state: &AppState,
    user: &User,
    draw_no: &str,
    message: Option<String>,
    errors: Vec<String>,
    input: ResultForm,
) -> Result<Response, AppError> {
    user.require(Action::ViewSupervision)?;
    let store = &state.store;
    let d = store.published_draw(draw_no).await?;
    let mut picked = Vec::new();
    for i in &d.institutions {
        let may = user.role().may(Action::RecordInspections)
            && store
                .institution_in_scope(user.scope(), &i.credit_code)
                .await?;
        picked.push((i.clone(), may));
    }
    let results = store
        .supervision()
        .await?
        .and_then(|s| s.credit)
        .map(|c| c.inspection.into_keys().collect())
        .unwrap_or_default();
    page(&ShowPage {
        nav: Some(Nav::of(user)),
        csrf: user.csrf.clone(),
        d,
        picked,
        results,
        message,
        errors,
        input,
    })
}

/// `GET /supervision/draws/{draw_no}`
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(draw_no): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let message = q.recorded.map(|_| "抽查结果已记录".to_string());
    draw_page(
        &state,
        &user,
        &draw_no,
        message,
        Vec::new(),
        ResultForm::default(),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct ResultForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub institution: String,
    #[serde(default)]
    pub result: String,
}

/// `POST /supervision/draws/{draw_no}/results` (`institution`, `result`)
pub async fn record(
    State(state): State<AppState>,
    user: User,
    Path(draw_no): Path<String>,
    Form(f): Form<ResultForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&f.csrf)?;
    user.require(Action::RecordInspections)?;
    let refused = |m: String, f: ResultForm| {
        let (state, user, draw_no) = (&state, &user, &draw_no);
        async move {
            let mut res = draw_page(state, user, draw_no, None, vec![m], f).await?;
            *res.status_mut() = StatusCode::BAD_REQUEST;
            Ok::<Response, AppError>(res)
        }
    };
    if f.result.trim().is_empty() {
        return refused("请填写抽查结果".into(), f).await;
    }
    match state
        .store
        .scoped_record_inspection(
            user.scope(),
            &draw_no,
            f.institution.trim(),
            &f.result,
            &user.actor(),
        )
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/supervision/draws/{}?recorded=1",
            super::encode(&draw_no)
        ))
        .into_response()),
        Err(StoreError::Refused(m)) => refused(m, f).await,
        Err(e) => Err(e.into()),
    }
}
