//! The Prometheus text exposition format (version 0.0.4) of the figures.

use super::{BUCKETS, Inner};
use jineng_store::metrics::{PoolUse, WriteCounters};
use std::fmt::Write;

/// A label value with `\`, `"` and newlines escaped.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn head(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// Every figure, sorted so that two scrapes diff cleanly.
pub(crate) fn text(http: &Inner, uptime: f64, pool: PoolUse, writes: &WriteCounters) -> String {
    let mut out = String::new();
    process(&mut out, uptime);
    requests(&mut out, http);
    database(&mut out, pool);
    written(&mut out, writes);
    out
}

/// The version and uptime.
fn process(out: &mut String, uptime: f64) {
    head(out, "jineng_build_info", "gauge", "The running version.");
    let _ = writeln!(
        out,
        "jineng_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    head(
        out,
        "jineng_uptime_seconds",
        "gauge",
        "Seconds since the server started.",
    );
    let _ = writeln!(out, "jineng_uptime_seconds {uptime:.3}");
}

/// Requests and their latency, by route.
fn requests(out: &mut String, http: &Inner) {
    head(
        out,
        "jineng_http_requests_total",
        "counter",
        "Requests answered, by route template, method and status.",
    );
    let mut requests: Vec<_> = http.requests.iter().collect();
    requests.sort();
    for ((route, method, status), n) in requests {
        let _ = writeln!(
            out,
            "jineng_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
            label(route),
            label(method)
        );
    }
    head(
        out,
        "jineng_http_request_duration_seconds",
        "histogram",
        "Time to answer, by route template.",
    );
    let mut routes: Vec<_> = http.latency.iter().collect();
    routes.sort_by(|a, b| a.0.cmp(b.0));
    for (route, h) in routes {
        let route = label(route);
        let mut cumulative = 0;
        for (i, bound) in BUCKETS.iter().enumerate() {
            cumulative += h.buckets[i];
            let _ = writeln!(
                out,
                "jineng_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "jineng_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
            h.count
        );
        let _ = writeln!(
            out,
            "jineng_http_request_duration_seconds_sum{{route=\"{route}\"}} {:.6}",
            h.sum_seconds
        );
        let _ = writeln!(
            out,
            "jineng_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
            h.count
        );
    }
}

/// The pool and the read replica.
fn database(out: &mut String, pool: PoolUse) {
    head(
        out,
        "jineng_db_pool_connections",
        "gauge",
        "Database connections of the pool, open and idle.",
    );
    let _ = writeln!(
        out,
        "jineng_db_pool_connections{{state=\"open\"}} {}",
        pool.open
    );
    let _ = writeln!(
        out,
        "jineng_db_pool_connections{{state=\"idle\"}} {}",
        pool.idle
    );
    head(
        out,
        "jineng_db_pool_max_connections",
        "gauge",
        "The most connections the pool opens.",
    );
    let _ = writeln!(out, "jineng_db_pool_max_connections {}", pool.max);
    let (by_replica, by_primary) = jineng_store::replica_reads();
    head(
        out,
        "jineng_replica_reads_total",
        "counter",
        "Reads routed with a read replica configured: served by it, or by the primary because it lagged.",
    );
    let _ = writeln!(
        out,
        "jineng_replica_reads_total{{served_by=\"replica\"}} {by_replica}"
    );
    let _ = writeln!(
        out,
        "jineng_replica_reads_total{{served_by=\"primary\"}} {by_primary}"
    );
}

/// What this process wrote: import rows, decisions, approvals, payments.
fn written(out: &mut String, writes: &WriteCounters) {
    head(
        out,
        "jineng_import_rows_total",
        "counter",
        "Rows of finished import batches, taken or rejected, by kind.",
    );
    for (kind, taken, rejected) in &writes.imports {
        let kind = label(kind);
        let _ = writeln!(
            out,
            "jineng_import_rows_total{{kind=\"{kind}\",result=\"taken\"}} {taken}"
        );
        let _ = writeln!(
            out,
            "jineng_import_rows_total{{kind=\"{kind}\",result=\"rejected\"}} {rejected}"
        );
    }
    head(
        out,
        "jineng_claims_decided_total",
        "counter",
        "Claims decided by the policy engine, by outcome.",
    );
    for (outcome, n) in &writes.decided {
        let _ = writeln!(
            out,
            "jineng_claims_decided_total{{outcome=\"{outcome}\"}} {n}"
        );
    }
    head(
        out,
        "jineng_claims_approved_total",
        "counter",
        "Claims approved (核准).",
    );
    let _ = writeln!(out, "jineng_claims_approved_total {}", writes.approved);
    head(
        out,
        "jineng_claims_approved_fen_total",
        "counter",
        "Amount approved, in fen.",
    );
    let _ = writeln!(
        out,
        "jineng_claims_approved_fen_total {}",
        writes.approved_fen
    );
    head(
        out,
        "jineng_payments_total",
        "counter",
        "Payments posted to the ledger, by kind.",
    );
    for (kind, n, _) in &writes.payments {
        let _ = writeln!(out, "jineng_payments_total{{kind=\"{kind}\"}} {n}");
    }
    head(
        out,
        "jineng_payments_fen_total",
        "counter",
        "Amount paid, in fen, by kind.",
    );
    for (kind, _, fen) in &writes.payments {
        let _ = writeln!(out, "jineng_payments_fen_total{{kind=\"{kind}\"}} {fen}");
    }
}
