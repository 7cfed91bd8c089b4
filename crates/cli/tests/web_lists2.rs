//! More list pages through the real router, on SQLite and PostgreSQL, over
//! a demo loaded by the real binary: the accounts list's count, paging,
//! sort, search by login or name and role filter against SQL, bad values
//! refused in Chinese; a worker's 已申领 list counted, filtered and
//! sorted; and the claims queue's rows linking to their claim
//! with the queue's own query, so the claim's 返回 leads back to the page.

use crate::common;

use crate::common::http::{COUNTY, Site, Sql, between, on_demo};
use axum::http::StatusCode;
use common::TestDb;

#[test]
fn accounts_are_paged_sorted_searched_and_claims_link_back() {
    on_demo("web_lists2", "300", lists);
}

/// The N of 共 N 条.
fn total(html: &str) -> i64 {
    between(html, "共 ", " 条")
        .unwrap_or_else(|| panic!("no count: {html}"))
        .parse()
        .unwrap()
}

/// The logins listed, in order.
fn logins(html: &str) -> Vec<String> {
    html.split("<tr id=\"account-")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

async fn lists(db: &TestDb) {
    let b = db.backend;
    let site = Site::open(db).await;
    let mut sql = Sql::open(db).await;
    // Sixty more auditors of the county, so the list has a second page.
    for n in 0..60 {
        sql.exec(&format!(
            "INSERT INTO accounts (login, display_name, password_hash, role, region_code, active, created_at, updated_at) \
             VALUES ('aud{n:02}', '审计员{n:02}', 'x', 'auditor', '{COUNTY}', 1, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')"
        ))
        .await;
    }
    let (county, _) = site.login("county").await;
    let in_county = |more: &str| {
        format!(
            "SELECT COUNT(*) FROM accounts a WHERE (a.region_code LIKE '{COUNTY}%' \
             OR a.institution_id IN (SELECT i.institution_id FROM institutions i WHERE i.region_code LIKE '{COUNTY}%') \
             OR a.person_id IN (SELECT p.person_id FROM persons p WHERE p.hukou_region LIKE '{COUNTY}%') \
             OR SUBSTR(a.enterprise_code, 3, 6) LIKE '{COUNTY}%'){more}"
        )
    };

    // Count and paging: 50 a page, the pages disjoint.
    let all = sql.int(&in_county("")).await;
    assert!(all > 60, "[{b}] {all} accounts");
    let first = site.get("/accounts", &county).await;
    assert_eq!(first.status, StatusCode::OK, "[{b}] {}", first.body);
    assert_eq!(total(&first.body), all, "[{b}]");
    let p1 = logins(&first.body);
    assert_eq!(p1.len(), 50, "[{b}]");
    let mut sorted = p1.clone();
    sorted.sort();
    assert_eq!(p1, sorted, "[{b}] by login by default");
    let p2 = logins(&site.get("/accounts?page=2", &county).await.body);
    assert_eq!(p2.len() as i64, all - 50, "[{b}]");
    assert!(p2.iter().all(|l| !p1.contains(l)), "[{b}] pages overlap");

    // Sort by login, descending; the header flips the direction.
    let r = site.get("/accounts?sort=login&dir=desc", &county).await;
    let down = logins(&r.body);
    let max = sql
        .texts(&format!(
            "SELECT a.login FROM accounts a WHERE a.region_code LIKE '{COUNTY}%' ORDER BY a.login DESC LIMIT 1"
        ))
        .await;
    assert!(down[0] >= max[0], "[{b}] {down:?}");
    let header = between(&r.body, "<th aria-sort=\"descending\">", "</th>").unwrap_or_default();
    assert!(
        header.contains("sort=login&amp;dir=asc") || header.contains("sort=login&#38;dir=asc"),
        "[{b}] the header sorts the other way: {header}"
    );

    // Search by login or name, and the role filter, against SQL.
    let r = site.get("/accounts?q=aud0", &county).await;
    assert_eq!(total(&r.body), 10, "[{b}] aud00..aud09");
    let r = site
        .get(
            &format!("/accounts?q={}", crate::common::http::encode("审计员5")),
            &county,
        )
        .await;
    assert_eq!(total(&r.body), 10, "[{b}] 审计员50..59");
    let r = site.get("/accounts?role=auditor", &county).await;
    assert_eq!(
        total(&r.body),
        sql.int(&in_county(" AND a.role = 'auditor'")).await,
        "[{b}] role"
    );
    assert!(
        r.body.contains("<option value=\"auditor\" selected"),
        "[{b}]"
    );
    let r = site.get("/accounts?role=officer&q=aud", &county).await;
    assert_eq!(total(&r.body), 0, "[{b}]");
    assert!(r.body.contains("没有符合条件的账号"), "[{b}]");
    // The pager keeps the filters and the sort.
    let r = site.get("/accounts?role=auditor&sort=name", &county).await;
    assert!(
        r.body
            .contains("/accounts?role=auditor&amp;sort=name&amp;dir=asc&amp;page=2")
            || r.body
                .contains("/accounts?role=auditor&#38;sort=name&#38;dir=asc&#38;page=2"),
        "[{b}] page links keep the filters"
    );

    // Bad values are 400 in Chinese.
    for bad in [
        "/accounts?sort=password_hash",
        "/accounts?dir=up",
        "/accounts?role=root",
    ] {
        let r = site.get(bad, &county).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {bad}");
        assert!(r.body.contains("未知的"), "[{b}] {bad}: {}", r.body);
    }

    // A claim of the queue's second page links with the page's query, and
    // the claim's 返回 leads back there.
    let r = site
        .get("/claims?status=eligible&sort=name&dir=asc&page=2", &county)
        .await;
    assert_eq!(r.status, StatusCode::OK, "[{b}]");
    let link = between(&r.body, "<tr><td><a href=\"/claims/", "\"")
        .unwrap_or_else(|| panic!("[{b}] no claim: {}", r.body));
    let page = if total(&r.body) > 50 { 2 } else { 1 };
    let want = format!("status%3Deligible%26sort%3Dname%26dir%3Dasc%26page%3D{page}");
    assert!(link.ends_with(&format!("?back={want}")), "[{b}] {link}");
    let claim = site.get(&format!("/claims/{link}"), &county).await;
    assert_eq!(claim.status, StatusCode::OK, "[{b}]");
    let back = format!("/claims?status=eligible&amp;sort=name&amp;dir=asc&amp;page={page}");
    let back2 = back.replace("&amp;", "&#38;");
    assert!(
        claim.body.contains(&back) || claim.body.contains(&back2),
        "[{b}] 返回 keeps the queue's page"
    );

    // A worker's 已申领 list: counted, filtered by status, sorted, and
    // bad values refused in Chinese.
    let (worker, _) = site.login("worker").await;
    let mine = |more: &str| {
        format!(
            "SELECT COUNT(*) FROM claims c WHERE c.person_id = \
             (SELECT person_id FROM accounts WHERE login = 'worker'){more}"
        )
    };
    let r = site.get("/me/claims", &worker).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    assert_eq!(total(&r.body), sql.int(&mine("")).await, "[{b}]");
    let r = site
        .get("/me/claims?status=paid&sort=amount&dir=desc", &worker)
        .await;
    assert_eq!(r.status, StatusCode::OK, "[{b}]");
    assert_eq!(
        total(&r.body),
        sql.int(&mine(" AND c.status = 'paid'")).await,
        "[{b}] status"
    );
    let r = site.get("/me/claims?sort=amount&dir=desc", &worker).await;
    assert!(
        r.body.contains("<th aria-sort=\"descending\">") || total(&r.body) == 0,
        "[{b}] sorted by amount"
    );
    for bad in [
        "/me/claims?sort=password",
        "/me/claims?status=nope",
        "/me/claims?dir=up",
    ] {
        let r = site.get(bad, &worker).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {bad}");
        assert!(r.body.contains("未知的"), "[{b}] {bad}: {}", r.body);
    }
}
