//! `/api/v1/pay/batches`: the bank disbursement batches (代发批次) and
//! their lines, read only. A batch's counts and totals are the dedicated
//! account's, the same for every ledger role (like the fund balances); its
//! lines are those of the claims in the token's scope, accounts masked.

use super::ApiError;
use super::dto::ErrorBody;
use crate::AppState;
use crate::auth::ApiUser;
use axum::Json;
use axum::extract::{Path, State};
use jineng_domain::BankResult;
use jineng_domain::access::Action;
use serde::Serialize;
use utoipa::ToSchema;

type ApiResult<T> = Result<Json<T>, ApiError>;

#[derive(Serialize, ToSchema)]
pub struct PayBatch {
    /// Shown as `B{batch_id}`.
    pub batch_id: i64,
    pub created_at: String,
    /// 待回盘 while a line is unanswered, else 已回盘.
    pub state_zh: String,
    pub lines: i64,
    pub total_fen: i64,
    pub paid: i64,
    pub paid_fen: i64,
    pub failed: i64,
    pub failed_fen: i64,
    pub pending: i64,
    pub pending_fen: i64,
}

impl From<jineng_store::PayBatchRow> for PayBatch {
    fn from(b: jineng_store::PayBatchRow) -> PayBatch {
        PayBatch {
            state_zh: b.state_zh().to_string(),
            batch_id: b.batch_id,
            created_at: b.created_at.to_string(),
            lines: b.lines,
            total_fen: b.total_fen,
            paid: b.paid,
            paid_fen: b.paid_fen,
            failed: b.failed,
            failed_fen: b.failed_fen,
            pending: b.pending,
            pending_fen: b.pending_fen,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PayLine {
    /// `B{batch}-{line}`, the id the bank's return file may use.
    pub line_id: String,
    pub claim_no: String,
    pub payee_name: String,
    /// Masked: first four and last four digits.
    pub account: String,
    pub bank_name: String,
    pub amount_fen: i64,
    pub fund_code: String,
    /// success | failure; absent until the bank answers.
    pub result: Option<String>,
    /// 成功 | 失败 | 待回盘
    pub result_zh: String,
    /// The bank's reason for a failure.
    pub reason: Option<String>,
}

impl From<jineng_store::PayLineRow> for PayLine {
    fn from(l: jineng_store::PayLineRow) -> PayLine {
        PayLine {
            result_zh: BankResult::label_zh(l.result).to_string(),
            line_id: l.line_id,
            claim_no: l.claim_no,
            payee_name: l.payee_name,
            account: l.account_masked,
            bank_name: l.bank_name,
            amount_fen: l.amount_fen,
            fund_code: l.fund_code,
            result: l.result.map(|r| r.code().to_string()),
            reason: l.reason,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/pay/batches", tag = "专账",
    responses((status = 200, body = Vec<PayBatch>), (status = 403, body = ErrorBody), (status = 401, description = "访问令牌无效或缺失", body = ErrorBody)))]
pub async fn batches(State(s): State<AppState>, ApiUser(u): ApiUser) -> ApiResult<Vec<PayBatch>> {
    u.require(Action::ViewLedger)?;
    let rows = s.store.pay_batches().await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/pay/batches/{id}", tag = "专账",
    params(("id" = i64, Path, description = "代发批次号（B 之后的数字）")),
    responses((status = 200, body = Vec<PayLine>), (status = 400, description = "参数格式不正确", body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 401, description = "访问令牌无效或缺失", body = ErrorBody)))]
pub async fn batch(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Vec<PayLine>> {
    u.require(Action::ViewLedger)?;
    if !s
        .store
        .pay_batches()
        .await?
        .iter()
        .any(|b| b.batch_id == id)
    {
        return Err(ApiError(crate::error::AppError::NotFound(format!(
            "没有代发批次 B{id}"
        ))));
    }
    let rows = s.store.scoped_pay_lines(u.scope(), id).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}
