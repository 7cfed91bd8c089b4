//! Signing in and out. The login form is protected by a double-submit
//! CSRF cookie and rate-limited per client address and login name; a
//! session is a random token in an HttpOnly, SameSite=Strict cookie whose
//! SHA-256 the store keeps with the session's CSRF token and expiry.

use crate::AppState;
use crate::auth::{LOGIN_CSRF_COOKIE, SESSION_COOKIE, User, client_ip, cookie, secret};
use crate::error::AppError;
use crate::views::{Nav, page};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use jineng_store::Actor;
use serde::Deserialize;

/// How long a session lasts.
const SESSION_HOURS: i64 = 8;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Option<Nav>,
    csrf: String,
    message: Option<String>,
}

fn cookie_header(state: &AppState, name: &str, value: &str, max_age: i64) -> String {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

fn login_page(state: &AppState, message: Option<String>) -> Result<Response, AppError> {
    let csrf = secret::token();
    let mut res = page(&LoginPage {
        nav: None,
        csrf: csrf.clone(),
        message,
    })?;
    let c = cookie_header(state, LOGIN_CSRF_COOKIE, &csrf, 3600);
    res.headers_mut().append(
        SET_COOKIE,
        c.parse().map_err(|_| AppError::Internal("cookie".into()))?,
    );
    Ok(res)
}

/// `GET /login`
pub async fn new(State(state): State<AppState>) -> Result<Response, AppError> {
    login_page(&state, None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    csrf: String,
    login: String,
    password: String,
}

/// `POST /login`
pub async fn create(
    State(state): State<AppState>,
    parts: Parts,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let expected = cookie(&parts, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !secret::same(&form.csrf, &expected) {
        return Err(AppError::Csrf);
    }
    let login = form.login.trim();
    state
        .login_limiter
        .check(&format!("{}|{login}", client_ip(&parts)))
        .map_err(AppError::TooManyRequests)?;
    let account = state.store.account_by_login(login).await?;
    // Hash even for an unknown login, so timing does not tell them apart.
    let ok = match &account {
        Some(a) if a.active => secret::verify_password(&form.password, &a.password_hash),
        _ => {
            secret::verify_password(&form.password, UNKNOWN_HASH);
            false
        }
    };
    let Some(account) = account.filter(|_| ok) else {
        return login_page(&state, Some("账号或密码错误".into()));
    };
    let token = secret::token();
    let expires = (chrono::Utc::now() + chrono::Duration::hours(SESSION_HOURS))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    state
        .store
        .create_session(
            &secret::hash(&token),
            account.account_id,
            &secret::token(),
            &expires,
            &Actor(format!("web:{}", account.login)),
        )
        .await?;
    let mut res = Redirect::to("/").into_response();
    let h = res.headers_mut();
    for c in [
        cookie_header(&state, SESSION_COOKIE, &token, SESSION_HOURS * 3600),
        cookie_header(&state, LOGIN_CSRF_COOKIE, "", 0),
    ] {
        h.append(
            SET_COOKIE,
            c.parse().map_err(|_| AppError::Internal("cookie".into()))?,
        );
    }
    Ok(res)
}

/// A valid argon2 hash of a random string, verified against for unknown
/// logins.
const UNKNOWN_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2gJxUzGsY1Xl8YFZbbyhpn8I8i+Y0SzhXzW6pxX4JgU";

#[derive(Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}

/// `POST /logout`
pub async fn delete(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&form.csrf)?;
    if let Some(h) = &user.session_hash {
        state
            .store
            .end_session(h, &crate::auth::jineng_now())
            .await?;
    }
    let mut res = Redirect::to("/login").into_response();
    let c = cookie_header(&state, SESSION_COOKIE, "", 0);
    res.headers_mut().append(
        SET_COOKIE,
        c.parse().map_err(|_| AppError::Internal("cookie".into()))?,
    );
    Ok(res)
}
