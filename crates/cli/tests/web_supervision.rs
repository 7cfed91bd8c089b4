//! The 监管 pages, their API and the public pages (一公开), on SQLite and
//! PostgreSQL, on a demo database with cases planted through the binary
//! (`web_supervision/plant.rs`): the queue's filters, search, sort and
//! paging; a case page (evidence, clause, claims with amounts, IDs
//! masked); closing through the form (refusal keeps the input, a confirm
//! step, post/redirect/get, the audit row); region scoping (a county
//! officer neither sees nor closes what lies outside his county); the
//! roles that may not come in; ratings and draws with a result recorded;
//! the public pages without any ID number.

use crate::common;

use crate::plant;
/// Ratings, draws and the public pages.
#[path = "web_supervision/published.rs"]
mod published;

use crate::common::http::{COUNTY, Site, Sql, on_demo, send};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::TestDb;
use jineng_domain::Fen;
use serde_json::{Value, json};

#[test]
fn the_city_officers_queue_is_filtered_searched_sorted_and_paged() {
    on_cases("web_supervision_queue", queue);
}

#[test]
fn a_county_officer_sees_and_closes_only_within_the_county() {
    on_cases("web_supervision_scope", county_scope);
}

#[test]
fn a_case_is_closed_through_the_form_with_a_confirm_step() {
    on_cases("web_supervision_close", close_by_form);
}

#[test]
fn roles_and_the_api_work_cases_within_their_scope() {
    on_cases("web_supervision_api", roles_and_api);
}

#[test]
fn ratings_and_draws_are_recorded_and_the_public_sees_no_person() {
    on_cases("web_supervision_published", async |db, site, sql, _| {
        published::ratings_and_draws(db, site, sql).await;
    });
}

/// A JSON POST with a bearer token.
async fn api_post(site: &Site, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let req = Request::post(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let r = send(&site.app, req).await;
    (r.status, serde_json::from_str(&r.body).unwrap_or_default())
}

/// On each backend, the 300-person demo with the cases planted (one in
/// the county, one crossing into it, one outside it), then `walk` over it
/// with the router and SQL.
fn on_cases(test: &str, walk: impl AsyncFn(&TestDb, &Site, &mut Sql, &plant::Cases)) {
    on_demo(test, "300", async |db: &TestDb| {
        let site = Site::open(db).await;
        let mut sql = Sql::open(db).await;
        let cases = plant::plant(db, &mut sql).await;
        walk(db, &site, &mut sql, &cases).await;
    });
}

/// Every case, the demo's own (its planted fraud) besides the three.
fn all_cases(db: &TestDb) -> Vec<Value> {
    db.ok(&["supervise", "cases", "--status", "all", "--format", "jsonl"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The city officer's queue: all three, filtered, searched, sorted, paged.
async fn queue(db: &TestDb, site: &Site, _: &mut Sql, cases: &plant::Cases) {
    let b = db.backend;
    let (county_case, cross, outside) = (&cases.county, &cases.cross, &cases.outside);

    // The city officer's queue: all three, filtered, searched, sorted, paged.
    let (city, _) = site.login("city").await;
    let r = site.get("/supervision/cases", &city).await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] {}", r.body);
    for c in [county_case, cross, outside] {
        assert!(
            r.body.contains(&c.case_no),
            "[{b}] queue lists {}",
            c.case_no
        );
    }
    assert!(r.body.contains("S6 重复申领") && r.body.contains("待核查"));
    // The demo's own cases (its planted fraud) besides the three.
    let all = all_cases(db);
    assert!(
        r.body.contains(&format!("共 {} 条线索", all.len())),
        "[{b}] {} cases",
        all.len()
    );
    let s1 = all.iter().filter(|c| c["check"] == "S1").count();
    let r = site.get("/supervision/cases?check=S1", &city).await;
    assert!(
        r.body.contains(&format!("共 {s1} 条线索")) && !r.body.contains(&county_case.case_no),
        "[{b}] S1 filter"
    );
    let r = site
        .get(
            &format!("/supervision/cases?q={}", county_case.case_no),
            &city,
        )
        .await;
    assert!(r.body.contains("共 1 条线索") && r.body.contains(&county_case.case_no));
    let r = site
        .get(&format!("/supervision/cases?region={COUNTY}"), &city)
        .await;
    assert!(r.body.contains(&county_case.case_no) && r.body.contains(&cross.case_no));
    assert!(!r.body.contains(&outside.case_no), "[{b}] region filter");
    let r = site
        .get("/supervision/cases?sort=case_no&dir=desc", &city)
        .await;
    let mut nos = [&county_case.case_no, &cross.case_no, &outside.case_no];
    nos.sort();
    let at = |no: &str| r.body.find(&format!(">{no}</a>")).unwrap();
    assert!(
        at(nos[2]) < at(nos[1]) && at(nos[1]) < at(nos[0]),
        "[{b}] sorted"
    );
    for bad in ["?status=x", "?check=S99", "?sort=name", "?region=abc"] {
        let r = site.get(&format!("/supervision/cases{bad}"), &city).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {bad}");
    }
}

/// The county officer: his county's case and the one crossing into it,
/// not closable by him; the officer of the crossing case's institution
/// county sees it without its claims or person.
async fn county_scope(db: &TestDb, site: &Site, sql: &mut Sql, cases: &plant::Cases) {
    let b = db.backend;
    let (county_case, cross, outside) = (&cases.county, &cases.cross, &cases.outside);
    let (county, county_csrf) = site.login("county").await;
    // The county officer: his county's case and the one crossing into it.
    let r = site.get("/supervision/cases", &county).await;
    assert!(r.body.contains(&county_case.case_no) && r.body.contains(&cross.case_no));
    assert!(
        !r.body.contains(&outside.case_no),
        "[{b}] out of the county"
    );
    let r = site
        .get(&format!("/supervision/cases/{}", outside.case_no), &county)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");
    let r = site.get("/supervision/cases?region=371521", &county).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] a region outside");
    // The crossing case: seen, not closable by the county.
    let page = site
        .get(&format!("/supervision/cases/{}", cross.case_no), &county)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("须由上级人社部门结案"), "[{b}]");
    assert!(!page.body.contains("下一步：确认结案"));
    let r = site
        .post(
            &format!("/supervision/cases/{}/close", cross.case_no),
            &county,
            &[
                ("csrf", &county_csrf),
                ("finding", "属实"),
                ("note", "越权"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] {}", r.body);

    // The officer of the county the crossing case's institution lies in:
    // the case reaches him through the institution and class, while its
    // claims and person belong to 东昌府区 — counted, never named.
    let region = sql
        .text(&format!(
            "SELECT i.region_code FROM claims c JOIN classes cl ON cl.class_id = c.class_id \
             JOIN institutions i ON i.institution_id = cl.institution_id WHERE c.claim_no = '{}'",
            cross.claim
        ))
        .await;
    assert!(
        !region.starts_with(COUNTY),
        "[{b}] the crossing case's institution"
    );
    let other = jineng_web::create_account(
        &site.store,
        "other_county",
        "另一区县经办人员",
        jineng_domain::access::Role::Officer,
        jineng_domain::access::Scope::Region(jineng_domain::RegionCode::parse(&region).unwrap()),
        &jineng_store::Actor("test:setup".into()),
    )
    .await
    .unwrap();
    let (other_cookie, _) =
        crate::common::http::login(&site.app, &other.login, &other.password).await;
    let r = site
        .get(
            &format!("/supervision/cases/{}", cross.case_no),
            &other_cookie,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "[{b}] reaches {region}");
    for hidden in [&cross.claim, &cross.dup] {
        assert!(
            !r.body.contains(hidden.as_str()),
            "[{b}] {hidden} named outside its scope"
        );
    }
    assert!(
        r.body.contains("另有 2 件申领不在您的管理范围内"),
        "[{b}] {}",
        r.body
    );
    assert!(r.body.contains("（管理范围外）") && r.body.contains("须由上级人社部门结案"));
    assert!(!r.body.contains(&cross.id_number), "[{b}] masked");
}

/// The county's own case page, then closing it: refused with the input
/// kept, a confirm step, post/redirect/get, the audit row.
async fn close_by_form(db: &TestDb, site: &Site, sql: &mut Sql, cases: &plant::Cases) {
    let b = db.backend;
    let county_case = &cases.county;
    let (county, county_csrf) = site.login("county").await;
    // The county's own case: evidence, clause, claims, masked persons.
    let path = format!("/supervision/cases/{}", county_case.case_no);
    let page = site.get(&path, &county).await;
    assert_eq!(page.status, StatusCode::OK);
    let amount = format!("{} 元", Fen(county_case.amount_fen).grouped());
    // Grouped as a bureau writes money (1,234.56 元) when it reaches 1,000.
    assert_eq!(
        amount.contains(','),
        county_case.amount_fen >= 100_000,
        "{amount}"
    );
    for want in [
        "重复申领",
        "二十四",
        &format!("href=\"/claims/{}\"", county_case.claim),
        &county_case.dup,
        &amount,
        &format!("href=\"/persons/{}\"", county_case.person_id),
        "下一步：确认结案",
    ] {
        assert!(page.body.contains(want), "[{b}] case page shows {want}");
    }
    assert!(
        !page.body.contains(&county_case.id_number),
        "[{b}] ID masked"
    );
    let masked = jineng_domain::national_id::mask_id(&county_case.id_number);
    assert!(page.body.contains(&masked));

    // Closing: refused with the input kept, then a confirm step, then PRG.
    let close = format!("{path}/close");
    let r = site
        .post(
            &close,
            &county,
            &[("csrf", &county_csrf), ("note", "已核实原件-甲")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("请选择核查结论") && r.body.contains("已核实原件-甲"));
    let r = site
        .post(
            &close,
            &county,
            &[("csrf", &county_csrf), ("finding", "属实"), ("note", " ")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("请填写核查说明") && r.body.contains("value=\"属实\" checked"));
    let note = "证书重复申领，经核实属实";
    let r = site
        .post(
            &close,
            &county,
            &[("csrf", &county_csrf), ("finding", "属实"), ("note", note)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("确认结案") && r.body.contains("追回已支付"),
        "[{b}] {}",
        r.body
    );
    let status = |no: &str| format!("SELECT status FROM supervision_cases WHERE case_no = '{no}'");
    assert_eq!(
        sql.text(&status(&county_case.case_no)).await,
        "open",
        "[{b}] not yet"
    );
    let r = site
        .post(
            &close,
            &county,
            &[
                ("csrf", "forged"),
                ("finding", "属实"),
                ("note", note),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] no CSRF, no close");
    let r = site
        .post_raw(
            &close,
            &county,
            &[
                ("csrf", &county_csrf),
                ("finding", "属实"),
                ("note", note),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "[{b}] {}", r.body);
    let to = r.headers[header::LOCATION].to_str().unwrap().to_string();
    assert_eq!(to, format!("{path}?closed=1"));
    let r = site.get(&to, &county).await;
    assert!(
        r.body.contains("已结案（属实）") && r.body.contains(note),
        "[{b}]"
    );
    assert_eq!(sql.text(&status(&county_case.case_no)).await, "closed_true");
    let audit = sql
        .int(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'close_case' AND entity_key = '{}' \
             AND actor = 'web:county'",
            county_case.case_no
        ))
        .await;
    assert_eq!(audit, 1, "[{b}] the close is audited");
}

/// The auditor reads and cannot close; the other roles cannot come in;
/// the API pages, shows and closes cases within scope.
async fn roles_and_api(db: &TestDb, site: &Site, _: &mut Sql, cases: &plant::Cases) {
    let b = db.backend;
    let (county_case, cross, outside) = (&cases.county, &cases.cross, &cases.outside);
    let all = all_cases(db);
    // Roles: the auditor reads and cannot close; the others cannot come in.
    let (auditor, auditor_csrf) = site.login("auditor").await;
    let r = site
        .get(&format!("/supervision/cases/{}", cross.case_no), &auditor)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("下一步：确认结案"));
    assert!(
        !r.body.contains("href=\"/persons/"),
        "[{b}] auditors see no archive link"
    );
    let r = site
        .post(
            &format!("/supervision/cases/{}/close", cross.case_no),
            &auditor,
            &[
                ("csrf", &auditor_csrf),
                ("finding", "属实"),
                ("note", "x"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for login in ["finance", "school", "worker"] {
        let (cookie, _) = site.login(login).await;
        let r = site.get("/supervision/cases", &cookie).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] {login}");
        assert!(!r.body.contains(&county_case.case_no));
    }

    // The API: paged queue, one case, closing (officer), scope.
    let t_city = published::token(site, "city").await;
    let (s, v) = site
        .api(
            "GET",
            "/api/v1/supervision/cases?per_page=2&page=2",
            &t_city,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "[{b}] {v}");
    assert_eq!(
        (v["total"].as_i64(), v["page"].as_i64()),
        (Some(all.len() as i64), Some(2))
    );
    assert_eq!(v["items"].as_array().unwrap().len(), 2.min(all.len() - 2));
    let t_county = published::token(site, "county").await;
    let (s, _) = site
        .api(
            "GET",
            &format!("/api/v1/supervision/cases/{}", outside.case_no),
            &t_county,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = api_post(
        site,
        &format!("/api/v1/supervision/cases/{}/close", cross.case_no),
        &t_county,
        json!({"finding": "不属实", "note": "越权"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "[{b}] {v}");
    let (s, v) = api_post(
        site,
        &format!("/api/v1/supervision/cases/{}/close", cross.case_no),
        &t_city,
        json!({"finding": "不属实", "note": "同一证书两次申报，后一笔已撤回"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "[{b}] {v}");
    assert_eq!(v["status"], "closed_not_true");
    assert!(!v.to_string().contains(&cross.id_number));
    let (s, v) = api_post(
        site,
        &format!("/api/v1/supervision/cases/{}/close", cross.case_no),
        &t_city,
        json!({"finding": "属实", "note": "again"}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "[{b}] closed once: {v}");
    let t_auditor = published::token(site, "auditor").await;
    let (s, _) = api_post(
        site,
        &format!("/api/v1/supervision/cases/{}/close", outside.case_no),
        &t_auditor,
        json!({"finding": "属实", "note": "x"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
