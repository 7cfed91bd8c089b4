//! `GET /healthz`: a liveness probe for operations (and the trivial
//! baseline of `jineng bench lookup`). No login, no store; like every
//! route it carries the security headers.

/// Answers "ok".
pub async fn show() -> &'static str {
    "ok"
}
