//! The what-if page's scope and refusals, and its API: a county
//! officer's run is the county's rows of the city's run; a worker and an
//! institution are refused the page and the form; the API answers what the
//! CLI prints, refuses an unknown path naming it and a worker's token.

use super::{NOOP, TYPO, b5_draft, i, keys, row, run, totals, upload};
use crate::common::TestDb;
use crate::common::http::{COUNTY, Site, between, send};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

/// The county officer's run: the county's rows of the city's run.
pub async fn county(db: &TestDb, site: &Site, city: &Value) {
    let b = db.backend;
    let (cookie, csrf) = site.login("county").await;
    let (_, page) = run(site, &cookie, &csrf, &b5_draft()).await;
    let mine: Vec<&Value> = city["by_region"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["region"].as_str().unwrap().starts_with(COUNTY))
        .collect();
    assert!(!mine.is_empty(), "[{b}] the county has claims");
    let sum = |k: &str| mine.iter().map(|r| i(&r[k])).sum::<i64>();
    let want = json!({"claims": sum("claims"), "changed": sum("changed"), "base_fen": sum("base_fen"), "draft_fen": sum("draft_fen")});
    assert_eq!(
        row(&page.body, "totals", "total").unwrap(),
        totals(&want),
        "[{b}]"
    );
    assert!(i(&want["claims"]) < i(&city["claims"]), "[{b}]");
    for k in keys(&page.body, "table-region") {
        assert!(k.starts_with(COUNTY), "[{b}] only the county: {k}");
    }
    assert!(
        page.body.contains(&format!("（{COUNTY}）")),
        "[{b}] the scope is stated"
    );
    let pager = between(&page.body, "<span class=\"count\">", "</span>").unwrap();
    assert!(
        pager.starts_with(&format!("共 {} 条", want["changed"])),
        "[{b}] {pager}"
    );
    // Another account cannot open the city's runs.
    let r = site.get("/policy/whatif/1", &cookie).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "[{b}]");
}

pub async fn refused(db: &TestDb, site: &Site) {
    let b = db.backend;
    for login in ["worker", "school"] {
        let (cookie, csrf) = site.login(login).await;
        let r = site.get("/policy/whatif", &cookie).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] {login}");
        assert!(
            !r.body.contains("href=\"/policy/whatif\""),
            "[{b}] {login}: not in the menu"
        );
        let r = upload(site, &cookie, &[("csrf", &csrf)], "d.toml", NOOP).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] {login} posts");
    }
}

async fn post_api(site: &Site, token: &str, body: &Value) -> (StatusCode, Value) {
    let req = Request::post("/api/v1/policy/whatif")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json");
    let r = send(&site.app, req.body(Body::from(body.to_string())).unwrap()).await;
    (r.status, serde_json::from_str(&r.body).unwrap_or_default())
}

pub async fn api(db: &TestDb, site: &Site, want: &Value) {
    let b = db.backend;
    let city = site.token("city").await;
    let (s, v) = post_api(
        site,
        &city,
        &json!({"draft": b5_draft(), "file_name": "b5.toml"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "[{b}] {v}");
    assert_eq!(&v, want, "[{b}] the API answers what the CLI prints");
    let (s, v) = post_api(site, &city, &json!({"draft": TYPO})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "[{b}]");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("rules.R2.max_per_yaer"),
        "[{b}] {v}"
    );
    let (s, _) = post_api(site, &site.token("worker").await, &json!({"draft": NOOP})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "[{b}]");
}
