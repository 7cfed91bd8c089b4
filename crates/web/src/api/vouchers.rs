//! `/api/v1` training vouchers (职业培训券): the vouchers in the token's
//! scope with the commitments' totals (officers, finance, auditors), and
//! `POST /api/v1/classes/{id}/vouchers`, an institution redeeming a
//! trainee's voucher at its class when the trainee enrols — the same
//! store calls as the pages. ID numbers are masked.

use super::ApiError;
use super::dto::ErrorBody;
use super::params;
use crate::AppState;
use crate::auth::ApiUser;
use crate::classes::class_id;
use crate::error::AppError;
use crate::list::paging;
use axum::Json;
use axum::extract::{Path, Query, State};
use jineng_domain::access::Action;
use jineng_domain::voucher::VoucherStatus;
use jineng_store::{VoucherQuery, VoucherRow, VoucherTotals};
use serde::{Deserialize, Serialize};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{IntoParams, ToSchema};

type ApiResult<T> = Result<Json<T>, ApiError>;

const MAX_PER_PAGE: i64 = 500;

/// issued（未使用）| used（已使用）| lapsed（已过期）
pub struct VoucherStatusCode;

impl utoipa::PartialSchema for VoucherStatusCode {
    fn schema() -> RefOr<Schema> {
        params::enum_of(VoucherStatus::ALL.iter().map(|s| s.code()).collect())
    }
}

impl ToSchema for VoucherStatusCode {}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VouchersQuery {
    /// 状态；不填为全部
    #[param(value_type = Option<VoucherStatusCode>, inline)]
    status: Option<String>,
    /// 培训券编号或其中一段
    q: Option<String>,
    /// 页码，从 1 起；超出范围时取最近的一页
    page: Option<i64>,
    /// 每页条数，默认 50
    #[param(minimum = 1, maximum = 500)]
    per_page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Voucher {
    pub voucher_no: String,
    pub person_name: String,
    /// Masked.
    pub id_number: String,
    pub kind_name: String,
    pub face_fen: i64,
    pub issued_on: String,
    pub valid_until: String,
    /// issued | used | lapsed
    pub status: String,
    pub fund_code: String,
    pub class_no: Option<String>,
    pub institution: Option<String>,
    pub redeemed_on: Option<String>,
    /// The claim whose payment settled the voucher.
    pub claim_no: Option<String>,
}

impl From<VoucherRow> for Voucher {
    fn from(v: VoucherRow) -> Voucher {
        Voucher {
            voucher_no: v.voucher_no,
            person_name: v.person_name,
            id_number: v.id_number,
            kind_name: v.kind_name,
            face_fen: v.face_fen,
            issued_on: v.issued_on.to_string(),
            valid_until: v.valid_until.to_string(),
            status: v.status.code().to_string(),
            fund_code: v.fund_code,
            class_no: v.class_no,
            institution: v.institution,
            redeemed_on: v.redeemed_on.map(|d| d.to_string()),
            claim_no: v.claim_no,
        }
    }
}

/// Counts and face values (fen) by where the vouchers stand.
#[derive(Serialize, ToSchema)]
pub struct Totals {
    pub issued: i64,
    pub issued_fen: i64,
    pub open: i64,
    pub open_fen: i64,
    pub used: i64,
    pub used_fen: i64,
    pub paid: i64,
    pub paid_fen: i64,
    pub lapsed: i64,
    pub lapsed_fen: i64,
    /// Still committed: unused, or used with the claim unpaid.
    pub committed_fen: i64,
}

impl From<VoucherTotals> for Totals {
    fn from(t: VoucherTotals) -> Totals {
        Totals {
            issued: t.issued,
            issued_fen: t.issued_fen,
            open: t.open,
            open_fen: t.open_fen,
            used: t.used,
            used_fen: t.used_fen,
            paid: t.paid,
            paid_fen: t.paid_fen,
            lapsed: t.lapsed,
            lapsed_fen: t.lapsed_fen,
            committed_fen: t.committed_fen,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct VoucherPage {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub totals: Totals,
    pub items: Vec<Voucher>,
}

#[utoipa::path(get, path = "/api/v1/vouchers", tag = "职业培训券", operation_id = "vouchers_list", params(VouchersQuery),
    responses((status = 200, body = VoucherPage), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<VouchersQuery>,
) -> ApiResult<VoucherPage> {
    u.require(Action::ViewVouchers)?;
    let per = q.per_page.unwrap_or(crate::list::PER_PAGE);
    if !(1..=MAX_PER_PAGE).contains(&per) {
        return Err(AppError::BadRequest(format!("per_page 应在 1 到 {MAX_PER_PAGE} 之间")).into());
    }
    let codes: Vec<&'static str> = VoucherStatus::ALL.iter().map(|s| s.code()).collect();
    params::one_of("培训券状态", q.status.as_deref(), &codes)?;
    let query = VoucherQuery {
        q: q.q.unwrap_or_default().chars().take(30).collect(),
        status: q.status.as_deref().and_then(VoucherStatus::from_code),
        ..VoucherQuery::default()
    };
    let total = s.store.scoped_voucher_count(u.scope(), &query).await?;
    let (page, _, offset) = paging(total, q.page, per);
    let items = s
        .store
        .scoped_vouchers(u.scope(), &query, offset, per)
        .await?;
    Ok(Json(VoucherPage {
        total,
        page,
        per_page: per,
        totals: s.store.voucher_totals(u.scope()).await?.into(),
        items: items.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct RedeemBody {
    // Read as empty when missing, so that the answer names what is
    // missing (400) rather than a bare 422.
    /// 培训券编号（PXQ 加 17 位数字）
    #[serde(default)]
    #[schema(required = true, min_length = 1, pattern = r"[^\s\x1c-\x1f]")]
    pub voucher_no: String,
    /// 持券学员的身份证号码（须在本班花名册中）
    #[serde(default)]
    #[schema(required = true, min_length = 1, pattern = r"[^\s\x1c-\x1f]")]
    pub id_number: String,
}

#[derive(Serialize, ToSchema)]
pub struct Redeemed {
    pub voucher_no: String,
    pub kind_name: String,
    pub face_fen: i64,
    pub person_name: String,
    pub class_no: String,
    pub redeemed_on: String,
}

#[utoipa::path(post, path = "/api/v1/classes/{id}/vouchers", tag = "职业培训券", operation_id = "voucher_redeem",
    params(("id" = i64, Path, description = "培训班 ID")), request_body = RedeemBody,
    responses((status = 200, description = "已核验使用的培训券", body = Redeemed), (status = 400, description = "缺少培训券编号或身份证号码", body = ErrorBody), (status = 409, description = "培训券不能在本班使用（不属于该学员、已使用、已过期、职业或等级不符、学员不在花名册中等），原因见 error", body = ErrorBody)))]
pub async fn redeem(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Json(body): Json<RedeemBody>,
) -> ApiResult<Redeemed> {
    u.require(Action::RedeemVouchers)?;
    let id = class_id(&id)?;
    if params::blank(&body.voucher_no) || params::blank(&body.id_number) {
        return Err(AppError::BadRequest("请填写培训券编号和学员的身份证号码".into()).into());
    }
    let today = crate::claims::today();
    let r = s
        .store
        .redeem_voucher(
            u.scope(),
            id,
            &body.voucher_no,
            &body.id_number,
            today,
            &u.actor(),
        )
        .await
        .map_err(super::conflict)?;
    Ok(Json(Redeemed {
        voucher_no: r.voucher_no,
        kind_name: r.kind_name,
        face_fen: r.face_fen,
        person_name: r.person_name,
        class_no: r.class_no,
        redeemed_on: r.redeemed_on.to_string(),
    }))
}
