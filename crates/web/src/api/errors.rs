//! Every API error is JSON `{"error": "…"}`: axum's own rejections (a path
//! parameter that does not parse, a bad query string, a body that is not
//! JSON or does not match the schema, an unsupported method) answer in
//! plain text, so this layer rewrites any non-JSON error response of
//! `/api` into the API's shape, with a Chinese message by status and
//! axum's text as `detail`. Handlers added later get it for free.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The most of a rejection's text kept as `detail`.
const DETAIL_LIMIT: usize = 16 * 1024;

fn message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "请求参数格式不正确",
        401 => "访问令牌无效或缺失",
        403 => "您的账号无权进行此操作",
        404 => "接口不存在",
        405 => "接口不支持该请求方法",
        413 => "请求体过大",
        415 => "请求体须为 JSON（Content-Type: application/json）",
        422 => "请求体的字段或类型不符合接口说明",
        429 => "请求过于频繁，请稍后再试",
        s if s >= 500 => "系统内部错误，请稍后再试或联系管理员",
        _ => "请求无法处理",
    }
}

fn is_json(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Rewrites a non-JSON error response as `{"error", "detail"}`, keeping
/// its status and headers (`Allow`, …).
pub async fn json_errors(res: Response) -> Response {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&res) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let detail = axum::body::to_bytes(body, DETAIL_LIMIT)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let mut out = if detail.is_empty() {
        Json(serde_json::json!({ "error": message(status) })).into_response()
    } else {
        Json(serde_json::json!({ "error": message(status), "detail": detail })).into_response()
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    *out.status_mut() = status;
    out.headers_mut().extend(parts.headers);
    out
}
