//! What the learning tests share: accounts made as an officer makes them
//! (a learning platform, an officer, a worker) with their API tokens or
//! passwords, JSON posts to the real router, and one session's JSON.

#![allow(dead_code)]

use super::common::http::{Resp, send};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jineng_domain::RegionCode;
use jineng_domain::access::{Role, Scope};
use jineng_store::{Actor, Store};
use serde_json::{Value, json};

pub fn actor() -> Actor {
    Actor("test:learning".into())
}

/// An account of `role` over `region` with an API token.
pub async fn token_for(store: &Store, login: &str, name: &str, role: Role, scope: Scope) -> String {
    let a = jineng_web::create_account(store, login, name, role, scope, &actor())
        .await
        .unwrap();
    jineng_web::issue_api_token(store, a.account_id, "test", &actor())
        .await
        .unwrap()
}

pub fn region(code: &str) -> Scope {
    Scope::Region(RegionCode::parse(code).unwrap())
}

/// A learning platform over `code` and its token.
pub async fn platform(store: &Store, login: &str, name: &str, code: &str) -> String {
    token_for(store, login, name, Role::Platform, region(code)).await
}

/// A request with a bearer token and a raw body of `content_type`.
pub async fn call(app: &Router, method: &str, path: &str, token: &str, body: Option<(&str, String)>) -> Resp {
    let mut req = Request::builder().method(method).uri(path);
    if !token.is_empty() {
        req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = match body {
        Some((ct, text)) => {
            req = req.header(header::CONTENT_TYPE, ct);
            Body::from(text)
        }
        None => Body::empty(),
    };
    send(app, req.body(body).unwrap()).await
}

/// `POST path` with a JSON body: status and JSON answer.
pub async fn post_json(app: &Router, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
    let r = call(app, "POST", path, token, Some(("application/json", body.to_string()))).await;
    (r.status, serde_json::from_str(&r.body).unwrap_or_default())
}

/// `GET path`: status and JSON answer.
pub async fn get_json(app: &Router, path: &str, token: &str) -> (StatusCode, Value) {
    let r = call(app, "GET", path, token, None).await;
    (r.status, serde_json::from_str(&r.body).unwrap_or_default())
}

/// One session as a platform sends it.
pub fn session(
    person: &str,
    class: &str,
    institution: Option<&str>,
    start: &str,
    end: &str,
    minutes: i64,
    id: &str,
) -> Value {
    let mut v = json!({
        "person": person, "class": class, "start": start, "end": end,
        "minutes": minutes, "session_id": id,
    });
    if let Some(i) = institution {
        v["institution"] = json!(i);
    }
    v
}

/// `POST /api/v1/learning-sessions`.
pub async fn report(app: &Router, token: &str, sessions: &[Value]) -> (StatusCode, Value) {
    post_json(app, "/api/v1/learning-sessions", token, &json!({ "sessions": sessions })).await
}

/// The refusals of a report by index: (index, [codes]).
pub fn refusals(r: &Value) -> Vec<(u64, Vec<String>)> {
    r["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let codes = x["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["code"].as_str().unwrap().to_string())
                .collect();
            (x["index"].as_u64().unwrap(), codes)
        })
        .collect()
}

/// The Chinese reasons of refused row `index`, joined.
pub fn reasons_of(r: &Value, index: u64) -> String {
    r["refused"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["index"] == index)
        .map(|x| {
            x["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["message"].as_str().unwrap())
                .collect::<Vec<_>>()
                .join("；")
        })
        .unwrap_or_default()
}

/// Four-hour sessions on consecutive days from `first` (YYYY-MM-DD) at
/// 08:00, `hours` hours in all, ids `prefix-N`.
pub fn daily_sessions(person: &str, class: &str, first: &str, hours: i64, prefix: &str) -> Vec<Value> {
    let day0 = chrono::NaiveDate::parse_from_str(first, "%Y-%m-%d").unwrap();
    let mut out = Vec::new();
    let mut left = hours;
    let mut n = 0;
    while left > 0 {
        let h = left.min(4);
        let day = day0 + chrono::Duration::days(n);
        out.push(session(
            person,
            class,
            None,
            &format!("{day}T08:00:00+08:00"),
            &format!("{day}T{:02}:00:00+08:00", 8 + h),
            h * 60,
            &format!("{prefix}-{n}"),
        ));
        left -= h;
        n += 1;
    }
    out
}
