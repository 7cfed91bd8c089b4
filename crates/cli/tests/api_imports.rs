//! Uploads through the API, on SQLite and PostgreSQL, over the demo loaded
//! by the real binary: a county officer's token posts a roster file with
//! one bad row as the request body, polls the job until done, and gets the
//! row, column and reason of the bad row while the good rows are written.
//! A dry run writes nothing; another account cannot see the job; a wrong
//! template type, file name or an empty body is 400, no token 401.

use crate::common;

use crate::common::http::{CountyRoster, Site, Sql, on_demo};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

#[test]
fn a_machine_client_uploads_a_roster_and_reads_its_report() {
    on_demo("api_imports", "300", walk);
}

async fn post_file(
    site: &Site,
    token: &str,
    query: &str,
    body: &str,
) -> (StatusCode, serde_json::Value) {
    let req = Request::post(format!("/api/v1/imports?{query}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(body.to_string()))
        .unwrap();
    let r = crate::common::http::send(&site.app, req).await;
    (r.status, serde_json::from_str(&r.body).unwrap_or_default())
}

/// Polls the job until it is no longer running.
async fn finished(site: &Site, token: &str, id: u64) -> serde_json::Value {
    for _ in 0..300 {
        let (code, v) = site
            .api("GET", &format!("/api/v1/imports/{id}"), token)
            .await;
        assert_eq!(code, StatusCode::OK, "{v}");
        if v["status"] != "running" {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("import {id} still running after 30 s");
}

async fn walk(db: &common::TestDb) {
    let b = db.backend;
    let site = Site::open(db).await;
    let mut sql = Sql::open(db).await;
    let actor = jineng_store::Actor("test:setup".into());
    let token_of = |login: &str| {
        let id = site.account(login).account_id;
        let store = site.store.clone();
        let actor = actor.clone();
        async move {
            jineng_web::issue_api_token(&store, id, "test", &actor)
                .await
                .unwrap()
        }
    };
    let county = token_of("county").await;

    // A county class and three county persons not on its roster; row 3
    // asks for too many hours.
    let CountyRoster {
        class_id,
        csv: roster,
        ..
    } = sql.county_roster_with_a_bad_row().await;
    let enrolled = format!("SELECT COUNT(*) FROM enrolments WHERE class_id = {class_id}");
    let before = sql.int(&enrolled).await;
    let file = "kind=roster&file_name=%E8%8A%B1%E5%90%8D%E5%86%8C.csv";

    // A dry run checks every row and writes nothing.
    let (code, v) = post_file(&site, &county, &format!("{file}&dry_run=true"), &roster).await;
    assert_eq!(code, StatusCode::ACCEPTED, "[{b}] {v}");
    let v = finished(&site, &county, v["id"].as_u64().unwrap()).await;
    assert_eq!(
        (v["accepted"].as_u64(), v["rejected"].as_u64()),
        (Some(2), Some(1)),
        "[{b}] {v}"
    );
    assert_eq!(
        sql.int(&enrolled).await,
        before,
        "[{b}] the dry run wrote rows"
    );

    // The real run writes the two good rows and reports the bad one.
    let (code, v) = post_file(&site, &county, file, &roster).await;
    assert_eq!(code, StatusCode::ACCEPTED, "[{b}] {v}");
    let id = v["id"].as_u64().unwrap();
    let v = finished(&site, &county, id).await;
    assert_eq!(v["status"], "done", "[{b}] {v}");
    assert_eq!(
        (v["inserted"].as_u64(), v["rejected"].as_u64()),
        (Some(2), Some(1)),
        "[{b}] {v}"
    );
    let err = &v["errors"][0];
    assert_eq!(
        (err["row"].as_u64(), err["column"].as_str()),
        (Some(3), Some("线下课时")),
        "[{b}] {v}"
    );
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("超过该班计划课时"),
        "[{b}] {v}"
    );
    assert_eq!(sql.int(&enrolled).await, before + 2, "[{b}]");

    // Only the uploading account sees its job.
    let city = token_of("city").await;
    let (code, _) = site
        .api("GET", &format!("/api/v1/imports/{id}"), &city)
        .await;
    assert_eq!(code, StatusCode::FORBIDDEN, "[{b}]");

    // Bad requests: a clear 400 each, no job; no token: 401.
    for (query, body, needle) in [
        (
            "kind=bogus&file_name=a.csv",
            roster.as_str(),
            "不是可导入的模板类型",
        ),
        ("kind=roster&file_name=a.exe", roster.as_str(), ""),
        ("kind=roster&file_name=a.csv", "", "请求体为空"),
    ] {
        let (code, v) = post_file(&site, &county, query, body).await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "[{b}] {query}: {v}");
        assert!(v["error"].as_str().unwrap().contains(needle), "[{b}] {v}");
    }
    let (code, _) = post_file(&site, "not-a-token", file, &roster).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED, "[{b}]");
    assert_eq!(
        sql.int(&enrolled).await,
        before + 2,
        "[{b}] nothing more written"
    );
    site.store.close().await;
}
