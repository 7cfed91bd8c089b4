//! Payment (拨付) from the dedicated account: one approved claim, every
//! approved claim in scope, an advance (预拨) and its settlement (清算),
//! and recovery (追回) of a paid claim. The store picks the fund (R16: the
//! first the policy routes the type to that holds enough) and books the
//! posting and the claim's new status in one transaction; a claim no fund
//! can pay is refused with the reason and nothing is booked.

use super::claim_href;
use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::flash::{Flash, after_action};
use crate::session::CsrfForm;
use crate::views::yuan;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use jineng_domain::access::Action;
use jineng_store::{PaySummary, StoreError};
use serde::Deserialize;

/// What a payment did, in words.
pub fn pay_text(s: &PaySummary) -> String {
    let mut t = format!("已拨付 {} 件，合计 {}", s.paid, yuan(s.amount_fen));
    for (claim, why) in &s.refused {
        t.push_str(&format!("；{claim} 未拨付：{why}"));
    }
    t
}

/// A payment form's checks: its CSRF token and the right to pay.
fn check(user: &User, csrf: &str) -> Result<(), AppError> {
    user.check_csrf(csrf)?;
    user.require(Action::PayClaims)
}

/// Back to the claim, with what the store's `done` said.
fn back<T>(
    state: &AppState,
    user: &User,
    no: &str,
    done: Result<T, StoreError>,
    text: impl FnOnce(T) -> Flash,
) -> Result<Response, AppError> {
    after_action(
        state,
        user,
        &claim_href(no),
        done.map_err(AppError::from).map(text),
    )
}

/// `POST /claims/{no}/pay`
pub async fn pay(
    State(state): State<AppState>,
    user: User,
    Path(no): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    check(&user, &form.csrf)?;
    let done = state
        .store
        .pay(user.scope(), Some(std::slice::from_ref(&no)), &user.actor())
        .await;
    back(&state, &user, &no, done, |s| {
        if s.paid == 0 && !s.refused.is_empty() {
            Flash::refused(pay_text(&s))
        } else {
            Flash::done(pay_text(&s))
        }
    })
}

/// `POST /claims/{no}/advance`: the policy's advance share (R9, R11).
pub async fn advance(
    State(state): State<AppState>,
    user: User,
    Path(no): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    check(&user, &form.csrf)?;
    let done = state.store.advance(user.scope(), &no, &user.actor()).await;
    back(&state, &user, &no, done, |(fen, fund)| {
        Flash::done(format!("已从资金来源 {fund} 预拨 {}", yuan(fen)))
    })
}

/// `POST /claims/{no}/settle`: the rest of an advanced claim.
pub async fn settle(
    State(state): State<AppState>,
    user: User,
    Path(no): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    check(&user, &form.csrf)?;
    let done = state.store.settle(user.scope(), &no, &user.actor()).await;
    back(&state, &user, &no, done, |fen| {
        Flash::done(format!("已清算，拨付余款 {}", yuan(fen)))
    })
}

#[derive(Deserialize)]
pub struct RecoverForm {
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// `POST /claims/{no}/recover`: a paid or advanced claim found false.
pub async fn recover(
    State(state): State<AppState>,
    user: User,
    Path(no): Path<String>,
    Form(form): Form<RecoverForm>,
) -> Result<Response, AppError> {
    check(&user, &form.csrf)?;
    let reason = form.reason.trim();
    if reason.is_empty() {
        return Err(AppError::BadRequest("请填写追回理由".into()));
    }
    let done = state
        .store
        .recover(user.scope(), &no, reason, &user.actor())
        .await;
    back(&state, &user, &no, done, |fen| {
        Flash::done(format!("已追回 {}", yuan(fen)))
    })
}
