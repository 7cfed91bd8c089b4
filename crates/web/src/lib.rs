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
mod archive;
mod audit;
mod auth;
mod certificates;
mod claims;
mod classes;
mod credentials;
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
mod list;
mod metrics;
mod persons;
pub mod printing;
mod public;
mod replica;
mod roster;
mod security;
mod session;
mod standards;
mod supervision;
mod tasks;
mod verify;
mod views;
mod vouchers;
mod whatif;

pub use accounts::{
    DemoAccount, IssuedToken, create_account, demo_accounts, issue_api_token, issue_api_token_for,
};
pub use api::ApiDoc;
pub use auth::limiter::Limits;
pub use error::AppError;
/// Percent-encoding of a query value (links, and clients of the pages).
pub use list::encode as percent_encode;

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
    /// Enterprise claim filings per account (an ID-and-name check).
    filing_limiter: Arc<Limiter>,
    /// Mark cookies `Secure` (behind HTTPS).
    secure_cookies: bool,
    /// How many days a new API token lasts.
    token_days: i64,
    /// The upload jobs this process runs (the jobs are in the database).
    imports: Arc<imports::jobs::Jobs>,
    /// The private directory the uploaded files wait in.
    uploads: Arc<imports::storage::Uploads>,
    /// What the last form POST did, for the page it redirected to.
    flashes: Arc<flash::Flashes>,
    /// The certificate issuer: public address, did:web, signing keys.
    credentials: Arc<jineng_store::Credentials>,
    /// Requests and latencies for `/metrics`.
    metrics: Arc<metrics::HttpMetrics>,
    /// The bearer token `/metrics` asks for, if any.
    metrics_token: Option<Arc<str>>,
    /// The what-if runs of the page, in memory.
    whatif_runs: Arc<whatif::runs::Runs>,
    /// The bureau's name, printed on certificates and archives.
    bureau: Arc<str>,
}

impl AppState {
    /// The state for `store`; uploads wait in `uploads/` beside a SQLite
    /// database file (emptied of leftovers now), otherwise in a private
    /// directory of their own (see [`AppState::with_uploads_dir`]).
    pub fn new(store: Store, limits: Limits, secure_cookies: bool) -> AppState {
        let uploads = imports::storage::Uploads::for_store(&store)
            .or_else(|e| {
                tracing::warn!(
                    "upload directory beside the database unusable ({e}); using a private temp dir"
                );
                imports::storage::Uploads::open(
                    &std::env::temp_dir().join(format!("jineng-uploads-{}", std::process::id())),
                )
            })
            .expect("a private directory for uploads");
        let credentials = jineng_store::Credentials::for_store(
            &store,
            jineng_credentials::DEFAULT_PUBLIC_URL,
            None,
        )
        .expect("the default public address is valid");
        AppState {
            credentials: Arc::new(credentials),
            bureau: Arc::from(printing::DEFAULT_BUREAU),
            uploads: Arc::new(uploads),
            store,
            login_limiter: Arc::new(Limiter::new(limits.login_per_minute)),
            lookup_limiter: Arc::new(Limiter::new(limits.lookup_per_minute)),
            filing_limiter: Arc::new(Limiter::new(FILINGS_PER_MINUTE)),
            secure_cookies,
            token_days: jineng_store::DEFAULT_TOKEN_DAYS,
            imports: Arc::new(imports::jobs::Jobs::default()),
            flashes: Arc::new(flash::Flashes::default()),
            metrics: Arc::new(metrics::HttpMetrics::new()),
            metrics_token: None,
            whatif_runs: Arc::new(whatif::runs::Runs::default()),
        }
    }

    /// `/metrics` answers only a scraper that sends `token` as a bearer
    /// token (an empty token leaves it open).
    pub fn with_metrics_token(mut self, token: Option<String>) -> AppState {
        self.metrics_token = token.filter(|t| !t.is_empty()).map(Arc::from);
        self
    }

    /// New API tokens last `days` days.
    pub fn with_token_days(mut self, days: i64) -> AppState {
        self.token_days = days.max(1);
        self
    }

    /// Issues and publishes certificates as `credentials` says (public
    /// address, key file).
    pub fn with_credentials(mut self, credentials: jineng_store::Credentials) -> AppState {
        self.credentials = Arc::new(credentials);
        self
    }

    /// Prints `name` as the bureau on certificates and archives.
    pub fn with_bureau(mut self, name: &str) -> AppState {
        self.bureau = Arc::from(name);
        self
    }

    /// At most `n` enterprise claim filings per account and minute.
    pub fn with_filings_per_minute(mut self, n: u32) -> AppState {
        self.filing_limiter = Arc::new(Limiter::new(n));
        self
    }
}

/// Enterprise claim filings allowed per account and minute by default.
pub const FILINGS_PER_MINUTE: u32 = 20;

impl AppState {
    /// Keeps uploads in `dir` instead (created 0700; the job directories
    /// a previous run left there are removed).
    pub fn with_uploads_dir(mut self, dir: &std::path::Path) -> std::io::Result<AppState> {
        self.uploads = Arc::new(imports::storage::Uploads::open(dir)?);
        Ok(self)
    }

    /// Uploads still importing (a stopping server waits for them).
    pub fn running_imports(&self) -> usize {
        self.imports.running()
    }

    /// Where uploads wait while their import runs.
    pub fn uploads_dir(&self) -> &std::path::Path {
        self.uploads.root()
    }
}

/// The whole application: pages, API, assets, security headers.
pub fn router(state: AppState) -> Router {
    let pages = site_routes()
        .merge(people_routes())
        .merge(claims_routes())
        .merge(classes_routes())
        .merge(imports_routes())
        .merge(money_routes())
        .merge(oversight_routes())
        .merge(accounts_routes());
    pages
        .merge(api::router())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            replica::remember_writes,
        ))
        .layer(axum::middleware::from_fn(security::csrf_field))
        .layer(axum::middleware::map_response(error::humane))
        .layer(axum::middleware::map_response(security::headers))
        .with_state(state)
}

/// The real-name registry, the worker's own pages and archives, and certificate verification.
fn people_routes() -> Router<AppState> {
    Router::new()
        .route("/persons", get(persons::search).post(persons::search_post))
        .route("/persons/{id}", get(persons::show))
        .route("/persons/{id}/reveal", post(persons::reveal))
        .route("/me", get(persons::me))
        .route("/me/archive.pdf", get(archive::me_pdf))
        .route("/me/archive.json", get(archive::me_json))
        .route("/persons/{id}/archive.pdf", get(archive::person_pdf))
        .route("/persons/{id}/archive.json", get(archive::person_json))
        .route("/certificates/{no}/pdf", get(archive::certificate))
        .route("/verify", get(verify::show).post(verify::check))
        .route(
            "/me/claims",
            get(filing::worker_list).post(filing::worker_file),
        )
        .route("/metrics", get(metrics::show))
}

/// The claims queue, one claim's decisions and payments, and filing.
fn claims_routes() -> Router<AppState> {
    Router::new()
        .route("/claims", get(claims::list))
        .route(
            "/claims/approve-clean",
            get(claims::batch::preview_approve).post(claims::batch::approve),
        )
        .route("/claims/validity", get(filing::validity))
        .route("/claims/{no}", get(claims::show))
        .route("/claims/{no}/approve", post(claims::approve))
        .route("/claims/{no}/reject", post(claims::reject))
        .route(
            "/enterprise/claims",
            get(filing::enterprise_list).post(filing::enterprise_file),
        )
        .route(
            "/claims/pay-approved",
            get(claims::batch::preview_pay).post(claims::batch::pay),
        )
        .route("/claims/{no}/pay", post(claims::pay::pay))
        .route("/claims/{no}/advance", post(claims::pay::advance))
        .route("/claims/{no}/settle", post(claims::pay::settle))
        .route("/claims/{no}/recover", post(claims::pay::recover))
}

/// Classes, their filing workflow, rosters and vouchers.
fn classes_routes() -> Router<AppState> {
    Router::new()
        .route("/classes", get(classes::list))
        .route("/classes/new", get(classes::new).post(classes::create))
        .route("/classes/{id}", get(classes::show))
        .route("/classes/{id}/approve", post(classes::approve))
        .route("/classes/{id}/return", post(classes::return_class))
        .route("/classes/{id}/close", post(classes::close))
        .route("/classes/{id}/request-close", post(classes::request_close))
        .route("/classes/{id}/roster", get(roster::show))
        .route("/classes/{id}/roster/enrol", post(roster::enrol))
        .route("/classes/{id}/roster/attendance", post(roster::attendance))
        .route("/classes/{id}/vouchers", post(vouchers::redeem))
        .route("/vouchers", get(vouchers::list))
        .route(
            "/classes/{id}/claims",
            get(filing::class_form).post(filing::class_file),
        )
}

/// Uploads and their blank templates.
fn imports_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/imports",
            get(imports::form)
                .post(imports::create)
                .layer(axum::extract::DefaultBodyLimit::max(
                    imports::MAX_UPLOAD_MB * 1024 * 1024,
                )),
        )
        .route("/imports/{id}", get(imports::show))
        .route("/imports/{id}/progress", get(imports::progress))
        .route("/imports/{id}/errors.xlsx", get(imports::errors_xlsx))
        .route("/imports/{id}/errors.csv", get(imports::errors_csv))
        .route("/templates/{file}", get(imports::blank_template))
}

/// Institutions and the catalogue, the dedicated account, funds and policy.
fn money_routes() -> Router<AppState> {
    Router::new()
        .route("/institutions", get(institutions::list))
        .route("/institutions/{id}", get(institutions::show))
        .route("/catalogue", get(institutions::catalogue))
        .route("/ledger", get(ledger::show))
        .route("/ledger/postings.csv", get(ledger::export))
        .route("/funds", get(funds::show))
        .route("/policy/standards", get(standards::show))
        .route("/policy/standards.xlsx", get(standards::xlsx))
        .route(
            "/policy/whatif",
            get(whatif::form)
                .post(whatif::create)
                .layer(axum::extract::DefaultBodyLimit::max(
                    whatif::MAX_DRAFT_KB * 1024 + 64 * 1024,
                )),
        )
        .route("/policy/whatif/{id}", get(whatif::show))
        .route("/policy/whatif/{id}/report.xlsx", get(whatif::xlsx))
}

/// Audit, planning, supervision and the public registers.
fn oversight_routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(audit::list))
        .route("/dashboard", get(dashboard::show))
        .route("/dashboard/chart.svg", get(dashboard::chart))
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
}

/// Signing in, one's own account, and account administration.
fn accounts_routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(session::new).post(session::create))
        .route("/logout", post(session::delete))
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
}

/// The home page, assets, health, metrics and the credentials' public documents.
fn site_routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route(
            "/certificates/lookup",
            get(certificates::lookup).post(certificates::lookup_post),
        )
        .route("/assets/{file}", get(views::asset))
        .route("/favicon.ico", get(views::favicon))
        .route("/healthz", get(health::show))
        .route("/.well-known/did.json", get(credentials::did_document))
        .route("/credentials/status/{list}", get(credentials::status_list))
}

/// Serves the application on `addr` until Ctrl-C.
pub async fn serve(addr: SocketAddr, state: AppState) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    serve_on(listener, state, shutdown_signal()).await
}

/// Ctrl-C, or SIGTERM (a service manager stopping the server): both shut
/// down gracefully, so that the uploads of finished jobs are removed. The
/// handlers are installed when this is called, not when it is first
/// awaited: a signal that arrives as the server starts is not lost.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        signal(SignalKind::terminate())
            .and_then(|t| Ok((t, signal(SignalKind::interrupt())?)))
            .ok()
    };
    async move {
        #[cfg(unix)]
        if let Some((mut term, mut int)) = signals {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
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
