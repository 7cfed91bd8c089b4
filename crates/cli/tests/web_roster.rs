//! The institution clerk's roster on the web, on SQLite and PostgreSQL
//! (demo loaded by the real binary, the real router in-process): enrolment
//! by ID number and name (registering a new person through the persons
//! template's parser), hours and completion in the bulk form, the bound of
//! the planned hours, the e-archive showing the result in Chinese; another
//! institution's clerk, a form without CSRF and a closed class change
//! nothing; every write is in the audit trail, which still verifies.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{TestDb, backends};
use http_body_util::BodyExt;
use jineng_domain::access::{Role, Scope};
use jineng_store::{Actor, Store};
use sqlx::Connection;
use tower::ServiceExt;

#[test]
fn clerk_keeps_the_roster_of_its_own_open_classes() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in backends("web_roster") {
        db.ok(&["demo", "--persons", "200"]);
        rt.block_on(roster(&db));
        db.ok(&["audit", "verify"]);
    }
}

async fn roster(db: &TestDb) {
    let b = db.backend;
    let store = Store::connect(&db.url).await.unwrap();
    let actor = Actor("test:setup".into());
    let sample = store.first_person_with_claim().await.unwrap().unwrap();
    let accounts = jineng_web::demo_accounts(&store, "371500", "371502", &sample, &actor)
        .await
        .unwrap();
    let pw = |l: &str| {
        accounts
            .iter()
            .find(|a| a.login == l)
            .unwrap()
            .password
            .clone()
    };
    let Scope::Institution(inst) = accounts.iter().find(|a| a.login == "school").unwrap().scope
    else {
        panic!("school is an institution clerk")
    };
    let mut sql = Sql::open(db).await;
    let other: i64 = sql
        .int(&format!(
            "SELECT MIN(institution_id) FROM classes WHERE institution_id <> {inst}"
        ))
        .await;
    let rival = jineng_web::create_account(
        &store,
        "rival",
        "另一培训机构",
        Role::Institution,
        Scope::Institution(other),
        &actor,
    )
    .await
    .unwrap();
    let app = app_of(&store);
    let class: i64 = sql
        .int(&format!(
            "SELECT MIN(class_id) FROM classes WHERE institution_id = {inst}"
        ))
        .await;
    let planned = sql
        .int(&format!(
            "SELECT planned_hours FROM classes WHERE class_id = {class}"
        ))
        .await;
    let enrolled = sql
        .int(&format!(
            "SELECT COUNT(*) FROM enrolments WHERE class_id = {class}"
        ))
        .await;
    let roster_url = format!("/classes/{class}/roster");

    // The clerk sees the roster with its size and planned hours, IDs masked.
    let (school, csrf) = login(&app, "school", &pw("school")).await;
    let r = get(&app, &roster_url, &school).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    assert!(
        r.body
            .contains(&format!("<tr><th>学员数</th><td>{enrolled}</td>")),
        "[{b}]"
    );
    assert!(r.body.contains(&format!("<td>{planned}（")), "[{b}]");
    assert!(r.body.contains("**********"), "[{b}] IDs masked");
    assert!(r.body.contains("roster/attendance"), "[{b}] the bulk form");

    // Enrolling an unregistered person needs the persons template's fields.
    let id = common::id("371502", 1990, 5, 17, 321);
    let enrol = format!("/classes/{class}/roster/enrol");
    let r = post(
        &app,
        &enrol,
        &school,
        &[("csrf", &csrf), ("id_number", &id), ("name", "周测试")],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {}", r.body);
    assert!(r.body.contains("尚未登记人员信息"), "[{b}] {}", r.body);
    // A wrong region is the persons template's own error.
    let bad = [
        ("csrf", csrf.as_str()),
        ("id_number", &id),
        ("name", "周测试"),
        ("sex", "男"),
        ("hukou_region", "379999"),
    ];
    let r = post(&app, &enrol, &school, &bad).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {}", r.body);
    assert!(r.body.contains("户籍地"), "[{b}] {}", r.body);
    assert_eq!(
        sql.int(&format!(
            "SELECT COUNT(*) FROM persons WHERE id_number = '{id}'"
        ))
        .await,
        0
    );
    let good = [
        ("csrf", csrf.as_str()),
        ("id_number", &id),
        ("name", "周测试"),
        ("sex", "男"),
        ("hukou_region", "371502"),
    ];
    let r = post(&app, &enrol, &school, &good).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    assert!(
        r.body.contains("已将「周测试」加入花名册"),
        "[{b}] {}",
        r.body
    );
    let pid = sql
        .int(&format!(
            "SELECT person_id FROM persons WHERE id_number = '{id}'"
        ))
        .await;
    assert_eq!(
        sql.int(&format!(
            "SELECT COUNT(*) FROM enrolments WHERE class_id = {class}"
        ))
        .await,
        enrolled + 1,
        "[{b}]"
    );
    // Twice is refused.
    let r = post(&app, &enrol, &school, &good).await;
    assert!(r.body.contains("已在培训班"), "[{b}] {}", r.body);

    // Hours beyond the planned hours are refused, and nothing is written.
    let att = format!("/classes/{class}/roster/attendance");
    let p = pid.to_string();
    let (off_k, on_k, done_k) = (format!("off_{p}"), format!("on_{p}"), format!("done_{p}"));
    let too_many = (planned + 1).to_string();
    let form = [
        ("csrf", csrf.as_str()),
        ("p", &p),
        (&off_k, &too_many),
        (&on_k, "0"),
        (&done_k, "passed"),
    ];
    let r = post(&app, &att, &school, &form).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {}", r.body);
    assert!(r.body.contains("超过该班计划课时"), "[{b}] {}", r.body);
    let r = post(
        &app,
        &att,
        &school,
        &[
            ("csrf", &csrf),
            ("p", &p),
            (&off_k, "-1"),
            (&on_k, "0"),
            (&done_k, "passed"),
        ],
    )
    .await;
    assert!(r.body.contains("不能为负数"), "[{b}] {}", r.body);
    let state = format!(
        "SELECT offline_hours * 1000 + online_hours FROM enrolments WHERE person_id = {pid} AND class_id = {class}"
    );
    assert_eq!(sql.int(&state).await, 0, "[{b}] nothing written");

    // Valid hours and the result are saved and audited with before/after.
    let off = (planned - 4).to_string();
    let form = [
        ("csrf", csrf.as_str()),
        ("p", &p),
        (&off_k, &off),
        (&on_k, "4"),
        (&done_k, "passed"),
    ];
    let r = post(&app, &att, &school, &form).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    assert_eq!(sql.int(&state).await, (planned - 4) * 1000 + 4, "[{b}]");
    let completion =
        format!("SELECT completion FROM enrolments WHERE person_id = {pid} AND class_id = {class}");
    assert_eq!(sql.text(&completion).await, "passed");
    let audit = sql
        .text(&format!(
            "SELECT before || ' -> ' || after FROM audit_log WHERE entity = 'enrolment' AND action = 'update' \
             AND entity_key = '{pid}/{class}' AND actor = 'web:school'"
        ))
        .await;
    assert!(
        audit.contains("not_finished") && audit.contains("passed"),
        "[{b}] {audit}"
    );

    // The e-archive shows hours and the result in Chinese.
    let (city, _) = login(&app, "city", &pw("city")).await;
    let r = get(&app, &format!("/persons/{pid}"), &city).await;
    assert!(
        r.body.contains(&format!("<td>{off}/4</td><td>合格</td>")),
        "[{b}] {}",
        r.body
    );
    // Officers read the roster but have no form.
    let r = get(&app, &roster_url, &city).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}]");
    assert!(!r.body.contains("roster/attendance"), "[{b}] read-only");
    let r = post(
        &app,
        &att,
        &city,
        &[
            ("csrf", &csrf_of(&r.body)),
            ("p", &p),
            (&off_k, "1"),
            (&on_k, "0"),
            (&done_k, "failed"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");

    // Another institution's clerk: 403 for the page and the form.
    let (rival_cookie, rival_csrf) = login(&app, "rival", &rival.password).await;
    let r = get(&app, &roster_url, &rival_cookie).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");
    assert!(r.body.contains("不存在或不在您的管理范围内"), "[{b}]");
    let form = [
        ("csrf", rival_csrf.as_str()),
        ("p", &p),
        (&off_k, "1"),
        (&on_k, "0"),
        (&done_k, "failed"),
    ];
    assert_eq!(
        post(&app, &att, &rival_cookie, &form).await.status,
        StatusCode::FORBIDDEN
    );
    let other_id = common::id("371502", 1991, 1, 2, 11);
    let r = post(
        &app,
        &enrol,
        &rival_cookie,
        &[
            ("csrf", &rival_csrf),
            ("id_number", &other_id),
            ("name", "吴某"),
            ("sex", "男"),
            ("hukou_region", "371502"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");
    // Without the CSRF token: 403.
    let r = post(
        &app,
        &att,
        &school,
        &[("p", &p), (&off_k, "1"), (&on_k, "0"), (&done_k, "failed")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");
    assert_eq!(
        sql.int(&state).await,
        (planned - 4) * 1000 + 4,
        "[{b}] unchanged"
    );
    assert_eq!(sql.text(&completion).await, "passed");
    assert_eq!(
        sql.int(&format!(
            "SELECT COUNT(*) FROM persons WHERE id_number = '{other_id}'"
        ))
        .await,
        0
    );

    // Once the class is closed (结业), edits are refused with the reason.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE classes SET status = 'closed' WHERE class_id = {class}"
    )))
    .execute(&mut sql.0)
    .await
    .unwrap();
    let r = get(&app, &roster_url, &school).await;
    assert!(
        !r.body.contains("roster/attendance"),
        "[{b}] no form once closed"
    );
    let form = [
        ("csrf", csrf.as_str()),
        ("p", &p),
        (&off_k, "1"),
        (&on_k, "0"),
        (&done_k, "failed"),
    ];
    let r = post(&app, &att, &school, &form).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}]");
    assert!(r.body.contains("已结业"), "[{b}] {}", r.body);
    assert_eq!(
        sql.int(&state).await,
        (planned - 4) * 1000 + 4,
        "[{b}] unchanged"
    );
    store.close().await;
}

// ---- HTTP and SQL helpers (as in web.rs, kept local to this file) ----

struct Resp {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn send(app: &Router, req: Request<Body>) -> Resp {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Resp {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn get(app: &Router, path: &str, cookie: &str) -> Resp {
    let req = Request::get(path).header(header::COOKIE, cookie);
    send(app, req.body(Body::empty()).unwrap()).await
}

async fn post(app: &Router, path: &str, cookie: &str, form: &[(&str, &str)]) -> Resp {
    let body: String = form
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let req = Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    send(app, req.body(Body::from(body)).unwrap()).await
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn csrf_of(html: &str) -> String {
    let i = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    html[i..i + html[i..].find('"').unwrap()].to_string()
}

fn set_cookie(r: &Resp, name: &str) -> String {
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_string())
        .unwrap_or_else(|| panic!("no {name} cookie"))
}

/// Logs in; returns the session cookie and the session's CSRF token.
async fn login(app: &Router, login: &str, password: &str) -> (String, String) {
    let page = get(app, "/login", "").await;
    let pre = set_cookie(&page, "jineng_login_csrf");
    let form = [
        ("csrf", csrf_of(&page.body)),
        ("login", login.to_string()),
        ("password", password.to_string()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = post(app, "/login", &pre, &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "login {login}: {}", r.body);
    let cookie = set_cookie(&r, "jineng_session");
    let any_page = get(app, "/certificates/lookup", &cookie).await;
    (cookie.clone(), csrf_of(&any_page.body))
}

struct Sql(sqlx::AnyConnection);

impl Sql {
    async fn open(db: &TestDb) -> Sql {
        sqlx::any::install_default_drivers();
        Sql(sqlx::AnyConnection::connect(&db.url).await.unwrap())
    }
    async fn int(&mut self, sql: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&mut self.0)
            .await
            .unwrap()
    }
    async fn text(&mut self, sql: &str) -> String {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&mut self.0)
            .await
            .unwrap()
    }
}

fn app_of(store: &Store) -> Router {
    let limits = jineng_web::Limits {
        login_per_minute: 1000,
        lookup_per_minute: 1000,
    };
    jineng_web::router(jineng_web::AppState::new(store.clone(), limits, false))
}
