//! `GET /api/v1/progress`: the dashboard's figures as JSON — the entries
//! are those of `jineng report progress --format json`, field for field,
//! with the region's own totals beside them.

use super::ApiError;
use super::dto::ErrorBody;
use super::params;
use crate::AppState;
use crate::auth::ApiUser;
use crate::dashboard::{DashQuery, load};
use axum::Json;
use axum::extract::{Query, State};
use jineng_domain::planning::ProgressRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The dashboard's query as the API takes it: all optional.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    /// 区划代码（默认为账号所属地区；000000 为全国）
    #[param(pattern = "^(000000|[1-9][0-9]{5})$")]
    region: Option<String>,
    /// 年度（默认为当年或最近的目标年度）
    #[param(minimum = 1949, maximum = 2100)]
    year: Option<i32>,
    /// 指标代码（默认全部）
    indicator: Option<String>,
    /// 统计截止日期（默认今天）
    #[param(value_type = Option<String>, format = Date)]
    as_of: Option<String>,
}

/// An area's progress on an indicator over a period. Values are integers
/// scaled by 10^`decimals` (money: fen; ratios: percent).
#[derive(Serialize, ToSchema)]
pub struct ProgressEntry {
    /// 区划代码
    pub region: String,
    pub name: String,
    /// 指标代码
    pub indicator: String,
    pub indicator_name: String,
    pub unit: String,
    pub decimals: u32,
    /// 2019年 or 2019—2021年
    pub period: String,
    pub year_from: i32,
    pub year_to: i32,
    pub target: Option<i64>,
    pub actual: Option<i64>,
    /// 序时进度: what should be done by the as-of date.
    pub expected: Option<i64>,
    /// The share of the period elapsed, 0–1.
    pub elapsed: f64,
    /// actual ÷ target.
    pub completion: Option<f64>,
    /// 落后于序时进度 (or 未完成 after the period).
    pub behind: bool,
    /// 已完成 | 进度正常 | 落后于序时进度 | 未完成 | 统计期未到 | 未达到 | 未填报 | 无目标
    pub status: String,
}

impl From<&ProgressRow> for ProgressEntry {
    fn from(e: &ProgressRow) -> ProgressEntry {
        ProgressEntry {
            region: e.region.clone(),
            name: e.name.clone(),
            indicator: e.indicator.clone(),
            indicator_name: e.indicator_name.clone(),
            unit: e.unit.clone(),
            decimals: e.decimals,
            period: e.period.clone(),
            year_from: e.year_from,
            year_to: e.year_to,
            target: e.target,
            actual: e.actual,
            expected: e.expected,
            elapsed: e.elapsed,
            completion: e.completion,
            behind: e.behind,
            status: e.status.clone(),
        }
    }
}

/// A region's progress for a year.
#[derive(Serialize, ToSchema)]
pub struct Progress {
    pub region: String,
    pub name: String,
    pub year: i32,
    /// YYYY-MM-DD
    pub as_of: String,
    /// One per sub-region (and the region's own share, 本级) and indicator period.
    pub entries: Vec<ProgressEntry>,
    /// The region's own total per indicator period.
    pub totals: Vec<ProgressEntry>,
}

#[utoipa::path(get, path = "/api/v1/progress", tag = "工作进度", params(ProgressQuery),
    responses((status = 200, body = Progress), (status = 400, body = ErrorBody),
        (status = 403, description = "无权查看，或地区不在管理范围内", body = ErrorBody),
        (status = 404, description = "没有这个地区", body = ErrorBody)))]
pub async fn progress(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    ApiUser(u): ApiUser,
    Query(p): Query<ProgressQuery>,
) -> Result<Json<Progress>, ApiError> {
    params::check_region(p.region.as_deref(), true)?;
    params::check_date("统计截止日期", p.as_of.as_deref())?;
    if let Some(y) = p.year
        && !(1949..=2100).contains(&y)
    {
        return Err(crate::error::AppError::BadRequest(format!(
            "年度「{y}」无效，应在 1949 到 2100 之间"
        ))
        .into());
    }
    let q = DashQuery {
        region: p.region.unwrap_or_default(),
        year: p.year.map(|y| y.to_string()).unwrap_or_default(),
        indicator: p.indicator.unwrap_or_default(),
        as_of: p.as_of.unwrap_or_default(),
    };
    let d = load(&s, &headers, &u, &q).await?.dash;
    let wanted =
        |e: &&ProgressRow| q.indicator.trim().is_empty() || e.indicator == q.indicator.trim();
    Ok(Json(Progress {
        region: d.region.clone(),
        name: d.name.clone(),
        year: d.year,
        as_of: d.as_of.to_string(),
        entries: d.entries.iter().filter(wanted).map(Into::into).collect(),
        totals: d.totals.iter().filter(wanted).map(Into::into).collect(),
    }))
}
