//! The public documents a verifier of Jineng's certificates fetches
//! (docs/credentials.md), no login needed:
//! - `GET /.well-known/did.json`: the bureau's DID document (`did:web`),
//!   every signing key, current and rotated out;
//! - `GET /credentials/status/{list}`: the signed status list credential
//!   at its stable address.
//!
//! Both are JSON, cacheable for five minutes, with an ETag over the body
//! (`If-None-Match` answers 304): the status list is signed with its last
//! change as time, so it is byte-identical until a revocation or a key
//! rotation changes it.

use crate::AppState;
use crate::api::ApiError;
use crate::error::AppError;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::Value;
use sha2::{Digest, Sha256};
use utoipa::openapi::{ObjectBuilder, RefOr, schema::Schema};

/// How long a verifier may keep either document.
const MAX_AGE: &str = "public, max-age=300";

/// The DID document (W3C DID 1.0) of the bureau's `did:web`.
pub struct DidDocument;

impl utoipa::PartialSchema for DidDocument {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .description(Some(
                "DID 文档：id（did:web）、verificationMethod（Multikey，publicKeyMultibase 为 Ed25519 公钥）、assertionMethod（当前及已轮换的全部密钥）",
            ))
            .required("id")
            .required("verificationMethod")
            .required("assertionMethod")
            .into()
    }
}

impl utoipa::ToSchema for DidDocument {}

/// A signed `BitstringStatusListCredential`.
pub struct StatusListCredential;

impl utoipa::PartialSchema for StatusListCredential {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .description(Some(
                "状态列表凭证（W3C Bitstring Status List，用途 revocation）：credentialSubject.encodedList 为 GZIP 压缩后 base64url 多基编码的位串（第 i 位为 1 即状态序号 i 的证书已撤销）；proof 为 eddsa-jcs-2022 签名",
            ))
            .required("id")
            .required("credentialSubject")
            .required("proof")
            .into()
    }
}

impl utoipa::ToSchema for StatusListCredential {}

/// `body` as cacheable JSON, or 304 when the client holds it already.
fn cacheable(body: &Value, request: &HeaderMap) -> Result<Response, ApiError> {
    let bytes = serde_json::to_vec(body).map_err(|e| AppError::Internal(e.to_string()))?;
    let digest = Sha256::digest(&bytes);
    let tag: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    let etag = format!("\"{tag}\"");
    let held = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let builder = Response::builder()
        .header(header::CACHE_CONTROL, MAX_AGE)
        .header(
            header::ETAG,
            HeaderValue::from_str(&etag).map_err(|e| AppError::Internal(e.to_string()))?,
        );
    let res = if held {
        builder.status(StatusCode::NOT_MODIFIED).body(Body::empty())
    } else {
        builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(bytes))
    };
    res.map_err(|e| ApiError(AppError::Internal(e.to_string())))
}

#[utoipa::path(get, path = "/.well-known/did.json", tag = "可验证证书", security(()),
    responses((status = 200, description = "签发机构的 DID 文档（did:web），列出当前及已轮换的全部签名公钥", body = DidDocument),
        (status = 304, description = "与 If-None-Match 所示版本相同")))]
pub async fn did_document(
    State(s): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let doc = s.credentials.did_document()?;
    cacheable(&doc, &headers)
}

#[utoipa::path(get, path = "/credentials/status/{list}", tag = "可验证证书", security(()),
    params(("list" = i64, Path, minimum = 1, description = "状态列表编号（证书 credentialStatus.statusListCredential 所指地址的末段）")),
    responses((status = 200, description = "签名的状态列表凭证", body = StatusListCredential),
        (status = 304, description = "与 If-None-Match 所示版本相同"),
        (status = 404, description = "没有该编号的状态列表", body = crate::api::ErrorBody)))]
pub async fn status_list(
    State(s): State<AppState>,
    Path(list): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let missing = || {
        ApiError(AppError::NotFound(format!(
            "没有编号为「{list}」的状态列表"
        )))
    };
    let id = list
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0 && n.to_string() == list)
        .ok_or_else(missing)?;
    let doc = s
        .store
        .status_list_credential(&s.credentials, id)
        .await?
        .ok_or_else(missing)?;
    cacheable(&doc, &headers)
}
