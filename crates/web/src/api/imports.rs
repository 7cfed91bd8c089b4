//! `/api/v1/imports`: a machine client uploads a template file as the
//! request body. It runs in the background exactly as an upload through the
//! page does: the same pipeline, the token account's scope and login, all
//! rows checked and the good ones written per chunk. Then the client polls
//! its status and report. Only the account that uploaded sees the job.

use super::ApiError;
use super::dto::ErrorBody;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::imports::jobs::Job;
use crate::imports::{clean_file_name, job_of, start, status_of};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use jineng_domain::access::Action;
use jineng_ingest::templates::template;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// 模板类型
    #[param(value_type = super::params::TemplateKind, inline)]
    kind: String,
    /// 文件名（.csv 或 .xlsx，至多 60 个字符，不含路径和控制字符），决定按何种格式读取
    #[param(
        max_length = 60,
        pattern = r"^[^/\\.\s\x00-\x1f\x7f][^/\\\x00-\x1f\x7f]*\.([cC][sS][vV]|[xX][lL][sS][xX])$"
    )]
    file_name: String,
    /// true：只校验，不写入
    #[serde(default)]
    dry_run: bool,
}

/// The most characters of a file name (255 bytes in UTF-8 at worst).
const FILE_NAME_CHARS: usize = 60;

/// Refuses a file name the document's pattern refuses.
fn check_file_name(name: &str) -> Result<(), AppError> {
    let (stem, ext) = name.rsplit_once('.').unwrap_or(("", ""));
    let bad_char = |c: char| c == '/' || c == '\\' || c.is_ascii_control();
    let ok = name.chars().count() <= FILE_NAME_CHARS
        && !stem.is_empty()
        && !stem.starts_with(|c: char| c == '.' || c.is_whitespace())
        && !stem.chars().any(bad_char)
        && (ext.eq_ignore_ascii_case("csv") || ext.eq_ignore_ascii_case("xlsx"));
    if ok {
        Ok(())
    } else {
        Err(AppError::BadRequest(format!(
            "文件名「{}」无效：应为不含路径、至多 {FILE_NAME_CHARS} 个字符的 .csv 或 .xlsx 文件名",
            name.escape_debug()
        )))
    }
}

#[derive(Serialize, ToSchema)]
pub struct ImportRowError {
    /// 行号（表头为第 1 行）
    pub row: u64,
    pub column: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportStatus {
    pub id: u64,
    pub kind: String,
    pub file_name: String,
    pub dry_run: bool,
    /// running | done | failed | stopped (the server stopped or died before the end; kept after a restart)
    pub status: String,
    /// Rows read so far, of `rows_total` (0 until counted).
    pub rows_done: u64,
    pub rows_total: u64,
    /// Why the file could not be imported at all (header, format), or why it stopped.
    pub failed: Option<String>,
    pub accepted: u64,
    pub rejected: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Every rejected row's problems (the first 10,000).
    pub errors: Vec<ImportRowError>,
    pub errors_truncated: bool,
    pub warnings: Vec<String>,
}

fn status(job: &Job) -> ImportStatus {
    let s = status_of(job, usize::MAX);
    ImportStatus {
        id: u64::try_from(job.id).unwrap_or(0),
        kind: job.kind.to_string(),
        file_name: job.file_name.clone(),
        dry_run: job.dry_run,
        status: job.status().code().to_string(),
        rows_done: s.done,
        rows_total: s.total,
        failed: s.failed.or(s.stopped),
        accepted: s.accepted,
        rejected: s.rejected,
        inserted: s.inserted,
        updated: s.updated,
        unchanged: s.unchanged,
        errors: s
            .errors
            .into_iter()
            .map(|e| ImportRowError {
                row: e.row,
                column: e.column,
                message: e.message,
            })
            .collect(),
        errors_truncated: s.errors_truncated,
        warnings: s.warnings,
    }
}

#[utoipa::path(post, path = "/api/v1/imports", tag = "导入", params(UploadQuery),
    request_body(content = Vec<u8>, description = "模板文件本身（.csv 或 .xlsx），不能为空", content_type = "application/octet-stream"),
    responses((status = 202, description = "已开始导入；用 GET /api/v1/imports/{id} 查询进度和结果", body = ImportStatus), (status = 400, description = "模板类型或文件名不正确，或文件为空", body = ErrorBody), (status = 413, description = "文件超过上传上限", body = ErrorBody)))]
pub async fn upload(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportStatus>), ApiError> {
    u.require(Action::Import)?;
    // Exactly one of the document's kinds: no trimming.
    let spec = template(&q.kind)
        .ok_or_else(|| AppError::BadRequest(format!("「{}」不是可导入的模板类型", q.kind)))?;
    // The upload's own checks first (length in bytes, control characters),
    // with their messages; then the document's pattern.
    let file_name = clean_file_name(&q.file_name)?;
    check_file_name(&q.file_name)?;
    if body.is_empty() {
        return Err(AppError::BadRequest("请求体为空：应为模板文件本身".into()).into());
    }
    let io = |e: std::io::Error| AppError::Internal(e.to_string());
    let dir = s.uploads.job_dir().map_err(io)?;
    crate::imports::storage::create_private(&dir.path().join(&file_name))
        .and_then(|mut f| std::io::Write::write_all(&mut f, &body))
        .map_err(io)?;
    let id = start(&s, &u, spec, file_name, q.dry_run, dir).await?;
    let job = job_of(&s, &u, &id.to_string()).await?;
    Ok((StatusCode::ACCEPTED, Json(status(&job))))
}

#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "导入",
    params(("id" = u64, Path, description = "导入任务编号")),
    responses((status = 200, body = ImportStatus), (status = 403, body = ErrorBody), (status = 400, description = "参数格式不正确", body = ErrorBody), (status = 401, description = "访问令牌无效或缺失", body = ErrorBody)))]
pub async fn show(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<ImportStatus>, ApiError> {
    let job = job_of(&s, &u, &id).await?;
    Ok(Json(status(&job)))
}
