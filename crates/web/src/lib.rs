//! The web platform: an axum server with a server-rendered Chinese UI
//! (askama templates, htmx served from `assets/`, no inline script) and a
//! JSON API under `/api/v1` described at `/api/openapi.json`.
//!
//! This crate owns HTTP: routes, sessions and CSRF, API tokens, rate
//! limits, security headers and the rendering of pages. Who may do what is
//! decided by `jineng_domain::access`; what an account reaches is enforced
//! by the store's scoped queries. Handlers stay thin: check the role, call
//! the store with the account's scope, render.
//!
//! Resources live in folders with verb-named handlers (`claims::list`,
//! `claims::approve`, …).

pub mod accounts;
mod api;
mod auth;
mod certificates;
mod claims;
mod classes;
mod error;
mod health;
mod home;
mod ledger;
mod persons;
mod security;
mod session;
mod views;

pub use accounts::{DemoAccount, demo_accounts, issue_api_token};
pub use api::ApiDoc;
pub use auth::limiter::Limits;
pub use error::AppError;

use auth::limiter::Limiter;
use axum::Router;
use axum::routing::{get, post};
use jineng_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    login_limiter: Arc<Limiter>,
    lookup_limiter: Arc<Limiter>,
    /// Mark cookies `Secure` (behind HTTPS).
    secure_cookies: bool,
}

impl AppState {
    pub fn new(store: Store, limits: Limits, secure_cookies: bool) -> AppState {
        AppState {
            store,
            login_limiter: Arc::new(Limiter::new(limits.login_per_minute)),
            lookup_limiter: Arc::new(Limiter::new(limits.lookup_per_minute)),
            secure_cookies,
        }
    }
}

/// The whole application: pages, API, assets, security headers.
pub fn router(state: AppState) -> Router {
    let pages = Router::new()
        .route("/", get(home::show))
        .route("/login", get(session::new).post(session::create))
        .route("/logout", post(session::delete))
        .route("/persons", get(persons::search))
        .route("/persons/{id}", get(persons::show))
        .route("/persons/{id}/reveal", post(persons::reveal))
        .route("/me", get(persons::me))
        .route("/claims", get(claims::list))
        .route("/claims/approve-clean", post(claims::approve_clean))
        .route("/claims/{no}", get(claims::show))
        .route("/claims/{no}/approve", post(claims::approve))
        .route("/claims/{no}/reject", post(claims::reject))
        .route("/classes", get(classes::list))
        .route("/ledger", get(ledger::show))
        .route("/certificates/lookup", get(certificates::lookup))
        .route("/assets/{file}", get(views::asset))
        .route("/healthz", get(health::show));
    pages
        .merge(api::router())
        .fallback(error::not_found)
        .layer(axum::middleware::map_response(security::headers))
        .with_state(state)
}

/// Serves the application on `addr` until Ctrl-C.
pub async fn serve(addr: SocketAddr, state: AppState) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    serve_on(listener, state, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}

/// Serves the application on a bound listener until `shutdown` completes
/// (`jineng bench lookup` binds 127.0.0.1:0).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    Ok(())
}
