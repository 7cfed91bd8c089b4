//! Class filing review and closing, institutions and the catalogue through
//! the web, on SQLite and PostgreSQL, against the demo loaded by the real
//! binary: an institution files classes, the county officer approves,
//! returns (with a reason) and closes them (refused while a trainee has
//! no result); each step is audited with before and after; another
//! county's class is 403 and unchanged; a POST without CSRF is 403.

use crate::common;

use crate::common::http::{COUNTY, Site, Sql, get, on_demo, post};
use axum::http::{StatusCode, header};

#[test]
fn classes_are_reviewed_and_closed_within_scope() {
    on_demo("web_classes", "400", walk);
}

fn level_zh(grade: Option<i64>) -> &'static str {
    match grade {
        Some(5) => "五级",
        Some(4) => "四级",
        Some(3) => "三级",
        Some(2) => "二级",
        Some(1) => "一级",
        _ => "",
    }
}

async fn walk(db: &common::TestDb) {
    let b = db.backend;
    let site = Site::open(db).await;
    let mut sql = Sql::open(db).await;
    let app = &site.app;

    // The demo's classes come out reviewed: approved, the finished ones closed.
    assert_eq!(
        sql.int("SELECT COUNT(*) FROM classes WHERE status = 'registered'")
            .await,
        0,
        "[{b}]"
    );
    let closed = sql
        .int("SELECT COUNT(*) FROM classes WHERE status = 'closed' AND site_region LIKE '3715%'")
        .await;
    assert!(closed > 0, "[{b}]");
    let (city, _) = site.login("city").await;
    let r = get(app, "/classes?status=closed", &city).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}]");
    assert_eq!(
        r.body.matches(">已结业</td>").count() as i64,
        closed,
        "[{b}]"
    );
    assert!(!r.body.contains(">备案通过</td>"), "[{b}] filtered");

    // ---- the institution files classes (开班备案) for the county.
    let (clerk, clerk_csrf) = site.login("school").await;
    let (training_type, occupation, grade): (String, String, Option<i64>) = sqlx::query_as(
        "SELECT training_type, occupation_code, skill_level FROM classes ORDER BY class_id LIMIT 1",
    )
    .fetch_one(&mut sql.0)
    .await
    .unwrap();
    let level = level_zh(grade);
    let file = |no: &'static str, start: &'static str, end: &'static str, hours: &'static str| {
        let (tt, occ, csrf) = (
            training_type.clone(),
            occupation.clone(),
            clerk_csrf.clone(),
        );
        let clerk = clerk.clone();
        async move {
            post(
                app,
                "/classes/new",
                &clerk,
                &[
                    ("csrf", &csrf),
                    ("class_no", no),
                    ("training_type", &tt),
                    ("occupation", &occ),
                    ("level", level),
                    ("site", COUNTY),
                    ("start", start),
                    ("end", end),
                    ("hours", hours),
                ],
            )
            .await
        }
    };
    assert_eq!(
        get(app, "/classes/new", &clerk).await.status,
        StatusCode::OK
    );
    let r = file("WEB-A", "2020-05-01", "2020-03-01", "40").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}]");
    // Kept as typed, the field in error marked.
    assert!(
        r.body.contains("aria-invalid=\"true\"") && r.body.contains("value=\"WEB-A\""),
        "[{b}] {}",
        r.body
    );
    let count = |no: &str| format!("SELECT COUNT(*) FROM classes WHERE class_no = '{no}'");
    assert_eq!(sql.int(&count("WEB-A")).await, 0, "[{b}] nothing written");
    let r = file("WEB-A", "2020-03-01", "2020-04-01", "40").await;
    // Post/redirect/get: the class's page, with what was done.
    let a = r.redirected.clone().expect("303 to the class");
    assert!(r.body.contains("已提交开班备案"), "[{b}] {}", r.body);
    let a_id: i64 = a.strip_prefix("/classes/").unwrap().parse().unwrap();
    let status = |id: i64| format!("SELECT status FROM classes WHERE class_id = {id}");
    assert_eq!(sql.text(&status(a_id)).await, "registered", "[{b}]");
    // The officer review is not the clerk's.
    let r = post(
        app,
        &format!("{a}/approve"),
        &clerk,
        &[("csrf", &clerk_csrf)],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");

    // ---- the county officer approves: CSRF first, then audited.
    let (county, csrf) = site.login("county").await;
    let r = get(app, "/classes?status=registered", &county).await;
    assert!(r.body.contains("<td>WEB-A</td>"), "[{b}]");
    let page = get(app, &a, &county).await;
    assert!(
        page.status == StatusCode::OK
            && page.body.contains("待审核")
            && page
                .body
                .contains(&format!("href=\"/classes/{a_id}/roster\"")),
        "[{b}] {}",
        page.body
    );
    let r = post(app, &format!("{a}/approve"), &county, &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] no CSRF token");
    assert_eq!(sql.text(&status(a_id)).await, "registered", "[{b}]");
    let r = post(app, &format!("{a}/approve"), &county, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    assert_eq!(sql.text(&status(a_id)).await, "approved", "[{b}]");
    let audit = |action: &str, id: i64| {
        format!(
            "SELECT actor || '|' || before || '|' || after FROM audit_log \
             WHERE action = '{action}' AND entity = 'class' AND entity_key = '{id}' ORDER BY audit_id DESC LIMIT 1"
        )
    };
    let row = sql.text(&audit("approve_class", a_id)).await;
    assert!(
        row.starts_with("web:county|")
            && row.contains("\"status\":\"registered\"")
            && row.contains("\"status\":\"approved\""),
        "[{b}] {row}"
    );

    // ---- return needs a reason; the returned class is filed again.
    let r = file("WEB-B", "2020-03-01", "2020-04-01", "40").await;
    let b_id: i64 = r.redirected.as_ref().unwrap()[9..].parse().unwrap();
    let r = post(
        app,
        &format!("/classes/{b_id}/return"),
        &county,
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}]");
    assert!(r.body.contains("退回原因"), "[{b}]");
    assert_eq!(sql.text(&status(b_id)).await, "registered", "[{b}]");
    let r = post(
        app,
        &format!("/classes/{b_id}/return"),
        &county,
        &[("csrf", &csrf), ("reason", "计划课时不足")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    assert_eq!(sql.text(&status(b_id)).await, "returned", "[{b}]");
    let row = sql.text(&audit("return_class", b_id)).await;
    assert!(
        row.contains("\"status\":\"returned\"") && row.contains("计划课时不足"),
        "[{b}] {row}"
    );
    let r = file("WEB-B", "2020-03-01", "2020-04-01", "64").await;
    assert!(r.redirected.is_some(), "[{b}] {}", r.body);
    assert_eq!(
        sql.text(&status(b_id)).await,
        "registered",
        "[{b}] back to review"
    );
    let hours = format!("SELECT planned_hours FROM classes WHERE class_id = {b_id}");
    assert_eq!(sql.int(&hours).await, 64, "[{b}]");
    let page = get(app, &format!("/classes/{b_id}"), &county).await;
    assert!(
        page.body.contains("计划课时不足") && page.body.contains("重新报备"),
        "[{b}]"
    );

    // ---- closing: refused while a trainee has no result.
    let credit = sql
        .text(&format!(
            "SELECT i.credit_code FROM classes cl JOIN institutions i ON i.institution_id = cl.institution_id WHERE cl.class_id = {a_id}"
        ))
        .await;
    let (name, idn): (String, String) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT name, id_number FROM persons WHERE hukou_region LIKE '{COUNTY}%' ORDER BY person_id LIMIT 1"
    )))
    .fetch_one(&mut sql.0)
    .await
    .unwrap();
    let roster = |result: &str| {
        format!(
            "班级编号,统一社会信用代码,姓名,身份证号码,线下课时,线上课时,结业结果\nWEB-A,{credit},{name},{idn},40,0,{result}\n"
        )
    };
    let (_, done) = site
        .import(&county, &csrf, "roster", "花名册.csv", &roster("未结业"))
        .await;
    assert!(done.contains("接收 1 行"), "[{b}] {done}");
    let r = post(app, &format!("{a}/close"), &county, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}]");
    assert!(r.body.contains("1 名学员没有结业结果"), "[{b}] {}", r.body);
    assert_eq!(sql.text(&status(a_id)).await, "approved", "[{b}]");
    let (_, done) = site
        .import(&county, &csrf, "roster", "花名册.csv", &roster("合格"))
        .await;
    assert!(done.contains("更新 1"), "[{b}] {done}");
    let r = post(app, &format!("{a}/close"), &county, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    assert_eq!(sql.text(&status(a_id)).await, "closed", "[{b}]");
    let row = sql.text(&audit("close_class", a_id)).await;
    assert!(
        row.starts_with("web:county|")
            && row.contains("\"status\":\"approved\"")
            && row.contains("\"status\":\"closed\""),
        "[{b}] {row}"
    );
    let who = sql
        .text(&format!(
            "SELECT actor || ' ' || at FROM class_events WHERE class_id = {a_id} AND to_status = 'closed'"
        ))
        .await;
    assert!(
        who.starts_with("web:county 20"),
        "[{b}] who and when: {who}"
    );

    // The institution asks to close; an empty roster cannot close.
    let r = file("WEB-C", "2020-03-01", "2020-04-01", "40").await;
    let c_id: i64 = r.redirected.as_ref().unwrap()[9..].parse().unwrap();
    post(
        app,
        &format!("/classes/{c_id}/approve"),
        &county,
        &[("csrf", &csrf)],
    )
    .await;
    let r = post(
        app,
        &format!("/classes/{c_id}/request-close"),
        &clerk,
        &[("csrf", &clerk_csrf)],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    assert_eq!(sql.text(&status(c_id)).await, "closing", "[{b}]");
    let r = post(
        app,
        &format!("/classes/{c_id}/close"),
        &county,
        &[("csrf", &csrf)],
    )
    .await;
    assert!(
        r.status == StatusCode::BAD_REQUEST && r.body.contains("花名册为空"),
        "[{b}] {}",
        r.body
    );
    assert_eq!(sql.text(&status(c_id)).await, "closing", "[{b}]");

    // ---- another county's class: 403 and unchanged.
    let (other, other_status): (i64, String) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT class_id, status FROM classes WHERE site_region NOT LIKE '{COUNTY}%' ORDER BY class_id LIMIT 1"
    )))
    .fetch_one(&mut sql.0)
    .await
    .unwrap();
    assert_eq!(
        get(app, &format!("/classes/{other}"), &county).await.status,
        StatusCode::FORBIDDEN,
        "[{b}]"
    );
    for step in ["approve", "close", "return"] {
        let r = post(
            app,
            &format!("/classes/{other}/{step}"),
            &county,
            &[("csrf", &csrf), ("reason", "x")],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] {step}");
    }
    assert_eq!(sql.text(&status(other)).await, other_status, "[{b}]");
    assert_eq!(
        get(app, "/classes/999999", &county).await.status,
        StatusCode::FORBIDDEN,
        "[{b}] missing is the same 403"
    );

    // The API's view of a class, scoped the same way.
    let county_id = site
        .accounts
        .iter()
        .find(|a| a.login == "county")
        .unwrap()
        .account_id;
    let actor = jineng_store::Actor("test:setup".into());
    let token = jineng_web::issue_api_token(&site.store, county_id, "test", &actor)
        .await
        .unwrap();
    let api = |path: String| {
        let token = token.clone();
        async move {
            let req = axum::http::Request::get(path)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(axum::body::Body::empty())
                .unwrap();
            crate::common::http::send(app, req).await
        }
    };
    let r = api(format!("/api/v1/classes/{a_id}")).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["status"], "closed", "[{b}]");
    assert_eq!(
        v["history"].as_array().unwrap().len(),
        3,
        "[{b}] filed, approved, closed"
    );
    let r = api(format!("/api/v1/classes/{other}")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");

    // The review steps through the API: the same rules as the buttons.
    let step = |id: i64, step: &'static str, body: &'static str, token: String| async move {
        let req = axum::http::Request::post(format!("/api/v1/classes/{id}/{step}"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(axum::body::Body::from(body))
            .unwrap();
        let r = crate::common::http::send(app, req).await;
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap_or_default();
        (r.status, v)
    };
    let r = file("WEB-D", "2020-05-01", "2020-06-01", "40").await;
    let d_id: i64 = r.redirected.as_ref().unwrap()[9..].parse().unwrap();
    // The API's review queue: the county's classes awaiting review.
    let r = api("/api/v1/classes?status=registered".into()).await;
    let queue: Vec<serde_json::Value> = serde_json::from_str(&r.body).unwrap();
    assert!(
        queue.iter().any(|c| c["class_id"] == d_id)
            && queue.iter().all(|c| c["status"] == "registered"),
        "[{b}] {}",
        r.body
    );
    let r = api("/api/v1/classes?status=bogus".into()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}]");
    let (code, v) = step(d_id, "return", "{}", token.clone()).await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "[{b}] {v}");
    assert!(
        v["error"].as_str().unwrap().contains("退回原因"),
        "[{b}] {v}"
    );
    assert_eq!(sql.text(&status(d_id)).await, "registered", "[{b}]");
    let (code, v) = step(d_id, "return", r#"{"reason":"场地未落实"}"#, token.clone()).await;
    assert_eq!(
        (code, v["status"].as_str()),
        (StatusCode::OK, Some("returned")),
        "[{b}] {v}"
    );
    file("WEB-D", "2020-05-01", "2020-06-01", "40").await;
    let (code, v) = step(d_id, "approve", "{}", token.clone()).await;
    assert_eq!(
        (code, v["status"].as_str()),
        (StatusCode::OK, Some("approved")),
        "[{b}] {v}"
    );
    assert_eq!(
        v["history"].as_array().unwrap().len(),
        4,
        "[{b}] filed, returned, filed again, approved: {v}"
    );
    let (code, _) = step(d_id, "approve", "{}", token.clone()).await;
    assert_eq!(code, StatusCode::CONFLICT, "[{b}] not twice");
    let (code, _) = step(d_id, "archive", "{}", token.clone()).await;
    assert_eq!(code, StatusCode::NOT_FOUND, "[{b}] no such step");
    let (code, _) = step(other, "approve", "{}", token.clone()).await;
    assert_eq!(code, StatusCode::FORBIDDEN, "[{b}] another county's");
    assert_eq!(sql.text(&status(other)).await, other_status, "[{b}]");
    let (code, _) = step(d_id, "close", "{}", "not-a-token".into()).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED, "[{b}]");
    assert_eq!(sql.text(&status(d_id)).await, "approved", "[{b}]");

    // ---- institutions: the county's, all and only.
    let r = get(app, "/institutions", &county).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}]");
    let inside = sql
        .texts(&format!(
            "SELECT credit_code FROM institutions WHERE region_code LIKE '{COUNTY}%'"
        ))
        .await;
    let outside = sql
        .texts(&format!(
            "SELECT credit_code FROM institutions WHERE region_code NOT LIKE '{COUNTY}%'"
        ))
        .await;
    assert!(!inside.is_empty() && !outside.is_empty(), "[{b}]");
    assert!(
        inside.iter().all(|c| r.body.contains(&format!(">{c}<"))),
        "[{b}] every institution in the county"
    );
    assert!(
        outside.iter().all(|c| !r.body.contains(c.as_str())),
        "[{b}] none outside it"
    );
    let out_id = sql
        .int(&format!(
            "SELECT MIN(institution_id) FROM institutions WHERE region_code NOT LIKE '{COUNTY}%'"
        ))
        .await;
    assert_eq!(
        get(app, &format!("/institutions/{out_id}"), &county)
            .await
            .status,
        StatusCode::FORBIDDEN,
        "[{b}]"
    );

    // ---- the catalogue of the loaded policy, searchable.
    let r = get(app, "/catalogue", &county).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}]");
    assert!(
        r.body.contains("<td class=\"num nowrap\">") && r.body.contains(".00 元</td>"),
        "[{b}] entries with amounts in 元"
    );
    // Each row: the department apart from the 文号, a window with its
    // status today, levels 五级 → 一级 within an occupation.
    let table = r.body.split("id=\"catalogue\"").nth(1).unwrap_or_default();
    let table = table.split("</table>").next().unwrap_or_default();
    let rows: Vec<Vec<String>> = table
        .split("<tr")
        .skip(2)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|c| {
                    let inner = c.split_once('>').map_or("", |(_, v)| v);
                    inner.split("</td>").next().unwrap_or_default().to_string()
                })
                .collect()
        })
        .collect();
    assert!(!rows.is_empty(), "[{b}] catalogue rows");
    let grade = |l: &str| {
        ["五级", "四级", "三级", "二级", "一级"]
            .iter()
            .position(|g| l.starts_with(g))
    };
    for (i, row) in rows.iter().enumerate() {
        assert!(
            !row[8].starts_with(&row[7]),
            "[{b}] 发布部门 is not the 文号: {row:?}"
        );
        assert!(
            !row[7].contains('〔'),
            "[{b}] a department, not a 文号: {row:?}"
        );
        let lapsed = row[6] == "已失效";
        assert!(
            ["现行有效", "已失效", "尚未生效"].contains(&row[6].as_str()),
            "[{b}] {row:?}"
        );
        assert!(
            !(lapsed && row[5].ends_with("长期有效")),
            "[{b}] a lapsed row shows its end: {row:?}"
        );
        if let Some(next) = rows.get(i + 1)
            && next[0] == row[0]
            && next[1] == row[1]
            && next[3] == row[3]
            && next[8] == row[8]
            && let (Some(this), Some(then)) = (grade(&row[2]), grade(&next[2]))
        {
            assert!(this <= then, "[{b}] levels in order: {row:?} then {next:?}");
        }
    }
    let r = get(app, "/catalogue?q=zzzz", &county).await;
    assert!(r.body.contains("没有编码或名称含「zzzz」的职业"), "[{b}]");
    let r = get(app, &format!("/catalogue?q={occupation}"), &county).await;
    assert!(
        r.body.contains(&format!(">{occupation}<")),
        "[{b}] occupation lookup"
    );

    assert_eq!(
        site.store.verify_audit().await.unwrap().broken,
        None,
        "[{b}]"
    );
    site.store.close().await;
}
