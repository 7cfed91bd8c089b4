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
pub async fn call(
    app: &Router,
    method: &str,
    path: &str,
    token: &str,
    body: Option<(&str, String)>,
) -> Resp {
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
    let r = call(
        app,
        "POST",
        path,
        token,
        Some(("application/json", body.to_string())),
    )
    .await;
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
    post_json(
        app,
        "/api/v1/learning-sessions",
        token,
        &json!({ "sessions": sessions }),
    )
    .await
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
pub fn daily_sessions(
    person: &str,
    class: &str,
    first: &str,
    hours: i64,
    prefix: &str,
) -> Vec<Value> {
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

/// A 如东 registry under the 如东 policy (`policies/rudong-2019.toml`:
/// online hours at 50 %, at most 40 of them, 80 % of the planned hours
/// required): one institution, class `RD-01` (电工 五级, 2019-09-02 to
/// 2019-09-27, 100 planned hours), and one trainee per `(name, offline,
/// roster online, result)`, each 登记失业人员 with a 五级 certificate of the
/// class and a claim for it (`RDZ-n`, `RDSL-n`, n from 1).
pub struct Rudong {
    pub institution: String,
    /// (name, ID number) in the order given.
    pub people: Vec<(String, String)>,
}

pub fn rudong(db: &super::common::TestDb, trainees: &[(&str, i64, i64, &str)]) -> Rudong {
    use super::common::fixtures::*;
    use super::common::{credit, id};
    db.ok(&["policy", "load", &policy_file("rudong-2019.toml")]);
    let inst = credit("320623", "5");
    load(
        db,
        "institutions",
        INSTITUTIONS,
        &[format!(
            "如东县职业技能培训中心,{inst},民办培训机构,320623,是,2019-01-01,2025-12-31"
        )],
    );
    load(
        db,
        "classes",
        CLASSES,
        &[format!(
            "RD-01,{inst},就业技能培训,6-31-01-03,电工,五级/初级工,320623,2019-09-02,2019-09-27,100"
        )],
    );
    let people: Vec<(String, String)> = trainees
        .iter()
        .enumerate()
        .map(|(i, (name, ..))| {
            (
                name.to_string(),
                id("320623", 1990, 1, 1 + i as u32, 11 + i as u16),
            )
        })
        .collect();
    let rows = |f: &dyn Fn(usize, &(String, String)) -> String| -> Vec<String> {
        people.iter().enumerate().map(|(i, p)| f(i, p)).collect()
    };
    load(
        db,
        "persons",
        PERSONS,
        &rows(&|_, (n, id)| format!("{n},{id},320623")),
    );
    load(
        db,
        "categories",
        CATEGORIES,
        &rows(&|_, (_, id)| format!("{id},登记失业人员,2019-01-01,,失业登记证")),
    );
    load(
        db,
        "roster",
        ROSTER,
        &rows(&|i, (n, id)| {
            let (_, off, on, result) = trainees[i];
            format!("RD-01,{inst},{n},{id},{off},{on},{result}")
        }),
    );
    load(
        db,
        "certificates",
        CERTIFICATES,
        &rows(&|i, (n, id)| {
            format!(
                "RDZ-{},职业技能等级证书,{n},{id},6-31-01-03,五级/初级工,2019-10-10,{inst},RD-01",
                i + 1
            )
        }),
    );
    load(
        db,
        "claims",
        CLAIMS,
        &rows(&|i, (_, id)| {
            format!(
                "RDSL-{},职业培训补贴,{id},RDZ-{},,,,2019-10-20,,",
                i + 1,
                i + 1
            )
        }),
    );
    Rudong {
        institution: inst,
        people,
    }
}
