//! Upload jobs survive a restart, on SQLite and PostgreSQL: a roster with a
//! bad row is uploaded through the real router and finishes; then a new
//! store, AppState and router on the same database (the restart) still
//! list the job, show its status page, answer the API's status and serve
//! both error reports; the uploaded file itself is gone. A job left
//! 'running' by a killed process is shown stopped, with why, once the
//! startup's check ran; a job of this process still running when the
//! server stops past its grace is shown stopped too.

use crate::common;

use crate::common::http::{CountyRoster, Site, Sql, app_of, assert_all, get, on_demo};
use axum::http::StatusCode;

#[test]
fn upload_jobs_and_their_reports_survive_a_restart() {
    on_demo("web_imports_restart", "300", walk);
}

async fn walk(db: &common::TestDb) {
    let (b, site, mut sql) = (db.backend, Site::open(db).await, Sql::open(db).await);
    let (county, csrf) = site.login("county").await;
    let account = site.account("county").account_id;
    let token = site.token("county").await;
    let CountyRoster { csv: roster, .. } = sql.county_roster_with_a_bad_row().await;
    let (job, done) = site
        .import(&county, &csrf, "roster", "花名册.csv", &roster)
        .await;
    assert!(done.contains("拒绝 1 行"), "[{b}] {done}");
    if b == "sqlite" {
        let uploads = db.dir.path().join("uploads");
        let left: Vec<_> = std::fs::read_dir(&uploads)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(left.is_empty(), "[{b}] the upload is removed: {left:?}");
    }

    // The restart: a new store, state and router on the same database.
    let (city, _) = site.login("city").await;
    drop(site);
    let store = jineng_store::Store::connect(&db.url).await.unwrap();
    let app = app_of(&store);

    let list = get(&app, "/imports", &county).await;
    assert_eq!(list.status, StatusCode::OK, "[{b}] {}", list.body);
    assert!(
        list.body.contains(&format!("<a href=\"/imports/{job}\">"))
            && list.body.contains("花名册.csv")
            && list.body.contains("已完成"),
        "[{b}] {}",
        list.body
    );
    let page = get(&app, &format!("/imports/{job}"), &county).await;
    assert_eq!(page.status, StatusCode::OK, "[{b}]");
    assert_all(
        b,
        &page.body,
        &[
            "接收 2 行（新增 2",
            "<td class=\"num\">3</td>",
            "超过该班计划课时",
            "下载错误报告（CSV）",
        ],
    );
    let (code, v) = common::http::api(&app, "GET", &format!("/api/v1/imports/{job}"), &token).await;
    assert_eq!(code, StatusCode::OK, "[{b}] {v}");
    assert_eq!(v["status"], "done", "[{b}] {v}");
    assert_eq!(
        (v["accepted"].as_u64(), v["rejected"].as_u64()),
        (Some(2), Some(1)),
        "[{b}] {v}"
    );
    assert_eq!(v["errors"][0]["row"], 3, "[{b}] {v}");
    assert_eq!(v["file_name"], "花名册.csv", "[{b}] {v}");

    let csv = get(&app, &format!("/imports/{job}/errors.csv"), &county).await;
    assert_eq!(csv.status, StatusCode::OK, "[{b}]");
    let text = csv.body.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "[{b}] header and the bad row: {text}");
    assert!(lines[0].ends_with("原行号,错误说明"), "[{b}] {text}");
    assert!(
        lines[1].contains(",3,") && lines[1].contains("超过该班计划课时"),
        "[{b}] {text}"
    );
    let xlsx = get(&app, &format!("/imports/{job}/errors.xlsx"), &county).await;
    assert_eq!(xlsx.status, StatusCode::OK, "[{b}]");
    assert!(xlsx.bytes.starts_with(b"PK"), "[{b}] an xlsx file");
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
    assert!(
        rows[1].contains(&"3".to_string()) && rows[1].last().unwrap().contains("超过该班计划课时"),
        "[{b}] {rows:?}"
    );

    // Another account sees none of it.
    let other = get(&app, &format!("/imports/{job}/errors.csv"), &city).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN, "[{b}]");

    // A job a killed process left running (a pid no process has).
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    sql.exec(&format!(
        "INSERT INTO import_jobs (account_id, scope, kind, file_name, dry_run, owner, status, rows_done, rows_total, created_at) \
         VALUES ({account}, 'region:371502', 'persons', '被中断.csv', 0, '{}:4194305', 'running', 5000, 20000, '2026-12-01T08:00:00.000Z')",
        host.trim()
    ))
    .await;
    let killed = sql.int("SELECT MAX(job_id) FROM import_jobs").await;
    let stopped = store.stop_stale_import_jobs().await.unwrap();
    assert_eq!(stopped.len(), 1, "[{b}] {stopped:?}");
    assert_eq!(stopped[0].job_id, killed, "[{b}]");
    let app = app_of(&store);
    let page = get(&app, &format!("/imports/{killed}"), &county).await;
    assert!(
        page.body.contains("导入已停止")
            && page.body.contains("进程已终止")
            && page.body.contains("已处理 5000 / 20000 行")
            && !page.body.contains("hx-trigger"),
        "[{b}] {}",
        page.body
    );
    let list = get(&app, "/imports?status=stopped", &county).await;
    assert!(
        list.body.contains("被中断.csv")
            && list.body.contains("已停止")
            && !list.body.contains("花名册.csv"),
        "[{b}] {}",
        list.body
    );
    let (_, v) = common::http::api(&app, "GET", &format!("/api/v1/imports/{killed}"), &token).await;
    assert_eq!(v["status"], "stopped", "[{b}] {v}");
    assert!(
        v["failed"].as_str().unwrap().contains("进程已终止"),
        "[{b}] {v}"
    );

    // A job of this process still running when the server stops.
    let scope =
        jineng_domain::access::Scope::Region(jineng_domain::RegionCode::parse("371502").unwrap());
    let new_job = async |file_name: &str| {
        let job = jineng_store::NewImportJob {
            account_id: account,
            scope: &scope,
            kind: "persons",
            file_name,
            dry_run: false,
        };
        store.create_import_job(&job).await.unwrap()
    };
    let own = new_job("停止时.csv").await;
    assert!(
        store.stop_stale_import_jobs().await.unwrap().is_empty(),
        "[{b}] a live process's job stays"
    );
    let stopped = store
        .stop_own_import_jobs("服务停止时导入尚未完成")
        .await
        .unwrap();
    assert_eq!(
        stopped.iter().map(|j| j.job_id).collect::<Vec<_>>(),
        [own],
        "[{b}]"
    );
    let page = get(&app, &format!("/imports/{own}"), &county).await;
    assert!(
        page.body.contains("导入已停止：服务停止时导入尚未完成"),
        "[{b}] {}",
        page.body
    );
    let next = new_job("新.csv").await;
    assert!(next > own && next > killed, "[{b}] ids are never reused");
}
