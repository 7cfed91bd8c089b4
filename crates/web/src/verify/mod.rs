//! The public verify page (证书核验, issue 15 item 4), no login:
//! - `GET /verify?cert=&name=` or `?cert=&code=` (the QR code's address):
//!   有效 / 已撤销 (date and the reason's category, never its text) /
//!   未找到, with the masked holder, occupation, level and issuing date.
//!   Like the public lookup, the number alone answers nothing: the holder's
//!   name or the certificate's verify code must come with it, and every
//!   query counts against the lookup's own rate limiter (per client
//!   address), so numbers cannot be walked.
//! - `POST /verify` (multipart: a pasted credential, or an uploaded file):
//!   checks a certificate's credential, or a worker's archive bundle
//!   credential by credential, against this platform's keys and status.

use crate::AppState;
use crate::auth::{User, client_ip};
use crate::error::AppError;
use crate::views::{Nav, page};
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::request::Parts;
use axum::response::Response;
use jineng_credentials::presentation::{Item, is_presentation};
use jineng_credentials::{Verdict, json};
use jineng_store::{VerifyHit, VerifyKey};
use serde::Deserialize;

/// The largest credential or bundle taken (a bundle of many certificates
/// stays far below).
const MAX_BYTES: usize = 1024 * 1024;

#[derive(Debug, Default, Deserialize)]
pub struct VerifyQuery {
    #[serde(default)]
    cert: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    code: String,
}

/// One credential's result as the page lists it.
struct Line {
    /// 有效 / 已撤销 / 无效
    state: &'static str,
    what: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    nav: Option<Nav>,
    cert: String,
    name: String,
    code: String,
    message: Option<String>,
    /// The number form was submitted.
    searched: bool,
    hit: Option<VerifyHit>,
    /// The credential form's results.
    lines: Vec<Line>,
    checked: bool,
}

async fn user_of(state: &AppState, mut parts: Parts) -> Option<User> {
    <User as axum::extract::FromRequestParts<AppState>>::from_request_parts(&mut parts, state)
        .await
        .ok()
}

fn blank(nav: Option<Nav>) -> VerifyPage {
    VerifyPage {
        nav,
        cert: String::new(),
        name: String::new(),
        code: String::new(),
        message: None,
        searched: false,
        hit: None,
        lines: vec![],
        checked: false,
    }
}

/// `GET /verify`
pub async fn show(
    State(state): State<AppState>,
    parts: Parts,
    Query(q): Query<VerifyQuery>,
) -> Result<Response, AppError> {
    let ip = client_ip(&parts);
    let store = crate::replica::reads(&state, &parts.headers).await;
    let mut p = blank(user_of(&state, parts).await.as_ref().map(Nav::of));
    let (cert, name, code) = (q.cert.trim(), q.name.trim(), q.code.trim());
    p.cert = cert.chars().take(64).collect();
    p.name = name.chars().take(32).collect();
    p.code = code.chars().take(32).collect();
    if cert.is_empty() && name.is_empty() && code.is_empty() {
        return page(&p);
    }
    state
        .lookup_limiter
        .check(&ip)
        .map_err(AppError::TooManyRequests)?;
    p.searched = true;
    if cert.is_empty() || (name.is_empty() && code.is_empty()) {
        p.message = Some("请填写证书编号，以及持证人姓名（或证书上的核验码）".into());
        return page(&p);
    }
    let key = if code.is_empty() {
        VerifyKey::Name(name.to_string())
    } else {
        VerifyKey::Code(code.to_string())
    };
    p.hit = store.verify_lookup(cert, &key).await?;
    page(&p)
}

fn verdict_line(what: &str, v: &Verdict) -> Line {
    let (state, checked) = match v {
        Verdict::Valid(c) => ("有效", c),
        Verdict::Revoked(c) => ("已撤销", c),
        Verdict::Invalid(f) => {
            return Line {
                state: "无效",
                what: what.to_string(),
                detail: f.to_string(),
            };
        }
    };
    let detail = match &checked.view {
        Some(c) => format!(
            "{} {}；持证人 {}（{}）；{} {} {}；{} 发证，{}",
            c.type_name,
            c.cert_no,
            jineng_store::mask_name(&c.holder_name),
            c.holder_id_masked,
            c.occupation_code,
            c.occupation_name,
            c.level_name,
            c.issuing_body,
            c.issue_date
        ),
        None => String::new(),
    };
    Line {
        state,
        what: what.to_string(),
        detail,
    }
}

/// Reads the pasted text or the uploaded file of the form.
async fn credential_text(mut form: Multipart) -> Result<String, AppError> {
    let mut pasted = String::new();
    let mut uploaded = Vec::new();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("表单无法读取".into()))?
    {
        let name = field.name().unwrap_or_default().to_string();
        let bytes = field
            .bytes()
            .await
            .map_err(|_| AppError::BadRequest("表单无法读取".into()))?;
        if bytes.len() > MAX_BYTES {
            return Err(AppError::BadRequest("文件过大（至多 1 MB）".into()));
        }
        match name.as_str() {
            "credential" => pasted = String::from_utf8_lossy(&bytes).into_owned(),
            "file" => uploaded = bytes.to_vec(),
            _ => {}
        }
    }
    if !uploaded.is_empty() {
        return String::from_utf8(uploaded)
            .map_err(|_| AppError::BadRequest("文件不是 UTF-8 编码的 JSON 文本".into()));
    }
    Ok(pasted)
}

/// `POST /verify` (multipart: `credential` pasted, or `file`).
pub async fn check(
    State(state): State<AppState>,
    parts: Parts,
    form: Multipart,
) -> Result<Response, AppError> {
    let ip = client_ip(&parts);
    let store = crate::replica::reads(&state, &parts.headers).await;
    let mut p = blank(user_of(&state, parts).await.as_ref().map(Nav::of));
    state
        .lookup_limiter
        .check(&ip)
        .map_err(AppError::TooManyRequests)?;
    let text = match credential_text(form).await {
        Ok(t) => t,
        Err(AppError::BadRequest(m)) => {
            p.message = Some(m);
            return page(&p);
        }
        Err(e) => return Err(e),
    };
    p.checked = true;
    if text.trim().is_empty() {
        p.message = Some("请粘贴或上传可验证证书（JSON）".into());
        return page(&p);
    }
    let now = chrono::Utc::now();
    let creds = &state.credentials;
    let bundle = json::parse(&text).is_ok_and(|v| is_presentation(&v));
    if bundle {
        match store.verify_bundle(creds, &text, None, None, now).await? {
            Err(f) => p.lines.push(Line {
                state: "无效",
                what: "档案凭证包".into(),
                detail: f.to_string(),
            }),
            Ok(items) => {
                for it in items {
                    p.lines.push(match it {
                        Item::Archive(Ok(doc)) => Line {
                            state: "有效",
                            what: "档案凭证".into(),
                            detail: format!(
                                "{}（{}），签发于 {}",
                                jineng_store::mask_name(
                                    doc["credentialSubject"]["name"].as_str().unwrap_or("")
                                ),
                                doc["credentialSubject"]["maskedNationalIdentityNumber"]
                                    .as_str()
                                    .unwrap_or(""),
                                doc["validFrom"].as_str().unwrap_or("")
                            ),
                        },
                        Item::Archive(Err(f)) => Line {
                            state: "无效",
                            what: "档案凭证".into(),
                            detail: f.to_string(),
                        },
                        Item::Certificate(v) => verdict_line("证书凭证", &v),
                    });
                }
            }
        }
    } else {
        let v = store
            .verify_credential(creds, &text, None, None, now)
            .await?;
        p.lines.push(verdict_line("证书凭证", &v));
    }
    page(&p)
}
