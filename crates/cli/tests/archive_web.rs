//! The worker's archive on the web (issue 15 item 5), after
//! `archive::the_archive_bundle_and_pdf_verify_and_are_audited` exported it
//! twice from the CLI: `/me` shows certificates with PDF and verify links
//! and subsidies in 元; the worker downloads their archive (the JSON bundle
//! verifies with `cert verify`) and certificate PDFs, each download audited;
//! another worker gets 403 for the sample's records and their own archive;
//! an officer of the city takes it from the person's page.

use crate::archive::{Sample, other_holder};
use crate::common::TestDb;
use crate::common::http::{Site, Sql, login};
use axum::http::StatusCode;
use jineng_domain::access::{Role, Scope};
use jineng_store::{Actor, Store};

pub(crate) async fn web(db: &TestDb, s: &Sample, masked: &str) {
    let b = db.backend;
    let site = Site::open(db).await;
    let (worker, _) = site.login("worker").await;
    let me = site.get("/me", &worker).await;
    assert_eq!(me.status, StatusCode::OK, "[{b}]");
    for w in [
        "/me/archive.pdf",
        "/me/archive.json",
        "已领取补贴合计",
        " 元",
        "有效",
    ] {
        assert!(me.body.contains(w), "[{b}] {w} not on /me");
    }
    let no = &s.valid[0];
    assert!(
        me.body.contains(&format!("/certificates/{no}/pdf")),
        "[{b}]"
    );
    let j = site.get("/me/archive.json", &worker).await;
    assert_eq!(j.status, StatusCode::OK, "[{b}] {}", j.body);
    let file = db.path("web-archive.json");
    std::fs::write(&file, &j.bytes).unwrap();
    let out = db.run(&["cert", "verify", file.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "[{b}] {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let p = site.get("/me/archive.pdf", &worker).await;
    assert!(
        p.status == StatusCode::OK && p.bytes.starts_with(b"%PDF-"),
        "[{b}]"
    );
    let c = site.get(&format!("/certificates/{no}/pdf"), &worker).await;
    assert!(
        c.status == StatusCode::OK && c.bytes.starts_with(b"%PDF-"),
        "[{b}]"
    );
    let mut sql = Sql::open(db).await;
    let audited = sql
        .texts(&format!(
            "SELECT actor FROM audit_log WHERE action = 'export_archive' AND entity_key = '{masked}' ORDER BY audit_id"
        ))
        .await;
    assert_eq!(audited.len(), 4, "[{b}] {audited:?}");
    assert!(audited[2].contains("worker"), "[{b}] {audited:?}");

    // Another worker: their own page, never the sample's.
    let (other, other_cert) = other_holder(db, s.pid).await;
    let store: &Store = &site.store;
    let acct = jineng_web::create_account(
        store,
        "worker2",
        "worker2",
        Role::Worker,
        Scope::Person(other),
        &Actor("test:setup".into()),
    )
    .await
    .unwrap();
    let (w2, _) = login(&site.app, "worker2", &acct.password).await;
    for path in [
        format!("/persons/{}/archive.json", s.pid),
        format!("/persons/{}/archive.pdf", s.pid),
        format!("/certificates/{no}/pdf"),
    ] {
        let r = site.get(&path, &w2).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] {path}");
    }
    let mine = site
        .get(&format!("/certificates/{other_cert}/pdf"), &w2)
        .await;
    assert_eq!(mine.status, StatusCode::OK, "[{b}]");
    let own = site.get("/me/archive.json", &w2).await;
    assert!(
        own.status == StatusCode::OK && !own.body.contains(masked),
        "[{b}]"
    );

    // An officer of the city takes the archive from the person's page.
    let (city, _) = site.login("city").await;
    let page = site.get(&format!("/persons/{}", s.pid), &city).await;
    assert!(
        page.body
            .contains(&format!("/persons/{}/archive.pdf", s.pid)),
        "[{b}]"
    );
    let r = site
        .get(&format!("/persons/{}/archive.json", s.pid), &city)
        .await;
    assert_eq!(r.status, StatusCode::OK, "[{b}]");
}
