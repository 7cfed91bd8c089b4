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

mod account;
pub mod accounts;
mod accounts_admin;
mod api;
mod audit;
mod auth;
mod certificates;
mod claims;
mod classes;
mod dashboard;
mod error;
mod filing;
mod flash;
mod funds;
mod health;
mod home;
mod imports;
mod institutions;
mod ledger;
mod persons;
mod public;
mod roster;
mod security;
mod session;
mod supervision;
mod tasks;
mod views;

pub use accounts::{DemoAccount, create_account, demo_accounts, issue_api_token};
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
    /// Upload jobs and their error reports, in memory.
    imports: Arc<imports::jobs::Jobs>,
    /// What the last form POST did, for the page it redirected to.
    flashes: Arc<flash::Flashes>,
}

impl AppState {
    pub fn new(store: Store, limits: Limits, secure_cookies: bool) -> AppState {
        AppState {
            store,
            login_limiter: Arc::new(Limiter::new(limits.login_per_minute)),
            lookup_limiter: Arc::new(Limiter::new(limits.lookup_per_minute)),
            secure_cookies,
            imports: Arc::new(imports::jobs::Jobs::default()),
            flashes: Arc::new(flash::Flashes::default()),
        }
    }
}

/// The whole application: pages, API, assets, security headers.
pub fn router(state: AppState) -> Router {
    let pages =
        Router::new()
            .route("/", get(home::show))
            .route("/login", get(session::new).post(session::create))
            .route("/logout", post(session::delete))
            .route("/persons", get(persons::search))
            .route("/persons/{id}", get(persons::show))
            .route("/persons/{id}/reveal", post(persons::reveal))
            .route("/me", get(persons::me))
            .route("/claims", get(claims::list))
            .route("/claims/approve-clean", post(claims::approve_clean))
            .route("/claims/validity", get(filing::validity))
            .route("/claims/{no}", get(claims::show))
            .route("/claims/{no}/approve", post(claims::approve))
            .route("/claims/{no}/reject", post(claims::reject))
            .route("/classes", get(classes::list))
            .route("/classes/new", get(classes::new).post(classes::create))
            .route("/classes/{id}", get(classes::show))
            .route("/classes/{id}/approve", post(classes::approve))
            .route("/classes/{id}/return", post(classes::return_class))
            .route("/classes/{id}/close", post(classes::close))
            .route("/classes/{id}/request-close", post(classes::request_close))
            .route(
                "/imports",
                get(imports::form).post(imports::create).layer(
                    axum::extract::DefaultBodyLimit::max(imports::MAX_UPLOAD_MB * 1024 * 1024),
                ),
            )
            .route("/imports/{id}", get(imports::show))
            .route("/imports/{id}/progress", get(imports::progress))
            .route("/imports/{id}/errors.xlsx", get(imports::errors_xlsx))
            .route("/imports/{id}/errors.csv", get(imports::errors_csv))
            .route("/templates/{file}", get(imports::blank_template))
            .route("/institutions", get(institutions::list))
            .route("/institutions/{id}", get(institutions::show))
            .route("/catalogue", get(institutions::catalogue))
            .route("/classes/{id}/roster", get(roster::show))
            .route("/classes/{id}/roster/enrol", post(roster::enrol))
            .route("/classes/{id}/roster/attendance", post(roster::attendance))
            .route(
                "/classes/{id}/claims",
                get(filing::class_form).post(filing::class_file),
            )
            .route(
                "/enterprise/claims",
                get(filing::enterprise_list).post(filing::enterprise_file),
            )
            .route(
                "/me/claims",
                get(filing::worker_list).post(filing::worker_file),
            )
            .route("/ledger", get(ledger::show))
            .route("/ledger/postings.csv", get(ledger::export))
            .route("/claims/pay-approved", post(claims::pay::pay_approved))
            .route("/claims/{no}/pay", post(claims::pay::pay))
            .route("/claims/{no}/advance", post(claims::pay::advance))
            .route("/claims/{no}/settle", post(claims::pay::settle))
            .route("/claims/{no}/recover", post(claims::pay::recover))
            .route("/audit", get(audit::list))
            .route("/account", get(account::show))
            .route("/account/password", post(account::password))
            .route("/account/tokens", post(account::create_token))
            .route("/account/tokens/revoke", post(account::revoke_token))
            .route(
                "/accounts",
                get(accounts_admin::list).post(accounts_admin::create),
            )
            .route("/accounts/{id}/reset", post(accounts_admin::reset))
            .route("/accounts/{id}/disable", post(accounts_admin::disable))
            .route("/accounts/{id}/enable", post(accounts_admin::enable))
            .route("/certificates/lookup", get(certificates::lookup))
            .route("/dashboard", get(dashboard::show))
            .route("/dashboard/chart.svg", get(dashboard::chart))
            .route("/funds", get(funds::show))
            .route("/tasks", get(tasks::list))
            .route("/tasks/report", post(tasks::report))
            .route("/supervision/cases", get(supervision::list))
            .route("/supervision/cases/{case_no}", get(supervision::show))
            .route(
                "/supervision/cases/{case_no}/close",
                post(supervision::close),
            )
            .route("/supervision/credit", get(supervision::credit))
            .route("/supervision/draws", get(supervision::draws))
            .route("/supervision/draws/{draw_no}", get(supervision::draw))
            .route(
                "/supervision/draws/{draw_no}/results",
                post(supervision::record_result),
            )
            .route("/public/credit", get(public::credit))
            .route("/public/draws", get(public::draws))
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
