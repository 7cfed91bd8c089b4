//! Authentication under abuse, on SQLite and PostgreSQL over the demo
//! loaded by the real binary (the real router in-process): a form posted
//! without its CSRF field gets the same Chinese 403 as a wrong token;
//! passwords are refused when weak, bearing the login name or too long;
//! API tokens carry an expiry, stop at it and are revoked with a password
//! change or reset; a throttled login says when to retry; the enterprise
//! claim form is throttled per account and answers alike for an
//! unregistered ID and a wrong name; cookies are `Secure` behind the switch;
//! the public lookup by ID number is a POST that keeps the ID out of URLs.

use crate::common;

use crate::common::http::*;
use axum::http::{StatusCode, header};
use common::TestDb;
use jineng_domain::access::{Role, Scope};
use jineng_store::Actor;

#[test]
fn forms_tokens_passwords_and_limits_hold_under_abuse() {
    on_demo("web_auth", "300", async |db| {
        csrf_and_passwords(db).await;
        tokens(db).await;
        limits_cookies_and_lookup(db).await;
        db.ok(&["audit", "verify"]);
    });
}

fn owned<'a>(form: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn csrf_and_passwords(db: &TestDb) {
    let b = db.backend;
    let site = Site::open(db).await;
    let (me, csrf) = site.login("auditor").await;

    // D6: no csrf field, a wrong one, no form at all: one Chinese 403.
    let missing = site.post("/account/tokens", &me, &[("label", "x")]).await;
    let wrong = site
        .post("/account/tokens", &me, &[("csrf", "0"), ("label", "x")])
        .await;
    let bare = send(
        &site.app,
        axum::http::Request::post("/logout")
            .header(header::COOKIE, &me)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    for (r, what) in [(&missing, "missing"), (&wrong, "wrong"), (&bare, "no form")] {
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] {what}: {}", r.body);
        assert!(
            r.body.contains("表单已过期或来源不明"),
            "[{b}] {what}: {}",
            r.body
        );
    }
    let mut sql = Sql::open(db).await;
    assert_eq!(
        sql.int("SELECT COUNT(*) FROM api_tokens WHERE label = 'x'")
            .await,
        0,
        "[{b}] nothing created"
    );

    // Passwords: weak, bearing the login name, 100,001 characters.
    let old = site.account("auditor").password.clone();
    let change = |new: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("old", old.clone()),
            ("new", new.to_string()),
            ("again", new.to_string()),
        ]
    };
    let huge = "Zq7#".repeat(25_000) + "x";
    assert_eq!(huge.chars().count(), 100_001);
    for (new, why) in [
        ("aaaaaaaaa1", "强度不够"),
        ("MyAuditor#Pass-2026!", "不能包含登录名"),
        ("myAUDITORxq7!vh2#", "不能包含登录名"),
        (huge.as_str(), "不能超过 128 个字符"),
    ] {
        let form = change(new);
        let r = site.post("/account/password", &me, &owned(&form)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {why}");
        assert!(r.body.contains(why), "[{b}] {why}: {}", r.body);
    }
    assert!(
        try_login(&site.app, "auditor", &old).await.is_some(),
        "[{b}] unchanged"
    );

    // An officer's reset and a new account give passwords that pass the
    // rule (and work).
    let (city, city_csrf) = site.login("city").await;
    let fin = site.account("finance").account_id;
    let r = site
        .post(
            &format!("/accounts/{fin}/reset"),
            &city,
            &[("csrf", &city_csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    let pw = between(&r.body, "<code id=\"new-password\">", "<").unwrap();
    assert!(pw.chars().count() >= 10 && !pw.to_lowercase().contains("finance"));
    assert!(
        try_login(&site.app, "finance", &pw).await.is_some(),
        "[{b}]"
    );
}

/// The city officer resets the password of account `id`: the page shown.
async fn city_resets(site: &Site, id: i64) -> Resp {
    let (city, csrf) = site.login("city").await;
    let path = format!("/accounts/{id}/reset");
    site.post(&path, &city, &[("csrf", &csrf)]).await
}

async fn tokens(db: &TestDb) {
    let b = db.backend;
    let site = Site::open(db).await;
    let mut sql = Sql::open(db).await;
    let (me, csrf) = site.login("auditor").await;

    // Created with an expiry, shown on creation and in the list.
    let r = site
        .post(
            "/account/tokens",
            &me,
            &[("csrf", &csrf), ("label", "报送")],
        )
        .await;
    assert!(r.body.contains("有效期 90 天"), "[{b}] {}", r.body);
    let token = between(&r.body, "<code id=\"new-token\">", "<").unwrap();
    let expires = sql
        .text("SELECT expires_at FROM api_tokens WHERE label = '报送'")
        .await;
    let days = chrono::DateTime::parse_from_rfc3339(&expires)
        .unwrap()
        .signed_duration_since(chrono::Utc::now())
        .num_days();
    assert!((89..=90).contains(&days), "[{b}] {expires}");
    let page = site.get("/account", &me).await;
    assert!(
        page.body.contains("到期时间") && page.body.contains(&expires),
        "[{b}]"
    );
    assert_eq!(
        site.api("GET", "/api/v1/me", &token).await.0,
        StatusCode::OK
    );

    // Past its expiry: 401, and listed as 已过期.
    sql.exec("UPDATE api_tokens SET expires_at = '2020-01-01T00:00:00.000Z' WHERE label = '报送'")
        .await;
    assert_eq!(
        site.api("GET", "/api/v1/me", &token).await.0,
        StatusCode::UNAUTHORIZED,
        "[{b}] expired"
    );
    assert!(site.get("/account", &me).await.body.contains("已过期"));

    // Changing one's password revokes one's tokens.
    let r = site
        .post(
            "/account/tokens",
            &me,
            &[("csrf", &csrf), ("label", "二号")],
        )
        .await;
    let second = between(&r.body, "<code id=\"new-token\">", "<").unwrap();
    assert_eq!(
        site.api("GET", "/api/v1/me", &second).await.0,
        StatusCode::OK
    );
    let old = site.account("auditor").password.clone();
    let new = "Liaocheng-audit#2027-vq".to_string();
    let form = vec![
        ("csrf", csrf.clone()),
        ("old", old),
        ("new", new.clone()),
        ("again", new),
    ];
    let r = site.post("/account/password", &me, &owned(&form)).await;
    assert!(r.body.contains("密码已修改"), "[{b}] {}", r.body);
    assert_eq!(
        site.api("GET", "/api/v1/me", &second).await.0,
        StatusCode::UNAUTHORIZED,
        "[{b}] revoked with the password change"
    );

    // An officer's reset revokes the account's tokens.
    let fin = site.account("finance").account_id;
    let fin_token = jineng_web::issue_api_token(&site.store, fin, "t", &Actor("test".into()))
        .await
        .unwrap();
    assert_eq!(
        site.api("GET", "/api/v1/me", &fin_token).await.0,
        StatusCode::OK
    );
    let r = city_resets(&site, fin).await;
    assert!(r.body.contains("令牌已全部撤销"), "[{b}] {}", r.body);
    assert_eq!(
        site.api("GET", "/api/v1/me", &fin_token).await.0,
        StatusCode::UNAUTHORIZED,
        "[{b}] revoked with the reset"
    );

    // A configured lifetime.
    let limits = jineng_web::Limits {
        login_per_minute: 1000,
        lookup_per_minute: 1000,
    };
    let app = jineng_web::router(
        jineng_web::AppState::new(site.store.clone(), limits, false).with_token_days(7),
    );
    let (me, csrf) = login(&app, "county", &site.account("county").password).await;
    let r = post(
        &app,
        "/account/tokens",
        &me,
        &[("csrf", &csrf), ("label", "七天")],
    )
    .await;
    assert!(r.body.contains("有效期 7 天"), "[{b}] {}", r.body);
}

async fn limits_cookies_and_lookup(db: &TestDb) {
    let b = db.backend;
    let site = Site::open(db).await;
    let mut sql = Sql::open(db).await;
    let limits = jineng_web::Limits {
        login_per_minute: 2,
        lookup_per_minute: 1000,
    };
    let strict = jineng_web::router(
        jineng_web::AppState::new(site.store.clone(), limits, true).with_filings_per_minute(3),
    );

    // Secure cookies behind the switch, not without it.
    let page = get(&strict, "/login", "").await;
    let c = page
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(c.contains("; Secure"), "[{b}] {c}");
    let plain = get(&site.app, "/login", "").await;
    let c = plain
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(!c.contains("Secure"), "[{b}] {c}");

    // Login throttled with Retry-After (seconds).
    for _ in 0..2 {
        assert!(
            try_login(&strict, "city", "wrong-password-1")
                .await
                .is_none()
        );
    }
    let page = get(&strict, "/login", "").await;
    let pre = set_cookie(&page, "jineng_login_csrf").unwrap();
    let r = post(
        &strict,
        "/login",
        &pre,
        &[
            ("csrf", &csrf_of(&page.body)),
            ("login", "city"),
            ("password", "x"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "[{b}]");
    let wait: u64 = r.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "[{b}] Retry-After {wait}");
    assert!(r.body.contains("秒后再试"), "[{b}] {}", r.body);

    // The enterprise form: one answer for an unregistered ID and for a
    // registered person under a wrong name; throttled per account.
    let firm = jineng_web::create_account(
        &site.store,
        "firm2",
        "聊城测试有限公司",
        Role::Enterprise,
        Scope::Enterprise(
            jineng_domain::CreditCode::parse(&common::credit("371502", "888")).unwrap(),
        ),
        &Actor("test:setup".into()),
    )
    .await
    .unwrap();
    let (fc, fcsrf) = login(&strict, "firm2", &firm.password).await;
    let registered = sql
        .text("SELECT id_number FROM persons ORDER BY person_id LIMIT 1")
        .await;
    let unregistered = common::id("371502", 1990, 5, 17, 977);
    assert_eq!(
        sql.int(&format!(
            "SELECT COUNT(*) FROM persons WHERE id_number = '{unregistered}'"
        ))
        .await,
        0
    );
    let claim = |id: &str| {
        vec![
            ("csrf", fcsrf.clone()),
            ("subsidy_type", "新型学徒制补贴".to_string()),
            ("name", "王不存在".to_string()),
            ("id_number", id.to_string()),
            ("class_no", "XT2020001".to_string()),
            ("institution", common::credit("371502", "999")),
            ("applied_on", "2020-04-01".to_string()),
        ]
    };
    let error_of = |html: &str| between(html, "id=\"form-error\"><p>", "</p>").unwrap_or_default();
    let a = postv(&strict, "/enterprise/claims", &fc, &claim(&unregistered)).await;
    let z = postv(&strict, "/enterprise/claims", &fc, &claim(&registered)).await;
    assert_eq!(
        (a.status, z.status),
        (StatusCode::BAD_REQUEST, StatusCode::BAD_REQUEST)
    );
    assert!(
        error_of(&a.body).contains("未找到姓名与身份证号码相符的登记人员"),
        "[{b}] {}",
        a.body
    );
    assert_eq!(
        error_of(&a.body),
        error_of(&z.body),
        "[{b}] the same answer"
    );
    let _ = postv(&strict, "/enterprise/claims", &fc, &claim(&unregistered)).await;
    let r = postv(&strict, "/enterprise/claims", &fc, &claim(&registered)).await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "[{b}] 4th in a minute"
    );
    assert!(r.headers.contains_key(header::RETRY_AFTER), "[{b}]");

    // The public lookup by ID number: a POST rendered directly; the ID is
    // in no URL, and a GET carrying one is not looked up.
    let (name, id): (String, String) = sqlx::query_as(
        "SELECT p.name, p.id_number FROM persons p JOIN certificates c ON c.person_id = p.person_id \
         ORDER BY p.person_id LIMIT 1",
    )
    .fetch_one(&mut sql.0)
    .await
    .unwrap();
    let form = get(&site.app, "/certificates/lookup", "").await;
    assert!(
        form.body
            .contains("<form method=\"post\" action=\"/certificates/lookup\""),
        "[{b}]"
    );
    let r = send(
        &site.app,
        axum::http::Request::post("/certificates/lookup")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(format!(
                "name={}&id_number={id}",
                encode(&name)
            )))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    assert!(
        r.headers.get(header::LOCATION).is_none(),
        "[{b}] no redirect"
    );
    assert!(
        r.body.contains("<td class=\"id\">") && !r.body.contains(&id),
        "[{b}] found, masked: {}",
        r.body
    );
    assert!(r.body.contains(&id[..4]), "[{b}]");
    let r = get(
        &site.app,
        &format!("/certificates/lookup?name={}&id_number={id}", encode(&name)),
        "",
    )
    .await;
    assert!(
        r.body.contains("证件号码不应出现在网址中") && !r.body.contains("<td class=\"id\">"),
        "[{b}] {}",
        r.body
    );
}
