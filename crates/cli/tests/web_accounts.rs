//! Accounts and API tokens through the web, on SQLite and PostgreSQL over
//! the demo loaded by the real binary: a user changes their password (the
//! old one stops working), creates a token that works on /api/v1/me and
//! stops working once revoked; a county officer lists the accounts of the
//! county, cannot create one scoped to the city (403, nothing created),
//! creates one for an institution of the county, resets its password and
//! disables it. No password or token reaches the audit trail.

use crate::common;

use crate::common::http::{COUNTY, Site, Sql, between, on_demo, try_login};
use axum::http::StatusCode;
use common::TestDb;

#[test]
fn users_manage_their_password_and_tokens_and_officers_their_accounts() {
    on_demo("web_accounts", "300", accounts);
}

async fn accounts(db: &TestDb) {
    let b = db.backend;
    let site = Site::open(db).await;
    let app = &site.app;
    let mut sql = Sql::open(db).await;
    let mut secrets = Vec::new();

    // ---- own password.
    let old = site.account("auditor").password.clone();
    let (me, csrf) = site.login("auditor").await;
    let page = site.get("/account", &me).await;
    assert!(page.body.contains("至少 10 位"), "[{b}] the rule is stated");
    let change = |old: &str, new: &str, again: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("old", old.to_string()),
            ("new", new.to_string()),
            ("again", again.to_string()),
        ]
    };
    let new = "Shenji-2026-liaocheng#qv";
    for (form, why) in [
        (change("wrong", new, new), "原密码不正确"),
        (
            change(&old, new, "Shenji-2026-liaocheng#qV"),
            "两次输入的新密码不一致",
        ),
        (change(&old, "short1", "short1"), "至少 10 位"),
        (change(&old, "aaaaaaaaa1", "aaaaaaaaa1"), "强度不够"),
    ] {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = site.post("/account/password", &me, &form).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {why}");
        assert!(r.body.contains(why), "[{b}] {why}: {}", r.body);
    }
    assert!(
        try_login(app, "auditor", &old).await.is_some(),
        "[{b}] unchanged"
    );
    let form = change(&old, new, new);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = site.post("/account/password", &me, &form).await;
    assert!(r.body.contains("密码已修改"), "[{b}] {}", r.body);
    assert!(
        try_login(app, "auditor", &old).await.is_none(),
        "[{b}] the old one fails"
    );
    assert!(
        try_login(app, "auditor", new).await.is_some(),
        "[{b}] the new one works"
    );
    assert_eq!(
        site.get("/account", &me).await.status,
        StatusCode::OK,
        "[{b}] still signed in"
    );
    secrets.extend([old, new.to_string()]);

    // ---- own API token: shown once, works, listed without its secret,
    // revoked.
    let r = site
        .post(
            "/account/tokens",
            &me,
            &[("csrf", &csrf), ("label", "报送系统")],
        )
        .await;
    let token = between(&r.body, "<code id=\"new-token\">", "<").expect("the new token");
    let unused = site.get("/account", &me).await;
    assert!(unused.body.contains("从未使用"), "[{b}] not used yet");
    let (s, v) = site.api("GET", "/api/v1/me", &token).await;
    assert_eq!(
        (s, v["login"].as_str()),
        (StatusCode::OK, Some("auditor")),
        "[{b}]"
    );
    let page = site.get("/account", &me).await;
    assert!(
        page.body.contains("报送系统") && !page.body.contains(&token),
        "[{b}]"
    );
    // Its last use is noted, and shown.
    let used = sql
        .text("SELECT last_used_at FROM api_tokens WHERE label = '报送系统'")
        .await;
    assert!(
        used.starts_with("20") && page.body.contains(&used) && !page.body.contains("从未使用"),
        "[{b}] last used {used}"
    );
    let handle = between(&page.body, "name=\"handle\" value=\"", "\"").unwrap();
    let r = site
        .post(
            "/account/tokens/revoke",
            &me,
            &[("csrf", &csrf), ("handle", &handle)],
        )
        .await;
    assert!(
        r.body.contains("访问令牌已撤销") && r.body.contains("已撤销"),
        "[{b}]"
    );
    assert_eq!(
        site.api("GET", "/api/v1/me", &token).await.0,
        StatusCode::UNAUTHORIZED,
        "[{b}]"
    );
    secrets.push(token);

    // ---- the county officer's accounts.
    let (county, csrf) = site.login("county").await;
    let (finance, _) = site.login("finance").await;
    assert_eq!(
        site.get("/accounts", &finance).await.status,
        StatusCode::FORBIDDEN,
        "[{b}]"
    );
    let list = site.get("/accounts", &county).await;
    assert_eq!(list.status, StatusCode::OK, "[{b}]");
    assert!(
        list.body.contains("id=\"account-county\"") && !list.body.contains("id=\"account-city\""),
        "[{b}] the county's accounts only"
    );
    let count = "SELECT COUNT(*) FROM accounts";
    let n = sql.int(count).await;
    let create = |login: &'static str, role: &'static str, field: &'static str, value: String| {
        vec![
            ("csrf", csrf.clone()),
            ("login", login.to_string()),
            ("display_name", "测试账号".to_string()),
            ("role", role.to_string()),
            (field, value),
        ]
    };
    let form = create("city2", "officer", "region", "371500".into());
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = site.post("/accounts", &county, &form).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "[{b}] a city officer: {}",
        r.body
    );
    let outside = sql
        .int(&format!(
            "SELECT MIN(institution_id) FROM institutions WHERE region_code NOT LIKE '{COUNTY}%'"
        ))
        .await;
    let form = create("far", "institution", "institution_id", outside.to_string());
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = site.post("/accounts", &county, &form).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "[{b}] another county's institution"
    );
    assert_eq!(sql.int(count).await, n, "[{b}] nothing created");

    let inside = sql
        .int(&format!(
            "SELECT MIN(institution_id) FROM institutions WHERE region_code LIKE '{COUNTY}%'"
        ))
        .await;
    let form = create(
        "clerk1",
        "institution",
        "institution_id",
        inside.to_string(),
    );
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = site.post("/accounts", &county, &form).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    let pw = between(&r.body, "<code id=\"new-password\">", "<").unwrap();
    assert_eq!(sql.int(count).await, n + 1, "[{b}]");
    let scope = sql
        .int("SELECT institution_id FROM accounts WHERE login = 'clerk1'")
        .await;
    assert_eq!(scope, inside, "[{b}]");
    assert!(try_login(app, "clerk1", &pw).await.is_some(), "[{b}]");
    let r = site.post("/accounts", &county, &form).await;
    assert!(r.body.contains("已被使用"), "[{b}] a login is unique");

    // Reset: the old password stops working, the new one works.
    let id = sql
        .int("SELECT account_id FROM accounts WHERE login = 'clerk1'")
        .await;
    let r = site
        .post(
            &format!("/accounts/{id}/reset"),
            &county,
            &[("csrf", &csrf)],
        )
        .await;
    let pw2 = between(&r.body, "<code id=\"new-password\">", "<").unwrap();
    assert!(try_login(app, "clerk1", &pw).await.is_none(), "[{b}]");
    assert!(try_login(app, "clerk1", &pw2).await.is_some(), "[{b}]");
    // Disable and enable; the city officer is out of the county's reach.
    let r = site
        .post(
            &format!("/accounts/{id}/disable"),
            &county,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "[{b}]");
    assert!(
        try_login(app, "clerk1", &pw2).await.is_none(),
        "[{b}] disabled"
    );
    site.post(
        &format!("/accounts/{id}/enable"),
        &county,
        &[("csrf", &csrf)],
    )
    .await;
    assert!(
        try_login(app, "clerk1", &pw2).await.is_some(),
        "[{b}] enabled"
    );
    let city = site.account("city").account_id;
    let r = site
        .post(
            &format!("/accounts/{city}/disable"),
            &county,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");
    let r = site
        .post(
            &format!("/accounts/{id}/disable"),
            &county,
            &[("csrf", "forged")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");
    assert!(
        try_login(app, "city", &site.account("city").password)
            .await
            .is_some(),
        "[{b}]"
    );
    secrets.extend([pw, pw2]);

    // The trail records it all, and no secret.
    let actions = sql
        .texts("SELECT action FROM audit_log WHERE entity = 'account' ORDER BY audit_id")
        .await;
    for a in [
        "change_password",
        "token",
        "revoke_token",
        "create",
        "reset_password",
        "disable",
        "enable",
    ] {
        assert!(actions.iter().any(|x| x == a), "[{b}] {a} audited");
    }
    let trail = sql
        .texts("SELECT COALESCE(before, '') || COALESCE(after, '') || entity_key FROM audit_log")
        .await
        .concat();
    for s in &secrets {
        assert!(!trail.contains(s.as_str()), "[{b}] a secret in the trail");
    }
    assert_eq!(
        site.store.verify_audit().await.unwrap().broken,
        None,
        "[{b}]"
    );
    site.store.close().await;
}
