//! The bureau's `did:web` identifier and its DID document.
//!
//! `did:web` (W3C CCG did:web method): the public address's host, its port
//! percent-encoded (`127.0.0.1:8080` → `127.0.0.1%3A8080`), and any path
//! segments joined by `:`; the document is served at
//! `/.well-known/did.json` (or `<path>/did.json` with a path). It lists
//! every key the bureau has signed with — the current one and those rotated
//! out — as `Multikey` verification methods, all of them under
//! `assertionMethod`, so that a credential signed before a rotation still
//! verifies. A retired key is not marked `revoked`: rotation is routine;
//! a compromised key is removed from the key file and so from here.

use crate::multikey::{self, MultikeyError};
use ed25519_dalek::VerifyingKey;
use serde_json::{Value, json};

pub const DID_CONTEXT: &str = "https://www.w3.org/ns/did/v1";
pub const MULTIKEY_CONTEXT: &str = "https://w3id.org/security/multikey/v1";

/// What is wrong with a public address, a DID document or a key reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DidError {
    #[error("公开地址「{0}」应为 http:// 或 https:// 开头的网址，如 https://rsj.example.gov.cn")]
    BadUrl(String),
    #[error("DID 文档的 id「{found}」与签发者「{expected}」不符")]
    WrongDocument { expected: String, found: String },
    #[error("签名密钥「{0}」不属于签发者")]
    ForeignKey(String),
    #[error("DID 文档中没有签名密钥「{0}」（可能是其他机构签发，或密钥文件已更换）")]
    UnknownKey(String),
    #[error("密钥「{0}」未列为 assertionMethod，不能用于签发")]
    NotForAssertion(String),
    #[error("密钥「{id}」无效：{error}")]
    BadKey { id: String, error: MultikeyError },
}

/// The `did:web` of a public address (`http://127.0.0.1:8080` →
/// `did:web:127.0.0.1%3A8080`); a trailing `/` is ignored.
pub fn did_web(public_url: &str) -> Result<String, DidError> {
    let bad = || DidError::BadUrl(public_url.to_string());
    let rest = public_url
        .strip_prefix("https://")
        .or_else(|| public_url.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let rest = rest.trim_end_matches('/');
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
        && host.matches(':').count() <= 1;
    let path_ok = path.split('/').all(|seg| {
        path.is_empty()
            || (!seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '~')))
    });
    if !host_ok || !path_ok || rest.contains(['?', '#']) {
        return Err(bad());
    }
    let mut did = format!("did:web:{}", host.to_ascii_lowercase().replace(':', "%3A"));
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        did.push(':');
        did.push_str(seg);
    }
    Ok(did)
}

/// The verification method id of a key: the DID and the key's own
/// multibase value as fragment, so that no two keys ever share an id.
pub fn key_id(did: &str, key: &VerifyingKey) -> String {
    format!("{did}#{}", multikey::encode_public(key))
}

/// The DID document listing `keys` (current first).
pub fn document(did: &str, keys: &[VerifyingKey]) -> Value {
    let methods: Vec<Value> = keys
        .iter()
        .map(|k| {
            json!({
                "id": key_id(did, k),
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": multikey::encode_public(k),
            })
        })
        .collect();
    let ids: Vec<Value> = keys.iter().map(|k| key_id(did, k).into()).collect();
    json!({
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
    })
}

/// The key `method` (a DID URL) names in `doc`, the DID document of
/// `issuer`, when `doc` lists it for `assertionMethod`.
pub fn resolve_assertion_key(
    doc: &Value,
    issuer: &str,
    method: &str,
) -> Result<VerifyingKey, DidError> {
    let id = doc.get("id").and_then(Value::as_str).unwrap_or_default();
    if id != issuer {
        return Err(DidError::WrongDocument {
            expected: issuer.to_string(),
            found: id.to_string(),
        });
    }
    if method.split('#').next() != Some(issuer) || !method.contains('#') {
        return Err(DidError::ForeignKey(method.to_string()));
    }
    // A reference may be absolute or relative to the document (`#frag`).
    let same = |r: &str| r == method || (r.starts_with('#') && format!("{issuer}{r}") == method);
    let listed = doc
        .get("assertionMethod")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|m| match m {
            Value::String(r) => same(r),
            Value::Object(o) => o.get("id").and_then(Value::as_str).is_some_and(same),
            _ => false,
        });
    let embedded = doc
        .get("assertionMethod")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object);
    let declared = doc
        .get("verificationMethod")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object);
    let vm = embedded
        .chain(declared)
        .find(|o| o.get("id").and_then(Value::as_str).is_some_and(same))
        .ok_or_else(|| DidError::UnknownKey(method.to_string()))?;
    if !listed {
        return Err(DidError::NotForAssertion(method.to_string()));
    }
    let controller = vm.get("controller").and_then(Value::as_str);
    if controller.is_some_and(|c| c != issuer) {
        return Err(DidError::ForeignKey(method.to_string()));
    }
    let value = vm
        .get("publicKeyMultibase")
        .and_then(Value::as_str)
        .unwrap_or_default();
    multikey::decode_public(value).map_err(|error| DidError::BadKey {
        id: method.to_string(),
        error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;

    #[test]
    fn did_web_of_addresses() {
        for (url, did) in [
            ("http://127.0.0.1:8080", "did:web:127.0.0.1%3A8080"),
            ("https://rsj.example.gov.cn/", "did:web:rsj.example.gov.cn"),
            (
                "https://Example.gov.cn/jineng/v1",
                "did:web:example.gov.cn:jineng:v1",
            ),
        ] {
            assert_eq!(did_web(url).unwrap(), did);
        }
        for bad in [
            "ftp://x",
            "example.gov.cn",
            "https://",
            "https://a b",
            "https://h/x?y",
        ] {
            assert!(did_web(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_resolve_only_from_their_issuers_document() {
        let did = "did:web:example.gov.cn";
        let a = SigningKey::from_bytes(&[1; 32]).verifying_key();
        let b = SigningKey::from_bytes(&[2; 32]).verifying_key();
        let doc = document(did, &[a, b]);
        assert_eq!(
            resolve_assertion_key(&doc, did, &key_id(did, &b)).unwrap(),
            b
        );
        let other = SigningKey::from_bytes(&[3; 32]).verifying_key();
        assert!(matches!(
            resolve_assertion_key(&doc, did, &key_id(did, &other)),
            Err(DidError::UnknownKey(_))
        ));
        assert!(matches!(
            resolve_assertion_key(&doc, "did:web:evil.example", &key_id(did, &a)),
            Err(DidError::WrongDocument { .. })
        ));
        let mut unlisted = doc.clone();
        unlisted["assertionMethod"] = json!([]);
        assert!(matches!(
            resolve_assertion_key(&unlisted, did, &key_id(did, &a)),
            Err(DidError::NotForAssertion(_))
        ));
    }
}
