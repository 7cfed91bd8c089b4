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
    nav: Option<crate::views::Nav>,
    status: u16,
    message: String,
}

impl ErrorPage {
    fn response(status: StatusCode, message: String) -> Option<Response> {
        let page = ErrorPage {
            nav: None,
            status: status.as_u16(),
            message,
        };
        let html = page.render().ok()?;
        Some(
            (
                status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                html,
            )
                .into_response(),
        )
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        if matches!(self, AppError::LoginRequired) {
            return Redirect::to("/login").into_response();
        }
        let status = self.status();
        let mut res = ErrorPage::response(status, self.message())
            .unwrap_or_else(|| (status, self.message()).into_response());
        self.retry_after(&mut res);
        res
    }
}

/// What a framework-made refusal (a path, query or form the extractors
/// reject, a method the route lacks) says in Chinese, by its status and
/// English text.
fn framework_message(status: StatusCode, text: &str) -> Option<&'static str> {
    Some(match status {
        StatusCode::BAD_REQUEST if text.starts_with("Invalid URL") => {
            "网址中的编号无效，请从页面上的链接进入"
        }
        StatusCode::BAD_REQUEST => "查询条件无效，请检查筛选条件后重试",
        StatusCode::NOT_FOUND => "页面不存在",
        StatusCode::METHOD_NOT_ALLOWED => "此地址不能这样访问，请从页面上的链接或按钮进入",
        StatusCode::PAYLOAD_TOO_LARGE => "提交的内容过大",
        StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::UNPROCESSABLE_ENTITY => {
            "提交的表单内容不完整或格式有误，请返回后重新填写"
        }
        _ => return None,
    })
}

/// Turns the framework's plain-text (English) refusals of pages into the
/// Chinese error page; the API (`/api/`) answers for itself.
pub async fn humane(uri: axum::http::Uri, response: Response) -> Response {
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
    if !status.is_client_error() || !plain || uri.path().starts_with("/api/") {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let Some(message) = framework_message(status, &text) else {
        return Response::from_parts(parts, axum::body::Body::from(text));
    };
    tracing::debug!("{} {}: {text}", status.as_u16(), uri.path());
    let Some(mut page) = ErrorPage::response(status, message.into()) else {
        return Response::from_parts(parts, axum::body::Body::from(text));
    };
    // Keep what the refusal said about the method (Allow) and the like.
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            page.headers_mut().insert(name, value.clone());
        }
    }
    page
}

/// Unknown paths.
pub async fn not_found() -> AppError {
    AppError::NotFound("页面不存在".into())
}
