//! The 最近的导入 list of `/imports`, paged like every list: a template
//! (kind) and status filter, a whitelisted sort (newest first unless
//! asked) and 共 N 条. The jobs live in memory (`jobs`), not in the
//! database, so the page is cut here rather than in the store.

use super::jobs::{Job, JobState};
use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::list::{Pager, Sorter, direction, opt, query_string, sort_code};
use jineng_ingest::templates::TEMPLATES;
use serde::Deserialize;
use std::sync::Arc;

/// Jobs per page.
const PER: i64 = 20;

/// The statuses a job may be filtered by: (code, label).
const STATUSES: [(&str, &str); 3] = [
    ("running", "进行中"),
    ("done", "已完成"),
    ("failed", "失败"),
];

/// The sort codes: (code, newest-first by default).
const SORTS: [&str; 3] = ["started", "kind", "file"];

/// The list's query: `kind`, `status`, `sort`, `dir`, `page`.
#[derive(Debug, Default, Deserialize)]
pub struct ImportsQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    dir: String,
    #[serde(default)]
    page: Option<i64>,
}

/// The list as the page shows it.
pub struct Listing {
    /// (job, status code, status label)
    pub rows: Vec<(Arc<Job>, &'static str, &'static str)>,
    pub kind: String,
    pub status: String,
    pub statuses: Vec<(&'static str, &'static str)>,
    pub pager: Pager,
    pub sorter: Sorter,
}

fn status(job: &Job) -> (&'static str, &'static str) {
    let i = match job.state() {
        JobState::Running => 0,
        JobState::Done(_) => 1,
        JobState::Failed(_) => 2,
    };
    STATUSES[i]
}

/// One page of the account's uploads, filtered and sorted as asked.
pub fn listing(state: &AppState, user: &User, f: &ImportsQuery) -> Result<Listing, AppError> {
    let kind = match opt(&f.kind) {
        None => "",
        Some(k) => TEMPLATES
            .iter()
            .find(|t| t.kind == k)
            .map(|t| t.kind)
            .ok_or_else(|| AppError::BadRequest(format!("未知的模板类型「{k}」")))?,
    };
    let wanted = match opt(&f.status) {
        None => "",
        Some(s) => STATUSES
            .iter()
            .find(|(c, _)| *c == s)
            .map(|(c, _)| *c)
            .ok_or_else(|| AppError::BadRequest(format!("未知的导入状态「{s}」")))?,
    };
    let sort = sort_code(&f.sort, |s| SORTS.into_iter().find(|c| *c == s))?.unwrap_or("started");
    let descending = direction(&f.dir)?.unwrap_or(sort == "started");
    let mut rows: Vec<(Arc<Job>, &'static str, &'static str)> = state
        .imports
        .of(user.account.account_id, usize::MAX)
        .into_iter()
        .map(|j| {
            let (code, zh) = status(&j);
            (j, code, zh)
        })
        .filter(|(j, code, _)| {
            (kind.is_empty() || j.kind == kind) && (wanted.is_empty() || *code == wanted)
        })
        .collect();
    rows.sort_by(|(a, ..), (b, ..)| {
        let o = match sort {
            "kind" => a.title.cmp(b.title),
            "file" => a.file_name.cmp(&b.file_name),
            _ => std::cmp::Ordering::Equal,
        }
        .then(a.id.cmp(&b.id));
        if descending { o.reverse() } else { o }
    });
    let sorter = Sorter {
        path: "/imports",
        filters: query_string(&[("kind", kind), ("status", wanted)]),
        sort,
        descending,
    };
    let pager = Pager::new("/imports", sorter.query(), rows.len() as i64, f.page, PER);
    let rows = rows
        .into_iter()
        .skip(pager.offset as usize)
        .take(PER as usize)
        .collect();
    Ok(Listing {
        rows,
        kind: kind.to_string(),
        status: wanted.to_string(),
        statuses: STATUSES.to_vec(),
        pager,
        sorter,
    })
}
