//! The claims queue: claims in scope with their status and flagged rules,
//! a claim's clause-by-clause decision, batch approval of the clean
//! (待核准) claims in scope, approval or rejection of one claim.

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::flash::{Flash, after_action};
use crate::views::{Nav, page, yuan};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use jineng_domain::access::Action;
use jineng_domain::{ClaimStatus, ClaimStep};
use jineng_store::{ClaimDetail, ClaimRow, DecideSummary, RenderedClaim, render_claim};
use serde::Deserialize;

pub mod pay;

/// The most claims a queue page shows.
const LIMIT: i64 = 200;

/// The statuses the queue filters by, for the dropdown: every status.
pub const STATUSES: [ClaimStatus; 10] = ClaimStatus::ALL;

/// The officer's actions a claim's status allows, for the claim page.
pub struct Steps {
    pub approve: bool,
    pub reject: bool,
    pub pay: bool,
    pub settle: bool,
    pub recover: bool,
}

impl Steps {
    fn of(s: ClaimStatus) -> Steps {
        let can = |step| s.after(step, None).is_ok();
        Steps {
            approve: can(ClaimStep::Approve),
            reject: can(ClaimStep::Reject),
            pay: can(ClaimStep::Pay),
            settle: can(ClaimStep::Settle),
            recover: can(ClaimStep::Recover),
        }
    }
}

#[derive(Template)]
#[template(path = "claims.html")]
struct ListPage {
    nav: Option<Nav>,
    nav_csrf: String,
    /// (code, label, selected)
    statuses: Vec<(&'static str, &'static str, bool)>,
    can_decide: bool,
    message: Option<String>,
    rows: Vec<(ClaimRow, String)>,
    limit: i64,
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
}

/// A status filter from a query: a status code or none.
pub fn status_filter(raw: &str) -> Result<Option<ClaimStatus>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        s => ClaimStatus::from_code(s)
            .map(Some)
            .ok_or_else(|| AppError::BadRequest(format!("未知的申领状态「{s}」"))),
    }
}

async fn list_page(
    state: &AppState,
    user: &User,
    status: &str,
    message: Option<String>,
) -> Result<Response, AppError> {
    user.require(Action::ViewClaims)?;
    let filter = status_filter(status)?;
    let rows = state
        .store
        .scoped_claims(user.scope(), filter, LIMIT)
        .await?
        .into_iter()
        .map(|c| {
            let amount = c.amount_fen.map(yuan).unwrap_or_else(|| "—".into());
            (c, amount)
        })
        .collect();
    page(&ListPage {
        nav: Some(Nav::of(user)),
        nav_csrf: user.csrf.clone(),
        statuses: STATUSES
            .iter()
            .map(|s| (s.code(), s.as_zh(), Some(*s) == filter))
            .collect(),
        can_decide: user.role().may(Action::DecideClaims),
        message,
        rows,
        limit: LIMIT,
    })
}

/// `GET /claims?status=`
pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    list_page(&state, &user, &q.status, None).await
}

#[derive(Template)]
#[template(path = "claim.html")]
struct ShowPage {
    nav: Option<Nav>,
    d: ClaimDetail,
    r: RenderedClaim,
    steps: Steps,
    can_decide: bool,
    csrf: String,
    message: Option<String>,
    /// The open case (线索) holding the claim, if any.
    held_by: Option<String>,
    /// Whether the user may open the case (监管).
    can_view_cases: bool,
}

async fn show_page(
    state: &AppState,
    user: &User,
    no: &str,
    message: Option<String>,
) -> Result<Response, AppError> {
    // A worker opens their own claims' decisions (part of their archive);
    // the scope keeps them to their own.
    if !user.role().may(Action::ViewOwnArchive) {
        user.require(Action::ViewClaims)?;
    }
    let d = state.store.scoped_claim(user.scope(), no).await?;
    let r = render_claim(&d, &state.store.policy_set().await?);
    let held_by = state.store.claim_held_by(no).await?;
    page(&ShowPage {
        nav: Some(Nav::of(user)),
        held_by,
        can_view_cases: user.role().may(Action::ViewSupervision),
        can_decide: user.role().may(Action::DecideClaims),
        csrf: user.csrf.clone(),
        message,
        steps: Steps::of(d.status),
        d,
        r,
    })
}

/// `GET /claims/{no}`
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(no): Path<String>,
) -> Result<Response, AppError> {
    show_page(&state, &user, &no, None).await
}

pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// What an approval did, in words.
pub fn summary_text(s: &DecideSummary) -> String {
    let mut t = format!("核准 {} 件，合计 {} 元", s.approved, yuan(s.amount_fen));
    for (claim, why) in &s.refused {
        t.push_str(&format!("；{claim}：{why}"));
    }
    t
}

#[derive(Deserialize)]
pub struct ApproveForm {
    csrf: String,
    #[serde(default)]
    note: String,
}

/// `POST /claims/{no}/approve`: one claim, clean or flagged (an officer
/// has looked at it).
pub async fn approve(
    State(state): State<AppState>,
    user: User,
    Path(no): Path<String>,
    Form(form): Form<ApproveForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&form.csrf)?;
    user.require(Action::DecideClaims)?;
    let note = Some(form.note.trim()).filter(|n| !n.is_empty());
    let result = state
        .store
        .scoped_approve(
            user.scope(),
            Some(std::slice::from_ref(&no)),
            note,
            today(),
            &user.actor(),
        )
        .await
        .map_err(AppError::from)
        .map(|s| summary_flash(&s));
    after_action(&state, &user, &claim_href(&no), result)
}

/// The claim's page, for a redirect.
pub(crate) fn claim_href(no: &str) -> String {
    format!("/claims/{}", crate::flash::segment(no))
}

/// An approval's outcome: refused in the refusal style.
fn summary_flash(s: &DecideSummary) -> Flash {
    let text = summary_text(s);
    if s.approved == 0 && !s.refused.is_empty() {
        Flash::refused(text)
    } else {
        Flash::done(text)
    }
}

#[derive(Deserialize)]
pub struct RejectForm {
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// `POST /claims/{no}/reject`
pub async fn reject(
    State(state): State<AppState>,
    user: User,
    Path(no): Path<String>,
    Form(form): Form<RejectForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&form.csrf)?;
    user.require(Action::DecideClaims)?;
    let reason = form.reason.trim();
    let result = if reason.is_empty() {
        Err(AppError::BadRequest("请填写驳回理由".into()))
    } else {
        state
            .store
            .scoped_reject(user.scope(), &no, reason, &user.actor())
            .await
            .map_err(AppError::from)
            .map(|_| Flash::done("已驳回"))
    };
    after_action(&state, &user, &claim_href(&no), result)
}

/// `POST /claims/approve-clean`: every 待核准 claim in scope.
pub async fn approve_clean(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<crate::session::CsrfForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&form.csrf)?;
    user.require(Action::DecideClaims)?;
    let s = state
        .store
        .scoped_approve(user.scope(), None, Some("批量核准"), today(), &user.actor())
        .await?;
    list_page(&state, &user, "", Some(summary_text(&s))).await
}
