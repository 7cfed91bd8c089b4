//! Uploaded files through the real router, on SQLite and PostgreSQL:
//! they wait in a private directory under the data directory (0700, files
//! 0600), the uploaded file and its directory are gone when its job ends
//! (the reports are kept in the database), a server start
//! removes what a killed one left; hostile file names get a Chinese 400;
//! an upload whose every row was rejected is not reported as a success,
//! and every error of a rejected row is listed.

use crate::common;

use crate::common::http::{COUNTY, Site, get, import, on_demo, send, upload};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{TestDb, id};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Every file under `dir`, with its path.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn limits() -> jineng_web::Limits {
    jineng_web::Limits {
        login_per_minute: 1000,
        lookup_per_minute: 1000,
    }
}

/// The server's state as `jineng serve` makes it: SQLite keeps uploads
/// beside the database file, PostgreSQL in the directory it is given.
fn state(db: &TestDb, store: &jineng_store::Store) -> jineng_web::AppState {
    let s = jineng_web::AppState::new(store.clone(), limits(), false);
    if db.backend == "sqlite" {
        s
    } else {
        s.with_uploads_dir(&db.path("uploads")).unwrap()
    }
}

/// The demo's site with the router on [`state`], as `jineng serve` runs it.
async fn served(db: &TestDb) -> Site {
    let mut site = Site::open(db).await;
    site.app = jineng_web::router(state(db, &site.store));
    site
}

#[test]
fn uploads_are_private_and_do_not_outlive_their_job() {
    on_demo("web_uploads", "300", storage);
}

async fn storage(db: &TestDb) {
    let b = db.backend;
    let mut site = Site::open(db).await;
    let dir = db.path("uploads");
    // What a killed server left: a job directory with a file of IDs.
    let left = dir.join("job-left");
    std::fs::create_dir_all(&left).unwrap();
    std::fs::write(left.join("人员.csv"), "姓名,身份证号码\n").unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let st = state(db, &site.store);
    assert_eq!(
        st.uploads_dir(),
        dir.as_path(),
        "[{b}] under the data directory"
    );
    assert!(!left.exists(), "[{b}] the leftover is removed at start");
    assert_eq!(mode(&dir), 0o700, "[{b}] a private directory");
    site.app = jineng_web::router(st);
    let (county, csrf) = site.login("county").await;

    // One good row, one bad: the upload and its directory go; the reports
    // are kept with the job in the database (the files' modes while they
    // wait: `storage`'s unit test).
    let good = id(COUNTY, 1991, 2, 3, 21);
    let persons = format!("姓名,身份证号码,户籍地\n新人甲,{good},{COUNTY}\n新人乙,123,{COUNTY}\n");
    let (job, done) = site
        .import(&county, &csrf, "persons", "人员.csv", &persons)
        .await;
    assert!(done.contains("拒绝 1 行"), "[{b}] {done}");
    let kept = files(&dir);
    assert!(kept.is_empty(), "[{b}] {kept:?}");
    let csv = get(&site.app, &format!("/imports/{job}/errors.csv"), &county).await;
    assert_eq!(
        csv.status,
        StatusCode::OK,
        "[{b}] the report is still there"
    );

    // A clean upload and a failed one leave nothing at all.
    let clean = format!(
        "姓名,身份证号码,户籍地\n新人丙,{},{COUNTY}\n",
        id(COUNTY, 1992, 3, 4, 31)
    );
    let (_, done) = site
        .import(&county, &csrf, "persons", "干净.csv", &clean)
        .await;
    assert!(done.contains("拒绝 0 行"), "[{b}] {done}");
    let r = upload(
        &site.app,
        &county,
        &[("csrf", &csrf), ("kind", "persons")],
        "无表头.csv",
        b"",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "[{b}] {}", r.body);
    let to = r.headers["location"].to_str().unwrap().to_string();
    for _ in 0..300 {
        if get(&site.app, &to, &county).await.body.contains("导入失败") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(files(&dir).is_empty(), "[{b}] {:?}", files(&dir));

    // After a restart the report is still served, from the database.
    site.app = jineng_web::router(state(db, &site.store));
    assert!(files(&dir).is_empty(), "[{b}] {:?}", files(&dir));
    let csv = get(&site.app, &format!("/imports/{job}/errors.csv"), &county).await;
    assert_eq!(csv.status, StatusCode::OK, "[{b}]");
    assert!(csv.body.contains("新人乙"), "[{b}] {}", csv.body);
    site.store.close().await;
}

#[test]
fn hostile_file_names_get_a_chinese_400() {
    on_demo("web_upload_names", "300", async |db| {
        let b = db.backend;
        let site = served(db).await;
        let (county, csrf) = site.login("county").await;
        let fields = [("csrf", csrf.as_str()), ("kind", "persons")];
        let long = format!("{}.csv", "人".repeat(84)); // 256 bytes
        assert_eq!(long.len(), 256);
        // Through the form (a NUL cannot even pass the multipart
        // header) and through the API, whose name is a query parameter.
        let token = site.token("county").await;
        for (name, says) in [
            (long.as_str(), "文件名过长"),
            ("a\0b.csv", "控制字符"),
            ("a\u{1}.csv", "控制字符"),
            ("a\tb.csv", "控制字符"),
        ] {
            let r = upload(&site.app, &county, &fields, name, b"x").await;
            assert_eq!(
                r.status,
                StatusCode::BAD_REQUEST,
                "[{b}] {name:?}: {}",
                r.body
            );
            assert!(r.body.contains(says), "[{b}] {}", r.body);
            assert!(!r.body.contains("failed"), "[{b}] no English: {}", r.body);
            let query: String = name.bytes().map(|c| format!("%{c:02X}")).collect();
            let req = Request::post(format!("/api/v1/imports?kind=persons&file_name={query}"))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/octet-stream")
                .body(Body::from("x"))
                .unwrap();
            let r = send(&site.app, req).await;
            assert_eq!(
                r.status,
                StatusCode::BAD_REQUEST,
                "[{b}] API {name:?}: {}",
                r.body
            );
            assert!(r.body.contains(says), "[{b}] API {}", r.body);
        }
        // 255 bytes is still a name.
        let ok = format!("{}a.csv", "人".repeat(83));
        assert_eq!(ok.len(), 254);
        let ok = format!("a{ok}");
        let r = upload(&site.app, &county, &fields, &ok, b"a\n").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{b}] {}", r.body);
        site.store.close().await;
    });
}

#[test]
fn a_wholly_rejected_upload_is_not_a_success_and_lists_every_error() {
    on_demo("web_upload_result", "300", async |db| {
        let b = db.backend;
        let site = served(db).await;
        let (county, csrf) = site.login("county").await;
        // Row 2 has three problems, row 3 one.
        let persons = format!("姓名,身份证号码,户籍地\n,123,999999\n李四,456,{COUNTY}\n");
        let (job, done) = site
            .import(&county, &csrf, "persons", "全错.csv", &persons)
            .await;
        assert!(
            done.contains("class=\"error import-result\"")
                && done.contains("导入未成功：全部 2 行均被拒绝，没有写入任何数据"),
            "[{b}] {done}"
        );
        assert!(!done.contains("class=\"notice"), "[{b}] not green: {done}");
        let row2 = done
            .split("<td class=\"num\">2</td>")
            .nth(1)
            .and_then(|s| s.split("</tr>").next())
            .unwrap_or_else(|| panic!("[{b}] row 2 listed: {done}"));
        for column in ["「姓名」", "「身份证号码」", "「户籍地」"] {
            assert!(row2.contains(column), "[{b}] {column} in row 2: {row2}");
        }
        assert_eq!(row2.matches("<li>").count(), 3, "[{b}] {row2}");
        assert!(done.contains("<td class=\"num\">3</td>"), "[{b}] {done}");

        // The report holds all of row 2's errors in its 错误说明.
        let csv = get(&site.app, &format!("/imports/{job}/errors.csv"), &county).await;
        let line = csv
            .body
            .lines()
            .find(|l| l.contains(",2,"))
            .unwrap_or_else(|| panic!("[{b}] {}", csv.body));
        for column in ["「姓名」", "「身份证号码」", "「户籍地」"] {
            assert!(line.contains(column), "[{b}] {column}: {line}");
        }

        // A partly rejected upload is a warning, a clean one a notice.
        let good = id(COUNTY, 1993, 4, 5, 41);
        let half = format!("姓名,身份证号码,户籍地\n新人丁,{good},{COUNTY}\n李四,456,{COUNTY}\n");
        let (_, done) = import(&site, &county, &csrf, "persons", "半.csv", &half, true).await;
        assert!(
            done.contains("class=\"warning import-result\"")
                && done.contains("导入完成，但有 1 行被拒绝"),
            "[{b}] {done}"
        );
        let clean = format!("姓名,身份证号码,户籍地\n新人丁,{good},{COUNTY}\n");
        let (_, done) = import(&site, &county, &csrf, "persons", "好.csv", &clean, true).await;
        assert!(
            done.contains("class=\"notice import-result\""),
            "[{b}] {done}"
        );
        site.store.close().await;
    });
}
