//! `jineng bench mixed`: a bounded mixed load on the real web server, for
//! minutes, to show that a day's traffic runs without an error and without
//! memory growing. On the demo (fresh, or kept with `--keep`), served
//! in-process on loopback:
//! - officers of the city, logged in through `/login`, page through the
//!   claims, the persons and the dashboard;
//! - one officer's API client approves eligible claims one by one;
//! - an import client uploads a file of new persons through the API every
//!   so often and waits for it to finish;
//! - the public looks certificates up at a fixed rate.
//!
//! Every response is checked (status, and an import's counts); the
//! process's resident memory is sampled throughout. The figures are not a
//! throughput test: the rates are fixed, and what is reported is the
//! errors, the latencies and the memory over time.

use crate::bench_http::{Conn, Response};
use jineng_store::Actor;
use jineng_web::percent_encode as encode;
use serde_json::json;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The load's size.
pub struct Options {
    pub minutes: f64,
    pub lookups_per_s: u32,
    pub officers: usize,
    pub import_every_s: f64,
    pub import_rows: usize,
    pub keep: bool,
}

/// What one kind of request saw.
#[derive(Default)]
struct Kind {
    latencies_us: Vec<u32>,
    errors: u64,
    refused: u64,
    first_errors: Vec<String>,
}

#[derive(Default)]
struct Stats {
    kinds: Mutex<BTreeMap<&'static str, Kind>>,
}

impl Stats {
    /// Records a response: `ok` statuses count as success, `refused` ones
    /// as a refusal the application meant, anything else as an error.
    fn record(&self, kind: &'static str, t: Instant, r: &anyhow::Result<Response>, ok: &[u16]) {
        let mut kinds = self.kinds.lock().unwrap_or_else(|e| e.into_inner());
        let k = kinds.entry(kind).or_default();
        k.latencies_us.push(t.elapsed().as_micros() as u32);
        let problem = match r {
            Ok(r) if ok.contains(&r.status) => None,
            Ok(r) if r.status == 409 => {
                k.refused += 1;
                None
            }
            Ok(r) => Some(format!(
                "{} {}",
                r.status,
                r.text().chars().take(200).collect::<String>()
            )),
            Err(e) => Some(e.to_string()),
        };
        if let Some(p) = problem {
            k.errors += 1;
            if k.first_errors.len() < 5 {
                k.first_errors.push(p);
            }
        }
    }

    fn error(&self, kind: &'static str, what: String) {
        let mut kinds = self.kinds.lock().unwrap_or_else(|e| e.into_inner());
        let k = kinds.entry(kind).or_default();
        k.errors += 1;
        if k.first_errors.len() < 5 {
            k.first_errors.push(what);
        }
    }
}

fn rss_mb() -> f64 {
    crate::bench::rss_mb().map_or(0.0, |mb| (mb * 10.0).round() / 10.0)
}

/// Logs `login` in through the form, as a browser does; the session
/// cookie header.
async fn log_in(addr: SocketAddr, login: &str, password: &str) -> anyhow::Result<String> {
    let mut c = Conn::open(addr).await?;
    let page = c.get("/login", &[]).await?;
    let csrf_cookie = page
        .cookies()
        .into_iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let html = page.text();
    let token = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .ok_or_else(|| anyhow::anyhow!("登录页没有 csrf 字段"))?;
    let form = format!(
        "csrf={}&login={}&password={}",
        encode(token),
        encode(login),
        encode(password)
    );
    let r = c
        .send(
            "POST",
            "/login",
            &[
                ("Cookie", &csrf_cookie),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            form.as_bytes(),
        )
        .await?;
    let session = r
        .cookies()
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    anyhow::ensure!(
        r.status == 303 && !session.is_empty(),
        "登录 {login} 失败（状态 {}）",
        r.status
    );
    Ok(session)
}

/// Runs `step` every `period` until `stop`.
async fn paced<F, Fut>(period: Duration, stop: Arc<AtomicBool>, mut step: F)
where
    F: FnMut(u64) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        tick.tick().await;
        step(n).await;
        n += 1;
    }
}

/// An officer: the claims list page by page, the persons search, the
/// dashboard.
async fn officer(addr: SocketAddr, cookie: String, stats: Arc<Stats>, stop: Arc<AtomicBool>) {
    let Ok(conn) = Conn::open(addr).await else {
        return stats.error("officer_pages", "无法连接".into());
    };
    let conn = Arc::new(tokio::sync::Mutex::new(conn));
    paced(Duration::from_millis(500), stop, |n| {
        let (conn, stats, cookie) = (conn.clone(), stats.clone(), cookie.clone());
        async move {
            let path = match n % 4 {
                0 => format!("/claims?page={}", n / 4 % 40 + 1),
                1 => format!("/persons?q={}&page={}", encode("测试"), n / 4 % 10 + 1),
                2 => "/".to_string(),
                _ => format!(
                    "/claims?status=approved&sort=amount&dir=desc&page={}",
                    n / 4 % 20 + 1
                ),
            };
            let t = Instant::now();
            let r = conn.lock().await.get(&path, &[("Cookie", &cookie)]).await;
            stats.record("officer_pages", t, &r, &[200]);
        }
    })
    .await;
}

/// The approver: eligible claims from the API, approved one at a time.
async fn approver(addr: SocketAddr, token: String, stats: Arc<Stats>, stop: Arc<AtomicBool>) {
    let Ok(conn) = Conn::open(addr).await else {
        return stats.error("approve", "无法连接".into());
    };
    let conn = Arc::new(tokio::sync::Mutex::new(conn));
    let queue = Arc::new(Mutex::new(Vec::<String>::new()));
    let auth = format!("Bearer {token}");
    paced(Duration::from_millis(1000), stop, |_| {
        let (conn, stats, queue, auth) = (conn.clone(), stats.clone(), queue.clone(), auth.clone());
        async move {
            let mut c = conn.lock().await;
            let next = queue.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let Some(no) = next else {
                let t = Instant::now();
                let r = c
                    .get(
                        "/api/v1/claims?status=eligible",
                        &[("Authorization", &auth)],
                    )
                    .await;
                stats.record("list_eligible", t, &r, &[200]);
                if let Ok(r) = r {
                    let rows: Vec<serde_json::Value> =
                        serde_json::from_slice(&r.body).unwrap_or_default();
                    let mut q = queue.lock().unwrap_or_else(|e| e.into_inner());
                    q.extend(
                        rows.iter()
                            .filter_map(|c| c["claim_no"].as_str().map(String::from)),
                    );
                }
                return;
            };
            let t = Instant::now();
            let path = format!("/api/v1/claims/{}/approve", encode(&no));
            let headers = [
                ("Authorization", auth.as_str()),
                ("Content-Type", "application/json"),
            ];
            let r = c.send("POST", &path, &headers, b"{}").await;
            stats.record("approve", t, &r, &[200]);
        }
    })
    .await;
}

/// The import client: a file of `rows` new persons every `every`, waited
/// for; its counts must match.
async fn importer(
    addr: SocketAddr,
    token: String,
    o: (f64, usize),
    stats: Arc<Stats>,
    stop: Arc<AtomicBool>,
) {
    let (every, rows) = o;
    let auth = format!("Bearer {token}");
    paced(Duration::from_secs_f64(every), stop, |n| {
        let (stats, auth) = (stats.clone(), auth.clone());
        async move {
            let t = Instant::now();
            let body = crate::bench::persons_csv(1_000_000 + n as usize * rows, rows);
            let result = async {
                let mut c = Conn::open(addr).await?;
                let path = format!("/api/v1/imports?kind=persons&file_name=mixed-{n}.csv");
                let headers = [
                    ("Authorization", auth.as_str()),
                    ("Content-Type", "application/octet-stream"),
                ];
                let r = c.send("POST", &path, &headers, &body).await?;
                anyhow::ensure!(r.status == 202, "上传返回 {}：{}", r.status, r.text());
                let id = serde_json::from_slice::<serde_json::Value>(&r.body)?["id"]
                    .as_u64()
                    .unwrap_or(0);
                loop {
                    tokio::time::sleep(Duration::from_millis(250)).await;
                    let r = c
                        .get(
                            &format!("/api/v1/imports/{id}"),
                            &[("Authorization", &auth)],
                        )
                        .await?;
                    anyhow::ensure!(r.status == 200, "查询导入返回 {}", r.status);
                    let s: serde_json::Value = serde_json::from_slice(&r.body)?;
                    if s["status"] == "running" {
                        continue;
                    }
                    // A generated ID number may be a demo person's: the
                    // import rightly refuses the row (冒名), nothing else.
                    let clashes = s["errors"].as_array().is_some_and(|e| {
                        e.iter().all(|e| {
                            e["message"]
                                .as_str()
                                .is_some_and(|m| m.contains("疑似冒名"))
                        })
                    });
                    let counted =
                        s["accepted"].as_u64().unwrap_or(0) + s["rejected"].as_u64().unwrap_or(0);
                    anyhow::ensure!(
                        s["status"] == "done" && counted == rows as u64 && clashes,
                        "导入 {id} 未按预期完成：{s}"
                    );
                    return anyhow::Ok(r);
                }
            }
            .await;
            stats.record("import", t, &result, &[200]);
        }
    })
    .await;
}

/// The public: certificate lookups at `per_s` in all, over 8 connections.
async fn public(
    addr: SocketAddr,
    paths: Arc<Vec<String>>,
    per_s: u32,
    stats: Arc<Stats>,
    stop: Arc<AtomicBool>,
) {
    let conns = 8u32;
    let period = Duration::from_secs_f64(f64::from(conns) / f64::from(per_s.max(1)));
    let mut tasks = Vec::new();
    for k in 0..conns {
        let (paths, stats, stop) = (paths.clone(), stats.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let Ok(conn) = Conn::open(addr).await else {
                return stats.error("public_lookup", "无法连接".into());
            };
            let conn = Arc::new(tokio::sync::Mutex::new(conn));
            paced(period, stop, |n| {
                let (conn, stats) = (conn.clone(), stats.clone());
                let path = paths[(n as usize * conns as usize + k as usize) % paths.len()].clone();
                async move {
                    let t = Instant::now();
                    let r = conn.lock().await.get(&path, &[]).await;
                    stats.record("public_lookup", t, &r, &[200]);
                }
            })
            .await;
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
}

pub async fn run(db: &str, actor: &Actor, o: Options, json_out: bool) -> anyhow::Result<ExitCode> {
    let (store, dir) = crate::bench_lookup::demo_store(db, actor, o.keep).await?;
    let backend = store.backend().name();
    let paths: Vec<String> = crate::bench_lookup::pairs(&dir)?
        .iter()
        .map(|(name, no, _)| {
            format!(
                "/certificates/lookup?name={}&cert_no={}",
                encode(name),
                encode(no)
            )
        })
        .collect();
    let sample = crate::demo::sample_name(&store).await?;
    let accounts = jineng_web::demo_accounts(&store, "371500", "371502", &sample, actor).await?;
    let city = accounts
        .iter()
        .find(|a| a.login == "city")
        .ok_or_else(|| anyhow::anyhow!("演示账号中没有 city"))?;
    let token = jineng_web::issue_api_token(&store, city.account_id, "bench mixed", actor).await?;
    let state = jineng_web::AppState::new(store, crate::bench_http::Server::limits(60), false);
    let server = crate::bench_http::Server::start(state).await?;
    let addr = server.addr;

    let stats = Arc::new(Stats::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..o.officers {
        let cookie = log_in(addr, &city.login, &city.password).await?;
        tasks.push(tokio::spawn(officer(
            addr,
            cookie,
            stats.clone(),
            stop.clone(),
        )));
    }
    tasks.push(tokio::spawn(approver(
        addr,
        token.clone(),
        stats.clone(),
        stop.clone(),
    )));
    let imports = (o.import_every_s, o.import_rows);
    tasks.push(tokio::spawn(importer(
        addr,
        token,
        imports,
        stats.clone(),
        stop.clone(),
    )));
    let paths = Arc::new(paths);
    tasks.push(tokio::spawn(public(
        addr,
        paths,
        o.lookups_per_s,
        stats.clone(),
        stop.clone(),
    )));

    let started = Instant::now();
    let total = Duration::from_secs_f64(o.minutes * 60.0);
    let mut memory = Vec::new();
    while started.elapsed() < total {
        memory.push((started.elapsed().as_secs(), rss_mb()));
        if !json_out {
            eprintln!(
                "{:>5} 秒：常驻内存 {:.1} MB",
                started.elapsed().as_secs(),
                rss_mb()
            );
        }
        tokio::time::sleep(Duration::from_secs(10).min(total.saturating_sub(started.elapsed())))
            .await;
    }
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    memory.push((started.elapsed().as_secs(), rss_mb()));
    server.stop().await;
    if !o.keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let out = report(backend, &o, &stats, &memory);
    if json_out {
        println!("{out}");
    } else {
        print_report(&out);
    }
    let errors = out["errors"].as_u64().unwrap_or(1);
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn report(backend: &str, o: &Options, stats: &Stats, memory: &[(u64, f64)]) -> serde_json::Value {
    let kinds = stats.kinds.lock().unwrap_or_else(|e| e.into_inner());
    let mut by_kind = serde_json::Map::new();
    let mut errors = 0;
    for (name, k) in kinds.iter() {
        let mut lat = k.latencies_us.clone();
        lat.sort_unstable();
        let pct = |p: f64| {
            lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
                .map_or(0.0, |us| (*us as f64 / 100.0).round() / 10.0)
        };
        errors += k.errors;
        by_kind.insert(
            (*name).into(),
            json!({
                "requests": lat.len(), "errors": k.errors, "refused_409": k.refused,
                "p50_ms": pct(0.5), "p99_ms": pct(0.99), "max_ms": pct(1.0),
                "first_errors": k.first_errors,
            }),
        );
    }
    // Memory after the first minute (caches warm) against the end.
    let warm = memory
        .iter()
        .find(|(s, _)| *s >= 60)
        .or(memory.first())
        .map_or(0.0, |m| m.1);
    let end = memory.last().map_or(0.0, |m| m.1);
    let max = memory.iter().map(|m| m.1).fold(0.0, f64::max);
    json!({
        "backend": backend,
        "minutes": o.minutes,
        "officers": o.officers,
        "lookups_per_s": o.lookups_per_s,
        "import_rows_every": [o.import_rows, o.import_every_s],
        "errors": errors,
        "by_kind": by_kind,
        "rss_mb_after_1_min": warm,
        "rss_mb_end": end,
        "rss_mb_max": max,
        "rss_samples": memory,
    })
}

fn print_report(out: &serde_json::Value) {
    println!(
        "后端 {}，{} 分钟混合负载：错误 {} 次",
        out["backend"].as_str().unwrap_or(""),
        out["minutes"],
        out["errors"]
    );
    if let Some(kinds) = out["by_kind"].as_object() {
        for (name, k) in kinds {
            println!(
                "  {name:<14} {:>7} 次  错误 {}  拒绝(409) {}  p50 {} ms  p99 {} ms  最大 {} ms",
                k["requests"], k["errors"], k["refused_409"], k["p50_ms"], k["p99_ms"], k["max_ms"]
            );
            for e in k["first_errors"].as_array().into_iter().flatten() {
                println!("    {}", e.as_str().unwrap_or(""));
            }
        }
    }
    println!(
        "  常驻内存：1 分钟后 {} MB，结束时 {} MB，最高 {} MB",
        out["rss_mb_after_1_min"], out["rss_mb_end"], out["rss_mb_max"]
    );
}
