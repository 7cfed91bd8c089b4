//! The 监管 area for officers and auditors: the case queue (线索) with its
//! filters, search, sort and paging; a case with its evidence, clause and
//! the records it names (persons masked; an officer follows a person to
//! the e-archive, where revealing the ID is audited); closing a case with
//! a finding (`close`); the credit ratings (`credit`) and the 双随机 draws
//! (`draws`). Which cases an account sees is the store's rule
//! (`jineng_store::CaseQuery`, docs/web.md): a case reaches a scope when
//! one record it names is inside it.

mod close;
mod credit;
mod draws;

pub use close::close;
pub use credit::{Ratings, list as credit, ratings, year_filter};
pub use draws::{list as draws, record as record_result, show as draw};

/// Draws per page, here and on the public page.
pub fn draws_page_size() -> i64 {
    draws::PAGE
}

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::views::{Nav, page};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use jineng_domain::access::{Action, Scope};
use jineng_domain::supervision::case::CaseStatus;
use jineng_domain::supervision::{CheckId, Severity};
use jineng_store::{CaseDetail, CaseListRow, CaseQuery, CaseSort};
use serde::Deserialize;

/// Cases per page.
pub const PAGE: i64 = 50;

/// The case statuses, for filters.
pub const STATUSES: [CaseStatus; 3] = [
    CaseStatus::Open,
    CaseStatus::Closed(jineng_domain::supervision::case::Finding::True),
    CaseStatus::Closed(jineng_domain::supervision::case::Finding::NotTrue),
];

pub const SEVERITIES: [Severity; 3] = [Severity::High, Severity::Medium, Severity::Low];

/// The queue's query string.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct CasesForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub check: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub dir: String,
    #[serde(default)]
    pub page: Option<i64>,
}

impl CasesForm {
    /// The store's query, every value checked; a region outside the scope
    /// is 403 like any record outside it.
    pub fn query(&self, scope: &Scope) -> Result<CaseQuery, AppError> {
        let bad = |what: &str, v: &str| AppError::BadRequest(format!("未知的{what}「{v}」"));
        let status = opt(&self.status)
            .map(|s| CaseStatus::from_code(s).ok_or_else(|| bad("线索状态", s)))
            .transpose()?;
        let check = opt(&self.check)
            .map(|s| CheckId::parse(s).ok_or_else(|| bad("核查项", s)))
            .transpose()?;
        let severity = opt(&self.severity)
            .map(|s| Severity::parse(s).ok_or_else(|| bad("风险等级", s)))
            .transpose()?;
        let region = crate::list::region_filter(&self.region, scope)?;
        let sort = match opt(&self.sort) {
            None => CaseSort::Opened,
            Some(s) => CaseSort::from_code(s).ok_or_else(|| bad("排序方式", s))?,
        };
        let descending = match opt(&self.dir) {
            // Newest first unless asked otherwise.
            None => sort == CaseSort::Opened,
            Some("desc") => true,
            Some("asc") => false,
            Some(d) => return Err(bad("排序方向", d)),
        };
        Ok(CaseQuery {
            status,
            check,
            severity,
            region,
            case_no: self.q.trim().to_string(),
            sort,
            descending,
        })
    }

    /// The filters as a query string (no page), for the pager's links.
    fn query_string(&self) -> String {
        crate::list::query_string(&[
            ("status", &self.status),
            ("check", &self.check),
            ("severity", &self.severity),
            ("region", &self.region),
            ("q", &self.q),
            ("sort", &self.sort),
            ("dir", &self.dir),
        ])
    }
}

use crate::list::opt;
pub use crate::list::{encode, paging};

/// `1234567` fen → `12,345.67 元`.
pub fn yuan(fen: i64) -> String {
    crate::views::yuan(fen)
}

#[derive(Template)]
#[template(path = "supervision_cases.html")]
struct ListPage {
    nav: Option<Nav>,
    f: CasesForm,
    /// (code, label)
    statuses: Vec<(&'static str, &'static str)>,
    checks: Vec<(&'static str, &'static str)>,
    severities: Vec<&'static str>,
    regions: Vec<(String, String)>,
    sorts: Vec<(&'static str, &'static str)>,
    rows: Vec<(CaseListRow, String)>,
    total: i64,
    page: i64,
    pages: i64,
    query: String,
}

/// `GET /supervision/cases?status=&check=&severity=&region=&q=&sort=&dir=&page=`
pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(f): Query<CasesForm>,
) -> Result<Response, AppError> {
    user.require(Action::ViewSupervision)?;
    let q = f.query(user.scope())?;
    let store = &state.store;
    let total = store.scoped_case_count(user.scope(), &q).await?;
    let (page_no, pages, offset) = paging(total, f.page, PAGE);
    let rows = store
        .scoped_cases(user.scope(), &q, offset, PAGE)
        .await?
        .into_iter()
        .map(|r| {
            let opened = r.opened_at.day().to_string();
            (r, opened)
        })
        .collect();
    let regions = match user.scope() {
        Scope::Region(r) => store
            .sub_regions(r.as_str())
            .await?
            .into_iter()
            .map(|a| (a.code, a.name))
            .collect(),
        _ => Vec::new(),
    };
    page(&ListPage {
        nav: Some(Nav::of(&user)),
        statuses: STATUSES.iter().map(|s| (s.code(), s.as_zh())).collect(),
        checks: CheckId::ALL
            .iter()
            .map(|c| (c.as_str(), c.title_zh()))
            .collect(),
        severities: SEVERITIES.iter().map(|s| s.as_zh()).collect(),
        regions,
        sorts: CaseSort::ALL
            .iter()
            .map(|s| (s.code(), s.as_zh()))
            .collect(),
        rows,
        total,
        page: page_no,
        pages,
        query: f.query_string(),
        f,
    })
}

/// The close form as typed, kept when it is refused.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct CloseInput {
    #[serde(default)]
    pub finding: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub revoke_certs: bool,
}

#[derive(Template)]
#[template(path = "supervision_case.html")]
struct ShowPage {
    nav: Option<Nav>,
    csrf: String,
    d: CaseDetail,
    title: &'static str,
    opened: String,
    /// (claim, status in Chinese, amount as `1,234.56 元`)
    claims: Vec<(jineng_store::CaseClaim, &'static str, String)>,
    can_close: bool,
    may_view_persons: bool,
    message: Option<String>,
    errors: Vec<String>,
    input: CloseInput,
}

/// Renders a case; `errors` and `input` come back from a refused close.
pub(crate) async fn case_page(
    state: &AppState,
    user: &User,
    case_no: &str,
    message: Option<String>,
    errors: Vec<String>,
    input: CloseInput,
) -> Result<Response, AppError> {
    user.require(Action::ViewSupervision)?;
    let d = state.store.scoped_case(user.scope(), case_no).await?;
    let claims = d
        .claims
        .iter()
        .map(|c| {
            (
                c.clone(),
                c.status.map(|s| s.as_zh()).unwrap_or("—"),
                c.amount_fen.map(yuan).unwrap_or_else(|| "—".into()),
            )
        })
        .collect();
    page(&ShowPage {
        nav: Some(Nav::of(user)),
        csrf: user.csrf.clone(),
        title: d.check.title_zh(),
        opened: d.opened_at.day().to_string(),
        claims,
        can_close: user.role().may(Action::CloseCases)
            && d.status == CaseStatus::Open
            && d.within_scope,
        may_view_persons: user.role().may(Action::ViewPersons),
        message,
        input,
        d,
        errors,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    closed: Option<String>,
}

/// `GET /supervision/cases/{case_no}`
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(case_no): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let message = q
        .closed
        .map(|_| "线索已结案，结论与核查说明已记入审计日志".to_string());
    case_page(
        &state,
        &user,
        &case_no,
        message,
        Vec::new(),
        CloseInput::default(),
    )
    .await
}
