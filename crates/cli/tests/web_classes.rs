//! Class filing review and closing, institutions and the catalogue through
//! the web, on SQLite and PostgreSQL, against the demo loaded by the real
//! binary: an institution files classes, the county officer approves,
//! returns (with a reason) and closes them (refused while a trainee has
//! no result); each step is audited with before and after; another
//! county's class is 403 and unchanged; a POST without CSRF is 403.

use crate::common;

use crate::common::http::{COUNTY, Resp, Site, Sql, get, on_demo, post};
use axum::http::{StatusCode, header};

#[test]
fn demo_classes_come_out_reviewed_and_institutions_are_the_countys() {
    on_demo("web_classes_demo", "400", demo_and_institutions);
}

#[test]
fn a_filed_class_is_approved_with_the_csrf_token_and_audited() {
    on_demo("web_classes_file", "400", file_and_approve);
}

#[test]
fn a_return_needs_a_reason_and_an_empty_roster_cannot_close() {
    on_demo("web_classes_return", "400", return_and_request_close);
}

#[test]
fn closing_is_refused_while_a_trainee_has_no_result() {
    on_demo("web_classes_close", "400", close);
}

#[test]
fn another_countys_class_is_forbidden_on_pages_and_api() {
    on_demo("web_classes_api", "400", other_county_and_api_steps);
}

#[test]
fn the_catalogue_lists_the_loaded_policy() {
    on_demo("web_classes_catalogue", "400", catalogue);
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

/// The demo with the institution clerk and the county officer signed in,
/// what a class is filed with (the first class's type, occupation and
/// level), and another county's class with its status.
struct Review {
    b: &'static str,
    site: Site,
    sql: Sql,
    clerk: String,
    clerk_csrf: String,
    county: String,
    csrf: String,
    training_type: String,
    occupation: String,
    level: &'static str,
    other: i64,
    other_status: String,
}

impl Review {
    async fn open(db: &common::TestDb) -> Review {
        let site = Site::open(db).await;
        let mut sql = Sql::open(db).await;
        let (clerk, clerk_csrf) = site.login("school").await;
        let (county, csrf) = site.login("county").await;
        let (training_type, occupation, grade): (String, String, Option<i64>) = sqlx::query_as(
            "SELECT training_type, occupation_code, skill_level FROM classes ORDER BY class_id LIMIT 1",
        )
        .fetch_one(&mut sql.0)
        .await
        .unwrap();
        let (other, other_status): (i64, String) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT class_id, status FROM classes WHERE site_region NOT LIKE '{COUNTY}%' ORDER BY class_id LIMIT 1"
        )))
        .fetch_one(&mut sql.0)
        .await
        .unwrap();
        Review {
            b: db.backend,
            site,
            sql,
            clerk,
            clerk_csrf,
            county,
            csrf,
            training_type,
            occupation,
            level: level_zh(grade),
            other,
            other_status,
        }
    }

    /// The clerk files (or files again) class `no` for the county.
    async fn file(&self, no: &str, start: &str, end: &str, hours: &str) -> Resp {
        let form = [
            ("csrf", self.clerk_csrf.as_str()),
            ("class_no", no),
            ("training_type", &self.training_type),
            ("occupation", &self.occupation),
            ("level", self.level),
            ("site", COUNTY),
            ("start", start),
            ("end", end),
            ("hours", hours),
        ];
        post(&self.site.app, "/classes/new", &self.clerk, &form).await
    }

    /// The id of a class just filed, from the page it redirected to.
    async fn file_id(&self, no: &str, start: &str, end: &str, hours: &str) -> i64 {
        let r = self.file(no, start, end, hours).await;
        r.redirected.as_ref().unwrap()[9..].parse().unwrap()
    }

    /// The county officer's review step `step` on class `id`.
    async fn review(&self, id: i64, step: &str, form: &[(&str, &str)]) -> Resp {
        let path = format!("/classes/{id}/{step}");
        post(&self.site.app, &path, &self.county, form).await
    }

    async fn status(&mut self, id: i64) -> String {
        let sql = format!("SELECT status FROM classes WHERE class_id = {id}");
        self.sql.text(&sql).await
    }

    /// The latest audit row of `action` on class `id`: actor|before|after.
    async fn audit(&mut self, action: &str, id: i64) -> String {
        self.sql.text(&format!(
            "SELECT actor || '|' || before || '|' || after FROM audit_log \
             WHERE action = '{action}' AND entity = 'class' AND entity_key = '{id}' ORDER BY audit_id DESC LIMIT 1"
        ))
        .await
    }

    /// An API call of the county officer's: `body` as JSON when given.
    async fn api(&self, method: &str, path: &str, body: Option<&'static str>, token: &str) -> Resp {
        let req = axum::http::Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        let req = match body {
            Some(body) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(axum::body::Body::from(body)),
            None => req.body(axum::body::Body::empty()),
        };
        crate::common::http::send(&self.site.app, req.unwrap()).await
    }

    /// Everything the walk did kept the audit chain whole.
    async fn close(self) {
        let b = self.b;
        let store = self.site.store;
        assert_eq!(store.verify_audit().await.unwrap().broken, None, "[{b}]");
        store.close().await;
    }
}

/// The demo's classes come out reviewed; the county's institutions, all
/// and only.
async fn demo_and_institutions(db: &common::TestDb) {
    let mut w = Review::open(db).await;
    let (b, app, county) = (w.b, &w.site.app, &w.county);
    // The demo's classes come out reviewed: approved, the finished ones closed.
    assert_eq!(
        w.sql
            .int("SELECT COUNT(*) FROM classes WHERE status = 'registered'")
            .await,
        0,
        "[{b}]"
    );
    let closed = w
        .sql
        .int("SELECT COUNT(*) FROM classes WHERE status = 'closed' AND site_region LIKE '3715%'")
        .await;
    assert!(closed > 0, "[{b}]");
    let (city, _) = w.site.login("city").await;
    let r = get(app, "/classes?status=closed", &city).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}]");
    assert_eq!(
        r.body.matches(">已结业</td>").count() as i64,
        closed,
        "[{b}]"
    );
    assert!(!r.body.contains(">备案通过</td>"), "[{b}] filtered");
    // ---- institutions: the county's, all and only.
    let r = get(app, "/institutions", county).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}]");
    let inside = w
        .sql
        .texts(&format!(
            "SELECT credit_code FROM institutions WHERE region_code LIKE '{COUNTY}%'"
        ))
        .await;
    let outside = w
        .sql
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
    let out_id = w
        .sql
        .int(&format!(
            "SELECT MIN(institution_id) FROM institutions WHERE region_code NOT LIKE '{COUNTY}%'"
        ))
        .await;
    assert_eq!(
        get(app, &format!("/institutions/{out_id}"), county)
            .await
            .status,
        StatusCode::FORBIDDEN,
        "[{b}]"
    );
    w.close().await;
}

/// The institution files a class (开班备案) for the county; the county
/// officer approves it: CSRF first, then audited.
async fn file_and_approve(db: &common::TestDb) {
    let mut w = Review::open(db).await;
    let (b, app) = (w.b, &w.site.app.clone());
    let (clerk, clerk_csrf, county, csrf) = (
        w.clerk.clone(),
        w.clerk_csrf.clone(),
        w.county.clone(),
        w.csrf.clone(),
    );
    assert_eq!(
        get(app, "/classes/new", &clerk).await.status,
        StatusCode::OK
    );
    let r = w.file("WEB-A", "2020-05-01", "2020-03-01", "40").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}]");
    // Kept as typed, the field in error marked.
    assert!(
        r.body.contains("aria-invalid=\"true\"") && r.body.contains("value=\"WEB-A\""),
        "[{b}] {}",
        r.body
    );
    let count = |no: &str| format!("SELECT COUNT(*) FROM classes WHERE class_no = '{no}'");
    assert_eq!(w.sql.int(&count("WEB-A")).await, 0, "[{b}] nothing written");
    let r = w.file("WEB-A", "2020-03-01", "2020-04-01", "40").await;
    // Post/redirect/get: the class's page, with what was done.
    let a = r.redirected.clone().expect("303 to the class");
    assert!(r.body.contains("已提交开班备案"), "[{b}] {}", r.body);
    let a_id: i64 = a.strip_prefix("/classes/").unwrap().parse().unwrap();
    assert_eq!(w.status(a_id).await, "registered", "[{b}]");
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
    assert_eq!(w.status(a_id).await, "registered", "[{b}]");
    let r = post(app, &format!("{a}/approve"), &county, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    assert_eq!(w.status(a_id).await, "approved", "[{b}]");
    let row = w.audit("approve_class", a_id).await;
    assert!(
        row.starts_with("web:county|")
            && row.contains("\"status\":\"registered\"")
            && row.contains("\"status\":\"approved\""),
        "[{b}] {row}"
    );
    w.close().await;
}

/// A return needs a reason and the returned class is filed again; the
/// institution asks to close, and an empty roster cannot close.
async fn return_and_request_close(db: &common::TestDb) {
    let mut w = Review::open(db).await;
    let (b, app) = (w.b, &w.site.app.clone());
    let csrf = w.csrf.clone();
    let b_id = w.file_id("WEB-B", "2020-03-01", "2020-04-01", "40").await;
    let r = w.review(b_id, "return", &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}]");
    assert!(r.body.contains("退回原因"), "[{b}]");
    assert_eq!(w.status(b_id).await, "registered", "[{b}]");
    let form = [("csrf", csrf.as_str()), ("reason", "计划课时不足")];
    let r = w.review(b_id, "return", &form).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    assert_eq!(w.status(b_id).await, "returned", "[{b}]");
    let row = w.audit("return_class", b_id).await;
    assert!(
        row.contains("\"status\":\"returned\"") && row.contains("计划课时不足"),
        "[{b}] {row}"
    );
    let r = w.file("WEB-B", "2020-03-01", "2020-04-01", "64").await;
    assert!(r.redirected.is_some(), "[{b}] {}", r.body);
    assert_eq!(w.status(b_id).await, "registered", "[{b}] back to review");
    let hours = format!("SELECT planned_hours FROM classes WHERE class_id = {b_id}");
    assert_eq!(w.sql.int(&hours).await, 64, "[{b}]");
    let page = get(app, &format!("/classes/{b_id}"), &w.county).await;
    assert!(
        page.body.contains("计划课时不足") && page.body.contains("重新报备"),
        "[{b}]"
    );
    // The institution asks to close; an empty roster cannot close.
    let c_id = w.file_id("WEB-C", "2020-03-01", "2020-04-01", "40").await;
    w.review(c_id, "approve", &[("csrf", &csrf)]).await;
    let r = post(
        app,
        &format!("/classes/{c_id}/request-close"),
        &w.clerk,
        &[("csrf", &w.clerk_csrf)],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    assert_eq!(w.status(c_id).await, "closing", "[{b}]");
    let r = w.review(c_id, "close", &[("csrf", &csrf)]).await;
    assert!(
        r.status == StatusCode::BAD_REQUEST && r.body.contains("花名册为空"),
        "[{b}] {}",
        r.body
    );
    assert_eq!(w.status(c_id).await, "closing", "[{b}]");
    w.close().await;
}

/// Closing is refused while a trainee has no result, then audited with
/// who and when; the API shows the closed class, scoped as the pages.
async fn close(db: &common::TestDb) {
    let mut w = Review::open(db).await;
    let (b, csrf, county) = (w.b, w.csrf.clone(), w.county.clone());
    // The class filed and approved as the filing test does.
    let a_id = w.file_id("WEB-A", "2020-03-01", "2020-04-01", "40").await;
    w.review(a_id, "approve", &[("csrf", &csrf)]).await;
    let credit = w
        .sql
        .text(&format!(
            "SELECT i.credit_code FROM classes cl JOIN institutions i ON i.institution_id = cl.institution_id WHERE cl.class_id = {a_id}"
        ))
        .await;
    let (name, idn): (String, String) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT name, id_number FROM persons WHERE hukou_region LIKE '{COUNTY}%' ORDER BY person_id LIMIT 1"
    )))
    .fetch_one(&mut w.sql.0)
    .await
    .unwrap();
    let roster = |result: &str| {
        format!(
            "班级编号,统一社会信用代码,姓名,身份证号码,线下课时,线上课时,结业结果\nWEB-A,{credit},{name},{idn},40,0,{result}\n"
        )
    };
    let (_, done) = w
        .site
        .import(&county, &csrf, "roster", "花名册.csv", &roster("未结业"))
        .await;
    assert!(done.contains("接收 1 行"), "[{b}] {done}");
    let r = w.review(a_id, "close", &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}]");
    assert!(r.body.contains("1 名学员没有结业结果"), "[{b}] {}", r.body);
    assert_eq!(w.status(a_id).await, "approved", "[{b}]");
    let (_, done) = w
        .site
        .import(&county, &csrf, "roster", "花名册.csv", &roster("合格"))
        .await;
    assert!(done.contains("更新 1"), "[{b}] {done}");
    let r = w.review(a_id, "close", &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    assert_eq!(w.status(a_id).await, "closed", "[{b}]");
    let row = w.audit("close_class", a_id).await;
    assert!(
        row.starts_with("web:county|")
            && row.contains("\"status\":\"approved\"")
            && row.contains("\"status\":\"closed\""),
        "[{b}] {row}"
    );
    let who = w
        .sql
        .text(&format!(
            "SELECT actor || ' ' || at FROM class_events WHERE class_id = {a_id} AND to_status = 'closed'"
        ))
        .await;
    assert!(
        who.starts_with("web:county 20"),
        "[{b}] who and when: {who}"
    );
    // The API's view of a class, scoped the same way.
    let token = w.site.token("county").await;
    let r = w
        .api("GET", &format!("/api/v1/classes/{a_id}"), None, &token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["status"], "closed", "[{b}]");
    assert_eq!(
        v["history"].as_array().unwrap().len(),
        3,
        "[{b}] filed, approved, closed"
    );
    let other = format!("/api/v1/classes/{}", w.other);
    let r = w.api("GET", &other, None, &token).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");
    w.close().await;
}

/// Another county's class: 403 and unchanged on the pages; the review
/// steps through the API follow the same rules as the buttons.
async fn other_county_and_api_steps(db: &common::TestDb) {
    let mut w = Review::open(db).await;
    let (b, app, csrf, other) = (w.b, &w.site.app.clone(), w.csrf.clone(), w.other);
    assert_eq!(
        get(app, &format!("/classes/{other}"), &w.county)
            .await
            .status,
        StatusCode::FORBIDDEN,
        "[{b}]"
    );
    for step in ["approve", "close", "return"] {
        let r = w
            .review(other, step, &[("csrf", &csrf), ("reason", "x")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] {step}");
    }
    let other_status = w.other_status.clone();
    assert_eq!(w.status(other).await, other_status, "[{b}]");
    assert_eq!(
        get(app, "/classes/999999", &w.county).await.status,
        StatusCode::FORBIDDEN,
        "[{b}] missing is the same 403"
    );
    let token = w.site.token("county").await;
    let step = async |w: &Review, id: i64, step: &str, body: &'static str, token: &str| {
        let path = format!("/api/v1/classes/{id}/{step}");
        let r = w.api("POST", &path, Some(body), token).await;
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap_or_default();
        (r.status, v)
    };
    let d_id = w.file_id("WEB-D", "2020-05-01", "2020-06-01", "40").await;
    // The API's review queue: the county's classes awaiting review.
    let r = w
        .api("GET", "/api/v1/classes?status=registered", None, &token)
        .await;
    let queue: Vec<serde_json::Value> = serde_json::from_str(&r.body).unwrap();
    assert!(
        queue.iter().any(|c| c["class_id"] == d_id)
            && queue.iter().all(|c| c["status"] == "registered"),
        "[{b}] {}",
        r.body
    );
    let r = w
        .api("GET", "/api/v1/classes?status=bogus", None, &token)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}]");
    let (code, v) = step(&w, d_id, "return", "{}", &token).await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "[{b}] {v}");
    assert!(
        v["error"].as_str().unwrap().contains("退回原因"),
        "[{b}] {v}"
    );
    assert_eq!(w.status(d_id).await, "registered", "[{b}]");
    let (code, v) = step(&w, d_id, "return", r#"{"reason":"场地未落实"}"#, &token).await;
    assert_eq!(
        (code, v["status"].as_str()),
        (StatusCode::OK, Some("returned")),
        "[{b}] {v}"
    );
    w.file("WEB-D", "2020-05-01", "2020-06-01", "40").await;
    let (code, v) = step(&w, d_id, "approve", "{}", &token).await;
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
    let (code, _) = step(&w, d_id, "approve", "{}", &token).await;
    assert_eq!(code, StatusCode::CONFLICT, "[{b}] not twice");
    let (code, _) = step(&w, d_id, "archive", "{}", &token).await;
    assert_eq!(code, StatusCode::NOT_FOUND, "[{b}] no such step");
    let (code, _) = step(&w, other, "approve", "{}", &token).await;
    assert_eq!(code, StatusCode::FORBIDDEN, "[{b}] another county's");
    assert_eq!(w.status(other).await, other_status, "[{b}]");
    let (code, _) = step(&w, d_id, "close", "{}", "not-a-token").await;
    assert_eq!(code, StatusCode::UNAUTHORIZED, "[{b}]");
    assert_eq!(w.status(d_id).await, "approved", "[{b}]");
    w.close().await;
}

/// The table of the catalogue page: each row's cells.
fn catalogue_rows(body: &str) -> Vec<Vec<String>> {
    let table = body.split("id=\"catalogue\"").nth(1).unwrap_or_default();
    let table = table.split("</table>").next().unwrap_or_default();
    table
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
        .collect()
}

/// The catalogue of the loaded policy, searchable.
async fn catalogue(db: &common::TestDb) {
    let w = Review::open(db).await;
    let (b, app, county, occupation) = (w.b, &w.site.app, &w.county, &w.occupation);
    let r = get(app, "/catalogue", county).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}]");
    assert!(
        r.body.contains("<td class=\"num nowrap\">") && r.body.contains(".00 元</td>"),
        "[{b}] entries with amounts in 元"
    );
    // Each row: the department apart from the 文号, a window with its
    // status today, levels 五级 → 一级 within an occupation.
    let rows = catalogue_rows(&r.body);
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
    let r = get(app, "/catalogue?q=zzzz", county).await;
    assert!(r.body.contains("没有编码或名称含「zzzz」的职业"), "[{b}]");
    let r = get(app, &format!("/catalogue?q={occupation}"), county).await;
    assert!(
        r.body.contains(&format!(">{occupation}<")),
        "[{b}] occupation lookup"
    );
    w.close().await;
}
