//! `/metrics` on SQLite and PostgreSQL, over the demo: a Prometheus
//! scraper reads requests by route template (a person's page is labelled
//! `/persons/{id}`, never with the ID number), latency histograms whose
//! buckets add up, the pool, and the store's counters moving when an
//! officer approves a claim. With a token configured, only a scraper that
//! sends it reads the figures.

use crate::common;

use crate::common::http::{COUNTY, Site, Sql, get, on_demo, post, send};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{TestDb, backends};

#[test]
fn a_scraper_reads_routes_latencies_and_write_counters() {
    on_demo("metrics", "300", scrape);
}

/// The value of the sample line `name{labels}`, if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

async fn metrics(app: &axum::Router) -> String {
    let r = get(app, "/metrics", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

async fn scrape(db: &TestDb) {
    let b = db.backend;
    let site = Site::open(db).await;
    let mut sql = Sql::open(db).await;
    let (county, csrf) = site.login("county").await;

    let first = metrics(&site.app).await;
    assert!(
        first.contains("# TYPE jineng_http_requests_total counter"),
        "[{b}]"
    );
    assert!(
        sample(&first, r#"jineng_db_pool_max_connections"#).unwrap() >= 1.0,
        "[{b}] {first}"
    );
    let approved_before = sample(&first, "jineng_claims_approved_total").unwrap();

    // A person's page, the claims list three times, a path nobody routes.
    let id = sql
        .int(&format!(
            "SELECT MIN(person_id) FROM persons WHERE hukou_region LIKE '{COUNTY}%'"
        ))
        .await;
    assert_eq!(
        get(&site.app, &format!("/persons/{id}"), &county)
            .await
            .status,
        StatusCode::OK
    );
    for _ in 0..3 {
        assert_eq!(
            get(&site.app, "/claims", &county).await.status,
            StatusCode::OK
        );
    }
    get(&site.app, "/no/such/page/110101199003070011", &county).await;

    // An officer approves an eligible claim of the county.
    let claim = sql
        .text(&format!(
            "SELECT c.claim_no FROM claims c JOIN persons p ON p.person_id = c.person_id \
             WHERE c.status = 'eligible' AND p.hukou_region LIKE '{COUNTY}%' \
             ORDER BY c.claim_no LIMIT 1"
        ))
        .await;
    let r = post(
        &site.app,
        &format!("/claims/{claim}/approve"),
        &county,
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    assert_eq!(
        sql.text(&format!(
            "SELECT status FROM claims WHERE claim_no = '{claim}'"
        ))
        .await,
        "approved",
        "[{b}]"
    );

    let text = metrics(&site.app).await;
    let persons = r#"jineng_http_requests_total{route="/persons/{id}",method="GET",status="200"}"#;
    assert_eq!(sample(&text, persons), Some(1.0), "[{b}] {text}");
    let claims = r#"jineng_http_requests_total{route="/claims",method="GET",status="200"}"#;
    assert_eq!(sample(&text, claims), Some(3.0), "[{b}] {text}");
    assert!(
        text.contains(r#"route="/claims/{no}/approve",method="POST""#),
        "[{b}] {text}"
    );
    // No ID number, no raw path, no claim number anywhere.
    for p in sql.texts("SELECT id_number FROM persons").await {
        assert!(!text.contains(&p), "[{b}] an ID number in /metrics");
    }
    assert!(
        !text.contains("/no/such/page"),
        "[{b}] an unrouted path became a label"
    );
    assert!(!text.contains(&claim), "[{b}] a claim number in /metrics");

    // The histogram of /claims: cumulative buckets ending at its count.
    let buckets: Vec<f64> = text
        .lines()
        .filter(|l| {
            l.starts_with(r#"jineng_http_request_duration_seconds_bucket{route="/claims","#)
        })
        .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    assert!(buckets.len() > 2, "[{b}]");
    assert!(
        buckets.windows(2).all(|w| w[0] <= w[1]),
        "[{b}] {buckets:?}"
    );
    let count = sample(
        &text,
        r#"jineng_http_request_duration_seconds_count{route="/claims"}"#,
    );
    assert_eq!(buckets.last().copied(), count, "[{b}]");
    assert_eq!(count, Some(3.0), "[{b}]");

    // The store's counters are process-wide: other tests may add to them.
    let approved_after = sample(&text, "jineng_claims_approved_total").unwrap();
    assert!(
        approved_after >= approved_before + 1.0,
        "[{b}] {approved_before} → {approved_after}"
    );
    assert!(sample(&text, r#"jineng_db_pool_connections{state="open"}"#).unwrap() >= 1.0);
}

#[test]
fn with_a_token_only_the_scraper_reads() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = backends("metrics_token").remove(0);
    db.ok(&["init"]);
    rt.block_on(async {
        let store = jineng_store::Store::connect(&db.url).await.unwrap();
        let limits = jineng_web::Limits {
            login_per_minute: 1000,
            lookup_per_minute: 1000,
        };
        let app = jineng_web::router(
            jineng_web::AppState::new(store, limits, false)
                .with_metrics_token(Some("scrape-7f3a".into())),
        );
        let ask = |auth: Option<&'static str>| {
            let mut r = Request::get("/metrics");
            if let Some(a) = auth {
                r = r.header("authorization", a);
            }
            r.body(Body::empty()).unwrap()
        };
        assert_eq!(send(&app, ask(None)).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            send(&app, ask(Some("Bearer scrape-7f3b"))).await.status,
            StatusCode::UNAUTHORIZED
        );
        let ok = send(&app, ask(Some("Bearer scrape-7f3a"))).await;
        assert_eq!(ok.status, StatusCode::OK);
        assert!(ok.body.contains("jineng_build_info"));
    });
}
