//! Classes in scope: an officer's region, an institution's own.

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::views::{Nav, level, page};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use jineng_domain::access::Action;
use jineng_store::ClassRow;

const LIMIT: i64 = 500;

#[derive(Template)]
#[template(path = "classes.html")]
struct ListPage {
    nav: Option<Nav>,
    /// (class, level in Chinese, status in Chinese)
    rows: Vec<(ClassRow, String, &'static str)>,
}

pub fn class_status_zh(status: &str) -> &'static str {
    match status {
        "registered" => "已备案",
        "closed" => "已结业",
        _ => "未知",
    }
}

/// `GET /classes`
pub async fn list(State(state): State<AppState>, user: User) -> Result<Response, AppError> {
    user.require(Action::ViewClasses)?;
    let rows = state
        .store
        .scoped_classes(user.scope(), LIMIT)
        .await?
        .into_iter()
        .map(|c| {
            let l = level(c.skill_level);
            let s = class_status_zh(&c.status);
            (c, l, s)
        })
        .collect();
    page(&ListPage {
        nav: Some(Nav::of(&user)),
        rows,
    })
}
