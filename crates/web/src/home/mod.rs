//! The home page: the figures of the account's scope.

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::views::{Nav, page, yuan};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jineng_domain::access::{Action, Role, Scope};
use jineng_store::Figures;

/// The public home page: what anyone may look up, and the way in.
#[derive(Template)]
#[template(path = "home_public.html")]
struct PublicHome {
    nav: Option<Nav>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    nav: Option<Nav>,
    scope: String,
    f: Figures,
    paid: String,
    /// An enterprise sees its own filing: the employees it claimed for and
    /// its claims — not institutions and classes, which it does not run.
    enterprise: bool,
}

/// The scope in words, for headings.
pub async fn scope_name(state: &AppState, user: &User) -> Result<String, AppError> {
    Ok(match user.scope() {
        Scope::Region(r) => state
            .store
            .region_name(r.as_str())
            .await?
            .unwrap_or_else(|| r.as_str().to_string()),
        Scope::Institution(_) | Scope::Enterprise(_) => "本单位".into(),
        Scope::Person(_) => "本人".into(),
        Scope::Jurisdiction => "全辖区".into(),
    })
}

/// `GET /`: the public home page without a session, else the account's.
pub async fn show(
    State(state): State<AppState>,
    user: Result<User, AppError>,
) -> Result<Response, AppError> {
    let user = match user {
        Ok(u) => u,
        Err(AppError::LoginRequired) => return page(&PublicHome { nav: None }),
        Err(e) => return Err(e),
    };
    if user.role() == Role::Worker {
        return Ok(Redirect::to("/me").into_response());
    }
    // A learning platform only reports through the API: its page is the
    // account's, where it makes its tokens.
    if user.role() == Role::Platform {
        return Ok(Redirect::to("/account").into_response());
    }
    user.require(Action::ViewFigures)?;
    let f = state.store.figures(user.scope()).await?;
    page(&HomePage {
        nav: Some(Nav::of(&user)),
        scope: scope_name(&state, &user).await?,
        paid: yuan(f.paid_fen),
        enterprise: matches!(user.scope(), Scope::Enterprise(_)),
        f,
    })
}
