//! The JSON API under `/api/v1` for machine clients (bearer tokens; no
//! cookies, so no CSRF), and its OpenAPI document at `/api/openapi.json`.
//! The same roles, scopes and store queries as the pages.

mod batches;
mod classes;
mod doc;
use doc::{BearerAuth, ErrorResponses};
mod dto;
pub(crate) use dto::ErrorBody;
mod errors;
mod imports;
mod learning;
mod lookup;
mod params;
mod pay;
mod progress;
mod standards;
mod supervision;
mod supervision_dto;
mod v1;
mod vouchers;
mod whatif;

use crate::AppState;
use crate::error::AppError;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::OpenApi;

/// An error in the API's shape: status and `{"error": "…"}`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> ApiError {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.into_api_response()
    }
}

/// A store's refusal of a step the record's state does not allow (a
/// claim already decided, a case already closed, no fund holding enough)
/// as 409, apart from a request the API could not read (400).
pub(crate) fn conflict(e: jineng_store::StoreError) -> ApiError {
    use jineng_store::StoreError;
    match e {
        StoreError::Refused(m) => ApiError(AppError::Conflict(m)),
        StoreError::Ledger(l) => ApiError(AppError::Conflict(l.to_string())),
        other => other.into(),
    }
}

/// The OpenAPI document of `/api/v1`.
#[derive(OpenApi)]
#[openapi(
    info(title = "技能 Jineng API", description = "职业技能提升行动管理平台接口。除证书查询外均须 Bearer 访问令牌；结果限于令牌所属账号的管理范围。"),
    paths(
        v1::me, v1::figures, v1::persons, v1::person, v1::claims, v1::claim,
        v1::approve, v1::reject, v1::approve_clean, v1::classes, v1::ledger,
        lookup::certificate_lookup,
        progress::progress,
        standards::standards,
        whatif::whatif,
        pay::pay, pay::pay_approved,
        batches::batches, batches::batch,
        classes::class, classes::approve, classes::give_back, classes::request_close, classes::close,
        imports::upload, imports::show,
        supervision::cases, supervision::case, supervision::close,
        supervision::ratings, supervision::draws,
        crate::credentials::did_document, crate::credentials::status_list,
        learning::report, learning::reported,
        vouchers::list, vouchers::redeem
    ),
    modifiers(&BearerAuth, &ErrorResponses),
    security(("bearer" = []))
)]
pub struct ApiDoc;

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/v1/me", get(v1::me))
        .route("/api/v1/figures", get(v1::figures))
        .route("/api/v1/persons", get(v1::persons))
        .route("/api/v1/persons/{id}", get(v1::person))
        .route("/api/v1/claims", get(v1::claims))
        .route("/api/v1/claims/approve-clean", post(v1::approve_clean))
        .route("/api/v1/claims/{no}", get(v1::claim))
        .route("/api/v1/claims/{no}/approve", post(v1::approve))
        .route("/api/v1/claims/{no}/reject", post(v1::reject))
        .route("/api/v1/claims/{no}/pay", post(pay::pay))
        .route("/api/v1/claims/pay-approved", post(pay::pay_approved))
        .route("/api/v1/classes", get(v1::classes))
        .route("/api/v1/classes/{id}", get(classes::class))
        .route("/api/v1/classes/{id}/approve", post(classes::approve))
        .route("/api/v1/classes/{id}/return", post(classes::give_back))
        .route(
            "/api/v1/classes/{id}/request-close",
            post(classes::request_close),
        )
        .route("/api/v1/classes/{id}/close", post(classes::close))
        .route("/api/v1/classes/{id}/vouchers", post(vouchers::redeem))
        .route("/api/v1/vouchers", get(vouchers::list))
        .route(
            "/api/v1/imports",
            post(imports::upload).layer(axum::extract::DefaultBodyLimit::max(
                crate::imports::MAX_UPLOAD_MB * 1024 * 1024,
            )),
        )
        .route("/api/v1/imports/{id}", get(imports::show))
        .route("/api/v1/ledger", get(v1::ledger))
        .route("/api/v1/pay/batches", get(batches::batches))
        .route("/api/v1/pay/batches/{id}", get(batches::batch))
        .route(
            "/api/v1/certificates/lookup",
            get(lookup::certificate_lookup),
        )
        .route("/api/v1/progress", get(progress::progress))
        .route("/api/v1/reports/standards", get(standards::standards))
        .route("/api/v1/policy/whatif", post(whatif::whatif))
        .route("/api/v1/supervision/cases", get(supervision::cases))
        .route(
            "/api/v1/supervision/cases/{case_no}",
            get(supervision::case),
        )
        .route(
            "/api/v1/supervision/cases/{case_no}/close",
            post(supervision::close),
        )
        .route("/api/v1/supervision/ratings", get(supervision::ratings))
        .route("/api/v1/supervision/draws", get(supervision::draws))
        .route(
            "/api/v1/learning-sessions",
            get(learning::reported).post(learning::report),
        )
        .fallback(api_not_found)
        .layer(axum::middleware::map_response(errors::json_errors))
}

async fn api_not_found() -> ApiError {
    ApiError(AppError::NotFound("接口不存在".into()))
}
