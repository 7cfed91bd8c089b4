//! Persons: search by name or ID number within the scope, the e-archive
//! (ID masked; revealing it is a POST, audited by the store), and a
//! worker's own archive.

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::session::CsrfForm;
use crate::views::{Nav, page};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use jineng_domain::access::{Action, Scope};
use jineng_store::{Archive, PersonHit};
use serde::Deserialize;

/// The most hits a search shows.
const LIMIT: i64 = 50;

#[derive(Template)]
#[template(path = "persons.html")]
struct SearchPage {
    nav: Option<Nav>,
    q: String,
    searched: bool,
    hits: Vec<PersonHit>,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// `GET /persons?q=`
pub async fn search(
    State(state): State<AppState>,
    user: User,
    Query(query): Query<SearchQuery>,
) -> Result<Response, AppError> {
    user.require(Action::ViewPersons)?;
    let q = query.q.trim().to_string();
    let hits = if q.is_empty() {
        vec![]
    } else {
        state.store.search_persons(user.scope(), &q, LIMIT).await?
    };
    page(&SearchPage {
        nav: Some(Nav::of(&user)),
        searched: !q.is_empty(),
        q,
        hits,
    })
}

#[derive(Template)]
#[template(path = "archive.html")]
struct ArchivePage {
    nav: Option<Nav>,
    a: Archive,
    /// (number, type, applied on, status in Chinese)
    claims: Vec<(String, String, String, &'static str)>,
    can_reveal: bool,
    revealed: bool,
    csrf: String,
}

async fn archive_page(
    state: &AppState,
    user: &User,
    person_id: i64,
    reveal: bool,
) -> Result<Response, AppError> {
    let a = state
        .store
        .scoped_archive(user.scope(), person_id, &user.actor(), reveal)
        .await?
        .ok_or_else(|| AppError::Forbidden("该人员不存在或不在您的管理范围内".into()))?;
    let claims = a
        .claims
        .iter()
        .map(|c| {
            (
                c.claim_no.clone(),
                c.subsidy_type.clone(),
                c.applied_on.clone(),
                c.status.as_zh(),
            )
        })
        .collect();
    page(&ArchivePage {
        nav: Some(Nav::of(user)),
        claims,
        can_reveal: user.role().may(Action::RevealId),
        revealed: reveal,
        csrf: user.csrf.clone(),
        a,
    })
}

/// `GET /persons/{id}`
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    user.require(Action::ViewPersons)?;
    // Right after 显示完整身份证号码 (post/redirect/get): this one view shows it.
    let reveal =
        user.flash.as_ref().and_then(|f| f.reveal) == Some(id) && user.role().may(Action::RevealId);
    archive_page(&state, &user, id, reveal).await
}

/// `POST /persons/{id}/reveal`: the archive with the full ID number; the
/// store writes the reveal to the audit trail.
pub async fn reveal(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&form.csrf)?;
    user.require(Action::RevealId)?;
    // The person must be in scope before anything is promised.
    state
        .store
        .scoped_id_number(user.scope(), id)
        .await
        .map_err(AppError::from)?;
    let flash = crate::flash::Flash {
        reveal: Some(id),
        ..crate::flash::Flash::done(
            "已显示完整身份证号码，本次查看已记入审计日志；刷新或离开本页后重新隐藏。",
        )
    };
    Ok(crate::flash::see_other(
        &state,
        &user,
        &format!("/persons/{id}"),
        flash,
    ))
}

/// `GET /me`: a worker's own e-archive.
pub async fn me(State(state): State<AppState>, user: User) -> Result<Response, AppError> {
    user.require(Action::ViewOwnArchive)?;
    let Scope::Person(pid) = user.scope() else {
        return Err(AppError::forbidden());
    };
    archive_page(&state, &user, *pid, false).await
}
