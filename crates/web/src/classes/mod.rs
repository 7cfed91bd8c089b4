//! Classes in scope (an officer's region, an institution's own): the list
//! with a status filter, one class with its roster summary and status
//! history, the review steps (备案通过, 退回, 结业; `review`) and the
//! institution's filing form (开班备案; `file`). The roster and attendance
//! entry pages live at `/classes/{id}/roster`, a module of their own.

mod file;
mod review;

pub use file::{create, new};
pub use review::{approve, close, request_close, return_class};

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::list::{ListQuery, Pager, Sorter, query_string};
use crate::views::{Nav, level, page};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use jineng_domain::ClassStatus;
use jineng_domain::access::Action;
use jineng_store::{ClassDetail, ClassQuery, ClassSort, ClassSummary};

/// Classes per page.
const PER: i64 = crate::list::PER_PAGE;

#[derive(Template)]
#[template(path = "classes.html")]
struct ListPage {
    nav: Option<Nav>,
    f: ListQuery,
    /// (code, label, selected)
    statuses: Vec<(&'static str, &'static str, bool)>,
    can_file: bool,
    /// (class, level in Chinese, status in Chinese)
    rows: Vec<(ClassSummary, String, &'static str)>,
    pager: Pager,
    sorter: Sorter,
}

/// A status filter from a query: a [`ClassStatus`] code, its Chinese
/// label, or `pending` (待审核, what links and other systems say), or none.
pub(crate) fn status_filter(raw: &str) -> Result<Option<ClassStatus>, AppError> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let wanted = match s {
        "pending" => "registered",
        other => other,
    };
    ClassStatus::ALL
        .into_iter()
        .find(|x| x.code() == wanted || x.as_zh() == wanted)
        .map(Some)
        .ok_or_else(|| AppError::BadRequest(format!("未知的培训班状态「{s}」")))
}

/// `GET /classes?status=&q=&sort=&dir=&page=`
pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(f): Query<ListQuery>,
) -> Result<Response, AppError> {
    user.require(Action::ViewClasses)?;
    let filter = status_filter(&f.status)?;
    let (sort, descending) = f.sorted(ClassSort::from_code, ClassSort::default(), |s| {
        s == ClassSort::Start
    })?;
    let q = ClassQuery {
        status: filter,
        institution: None,
        q: f.search(50),
        sort,
        descending,
    };
    let store = &state.store;
    let total = store.class_count(user.scope(), &q).await?;
    let sorter = Sorter {
        path: "/classes",
        filters: query_string(&[
            ("status", filter.map_or("", ClassStatus::code)),
            ("q", &f.q),
        ]),
        sort: sort.code(),
        descending,
    };
    let pager = Pager::sorted(&sorter, total, f.page, PER);
    let rows = store
        .class_page(user.scope(), &q, pager.offset, PER)
        .await?
        .into_iter()
        .map(|c| {
            let l = level(c.skill_level);
            let s = c.status.as_zh();
            (c, l, s)
        })
        .collect();
    page(&ListPage {
        nav: Some(Nav::of(&user)),
        statuses: ClassStatus::ALL
            .into_iter()
            .map(|s| (s.code(), s.as_zh(), filter == Some(s)))
            .collect(),
        can_file: user.role().may(Action::FileClasses),
        rows,
        pager,
        sorter,
        f,
    })
}

#[derive(Template)]
#[template(path = "class.html")]
struct DetailPage {
    nav: Option<Nav>,
    csrf: String,
    d: ClassDetail,
    level: String,
    status: &'static str,
    /// (from, to, actor, at, reason) with statuses in Chinese
    history: Vec<(&'static str, &'static str, String, String, String)>,
    can_review: bool,
    can_file: bool,
}

pub fn completion_zh(code: &str) -> &'static str {
    match code {
        "passed" => "合格",
        "failed" => "不合格",
        _ => "未结业",
    }
}

pub(crate) async fn detail_page(
    state: &AppState,
    user: &User,
    class_id: i64,
) -> Result<Response, AppError> {
    user.require(Action::ViewClasses)?;
    let d = state.store.class_detail(user.scope(), class_id).await?;
    let history = d
        .history
        .iter()
        .map(|e| {
            (
                e.from_status.map_or("—", ClassStatus::as_zh),
                e.to_status.as_zh(),
                e.actor.clone(),
                e.at.to_string(),
                e.reason.clone().unwrap_or_default(),
            )
        })
        .collect();
    page(&DetailPage {
        nav: Some(Nav::of(user)),
        csrf: user.csrf.clone(),
        level: level(d.skill_level),
        status: d.status.as_zh(),
        history,
        can_review: user.role().may(Action::ReviewClasses),
        can_file: user.role().may(Action::FileClasses),
        d,
    })
}

/// The class id of a path; a malformed one is the same 403 as a class
/// outside the scope.
pub(crate) fn class_id(raw: &str) -> Result<i64, AppError> {
    raw.parse()
        .map_err(|_| AppError::Forbidden("该培训班不存在或不在您的管理范围内".into()))
}

/// `GET /classes/{id}`
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    detail_page(&state, &user, class_id(&id)?).await
}
