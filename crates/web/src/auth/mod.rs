//! Who is asking: the session cookie of a browser (with its CSRF token),
//! the bearer token of a machine client, and what their role allows.

pub mod limiter;
pub mod password;
pub mod secret;

use crate::AppState;
use crate::error::AppError;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use jineng_domain::access::{Action, Role, Scope};
use jineng_store::{Actor, UserAccount};
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "jineng_session";
/// The login form's double-submit CSRF cookie (no session exists yet).
pub const LOGIN_CSRF_COOKIE: &str = "jineng_login_csrf";

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    cookies(&parts.headers, name).next().map(str::to_string)
}

/// Every value the request's cookies give `name`, in order.
pub fn cookies<'h>(
    headers: &'h axum::http::HeaderMap,
    name: &'h str,
) -> impl Iterator<Item = &'h str> + 'h {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .filter(move |(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The client's address, for rate limits ("local" when unknown).
pub fn client_ip(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "local".into())
}

/// A signed-in account, from a browser session or an API token.
#[derive(Debug, Clone)]
pub struct User {
    pub account: UserAccount,
    /// The session's CSRF token (empty for API tokens, which need none).
    pub csrf: String,
    /// The session token's hash (for logout).
    pub session_hash: Option<String>,
    /// What the session's last form POST did, taken by this full-page GET.
    pub flash: Option<crate::flash::Flash>,
}

impl User {
    pub fn role(&self) -> Role {
        self.account.role
    }

    pub fn scope(&self) -> &Scope {
        &self.account.scope
    }

    /// The audit trail's name for this account.
    pub fn actor(&self) -> Actor {
        Actor(format!("web:{}", self.account.login))
    }

    /// 403 unless the role may do `action`.
    pub fn require(&self, action: Action) -> Result<(), AppError> {
        if self.role().may(action) {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }

    /// 403 unless the form carries this session's CSRF token.
    pub fn check_csrf(&self, token: &str) -> Result<(), AppError> {
        if !self.csrf.is_empty() && secret::same(token, &self.csrf) {
            Ok(())
        } else {
            Err(AppError::Csrf)
        }
    }
}

impl FromRequestParts<AppState> for User {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<User, AppError> {
        let token = cookie(parts, SESSION_COOKIE).ok_or(AppError::LoginRequired)?;
        let hash = secret::hash(&token);
        let (account, csrf) = state
            .store
            .session(&hash, &jineng_now())
            .await?
            .ok_or(AppError::LoginRequired)?;
        // A full-page GET takes the flash; an htmx fragment (a poll) only
        // the one an htmx form's redirect is for (the ID reveal).
        let flash = if parts.method != axum::http::Method::GET {
            None
        } else if parts.headers.contains_key("hx-request") {
            state.flashes.take_if(&hash, |f| f.reveal.is_some())
        } else {
            state.flashes.take(&hash)
        };
        Ok(User {
            account,
            csrf,
            session_hash: Some(hash),
            flash,
        })
    }
}

/// A machine client authenticated by `Authorization: Bearer <token>`.
#[derive(Debug, Clone)]
pub struct ApiUser(pub User);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = crate::api::ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<ApiUser, crate::api::ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(AppError::Unauthorized)?;
        let account = state
            .store
            .account_by_token(&secret::hash(token.trim()))
            .await
            .map_err(AppError::from)?
            .ok_or(AppError::Unauthorized)?;
        Ok(ApiUser(User {
            account,
            csrf: String::new(),
            session_hash: None,
            flash: None,
        }))
    }
}

/// Now as the store's ISO text (sessions' expiry compares as text).
pub fn jineng_now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
