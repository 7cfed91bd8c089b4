//! The institution clerk's pages: the roster (status, the results rule,
//! attendance and enrolment refusals keeping their input, 冒名, PRG), a
//! class's claims page, the returned class prefilled, the pickers.

use super::Ctx;
use crate::common::http::*;
use axum::http::StatusCode;
use jineng_domain::access::Scope;

fn school_inst(ctx: &Ctx) -> i64 {
    let Scope::Institution(inst) = ctx.site.account("school").scope else {
        panic!("school is an institution clerk")
    };
    inst
}

pub async fn roster(ctx: &Ctx, sql: &mut Sql) {
    let b = ctx.b;
    let site = &ctx.site;
    let inst = school_inst(ctx);
    let class = sql
        .int(&format!(
            "SELECT MIN(class_id) FROM classes WHERE institution_id = {inst}"
        ))
        .await;
    let (start, planned): (String, i64) = (
        sql.text(&format!(
            "SELECT start_date FROM classes WHERE class_id = {class}"
        ))
        .await,
        sql.int(&format!(
            "SELECT planned_hours FROM classes WHERE class_id = {class}"
        ))
        .await,
    );
    let people: Vec<String> = sql
        .texts(&format!(
            "SELECT CAST(person_id AS TEXT) FROM enrolments WHERE class_id = {class} ORDER BY person_id"
        ))
        .await;
    assert!(people.len() >= 2, "[{b}] a class of trainees");
    let (p1, p2) = (people[0].clone(), people[1].clone());
    let hours_of = |p: &str| {
        format!(
            "SELECT offline_hours * 1000 + online_hours FROM enrolments WHERE class_id = {class} AND person_id = {p}"
        )
    };
    let before = (sql.int(&hours_of(&p1)).await, sql.int(&hours_of(&p2)).await);
    let url = format!("/classes/{class}/roster");
    let att = format!("{url}/attendance");
    let (school, csrf) = site.login("school").await;
    let set = |s: &str| format!("UPDATE classes SET {s} WHERE class_id = {class}");

    // A class still 待审核 reads so, and takes no hours or results.
    sql.exec(&set("status = 'registered'")).await;
    let r = site.get(&url, &school).await;
    assert!(
        r.body.contains("id=\"class-status\">待审核") && !r.body.contains("已备案"),
        "[{b}] the real status: {}",
        r.body
    );
    assert!(
        r.body.contains("id=\"no-results\"") && !r.body.contains("roster/attendance"),
        "[{b}] no results form before approval"
    );
    let (o1, n1, d1) = (
        format!("off_{p1}"),
        format!("on_{p1}"),
        format!("done_{p1}"),
    );
    let one = |off: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("p", p1.clone()),
            (o1.as_str(), off.to_string()),
            (n1.as_str(), "0".to_string()),
            (d1.as_str(), "passed".to_string()),
        ]
    };
    let r = postv(&site.app, &att, &school, &one("1")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {}", r.body);
    assert!(r.body.contains("尚未备案通过"), "[{b}] {}", r.body);
    // Approved, but not yet started: refused too.
    sql.exec(&set("status = 'approved', start_date = '2999-01-01'"))
        .await;
    let r = postv(&site.app, &att, &school, &one("1")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {}", r.body);
    assert!(r.body.contains("开班前不能登记"), "[{b}] {}", r.body);
    assert_eq!(sql.int(&hours_of(&p1)).await, before.0, "[{b}] unchanged");
    sql.exec(&set(&format!("start_date = '{start}'"))).await;
    let r = site.get(&url, &school).await;
    assert!(
        r.body.contains("id=\"class-status\">备案通过") && r.body.contains("roster/attendance"),
        "[{b}]"
    );

    // A refused bulk form keeps every trainee's hours and result as typed
    // and marks the one in error.
    let over = (planned + 1).to_string();
    let (o2, n2, d2) = (
        format!("off_{p2}"),
        format!("on_{p2}"),
        format!("done_{p2}"),
    );
    let form = [
        ("csrf", csrf.as_str()),
        ("p", &p1),
        (&o1, "2"),
        (&n1, "1"),
        (&d1, "failed"),
        ("p", &p2),
        (&o2, &over),
        (&n2, "0"),
        (&d2, "passed"),
    ];
    let r = site.post(&att, &school, &form).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {}", r.body);
    for kept in [
        format!("name=\"{o1}\" value=\"2\""),
        format!("name=\"{n1}\" value=\"1\""),
        format!("name=\"{o2}\" value=\"{over}\""),
    ] {
        assert!(r.body.contains(&kept), "[{b}] {kept} kept: {}", r.body);
    }
    let selected = |d: &str, code: &str| {
        let i = r.body.find(&format!("name=\"{d}\"")).unwrap();
        let rest = &r.body[i..];
        let rest = &rest[..rest.find("</select>").unwrap()];
        rest.contains(&format!("<option value=\"{code}\" selected>"))
    };
    assert!(selected(&d1, "failed") && selected(&d2, "passed"), "[{b}]");
    assert!(
        r.body.contains(&format!("aria-describedby=\"err-{o2}\""))
            && r.body.contains(&format!("id=\"err-{o2}\""))
            && !r.body.contains(&format!("err-{o1}")),
        "[{b}] the field in error marked: {}",
        r.body
    );
    assert_eq!(
        (sql.int(&hours_of(&p1)).await, sql.int(&hours_of(&p2)).await),
        before,
        "[{b}] nothing written"
    );

    // Saved: 303 to the roster, the outcome shown once; a reload is a GET.
    let ok = [
        ("csrf", csrf.as_str()),
        ("p", &p1),
        (&o1, "2"),
        (&n1, "1"),
        (&d1, "failed"),
    ];
    let r = site.post_raw(&att, &school, &ok).await;
    assert_eq!(super::see_other(&r, b), url, "[{b}]");
    let page = site.get(&url, &school).await;
    assert!(
        page.status == StatusCode::OK
            && page.body.contains("id=\"flash\"")
            && page.body.contains("已保存 1 名学员"),
        "[{b}] {}",
        page.body
    );
    let reload = site.get(&url, &school).await;
    assert!(
        reload.status == StatusCode::OK && !reload.body.contains("id=\"flash\""),
        "[{b}] shown once"
    );
    assert_eq!(sql.int(&hours_of(&p1)).await, 2001, "[{b}]");

    // Enrolment: a refusal keeps name and ID and marks the ID.
    let enrol = format!("{url}/enrol");
    let bad_id = "37150219900517321X";
    let r = site
        .post(
            &enrol,
            &school,
            &[("csrf", &csrf), ("name", "李测试"), ("id_number", bad_id)],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {}", r.body);
    assert!(
        r.body.contains("value=\"李测试\"")
            && r.body.contains(&format!("value=\"{bad_id}\""))
            && r.body.contains("aria-describedby=\"err-id_number\""),
        "[{b}] {}",
        r.body
    );
    // Another person's ID under a new name is 冒名, not 已在花名册中.
    let (id1, name1) = (
        sql.text(&format!(
            "SELECT id_number FROM persons WHERE person_id = {p1}"
        ))
        .await,
        sql.text(&format!("SELECT name FROM persons WHERE person_id = {p1}"))
            .await,
    );
    let r = site
        .post(
            &enrol,
            &school,
            &[("csrf", &csrf), ("name", "王冒名"), ("id_number", &id1)],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {}", r.body);
    assert!(
        r.body.contains("疑似冒名")
            && !r.body.contains("已在培训班")
            && r.body.contains("aria-describedby=\"err-name\""),
        "[{b}] {}",
        r.body
    );
    let r = site
        .post(
            &enrol,
            &school,
            &[("csrf", &csrf), ("name", &name1), ("id_number", &id1)],
        )
        .await;
    assert!(r.body.contains("已在培训班"), "[{b}] {}", r.body);
    // The 户籍地 picker offers the divisions around the institution.
    assert!(
        r.body.contains("<datalist id=\"divisions\">")
            && r.body.contains(&format!("<option value=\"{COUNTY}\">")),
        "[{b}] the region picker"
    );
}

pub async fn class_claims(ctx: &Ctx, sql: &mut Sql) {
    let b = ctx.b;
    let site = &ctx.site;
    let inst = school_inst(ctx);
    // Passed trainees with the class's certificate and no claim yet.
    let rows = sql
        .texts(&format!(
            "SELECT CAST(e.class_id AS TEXT) || ':' || CAST(e.person_id AS TEXT) FROM enrolments e \
             JOIN classes k ON k.class_id = e.class_id \
             JOIN certificates ce ON ce.person_id = e.person_id AND ce.class_id = e.class_id \
             WHERE k.institution_id = {inst} AND e.completion = 'passed' \
             AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.class_id = e.class_id AND c.person_id = e.person_id) \
             ORDER BY e.class_id, e.person_id"
        ))
        .await;
    let split = |r: &String| {
        let (c, p) = r.split_once(':').unwrap();
        (c.to_string(), p.to_string())
    };
    let (c1, pa) = split(&rows[0]);
    let (school, csrf) = site.login("school").await;
    let file = |class: &str, p: &str| {
        (
            format!("/classes/{class}/claims"),
            vec![
                ("csrf", csrf.clone()),
                ("subsidy_type", "职业培训补贴".to_string()),
                ("applied_on", "2021-06-01".to_string()),
                ("p", p.to_string()),
            ],
        )
    };
    // Filed: 303 back to the class's claims page, the outcome listed once.
    let (pb_class, pb) = split(&rows[1]);
    let mut filed = Vec::new();
    for (class, p) in [(&c1, &pa), (&pb_class, &pb)] {
        let (url, form) = file(class, p);
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = site.post_raw(&url, &school, &pairs).await;
        assert_eq!(super::see_other(&r, b), url, "[{b}]");
        let page = site.get(&url, &school).await;
        assert!(
            page.body.contains("id=\"flash\"") && page.body.contains("已提交 1 件申领"),
            "[{b}] {}",
            page.body
        );
        filed.push(
            sql.text(&format!(
                "SELECT claim_no FROM claims WHERE class_id = {class} AND person_id = {p}"
            ))
            .await,
        );
    }
    // The second claim is put on another class of the school (the small
    // demo's school has one class; the other is the one filed on the web
    // by `returned_class`): c1's
    // page must not list it, though the school's claims include it.
    let c2 = sql
        .int(&format!(
            "SELECT MIN(class_id) FROM classes WHERE institution_id = {inst} AND class_id <> {c1}"
        ))
        .await;
    sql.exec(&format!(
        "UPDATE claims SET class_id = {c2} WHERE claim_no = '{}'",
        filed[1]
    ))
    .await;
    let (filed, other) = (filed[0].clone(), filed[1].clone());
    let url = format!("/classes/{c1}/claims");
    let page = site.get(&url, &school).await;
    assert_eq!(page.status, StatusCode::OK, "[{b}]");
    assert!(!page.body.contains("id=\"flash\""), "[{b}] shown once");
    assert!(
        page.body.contains(&format!("href=\"/claims/{filed}\""))
            && !page.body.contains(&format!("href=\"/claims/{other}\"")),
        "[{b}] only this class's claims"
    );
    assert!(
        page.body
            .contains(&format!("name=\"p\" value=\"{pa}\" disabled")),
        "[{b}] a claimed trainee cannot be ticked"
    );
    // Ticked again all the same (a crafted form): refused, nothing filed.
    let count = "SELECT COUNT(*) FROM claims";
    let n = sql.int(count).await;
    let (url, form) = file(&c1, &pa);
    let r = postv(&site.app, &url, &school, &form).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {}", r.body);
    assert!(r.body.contains("不能重复申领"), "[{b}] {}", r.body);
    assert_eq!(sql.int(count).await, n, "[{b}] nothing filed");
}

pub async fn returned_class(ctx: &Ctx, sql: &mut Sql) {
    let b = ctx.b;
    let site = &ctx.site;
    let (occupation, grade): (String, i64) = (
        sql.text("SELECT occupation_code FROM classes WHERE skill_level IS NOT NULL ORDER BY class_id LIMIT 1")
            .await,
        sql.int("SELECT skill_level FROM classes WHERE skill_level IS NOT NULL ORDER BY class_id LIMIT 1")
            .await,
    );
    let level = ["", "一级", "二级", "三级", "四级", "五级"][grade as usize];
    let (school, csrf) = site.login("school").await;
    let page = site.get("/classes/new", &school).await;
    assert!(
        page.body
            .contains("<datalist id=\"occupations\"><option value=\"")
            && page.body.contains(&format!("<option value=\"{COUNTY}\">")),
        "[{b}] occupation and region pickers"
    );
    let form = |no: &'static str, end: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("class_no", no.to_string()),
            ("training_type", "就业技能培训".to_string()),
            ("occupation", occupation.clone()),
            ("level", level.to_string()),
            ("site", COUNTY.to_string()),
            ("start", "2020-03-01".to_string()),
            ("end", end.to_string()),
            ("hours", "48".to_string()),
        ]
    };
    // Refused: kept as typed, the field marked.
    let r = postv(
        &site.app,
        "/classes/new",
        &school,
        &form("FORM-1", "2020-02-01"),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}] {}", r.body);
    assert!(
        r.body.contains("value=\"FORM-1\"")
            && r.body.contains("value=\"48\"")
            && r.body.contains("aria-invalid=\"true\""),
        "[{b}] {}",
        r.body
    );
    // Filed: 303 to the class, shown with the outcome.
    let f = form("FORM-1", "2020-04-30");
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = site.post_raw("/classes/new", &school, &pairs).await;
    let to = super::see_other(&r, b);
    let id: i64 = to.strip_prefix("/classes/").unwrap().parse().unwrap();
    assert!(
        site.get(&to, &school).await.body.contains("已提交开班备案"),
        "[{b}]"
    );
    // The county officer returns it (303 back to the class).
    let (county, county_csrf) = site.login("county").await;
    let r = site
        .post_raw(
            &format!("{to}/return"),
            &county,
            &[("csrf", &county_csrf), ("reason", "计划课时不足")],
        )
        .await;
    assert_eq!(super::see_other(&r, b), to, "[{b}]");
    assert!(
        site.get(&to, &county).await.body.contains("已退回培训机构"),
        "[{b}]"
    );
    // The clerk opens it prefilled from the stored class.
    let page = site.get(&to, &school).await;
    assert!(
        page.body.contains(&format!("/classes/new?from={id}")),
        "[{b}]"
    );
    let page = site.get(&format!("/classes/new?from={id}"), &school).await;
    assert_eq!(page.status, StatusCode::OK, "[{b}] {}", page.body);
    for kept in [
        "value=\"FORM-1\"".to_string(),
        format!("value=\"{occupation}\""),
        format!("value=\"{COUNTY}\""),
        "value=\"2020-04-30\"".into(),
        "value=\"48\"".into(),
        format!("<option value=\"{level}\" selected>"),
        "计划课时不足".into(),
    ] {
        assert!(page.body.contains(&kept), "[{b}] {kept}: {}", page.body);
    }
    let status = sql
        .text(&format!("SELECT status FROM classes WHERE class_id = {id}"))
        .await;
    assert_eq!(status, "returned", "[{b}]");
    // A class that is not returned is not offered for refiling.
    let approved = sql
        .int("SELECT MIN(class_id) FROM classes WHERE status <> 'returned'")
        .await;
    let r = site
        .get(&format!("/classes/new?from={approved}"), &school)
        .await;
    assert_ne!(r.status, StatusCode::OK, "[{b}]");
}
