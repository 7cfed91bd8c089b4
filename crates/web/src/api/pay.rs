//! `/api/v1` payment (拨付): one approved claim, or every approved claim
//! in the token's scope, from the dedicated account (R16). A claim no fund
//! can pay comes back in `refused` with the reason, and nothing is booked
//! for it.

use super::ApiError;
use super::dto::{ErrorBody, Refusal};
use crate::AppState;
use crate::auth::ApiUser;
use axum::Json;
use axum::extract::{Path, State};
use jineng_domain::access::Action;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Payment {
    /// Claims paid.
    pub paid: u64,
    /// Σ paid, fen.
    pub amount_fen: i64,
    /// Claims not paid, each with the reason (e.g. no fund holds enough).
    pub refused: Vec<Refusal>,
}

impl From<jineng_store::PaySummary> for Payment {
    fn from(s: jineng_store::PaySummary) -> Payment {
        Payment {
            paid: s.paid,
            amount_fen: s.amount_fen,
            refused: Refusal::list(s.refused),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/claims/{no}/pay", tag = "补贴申领",
    params(("no" = String, Path, description = "申领编号（已核准）")),
    responses((status = 200, body = Payment), (status = 409, description = "申领当前的状态不允许拨付，或专账余额不足", body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, description = "参数格式不正确", body = ErrorBody), (status = 401, description = "访问令牌无效或缺失", body = ErrorBody)))]
pub async fn pay(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(no): Path<String>,
) -> Result<Json<Payment>, ApiError> {
    u.require(Action::PayClaims)?;
    let sum = s
        .store
        .pay(u.scope(), Some(&[no]), &u.actor())
        .await
        .map_err(super::conflict)?;
    Ok(Json(sum.into()))
}

#[utoipa::path(post, path = "/api/v1/claims/pay-approved", tag = "补贴申领",
    responses((status = 200, body = Payment), (status = 409, description = "申领当前的状态不允许拨付，或专账余额不足", body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, description = "参数格式不正确", body = ErrorBody), (status = 401, description = "访问令牌无效或缺失", body = ErrorBody)))]
pub async fn pay_approved(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Payment>, ApiError> {
    u.require(Action::PayClaims)?;
    let sum = s
        .store
        .pay(u.scope(), None, &u.actor())
        .await
        .map_err(super::conflict)?;
    Ok(Json(sum.into()))
}
