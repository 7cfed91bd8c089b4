//! `jineng bench lookup`: throughput and latency of the public certificate
//! lookup (证书查询) over HTTP/1.1 keep-alive on loopback, beside a trivial
//! handler (`GET /healthz`) of the same server. The demo is loaded into a
//! fresh store of the `--db` kind (or reused with `--keep`), the real web
//! server runs in-process on 127.0.0.1:0 with the lookup limit raised (the
//! limiter is per client address and loopback is one address), and a
//! built-in load generator drives it: C connections, each sending one
//! request at a time, until N requests or the time is up. Client and
//! server share this machine's cores, which the output says.

use jineng_store::{Actor, Store};
use jineng_web::percent_encode as encode;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The bench's PostgreSQL database.
const DATABASE: &str = "jineng_bench_lookup";

/// What to measure and for how long.
pub struct Load {
    pub requests: u64,
    pub connections: usize,
    pub duration: f64,
}

/// One target of the load: a name and the raw requests it cycles through.
struct Target {
    name: &'static str,
    requests: Vec<Vec<u8>>,
}

/// The demo's (name, certificate number, ID number) triples, from the
/// certificates file the loader imported.
pub(crate) fn pairs(dir: &Path) -> anyhow::Result<Vec<(String, String, String)>> {
    let mut r = csv::Reader::from_path(dir.join("LCcertificates.csv"))?;
    let mut out = Vec::new();
    for row in r.records() {
        let row = row?;
        // 证书编号,证书类型,姓名,身份证号码,…
        out.push((row[2].to_string(), row[0].to_string(), row[3].to_string()));
    }
    anyhow::ensure!(!out.is_empty(), "演示数据中没有证书");
    Ok(out)
}

fn request(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").into_bytes()
}

/// The demo store: fresh, or with `keep` the one a previous run left.
pub(crate) async fn demo_store(
    db: &str,
    actor: &Actor,
    keep: bool,
) -> anyhow::Result<(Store, PathBuf)> {
    let (store, dir, ready) = crate::bench::kept_store(db, "lookup", keep, |dir, _| {
        dir.join("LCcertificates.csv").exists()
    })
    .await?;
    if ready {
        eprintln!("沿用 {} 中的演示库", dir.display());
    } else {
        eprintln!("载入演示数据……");
        crate::demo::load(&store, actor, &crate::demo::Options::default(), &dir).await?;
        std::fs::write(dir.join("loaded"), "demo")?;
    }
    Ok((store, dir))
}

/// Adds the replica `read` (a streaming replica of `db`'s whole server):
/// the bench's database on it, once the demo load has been replayed.
async fn with_replica(store: Store, read: &str) -> anyhow::Result<Store> {
    let store = store
        .with_replica(&crate::bench::on_server(read, DATABASE))
        .await?;
    let pos = store.wal_position().await?;
    let started = Instant::now();
    loop {
        let reader = store.for_reads(pos).await;
        if reader.in_recovery().await? {
            return Ok(store);
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(120),
            "只读副本两分钟内未追上主库"
        );
    }
}

/// What is measured: the lookup page and API, cycling through `pairs`,
/// and `/healthz` beside them.
fn targets(pairs: &[(String, String, String)]) -> [Target; 3] {
    let query = |(name, no, _): &(String, String, String)| {
        format!("name={}&cert_no={}", encode(name), encode(no))
    };
    [
        Target {
            name: "lookup_page",
            requests: pairs
                .iter()
                .map(|p| request(&format!("/certificates/lookup?{}", query(p))))
                .collect(),
        },
        Target {
            name: "lookup_api",
            requests: pairs
                .iter()
                .map(|p| request(&format!("/api/v1/certificates/lookup?{}", query(p))))
                .collect(),
        },
        Target {
            name: "trivial_healthz",
            requests: vec![request("/healthz")],
        },
    ]
}

pub async fn run(
    db: &str,
    db_read: Option<&str>,
    actor: &Actor,
    load: Load,
    keep: bool,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let (mut store, dir) = demo_store(db, actor, keep).await?;
    if let Some(read) = db_read {
        store = with_replica(store, read).await?;
    }
    let backend = store.backend().name();
    let pairs = pairs(&dir)?;
    let state = jineng_web::AppState::new(store, crate::bench_http::Server::limits(10), false);
    let server = crate::bench_http::Server::start(state).await?;
    let addr = server.addr;

    let targets = targets(&pairs);
    // A real hit first: the page shows the certificate, the API returns it.
    let (_, first_no, _) = &pairs[0];
    for t in &targets[..2] {
        let (status, body) = once(addr, &t.requests[0]).await?;
        anyhow::ensure!(
            status == 200 && body.contains(first_no.as_str()),
            "{}：查询未返回证书 {first_no}（状态 {status}）",
            t.name
        );
    }

    let mut results = serde_json::Map::new();
    for t in &targets {
        // Warm up (connections, caches, the allocator), then measure.
        let warm = Load {
            requests: 2_000,
            connections: load.connections,
            duration: 2.0,
        };
        drive(addr, &t.requests, &warm).await?;
        let r = drive(addr, &t.requests, &load).await?;
        if !json {
            println!(
                "  {:<16} {:>9.0} 次/秒  p50 {:.2} ms  p99 {:.2} ms  最大 {:.2} ms  （{} 次，失败 {}）",
                t.name, r.rate, r.p50_ms, r.p99_ms, r.max_ms, r.requests, r.errors
            );
        }
        results.insert(t.name.into(), r.to_json());
    }
    server.stop().await;
    if !keep {
        let _ = std::fs::remove_dir_all(&dir);
        if backend == "postgres" {
            jineng_store::drop_postgres_database(db, DATABASE).await?;
        }
    }

    let rate = |k: &str| results[k]["requests_per_s"].as_f64().unwrap_or(0.0);
    let ratio = |k: &str| (rate(k) / rate("trivial_healthz") * 100.0).round() / 100.0;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let out = json!({
        "backend": backend,
        "read_replica": db_read.is_some(),
        "cores_shared_by_client_and_server": cores,
        "connections": load.connections,
        "certificates_cycled": pairs.len(),
        "results": results,
        "ratio_lookup_page_to_trivial": ratio("lookup_page"),
        "ratio_lookup_api_to_trivial": ratio("lookup_api"),
    });
    if json {
        println!("{out}");
    } else {
        println!(
            "后端 {backend}{}；客户端与服务端同在本机 {cores} 个核上（回环地址 {addr}），{} 个连接。",
            if db_read.is_some() {
                "（查询经只读副本）"
            } else {
                ""
            },
            load.connections
        );
        println!(
            "  查询吞吐与空处理器之比：页面 {:.2}，接口 {:.2}",
            ratio("lookup_page"),
            ratio("lookup_api")
        );
    }
    Ok(ExitCode::SUCCESS)
}

struct Outcome {
    requests: u64,
    errors: u64,
    seconds: f64,
    rate: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

impl Outcome {
    fn to_json(&self) -> serde_json::Value {
        let r2 = |x: f64| (x * 100.0).round() / 100.0;
        json!({
            "requests": self.requests,
            "errors": self.errors,
            "seconds": r2(self.seconds),
            "requests_per_s": self.rate.round(),
            "p50_ms": r2(self.p50_ms),
            "p99_ms": r2(self.p99_ms),
            "max_ms": r2(self.max_ms),
        })
    }
}

/// Runs the load: `connections` keep-alive connections share the budget of
/// requests until it or the time runs out.
async fn drive(
    addr: std::net::SocketAddr,
    requests: &[Vec<u8>],
    load: &Load,
) -> anyhow::Result<Outcome> {
    let issued = Arc::new(AtomicU64::new(0));
    let requests: Arc<Vec<Vec<u8>>> = Arc::new(requests.to_vec());
    let deadline = Instant::now() + Duration::from_secs_f64(load.duration);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..load.connections.max(1) {
        let (issued, requests, budget) = (issued.clone(), requests.clone(), load.requests);
        tasks.push(tokio::spawn(async move {
            let mut conn = TcpStream::connect(addr).await?;
            conn.set_nodelay(true)?;
            let mut buf = Vec::with_capacity(16 * 1024);
            let (mut lat, mut errors) = (Vec::new(), 0u64);
            loop {
                let n = issued.fetch_add(1, Ordering::Relaxed);
                if n >= budget || Instant::now() >= deadline {
                    break;
                }
                let req = &requests[(n as usize) % requests.len()];
                let t = Instant::now();
                conn.write_all(req).await?;
                let status = read_response(&mut conn, &mut buf).await?;
                lat.push(t.elapsed().as_micros() as u32);
                errors += u64::from(status != 200);
            }
            anyhow::Ok((lat, errors))
        }));
    }
    let (mut lat, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (l, e) = t.await??;
        lat.extend(l);
        errors += e;
    }
    let seconds = start.elapsed().as_secs_f64();
    lat.sort_unstable();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .map_or(0.0, |us| *us as f64 / 1000.0)
    };
    Ok(Outcome {
        requests: lat.len() as u64,
        errors,
        seconds,
        rate: lat.len() as f64 / seconds,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        max_ms: lat.last().map_or(0.0, |us| *us as f64 / 1000.0),
    })
}

/// One request on a fresh connection: status and body.
async fn once(addr: std::net::SocketAddr, req: &[u8]) -> anyhow::Result<(u16, String)> {
    let mut conn = TcpStream::connect(addr).await?;
    conn.write_all(req).await?;
    let mut buf = Vec::new();
    let status = read_response(&mut conn, &mut buf).await?;
    Ok((status, String::from_utf8_lossy(&buf).into_owned()))
}

/// Reads one HTTP/1.1 response (`Content-Length` framed, as axum sends
/// these); returns its status and leaves the body in `buf`.
async fn read_response(conn: &mut TcpStream, buf: &mut Vec<u8>) -> anyhow::Result<u16> {
    buf.clear();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = conn.read(&mut chunk).await?;
        anyhow::ensure!(n > 0, "服务端关闭了连接");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buf[..head_end])?;
    let status: u16 = head
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("无法解析的响应：{head}"))?;
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .ok_or_else(|| anyhow::anyhow!("响应缺少 Content-Length：{head}"))?;
    while buf.len() < head_end + length {
        let n = conn.read(&mut chunk).await?;
        anyhow::ensure!(n > 0, "服务端关闭了连接");
        buf.extend_from_slice(&chunk[..n]);
    }
    buf.drain(..head_end);
    Ok(status)
}
