//! The claims queue: claims in scope with their status and flagged rules,
//! a claim's clause-by-clause decision, batch approval of the clean
//! (待核准) claims in scope, approval or rejection of one claim.

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::flash::{Flash, after_action};
use crate::list::{Pager, Sorter};
use crate::views::{Nav, page, yuan};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use jineng_domain::access::{Action, Role};
use jineng_domain::{ClaimStatus, ClaimStep};
use jineng_report::{RenderedClaim, render_claim};
use jineng_store::{ClaimDetail, ClaimRow, DecideSummary};
use serde::Deserialize;

pub mod batch;
pub mod pay;
mod queue;
mod refusal;

pub use queue::{Choices, ClaimsForm};

/// Claims per queue page.
const PER: i64 = crate::list::PER_PAGE;

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
    f: ClaimsForm,
    /// (code, label)
    statuses: Vec<(&'static str, &'static str)>,
    c: Choices,
    can_decide: bool,
    can_pay: bool,
    message: Option<String>,
    rows: Vec<(ClaimRow, String)>,
    pager: Pager,
    sorter: Sorter,
    /// The batch forms' hidden fields: the filters but the status.
    narrowing: Vec<(&'static str, String)>,
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

/// `GET /claims?status=&region=&type=&institution=&fund=&q=&sort=&dir=&page=`;
/// after a batch, its result (`batch::Done`) as the notice.
pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(f): Query<ClaimsForm>,
    Query(done): Query<batch::Done>,
) -> Result<Response, AppError> {
    user.require(Action::ViewClaims)?;
    let c = Choices::of(&state, &user).await?;
    let q = f.query(user.scope(), &c)?;
    let store = &state.store;
    let total = store.claim_count(user.scope(), &q).await?;
    let sorter = Sorter {
        path: "/claims",
        filters: f.filters(),
        sort: q.sort.code(),
        descending: q.descending,
    };
    let pager = Pager::new("/claims", sorter.query(), total, f.page, PER);
    let rows = store
        .claim_page(user.scope(), &q, pager.offset, PER)
        .await?
        .into_iter()
        .map(|c| {
            let amount = c.amount_fen.map(batch::money).unwrap_or_else(|| "—".into());
            (c, amount)
        })
        .collect();
    page(&ListPage {
        nav: Some(Nav::of(&user)),
        statuses: STATUSES.iter().map(|s| (s.code(), s.as_zh())).collect(),
        can_decide: user.role().may(Action::DecideClaims),
        can_pay: user.role().may(Action::PayClaims),
        message: done.text(),
        rows,
        pager,
        sorter,
        narrowing: batch::hidden(&f),
        c,
        f,
    })
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
    /// The queue to go back to, with its filters.
    back: String,
    /// Whether the records it names may be opened (officers, auditors).
    can_follow: bool,
    /// A worker's own refused claim: why, in plain words.
    reasons: Vec<refusal::Reason>,
    /// The claim's amount, as money is shown.
    amount: String,
}

/// The queue a claim page goes back to: `back` (the queue's query string)
/// when passed, else the referring queue page, else the whole queue.
fn back_link(back: Option<&str>, referer: Option<&str>) -> String {
    let safe = |q: &str| {
        q.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"=&%-_.+".contains(&b))
    };
    if let Some(q) = back.filter(|q| safe(q)) {
        return format!("/claims?{q}");
    }
    let from_queue = referer
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest).or(Some(r)))
        .and_then(|r| r.find('/').map(|i| &r[i..]))
        .and_then(|path| path.strip_prefix("/claims"))
        .and_then(|rest| match rest {
            "" => Some(String::new()),
            q if q.starts_with('?') && safe(&q[1..]) => Some(q.to_string()),
            _ => None,
        });
    format!("/claims{}", from_queue.unwrap_or_default())
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    back: Option<String>,
}

async fn show_with_back(
    state: &AppState,
    user: &User,
    no: &str,
    message: Option<String>,
    back: String,
) -> Result<Response, AppError> {
    // A worker opens their own claims' decisions (part of their archive);
    // the scope keeps them to their own.
    if !user.role().may(Action::ViewOwnArchive) {
        user.require(Action::ViewClaims)?;
    }
    let d = state.store.scoped_claim(user.scope(), no).await?;
    let r = render_claim(&d, &state.store.policy_set().await?);
    let held_by = state.store.claim_held_by(no).await?;
    let worker = user.role() == Role::Worker;
    let reasons = if worker && d.status == ClaimStatus::Rejected {
        refusal::reasons(&d.trace, &r.rows)
    } else {
        Vec::new()
    };
    page(&ShowPage {
        back,
        can_follow: user.role().may(Action::ViewPersons),
        reasons,
        amount: d
            .amount_fen
            .filter(|a| *a > 0 || d.status != ClaimStatus::Rejected)
            .map(yuan)
            .unwrap_or_else(|| "—".into()),
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

/// `GET /claims/{no}?back=`: `back` is the queue's query string.
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(no): Path<String>,
    Query(q): Query<ShowQuery>,
    headers: axum::http::HeaderMap,
) -> Result<Response, AppError> {
    let referer = headers
        .get(axum::http::header::REFERER)
        .and_then(|v| v.to_str().ok());
    let back = back_link(q.back.as_deref(), referer);
    show_with_back(&state, &user, &no, None, back).await
}

pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// What an approval did, in words.
pub fn summary_text(s: &DecideSummary) -> String {
    let mut t = format!("核准 {} 件，合计 {}", s.approved, yuan(s.amount_fen));
    for (claim, why) in &s.refused {
        t.push_str(&format!("；{claim}：{why}"));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::back_link;

    #[test]
    fn the_way_back_keeps_the_queue_filters_and_nothing_else() {
        assert_eq!(
            back_link(Some("status=review&page=2"), None),
            "/claims?status=review&page=2"
        );
        assert_eq!(back_link(Some("x\"><script>"), None), "/claims");
        assert_eq!(
            back_link(None, Some("http://h:1/claims?status=paid")),
            "/claims?status=paid"
        );
        assert_eq!(back_link(None, Some("http://h:1/persons/3")), "/claims");
        assert_eq!(back_link(None, None), "/claims");
    }
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
        .approve(
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
            .reject(user.scope(), &no, reason, &user.actor())
            .await
            .map_err(AppError::from)
            .map(|_| Flash::done("已驳回"))
    };
    after_action(&state, &user, &claim_href(&no), result)
}
