//! `/api/v1/supervision`: the case queue (paged), one case, closing a
//! case (officers), the credit ratings and the 双随机 draws — the same
//! roles, scope rule and store calls as the 监管 pages.

use super::ApiError;
use super::dto::ErrorBody;
use super::supervision_dto::*;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::supervision::{CasesForm, paging, year_filter};
use axum::Json;
use axum::extract::{Path, Query, State};
use jineng_domain::access::Action;
use jineng_domain::supervision::case::Finding;
use serde::Deserialize;
use utoipa::IntoParams;

type ApiResult<T> = Result<Json<T>, ApiError>;

/// The most cases a page returns.
const MAX_PER_PAGE: i64 = 500;

#[derive(Deserialize, IntoParams)]
pub struct CasesQuery {
    /// open（待核查）| closed_true（属实）| closed_not_true（不属实）
    #[serde(default)]
    status: String,
    /// S1 … S10
    #[serde(default)]
    check: String,
    /// 高 | 中 | 低
    #[serde(default)]
    severity: String,
    /// 行政区划代码, inside the token's scope
    #[serde(default)]
    region: String,
    /// Part of a case number
    #[serde(default)]
    q: String,
    /// opened（默认）| case_no | check | severity | status
    #[serde(default)]
    sort: String,
    /// asc | desc
    #[serde(default)]
    dir: String,
    /// From 1
    #[serde(default)]
    page: Option<i64>,
    /// 1–500, default 50
    #[serde(default)]
    per_page: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/supervision/cases", tag = "监管", params(CasesQuery),
    responses((status = 200, body = CasePage), (status = 400, description = "参数格式不正确", body = ErrorBody), (status = 403, body = ErrorBody), (status = 401, description = "访问令牌无效或缺失", body = ErrorBody)))]
pub async fn cases(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<CasesQuery>,
) -> ApiResult<CasePage> {
    u.require(Action::ViewSupervision)?;
    let per = q.per_page.unwrap_or(crate::supervision::PAGE);
    if !(1..=MAX_PER_PAGE).contains(&per) {
        return Err(AppError::BadRequest(format!("per_page 应在 1 到 {MAX_PER_PAGE} 之间")).into());
    }
    let form = CasesForm {
        status: q.status,
        check: q.check,
        severity: q.severity,
        region: q.region,
        q: q.q,
        sort: q.sort,
        dir: q.dir,
        page: q.page,
    };
    let query = form.query(u.scope())?;
    let total = s.store.scoped_case_count(u.scope(), &query).await?;
    let (page, _, offset) = paging(total, q.page, per);
    let items = s.store.scoped_cases(u.scope(), &query, offset, per).await?;
    Ok(Json(CasePage {
        total,
        page,
        per_page: per,
        items: items.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/supervision/cases/{case_no}", tag = "监管",
    params(("case_no" = String, Path, description = "线索编号，如 XS-2024-0001")),
    responses((status = 200, body = CaseInfo), (status = 403, description = "不存在或不在管理范围内", body = ErrorBody), (status = 401, description = "访问令牌无效或缺失", body = ErrorBody)))]
pub async fn case(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(case_no): Path<String>,
) -> ApiResult<CaseInfo> {
    u.require(Action::ViewSupervision)?;
    Ok(Json(s.store.scoped_case(u.scope(), &case_no).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/supervision/cases/{case_no}/close", tag = "监管",
    params(("case_no" = String, Path, description = "线索编号")), request_body = CloseCaseBody,
    responses((status = 200, description = "结案后的线索", body = CaseInfo), (status = 400, description = "结论不是属实或不属实、缺少核查说明，或线索已结案", body = ErrorBody), (status = 403, description = "无权结案、不在管理范围内，或涉及管理范围以外的记录", body = ErrorBody), (status = 401, description = "访问令牌无效或缺失", body = ErrorBody), (status = 415, description = "请求体须为 JSON", body = ErrorBody), (status = 422, description = "请求体的字段或类型不符", body = ErrorBody)))]
pub async fn close(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(case_no): Path<String>,
    Json(body): Json<CloseCaseBody>,
) -> ApiResult<CaseInfo> {
    u.require(Action::CloseCases)?;
    let finding = Finding::parse(&body.finding).ok_or_else(|| {
        AppError::BadRequest(format!(
            "核查结论「{}」应为 属实 或 不属实",
            body.finding.trim()
        ))
    })?;
    if body.note.trim().is_empty() {
        return Err(AppError::BadRequest("请填写核查说明".into()).into());
    }
    s.store
        .scoped_close_case(
            u.scope(),
            &case_no,
            finding,
            body.note.trim(),
            body.revoke_certs,
            &u.actor(),
        )
        .await?;
    Ok(Json(s.store.scoped_case(u.scope(), &case_no).await?.into()))
}

#[derive(Deserialize, IntoParams)]
pub struct RatingsQuery {
    /// 年度; every year when empty
    #[serde(default)]
    year: String,
}

#[utoipa::path(get, path = "/api/v1/supervision/ratings", tag = "监管", params(RatingsQuery),
    responses((status = 200, body = Vec<RatingInfo>), (status = 400, description = "参数格式不正确", body = ErrorBody), (status = 403, body = ErrorBody), (status = 401, description = "访问令牌无效或缺失", body = ErrorBody)))]
pub async fn ratings(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<RatingsQuery>,
) -> ApiResult<Vec<RatingInfo>> {
    u.require(Action::ViewSupervision)?;
    let year = year_filter(&q.year)?;
    let n = s.store.rating_count(year).await?;
    let rows = s.store.published_ratings(year, 0, n).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/supervision/draws", tag = "监管",
    responses((status = 200, body = Vec<DrawInfo>), (status = 403, body = ErrorBody), (status = 401, description = "访问令牌无效或缺失", body = ErrorBody)))]
pub async fn draws(State(s): State<AppState>, ApiUser(u): ApiUser) -> ApiResult<Vec<DrawInfo>> {
    u.require(Action::ViewSupervision)?;
    let n = s.store.draw_count().await?;
    let rows = s.store.published_draws(0, n).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}
