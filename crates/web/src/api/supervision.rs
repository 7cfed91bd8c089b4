//! `/api/v1/supervision`: the case queue (paged), one case, closing a
//! case (officers), the credit ratings and the 双随机 draws — the same
//! roles, scope rule and store calls as the 监管 pages.

use super::ApiError;
use super::dto::ErrorBody;
use super::params;
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
#[into_params(parameter_in = Query)]
pub struct CasesQuery {
    /// open（待核查）| closed_true（属实）| closed_not_true（不属实）
    #[param(value_type = Option<params::CaseStatusCode>, inline)]
    status: Option<String>,
    /// 核查项
    #[param(value_type = Option<params::CheckCode>, inline)]
    check: Option<String>,
    /// 风险等级
    #[param(value_type = Option<params::SeverityCode>, inline)]
    severity: Option<String>,
    /// 行政区划代码, inside the token's scope
    #[param(pattern = "^[1-9][0-9]{5}$")]
    region: Option<String>,
    /// Part of a case number
    q: Option<String>,
    /// 排序（默认 opened，立案时间）
    #[param(value_type = Option<params::CaseSortCode>, inline)]
    sort: Option<String>,
    /// 排序方向（立案时间默认 desc，其余默认 asc）
    #[param(value_type = Option<params::DirectionCode>, inline)]
    dir: Option<String>,
    /// 页码，从 1 起；超出范围时取最近的一页
    page: Option<i64>,
    /// 每页条数，默认 50
    #[param(minimum = 1, maximum = 500)]
    per_page: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/supervision/cases", tag = "监管", params(CasesQuery),
    responses((status = 200, body = CasePage), (status = 403, description = "无权查看，或地区不在管理范围内", body = ErrorBody)))]
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
    params::one_of("线索状态", q.status.as_deref(), &params::case_statuses())?;
    params::one_of("核查项", q.check.as_deref(), &params::checks())?;
    params::one_of("风险等级", q.severity.as_deref(), &params::SEVERITIES)?;
    params::check_region(q.region.as_deref(), false)?;
    params::one_of("排序方式", q.sort.as_deref(), &params::case_sorts())?;
    params::one_of("排序方向", q.dir.as_deref(), &params::DIRECTIONS)?;
    let form = CasesForm {
        status: q.status.unwrap_or_default(),
        check: q.check.unwrap_or_default(),
        severity: q.severity.unwrap_or_default(),
        region: q.region.unwrap_or_default(),
        q: q.q.unwrap_or_default(),
        sort: q.sort.unwrap_or_default(),
        dir: q.dir.unwrap_or_default(),
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
    responses((status = 200, description = "结案后的线索", body = CaseInfo), (status = 400, description = "结论不是属实或不属实，或缺少核查说明", body = ErrorBody), (status = 403, description = "无权结案、不在管理范围内，或涉及管理范围以外的记录", body = ErrorBody), (status = 409, description = "线索已结案", body = ErrorBody)))]
pub async fn close(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(case_no): Path<String>,
    Json(body): Json<CloseCaseBody>,
) -> ApiResult<CaseInfo> {
    u.require(Action::CloseCases)?;
    params::one_of("核查结论", Some(&body.finding), &params::FINDINGS)?;
    let finding = Finding::parse(&body.finding).ok_or_else(|| {
        AppError::BadRequest(format!(
            "核查结论「{}」应为 属实 或 不属实",
            body.finding.trim()
        ))
    })?;
    if params::blank(&body.note) {
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
        .await
        .map_err(super::conflict)?;
    Ok(Json(s.store.scoped_case(u.scope(), &case_no).await?.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RatingsQuery {
    /// 年度；不填为全部年度
    #[param(minimum = 1900, maximum = 2999)]
    year: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/supervision/ratings", tag = "监管", params(RatingsQuery),
    responses((status = 200, body = Vec<RatingInfo>), (status = 400, description = "参数格式不正确", body = ErrorBody), (status = 403, body = ErrorBody), (status = 401, description = "访问令牌无效或缺失", body = ErrorBody)))]
pub async fn ratings(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<RatingsQuery>,
) -> ApiResult<Vec<RatingInfo>> {
    u.require(Action::ViewSupervision)?;
    let year = year_filter(&q.year.map(|y| y.to_string()).unwrap_or_default())?;
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
