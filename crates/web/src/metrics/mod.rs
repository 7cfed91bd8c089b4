//! `GET /metrics`: the server's figures in the Prometheus text format —
//! requests by route and status, latency histograms, the connection pool,
//! and what the store has written (rows imported, claims decided and
//! approved, payments). No personal data: routes are labelled by their
//! template (`/persons/{id}`), never by the path a user asked for, and the
//! store's counters are totals.
//!
//! Open like `/healthz` unless a token is configured (`serve
//! --metrics-token`, `JINENG_METRICS_TOKEN`); then the scraper must send
//! it as `Authorization: Bearer …`.

mod render;

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Upper bounds of the latency buckets, in seconds.
pub(crate) const BUCKETS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// One route's latencies: per-bucket counts (not cumulative; the last slot
/// is above every bound), their sum and count.
#[derive(Default, Clone)]
pub(crate) struct Histogram {
    pub buckets: [u64; BUCKETS.len() + 1],
    pub sum_seconds: f64,
    pub count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        let i = BUCKETS
            .iter()
            .position(|b| seconds <= *b)
            .unwrap_or(BUCKETS.len());
        self.buckets[i] += 1;
        self.sum_seconds += seconds;
        self.count += 1;
    }
}

/// The HTTP figures since the server started.
pub struct HttpMetrics {
    started: Instant,
    inner: Mutex<Inner>,
}

#[derive(Default)]
pub(crate) struct Inner {
    /// (route template, method, status) → requests.
    pub requests: HashMap<(String, String, u16), u64>,
    /// route template → latencies.
    pub latency: HashMap<String, Histogram>,
}

impl HttpMetrics {
    pub fn new() -> HttpMetrics {
        HttpMetrics {
            started: Instant::now(),
            inner: Mutex::default(),
        }
    }

    fn record(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let mut m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *m.requests
            .entry((route.to_string(), method.to_string(), status))
            .or_default() += 1;
        m.latency
            .entry(route.to_string())
            .or_default()
            .observe(seconds);
    }

    fn uptime_seconds(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }
}

/// Counts each routed request by its route template. Added with
/// `route_layer`, so it runs only for requests that matched a route: a
/// path nobody routes is never a label.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string());
    let method = req.method().as_str().to_string();
    let start = Instant::now();
    let response = next.run(req).await;
    if let Some(route) = route {
        state.metrics.record(
            &route,
            &method,
            response.status().as_u16(),
            start.elapsed().as_secs_f64(),
        );
    }
    response
}

/// The figures, for a Prometheus scraper.
pub async fn show(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = state.metrics_token.as_deref() {
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !sent.is_some_and(|s| crate::security::same_secret(s, token)) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "需要指标令牌\n",
            )
                .into_response();
        }
    }
    let text = {
        let inner = state
            .metrics
            .inner
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        render::text(
            &inner,
            state.metrics.uptime_seconds(),
            state.store.pool_use(),
            &jineng_store::metrics::write_counters(),
        )
    };
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}
