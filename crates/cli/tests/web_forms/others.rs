//! The enterprise's home, menu and claim form (the policy's validity
//! warned before, a refused claim in the refusal style), the account
//! forms, and the reveal of an ID number, all post/redirect/get.

use super::Ctx;
use crate::common::http::*;
use axum::http::StatusCode;

pub async fn enterprise(ctx: &Ctx, sql: &mut Sql) {
    let b = ctx.b;
    let site = &ctx.site;
    let (firm, csrf) = login(&site.app, "firm", &ctx.firm.password).await;

    // Home: what an enterprise files, not institutions and classes; one
    // claims entry in the menu.
    let home = site.get("/", &firm).await;
    assert_eq!(home.status, StatusCode::OK, "[{b}]");
    assert!(
        home.body.contains("已申领补贴的职工")
            && !home.body.contains("<th>培训机构</th>")
            && !home.body.contains("<th>培训班</th>"),
        "[{b}] {}",
        home.body
    );
    assert!(
        home.body
            .contains("<a href=\"/enterprise/claims\">企业申领</a>")
            && !home.body.contains("<a href=\"/claims\">"),
        "[{b}] one claims entry: {}",
        home.body
    );

    // The form warns beforehand: today is past the demo policy's validity.
    let page = site.get("/enterprise/claims", &firm).await;
    assert!(
        page.body.contains("id=\"validity-warning\"") && page.body.contains("有效期"),
        "[{b}] {}",
        page.body
    );
    let check = site
        .get("/claims/validity?applied_on=2020-06-01", &firm)
        .await;
    assert!(
        check.status == StatusCode::OK && check.body.is_empty(),
        "[{b}]"
    );
    let check = site
        .get("/claims/validity?applied_on=2026-01-01", &firm)
        .await;
    assert!(check.body.contains("不在补贴政策"), "[{b}] {}", check.body);

    // A refused form keeps what was typed.
    let form = |id: &str, applied: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("subsidy_type", "以工代训补贴".to_string()),
            ("name", "赵测试".to_string()),
            ("id_number", id.to_string()),
            ("months", "3".to_string()),
            ("applied_on", applied.to_string()),
        ]
    };
    let r = postv(
        &site.app,
        "/enterprise/claims",
        &firm,
        &form("12345", "2020-06-01"),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {}", r.body);
    assert!(
        r.body.contains("value=\"赵测试\"")
            && r.body.contains("value=\"12345\"")
            && r.body.contains("value=\"3\""),
        "[{b}] {}",
        r.body
    );

    // Filed outside the validity: 303, and the outcome (held: no policy
    // applies to the date) is shown as a refusal (red, role=alert), not a
    // green banner.
    let (id, name) = (
        sql.text(
            "SELECT id_number FROM persons WHERE receives_pension = 0 AND birth_date > '1970-01-01' \
             ORDER BY person_id LIMIT 1",
        )
        .await,
        sql.text(
            "SELECT name FROM persons WHERE receives_pension = 0 AND birth_date > '1970-01-01' \
             ORDER BY person_id LIMIT 1",
        )
        .await,
    );
    let today = chrono::Local::now().date_naive().to_string();
    let mut f = form(&id, &today);
    f[2].1 = name;
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = site.post_raw("/enterprise/claims", &firm, &pairs).await;
    assert_eq!(super::see_other(&r, b), "/enterprise/claims", "[{b}]");
    let page = site.get("/enterprise/claims", &firm).await;
    assert!(
        page.body.contains("class=\"flash refused\" role=\"alert\"")
            && page.body.contains("无适用的补贴政策")
            && !page.body.contains("class=\"flash done\""),
        "[{b}] {}",
        page.body
    );
    let reload = site.get("/enterprise/claims", &firm).await;
    assert!(!reload.body.contains("id=\"flash\""), "[{b}] shown once");
}

pub async fn accounts(ctx: &Ctx, sql: &mut Sql) {
    let b = ctx.b;
    let site = &ctx.site;
    let (city, csrf) = site.login("city").await;

    // A new account refused: the form kept, the login marked.
    let r = site
        .post(
            "/accounts",
            &city,
            &[
                ("csrf", &csrf),
                ("login", "bad login!"),
                ("display_name", "东昌府区某经办"),
                ("role", "officer"),
                ("region", COUNTY),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {}", r.body);
    assert!(
        r.body.contains("value=\"东昌府区某经办\"")
            && r.body.contains(&format!("value=\"{COUNTY}\""))
            && r.body.contains("aria-describedby=\"err-login\""),
        "[{b}] {}",
        r.body
    );
    // Created: 303, the password shown once.
    let r = site
        .post_raw(
            "/accounts",
            &city,
            &[
                ("csrf", &csrf),
                ("login", "county2"),
                ("display_name", "东昌府区经办二"),
                ("role", "officer"),
                ("region", COUNTY),
            ],
        )
        .await;
    assert_eq!(super::see_other(&r, b), "/accounts", "[{b}]");
    assert!(
        site.get("/accounts", &city)
            .await
            .body
            .contains("id=\"new-password\""),
        "[{b}]"
    );
    assert!(
        !site
            .get("/accounts", &city)
            .await
            .body
            .contains("id=\"new-password\""),
        "[{b}] once"
    );

    // Own account: a wrong old password marks that field; a token is shown once.
    let r = site
        .post(
            "/account/password",
            &city,
            &[
                ("csrf", &csrf),
                ("old", "wrong-password-1"),
                ("new", "Another-pass-2026"),
                ("again", "Another-pass-2026"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}]");
    assert!(r.body.contains("aria-describedby=\"err-old\""), "[{b}]");
    let r = site
        .post_raw(
            "/account/tokens",
            &city,
            &[("csrf", &csrf), ("label", "报送脚本")],
        )
        .await;
    assert_eq!(super::see_other(&r, b), "/account", "[{b}]");
    let page = site.get("/account", &city).await;
    assert!(
        page.body.contains("id=\"new-token\"") && page.body.contains("报送脚本"),
        "[{b}]"
    );
    assert!(
        !site
            .get("/account", &city)
            .await
            .body
            .contains("id=\"new-token\""),
        "[{b}] once"
    );

    // Revealing an ID: 303 to the archive, full once, masked on reload.
    let (pid, full) = (
        sql.int(&format!(
            "SELECT MIN(person_id) FROM persons WHERE hukou_region LIKE '{COUNTY}%'"
        ))
        .await,
        sql.text(&format!(
            "SELECT id_number FROM persons WHERE person_id = (SELECT MIN(person_id) FROM persons WHERE hukou_region LIKE '{COUNTY}%')"
        ))
        .await,
    );
    let to = format!("/persons/{pid}");
    let r = site
        .post_raw(&format!("{to}/reveal"), &city, &[("csrf", &csrf)])
        .await;
    assert_eq!(super::see_other(&r, b), to, "[{b}]");
    assert!(
        site.get(&to, &city).await.body.contains(&full),
        "[{b}] revealed"
    );
    assert!(
        !site.get(&to, &city).await.body.contains(&full),
        "[{b}] masked again"
    );
}
