//! The dashboard, the progress API, the public fund-use page and the task
//! tables against the demo, on SQLite and PostgreSQL: the demo is loaded by
//! the real binary, the real router runs in-process on the same database.
//! The dashboard page, the API JSON and the xlsx of `jineng report
//! progress` show the same figures, and those are the records' (SQL); the
//! annex-1 breakdown is on the city's dashboard; a county officer cannot
//! open the city's or a sibling's; the public page carries no personal data
//! and its totals are the ledger's; a task report posted through the form
//! is shown and audited, and without the CSRF token changes nothing.

use crate::common;

use axum::Router;
use axum::http::{StatusCode, header};
use common::http::{Sql, api, encode, get, login, post};
use common::{TestDb, backends};
use jineng_domain::planning::format_value;
use jineng_store::{Actor, Store};
use serde_json::Value;
use std::collections::HashMap;

use common::http::{CITY, COUNTY};
const SIBLING: &str = "371521";
const AS_OF: &str = "2019-12-31";
const ANNEX1: &str = include_str!("../../../planning/targets/liaocheng-2019.csv");
const TASK_DOC: &str = "聊政办发〔2019〕10号 附件2";

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
        db.demo(&["--persons", "400"]);
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
