//! The 最近的导入 list of `/imports`, paged like every list: a template
//! (kind) and status filter, a whitelisted sort (newest first unless
//! asked) and 共 N 条, cut by the store (`import_jobs`).

use super::jobs::Job;
use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::list::{ListQuery, Pager, Sorter, code_filter, query_string};
use jineng_domain::ImportJobStatus;
use jineng_ingest::templates::TEMPLATES;
use jineng_store::ImportJobQuery;

/// Jobs per page.
const PER: i64 = 20;

/// The sort codes: (code, newest-first by default).
const SORTS: [&str; 3] = ["started", "kind", "file"];

/// The list as the page shows it.
pub struct Listing {
    /// (job, status code, status label)
    pub rows: Vec<(Job, &'static str, &'static str)>,
    pub kind: String,
    pub status: String,
    pub statuses: Vec<(&'static str, &'static str)>,
    pub pager: Pager,
    pub sorter: Sorter,
}

fn status(job: &Job) -> (&'static str, &'static str) {
    (job.status().code(), job.status().as_zh())
}

/// One page of the account's uploads, filtered and sorted as asked.
pub async fn listing(state: &AppState, user: &User, f: &ListQuery) -> Result<Listing, AppError> {
    let template = |k: &str| TEMPLATES.iter().find(|t| t.kind == k).map(|t| t.kind);
    let kind = code_filter(&f.kind, "模板类型", template)?.unwrap_or("");
    let wanted = code_filter(&f.status, "导入状态", ImportJobStatus::from_code)?;
    let wanted_code = wanted.map_or("", |s| s.code());
    let known = |s: &str| SORTS.into_iter().find(|c| *c == s);
    let (sort, descending) = f.sorted(known, "started", |s| s == "started")?;
    let sorter = Sorter {
        path: "/imports",
        filters: query_string(&[("kind", kind), ("status", wanted_code)]),
        sort,
        descending,
    };
    let mut kind_order: Vec<(&str, &str)> = TEMPLATES.iter().map(|t| (t.title, t.kind)).collect();
    kind_order.sort();
    let mut q = ImportJobQuery {
        kind: kind.to_string(),
        status: wanted,
        sort: sort.to_string(),
        descending,
        kind_order: kind_order.into_iter().map(|(_, k)| k.to_string()).collect(),
        offset: 0,
        limit: PER,
    };
    let account = user.account.account_id;
    let (_, total) = state
        .store
        .import_jobs_of(
            account,
            &ImportJobQuery {
                limit: 0,
                ..q.clone()
            },
        )
        .await?;
    let pager = Pager::sorted(&sorter, total, f.page, PER);
    q.offset = pager.offset;
    let (found, _) = state.store.import_jobs_of(account, &q).await?;
    let rows = found
        .into_iter()
        .map(|r| {
            let live = state.imports.progress(r.job_id);
            let job = Job::of(r, live);
            let (code, zh) = status(&job);
            (job, code, zh)
        })
        .collect();
    Ok(Listing {
        rows,
        kind: kind.to_string(),
        status: wanted_code.to_string(),
        statuses: ImportJobStatus::ALL
            .into_iter()
            .map(|s| (s.code(), s.as_zh()))
            .collect(),
        pager,
        sorter,
    })
}
