//! The public certificate lookup (证书查询): no login, rate-limited per
//! client address; by 姓名 + 证书编号 or 姓名 + 证件号码, the ID masked.
//! The page's form is a POST whose results are rendered directly, so an ID
//! number never enters a URL (browser history, proxy logs); a GET still
//! answers 姓名 + 证书编号 (links, bookmarks) but not an ID number.

use crate::AppState;
use crate::auth::{User, client_ip};
use crate::error::AppError;
use crate::views::{Nav, level, page};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::response::Response;
use jineng_domain::NationalId;
use jineng_store::{CertificateCheck, CertificateKey};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct LookupQuery {
    /// 姓名
    #[serde(default)]
    pub name: String,
    /// 证书编号
    #[serde(default)]
    pub cert_no: String,
    /// 证件号码（身份证号码）
    #[serde(default)]
    pub id_number: String,
}

/// Runs a lookup; `None` when the form is empty.
pub async fn run(
    state: &AppState,
    parts: &Parts,
    q: &LookupQuery,
) -> Result<Option<Vec<CertificateCheck>>, AppError> {
    let name = q.name.trim();
    let (cert_no, id) = (q.cert_no.trim(), q.id_number.trim());
    if name.is_empty() && cert_no.is_empty() && id.is_empty() {
        return Ok(None);
    }
    state
        .lookup_limiter
        .check(&client_ip(parts))
        .map_err(AppError::TooManyRequests)?;
    if name.is_empty() || (cert_no.is_empty() && id.is_empty()) {
        return Err(AppError::BadRequest(
            "请填写姓名，以及证书编号或证件号码".into(),
        ));
    }
    let key = if !cert_no.is_empty() {
        CertificateKey::CertNo(cert_no.to_string())
    } else {
        let today = chrono::Local::now().date_naive();
        CertificateKey::IdNumber(
            NationalId::parse(id, today, &|_| true)
                .map_err(|e| AppError::BadRequest(e.message().to_string()))?,
        )
    };
    // The replica, if any: the lookup is the public's heaviest read.
    let store = crate::replica::reads(state, &parts.headers).await;
    Ok(Some(store.check_certificate(name, &key).await?))
}

#[derive(Template)]
#[template(path = "lookup.html")]
struct LookupPage {
    nav: Option<Nav>,
    name: String,
    cert_no: String,
    id_number: String,
    searched: bool,
    message: Option<String>,
    rows: Vec<(CertificateCheck, String)>,
}

/// `GET /certificates/lookup?name=&cert_no=`: the form, or a lookup by
/// certificate number. An ID number in the address is not looked up.
pub async fn lookup(
    State(state): State<AppState>,
    parts: Parts,
    Query(mut q): Query<LookupQuery>,
) -> Result<Response, AppError> {
    if !q.id_number.trim().is_empty() {
        q = LookupQuery {
            name: q.name,
            cert_no: String::new(),
            id_number: String::new(),
        };
        let m = "按证件号码查询请使用本页表单提交（证件号码不应出现在网址中）";
        return render(&state, parts, &q, Err(AppError::BadRequest(m.into()))).await;
    }
    let result = run(&state, &parts, &q).await;
    render(&state, parts, &q, result).await
}

/// `POST /certificates/lookup` (form: name, cert_no | id_number): the
/// results rendered from the POST itself, no redirect.
pub async fn lookup_post(
    State(state): State<AppState>,
    parts: Parts,
    Form(q): Form<LookupQuery>,
) -> Result<Response, AppError> {
    let result = run(&state, &parts, &q).await;
    render(&state, parts, &q, result).await
}

async fn render(
    state: &AppState,
    mut parts: Parts,
    q: &LookupQuery,
    result: Result<Option<Vec<CertificateCheck>>, AppError>,
) -> Result<Response, AppError> {
    let user =
        <User as axum::extract::FromRequestParts<AppState>>::from_request_parts(&mut parts, state)
            .await
            .ok();
    let (searched, message, rows) = match result {
        Ok(None) => (false, None, vec![]),
        Ok(Some(rows)) => (true, None, rows),
        Err(AppError::BadRequest(m)) => (true, Some(m), vec![]),
        Err(e) => return Err(e),
    };
    page(&LookupPage {
        nav: user.as_ref().map(Nav::of),
        name: q.name.trim().to_string(),
        cert_no: q.cert_no.trim().to_string(),
        // The form never echoes a full ID number back.
        id_number: String::new(),
        searched,
        message,
        rows: rows
            .into_iter()
            .map(|c| {
                let l = level(c.skill_level);
                (c, l)
            })
            .collect(),
    })
}
