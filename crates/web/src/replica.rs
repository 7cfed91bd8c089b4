//! Routing reads to the read replica (`--db-read`, docs/operations.md):
//! which store a read-only page reads from, and the cookie that carries a
//! writer's WAL position so that its next pages never show a state older
//! than the one it just set (docs/decisions.md § Read replica).
//!
//! Every form POST, API write and the like that succeeds gets the primary's
//! WAL position in the `jineng_wal` cookie; the pages routed to the replica
//! (dashboards, the public lookup, /verify, the public credit pages) wait
//! for the replica to replay that far, bounded, or read the primary. The
//! cookie is not secret: a forged one can only make its own reads wait
//! 200 ms and go to the primary.

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use jineng_store::{Store, StoreError, WalPosition};

/// The cookie with the WAL position of this browser's last write.
pub const WAL_COOKIE: &str = "jineng_wal";

/// Form POSTs that only read (a search, a check): no position to keep.
const READ_POSTS: [&str; 3] = ["/verify", "/certificates/lookup", "/persons"];

/// The writer's position a request carries, if any.
fn seen(headers: &axum::http::HeaderMap) -> Option<WalPosition> {
    crate::auth::cookies(headers, WAL_COOKIE)
        .filter_map(WalPosition::parse)
        .max()
}

/// The store a read-only page of plain records reads from.
pub async fn reads(state: &AppState, headers: &axum::http::HeaderMap) -> Store {
    state.store.for_reads(seen(headers)).await
}

/// The store a page of the aggregate facts (dashboards) reads from.
pub async fn fresh_reads(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Result<Store, StoreError> {
    state.store.fresh_reads(seen(headers)).await
}

/// After a successful write (any method but GET and HEAD), sets the
/// primary's WAL position in the cookie. Without a replica, does nothing.
pub async fn remember_writes(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        && !READ_POSTS.contains(&req.uri().path());
    let mut res = next.run(req).await;
    if !write || !state.store.has_replica() || res.status().is_server_error() {
        return res;
    }
    match state.store.wal_position().await {
        Ok(Some(pos)) => {
            let secure = if state.secure_cookies { "; Secure" } else { "" };
            let c = format!("{WAL_COOKIE}={pos}; Path=/; HttpOnly; SameSite=Lax{secure}");
            if let Ok(v) = HeaderValue::from_str(&c) {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
        }
        Ok(None) => {}
        Err(e) => tracing::warn!("WAL position unavailable after a write: {e}"),
    }
    res
}
