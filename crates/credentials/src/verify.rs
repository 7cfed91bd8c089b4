//! Verifying a certificate credential as any verifier would: with the
//! issuer's DID document and the status list credential in hand (fetched,
//! read from files, or built from the local registry — the caller's
//! choice), nothing else.
//!
//! Order: strict JSON; a VC 2.0 document; the proof (`eddsa-jcs-2022`)
//! under a key the issuer's DID document lists for `assertionMethod`; the
//! validity period; then the status list credential, itself verified
//! under the same issuer's keys, and the credential's bit in it.

use crate::credential::{CertificateView, VC_CONTEXT, issuer_of};
use crate::did::{DidError, resolve_assertion_key};
use crate::json::{self, JsonError};
use crate::proof::{self, ProofError};
use crate::status::{self, Entry, StatusError};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// Why a credential is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    #[error("文件不是有效的 JSON（{0}）")]
    Json(JsonError),
    #[error("不是 W3C 可验证凭证：{0}")]
    NotCredential(&'static str),
    #[error("{0}")]
    Proof(ProofError),
    #[error("{0}")]
    Key(DidError),
    #[error("尚未生效（生效时间 {0}）")]
    NotYetValid(String),
    #[error("已过有效期（截止 {0}）")]
    Expired(String),
    #[error("{0}")]
    Status(StatusError),
    #[error("状态列表凭证验证失败：{0}")]
    StatusList(Box<Failure>),
}

/// What a verified credential is, with what it states.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The issuer's DID.
    pub issuer: String,
    /// The verification method that signed it.
    pub key_id: String,
    /// The certificate facts (`None`: a credential of another kind).
    pub view: Option<CertificateView>,
    pub status: Entry,
    /// The verified document (its proof removed).
    pub document: Value,
}

/// A verifier's answer.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// 有效.
    Valid(Checked),
    /// 已撤销: the proof holds, the status bit is set.
    Revoked(Checked),
    /// The failure, in Chinese.
    Invalid(Failure),
}

impl Verdict {
    pub fn is_valid(&self) -> bool {
        matches!(self, Verdict::Valid(_))
    }
}

/// Verifies a secured document under `did_doc` (which must be its
/// issuer's): the unsecured document and its issuer and key.
pub fn verify_document(
    secured: &Value,
    did_doc: &Value,
) -> Result<(Value, String, String), Failure> {
    let types = secured.get("type").and_then(Value::as_array);
    if !types
        .into_iter()
        .flatten()
        .any(|t| t == "VerifiableCredential")
    {
        return Err(Failure::NotCredential("type 中没有 VerifiableCredential"));
    }
    let first_ctx = match secured.get("@context") {
        Some(Value::Array(a)) => a.first(),
        other => other,
    };
    if first_ctx.and_then(Value::as_str) != Some(VC_CONTEXT) {
        return Err(Failure::NotCredential(
            "@context 的第一项应为 VC 2.0 上下文",
        ));
    }
    let issuer = issuer_of(secured)
        .ok_or(Failure::NotCredential("缺少签发者（issuer）"))?
        .to_string();
    let read = proof::read(secured).map_err(Failure::Proof)?;
    let key =
        resolve_assertion_key(did_doc, &issuer, &read.verification_method).map_err(Failure::Key)?;
    let key_id = read.verification_method.clone();
    let doc = read.verify(&key).map_err(Failure::Proof)?;
    Ok((doc, issuer, key_id))
}

pub(crate) fn check_period(doc: &Value, now: DateTime<Utc>) -> Result<(), Failure> {
    let when = |k: &str| -> Result<Option<(String, DateTime<Utc>)>, Failure> {
        match doc.get(k) {
            None => Ok(None),
            Some(v) => {
                let s = v.as_str().unwrap_or_default();
                DateTime::parse_from_rfc3339(s)
                    .map(|t| Some((s.to_string(), t.with_timezone(&Utc))))
                    .map_err(|_| {
                        Failure::NotCredential("validFrom/validUntil 不是带时区的日期时间")
                    })
            }
        }
    };
    if let Some((s, from)) = when("validFrom")?
        && now < from
    {
        return Err(Failure::NotYetValid(s));
    }
    if let Some((s, until)) = when("validUntil")?
        && now > until
    {
        return Err(Failure::Expired(s));
    }
    Ok(())
}

/// Verifies the credential `text` against its issuer's DID document and
/// the status list credential its entry names (`None`: it could not be
/// had, which fails), at `now`.
pub fn verify_credential(
    text: &str,
    did_doc: &Value,
    status_list: Option<&Value>,
    now: DateTime<Utc>,
) -> Verdict {
    match check(text, did_doc, status_list, now) {
        Ok((checked, false)) => Verdict::Valid(checked),
        Ok((checked, true)) => Verdict::Revoked(checked),
        Err(f) => Verdict::Invalid(f),
    }
}

fn check(
    text: &str,
    did_doc: &Value,
    status_list: Option<&Value>,
    now: DateTime<Utc>,
) -> Result<(Checked, bool), Failure> {
    let secured = json::parse(text).map_err(Failure::Json)?;
    let (document, issuer, key_id) = verify_document(&secured, did_doc)?;
    check_period(&document, now)?;
    let entry = status::read_entry(&document).map_err(Failure::Status)?;
    let status_list = status_list.ok_or_else(|| {
        Failure::Status(StatusError::List(format!(
            "无法取得证书所指的状态列表「{}」",
            entry.list_url
        )))
    })?;
    let (list, list_issuer, _) =
        verify_document(status_list, did_doc).map_err(|f| Failure::StatusList(Box::new(f)))?;
    if list_issuer != issuer {
        return Err(Failure::StatusList(Box::new(Failure::NotCredential(
            "状态列表的签发者与证书的签发者不同",
        ))));
    }
    let revoked = status::is_revoked(&list, &entry).map_err(Failure::Status)?;
    Ok((
        Checked {
            issuer,
            key_id,
            view: CertificateView::of(&document),
            status: entry,
            document,
        },
        revoked,
    ))
}
