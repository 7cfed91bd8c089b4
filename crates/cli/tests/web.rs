//! The web platform against the demo, on SQLite and PostgreSQL: the demo
//! is loaded by the real binary, the real router runs in-process on the
//! same database, and every role walks its routes. Nothing outside an
//! account's scope may appear (lists, counts, sums, API); forbidden
//! actions get 403 and change nothing; forms without the CSRF token are
//! refused; a reveal is audited and the audit chain still verifies.

use crate::common;

use axum::http::{StatusCode, header};
use common::TestDb;
use common::http::{
    COUNTY, Site, Sql, api, csrf_of, encode, get, login, on_demo, post, set_cookie,
};

/// Claim numbers linked from a page.
fn claim_links(html: &str) -> Vec<String> {
    html.split("href=\"/claims/")
        .skip(1)
        .map(|s| s[..s.find(['"', '?']).unwrap()].to_string())
        .filter(|s| s != "approve-clean")
        .collect()
}

/// The SQL that reads a claim's status.
fn status(no: &str) -> String {
    format!("SELECT status FROM claims WHERE claim_no = '{no}'")
}

/// The demo opened for one role's walk, and the records the walks share,
/// found by SQL: an eligible claim outside the county (`other`), a person
/// outside it (`outsider`) and one inside it (`mine`).
struct Walk {
    b: &'static str,
    site: Site,
    sql: Sql,
    other: String,
    outsider: i64,
    mine: i64,
}

impl Walk {
    async fn open(db: &TestDb) -> Walk {
        let site = Site::open(db).await;
        let mut sql = Sql::open(db).await;
        let other = sql
            .text(&format!("SELECT c.claim_no FROM claims c JOIN persons p ON p.person_id = c.person_id WHERE c.status = 'eligible' AND p.hukou_region NOT LIKE '{COUNTY}%' ORDER BY c.claim_no LIMIT 1"))
            .await;
        let outsider = sql
            .int(&format!(
                "SELECT MIN(person_id) FROM persons WHERE hukou_region NOT LIKE '{COUNTY}%'"
            ))
            .await;
        let mine = sql
            .int(&format!(
                "SELECT MIN(person_id) FROM persons WHERE hukou_region LIKE '{COUNTY}%'"
            ))
            .await;
        Walk {
            b: db.backend,
            site,
            sql,
            other,
            outsider,
            mine,
        }
    }

    /// Everything the walk did kept the audit chain whole.
    async fn close(self) {
        let b = self.b;
        let store = self.site.store;
        assert_eq!(store.verify_audit().await.unwrap().broken, None, "[{b}]");
        store.close().await;
    }
}

#[test]
fn public_pages_and_the_login_form_are_guarded() {
    on_demo("web_walk_public", "400", public_pages);
}

#[test]
fn county_officer_sees_only_county_claims() {
    on_demo("web_walk_county", "400", county_queue);
}

#[test]
fn county_officer_cannot_reach_other_counties() {
    on_demo("web_walk_county_scope", "400", county_scope);
}

#[test]
fn reveal_and_approval_need_the_csrf_token_and_are_audited() {
    on_demo("web_walk_reveal", "400", reveal_and_approve);
}

#[test]
fn city_and_finance_see_their_region_and_finance_only_reads() {
    on_demo("web_walk_city", "400", city_and_finance);
}

#[test]
fn clerk_and_worker_see_only_their_own() {
    on_demo("web_walk_own", "400", clerk_and_worker);
}

/// Security headers, the public home page and lookup, the login form's
/// refusals, and logout.
async fn public_pages(db: &TestDb) {
    let mut w = Walk::open(db).await;
    let (b, app) = (w.b, &w.site.app);
    let pw = |l: &str| w.site.account(l).password.clone();
    // Security headers; the public home page without a session, and
    // no page of an account's without one.
    let r = get(app, "/", "").await;
    assert_eq!(r.status, StatusCode::OK, "[{b}]");
    assert!(
        r.body.contains("href=\"/certificates/lookup\"") && r.body.contains("href=\"/login\""),
        "[{b}] the public home page"
    );
    assert_eq!(
        get(app, "/claims", "").await.status,
        StatusCode::SEE_OTHER,
        "[{b}]"
    );
    let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "[{b}] {csp}"
    );
    assert_eq!(
        get(app, "/assets/htmx.min.js", "").await.status,
        StatusCode::OK
    );
    // A wrong password is refused.
    let page = get(app, "/login", "").await;
    let pre = set_cookie(&page, "jineng_login_csrf").unwrap();
    let r = post(
        app,
        "/login",
        &pre,
        &[
            ("csrf", &csrf_of(&page.body)),
            ("login", "county"),
            ("password", "wrong"),
        ],
    )
    .await;
    assert!(r.body.contains("账号或密码错误"), "[{b}]");
    // A login form without its CSRF cookie is refused.
    let r = post(
        app,
        "/login",
        "",
        &[
            ("csrf", "x"),
            ("login", "county"),
            ("password", &pw("county")),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");
    public_lookup(b, app, &mut w.sql).await;
    // Logout ends the session.
    let (county, county_csrf) = login(app, "county", &pw("county")).await;
    let r = post(app, "/logout", &county, &[("csrf", &county_csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "[{b}]");
    assert_eq!(
        get(app, "/claims", &county).await.status,
        StatusCode::SEE_OTHER,
        "[{b}]"
    );
    w.close().await;
}

/// The public certificate lookup: no login, ID masked.
async fn public_lookup(b: &str, app: &axum::Router, sql: &mut Sql) {
    let (name, cert, id): (String, String, String) = sqlx::query_as(
        "SELECT p.name, c.cert_no, p.id_number FROM certificates c \
         JOIN persons p ON p.person_id = c.person_id ORDER BY c.cert_no LIMIT 1",
    )
    .fetch_one(&mut sql.0)
    .await
    .unwrap();
    let r = get(
        app,
        &format!("/certificates/lookup?name={}&cert_no={cert}", encode(&name)),
        "",
    )
    .await;
    assert!(
        r.body.contains(&cert) && r.body.contains(&id[..4]) && !r.body.contains(&id),
        "[{b}]"
    );
    let r = get(
        app,
        &format!(
            "/certificates/lookup?name={}&cert_no={cert}",
            encode("某某")
        ),
        "",
    )
    .await;
    assert!(
        r.body.contains("未查询到"),
        "[{b}] a wrong name finds nothing"
    );
}

/// The county officer's figures and queue: the county's claims, all and
/// only, on the pages and through the API.
async fn county_queue(db: &TestDb) {
    let mut w = Walk::open(db).await;
    let (b, app) = (w.b, &w.site.app);
    let (county, _) = w.site.login("county").await;
    let home = get(app, "/", &county).await;
    let persons_in = w
        .sql
        .int(&format!(
            "SELECT COUNT(*) FROM persons WHERE hukou_region LIKE '{COUNTY}%'"
        ))
        .await;
    let all_persons = w.sql.int("SELECT COUNT(*) FROM persons").await;
    assert!(
        persons_in > 0 && persons_in < all_persons,
        "[{b}] {persons_in}/{all_persons}"
    );
    assert!(
        home.body
            .contains(&format!("id=\"f-persons\">{persons_in}<")),
        "[{b}] {}",
        home.body
    );
    let county_claims = w
        .sql
        .texts(&format!("SELECT c.claim_no FROM claims c JOIN persons p ON p.person_id = c.person_id WHERE p.hukou_region LIKE '{COUNTY}%'"))
        .await;
    // Every page of the queue, 50 a page.
    let mut listed = Vec::new();
    for n in 1.. {
        let page = claim_links(&get(app, &format!("/claims?page={n}"), &county).await.body);
        let last = page.len() < 50 || listed.contains(&page[0]);
        if !listed.contains(&page[0]) {
            listed.extend(page);
        }
        if last {
            break;
        }
    }
    assert_eq!(
        listed.len(),
        county_claims.len(),
        "[{b}] the county's claims, all and only"
    );
    assert!(listed.iter().all(|c| county_claims.contains(c)), "[{b}]");
    let token = w.site.token("county").await;
    let (s, v) = api(app, "GET", "/api/v1/claims", &token).await;
    assert_eq!(s, StatusCode::OK, "[{b}]");
    let api_claims: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["claim_no"].as_str().unwrap())
        .collect();
    assert_eq!(api_claims.len(), county_claims.len(), "[{b}]");
    assert!(
        api_claims
            .iter()
            .all(|c| county_claims.iter().any(|k| k == c)),
        "[{b}]"
    );
    w.close().await;
}

/// Another county's claim and person: 403 on the pages and the API, not
/// found by a search, and unchanged.
async fn county_scope(db: &TestDb) {
    let mut w = Walk::open(db).await;
    let (b, app, other, outsider) = (w.b, &w.site.app, w.other.clone(), w.outsider);
    let (county, county_csrf) = w.site.login("county").await;
    assert_eq!(
        get(app, &format!("/claims/{other}"), &county).await.status,
        StatusCode::FORBIDDEN,
        "[{b}]"
    );
    let r = post(
        app,
        &format!("/claims/{other}/approve"),
        &county,
        &[("csrf", &county_csrf)],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] {}", r.body);
    assert_eq!(
        w.sql.text(&status(&other)).await,
        "eligible",
        "[{b}] out of scope: unchanged"
    );
    assert_eq!(
        get(app, &format!("/persons/{outsider}"), &county)
            .await
            .status,
        StatusCode::FORBIDDEN,
        "[{b}]"
    );
    let outsider_id = w
        .sql
        .text(&format!(
            "SELECT id_number FROM persons WHERE person_id = {outsider}"
        ))
        .await;
    // A whole ID number is searched by POST (never in an address).
    let r = post(
        app,
        "/persons",
        &county,
        &[("csrf", &county_csrf), ("q", &outsider_id)],
    )
    .await;
    assert!(
        r.body.contains("没有找到"),
        "[{b}] another county's person is not found"
    );
    let token = w.site.token("county").await;
    let (s, _) = api(
        app,
        "POST",
        &format!("/api/v1/claims/{other}/approve"),
        &token,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "[{b}]");
    assert_eq!(
        api(app, "GET", "/api/v1/figures", "bad").await.0,
        StatusCode::UNAUTHORIZED
    );
    w.close().await;
}

/// Reveal: masked on the page, full after the audited POST; approval in
/// scope needs the CSRF token, then works and shows the decision's trace.
async fn reveal_and_approve(db: &TestDb) {
    let mut w = Walk::open(db).await;
    let (b, app, mine) = (w.b, &w.site.app, w.mine);
    let (county, county_csrf) = w.site.login("county").await;
    let full = w
        .sql
        .text(&format!(
            "SELECT id_number FROM persons WHERE person_id = {mine}"
        ))
        .await;
    let r = get(app, &format!("/persons/{mine}"), &county).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}]");
    assert!(
        !r.body.contains(&full) && r.body.contains(&full[..4]),
        "[{b}] masked"
    );
    let r = post(app, &format!("/persons/{mine}/reveal"), &county, &[]).await;
    assert_eq!(
        r.status.as_u16() / 100,
        4,
        "[{b}] reveal needs the CSRF token"
    );
    let r = post(
        app,
        &format!("/persons/{mine}/reveal"),
        &county,
        &[("csrf", &county_csrf)],
    )
    .await;
    assert!(r.body.contains(&full), "[{b}] revealed");
    let reveals = w.sql.int(&format!("SELECT COUNT(*) FROM audit_log WHERE action = 'reveal' AND actor = 'web:county' AND entity_key = '{mine}'")).await;
    assert_eq!(reveals, 1, "[{b}] the reveal is audited");
    // Approval in scope needs the CSRF token, then works.
    let mine_claim = w
        .sql
        .text(&format!("SELECT c.claim_no FROM claims c JOIN persons p ON p.person_id = c.person_id WHERE c.status = 'eligible' AND p.hukou_region LIKE '{COUNTY}%' ORDER BY c.claim_no LIMIT 1"))
        .await;
    let approve = format!("/claims/{mine_claim}/approve");
    let r = post(app, &approve, &county, &[("csrf", "forged")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");
    assert_eq!(w.sql.text(&status(&mine_claim)).await, "eligible", "[{b}]");
    let r = post(app, &approve, &county, &[("csrf", &county_csrf)]).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    assert_eq!(w.sql.text(&status(&mine_claim)).await, "approved", "[{b}]");
    let show = get(app, &format!("/claims/{mine_claim}"), &county).await;
    assert!(
        show.body.contains("R1") && show.body.contains("结论"),
        "[{b}] the decision's trace"
    );
    w.close().await;
}

/// The city officer sees the whole city; finance reads the ledger and
/// claims of its region and can change nothing.
async fn city_and_finance(db: &TestDb) {
    let mut w = Walk::open(db).await;
    let (b, app, other) = (w.b, &w.site.app, w.other.clone());
    // ---- city officer: the whole city.
    let (city, _) = w.site.login("city").await;
    let home = get(app, "/", &city).await;
    let city_persons = w
        .sql
        .int("SELECT COUNT(*) FROM persons WHERE hukou_region LIKE '3715%'")
        .await;
    assert!(
        home.body
            .contains(&format!("id=\"f-persons\">{city_persons}<")),
        "[{b}]"
    );
    assert_eq!(
        get(app, &format!("/claims/{other}"), &city).await.status,
        StatusCode::OK,
        "[{b}]"
    );
    // ---- finance: read-only ledger and claims, totals of its region.
    let (finance, finance_csrf) = w.site.login("finance").await;
    let ledger = get(app, "/ledger", &finance).await;
    assert_eq!(ledger.status, StatusCode::OK, "[{b}]");
    let paid = w.sql.int("SELECT COALESCE(CAST(SUM(c.amount_fen) AS BIGINT), 0) FROM claims c JOIN persons p ON p.person_id = c.person_id WHERE c.status = 'paid' AND p.hukou_region LIKE '3715%'").await;
    let paid_text = format!(
        "id=\"total-paid\">{}<",
        jineng_domain::Yuan(jineng_domain::Fen(paid))
    );
    assert!(ledger.body.contains(&paid_text), "[{b}] {paid_text}");
    let r = post(
        app,
        &format!("/claims/{other}/approve"),
        &finance,
        &[("csrf", &finance_csrf)],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");
    assert_eq!(
        get(app, "/persons?q=x", &finance).await.status,
        StatusCode::FORBIDDEN,
        "[{b}]"
    );
    assert_eq!(w.sql.text(&status(&other)).await, "eligible", "[{b}]");
    w.close().await;
}

/// The institution clerk sees its own classes and claims; the worker
/// only themself.
async fn clerk_and_worker(db: &TestDb) {
    let mut w = Walk::open(db).await;
    let (b, app, mine, outsider) = (w.b, &w.site.app, w.mine, w.outsider);
    // ---- institution clerk: its own classes and claims.
    let jineng_domain::access::Scope::Institution(inst) = w.site.account("school").scope else {
        panic!()
    };
    let (clerk, clerk_csrf) = w.site.login("school").await;
    let own: Vec<String> = w
        .sql
        .texts(&format!(
            "SELECT class_no FROM classes WHERE institution_id = {inst}"
        ))
        .await;
    let others: Vec<String> = w
        .sql
        .texts(&format!(
            "SELECT class_no FROM classes WHERE institution_id <> {inst}"
        ))
        .await;
    let classes = get(app, "/classes", &clerk).await;
    assert_eq!(classes.status, StatusCode::OK, "[{b}]");
    let listed = |c: &String| classes.body.contains(&format!("<td>{c}</td>"));
    assert!(own.iter().all(listed), "[{b}]");
    assert!(
        !others.iter().any(listed),
        "[{b}] another institution's class"
    );
    let own_claims = w.sql.texts(&format!("SELECT claim_no FROM claims WHERE class_id IN (SELECT class_id FROM classes WHERE institution_id = {inst})")).await;
    let listed = claim_links(&get(app, "/claims", &clerk).await.body);
    assert_eq!(listed.len(), own_claims.len(), "[{b}]");
    assert!(listed.iter().all(|c| own_claims.contains(c)), "[{b}]");
    let r = post(
        app,
        "/claims/approve-clean",
        &clerk,
        &[("csrf", &clerk_csrf)],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");
    for path in ["/ledger".to_string(), format!("/persons/{mine}")] {
        assert_eq!(
            get(app, &path, &clerk).await.status,
            StatusCode::FORBIDDEN,
            "[{b}]"
        );
    }
    // ---- worker: only themself.
    let sample = w
        .site
        .store
        .first_person_with_claim()
        .await
        .unwrap()
        .unwrap();
    let (worker, _) = w.site.login("worker").await;
    let me = get(app, "/me", &worker).await;
    assert!(
        me.status == StatusCode::OK && me.body.contains(&sample),
        "[{b}]"
    );
    assert_eq!(
        get(app, "/", &worker).await.status,
        StatusCode::SEE_OTHER,
        "[{b}]"
    );
    let outsider_page = format!("/persons/{outsider}");
    for path in [
        "/claims",
        "/classes",
        "/ledger",
        "/persons?q=a",
        &outsider_page,
    ] {
        assert_eq!(
            get(app, path, &worker).await.status,
            StatusCode::FORBIDDEN,
            "[{b}] {path}"
        );
    }
    w.close().await;
}
