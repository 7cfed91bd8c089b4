//! HTTP helpers of the officer pages' tests (web_imports, web_classes):
//! the real router in-process on a demo database, logins, form and
//! multipart posts, SQL over the same database.

#![allow(dead_code)]

use crate::common::TestDb;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jineng_store::{Actor, Store};
use sqlx::Connection;
use tower::ServiceExt;

pub const CITY: &str = "371500";
pub const COUNTY: &str = "371502";

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub bytes: Vec<u8>,
    pub body: String,
}

pub async fn send(app: &Router, req: Request<Body>) -> Resp {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Resp {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
    }
}

pub async fn get(app: &Router, path: &str, cookie: &str) -> Resp {
    let req = Request::get(path).header(header::COOKIE, cookie);
    send(app, req.body(Body::empty()).unwrap()).await
}

pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub async fn post(app: &Router, path: &str, cookie: &str, form: &[(&str, &str)]) -> Resp {
    let body: String = form
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let req = Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    send(app, req.body(Body::from(body)).unwrap()).await
}

/// A multipart upload as a browser sends the import form.
pub async fn upload(
    app: &Router,
    cookie: &str,
    fields: &[(&str, &str)],
    file_name: &str,
    file: &[u8],
) -> Resp {
    const B: &str = "----jinengtestboundary7d3f";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{B}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend(
        format!(
            "--{B}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend(file);
    body.extend(format!("\r\n--{B}--\r\n").as_bytes());
    let req = Request::post("/imports")
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={B}"),
        );
    send(app, req.body(Body::from(body)).unwrap()).await
}

/// The value of the first `name="csrf" value="…"` in a page.
pub fn csrf_of(html: &str) -> String {
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

/// The demo's accounts and the router on `db`.
pub struct Site {
    pub app: Router,
    pub store: Store,
    pub accounts: Vec<jineng_web::DemoAccount>,
}

impl Site {
    pub async fn open(db: &TestDb) -> Site {
        let store = Store::connect(&db.url).await.unwrap();
        let sample = store.first_person_with_claim().await.unwrap().unwrap();
        let actor = Actor("test:setup".into());
        let accounts = jineng_web::demo_accounts(&store, CITY, COUNTY, &sample, &actor)
            .await
            .unwrap();
        let limits = jineng_web::Limits {
            login_per_minute: 1000,
            lookup_per_minute: 1000,
        };
        let app = jineng_web::router(jineng_web::AppState::new(store.clone(), limits, false));
        Site {
            app,
            store,
            accounts,
        }
    }

    /// Logs in as a demo account: (session cookie, CSRF token).
    pub async fn login(&self, login: &str) -> (String, String) {
        let password = self
            .accounts
            .iter()
            .find(|a| a.login == login)
            .unwrap()
            .password
            .clone();
        let page = get(&self.app, "/login", "").await;
        let pre = set_cookie(&page, "jineng_login_csrf");
        let r = post(
            &self.app,
            "/login",
            &pre,
            &[
                ("csrf", &csrf_of(&page.body)),
                ("login", login),
                ("password", &password),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "login {login}: {}", r.body);
        let cookie = set_cookie(&r, "jineng_session");
        let any_form = get(&self.app, "/certificates/lookup", &cookie).await;
        (cookie, csrf_of(&any_form.body))
    }
}

pub struct Sql(pub sqlx::AnyConnection);

impl Sql {
    pub async fn open(db: &TestDb) -> Sql {
        sqlx::any::install_default_drivers();
        Sql(sqlx::AnyConnection::connect(&db.url).await.unwrap())
    }
    pub async fn int(&mut self, sql: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&mut self.0)
            .await
            .unwrap()
    }
    pub async fn text(&mut self, sql: &str) -> String {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&mut self.0)
            .await
            .unwrap()
    }
    pub async fn texts(&mut self, sql: &str) -> Vec<String> {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_all(&mut self.0)
            .await
            .unwrap()
    }
}

/// Uploads and waits for the job: (job id, the finished status fragment).
pub async fn import(
    site: &Site,
    cookie: &str,
    csrf: &str,
    kind: &str,
    name: &str,
    file: &str,
    dry_run: bool,
) -> (String, String) {
    let mut fields = vec![("csrf", csrf), ("kind", kind)];
    if dry_run {
        fields.push(("dry_run", "1"));
    }
    let r = upload(&site.app, cookie, &fields, name, file.as_bytes()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = r.headers[header::LOCATION].to_str().unwrap().to_string();
    let job = to.strip_prefix("/imports/").unwrap().to_string();
    let page = get(&site.app, &to, cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    if page.body.contains("正在导入") {
        assert!(
            page.body
                .contains(&format!("hx-get=\"/imports/{job}/progress\""))
                && page.body.contains("hx-trigger=\"every 1s\""),
            "a running job's page polls its fragment"
        );
    }
    for _ in 0..600 {
        let f = get(&site.app, &format!("/imports/{job}/progress"), cookie).await;
        assert_eq!(f.status, StatusCode::OK);
        if !f.body.contains("hx-trigger") {
            assert!(f.body.contains("导入完成"), "{}", f.body);
            return (job, f.body);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("import {job} did not finish");
}
