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

#[test]
fn every_role_sees_only_its_scope() {
    on_demo("web_walk", "400", walk);
}

async fn walk(db: &TestDb) {
    {
        let b = db.backend;
        let site = Site::open(db).await;
        let (app, store, accounts) = (site.app.clone(), site.store.clone(), &site.accounts);
        let pw = |l: &str| site.account(l).password.clone();
        let sample = store.first_person_with_claim().await.unwrap().unwrap();
        let mut sql = Sql::open(db).await;

        // Security headers; the public home page without a session, and
        // no page of an account's without one.
        let r = get(&app, "/", "").await;
        assert_eq!(r.status, StatusCode::OK, "[{b}]");
        assert!(
            r.body.contains("href=\"/certificates/lookup\"") && r.body.contains("href=\"/login\""),
            "[{b}] the public home page"
        );
        assert_eq!(
            get(&app, "/claims", "").await.status,
            StatusCode::SEE_OTHER,
            "[{b}]"
        );
        let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "[{b}] {csp}"
        );
        assert_eq!(
            get(&app, "/assets/htmx.min.js", "").await.status,
            StatusCode::OK
        );

        // A wrong password is refused.
        let page = get(&app, "/login", "").await;
        let pre = set_cookie(&page, "jineng_login_csrf").unwrap();
        let r = post(
            &app,
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
            &app,
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

        // ---- county officer: figures, claims, persons of the county only.
        let (county, county_csrf) = login(&app, "county", &pw("county")).await;
        let home = get(&app, "/", &county).await;
        let persons_in = sql
            .int(&format!(
                "SELECT COUNT(*) FROM persons WHERE hukou_region LIKE '{COUNTY}%'"
            ))
            .await;
        let all_persons = sql.int("SELECT COUNT(*) FROM persons").await;
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
        let county_claims = sql
            .texts(&format!("SELECT c.claim_no FROM claims c JOIN persons p ON p.person_id = c.person_id WHERE p.hukou_region LIKE '{COUNTY}%'"))
            .await;
        // Every page of the queue, 50 a page.
        let mut listed = Vec::new();
        for n in 1.. {
            let page = claim_links(&get(&app, &format!("/claims?page={n}"), &county).await.body);
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
        let other = sql
            .text(&format!("SELECT c.claim_no FROM claims c JOIN persons p ON p.person_id = c.person_id WHERE c.status = 'eligible' AND p.hukou_region NOT LIKE '{COUNTY}%' ORDER BY c.claim_no LIMIT 1"))
            .await;
        assert_eq!(
            get(&app, &format!("/claims/{other}"), &county).await.status,
            StatusCode::FORBIDDEN,
            "[{b}]"
        );
        let r = post(
            &app,
            &format!("/claims/{other}/approve"),
            &county,
            &[("csrf", &county_csrf)],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] {}", r.body);
        let status = |no: String| format!("SELECT status FROM claims WHERE claim_no = '{no}'");
        assert_eq!(
            sql.text(&status(other.clone())).await,
            "eligible",
            "[{b}] out of scope: unchanged"
        );
        let outsider = sql
            .int(&format!(
                "SELECT MIN(person_id) FROM persons WHERE hukou_region NOT LIKE '{COUNTY}%'"
            ))
            .await;
        assert_eq!(
            get(&app, &format!("/persons/{outsider}"), &county)
                .await
                .status,
            StatusCode::FORBIDDEN,
            "[{b}]"
        );
        let outsider_id = sql
            .text(&format!(
                "SELECT id_number FROM persons WHERE person_id = {outsider}"
            ))
            .await;
        // A whole ID number is searched by POST (never in an address).
        let r = post(
            &app,
            "/persons",
            &county,
            &[("csrf", &county_csrf), ("q", &outsider_id)],
        )
        .await;
        assert!(
            r.body.contains("没有找到"),
            "[{b}] another county's person is not found"
        );
        let token = site.token("county").await;
        let (s, v) = api(&app, "GET", "/api/v1/claims", &token).await;
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
        let (s, _) = api(
            &app,
            "POST",
            &format!("/api/v1/claims/{other}/approve"),
            &token,
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "[{b}]");
        assert_eq!(
            api(&app, "GET", "/api/v1/figures", "bad").await.0,
            StatusCode::UNAUTHORIZED
        );

        // Reveal: masked on the page, full after the audited POST.
        let mine = sql
            .int(&format!(
                "SELECT MIN(person_id) FROM persons WHERE hukou_region LIKE '{COUNTY}%'"
            ))
            .await;
        let full = sql
            .text(&format!(
                "SELECT id_number FROM persons WHERE person_id = {mine}"
            ))
            .await;
        let r = get(&app, &format!("/persons/{mine}"), &county).await;
        assert_eq!(r.status, StatusCode::OK, "[{b}]");
        assert!(
            !r.body.contains(&full) && r.body.contains(&full[..4]),
            "[{b}] masked"
        );
        let r = post(&app, &format!("/persons/{mine}/reveal"), &county, &[]).await;
        assert_eq!(
            r.status.as_u16() / 100,
            4,
            "[{b}] reveal needs the CSRF token"
        );
        let r = post(
            &app,
            &format!("/persons/{mine}/reveal"),
            &county,
            &[("csrf", &county_csrf)],
        )
        .await;
        assert!(r.body.contains(&full), "[{b}] revealed");
        let reveals = sql.int(&format!("SELECT COUNT(*) FROM audit_log WHERE action = 'reveal' AND actor = 'web:county' AND entity_key = '{mine}'")).await;
        assert_eq!(reveals, 1, "[{b}] the reveal is audited");

        // Approval in scope needs the CSRF token, then works.
        let mine_claim = sql
            .text(&format!("SELECT c.claim_no FROM claims c JOIN persons p ON p.person_id = c.person_id WHERE c.status = 'eligible' AND p.hukou_region LIKE '{COUNTY}%' ORDER BY c.claim_no LIMIT 1"))
            .await;
        let r = post(
            &app,
            &format!("/claims/{mine_claim}/approve"),
            &county,
            &[("csrf", "forged")],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");
        assert_eq!(
            sql.text(&status(mine_claim.clone())).await,
            "eligible",
            "[{b}]"
        );
        let r = post(
            &app,
            &format!("/claims/{mine_claim}/approve"),
            &county,
            &[("csrf", &county_csrf)],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
        assert_eq!(
            sql.text(&status(mine_claim.clone())).await,
            "approved",
            "[{b}]"
        );
        let show = get(&app, &format!("/claims/{mine_claim}"), &county).await;
        assert!(
            show.body.contains("R1") && show.body.contains("结论"),
            "[{b}] the decision's trace"
        );

        // ---- city officer: the whole city.
        let (city, _) = login(&app, "city", &pw("city")).await;
        let home = get(&app, "/", &city).await;
        let city_persons = sql
            .int("SELECT COUNT(*) FROM persons WHERE hukou_region LIKE '3715%'")
            .await;
        assert!(
            home.body
                .contains(&format!("id=\"f-persons\">{city_persons}<")),
            "[{b}]"
        );
        assert_eq!(
            get(&app, &format!("/claims/{other}"), &city).await.status,
            StatusCode::OK,
            "[{b}]"
        );

        // ---- finance: read-only ledger and claims, totals of its region.
        let (finance, finance_csrf) = login(&app, "finance", &pw("finance")).await;
        let ledger = get(&app, "/ledger", &finance).await;
        assert_eq!(ledger.status, StatusCode::OK, "[{b}]");
        let paid = sql.int("SELECT COALESCE(CAST(SUM(c.amount_fen) AS BIGINT), 0) FROM claims c JOIN persons p ON p.person_id = c.person_id WHERE c.status = 'paid' AND p.hukou_region LIKE '3715%'").await;
        let paid_text = format!(
            "id=\"total-paid\">{}<",
            jineng_domain::Yuan(jineng_domain::Fen(paid))
        );
        assert!(ledger.body.contains(&paid_text), "[{b}] {paid_text}");
        let r = post(
            &app,
            &format!("/claims/{other}/approve"),
            &finance,
            &[("csrf", &finance_csrf)],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");
        assert_eq!(
            get(&app, "/persons?q=x", &finance).await.status,
            StatusCode::FORBIDDEN,
            "[{b}]"
        );
        assert_eq!(sql.text(&status(other.clone())).await, "eligible", "[{b}]");

        // ---- institution clerk: its own classes and claims.
        let school = accounts.iter().find(|a| a.login == "school").unwrap();
        let jineng_domain::access::Scope::Institution(inst) = school.scope else {
            panic!()
        };
        let (clerk, clerk_csrf) = login(&app, "school", &pw("school")).await;
        let own: Vec<String> = sql
            .texts(&format!(
                "SELECT class_no FROM classes WHERE institution_id = {inst}"
            ))
            .await;
        let others: Vec<String> = sql
            .texts(&format!(
                "SELECT class_no FROM classes WHERE institution_id <> {inst}"
            ))
            .await;
        let classes = get(&app, "/classes", &clerk).await;
        assert_eq!(classes.status, StatusCode::OK, "[{b}]");
        assert!(
            own.iter()
                .all(|c| classes.body.contains(&format!("<td>{c}</td>"))),
            "[{b}]"
        );
        assert!(
            others
                .iter()
                .all(|c| !classes.body.contains(&format!("<td>{c}</td>"))),
            "[{b}] another institution's class"
        );
        let own_claims = sql.texts(&format!("SELECT claim_no FROM claims WHERE class_id IN (SELECT class_id FROM classes WHERE institution_id = {inst})")).await;
        let listed = claim_links(&get(&app, "/claims", &clerk).await.body);
        assert_eq!(listed.len(), own_claims.len(), "[{b}]");
        assert!(listed.iter().all(|c| own_claims.contains(c)), "[{b}]");
        let r = post(
            &app,
            "/claims/approve-clean",
            &clerk,
            &[("csrf", &clerk_csrf)],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");
        assert_eq!(
            get(&app, "/ledger", &clerk).await.status,
            StatusCode::FORBIDDEN,
            "[{b}]"
        );
        assert_eq!(
            get(&app, &format!("/persons/{mine}"), &clerk).await.status,
            StatusCode::FORBIDDEN,
            "[{b}]"
        );

        // ---- worker: only themself.
        let (worker, _) = login(&app, "worker", &pw("worker")).await;
        let me = get(&app, "/me", &worker).await;
        assert!(
            me.status == StatusCode::OK && me.body.contains(&sample),
            "[{b}]"
        );
        assert_eq!(
            get(&app, "/", &worker).await.status,
            StatusCode::SEE_OTHER,
            "[{b}]"
        );
        for path in ["/claims", "/classes", "/ledger", "/persons?q=a"] {
            assert_eq!(
                get(&app, path, &worker).await.status,
                StatusCode::FORBIDDEN,
                "[{b}] {path}"
            );
        }
        assert_eq!(
            get(&app, &format!("/persons/{outsider}"), &worker)
                .await
                .status,
            StatusCode::FORBIDDEN,
            "[{b}]"
        );

        // ---- public lookup: no login, ID masked.
        let (name, cert, id): (String, String, String) = sqlx::query_as(
            "SELECT p.name, c.cert_no, p.id_number FROM certificates c \
             JOIN persons p ON p.person_id = c.person_id ORDER BY c.cert_no LIMIT 1",
        )
        .fetch_one(&mut sql.0)
        .await
        .unwrap();
        let r = get(
            &app,
            &format!("/certificates/lookup?name={}&cert_no={cert}", encode(&name)),
            "",
        )
        .await;
        assert!(
            r.body.contains(&cert) && r.body.contains(&id[..4]) && !r.body.contains(&id),
            "[{b}]"
        );
        let r = get(
            &app,
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

        // Logout ends the session.
        let r = post(&app, "/logout", &county, &[("csrf", &county_csrf)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{b}]");
        assert_eq!(
            get(&app, "/claims", &county).await.status,
            StatusCode::SEE_OTHER,
            "[{b}]"
        );

        // Everything above kept the audit chain whole.
        assert_eq!(store.verify_audit().await.unwrap().broken, None, "[{b}]");
        store.close().await;
    }
}
