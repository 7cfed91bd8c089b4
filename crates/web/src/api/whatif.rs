//! `POST /api/v1/policy/whatif`: a draft replayed as the page replays it
//! (`crate::whatif::replay`: the token account's region, its login in the
//! audit row), answered with exactly the object `jineng policy whatif
//! --json` prints. The body is JSON with the draft's text.

use super::ApiError;
use super::dto::ErrorBody;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::whatif::{Ask, MAX_DRAFT_KB, replay};
use axum::Json;
use axum::extract::State;
use jineng_domain::policy::whatif::{Figures, Report};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The draft and the period.
#[derive(Deserialize, ToSchema)]
pub struct WhatIfRequest {
    /// 政策草案的 TOML 文本：完整的政策文件，或以 [overlay] base = "政策编号" 开头的修改稿
    #[schema(min_length = 1, max_length = 262144)]
    pub draft: String,
    /// 草案的文件名（只用于提示和审计日志）
    #[schema(max_length = 80)]
    pub file_name: Option<String>,
    /// 测算期起（含），按申领的事件日期
    #[schema(format = Date)]
    pub from: Option<String>,
    /// 测算期止（含）
    #[schema(format = Date)]
    pub to: Option<String>,
}

/// The figures of a row (money in fen).
#[derive(Serialize, ToSchema)]
pub struct WhatIfFigures {
    pub claims: u64,
    /// 结果（核准与否或金额）变化的申领
    pub changed: u64,
    pub base_fen: i64,
    pub draft_fen: i64,
}

fn figures(f: &Figures) -> WhatIfFigures {
    WhatIfFigures {
        claims: f.claims,
        changed: f.changed,
        base_fen: f.base_fen,
        draft_fen: f.draft_fen,
    }
}

/// A breakdown row: its key fields, then the figures.
#[derive(Serialize, ToSchema)]
pub struct WhatIfRegion {
    pub region: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: WhatIfFigures,
}

#[derive(Serialize, ToSchema)]
pub struct WhatIfType {
    pub subsidy_type: String,
    #[serde(flatten)]
    pub figures: WhatIfFigures,
}

#[derive(Serialize, ToSchema)]
pub struct WhatIfOccupation {
    /// 职业编码（无职业为空）
    pub occupation: String,
    pub name: String,
    /// 五级 … 一级，或 无
    pub level: String,
    #[serde(flatten)]
    pub figures: WhatIfFigures,
}

#[derive(Serialize, ToSchema)]
pub struct WhatIfCategory {
    /// 人员类别（无类别为空；一人有多个类别的，各类别分别计入）
    pub category: String,
    #[serde(flatten)]
    pub figures: WhatIfFigures,
}

#[derive(Serialize, ToSchema)]
pub struct WhatIfInstitution {
    /// 统一社会信用代码
    pub institution: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: WhatIfFigures,
}

#[derive(Serialize, ToSchema)]
pub struct WhatIfFund {
    pub fund: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: WhatIfFigures,
}

#[derive(Serialize, ToSchema)]
pub struct WhatIfFlips {
    pub approved_to_rejected: u64,
    pub rejected_to_approved: u64,
    pub amount_up: u64,
    pub amount_down: u64,
}

/// The draft's cost against a fund source.
#[derive(Serialize, ToSchema)]
pub struct WhatIfBudgetRow {
    pub fund: String,
    pub name: String,
    pub allocated_fen: i64,
    pub balance_fen: i64,
    pub base_fen: i64,
    pub draft_fen: i64,
    /// 草案增支（负数为减支）
    pub extra_fen: i64,
    pub balance_after_fen: i64,
    /// 增支占拨入的百分数（无拨入为 null）
    pub extra_pct_of_allocated: Option<f64>,
}

/// What the changed eligibility reaches of a target.
#[derive(Serialize, ToSchema)]
pub struct WhatIfTargetRow {
    pub indicator: String,
    pub name: String,
    pub unit: String,
    pub decimals: u32,
    pub region: String,
    pub year_from: i32,
    pub year_to: i32,
    pub target: i64,
    pub gained: i64,
    pub lost: i64,
    pub net: i64,
    pub net_pct_of_target: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct WhatIfBudget {
    pub funds: Vec<WhatIfBudgetRow>,
    pub targets: Vec<WhatIfTargetRow>,
}

/// The comparison, field for field what `jineng policy whatif --json`
/// prints (money in fen).
#[derive(Serialize, ToSchema)]
pub struct WhatIfReport {
    pub base_policy: String,
    pub claims: u64,
    pub changed: u64,
    pub base_fen: i64,
    pub draft_fen: i64,
    pub flips: WhatIfFlips,
    pub by_region: Vec<WhatIfRegion>,
    pub by_subsidy_type: Vec<WhatIfType>,
    pub by_occupation: Vec<WhatIfOccupation>,
    pub by_category: Vec<WhatIfCategory>,
    pub by_institution: Vec<WhatIfInstitution>,
    pub by_fund: Vec<WhatIfFund>,
    pub budget: WhatIfBudget,
}

impl From<&Report> for WhatIfReport {
    fn from(r: &Report) -> WhatIfReport {
        let f = &r.flips;
        WhatIfReport {
            base_policy: r.base_policy.clone(),
            claims: r.claims,
            changed: r.changed,
            base_fen: r.base_fen,
            draft_fen: r.draft_fen,
            flips: WhatIfFlips {
                approved_to_rejected: f.approved_to_rejected,
                rejected_to_approved: f.rejected_to_approved,
                amount_up: f.amount_up,
                amount_down: f.amount_down,
            },
            by_region: r
                .by_region
                .iter()
                .map(|x| WhatIfRegion {
                    region: x.region.clone(),
                    name: x.name.clone(),
                    figures: figures(&x.figures),
                })
                .collect(),
            by_subsidy_type: r
                .by_subsidy_type
                .iter()
                .map(|x| WhatIfType {
                    subsidy_type: x.subsidy_type.clone(),
                    figures: figures(&x.figures),
                })
                .collect(),
            by_occupation: r
                .by_occupation
                .iter()
                .map(|x| WhatIfOccupation {
                    occupation: x.occupation.clone(),
                    name: x.name.clone(),
                    level: x.level.clone(),
                    figures: figures(&x.figures),
                })
                .collect(),
            by_category: r
                .by_category
                .iter()
                .map(|x| WhatIfCategory {
                    category: x.category.clone(),
                    figures: figures(&x.figures),
                })
                .collect(),
            by_institution: r
                .by_institution
                .iter()
                .map(|x| WhatIfInstitution {
                    institution: x.institution.clone(),
                    name: x.name.clone(),
                    figures: figures(&x.figures),
                })
                .collect(),
            by_fund: r
                .by_fund
                .iter()
                .map(|x| WhatIfFund {
                    fund: x.fund.clone(),
                    name: x.name.clone(),
                    figures: figures(&x.figures),
                })
                .collect(),
            budget: budget(r),
        }
    }
}

/// The draft's cost set against the funds and the targets.
fn budget(r: &Report) -> WhatIfBudget {
    WhatIfBudget {
        funds: r
            .budget
            .funds
            .iter()
            .map(|b| WhatIfBudgetRow {
                fund: b.fund.clone(),
                name: b.name.clone(),
                allocated_fen: b.allocated_fen,
                balance_fen: b.balance_fen,
                base_fen: b.base_fen,
                draft_fen: b.draft_fen,
                extra_fen: b.extra_fen,
                balance_after_fen: b.balance_after_fen,
                extra_pct_of_allocated: b.extra_pct_of_allocated,
            })
            .collect(),
        targets: r
            .budget
            .targets
            .iter()
            .map(|t| WhatIfTargetRow {
                indicator: t.indicator.clone(),
                name: t.name.clone(),
                unit: t.unit.clone(),
                decimals: t.decimals,
                region: t.region.clone(),
                year_from: t.year_from,
                year_to: t.year_to,
                target: t.target,
                gained: t.gained,
                lost: t.lost,
                net: t.net,
                net_pct_of_target: t.net_pct_of_target,
            })
            .collect(),
    }
}

#[utoipa::path(post, path = "/api/v1/policy/whatif", tag = "政策测算", request_body = WhatIfRequest,
    responses((status = 200, description = "现行政策与草案的比较（与 jineng policy whatif --json 相同）", body = WhatIfReport),
        (status = 400, description = "草案不是有效的政策文件或修改稿（指出文件、行和参数路径），或日期无效", body = ErrorBody),
        (status = 403, description = "无权进行政策测算", body = ErrorBody)))]
pub async fn whatif(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Json(body): Json<WhatIfRequest>,
) -> Result<Json<WhatIfReport>, ApiError> {
    crate::whatif::region_of(&u)?;
    if body.draft.len() > MAX_DRAFT_KB * 1024 {
        return Err(AppError::BadRequest(format!("草案超过 {MAX_DRAFT_KB} KB")).into());
    }
    let ask = Ask {
        name: crate::whatif::clean_name(body.file_name.as_deref().unwrap_or("")),
        text: body.draft,
        from: body.from.unwrap_or_default(),
        to: body.to.unwrap_or_default(),
    };
    let run = replay(&s, &u, &ask, false).await.map_err(AppError::from)?;
    Ok(Json((&run.report).into()))
}
