//! The institution clerk's roster on the web, on SQLite and PostgreSQL
//! (demo loaded by the real binary, the real router in-process): enrolment
//! by ID number and name (registering a new person through the persons
//! template's parser), hours and completion in the bulk form, the bound of
//! the planned hours, the e-archive showing the result in Chinese; another
//! institution's clerk, a form without CSRF and a closed class change
//! nothing; every write is in the audit trail, which still verifies.

use crate::common;

use crate::common::http::*;
use axum::http::StatusCode;
use common::TestDb;
use jineng_domain::access::{Role, Scope};
use jineng_store::Actor;

#[test]
fn clerk_keeps_the_roster_of_its_own_open_classes() {
    on_demo("web_roster", "300", async |db| {
        roster(db).await;
        db.ok(&["audit", "verify"]);
    });
}

async fn roster(db: &TestDb) {
    let b = db.backend;
    let site = Site::open(db).await;
    let (app, store) = (site.app.clone(), site.store.clone());
    let actor = Actor("test:setup".into());
    let pw = |l: &str| site.account(l).password.clone();
    let Scope::Institution(inst) = site.account("school").scope else {
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
    let class: i64 = sql
        .int(&format!(
            "SELECT MIN(class_id) FROM classes WHERE institution_id = {inst}"
        ))
        .await;
    // The demo closes (结业) every class that has ended; the clerk works
    // on an open one, so this one is reopened as filed and approved.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE classes SET status = 'approved' WHERE class_id = {class}"
    )))
    .execute(&mut sql.0)
    .await
    .unwrap();
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
