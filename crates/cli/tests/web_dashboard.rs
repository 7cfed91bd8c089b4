//! The dashboard, the progress API, the public fund-use page and the task
//! tables against the demo, on SQLite and PostgreSQL: the demo is loaded by
//! the real binary, the real router runs in-process on the same database.
//! The dashboard page, the API JSON and the xlsx of `jineng report
//! progress` show the same figures, and those are the records' (SQL); the
//! annex-1 breakdown is on the city's dashboard; a county officer cannot
//! open the city's or a sibling's; the public page carries no personal data
//! and its totals are the ledger's; a task report posted through the form
//! is shown and audited, and without the CSRF token changes nothing.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{TestDb, backends};
use http_body_util::BodyExt;
use jineng_domain::planning::format_value;
use jineng_store::{Actor, Store};
use serde_json::Value;
use sqlx::Connection;
use std::collections::HashMap;
use tower::ServiceExt;

const CITY: &str = "371500";
const COUNTY: &str = "371502";
const SIBLING: &str = "371521";
const AS_OF: &str = "2019-12-31";
const ANNEX1: &str = include_str!("../../../planning/targets/liaocheng-2019.csv");
const TASK_DOC: &str = "聊政办发〔2019〕10号 附件2";

struct Resp {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn send(app: &Router, req: Request<Body>) -> Resp {
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

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn get(app: &Router, path: &str, cookie: &str) -> Resp {
    let req = Request::get(path).header(header::COOKIE, cookie);
    send(app, req.body(Body::empty()).unwrap()).await
}

async fn post(app: &Router, path: &str, cookie: &str, form: &[(&str, &str)]) -> Resp {
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

async fn api(app: &Router, path: &str, token: &str) -> (StatusCode, Value) {
    let req = Request::get(path).header(header::AUTHORIZATION, format!("Bearer {token}"));
    let r = send(app, req.body(Body::empty()).unwrap()).await;
    (r.status, serde_json::from_str(&r.body).unwrap_or_default())
}

fn csrf_of(html: &str) -> String {
    let i = html.find("name=\"csrf\" value=\"").expect("a CSRF token") + 19;
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

/// Logs in; returns the session cookie and the session's CSRF token.
async fn login(app: &Router, login: &str, password: &str) -> (String, String) {
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
    let any = get(app, "/certificates/lookup", &cookie).await;
    (cookie, csrf_of(&any.body))
}

/// The cells of the dashboard's table rows, by `data-key` (`indicator:from-to|region`).
fn page_rows(html: &str) -> HashMap<String, Vec<String>> {
    let mut out = HashMap::new();
    for part in html.split("data-key=\"").skip(1) {
        let key = part[..part.find('"').unwrap()].to_string();
        let row = &part[..part.find("</tr>").unwrap()];
        let cells: Vec<String> = row
            .split("<td")
            .skip(1)
            .map(|c| {
                let c = &c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()];
                strip_tags(c)
            })
            .collect();
        out.insert(key, cells);
    }
    out
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut tag = false;
    for ch in s.chars() {
        match ch {
            '<' => tag = true,
            '>' => tag = false,
            c if !tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

struct Sql(sqlx::AnyConnection);

impl Sql {
    async fn open(db: &TestDb) -> Sql {
        sqlx::any::install_default_drivers();
        Sql(sqlx::AnyConnection::connect(&db.url).await.unwrap())
    }
    async fn int(&mut self, sql: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&mut self.0)
            .await
            .unwrap()
    }
    async fn texts(&mut self, sql: &str) -> Vec<String> {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_all(&mut self.0)
            .await
            .unwrap()
    }
}

struct World {
    app: Router,
    sql: Sql,
    city: (String, String),
    county: (String, String),
    finance: (String, String),
    city_token: String,
    county_token: String,
}

async fn world(db: &TestDb) -> World {
    let store = Store::connect(&db.url).await.unwrap();
    let sample = store.first_person_with_claim().await.unwrap().unwrap();
    let actor = Actor("test:setup".into());
    let accounts = jineng_web::demo_accounts(&store, CITY, COUNTY, &sample, &actor)
        .await
        .unwrap();
    let acc = |l: &str| accounts.iter().find(|a| a.login == l).unwrap().clone();
    let limits = jineng_web::Limits {
        login_per_minute: 1000,
        lookup_per_minute: 1000,
    };
    let app = jineng_web::router(jineng_web::AppState::new(store.clone(), limits, false));
    let token = |l: &str| {
        let (store, actor, id) = (store.clone(), actor.clone(), acc(l).account_id);
        async move {
            jineng_web::issue_api_token(&store, id, "test", &actor)
                .await
                .unwrap()
        }
    };
    World {
        city: login(&app, "city", &acc("city").password).await,
        county: login(&app, "county", &acc("county").password).await,
        finance: login(&app, "finance", &acc("finance").password).await,
        city_token: token("city").await,
        county_token: token("county").await,
        sql: Sql::open(db).await,
        app,
    }
}

#[test]
fn dashboard_api_xlsx_funds_and_tasks() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in backends("web_dashboard") {
        db.ok(&["demo", "--persons", "400"]);
        rt.block_on(async {
            let mut w = world(&db).await;
            figures_agree(&db, &mut w).await;
            scope_and_charts(&db, &w).await;
            public_funds(&db, &mut w).await;
            tasks(&db, &mut w).await;
        });
        db.ok(&["audit", "verify"]);
    }
}

#[path = "web_dashboard/checks.rs"]
mod checks;
#[path = "web_dashboard/tasks.rs"]
mod task_checks;
use checks::*;
use task_checks::tasks;
