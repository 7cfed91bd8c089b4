//! The HTTP and SQL helpers of the roster and filing tests (as in web.rs):
//! requests against the in-process router, login with the CSRF token, and
//! plain SQL over the test database to check what a page claims.
#![allow(dead_code)]

use super::common::TestDb;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jineng_store::Store;
use sqlx::Connection;
use tower::ServiceExt;

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

pub async fn send(app: &Router, req: Request<Body>) -> Resp {
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

pub async fn get(app: &Router, path: &str, cookie: &str) -> Resp {
    let req = Request::get(path).header(header::COOKIE, cookie);
    send(app, req.body(Body::empty()).unwrap()).await
}

pub async fn post(app: &Router, path: &str, cookie: &str, form: &[(&str, &str)]) -> Resp {
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

pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn csrf_of(html: &str) -> String {
    let i = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    html[i..i + html[i..].find('"').unwrap()].to_string()
}

pub fn set_cookie(r: &Resp, name: &str) -> String {
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_string())
        .unwrap_or_else(|| panic!("no {name} cookie"))
}

/// Logs in; returns the session cookie and the session's CSRF token.
pub async fn login(app: &Router, login: &str, password: &str) -> (String, String) {
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
}

pub fn app_of(store: &Store) -> Router {
    let limits = jineng_web::Limits {
        login_per_minute: 1000,
        lookup_per_minute: 1000,
    };
    jineng_web::router(jineng_web::AppState::new(store.clone(), limits, false))
}

pub async fn postv(app: &Router, path: &str, cookie: &str, form: &[(&str, String)]) -> Resp {
    let f: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    post(app, path, cookie, &f).await
}
