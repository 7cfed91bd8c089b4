//! The one error type of the web layer, mapped once to responses: a
//! Chinese message page for the UI, `{"error": …}` for the API.

use askama::Template;
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use jineng_store::StoreError;

#[derive(Debug)]
pub enum AppError {
    /// No session (pages redirect to the login page).
    LoginRequired,
    /// No or a bad API token.
    Unauthorized,
    /// The role may not do this, or the record is outside the scope.
    Forbidden(String),
    NotFound(String),
    BadRequest(String),
    /// The record's state does not allow the step (the API's 409).
    Conflict(String),
    /// The form's CSRF token is missing or wrong.
    Csrf,
    /// Over a rate limit: retry after so many seconds.
    TooManyRequests(u64),
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::LoginRequired | AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn message(&self) -> String {
        match self {
            AppError::LoginRequired => "请先登录".into(),
            AppError::Unauthorized => "访问令牌无效或缺失".into(),
            AppError::Forbidden(m)
            | AppError::NotFound(m)
            | AppError::BadRequest(m)
            | AppError::Conflict(m) => m.clone(),
            AppError::Csrf => "表单已过期或来源不明，请刷新页面后重试".into(),
            AppError::TooManyRequests(s) => format!("请求过于频繁，请 {s} 秒后再试"),
            AppError::Internal(_) => "系统内部错误，请稍后再试或联系管理员".into(),
        }
    }

    pub fn forbidden() -> AppError {
        AppError::Forbidden("您的账号无权进行此操作".into())
    }

    /// The API's rendering: status and `{"error": message}`.
    pub fn into_api_response(self) -> Response {
        self.log();
        let status = self.status();
        let mut res =
            (status, Json(serde_json::json!({ "error": self.message() }))).into_response();
        self.retry_after(&mut res);
        res
    }

    /// `Retry-After` on a rate-limited response.
    fn retry_after(&self, res: &mut Response) {
        if let AppError::TooManyRequests(s) = self {
            res.headers_mut()
                .insert(header::RETRY_AFTER, axum::http::HeaderValue::from(*s));
        }
    }

    fn log(&self) {
        if let AppError::Internal(e) = self {
            tracing::error!("internal error: {e}");
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound(m) => AppError::NotFound(m),
            StoreError::OutOfScope(m) => AppError::Forbidden(m),
            StoreError::Refused(m) => AppError::BadRequest(m),
            StoreError::Ledger(l) => AppError::BadRequest(l.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> AppError {
        AppError::Internal(e.to_string())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        if matches!(self, AppError::LoginRequired) {
            return Redirect::to("/login").into_response();
        }
        let status = self.status();
        let page = ErrorPage {
            status: status.as_u16(),
            message: self.message(),
        };
        let mut res = match page.render() {
            Ok(html) => (
                status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                html,
            )
                .into_response(),
            Err(_) => (status, self.message()).into_response(),
        };
        self.retry_after(&mut res);
        res
    }
}

/// Unknown paths.
pub async fn not_found() -> AppError {
    AppError::NotFound("页面不存在".into())
}
