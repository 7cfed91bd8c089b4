//! `GET /api/v1/reports/standards?region=&year=`: the evaluation of the
//! standards in force as JSON — field for field what `jineng report
//! standards --format json` prints — for a region inside the account's
//! scope (another region is 403, as on the page).

use super::ApiError;
use super::dto::ErrorBody;
use super::params;
use crate::AppState;
use crate::auth::ApiUser;
use crate::standards::load;
use axum::Json;
use axum::extract::{Query, State};
use jineng_domain::standards::{Evaluation, Rejection, Row, Totals};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StandardsQuery {
    /// 区划代码（默认为账号所属地区；须在管理范围内）
    #[param(pattern = "^[1-9][0-9]{5}$")]
    region: Option<String>,
    /// 年度（默认为申领所在的最近年度）
    #[param(minimum = 1949, maximum = 2100)]
    year: Option<i32>,
}

/// Refusals of one reason.
#[derive(Serialize, ToSchema)]
pub struct RejectionDto {
    /// R1…R17；policy（政策未规定或不在有效期）；officer（经办人员驳回）
    pub rule: String,
    /// 规则名称，如「年度次数」
    pub title: String,
    /// 依据的文号和条款
    pub clause: String,
    /// 笔数（一笔申领被多条规则否决的，各计一次）
    pub count: i64,
}

impl From<&Rejection> for RejectionDto {
    fn from(r: &Rejection) -> RejectionDto {
        RejectionDto {
            rule: r.rule.clone(),
            title: r.title.clone(),
            clause: r.clause.clone(),
            count: r.count,
        }
    }
}

/// One subsidy type × occupation × level × certificate type. Money in fen.
#[derive(Serialize, ToSchema)]
pub struct StandardsRow {
    pub subsidy_type: String,
    /// 职业编码
    pub occupation: Option<String>,
    pub occupation_name: String,
    /// 5（五级）…1（一级）；无等级为 null
    pub level: Option<u8>,
    pub level_name: String,
    /// 证书类型代码（skill_level …）；无证书为 null
    pub cert_type: Option<String>,
    pub cert_type_name: String,
    /// 作出决定的政策
    pub policy: Option<String>,
    pub claims: i64,
    /// 已核准、已预拨、支付在途、支付失败待更正、已支付
    pub approved: i64,
    pub rejected: i64,
    pub review: i64,
    /// 未决定或待核准
    pub pending: i64,
    pub recovered: i64,
    pub approved_fen: i64,
    /// 实际拨付到领取人的资金（扣除追回）
    pub paid_fen: i64,
    /// 核准申领的证书数（不重复）
    pub certificates: i64,
    /// approved_fen ÷ certificates，舍去不足一分
    pub avg_fen_per_certificate: Option<i64>,
    /// paid_fen ÷ 本地区已支付总额，万分之一（舍去）
    pub fund_share_bp: i64,
    /// 现行标准（不含紧缺职业上浮）
    pub standard_fen: Option<i64>,
    /// 每人次、每人每天、每人每月、每人每年
    pub standard_unit: Option<String>,
    pub uplift_pct: Option<u16>,
    /// 目录条目的标准分类（A、B、C …）
    pub grade: Option<String>,
    /// 公开报道的标准（区间为上限）
    pub published_fen: Option<i64>,
    /// 区间的下限
    pub published_min_fen: Option<i64>,
    /// exact、up_to（至多）或 range（区间）
    pub published_kind: Option<String>,
    pub published_label: Option<String>,
    pub published_source: Option<String>,
    /// 现行标准 − 公开标准
    pub difference_fen: Option<i64>,
    pub rejections: Vec<RejectionDto>,
}

impl From<&Row> for StandardsRow {
    fn from(r: &Row) -> StandardsRow {
        let c = &r.counts;
        StandardsRow {
            subsidy_type: r.subsidy_type.clone(),
            occupation: r.occupation.clone(),
            occupation_name: r.occupation_name.clone(),
            level: r.level,
            level_name: r.level_name.clone(),
            cert_type: r.cert_type.clone(),
            cert_type_name: r.cert_type_name.clone(),
            policy: r.policy.clone(),
            claims: c.claims,
            approved: c.approved,
            rejected: c.rejected,
            review: c.review,
            pending: c.pending,
            recovered: c.recovered,
            approved_fen: c.approved_fen,
            paid_fen: c.paid_fen,
            certificates: c.certificates,
            avg_fen_per_certificate: r.avg_fen_per_certificate,
            fund_share_bp: r.fund_share_bp,
            standard_fen: r.standard_fen,
            standard_unit: r.standard_unit.clone(),
            uplift_pct: r.uplift_pct,
            grade: r.grade.clone(),
            published_fen: r.published_fen,
            published_min_fen: r.published_min_fen,
            published_kind: r.published_kind.clone(),
            published_label: r.published_label.clone(),
            published_source: r.published_source.clone(),
            difference_fen: r.difference_fen,
            rejections: r.rejections.iter().map(Into::into).collect(),
        }
    }
}

/// The region's figures.
#[derive(Serialize, ToSchema)]
pub struct StandardsTotals {
    pub claims: i64,
    pub approved: i64,
    pub rejected: i64,
    pub review: i64,
    pub pending: i64,
    pub recovered: i64,
    pub approved_fen: i64,
    pub paid_fen: i64,
    /// 各行证书数之和
    pub certificates: i64,
    pub avg_fen_per_certificate: Option<i64>,
    pub fund_share_bp: i64,
    pub rejections: Vec<RejectionDto>,
}

impl From<&Totals> for StandardsTotals {
    fn from(t: &Totals) -> StandardsTotals {
        let c = &t.counts;
        StandardsTotals {
            claims: c.claims,
            approved: c.approved,
            rejected: c.rejected,
            review: c.review,
            pending: c.pending,
            recovered: c.recovered,
            approved_fen: c.approved_fen,
            paid_fen: c.paid_fen,
            certificates: c.certificates,
            avg_fen_per_certificate: t.avg_fen_per_certificate,
            fund_share_bp: t.fund_share_bp,
            rejections: t.rejections.iter().map(Into::into).collect(),
        }
    }
}

/// A published shortage-occupation uplift.
#[derive(Serialize, ToSchema)]
pub struct UpliftDto {
    pub source: String,
    pub label: String,
    pub pct: u16,
    /// 至多
    pub up_to: bool,
}

/// The evaluation of a region's standards for a year.
#[derive(Serialize, ToSchema)]
pub struct StandardsReport {
    pub region: String,
    pub name: String,
    pub year: i32,
    pub rows: Vec<StandardsRow>,
    pub totals: StandardsTotals,
    /// 公开报道标准的数据文件
    pub published_file: String,
    pub published_uplifts: Vec<UpliftDto>,
}

impl From<&Evaluation> for StandardsReport {
    fn from(e: &Evaluation) -> StandardsReport {
        StandardsReport {
            region: e.region.clone(),
            name: e.name.clone(),
            year: e.year,
            rows: e.rows.iter().map(Into::into).collect(),
            totals: (&e.totals).into(),
            published_file: e.published_file.clone(),
            published_uplifts: e
                .published_uplifts
                .iter()
                .map(|u| UpliftDto {
                    source: u.source.clone(),
                    label: u.label.clone(),
                    pct: u.pct,
                    up_to: u.up_to,
                })
                .collect(),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/reports/standards", tag = "标准评估", params(StandardsQuery),
    responses((status = 200, body = StandardsReport), (status = 400, body = ErrorBody),
        (status = 403, description = "无权查看，或地区不在管理范围内", body = ErrorBody)))]
pub async fn standards(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Query(p): Query<StandardsQuery>,
) -> Result<Json<StandardsReport>, ApiError> {
    params::check_region(p.region.as_deref(), false)?;
    let year = p.year.map(|y| y.to_string()).unwrap_or_default();
    let (e, _) = load(&s, &u, p.region.as_deref().unwrap_or_default(), &year).await?;
    Ok(Json((&e).into()))
}
