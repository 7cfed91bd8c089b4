//! Uploads of the import templates (导入): the form, the upload, a status
//! page that polls its progress fragment with htmx, the error reports
//! (.xlsx and .csv, as `jineng import --errors` writes them) and the blank
//! templates. The import itself is `jineng_ingest`'s pipeline, the one the
//! command line runs, with the account's scope (rows outside it are
//! rejected in the pipeline) and the account's login as audit actor.

pub mod jobs;
mod list;
mod run;
pub mod storage;

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::views::{Nav, page};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use jineng_domain::ImportJobStatus;
use jineng_domain::access::Action;
use jineng_ingest::report::RowError;
use jineng_ingest::templates::{TEMPLATES, TemplateSpec, template};
use jineng_store::NewImportJob;
use jobs::Job;
use std::io::Write;

/// The largest upload accepted (the router's `DefaultBodyLimit`).
pub const MAX_UPLOAD_MB: usize = 64;
/// Rejected rows listed on the status page, each with all its errors;
/// the reports hold every row.
const SHOWN_ROWS: usize = 20;

#[derive(Template)]
#[template(path = "imports.html")]
struct FormPage {
    nav: Option<Nav>,
    csrf: String,
    kinds: Vec<(&'static str, &'static str)>,
    max_mb: usize,
    l: list::Listing,
}

/// `GET /imports?kind=&status=&sort=&dir=&page=`
pub async fn form(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<crate::list::ListQuery>,
) -> Result<Response, AppError> {
    user.require(Action::Import)?;
    let l = list::listing(&state, &user, &q).await?;
    page(&FormPage {
        nav: Some(Nav::of(&user)),
        csrf: user.csrf.clone(),
        kinds: TEMPLATES.iter().map(|t| (t.kind, t.title)).collect(),
        max_mb: MAX_UPLOAD_MB,
        l,
    })
}

/// The longest file name accepted, in bytes (what file systems store).
const MAX_NAME_BYTES: usize = 255;

/// The file name as the user sent it, without any directory part.
pub(crate) fn clean_file_name(raw: &str) -> Result<String, AppError> {
    let name = raw.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if name.chars().any(char::is_control) {
        return Err(AppError::BadRequest(
            "文件名中含有不可见的控制字符，请重命名文件后重新上传".into(),
        ));
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(AppError::BadRequest(format!(
            "文件名过长（{} 字节，最多 {MAX_NAME_BYTES} 字节，约 85 个汉字），请改短后重新上传",
            name.len()
        )));
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if name.is_empty() || name.starts_with('.') {
        return Err(AppError::BadRequest("请选择要上传的文件".into()));
    }
    if ext != "xlsx" && ext != "csv" {
        return Err(AppError::BadRequest(format!(
            "不支持文件「{name}」的格式：请上传 .xlsx 或 .csv 文件（旧版 .xls 请先在 Excel 中另存为 .xlsx）"
        )));
    }
    Ok(name.to_string())
}

fn too_large(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::BadRequest(format!(
            "上传的文件超过 {MAX_UPLOAD_MB} MB，请拆分成几个文件后分别上传"
        ))
    } else {
        // The parser's own text is English; the usual cause in practice is
        // a file name the header cannot carry (a control character).
        let _ = e;
        AppError::BadRequest(
            "上传的表单无法读取：表单格式不正确（例如文件名中含有不可见的控制字符），请重命名文件后重新上传"
                .into(),
        )
    }
}

/// `POST /imports` (multipart: csrf, kind, dry_run, file)
pub async fn create(
    State(state): State<AppState>,
    user: User,
    mut form: Multipart,
) -> Result<Response, AppError> {
    user.require(Action::Import)?;
    let dir = state
        .uploads
        .job_dir()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let (mut csrf, mut kind, mut dry_run, mut file_name) = (None, None, false, None);
    while let Some(mut field) = form.next_field().await.map_err(too_large)? {
        match field.name().unwrap_or("") {
            "csrf" => csrf = Some(field.text().await.map_err(too_large)?),
            "kind" => kind = Some(field.text().await.map_err(too_large)?),
            "dry_run" => dry_run = !field.text().await.map_err(too_large)?.is_empty(),
            "file" => {
                let name = clean_file_name(field.file_name().unwrap_or(""))?;
                let path = dir.path().join(&name);
                let io = |e: std::io::Error| AppError::Internal(e.to_string());
                let mut out = storage::create_private(&path).map_err(io)?;
                while let Some(chunk) = field.chunk().await.map_err(too_large)? {
                    out.write_all(&chunk).map_err(io)?;
                }
                file_name = Some(name);
            }
            _ => {}
        }
    }
    user.check_csrf(csrf.as_deref().unwrap_or(""))?;
    let kind = kind.unwrap_or_default();
    let spec: &'static TemplateSpec = template(kind.trim()).ok_or_else(|| {
        AppError::BadRequest(format!("请选择模板类型（「{kind}」不是可导入的模板）"))
    })?;
    let file_name = file_name.ok_or_else(|| AppError::BadRequest("请选择要上传的文件".into()))?;
    let id = start(&state, &user, spec, file_name, dry_run, dir).await?;
    Ok(Redirect::to(&format!("/imports/{id}")).into_response())
}

/// Registers the upload in `dir` as the account's job and starts it;
/// returns the job's id.
pub(crate) async fn start(
    state: &AppState,
    user: &User,
    spec: &'static TemplateSpec,
    file_name: String,
    dry_run: bool,
    dir: tempfile::TempDir,
) -> Result<i64, AppError> {
    let job_id = state
        .store
        .create_import_job(&NewImportJob {
            account_id: user.account.account_id,
            scope: user.scope(),
            kind: spec.kind,
            file_name: &file_name,
            dry_run,
        })
        .await?;
    let up = run::Upload {
        job_id,
        kind: spec.kind,
        title: spec.title,
        file_name,
        dry_run,
        dir,
    };
    run::start(state, up, user);
    Ok(job_id)
}

/// What the status page, its fragment and the API show.
pub(crate) struct Status {
    pub id: i64,
    pub running: bool,
    pub done: u64,
    pub total: u64,
    pub failed: Option<String>,
    /// Why the job stopped before its end (the server stopped or died).
    pub stopped: Option<String>,
    pub accepted: u64,
    pub rejected: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// The report's errors (all of them for the API).
    pub errors: Vec<RowError>,
    /// The first `shown` rejected rows, each with every error it has.
    pub rows: Vec<RejectedRow>,
    /// Rejected rows beyond those (the report files hold all).
    pub more_rows: u64,
    /// The report listed only its first errors (the files hold all).
    pub errors_truncated: bool,
    pub warnings: Vec<String>,
}

/// One rejected row and all its errors.
pub(crate) struct RejectedRow {
    pub row: u64,
    pub errors: Vec<RowError>,
}

impl Status {
    /// Every row was rejected: nothing was (or would be) written.
    pub fn all_rejected(&self) -> bool {
        self.accepted == 0 && self.rejected > 0
    }
}

/// A job's status, listing at most `shown` of its rejected rows.
pub(crate) fn status_of(job: &Job, shown: usize) -> Status {
    let r = &job.row;
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    let mut s = Status {
        id: job.id,
        running: job.status() == ImportJobStatus::Running,
        done: job.done,
        total: job.total,
        failed: None,
        stopped: None,
        accepted: 0,
        rejected: 0,
        inserted: 0,
        updated: 0,
        unchanged: 0,
        errors: Vec::new(),
        rows: Vec::new(),
        more_rows: 0,
        errors_truncated: false,
        warnings: Vec::new(),
    };
    match job.status() {
        ImportJobStatus::Running => {}
        ImportJobStatus::Failed => s.failed = Some(r.failure.clone().unwrap_or_default()),
        ImportJobStatus::Stopped => s.stopped = Some(r.note.clone().unwrap_or_default()),
        ImportJobStatus::Done => {
            s.accepted = count(r.accepted);
            s.rejected = count(r.rejected);
            s.inserted = count(r.inserted);
            s.updated = count(r.updated);
            s.unchanged = count(r.unchanged);
            s.errors = serde_json::from_str(&r.errors).unwrap_or_default();
            for e in &s.errors {
                let full = s.rows.len() == shown;
                match s.rows.last_mut() {
                    Some(last) if last.row == e.row => last.errors.push(e.clone()),
                    _ if full => break,
                    _ => s.rows.push(RejectedRow {
                        row: e.row,
                        errors: vec![e.clone()],
                    }),
                }
            }
            s.more_rows = s.rejected.saturating_sub(s.rows.len() as u64);
            s.errors_truncated = r.errors_truncated;
            s.warnings = serde_json::from_str(&r.warnings).unwrap_or_default();
        }
    }
    s
}

#[derive(Template)]
#[template(path = "import_status.html")]
struct StatusPage {
    nav: Option<Nav>,
    job: Job,
    s: Status,
}

#[derive(Template)]
#[template(path = "import_progress.html")]
struct ProgressFragment {
    s: Status,
}

/// The job `id` if the account uploaded it.
pub(crate) async fn job_of(state: &AppState, user: &User, id: &str) -> Result<Job, AppError> {
    user.require(Action::Import)?;
    let missing = || AppError::Forbidden("该导入任务不存在或不在您的管理范围内".into());
    let id: i64 = id.parse().map_err(|_| missing())?;
    let row = state
        .store
        .import_job(id, user.account.account_id)
        .await?
        .ok_or_else(missing)?;
    Ok(Job::of(row, state.imports.progress(id)))
}

/// `GET /imports/{id}`
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let job = job_of(&state, &user, &id).await?;
    let s = status_of(&job, SHOWN_ROWS);
    page(&StatusPage {
        nav: Some(Nav::of(&user)),
        job,
        s,
    })
}

/// `GET /imports/{id}/progress`: the fragment htmx swaps in every second
/// while the job runs (the finished fragment stops polling).
pub async fn progress(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let job = job_of(&state, &user, &id).await?;
    Ok(Html(
        ProgressFragment {
            s: status_of(&job, SHOWN_ROWS),
        }
        .render()?,
    )
    .into_response())
}

/// `attachment` with the Chinese file name (RFC 5987) and an ASCII fallback.
fn attachment(name: &str, fallback: &str) -> String {
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

pub(crate) fn download(bytes: Vec<u8>, ext: &str, name: &str, fallback: &str) -> Response {
    let kind = match ext {
        "csv" => "text/csv; charset=utf-8",
        "pdf" => "application/pdf",
        "json" => "application/json",
        _ => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_DISPOSITION, attachment(name, fallback)),
        ],
        bytes,
    )
        .into_response()
}

async fn errors(state: AppState, user: User, id: String, ext: &str) -> Result<Response, AppError> {
    let job = job_of(&state, &user, &id).await?;
    if job.status() != ImportJobStatus::Done {
        return Err(AppError::BadRequest(
            "导入尚未完成，错误报告还未生成".into(),
        ));
    }
    let bytes = state
        .store
        .import_job_report(job.id, user.account.account_id, ext)
        .await?
        .ok_or_else(|| AppError::NotFound("该导入没有错误报告".into()))?;
    let stem = job
        .file_name
        .rsplit_once('.')
        .map_or(&*job.file_name, |(s, _)| s);
    let name = format!("{stem}-错误报告.{ext}");
    Ok(download(bytes, ext, &name, &format!("errors.{ext}")))
}

/// `GET /imports/{id}/errors.xlsx`
pub async fn errors_xlsx(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    errors(state, user, id, "xlsx").await
}

/// `GET /imports/{id}/errors.csv`
pub async fn errors_csv(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    errors(state, user, id, "csv").await
}

/// `GET /templates/{kind}.xlsx`: the blank template, as `jineng template`
/// writes it, for those who upload or file classes.
pub async fn blank_template(user: User, Path(file): Path<String>) -> Result<Response, AppError> {
    if !user.role().may(Action::Import) && !user.role().may(Action::FileClasses) {
        return Err(AppError::forbidden());
    }
    let spec = file
        .strip_suffix(".xlsx")
        .and_then(template)
        .ok_or_else(|| AppError::NotFound("没有这个模板".into()))?;
    let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.to_string()))?;
    let path = dir.path().join("template.xlsx");
    jineng_ingest::template_file::write_template(spec, &path)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let bytes = std::fs::read(&path).map_err(|e| AppError::Internal(e.to_string()))?;
    let name = format!("{}模板.xlsx", spec.title);
    Ok(download(
        bytes,
        "xlsx",
        &name,
        &format!("{}.xlsx", spec.kind),
    ))
}
