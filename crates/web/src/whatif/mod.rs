//! 政策测算 (`/policy/whatif`): policy staff — the accounts that read the
//! standards evaluation — upload a draft (a full policy file or an
//! overlay, `docs/policy.md` "What-if") with an optional period; the POST
//! replays the base policy's decided claims under it (read-only but for
//! the run's audit row, as `jineng policy whatif`) and redirects to the
//! run's page (`/policy/whatif/{id}`): totals, flips, the cost against the
//! fund sources and the targets, the six breakdowns sortable with charts,
//! the changed claims paged with masked ID numbers, and the workbook
//! (`/policy/whatif/{id}/report.xlsx`, the CLI's `--out`).
//!
//! Scope: every claim is replayed, but the figures count only the claims
//! paid by a region inside the account's (a county officer's page is that
//! county's rows of the whole run). A refused draft shows the form again
//! with the message, which names the file, the line and the path.

mod run;
pub mod runs;
mod view;

pub use run::{Ask, MAX_DRAFT_KB, Refusal, clean_name, region_of, replay};

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::flash::FieldErrors;
use crate::list::{Pager, direction, opt};
use crate::views::{Nav, page};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use runs::Run;
use serde::Deserialize;
use std::sync::Arc;
use view::{BREAKDOWNS, Order, ResultPage, SORTS};

/// Changed claims per page.
const PER_PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "whatif_form.html")]
struct FormPage {
    nav: Option<Nav>,
    csrf: String,
    from: String,
    to: String,
    errors: FieldErrors,
    max_kb: usize,
    /// (href, when, draft, changed) of the account's runs.
    runs: Vec<(String, String, String, u64)>,
}

fn form_page(
    state: &AppState,
    user: &User,
    ask: &Ask,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    page(&FormPage {
        nav: Some(Nav::of(user)),
        csrf: user.csrf.clone(),
        from: ask.from.clone(),
        to: ask.to.clone(),
        errors,
        max_kb: MAX_DRAFT_KB,
        runs: state
            .whatif_runs
            .of(user.account.account_id)
            .iter()
            .map(|r| {
                (
                    format!("/policy/whatif/{}", r.id),
                    r.at.clone(),
                    r.draft_name.clone(),
                    r.report.changed,
                )
            })
            .collect(),
    })
}

/// `GET /policy/whatif`
pub async fn form(State(state): State<AppState>, user: User) -> Result<Response, AppError> {
    region_of(&user)?;
    form_page(&state, &user, &Ask::default(), FieldErrors::default())
}

fn unreadable(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::BadRequest(format!("草案文件超过 {MAX_DRAFT_KB} KB"))
    } else {
        AppError::BadRequest("上传的表单无法读取：表单格式不正确，请重新选择文件后提交".into())
    }
}

/// The form's fields: csrf, draft (a file), from, to.
async fn read_form(mut form: Multipart) -> Result<(String, Ask), AppError> {
    let (mut csrf, mut ask) = (String::new(), Ask::default());
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        match field.name().unwrap_or("") {
            "csrf" => csrf = field.text().await.map_err(unreadable)?,
            "from" => ask.from = field.text().await.map_err(unreadable)?,
            "to" => ask.to = field.text().await.map_err(unreadable)?,
            "draft" => {
                let name = run::clean_name(field.file_name().unwrap_or(""));
                let bytes = field.bytes().await.map_err(unreadable)?;
                if bytes.len() > MAX_DRAFT_KB * 1024 {
                    return Err(AppError::BadRequest(format!(
                        "草案文件超过 {MAX_DRAFT_KB} KB"
                    )));
                }
                ask.text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                    AppError::BadRequest("草案文件应为 UTF-8 编码的 TOML 文本".into())
                })?;
                ask.name = name;
            }
            _ => {}
        }
    }
    Ok((csrf, ask))
}

/// `POST /policy/whatif` (multipart): runs the draft, then shows its page.
pub async fn create(
    State(state): State<AppState>,
    user: User,
    form: Multipart,
) -> Result<Response, AppError> {
    region_of(&user)?;
    let (csrf, ask) = read_form(form).await?;
    user.check_csrf(&csrf)?;
    match replay(&state, &user, &ask, true).await {
        Ok(run) => {
            let run = state.whatif_runs.add(run);
            Ok(Redirect::to(&format!("/policy/whatif/{}", run.id)).into_response())
        }
        Err(Refusal::Other(e)) => Err(e),
        Err(r) => {
            let field = match r {
                Refusal::From(_) => "from",
                Refusal::To(_) => "to",
                _ => "draft",
            };
            form_page(&state, &user, &ask, FieldErrors::one(field, r.message()))
        }
    }
}

fn run_of(state: &AppState, user: &User, id: &str) -> Result<Arc<Run>, AppError> {
    region_of(user)?;
    id.parse::<u64>()
        .ok()
        .and_then(|id| state.whatif_runs.get(id, user.account.account_id))
        .ok_or_else(|| {
            AppError::NotFound(
                "没有这次测算：测算结果只保留在本次服务运行期间，请重新上传草案".into(),
            )
        })
}

#[derive(Debug, Default, Deserialize)]
pub struct ResultQuery {
    #[serde(default)]
    by: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    dir: String,
    #[serde(default)]
    page: String,
}

/// `GET /policy/whatif/{id}?by=&sort=&dir=&page=`
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Query(q): Query<ResultQuery>,
) -> Result<Response, AppError> {
    let run = run_of(&state, &user, &id)?;
    let by = opt(&q.by).unwrap_or("");
    if !by.is_empty() && !BREAKDOWNS.iter().any(|b| b.0 == by) {
        return Err(AppError::BadRequest(format!("未知的分组「{by}」")));
    }
    let sort = opt(&q.sort).unwrap_or("key");
    if !SORTS.iter().any(|s| s.0 == sort) {
        return Err(AppError::BadRequest(format!("未知的排序方式「{sort}」")));
    }
    let asked = match opt(&q.page) {
        None => None,
        Some(p) => Some(
            p.parse::<i64>()
                .map_err(|_| AppError::BadRequest(format!("页码「{p}」无效")))?,
        ),
    };
    let descending = direction(&q.dir)?.unwrap_or(false);
    let dir = if descending { "desc" } else { "asc" };
    // The pager's links are relative (`?…page=n`): they stay on this run.
    let keep = if by.is_empty() {
        String::new()
    } else {
        format!("by={by}&sort={sort}&dir={dir}&")
    };
    let pager = Pager::new("", keep, run.changed.len() as i64, asked, PER_PAGE);
    let order = Order {
        by: by.to_string(),
        sort: sort.to_string(),
        descending,
        page: pager.page,
    };
    let shown: Vec<String> = run
        .changed
        .iter()
        .skip(pager.offset as usize)
        .take(PER_PAGE as usize)
        .map(|c| c.claim_no.clone())
        .collect();
    let persons = state.store.whatif_persons(&shown).await?;
    page(&ResultPage::new(
        Nav::of(&user),
        run,
        &order,
        pager,
        &persons,
    ))
}

/// `GET /policy/whatif/{id}/report.xlsx`: the workbook `jineng policy
/// whatif --out` writes, for this run.
pub async fn xlsx(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let run = run_of(&state, &user, &id)?;
    let tables = jineng_report::whatif::tables(&run.report, &run.about, &run.changed);
    let bytes =
        jineng_report::xlsx::bytes(&tables).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::imports::download(
        bytes,
        "xlsx",
        &format!("政策测算{}.xlsx", run.id),
        &format!("whatif-{}.xlsx", run.id),
    ))
}
