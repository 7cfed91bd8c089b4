//! 标准评估 (`/policy/standards?region=&year=&sort=&dir=`): the evaluation of
//! the standards in force that an officer reads before drafting a change —
//! per subsidy type × occupation × level × certificate type, the claims, the
//! money, the cost per certificate, the share of the fund, the reasons of
//! refusal, the standard in force and the published amount beside it — and
//! its download as xlsx (`/policy/standards.xlsx`). The region must lie
//! inside the account's scope (the store's scoped read refuses a parent or
//! a sibling); the page shows sums and counts only.

mod view;

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::list::{Sorter, direction, query_string, sort_code};
use crate::views::{Nav, page};
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Datelike;
use jineng_domain::access::{Action, Scope};
use jineng_domain::standards::{Evaluation, Published};
use serde::Deserialize;
pub use view::Sort;

/// The page's query: all optional (the account's region, the latest year
/// with claims, the report's own order).
#[derive(Debug, Default, Deserialize)]
pub struct StandardsQuery {
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub dir: String,
}

/// The evaluation `q` asks for, inside the account's scope, with the
/// years the deployment's claims fall in.
pub async fn load(
    state: &AppState,
    user: &User,
    region: &str,
    year: &str,
) -> Result<(Evaluation, Vec<i32>), AppError> {
    user.require(Action::ViewProgress)?;
    let region = match (region.trim(), user.scope()) {
        ("", Scope::Region(r)) => r.as_str().to_string(),
        ("", _) => return Err(AppError::forbidden()),
        (r, _) => r.to_string(),
    };
    let years = state.store.claim_years().await?;
    let year = match year.trim() {
        "" => years
            .first()
            .copied()
            .unwrap_or_else(|| chrono::Local::now().year()),
        y => y
            .parse::<i32>()
            .ok()
            .filter(|y| (1949..=2100).contains(y))
            .ok_or_else(|| AppError::BadRequest(format!("年度「{y}」无效，应为四位年份")))?,
    };
    let refdata = state.store.ref_data().await?;
    let published = Published::builtin(&refdata).map_err(|e| AppError::Internal(e.to_string()))?;
    let e = state
        .store
        .scoped_standards(user.scope(), &region, year, &published)
        .await?;
    Ok((e, years))
}

/// `GET /policy/standards?region=&year=&sort=&dir=`
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<StandardsQuery>,
) -> Result<Response, AppError> {
    let sort = sort_code(&q.sort, Sort::parse)?.unwrap_or(Sort::Type);
    let descending = direction(&q.dir)?.unwrap_or(false);
    let (e, years) = load(&state, &user, &q.region, &q.year).await?;
    let regions = match user.scope() {
        Scope::Region(own) => state.store.region_and_parts(own.as_str()).await?,
        _ => Vec::new(),
    };
    let filters = query_string(&[("region", &e.region), ("year", &e.year.to_string())]);
    let sorter = Sorter {
        path: "/policy/standards",
        filters: filters.clone(),
        sort: sort.code(),
        descending,
    };
    page(&view::StandardsPage::new(
        Nav::of(&user),
        &e,
        years,
        regions,
        sorter,
        sort,
        format!("/policy/standards.xlsx?{}", filters.trim_end_matches('&')),
    ))
}

/// `GET /policy/standards.xlsx?region=&year=`: the same evaluation as
/// `jineng report standards --format xlsx` writes it.
pub async fn xlsx(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<StandardsQuery>,
) -> Result<Response, AppError> {
    let (e, _) = load(&state, &user, &q.region, &q.year).await?;
    let bytes = jineng_report::xlsx::bytes(&jineng_report::standards_tables(&e))
        .map_err(|err| AppError::Internal(err.to_string()))?;
    let name = format!("{}补贴标准评估{}年.xlsx", e.name, e.year);
    let fallback = format!("standards-{}-{}.xlsx", e.region, e.year);
    Ok(crate::imports::download(bytes, "xlsx", &name, &fallback))
}
