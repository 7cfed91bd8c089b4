//! The import page's list of uploads through the real router, on SQLite
//! and PostgreSQL: 共 N 条 and a second page, the template and status
//! filters, sorting, and bad values refused in Chinese; the task tables'
//! status filter and sort.

use crate::common;

use crate::common::http::{Site, between, on_demo, upload};
use axum::http::StatusCode;
use axum::http::header;
use common::TestDb;

#[test]
fn uploads_are_paged_filtered_and_sorted() {
    on_demo("web_lists3", "300", uploads);
}

/// The N of 共 N 条.
fn total(html: &str) -> i64 {
    between(html, "共 ", " 条")
        .unwrap_or_else(|| panic!("no count: {html}"))
        .parse()
        .unwrap()
}

/// The job ids listed, in order.
fn jobs(html: &str) -> Vec<String> {
    html.split("<a href=\"/imports/")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

/// Uploads a file (仅校验) and waits until its job has ended.
async fn send(site: &Site, cookie: &str, csrf: &str, kind: &str, name: &str) {
    let fields = [("csrf", csrf), ("kind", kind), ("dry_run", "1")];
    let r = upload(&site.app, cookie, &fields, name, "甲,乙\n1,2\n".as_bytes()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = r.headers[header::LOCATION].to_str().unwrap().to_string();
    for _ in 0..600 {
        let f = site.get(&format!("{to}/progress"), cookie).await;
        if !f.body.contains("hx-trigger") {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{to} did not end");
}

async fn uploads(db: &TestDb) {
    let b = db.backend;
    let site = Site::open(db).await;
    let (county, csrf) = site.login("county").await;
    for n in 0..21 {
        send(&site, &county, &csrf, "persons", &format!("人员{n:02}.csv")).await;
    }
    send(&site, &county, &csrf, "regions", "区划.csv").await;

    let first = site.get("/imports", &county).await;
    assert_eq!(first.status, StatusCode::OK, "[{b}] {}", first.body);
    assert_eq!(total(&first.body), 22, "[{b}]");
    let p1 = jobs(&first.body);
    assert_eq!(p1.len(), 20, "[{b}]");
    assert_eq!(p1[0], "22", "[{b}] newest first: {p1:?}");
    let p2 = jobs(&site.get("/imports?page=2", &county).await.body);
    assert_eq!(p2.len(), 2, "[{b}]");
    assert!(p2.iter().all(|j| !p1.contains(j)), "[{b}] pages overlap");

    let r = site.get("/imports?kind=regions", &county).await;
    assert_eq!(total(&r.body), 1, "[{b}] by template");
    let running = total(&site.get("/imports?status=running", &county).await.body);
    let done = total(&site.get("/imports?status=done", &county).await.body);
    let failed = total(&site.get("/imports?status=failed", &county).await.body);
    assert_eq!((running, done + failed), (0, 22), "[{b}] by status");

    let r = site
        .get("/imports?kind=persons&sort=file&dir=asc", &county)
        .await;
    assert_eq!(total(&r.body), 21, "[{b}]");
    let names: Vec<String> = r
        .body
        .split("<td>人员")
        .skip(1)
        .filter(|s| s.as_bytes()[0].is_ascii_digit())
        .map(|s| s[..2].to_string())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "[{b}] by file name");
    assert_eq!(names[0], "00", "[{b}]");
    assert!(
        r.body
            .contains("/imports?kind=persons&amp;sort=file&amp;dir=asc&amp;page=2")
            || r.body
                .contains("/imports?kind=persons&#38;sort=file&#38;dir=asc&#38;page=2"),
        "[{b}] page links keep the filters"
    );

    for bad in [
        "/imports?sort=account_id",
        "/imports?dir=up",
        "/imports?kind=nope",
        "/imports?status=nope",
    ] {
        let r = site.get(bad, &county).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {bad}");
        assert!(r.body.contains("未知的"), "[{b}] {bad}: {}", r.body);
    }
    // The task tables: 共 N 条, open and done adding up, bad values refused.
    let all = total(&site.get("/tasks", &county).await.body);
    let open = total(&site.get("/tasks?status=open", &county).await.body);
    let done = total(&site.get("/tasks?status=done", &county).await.body);
    let overdue = total(
        &site
            .get("/tasks?status=overdue&sort=due&dir=desc", &county)
            .await
            .body,
    );
    assert!(all > 0, "[{b}] the demo's task tables bind the county");
    assert_eq!(open + done, all, "[{b}] tasks");
    assert!(overdue <= open, "[{b}]");
    for bad in ["/tasks?status=nope", "/tasks?sort=region", "/tasks?dir=up"] {
        let r = site.get(bad, &county).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {bad}");
        assert!(r.body.contains("未知的"), "[{b}] {bad}: {}", r.body);
    }

    // Another officer sees none of them.
    let (city, _) = site.login("city").await;
    assert_eq!(total(&site.get("/imports", &city).await.body), 0, "[{b}]");
}
