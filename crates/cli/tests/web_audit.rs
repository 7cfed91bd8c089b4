//! The audit trail page on SQLite and PostgreSQL, over the demo loaded by
//! the real binary: a payment made through the pages is listed with its
//! actor and its before and after; the filters narrow the rows; no ID
//! number appears on the page (the trail never stores one) even after a
//! reveal; the chain status reads 审计链校验通过 and, after a row is
//! tampered with in SQL, names that row. Finance and workers get 403. A
//! county officer reads only rows about its region's records.

use crate::common;

use crate::common::http::{COUNTY, Site, Sql, on_demo};
use axum::http::StatusCode;
use common::TestDb;

#[test]
fn auditors_read_the_trail_and_its_chain_status() {
    on_demo("web_audit", "300", audit);
}

async fn audit(db: &TestDb) {
    let b = db.backend;
    let site = Site::open(db).await;
    let mut sql = Sql::open(db).await;
    let (county, csrf) = site.login("county").await;

    // The county officer approves and pays a claim, and reveals an ID.
    let claim = sql
        .text(&format!(
            "SELECT c.claim_no FROM claims c JOIN persons p ON p.person_id = c.person_id \
             WHERE c.status = 'eligible' AND p.hukou_region LIKE '{COUNTY}%' ORDER BY c.claim_no LIMIT 1"
        ))
        .await;
    for action in ["approve", "pay"] {
        let r = site.claim_action(&claim, action, &county, &csrf).await;
        assert_eq!(r.status, StatusCode::OK, "[{b}] {action}: {}", r.body);
    }
    assert_eq!(
        sql.text(&format!(
            "SELECT status FROM claims WHERE claim_no = '{claim}'"
        ))
        .await,
        "paid",
        "[{b}]"
    );
    let person = sql
        .int(&format!(
            "SELECT person_id FROM claims WHERE claim_no = '{claim}'"
        ))
        .await;
    let r = site
        .post(
            &format!("/persons/{person}/reveal"),
            &county,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "[{b}]");

    // Who may read it.
    for role in ["finance", "worker"] {
        let (cookie, _) = site.login(role).await;
        assert_eq!(
            site.get("/audit", &cookie).await.status,
            StatusCode::FORBIDDEN,
            "[{b}] {role}"
        );
    }
    let (auditor, _) = site.login("auditor").await;
    let page = site.get("/audit", &auditor).await;
    assert_eq!(page.status, StatusCode::OK, "[{b}]");
    assert!(page.body.contains("审计链校验通过"), "[{b}] {}", page.body);
    assert_eq!(
        site.get("/audit", &county).await.status,
        StatusCode::OK,
        "[{b}] officers read it too"
    );

    // The payment, newest first, with its actor and before/after.
    let filtered = site
        .get(
            "/audit?actor=web%3Acounty&entity=claim&action=claim_status",
            &auditor,
        )
        .await;
    let payment = sql
        .int(&format!(
            "SELECT MAX(audit_id) FROM audit_log WHERE action = 'claim_status' AND entity_key = '{claim}'"
        ))
        .await;
    let row = crate::common::http::between(
        &filtered.body,
        &format!("<tr id=\"audit-{payment}\">"),
        "</tr>",
    )
    .unwrap_or_else(|| panic!("[{b}] the payment's row: {}", filtered.body));
    // In Chinese: the officer by name and role, the action, the claim
    // linked, the status change and the fund by name; no codes.
    let officer = sql
        .texts("SELECT display_name FROM accounts WHERE login = 'county'")
        .await;
    for needle in [
        officer[0].as_str(),
        "经办",
        "变更申领状态",
        &format!("<a href=\"/claims/{claim}\">{claim}</a>"),
        "状态：已核准 → 已支付",
        "资金来源：",
    ] {
        assert!(row.contains(needle), "[{b}] {needle} in {row}");
    }
    for code in ["web:county", "claim_status", "status：", "approved", "{"] {
        assert!(!row.contains(code), "[{b}] {code} in {row}");
    }
    let rows = filtered.body.matches("<tr id=\"audit-").count();
    let expected = sql
        .int("SELECT COUNT(*) FROM audit_log WHERE actor LIKE '%web:county%' AND entity = 'claim' AND action = 'claim_status'")
        .await;
    assert_eq!(rows as i64, expected, "[{b}] the filters");
    let none = site.get("/audit?to=2000-01-01", &auditor).await;
    assert!(none.body.contains("共 0 条"), "[{b}]");
    let bad = site.get("/audit?from=2019-13-01", &auditor).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "[{b}]");
    assert!(bad.body.contains("不是日期"), "[{b}]");

    // No ID number, anywhere on the trail or its pages.
    let ids = sql.texts("SELECT id_number FROM persons").await;
    let stored = sql
        .int(
            "SELECT COUNT(*) FROM audit_log a JOIN persons p ON a.entity_key = p.id_number \
             OR a.before LIKE '%' || p.id_number || '%' OR a.after LIKE '%' || p.id_number || '%'",
        )
        .await;
    assert_eq!(stored, 0, "[{b}] the trail stores no ID number");
    let reveal = site.get("/audit?action=reveal", &auditor).await;
    assert!(
        reveal
            .body
            .contains(&format!("<a href=\"/persons/{person}\">{person}</a>")),
        "[{b}] the person linked"
    );
    assert!(reveal.body.contains("查看完整证件号码"), "[{b}]");
    let pages = site.get("/audit?page=2", &auditor).await;
    for body in [&page.body, &filtered.body, &reveal.body, &pages.body] {
        for id in &ids {
            assert!(
                !body.contains(id.as_str()),
                "[{b}] an ID number on the page"
            );
        }
    }

    // The county officer reads only its own region's rows: its payment
    // and reveal, no other county's claim, no batch run across the city
    // (a decision run lists claim numbers of every county). The city
    // auditor reads those too.
    let outside = sql
        .texts(&format!(
            "SELECT c.claim_no FROM claims c JOIN persons p ON p.person_id = c.person_id \
             WHERE p.hukou_region NOT LIKE '{COUNTY}%'"
        ))
        .await;
    let in_scope = sql
        .int(&format!(
            "SELECT COUNT(*) FROM audit_log a WHERE a.entity = 'claim' AND a.entity_key IN \
             (SELECT c.claim_no FROM claims c JOIN persons p ON p.person_id = c.person_id \
              WHERE p.hukou_region LIKE '{COUNTY}%')"
        ))
        .await;
    assert!(
        in_scope > 0 && !outside.is_empty(),
        "[{b}] both kinds exist"
    );
    // Each row carries its record's region from when it was written
    // (migration 0049): the filter reads that column, not the records.
    let carried = sql
        .int(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'claim' AND region_code LIKE '{COUNTY}%'"
        ))
        .await;
    assert_eq!(carried, in_scope, "[{b}] the claim rows carry the county");
    let claims = site.get("/audit?entity=claim", &county).await;
    assert!(
        claims.body.contains(&format!("共 {in_scope} 条")),
        "[{b}] the count is the county's: {in_scope}"
    );
    let all = sql
        .int("SELECT COUNT(*) FROM audit_log WHERE entity = 'claim'")
        .await;
    assert!(
        site.get("/audit?entity=claim", &auditor)
            .await
            .body
            .contains(&format!("共 {all} 条")),
        "[{b}] the city auditor counts every county's"
    );
    let mut county_pages = vec![claims.body.clone()];
    for q in [
        "",
        "?entity=claims",
        "?entity=ledger_tx",
        "?entity=import_batch",
        "?page=2",
    ] {
        county_pages.push(site.get(&format!("/audit{q}"), &county).await.body);
    }
    for body in &county_pages {
        for no in &outside {
            assert!(
                !body.contains(no.as_str()),
                "[{b}] {no} is another county's"
            );
        }
    }
    assert!(
        county_pages[2].contains("共 0 条"),
        "[{b}] no city-wide decision run for the county"
    );
    assert!(
        !site
            .get("/audit?entity=claims", &auditor)
            .await
            .body
            .contains("共 0 条"),
        "[{b}] the city auditor sees the decision runs"
    );
    let mine = site.get("/audit?action=reveal", &county).await;
    assert!(
        mine.body
            .contains(&format!("<a href=\"/persons/{person}\">{person}</a>")),
        "[{b}] its own reveal"
    );

    // Tampering with a row in SQL: the page names it.
    let victim = sql
        .int("SELECT MIN(audit_id) FROM audit_log WHERE action = 'approve'")
        .await;
    sql.exec(&format!(
        "UPDATE audit_log SET after = '{{\"note\":\"改\"}}' WHERE audit_id = {victim}"
    ))
    .await;
    let page = site.get("/audit", &auditor).await;
    assert!(
        page.body.contains(&format!(
            "审计链校验未通过：第 {victim} 条记录内容与其哈希不符"
        )),
        "[{b}] {}",
        crate::common::http::between(&page.body, "id=\"chain\">", "<").unwrap_or_default()
    );
    site.store.close().await;
}
