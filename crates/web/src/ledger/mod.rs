//! The dedicated account (专账) by fund source, over the claims in scope.

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::views::{Nav, page, yuan};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use jineng_domain::access::Action;
use jineng_store::FundLine;

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPage {
    nav: Option<Nav>,
    scope: String,
    /// (line, paid in yuan, advanced in yuan)
    lines: Vec<(FundLine, String, String)>,
    total_paid_claims: i64,
    total_paid: String,
}

/// `GET /ledger`
pub async fn show(State(state): State<AppState>, user: User) -> Result<Response, AppError> {
    user.require(Action::ViewLedger)?;
    let lines = state.store.scoped_ledger(user.scope()).await?;
    let total: i64 = lines.iter().map(|l| l.paid_fen).sum();
    let total_paid_claims = lines.iter().map(|l| l.claims_paid).sum();
    page(&LedgerPage {
        nav: Some(Nav::of(&user)),
        scope: crate::home::scope_name(&state, &user).await?,
        lines: lines
            .into_iter()
            .map(|l| {
                let (p, a) = (yuan(l.paid_fen), yuan(l.advanced_fen));
                (l, p, a)
            })
            .collect(),
        total_paid_claims,
        total_paid: yuan(total),
    })
}
