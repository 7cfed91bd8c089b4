//! The task tables (重点任务分工) that bind the account's region: task,
//! requirement, the lead unit first, the co-units, the deadline, each
//! unit's latest progress report and the overdue flag (逾期); and the form
//! on which an officer records a responsible unit's progress report
//! (audited by the store).

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::list::{ListQuery, PER_PAGE, Pager, Sorter, code_filter, query_string};
use crate::views::{Nav, page};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use jineng_domain::RegionCode;
use jineng_domain::access::Action;
use jineng_domain::planning::TaskStatus;
use jineng_store::{TaskReportInput, TaskView};
use serde::Deserialize;

fn status_zh(code: &str) -> &'static str {
    TaskStatus::from_code(code).map_or("未知", TaskStatus::as_zh)
}

/// A task as the page shows it.
pub struct Row {
    pub t: TaskView,
    pub co_units: String,
    pub due: String,
    /// "2019-06-30 人社局：进行中（note）", latest first per unit.
    pub reports: Vec<String>,
    pub done: bool,
    pub overdue: bool,
    /// The units a report may be recorded for; empty when the account may not.
    pub units: Vec<String>,
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    nav: Option<Nav>,
    nav_csrf: String,
    /// (doc, selected)
    docs: Vec<(String, bool)>,
    today: String,
    statuses: Vec<(&'static str, &'static str)>,
    rows: Vec<Row>,
    message: Option<String>,
    /// The list's filters as asked: status (done, open, overdue) and search.
    status: String,
    q: String,
    pager: Pager,
    sorter: Sorter,
}

/// The status filter: (code, label).
const FILTERS: [(&str, &str); 3] = [("open", "未完成"), ("overdue", "逾期"), ("done", "已完成")];

/// The status filter asked for, one of [`FILTERS`]; "" for none.
fn status_filter(raw: &str) -> Result<&'static str, AppError> {
    let known = |s: &str| FILTERS.iter().find(|(c, _)| *c == s).map(|(c, _)| *c);
    Ok(code_filter(raw, "任务状态", known)?.unwrap_or(""))
}

/// A task as its row shows it on `today`; `may_report` when the account
/// may record progress for the task's units.
fn row_of(t: TaskView, today: chrono::NaiveDate, may_report: bool) -> Row {
    // Done when the lead unit reports it done; overdue when the
    // deadline passed before that.
    let done = t
        .reports
        .iter()
        .any(|r| r.unit == t.lead_unit && r.status == TaskStatus::Done);
    let overdue = !done && t.due.is_some_and(|d| d < today);
    let units = if may_report {
        std::iter::once(t.lead_unit.clone())
            .chain(t.co_units.iter().cloned())
            .collect()
    } else {
        Vec::new()
    };
    Row {
        co_units: if t.co_units.is_empty() {
            "—".into()
        } else {
            t.co_units.join("、")
        },
        due: t.due.map_or_else(|| "未规定".into(), |d| d.to_string()),
        reports: t
            .reports
            .iter()
            .rev()
            .map(|r| {
                let note = if r.note.is_empty() {
                    String::new()
                } else {
                    format!("（{}）", r.note)
                };
                format!("{} {}：{}{note}", r.reported_on, r.unit, r.status.as_zh())
            })
            .collect(),
        done,
        overdue,
        units,
        t,
    }
}

impl Row {
    /// Whether the row passes the status filter and the search `q`.
    fn kept(&self, status: &str, q: &str) -> bool {
        let by_status = match status {
            "done" => self.done,
            "overdue" => self.overdue,
            "open" => !self.done,
            _ => true,
        };
        by_status
            && (q.is_empty()
                || [
                    &self.t.heading,
                    &self.t.requirement,
                    &self.t.lead_unit,
                    &self.co_units,
                ]
                .iter()
                .any(|t| t.contains(q)))
    }
}

/// Orders the rows by the sort column, then document and number.
fn sort_rows(rows: &mut [Row], sort: &str, descending: bool) {
    rows.sort_by(|a, b| {
        let o = match sort {
            "due" => a.t.due.cmp(&b.t.due),
            "lead" => a.t.lead_unit.cmp(&b.t.lead_unit),
            _ => std::cmp::Ordering::Equal,
        }
        .then(a.t.doc.cmp(&b.t.doc))
        .then(a.t.no.cmp(&b.t.no));
        if descending { o.reverse() } else { o }
    });
}

async fn render(
    state: &AppState,
    user: &User,
    f: &ListQuery,
    message: Option<String>,
) -> Result<Response, AppError> {
    user.require(Action::ViewProgress)?;
    let doc = f.doc.trim();
    let status = status_filter(&f.status)?;
    let known = |s: &str| ["no", "due", "lead"].into_iter().find(|c| *c == s);
    let (sort, descending) = f.sorted(known, "no", |_| false)?;
    let q = f.search(50);
    let today = chrono::Local::now().date_naive();
    let docs = state.store.scoped_task_docs(user.scope()).await?;
    let doc = if doc.is_empty() || docs.iter().any(|d| d == doc) {
        doc
    } else {
        return Err(AppError::Forbidden(format!(
            "文件「{doc}」不存在或不在您的管理范围内"
        )));
    };
    let may_report = user.role().may(Action::ReportTasks);
    let mut rows: Vec<Row> = state
        .store
        .scoped_tasks(user.scope(), Some(doc).filter(|d| !d.is_empty()))
        .await?
        .into_iter()
        .map(|t| {
            let inside =
                RegionCode::parse(&t.region).is_ok_and(|r| user.scope().contains_region(&r));
            row_of(t, today, may_report && inside)
        })
        .filter(|r| r.kept(status, &q))
        .collect();
    // The task tables bind a region by rules applied in Rust (the store's
    // `scoped_tasks`), so the page is cut here.
    sort_rows(&mut rows, sort, descending);
    let sorter = Sorter {
        path: "/tasks",
        filters: query_string(&[("doc", doc), ("status", status), ("q", &q)]),
        sort,
        descending,
    };
    let pager = Pager::sorted(&sorter, rows.len() as i64, f.page, PER_PAGE);
    let rows = rows
        .into_iter()
        .skip(pager.offset as usize)
        .take(PER_PAGE as usize)
        .collect();
    page(&TasksPage {
        status: status.to_string(),
        q,
        pager,
        sorter,
        nav: Some(Nav::of(user)),
        nav_csrf: user.csrf.clone(),
        docs: docs.iter().map(|d| (d.clone(), d == doc)).collect(),
        today: today.to_string(),
        statuses: TaskStatus::ALL
            .into_iter()
            .map(|s| (s.code(), s.as_zh()))
            .collect(),
        rows,
        message,
    })
}

/// `GET /tasks?doc=`
pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    render(&state, &user, &q, None).await
}

#[derive(Debug, Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    doc: String,
    #[serde(default)]
    no: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    note: String,
}

/// `POST /tasks/report`: a responsible unit's progress on a task.
pub async fn report(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<ReportForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&f.csrf)?;
    user.require(Action::ReportTasks)?;
    let doc = f.doc.trim();
    let result = async {
        let no: i64 =
            f.no.trim()
                .parse()
                .map_err(|_| AppError::BadRequest(format!("任务序号「{}」无效", f.no.trim())))?;
        let status = f.status.trim();
        let input = TaskReportInput {
            doc,
            no,
            unit: &f.unit,
            reported_on: jineng_domain::parse_date(f.date.trim())
                .map_err(|e| format!("报告日期：{e}")),
            status: TaskStatus::from_code(status)
                .ok_or_else(|| format!("进展状态「{status}」无效，应为：未开始、进行中、已完成")),
            note: &f.note,
        };
        state
            .store
            .scoped_report_task(user.scope(), &input, &user.actor())
            .await?;
        Ok(crate::flash::Flash::done(format!(
            "已记录「{}」第 {} 项 {} 的进展：{}",
            input.doc,
            no,
            f.unit.trim(),
            status_zh(status)
        )))
    }
    .await;
    let to = format!("/tasks?doc={}", crate::flash::segment(doc));
    crate::flash::after_action(&state, &user, &to, result)
}
