//! Security headers on every response: a CSP without inline script,
//! no framing, no sniffing, no referrer, no caching of pages.

use axum::http::{HeaderValue, header};
use axum::response::Response;

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Adds the headers a response does not set itself.
pub async fn headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    }
    res
}

/// Public searches posted without a session (no state changes, nothing to
/// forge): the certificate lookup posts so that an ID number stays out of
/// the address; the public verify page takes a credential to check.
const PUBLIC_SEARCHES: [&str; 2] = ["/certificates/lookup", "/verify"];

/// The documents a certificate verifier fetches (`crate::credentials`):
/// they take no POST, and a POST there is answered 405 by the router, as
/// the API's undeclared methods are, not refused as a forged form.
const VERIFIER_DOCUMENTS: [&str; 2] = ["/.well-known/", "/credentials/status/"];

/// The largest page form the CSRF gate reads (uploads are multipart and
/// pass through to their handler, which checks the field itself).
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// Every page POST must carry a `csrf` field: one without it (or that is
/// not a form at all) gets the same 403 page as a wrong token, before any
/// handler's form extraction could answer 422 in English. Multipart
/// uploads and the JSON API (bearer tokens, no cookies) are left to their
/// handlers.
pub async fn csrf_field(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    use axum::response::IntoResponse;
    let path = req.uri().path();
    if req.method() != axum::http::Method::POST
        || path.starts_with("/api/")
        || PUBLIC_SEARCHES.contains(&path)
        || VERIFIER_DOCUMENTS.iter().any(|p| path.starts_with(p))
    {
        return next.run(req).await;
    }
    let ctype = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if ctype.starts_with("multipart/form-data") {
        return next.run(req).await;
    }
    let refused = || crate::error::AppError::Csrf.into_response();
    if !ctype.starts_with("application/x-www-form-urlencoded") {
        return refused();
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
        return crate::error::AppError::BadRequest("表单内容过大".into()).into_response();
    };
    let has_csrf = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .is_ok_and(|fields| fields.iter().any(|(k, v)| k == "csrf" && !v.is_empty()));
    if !has_csrf {
        return refused();
    }
    next.run(axum::extract::Request::from_parts(
        parts,
        axum::body::Body::from(bytes),
    ))
    .await
}

/// Compares a presented secret with the configured one in time that does
/// not depend on where they first differ.
pub(crate) fn same_secret(sent: &str, expected: &str) -> bool {
    let (a, b) = (sent.as_bytes(), expected.as_bytes());
    let mut diff = (a.len() ^ b.len()) as u8 | u8::from(a.len() != b.len());
    for (i, x) in b.iter().enumerate() {
        diff |= x ^ a.get(i).copied().unwrap_or(0);
    }
    diff == 0
}
