//! `/api/v1` handlers: role check, scoped store call, DTO.

use super::ApiError;
use super::dto::*;
use super::params;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, Query, State};
use jineng_domain::access::{Action, Scope};
use serde::Deserialize;
use utoipa::IntoParams;

type ApiResult<T> = Result<Json<T>, ApiError>;

/// The most rows a list returns.
const LIMIT: i64 = 500;

#[utoipa::path(get, path = "/api/v1/me", tag = "账号",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(ApiUser(u): ApiUser) -> ApiResult<Me> {
    let scope = match u.scope() {
        Scope::Region(r) => format!("region:{}", r.as_str()),
        Scope::Institution(i) => format!("institution:{i}"),
        Scope::Person(p) => format!("person:{p}"),
        Scope::Enterprise(c) => format!("enterprise:{}", c.as_str()),
        Scope::Jurisdiction => "jurisdiction".into(),
    };
    Ok(Json(Me {
        login: u.account.login.clone(),
        display_name: u.account.display_name.clone(),
        role: u.role().code().to_string(),
        scope,
    }))
}

#[utoipa::path(get, path = "/api/v1/figures", tag = "概况",
    responses((status = 200, body = Figures), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn figures(State(s): State<AppState>, ApiUser(u): ApiUser) -> ApiResult<Figures> {
    u.require(Action::ViewFigures)?;
    Ok(Json(s.store.figures(u.scope()).await?.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    /// 姓名或身份证号码
    q: String,
}

#[utoipa::path(get, path = "/api/v1/persons", tag = "人员", params(PersonQuery),
    responses((status = 200, body = Vec<PersonHit>), (status = 403, body = ErrorBody), (status = 400, description = "参数格式不正确", body = ErrorBody), (status = 401, description = "访问令牌无效或缺失", body = ErrorBody)))]
pub async fn persons(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<PersonQuery>,
) -> ApiResult<Vec<PersonHit>> {
    u.require(Action::ViewPersons)?;
    let hits = s.store.search_persons(u.scope(), &q.q, 50).await?;
    Ok(Json(hits.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/persons/{id}", tag = "人员",
    params(("id" = i64, Path, description = "人员编号 person_id")),
    responses((status = 200, body = Archive), (status = 403, body = ErrorBody), (status = 400, description = "参数格式不正确", body = ErrorBody), (status = 401, description = "访问令牌无效或缺失", body = ErrorBody)))]
pub async fn person(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Archive> {
    if !(u.role().may(Action::ViewPersons) || u.scope() == &Scope::Person(id)) {
        return Err(AppError::forbidden().into());
    }
    let a = s
        .store
        .archive(u.scope(), id, &u.actor(), false)
        .await?
        .ok_or_else(|| AppError::Forbidden("该人员不存在或不在您的管理范围内".into()))?;
    let v = serde_json::to_value(a).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Json(Archive(v)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClaimsQuery {
    /// 申领状态；不填为全部
    #[param(value_type = Option<params::ClaimStatusCode>, inline)]
    status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/claims", tag = "补贴申领", params(ClaimsQuery),
    responses((status = 200, body = Vec<ClaimRow>)))]
pub async fn claims(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<ClaimsQuery>,
) -> ApiResult<Vec<ClaimRow>> {
    u.require(Action::ViewClaims)?;
    let wanted = q.status.as_deref();
    params::one_of("申领状态", wanted, &params::claim_statuses())?;
    let status = crate::claims::status_filter(wanted.unwrap_or(""))?;
    let rows = s.store.scoped_claims(u.scope(), status, LIMIT).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/claims/{no}", tag = "补贴申领",
    params(("no" = String, Path, description = "申领编号")),
    responses((status = 200, body = Claim), (status = 403, body = ErrorBody), (status = 401, description = "访问令牌无效或缺失", body = ErrorBody)))]
pub async fn claim(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(no): Path<String>,
) -> ApiResult<Claim> {
    u.require(Action::ViewClaims)?;
    let d = s.store.scoped_claim(u.scope(), &no).await?;
    let r = jineng_report::render_claim(&d, &s.store.policy_set().await?);
    Ok(Json(Claim {
        claim_no: d.claim_no,
        person_name: d.person_name,
        id_number: d.id_number,
        subsidy_type: d.subsidy_type,
        status: d.status.code().to_string(),
        outcome: d.outcome,
        amount_fen: d.amount_fen,
        header: r.header,
        trace: r.lines.iter().map(|l| l.trim().to_string()).collect(),
        conclusion: r.conclusion,
    }))
}

fn approval(s: jineng_store::DecideSummary) -> Approval {
    Approval {
        approved: s.approved,
        amount_fen: s.amount_fen,
        refused: Refusal::list(s.refused),
    }
}

#[utoipa::path(post, path = "/api/v1/claims/{no}/approve", tag = "补贴申领",
    params(("no" = String, Path, description = "申领编号")),
    request_body(content = Option<ApproveBody>, description = "可省略"),
    responses((status = 200, body = Approval), (status = 409, description = "申领当前的状态不允许核准", body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, description = "参数格式不正确", body = ErrorBody), (status = 401, description = "访问令牌无效或缺失", body = ErrorBody), (status = 415, description = "请求体须为 JSON", body = ErrorBody), (status = 422, description = "请求体的字段或类型不符", body = ErrorBody)))]
pub async fn approve(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(no): Path<String>,
    body: Option<Json<Option<ApproveBody>>>,
) -> ApiResult<Approval> {
    u.require(Action::DecideClaims)?;
    let body = body.and_then(|b| b.0).unwrap_or_default();
    let note = body
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let sum = s
        .store
        .approve(
            u.scope(),
            Some(&[no]),
            note,
            crate::claims::today(),
            &u.actor(),
        )
        .await
        .map_err(super::conflict)?;
    Ok(Json(approval(sum)))
}

#[utoipa::path(post, path = "/api/v1/claims/{no}/reject", tag = "补贴申领",
    params(("no" = String, Path, description = "申领编号")), request_body = RejectBody,
    responses((status = 200, body = Done), (status = 409, description = "申领当前的状态不允许驳回", body = ErrorBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 401, description = "访问令牌无效或缺失", body = ErrorBody), (status = 415, description = "请求体须为 JSON", body = ErrorBody), (status = 422, description = "请求体的字段或类型不符", body = ErrorBody)))]
pub async fn reject(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(no): Path<String>,
    Json(body): Json<RejectBody>,
) -> ApiResult<Done> {
    u.require(Action::DecideClaims)?;
    if params::blank(&body.reason) {
        return Err(AppError::BadRequest("请填写驳回理由".into()).into());
    }
    s.store
        .reject(u.scope(), &no, body.reason.trim(), &u.actor())
        .await
        .map_err(super::conflict)?;
    Ok(Json(Done { ok: true }))
}

#[utoipa::path(post, path = "/api/v1/claims/approve-clean", tag = "补贴申领",
    responses((status = 200, body = Approval), (status = 409, description = "记录当前的状态不允许核准", body = ErrorBody), (status = 403, body = ErrorBody), (status = 401, description = "访问令牌无效或缺失", body = ErrorBody)))]
pub async fn approve_clean(State(s): State<AppState>, ApiUser(u): ApiUser) -> ApiResult<Approval> {
    u.require(Action::DecideClaims)?;
    let sum = s
        .store
        .approve(
            u.scope(),
            None,
            Some("批量核准"),
            crate::claims::today(),
            &u.actor(),
        )
        .await
        .map_err(super::conflict)?;
    Ok(Json(approval(sum)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClassesQuery {
    /// registered (待审核) | approved (备案通过) | returned (已退回) | closing (申请结业) | closed (已结业)；不填为全部
    #[param(value_type = Option<params::ClassStatusCode>, inline)]
    status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/classes", tag = "培训班", params(ClassesQuery),
    responses((status = 200, body = Vec<ClassRow>)))]
pub async fn classes(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<ClassesQuery>,
) -> ApiResult<Vec<ClassRow>> {
    u.require(Action::ViewClasses)?;
    let wanted = q.status.as_deref();
    params::one_of("培训班状态", wanted, &params::class_statuses())?;
    let status = crate::classes::status_filter(wanted.unwrap_or(""))?;
    let rows = s.store.class_list(u.scope(), status, None, LIMIT).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/ledger", tag = "专账",
    responses((status = 200, body = Vec<FundLine>), (status = 403, body = ErrorBody), (status = 401, description = "访问令牌无效或缺失", body = ErrorBody)))]
pub async fn ledger(State(s): State<AppState>, ApiUser(u): ApiUser) -> ApiResult<Vec<FundLine>> {
    u.require(Action::ViewLedger)?;
    let lines = s.store.scoped_ledger(u.scope()).await?;
    Ok(Json(lines.into_iter().map(Into::into).collect()))
}
