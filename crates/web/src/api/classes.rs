//! `/api/v1/classes/{id}`: one class in scope with its status history and
//! roster counts (no trainee list: the API carries no ID numbers here);
//! `POST /api/v1/classes/{id}/{step}`: its review steps (备案通过, 退回,
//! 申请结业, 结业), the same store call as the pages' buttons.

use super::ApiError;
use super::dto::ErrorBody;
use crate::AppState;
use crate::auth::ApiUser;
use crate::classes::class_id;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, State};
use jineng_domain::ClassStep;
use jineng_domain::access::Action;
use jineng_store::ClassDetail;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ClassEvent {
    pub from_status: String,
    pub to_status: String,
    pub actor: String,
    pub at: String,
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ClassInfo {
    pub class_id: i64,
    pub class_no: String,
    pub institution: String,
    pub credit_code: String,
    pub training_type: String,
    pub occupation_code: String,
    pub occupation_name: String,
    pub skill_level: Option<i64>,
    pub site_code: String,
    pub site_region: String,
    pub start_date: String,
    pub end_date: String,
    pub planned_hours: i64,
    /// registered (待审核) | approved (备案通过) | returned (已退回) |
    /// closing (申请结业) | closed (已结业)
    pub status: String,
    pub enrolled: i64,
    pub passed: i64,
    pub failed: i64,
    pub not_finished: i64,
    pub history: Vec<ClassEvent>,
}

#[utoipa::path(get, path = "/api/v1/classes/{id}", tag = "培训班",
    params(("id" = i64, Path, description = "培训班 ID")),
    responses((status = 200, body = ClassInfo), (status = 403, body = ErrorBody), (status = 400, description = "参数格式不正确", body = ErrorBody), (status = 401, description = "访问令牌无效或缺失", body = ErrorBody)))]
pub async fn class(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<ClassInfo>, ApiError> {
    u.require(Action::ViewClasses)?;
    let id = class_id(&id)?;
    Ok(Json(info(s.store.class_detail(u.scope(), id).await?)))
}

fn info(d: ClassDetail) -> ClassInfo {
    ClassInfo {
        class_id: d.class_id,
        class_no: d.class_no,
        institution: d.institution,
        credit_code: d.credit_code,
        training_type: d.training_type,
        occupation_code: d.occupation_code,
        occupation_name: d.occupation_name,
        skill_level: d.skill_level,
        site_code: d.site_code,
        site_region: d.site_region,
        start_date: d.start_date.to_string(),
        end_date: d.end_date.to_string(),
        planned_hours: d.planned_hours,
        status: d.status.code().to_string(),
        enrolled: d.enrolled,
        passed: d.passed,
        failed: d.failed,
        not_finished: d.not_finished,
        history: d
            .history
            .into_iter()
            .map(|e| ClassEvent {
                from_status: e.from_status.map_or("", |s| s.code()).to_string(),
                to_status: e.to_status.code().to_string(),
                actor: e.actor,
                at: e.at.to_string(),
                reason: e.reason,
            })
            .collect(),
    }
}

#[derive(Deserialize, ToSchema, Default)]
pub struct StepBody {
    /// 备注（可不填）
    #[serde(default)]
    pub reason: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ReturnBody {
    // Read as empty when missing, so that the answer names what is
    // missing (400) rather than a bare 422.
    /// 退回原因（不能为空白）
    #[serde(default)]
    #[schema(required = true, min_length = 1, pattern = r"[^\s\x1c-\x1f]")]
    pub reason: String,
}

async fn step(
    s: AppState,
    u: crate::auth::User,
    id: String,
    step: ClassStep,
    reason: &str,
) -> Result<Json<ClassInfo>, ApiError> {
    u.require(match step {
        ClassStep::RequestClose => Action::FileClasses,
        _ => Action::ReviewClasses,
    })?;
    let id = class_id(&id)?;
    let today = chrono::Local::now().date_naive();
    s.store
        .class_step(u.scope(), id, step, Some(reason), today, &u.actor())
        .await
        .map_err(super::conflict)?;
    Ok(Json(info(s.store.class_detail(u.scope(), id).await?)))
}

/// A step whose reason may be left out, or the whole body.
async fn optional_step(
    s: AppState,
    u: crate::auth::User,
    id: String,
    to: ClassStep,
    body: Option<Json<Option<StepBody>>>,
) -> Result<Json<ClassInfo>, ApiError> {
    let body = body.and_then(|b| b.0).unwrap_or_default();
    step(s, u, id, to, &body.reason).await
}

#[utoipa::path(post, path = "/api/v1/classes/{id}/approve", tag = "培训班", operation_id = "class_approve",
    params(("id" = i64, Path, description = "培训班 ID")),
    request_body(content = Option<StepBody>, description = "可省略"),
    responses((status = 200, description = "备案通过后的培训班", body = ClassInfo), (status = 409, description = "培训班当前的状态不允许备案通过", body = ErrorBody)))]
pub async fn approve(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    body: Option<Json<Option<StepBody>>>,
) -> Result<Json<ClassInfo>, ApiError> {
    optional_step(s, u, id, ClassStep::Approve, body).await
}

#[utoipa::path(post, path = "/api/v1/classes/{id}/return", tag = "培训班", operation_id = "class_return",
    params(("id" = i64, Path, description = "培训班 ID")), request_body = ReturnBody,
    responses((status = 200, description = "退回后的培训班", body = ClassInfo), (status = 400, description = "缺少退回原因", body = ErrorBody), (status = 409, description = "培训班当前的状态不允许退回", body = ErrorBody)))]
pub async fn give_back(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Json(body): Json<ReturnBody>,
) -> Result<Json<ClassInfo>, ApiError> {
    if super::params::blank(&body.reason) {
        return Err(AppError::BadRequest("请填写退回原因".into()).into());
    }
    step(s, u, id, ClassStep::Return, body.reason.trim()).await
}

#[utoipa::path(post, path = "/api/v1/classes/{id}/request-close", tag = "培训班", operation_id = "class_request_close",
    params(("id" = i64, Path, description = "培训班 ID")),
    request_body(content = Option<StepBody>, description = "可省略"),
    responses((status = 200, description = "申请结业后的培训班（培训机构）", body = ClassInfo), (status = 409, description = "培训班当前的状态不允许申请结业", body = ErrorBody)))]
pub async fn request_close(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    body: Option<Json<Option<StepBody>>>,
) -> Result<Json<ClassInfo>, ApiError> {
    optional_step(s, u, id, ClassStep::RequestClose, body).await
}

#[utoipa::path(post, path = "/api/v1/classes/{id}/close", tag = "培训班", operation_id = "class_close",
    params(("id" = i64, Path, description = "培训班 ID")),
    request_body(content = Option<StepBody>, description = "可省略"),
    responses((status = 200, description = "结业后的培训班", body = ClassInfo), (status = 409, description = "培训班当前的状态不允许结业（如尚有学员没有结果）", body = ErrorBody)))]
pub async fn close(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    body: Option<Json<Option<StepBody>>>,
) -> Result<Json<ClassInfo>, ApiError> {
    optional_step(s, u, id, ClassStep::Close, body).await
}
