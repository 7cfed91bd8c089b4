//! A bounded, deterministic fuzz run of the JSON API against its own
//! OpenAPI document, on SQLite and PostgreSQL (an equivalent of
//! schemathesis, in Rust: `docs/decisions.md`). The demo is loaded by the
//! real binary; the real router runs in-process. For every operation of
//! `/api/openapi.json`, a few hundred requests are generated from the
//! schema — real values from the demo and hostile ones (empty, very long,
//! full-width, NUL and control characters, huge and negative numbers,
//! wrong types, malformed JSON, missing and extra fields, wrong content
//! types) — with a valid token, an invalid one and none. No answer may be
//! 5xx, every error is JSON `{"error": "…"}`, and every status is one the
//! document declares for the operation.

use crate::common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use common::{TestDb, backends};
use http_body_util::BodyExt;
use jineng_store::{Actor, Store};
use serde_json::{Value, json};
use sqlx::Connection;
use std::collections::BTreeMap;
use tower::ServiceExt;

/// Requests per operation (and per backend).
const PER_OPERATION: usize = 500;

/// splitmix64: a seeded generator, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// Strings no handler should choke on.
fn hostile_strings() -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        " ",
        "a",
        "张三",
        "ＡＢＣ１２３４５",
        "\u{0}",
        "C2020\u{0}0000001",
        "\u{1}\u{1f}\u{7f}\u{1d}",
        "\u{202e}cba",
        "😀🇨🇳",
        "\u{feff}朱娜",
        "' OR '1'='1",
        "%",
        "%00",
        "_%",
        "../../etc/passwd",
        "<script>alert(1)</script>",
        "-1",
        "0",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775809",
        "1e309",
        "NaN",
        "null",
        "review",
        "371502199001011234",
        "37150219900101123X",
        "371502 1990 0101 1234",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("x".repeat(10_000));
    v.push("张".repeat(3_000));
    v.push("\u{0}".repeat(100));
    v
}

/// Real values from the demo, so requests also reach the handlers' happy
/// paths and the writes.
struct Pools {
    strings: Vec<String>,
    real: Vec<String>,
    ints: Vec<i64>,
}

async fn pools(db: &TestDb) -> Pools {
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    let texts = |sql: &'static str| sqlx::query_scalar::<_, String>(sql);
    let mut real = Vec::new();
    for sql in [
        "SELECT claim_no FROM claims ORDER BY claim_no LIMIT 20",
        "SELECT claim_no FROM claims ORDER BY claim_no DESC LIMIT 20",
        "SELECT name FROM persons ORDER BY person_id LIMIT 20",
        "SELECT id_number FROM persons ORDER BY person_id LIMIT 10",
        "SELECT cert_no FROM certificates ORDER BY cert_no LIMIT 20",
    ] {
        real.extend(texts(sql).fetch_all(&mut c).await.unwrap());
    }
    real.extend(["eligible", "review", "approved", "paid", "rejected"].map(String::from));
    let mut ints: Vec<i64> =
        sqlx::query_scalar("SELECT person_id FROM persons ORDER BY person_id LIMIT 20")
            .fetch_all(&mut c)
            .await
            .unwrap();
    ints.extend([0, -1, 1, i64::MAX, i64::MIN, 2_147_483_648]);
    Pools {
        strings: hostile_strings(),
        real,
        ints,
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A `$ref` of the document, resolved.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => resolve(doc, doc.pointer(&r[1..]).unwrap_or(&Value::Null)),
        None => schema,
    }
}

/// A value for `schema`: mostly of its type, sometimes of another.
fn value(doc: &Value, schema: &Value, p: &Pools, rng: &mut Rng, depth: u32) -> Value {
    let schema = resolve(doc, schema);
    if rng.chance(15) {
        return rng
            .pick(&[
                json!(null),
                json!(true),
                json!(-1),
                json!(1e300),
                json!(i64::MAX),
                json!("字符串"),
                json!([]),
                json!({}),
                json!([1, "a", null]),
            ])
            .clone();
    }
    let ty = match &schema["type"] {
        Value::Array(ts) => ts.first().and_then(Value::as_str).unwrap_or("string"),
        t => t.as_str().unwrap_or("string"),
    };
    match ty {
        "integer" | "number" => json!(*rng.pick(&p.ints)),
        "boolean" => json!(rng.chance(50)),
        "array" if depth < 3 => Value::Array(
            (0..rng.below(3))
                .map(|_| value(doc, &schema["items"], p, rng, depth + 1))
                .collect(),
        ),
        "object" if depth < 3 => {
            let mut o = serde_json::Map::new();
            if let Some(props) = schema["properties"].as_object() {
                for (k, s) in props {
                    if !rng.chance(20) {
                        o.insert(k.clone(), value(doc, s, p, rng, depth + 1));
                    }
                }
            }
            if rng.chance(20) {
                o.insert("extra_field".into(), json!("多余字段"));
            }
            Value::Object(o)
        }
        _ => json!(string(p, rng)),
    }
}

fn string(p: &Pools, rng: &mut Rng) -> String {
    if rng.chance(50) {
        rng.pick(&p.real).clone()
    } else {
        rng.pick(&p.strings).clone()
    }
}

/// The properties of an object parameter's schema (through `allOf`).
fn exploded(doc: &Value, schema: &Value) -> Vec<(String, Value)> {
    let schema = resolve(doc, schema);
    let mut out: Vec<(String, Value)> = schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        out.extend(exploded(doc, part));
    }
    out
}

/// A path or query value for a parameter's schema, as text.
fn param(doc: &Value, schema: &Value, p: &Pools, rng: &mut Rng) -> String {
    match resolve(doc, schema)["type"].as_str() {
        Some("integer") if rng.chance(70) => rng.pick(&p.ints).to_string(),
        _ => string(p, rng),
    }
}

/// A request body: from the schema, or broken on purpose.
fn body(
    doc: &Value,
    schema: Option<&Value>,
    p: &Pools,
    rng: &mut Rng,
) -> (Option<&'static str>, Vec<u8>) {
    let ct = *rng.pick(&[
        Some("application/json"),
        Some("application/json"),
        Some("application/json; charset=utf-8"),
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ]);
    let bytes = match (schema, rng.below(10)) {
        (_, 0) => Vec::new(),
        (_, 1) => rng
            .pick(&[
                "{",
                "{\"note\":",
                "[",
                "nul",
                "{\"reason\": \"\u{0}\"",
                "\u{0}\u{1}",
                "{}}",
            ])
            .as_bytes()
            .to_vec(),
        (_, 2) => rng
            .pick(&["null", "[]", "0", "\"text\"", "{}"])
            .as_bytes()
            .to_vec(),
        (Some(s), _) => serde_json::to_vec(&value(doc, s, p, rng, 0)).unwrap(),
        (None, _) => b"{\"unexpected\": true}".to_vec(),
    };
    (ct, bytes)
}

struct Tokens {
    officer: String,
    worker: String,
    /// A learning platform's: the one account the learning sessions
    /// answer past 403, so it stands in for the officer's there.
    platform: String,
}

fn auth(t: &Tokens, rng: &mut Rng, learning: bool) -> Option<String> {
    let first = if learning { &t.platform } else { &t.officer };
    match rng.below(7) {
        0 | 1 => Some(format!("Bearer {first}")),
        2 => Some(format!("Bearer {}", t.worker)),
        3 => Some("Bearer not-a-token".into()),
        4 => Some(format!("Bearer {}", "z".repeat(5000))),
        5 => Some("Basic dXNlcjpwYXNz".into()),
        _ => None,
    }
}

struct Op {
    method: String,
    path: String,
    spec: Value,
}

fn operations(doc: &Value) -> Vec<Op> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, spec) in item.as_object().unwrap() {
            ops.push(Op {
                method: method.to_uppercase(),
                path: path.clone(),
                spec: spec.clone(),
            });
        }
    }
    ops
}

/// One generated request of `op`.
fn request(doc: &Value, op: &Op, p: &Pools, t: &Tokens, rng: &mut Rng) -> (String, Request<Body>) {
    let mut path = op.path.clone();
    let mut query = Vec::new();
    for prm in op.spec["parameters"].as_array().into_iter().flatten() {
        let name = prm["name"].as_str().unwrap();
        // An object parameter (`style: form, explode: true`): each of its
        // properties is a query pair of its own.
        let props = exploded(doc, &prm["schema"]);
        if !props.is_empty() {
            for (k, s) in props {
                if !rng.chance(25) {
                    query.push(format!("{k}={}", encode(&param(doc, &s, p, rng))));
                }
            }
            continue;
        }
        let v = param(doc, &prm["schema"], p, rng);
        match prm["in"].as_str() {
            // An empty segment would address another route.
            Some("path") => {
                let v = if v.is_empty() { "0".to_string() } else { v };
                path = path.replace(&format!("{{{name}}}"), &encode(&v));
            }
            Some("query") if !rng.chance(15) => query.push(format!("{name}={}", encode(&v))),
            _ => {}
        }
    }
    if rng.chance(10) {
        query.push(
            rng.pick(&["extra=1", "%zz", "&&=", "name", "status=a&status=b"])
                .to_string(),
        );
    }
    if !query.is_empty() {
        path = format!("{path}?{}", query.join("&"));
    }
    let mut req = Request::builder().method(op.method.as_str()).uri(&path);
    if let Some(a) = auth(t, rng, op.path.starts_with("/api/v1/learning-sessions")) {
        req = req.header(header::AUTHORIZATION, a);
    }
    let has_body = !op.spec["requestBody"].is_null();
    let body = if op.method == "POST" || rng.chance(5) {
        let schema = op
            .spec
            .pointer("/requestBody/content/application~1json/schema");
        let (ct, bytes) = body(doc, schema.filter(|_| has_body), p, rng);
        if let Some(ct) = ct {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        bytes
    } else {
        Vec::new()
    };
    let shown = format!(
        "{} {} body {:.120}",
        op.method,
        path.chars().take(160).collect::<String>(),
        String::from_utf8_lossy(&body)
    );
    (shown, req.body(Body::from(body)).unwrap())
}

/// What is wrong with an answer, if anything: the kind, and the body.
fn problem(op: &Op, status: u16, content_type: &str, body: &[u8]) -> Option<(String, String)> {
    let text = String::from_utf8_lossy(body)
        .chars()
        .take(300)
        .collect::<String>();
    if status >= 500 {
        return Some((format!("{status}"), text));
    }
    let declared: Vec<&String> = op.spec["responses"].as_object().unwrap().keys().collect();
    if !declared.iter().any(|d| d.as_str() == status.to_string()) {
        return Some((
            format!("undocumented {status} (declared {declared:?})"),
            text,
        ));
    }
    let json: Option<Value> = serde_json::from_slice(body).ok();
    if !content_type.starts_with("application/json") || json.is_none() {
        return Some((format!("{status} not JSON ({content_type})"), text));
    }
    let error = json.unwrap()["error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if status >= 400 && error.is_empty() {
        return Some((format!("{status} without \"error\""), text));
    }
    None
}

#[test]
fn the_api_never_fails_on_generated_requests() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in backends("api_fuzz") {
        db.demo(&["--persons", "400"]);
        rt.block_on(fuzz(&db));
    }
}

/// A learning platform of the city and its token.
async fn platform_token(store: &Store, actor: &Actor) -> String {
    use jineng_domain::access::{Role, Scope};
    let city = Scope::Region(jineng_domain::RegionCode::parse("371500").unwrap());
    let a = jineng_web::create_account(store, "platform", "学习平台", Role::Platform, city, actor)
        .await
        .unwrap();
    jineng_web::issue_api_token(store, a.account_id, "fuzz", actor)
        .await
        .unwrap()
}

async fn fuzz(db: &TestDb) {
    let b = db.backend;
    let store = Store::connect(&db.url).await.unwrap();
    let sample = store.first_person_with_claim().await.unwrap().unwrap();
    let actor = Actor("test:setup".into());
    let accounts = jineng_web::demo_accounts(&store, "371500", "371502", &sample, &actor)
        .await
        .unwrap();
    let id = |l: &str| accounts.iter().find(|a| a.login == l).unwrap().account_id;
    let tokens = Tokens {
        officer: jineng_web::issue_api_token(&store, id("city"), "fuzz", &actor)
            .await
            .unwrap(),
        worker: jineng_web::issue_api_token(&store, id("worker"), "fuzz", &actor)
            .await
            .unwrap(),
        platform: platform_token(&store, &actor).await,
    };
    let limits = jineng_web::Limits {
        login_per_minute: 1000,
        lookup_per_minute: 1_000_000,
    };
    let app: Router = jineng_web::router(jineng_web::AppState::new(store.clone(), limits, false));
    let res = app
        .clone()
        .oneshot(
            Request::get("/api/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let doc: Value =
        serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    // The trivial route (liveness, the load test's baseline) carries the
    // security headers like every route.
    let res = app
        .clone()
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "[{b}]");
    assert!(
        res.headers().contains_key(header::CONTENT_SECURITY_POLICY),
        "[{b}]"
    );
    assert_eq!(res.headers()[header::X_FRAME_OPTIONS], "DENY", "[{b}]");
    assert_eq!(
        &res.into_body().collect().await.unwrap().to_bytes()[..],
        b"ok"
    );
    let ops = operations(&doc);
    assert!(
        ops.len() >= 12,
        "[{b}] the document lists the API: {}",
        ops.len()
    );
    let pools = pools(db).await;

    let mut rng = Rng(0x4A49_4E45_4E47);
    let mut failures: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut statuses: BTreeMap<String, BTreeMap<u16, usize>> = BTreeMap::new();
    let started = std::time::Instant::now();
    for op in &ops {
        let name = format!("{} {}", op.method, op.path);
        for _ in 0..PER_OPERATION {
            let (shown, req) = request(&doc, op, &pools, &tokens, &mut rng);
            let res = app.clone().oneshot(req).await.unwrap();
            let status = res.status().as_u16();
            let ct = res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let bytes = res.into_body().collect().await.unwrap().to_bytes();
            *statuses
                .entry(name.clone())
                .or_default()
                .entry(status)
                .or_default() += 1;
            if let Some((kind, text)) = problem(op, status, &ct, &bytes) {
                let example = format!("{text}\n      e.g. {shown}");
                failures
                    .entry(format!("{name}: {kind}"))
                    .or_insert((0, example))
                    .0 += 1;
            }
        }
    }
    eprintln!(
        "[{b}] {} operations × {PER_OPERATION} requests in {:.1} s",
        ops.len(),
        started.elapsed().as_secs_f64()
    );
    for (op, s) in &statuses {
        eprintln!("[{b}]   {op}: {s:?}");
    }
    let report: Vec<String> = failures
        .iter()
        .map(|(k, (n, e))| format!("  {k} ×{n}\n      {e}"))
        .collect();
    assert!(
        report.is_empty(),
        "[{b}] {} kinds of failure:\n{}",
        report.len(),
        report.join("\n")
    );
    // The run exercised the happy paths too, not only the refusals.
    for op in [
        "GET /api/v1/claims/{no}",
        "GET /api/v1/persons/{id}",
        "GET /api/v1/certificates/lookup",
        "POST /api/v1/claims/{no}/approve",
        "POST /api/v1/learning-sessions",
        "GET /api/v1/learning-sessions",
    ] {
        assert!(
            statuses[op].contains_key(&200),
            "[{b}] {op} never succeeded: {:?}",
            statuses[op]
        );
    }
    // The writes left the audit chain intact.
    assert!(
        db.ok(&["audit", "verify"]).contains("审计链校验通过"),
        "[{b}]"
    );
}
