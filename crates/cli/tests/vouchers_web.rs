//! Training vouchers on the web and the API, on SQLite and PostgreSQL
//! (the real router in-process, the scenario of `vouchers_fixture`): the
//! clerk's form on the roster (refusals shown with the input kept), the
//! API's redemption and its conflicts, another institution's clerk and an
//! officer refused, the officers' list with its totals, search and filter
//! (ID numbers masked), the ledger page's commitments, the audit trail,
//! and the worker's own vouchers on /me — no one else's.

use crate::common;
use crate::vouchers_fixture;

use crate::common::http::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::TestDb;
use jineng_domain::access::{Role, Scope};
use jineng_store::{Actor, Store};
use serde_json::{Value, json};
use vouchers_fixture::*;

#[test]
fn the_web_and_the_api_redeem_list_and_show_vouchers() {
    let f = fx();
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in common::initialised("vouchers_web") {
        registry(&db, &f, "100000");
        let year = chrono::Local::now().date_naive().format("%Y").to_string();
        db.ok(&["vouchers", "issue", "--scope", "371502", "--year", &year]);
        let year: i32 = year.parse().unwrap();
        let va = vouchers_of(&db, &f.a, year)[0].clone();
        let vb = vouchers_of(&db, &f.b, year)[0].clone();
        rt.block_on(web(&db, &f, &va, &vb));
        assert!(db.ok(&["ledger", "verify"]).contains("专账校验通过"));
        assert!(db.ok(&["audit", "verify"]).contains("审计链校验通过"));
    }
}

async fn person_id(sql: &mut Sql, idn: &str) -> i64 {
    sql.int(&format!(
        "SELECT person_id FROM persons WHERE id_number = '{idn}'"
    ))
    .await
}

async fn post_json(
    app: &axum::Router,
    path: &str,
    token: &str,
    body: Value,
) -> (StatusCode, Value) {
    let req = Request::post(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let r = send(app, req).await;
    (r.status, serde_json::from_str(&r.body).unwrap_or_default())
}

async fn web(db: &TestDb, f: &Fx, va: &str, vb: &str) {
    let b = db.backend;
    let store = Store::connect(&db.url).await.unwrap();
    let actor = Actor("test:setup".into());
    let mut sql = Sql::open(db).await;
    let inst = |code: &str| {
        format!("SELECT institution_id FROM institutions WHERE credit_code = '{code}'")
    };
    let (school, other) = (
        sql.int(&inst(&f.school)).await,
        sql.int(&inst(&f.other)).await,
    );
    let w1 = sql
        .int("SELECT class_id FROM classes WHERE class_no = 'W1'")
        .await;
    let pa = person_id(&mut sql, &f.a).await;
    let account = |login: &'static str, role: Role, scope: Scope| {
        let store = store.clone();
        let actor = actor.clone();
        async move {
            jineng_web::create_account(&store, login, login, role, scope, &actor)
                .await
                .unwrap()
        }
    };
    let clerk = account("clerk", Role::Institution, Scope::Institution(school)).await;
    let rival = account("rival", Role::Institution, Scope::Institution(other)).await;
    let officer = account(
        "officer",
        Role::Officer,
        Scope::Region(jineng_domain::RegionCode::parse("371500").unwrap()),
    )
    .await;
    let worker = account("jia", Role::Worker, Scope::Person(pa)).await;
    let app = app_of(&store);

    // The clerk redeems 甲's voucher on the roster; the flash says so and
    // the class's vouchers list it.
    let (cookie, csrf) = login(&app, "clerk", &clerk.password).await;
    let roster = format!("/classes/{w1}/roster");
    let page = get(&app, &roster, &cookie).await;
    assert!(
        page.body.contains("培训券核验") && page.body.contains(&format!("/classes/{w1}/vouchers")),
        "[{b}]"
    );
    let path = format!("/classes/{w1}/vouchers");
    // 乙's voucher with 甲's ID: refused, the input kept, the reason shown.
    let r = post(
        &app,
        &path,
        &cookie,
        &[("csrf", &csrf), ("voucher_no", vb), ("id_number", &f.a)],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}]");
    assert!(
        r.body.contains("不属于该学员") && r.body.contains(&format!("value=\"{vb}\"")),
        "[{b}] {}",
        r.body
    );
    let r = post(
        &app,
        &path,
        &cookie,
        &[("csrf", &csrf), ("voucher_no", va), ("id_number", &f.a)],
    )
    .await;
    assert_eq!(
        r.redirected.as_deref(),
        Some(roster.as_str()),
        "[{b}] {}",
        r.body
    );
    assert!(
        r.body
            .contains(&format!("已核验培训券 {va}（家政初级券，面值 900.00 元）")),
        "[{b}] {}",
        r.body
    );
    assert!(
        r.body.contains("id=\"class-vouchers\"") && r.body.contains(va),
        "[{b}]"
    );
    // Another institution's clerk reaches neither the class nor the voucher.
    let (rc, rcsrf) = login(&app, "rival", &rival.password).await;
    let r = post_raw(
        &app,
        &path,
        &rc,
        &[("csrf", &rcsrf), ("voucher_no", vb), ("id_number", &f.b)],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] {}", r.body);

    // The API: the clerk redeems 乙's; again is a conflict with the reason;
    // the rival and an officer may not.
    let token = |id: i64| {
        let store = store.clone();
        let actor = actor.clone();
        async move {
            jineng_web::issue_api_token(&store, id, "t", &actor)
                .await
                .unwrap()
        }
    };
    let (ct, rt_, ot) = (
        token(clerk.account_id).await,
        token(rival.account_id).await,
        token(officer.account_id).await,
    );
    let body = json!({ "voucher_no": vb, "id_number": f.b });
    let api_path = format!("/api/v1/classes/{w1}/vouchers");
    let (s, v) = post_json(&app, &api_path, &rt_, body.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "[{b}] {v}");
    let (s, v) = post_json(&app, &api_path, &ot, body.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "[{b}] {v}");
    let (s, v) = post_json(&app, &api_path, &ct, body.clone()).await;
    assert_eq!(
        (s, &v["face_fen"], &v["class_no"]),
        (StatusCode::OK, &json!(90_000), &json!("W1")),
        "[{b}] {v}"
    );
    let (s, v) = post_json(&app, &api_path, &ct, body).await;
    assert_eq!(s, StatusCode::CONFLICT, "[{b}] {v}");
    assert!(
        v["error"].as_str().unwrap().contains("不能再次使用"),
        "[{b}] {v}"
    );
    let (s, v) = post_json(
        &app,
        &api_path,
        &ct,
        json!({ "voucher_no": " ", "id_number": f.b }),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "[{b}] {v}");

    // The officers' list: totals, masked IDs, the status filter, search.
    let (s, v) = api(&app, "GET", "/api/v1/vouchers", &ot).await;
    assert_eq!(
        (s, &v["total"], &v["totals"]["used"]),
        (StatusCode::OK, &json!(2), &json!(2)),
        "[{b}] {v}"
    );
    assert!(!v.to_string().contains(&f.a), "[{b}] masked");
    let (s, v) = api(&app, "GET", "/api/v1/vouchers", &ct).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "[{b}] {v}");
    let (oc, _) = login(&app, "officer", &officer.password).await;
    let list = get(&app, "/vouchers", &oc).await;
    assert_eq!(list.status, StatusCode::OK, "[{b}]");
    for needle in [
        "id=\"voucher-totals\"",
        "尚在承诺",
        "1,800.00 元",
        va,
        vb,
        "已使用",
        "id=\"committed-ES\"",
    ] {
        assert!(list.body.contains(needle), "[{b}] {needle}");
    }
    assert!(!list.body.contains(&f.a), "[{b}] the ID is masked");
    let found = get(&app, &format!("/vouchers?q={}", &va[9..]), &oc).await;
    assert!(
        found.body.contains(va) && !found.body.contains(vb),
        "[{b}] search by number"
    );
    let lapsed = get(&app, "/vouchers?status=lapsed", &oc).await;
    assert!(lapsed.body.contains("没有符合条件的培训券"), "[{b}]");
    let bad = get(&app, "/vouchers?status=nope", &oc).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "[{b}]");
    let trail = get(&app, "/audit?entity=voucher", &oc).await;
    assert!(
        trail.status == StatusCode::OK && trail.body.contains("核验使用培训券"),
        "[{b}] the redemption is in the audit trail"
    );
    let ledger = get(&app, "/ledger", &oc).await;
    assert!(
        ledger.body.contains("其中培训券承诺")
            && ledger.body.contains("id=\"committed-ES\">1,800.00 元"),
        "[{b}]"
    );

    // The worker sees their own voucher on /me, and not 乙's.
    let (wc, _) = login(&app, "jia", &worker.password).await;
    let me = get(&app, "/me", &wc).await;
    assert_eq!(me.status, StatusCode::OK, "[{b}]");
    for needle in [
        "职业培训券",
        va,
        "家政初级券",
        "900.00 元",
        "已使用",
        "培训班 W1",
    ] {
        assert!(me.body.contains(needle), "[{b}] {needle}: {}", me.body);
    }
    assert!(!me.body.contains(vb), "[{b}] not another's voucher");
    assert_eq!(
        get(&app, "/vouchers", &wc).await.status,
        StatusCode::FORBIDDEN,
        "[{b}]"
    );
}
