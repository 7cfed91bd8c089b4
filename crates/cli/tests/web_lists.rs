//! The list pages through the real router, on SQLite and PostgreSQL, over
//! a demo loaded by the real binary: the claims queue's count, paging,
//! sort, filters and search against SQL; person search by part of a name,
//! an ID number's last digits, a certificate number and (by POST only) a
//! whole ID number; the class list's `pending`; the institutions' pager;
//! and 批量核准 through its preview: the count and total per fund, a stale
//! confirmation refused and re-previewed, the confirmed one acting on
//! exactly the previewed set, then redirecting to the queue's notice.

use crate::common;

use crate::common::http::{COUNTY, Site, Sql, between, encode, on_demo};
use axum::http::StatusCode;
use common::TestDb;

#[test]
fn lists_page_sort_filter_search_and_batches_preview() {
    on_demo("web_lists", "400", lists);
}

/// The N of 共 N 条.
fn total(html: &str) -> i64 {
    between(html, "共 ", " 条")
        .unwrap_or_else(|| panic!("no count: {html}"))
        .parse()
        .unwrap()
}

/// The claim numbers listed, in order.
fn claims_listed(html: &str) -> Vec<String> {
    html.split("<tr><td><a href=\"/claims/")
        .skip(1)
        .map(|s| s[..s.find(['"', '?']).unwrap()].to_string())
        .collect()
}

/// `12,345.67 元`
fn money(fen: i64) -> String {
    let yuan = (fen / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in yuan.chars().enumerate() {
        if i > 0 && (yuan.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped}.{:02} 元", fen % 100)
}

async fn lists(db: &TestDb) {
    let b = db.backend;
    let site = Site::open(db).await;
    let mut sql = Sql::open(db).await;
    let (city, _) = site.login("city").await;
    let in_county = |more: &str| {
        format!(
            "SELECT COUNT(*) FROM claims c JOIN persons p ON p.person_id = c.person_id \
             WHERE p.hukou_region LIKE '{COUNTY}%'{more}"
        )
    };

    // Count and paging: 50 a page, pages disjoint, the last one short.
    let all = sql
        .int("SELECT COUNT(*) FROM claims c JOIN persons p ON p.person_id = c.person_id WHERE p.hukou_region LIKE '3715%'")
        .await;
    assert!(all > 100, "[{b}] the demo has {all} claims");
    let first = site.get("/claims", &city).await;
    assert_eq!(first.status, StatusCode::OK, "[{b}]");
    assert_eq!(total(&first.body), all, "[{b}]");
    let p1 = claims_listed(&first.body);
    assert_eq!(p1.len(), 50, "[{b}]");
    let p2 = claims_listed(&site.get("/claims?page=2", &city).await.body);
    assert_eq!(p2.len(), 50, "[{b}]");
    assert!(p2.iter().all(|c| !p1.contains(c)), "[{b}] pages overlap");
    let pages = (all + 49) / 50;
    let last = site.get("/claims?page=99999", &city).await;
    assert_eq!(
        claims_listed(&last.body).len() as i64,
        all - (pages - 1) * 50,
        "[{b}] a page past the end shows the last"
    );
    assert!(
        last.body
            .contains(&format!("aria-current=\"page\">{pages}<")),
        "[{b}]"
    );

    // Sort by amount, largest first; the header flips the direction.
    let r = site.get("/claims?sort=amount&dir=desc", &city).await;
    let top = claims_listed(&r.body)[0].clone();
    let max = sql
        .int("SELECT MAX(amount_fen) FROM claims c JOIN persons p ON p.person_id = c.person_id WHERE p.hukou_region LIKE '3715%'")
        .await;
    assert_eq!(
        sql.int(&format!(
            "SELECT amount_fen FROM claims WHERE claim_no = '{top}'"
        ))
        .await,
        max,
        "[{b}]"
    );
    let header = between(&r.body, "<th aria-sort=\"descending\">", "</th>").unwrap_or_default();
    assert!(
        header.contains("sort=amount&amp;dir=asc") || header.contains("sort=amount&#38;dir=asc"),
        "[{b}] the header sorts the other way: {header}"
    );
    // The pager keeps the filters and the sort.
    let r = site
        .get("/claims?status=eligible&sort=name&dir=asc", &city)
        .await;
    let next = r
        .body
        .split("\" rel=\"next\"")
        .next()
        .and_then(|s| s.rsplit("href=\"").next())
        .unwrap_or_default();
    assert!(
        next.replace("&amp;", "&").replace("&#38;", "&")
            == "/claims?status=eligible&sort=name&dir=asc&page=2"
            || total(&r.body) <= 50,
        "[{b}] page links keep the filters: {next}"
    );

    // Filters: status, the county, a subsidy type; each against SQL.
    let eligible = site.get("/claims?status=eligible", &city).await;
    let want = sql
        .int("SELECT COUNT(*) FROM claims c JOIN persons p ON p.person_id = c.person_id WHERE c.status = 'eligible' AND p.hukou_region LIKE '3715%'")
        .await;
    assert_eq!(total(&eligible.body), want, "[{b}] status");
    let r = site.get(&format!("/claims?region={COUNTY}"), &city).await;
    assert_eq!(
        total(&r.body),
        sql.int(&in_county("")).await,
        "[{b}] county"
    );
    let kind = sql
        .text("SELECT subsidy_type FROM claims ORDER BY claim_no LIMIT 1")
        .await;
    let r = site
        .get(
            &format!("/claims?region={COUNTY}&type={}", encode(&kind)),
            &city,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    assert_eq!(
        total(&r.body),
        sql.int(&in_county(&format!(" AND c.subsidy_type = '{kind}'")))
            .await,
        "[{b}] type"
    );
    // Bad values are 400 in Chinese; a region outside the scope is 403.
    for bad in [
        "/claims?status=nope",
        "/claims?sort=password",
        "/claims?dir=up",
        "/claims?type=nope",
        "/claims?fund=nope",
    ] {
        let r = site.get(bad, &city).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {bad}");
        assert!(r.body.contains("未知的"), "[{b}] {bad}: {}", r.body);
    }
    let (county, county_csrf) = site.login("county").await;
    let r = site.get("/claims?region=371503", &county).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");

    // Search: a claim number, a name's part, an ID number's last digits.
    let (claim, name, id): (String, String, String) = {
        let row = sql
            .texts(&format!(
                "SELECT c.claim_no || '|' || p.name || '|' || p.id_number FROM claims c \
                 JOIN persons p ON p.person_id = c.person_id WHERE p.hukou_region LIKE '{COUNTY}%' \
                 ORDER BY c.claim_no LIMIT 1"
            ))
            .await;
        let parts: Vec<&str> = row[0].split('|').collect();
        (parts[0].into(), parts[1].into(), parts[2].into())
    };
    let r = site.get(&format!("/claims?q={claim}"), &county).await;
    assert!(claims_listed(&r.body).contains(&claim), "[{b}] by number");
    let digits = &id[id.len() - 6..];
    let r = site.get(&format!("/claims?q={digits}"), &county).await;
    assert!(
        claims_listed(&r.body).contains(&claim),
        "[{b}] by ID digits"
    );
    assert!(!r.body.contains(&id), "[{b}] IDs stay masked");
    let surname: String = name.chars().take(1).collect();
    let r = site
        .get(&format!("/claims?q={}", encode(&surname)), &county)
        .await;
    assert_eq!(
        total(&r.body),
        sql.int(&in_county(&format!(
            " AND (p.name LIKE '%{surname}%' OR c.claim_no LIKE '%{surname}%')"
        )))
        .await,
        "[{b}] by a name's part"
    );

    // Persons: part of a name, the ID's last digits, a certificate number,
    // and a whole ID number by POST only.
    let search = |q: String| {
        let site = &site;
        let county = county.clone();
        let csrf = county_csrf.clone();
        async move {
            site.post("/persons", &county, &[("csrf", &csrf), ("q", &q)])
                .await
        }
    };
    let given: String = name.chars().skip(1).collect();
    for part in [surname.clone(), given.clone()] {
        let r = search(part.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "[{b}]");
        let want = sql
            .int(&format!(
                "SELECT COUNT(*) FROM persons WHERE hukou_region LIKE '{COUNTY}%' AND name LIKE '%{part}%'"
            ))
            .await;
        assert_eq!(total(&r.body), want, "[{b}] persons by {part}");
        assert!(r.body.contains(&name), "[{b}] {part} finds {name}");
    }
    let r = search(digits.to_string()).await;
    assert!(r.body.contains(&name) && !r.body.contains(&id), "[{b}]");
    let r = search(id.clone()).await;
    assert_eq!(total(&r.body), 1, "[{b}] by the whole ID");
    let r = site.get(&format!("/persons?q={id}"), &county).await;
    assert!(
        r.body.contains("不能放在网址中") && !r.body.contains(&name),
        "[{b}] a whole ID in the address is not searched"
    );
    let r = site
        .get(&format!("/persons?q={}", encode(&surname)), &county)
        .await;
    assert!(r.body.contains(&name), "[{b}] a name by GET pages");
    if let Some(cert) = sql
        .texts(&format!(
            "SELECT ce.cert_no FROM certificates ce JOIN persons p ON p.person_id = ce.person_id \
             WHERE p.hukou_region LIKE '{COUNTY}%' ORDER BY ce.cert_no LIMIT 1"
        ))
        .await
        .first()
    {
        let r = search(cert.clone()).await;
        assert!(total(&r.body) >= 1, "[{b}] by certificate {cert}");
    }
    let r = site
        .post("/persons", &county, &[("csrf", "forged"), ("q", &id)])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");

    // Classes: `pending` is 待审核; institutions are paged with a count.
    let r = site.get("/classes?status=pending", &city).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    let registered = site.get("/classes?status=registered", &city).await;
    assert_eq!(total(&r.body), total(&registered.body), "[{b}]");
    let r = site.get("/institutions", &city).await;
    assert_eq!(
        total(&r.body),
        sql.int("SELECT COUNT(*) FROM institutions WHERE region_code LIKE '3715%'")
            .await,
        "[{b}]"
    );

    batch(db, &site, &mut sql).await;
}

/// 批量核准 through its preview, narrowed to one subsidy type.
async fn batch(db: &TestDb, site: &Site, sql: &mut Sql) {
    let b = db.backend;
    let (county, csrf) = site.login("county").await;
    let kind = sql
        .text(&format!(
            "SELECT c.subsidy_type FROM claims c JOIN persons p ON p.person_id = c.person_id \
             WHERE c.status = 'eligible' AND p.hukou_region LIKE '{COUNTY}%' \
             GROUP BY c.subsidy_type ORDER BY COUNT(*) DESC, c.subsidy_type LIMIT 1"
        ))
        .await;
    let set = format!(
        "FROM claims c JOIN persons p ON p.person_id = c.person_id \
         WHERE c.status = 'eligible' AND p.hukou_region LIKE '{COUNTY}%' AND c.subsidy_type = '{kind}'"
    );
    let held: Vec<String> = sql
        .texts(&format!("SELECT c.claim_no {set} ORDER BY c.claim_no"))
        .await
        .into_iter()
        .filter(|no| {
            let v: serde_json::Value =
                serde_json::from_str(&db.ok(&["claims", "show", no, "--json"])).unwrap();
            v["held_by"].as_str().is_some()
        })
        .collect();
    let n = sql.int(&format!("SELECT COUNT(*) {set}")).await;
    let fen = sql
        .int(&format!(
            "SELECT CAST(COALESCE(SUM(c.amount_fen), 0) AS BIGINT) {set}{}",
            held.iter()
                .map(|h| format!(" AND c.claim_no <> '{h}'"))
                .collect::<String>()
        ))
        .await;
    assert!(n > held.len() as i64, "[{b}] {n} eligible {kind}");
    let others = sql
        .int(&format!(
            "SELECT COUNT(*) FROM claims c JOIN persons p ON p.person_id = c.person_id \
             WHERE c.status = 'eligible' AND c.subsidy_type <> '{kind}'"
        ))
        .await;

    // The preview: count, total, per fund, the held claims; nothing done.
    let path = format!("/claims/approve-clean?type={}", encode(&kind));
    let r = site.get(&path, &county).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    let summary = between(&r.body, "id=\"batch-summary\">", "</p>").unwrap();
    assert!(
        summary.contains(&format!("<strong>{}</strong> 件", n - held.len() as i64))
            && summary.contains(&money(fen)),
        "[{b}] want {} / {}: {summary}",
        n - held.len() as i64,
        money(fen)
    );
    assert!(r.body.contains("id=\"batch-funds\""), "[{b}]");
    for h in &held {
        assert!(r.body.contains(h.as_str()), "[{b}] held {h} named");
    }
    assert_eq!(sql.int(&format!("SELECT COUNT(*) {set}")).await, n, "[{b}]");
    let fingerprint = between(&r.body, "name=\"fingerprint\" value=\"", "\"").unwrap();

    // The finance role may not; a forged token is 403.
    let (fin, fin_csrf) = site.login("finance").await;
    assert_eq!(
        site.get(&path, &fin).await.status,
        StatusCode::FORBIDDEN,
        "[{b}]"
    );
    let form = |csrf: &str, fp: &str| {
        vec![
            ("csrf", csrf.to_string()),
            ("fingerprint", fp.to_string()),
            ("type", kind.clone()),
        ]
    };
    let r = crate::common::http::postv(
        &site.app,
        "/claims/approve-clean",
        &fin,
        &form(&fin_csrf, &fingerprint),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");

    // A stale fingerprint: nothing done, the preview again with a warning.
    let r = crate::common::http::postv(
        &site.app,
        "/claims/approve-clean",
        &county,
        &form(&csrf, "0000"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "[{b}]");
    assert!(r.body.contains("已发生变化"), "[{b}] {}", r.body);
    assert_eq!(sql.int(&format!("SELECT COUNT(*) {set}")).await, n, "[{b}]");

    // Confirmed: exactly the set is approved, then the queue's notice.
    let f = form(&csrf, &fingerprint);
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = site.post_raw("/claims/approve-clean", &county, &f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "[{b}] {}", r.body);
    let to = r.headers["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/claims?"), "[{b}] {to}");
    let r = site.get(&to, &county).await;
    let notice = between(&r.body, "class=\"notice\" role=\"status\">", "</p>").unwrap();
    assert!(
        notice.contains(&format!(
            "批量核准完成：核准 {} 件，合计 {}",
            n - held.len() as i64,
            money(fen)
        )),
        "[{b}] {notice}"
    );
    if !held.is_empty() {
        assert!(
            notice.contains(&format!("未核准 {} 件", held.len()))
                && notice.contains("被监管线索暂停"),
            "[{b}] {notice}"
        );
    }
    let left = sql
        .texts(&format!("SELECT c.claim_no {set} ORDER BY c.claim_no"))
        .await;
    assert_eq!(left, held, "[{b}] only the held claims stay 待核准");
    assert_eq!(
        sql.int(&format!(
            "SELECT COUNT(*) FROM claims c JOIN persons p ON p.person_id = c.person_id \
             WHERE c.status = 'eligible' AND c.subsidy_type <> '{kind}'"
        ))
        .await,
        others,
        "[{b}] claims outside the filter untouched"
    );
    // Confirming the same set again finds it changed and does nothing.
    let r = crate::common::http::postv(
        &site.app,
        "/claims/approve-clean",
        &county,
        &form(&csrf, &fingerprint),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "[{b}]");
    assert!(r.body.contains("已发生变化"), "[{b}]");
}
