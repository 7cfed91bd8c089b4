//! Uploads through the web, on SQLite and PostgreSQL: the demo is loaded
//! by the real binary, files are posted as multipart to the real router,
//! the status page is polled until the background import is done. A
//! roster with one bad row: the bad row is rejected, the rest written and
//! on the class's page; both error reports carry the row, column and
//! reason; the same file again changes nothing; a dry run writes nothing;
//! a county officer's person of another county is rejected for that row.

use crate::common;

use crate::common::http::{COUNTY, CountyRoster, Site, Sql, get, import, on_demo, upload};
use axum::http::StatusCode;
use common::id;

#[test]
fn uploads_report_errors_and_respect_the_scope() {
    on_demo("web_imports", "400", walk);
}

async fn walk(db: &common::TestDb) {
    let b = db.backend;
    let site = Site::open(db).await;
    let mut sql = Sql::open(db).await;
    let (county, csrf) = site.login("county").await;

    let form = get(&site.app, "/imports", &county).await;
    assert_eq!(form.status, StatusCode::OK, "[{b}]");
    for kind in common::fixtures::KINDS {
        assert!(
            form.body.contains(&format!("<option value=\"{kind}\">")),
            "[{b}] {kind}"
        );
    }
    let t = get(&site.app, "/templates/roster.xlsx", &county).await;
    assert_eq!(t.status, StatusCode::OK, "[{b}]");
    assert!(t.bytes.starts_with(b"PK"), "[{b}] an xlsx file");

    // A class held in the county and three county persons not on its roster.
    let CountyRoster {
        class_id,
        hours,
        people,
        csv: roster,
    } = sql.county_roster_with_a_bad_row().await;
    assert_eq!(people.len(), 3, "[{b}]");
    let enrolled = format!("SELECT COUNT(*) FROM enrolments WHERE class_id = {class_id}");
    let before = sql.int(&enrolled).await;
    let audits = sql.int("SELECT COUNT(*) FROM audit_log").await;

    // A dry run checks every row and writes nothing.
    let (_, done) = import(&site, &county, &csrf, "roster", "花名册.csv", &roster, true).await;
    assert!(
        done.contains("接收 2 行") && done.contains("拒绝 1 行"),
        "[{b}] {done}"
    );
    assert_eq!(sql.int(&enrolled).await, before, "[{b}] dry run wrote rows");
    assert_eq!(
        sql.int("SELECT COUNT(*) FROM audit_log").await,
        audits,
        "[{b}] dry run wrote to the audit trail"
    );

    // The real upload: two rows in, row 3 rejected with its reason.
    let (job, done) = site
        .import(&county, &csrf, "roster", "花名册.csv", &roster)
        .await;
    assert!(
        done.contains("接收 2 行（新增 2") && done.contains("拒绝 1 行"),
        "[{b}] {done}"
    );
    assert!(
        done.contains("<td class=\"num\">3</td><td><ul class=\"row-errors\"><li>「线下课时」")
            && done.contains("超过该班计划课时"),
        "[{b}] the rejected rows in a table, with their errors: {done}"
    );
    assert!(
        done.contains("下载错误报告（Excel）") && done.contains("下载错误报告（CSV）"),
        "[{b}]"
    );
    assert_eq!(sql.int(&enrolled).await, before + 2, "[{b}]");
    let actor = sql
        .text("SELECT actor FROM import_batches ORDER BY batch_id DESC LIMIT 1")
        .await;
    assert_eq!(actor, "web:county", "[{b}] audited under the web login");
    let page = get(&site.app, &format!("/classes/{class_id}"), &county).await;
    for (i, (name, idn)) in people.iter().enumerate() {
        let listed = page.body.contains(&format!("<td>{name}</td>"));
        assert_eq!(listed, i != 1, "[{b}] {name} on the class's roster");
        assert!(!page.body.contains(idn.as_str()), "[{b}] IDs masked");
    }

    // The error reports: the rejected row with its number, column, reason.
    let csv = get(&site.app, &format!("/imports/{job}/errors.csv"), &county).await;
    assert_eq!(csv.status, StatusCode::OK, "[{b}]");
    let text = csv.body.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "[{b}] header and the one bad row: {text}");
    assert!(lines[0].ends_with("原行号,错误说明"), "[{b}] {}", lines[0]);
    assert!(
        lines[1].contains(&people[1].1)
            && lines[1].contains(",3,")
            && lines[1].contains("「线下课时」")
            && lines[1].contains("超过该班计划课时"),
        "[{b}] {}",
        lines[1]
    );
    let xlsx = get(&site.app, &format!("/imports/{job}/errors.xlsx"), &county).await;
    assert_eq!(xlsx.status, StatusCode::OK, "[{b}]");
    let path = db.path("errors.xlsx");
    std::fs::write(&path, &xlsx.bytes).unwrap();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    use calamine::Reader;
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 2, "[{b}] {rows:?}");
    let bad = &rows[1];
    assert!(
        bad.contains(&people[1].1)
            && bad.contains(&"3".to_string())
            && bad.last().unwrap().contains("「线下课时」")
            && bad.last().unwrap().contains("超过该班计划课时"),
        "[{b}] {bad:?}"
    );
    // Someone else's job is not theirs to see.
    let (city, _) = site.login("city").await;
    assert_eq!(
        get(&site.app, &format!("/imports/{job}/errors.csv"), &city)
            .await
            .status,
        StatusCode::FORBIDDEN,
        "[{b}]"
    );

    // The same file again changes nothing.
    let state = format!(
        "SELECT COUNT(*) FROM enrolments WHERE class_id = {class_id} AND offline_hours = {hours}"
    );
    let same = sql.int(&state).await;
    let (_, done) = site
        .import(&county, &csrf, "roster", "花名册.csv", &roster)
        .await;
    assert!(
        done.contains("新增 0，更新 0，无变化 2") && done.contains("拒绝 1 行"),
        "[{b}] {done}"
    );
    assert_eq!(sql.int(&enrolled).await, before + 2, "[{b}]");
    assert_eq!(sql.int(&state).await, same, "[{b}]");

    // Scope: a person of another county is rejected for that row only.
    let inside = id(COUNTY, 1990, 5, 6, 11);
    let outside = id("371521", 1991, 7, 8, 12);
    let persons =
        format!("姓名,身份证号码,户籍地\n县内新人,{inside},{COUNTY}\n县外新人,{outside},371521\n");
    let (_, done) = site
        .import(&county, &csrf, "persons", "人员.csv", &persons)
        .await;
    assert!(
        done.contains("接收 1 行") && done.contains("拒绝 1 行"),
        "[{b}] {done}"
    );
    assert!(
        done.contains("<td class=\"num\">3</td><td><ul class=\"row-errors\"><li>「户籍地」")
            && done.contains("不在您的管理范围内"),
        "[{b}] {done}"
    );
    let stored = |n: &str| format!("SELECT COUNT(*) FROM persons WHERE id_number = '{n}'");
    assert_eq!(sql.int(&stored(&inside)).await, 1, "[{b}]");
    assert_eq!(sql.int(&stored(&outside)).await, 0, "[{b}]");
    // Nor may a county officer move another county's person into the county.
    let (name, other): (String, String) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT name, id_number FROM persons WHERE hukou_region NOT LIKE '{COUNTY}%' ORDER BY person_id LIMIT 1"
    )))
    .fetch_one(&mut sql.0)
    .await
    .unwrap();
    let moved = format!("姓名,身份证号码,户籍地\n{name},{other},{COUNTY}\n");
    let (_, done) = site
        .import(&county, &csrf, "persons", "迁入.csv", &moved)
        .await;
    assert!(
        done.contains("拒绝 1 行") && done.contains("不在您的管理范围内"),
        "[{b}] {done}"
    );
    let hukou = format!("SELECT hukou_region FROM persons WHERE id_number = '{other}'");
    assert!(!sql.text(&hukou).await.starts_with(COUNTY), "[{b}]");

    // No CSRF token, a wrong format, a worker: refused, nothing started.
    let r = upload(
        &site.app,
        &county,
        &[("kind", "persons")],
        "人员.csv",
        persons.as_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");
    let r = upload(
        &site.app,
        &county,
        &[("csrf", &csrf), ("kind", "persons")],
        "人员.xls",
        b"x",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}]");
    assert!(r.body.contains("请上传 .xlsx 或 .csv 文件"), "[{b}]");
    let big = vec![b'a'; 65 * 1024 * 1024];
    let r = upload(
        &site.app,
        &county,
        &[("csrf", &csrf), ("kind", "persons")],
        "大.csv",
        &big,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{b}]");
    assert!(r.body.contains("上传的文件超过 64 MB"), "[{b}] {}", r.body);
    let (worker, worker_csrf) = site.login("worker").await;
    let r = upload(
        &site.app,
        &worker,
        &[("csrf", &worker_csrf), ("kind", "persons")],
        "人员.csv",
        persons.as_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");

    assert_eq!(
        site.store.verify_audit().await.unwrap().broken,
        None,
        "[{b}]"
    );
    site.store.close().await;
}
