//! The Data Integrity proof with cryptosuite `eddsa-jcs-2022`, exactly as
//! W3C "Data Integrity EdDSA Cryptosuites v1.0" § 3.3 defines it:
//!
//! - transformation: the JCS of the unsecured document (§ 3.3.3);
//! - proof configuration: the JCS of the proof options, which carry the
//!   document's `@context` (§ 3.3.1 step 2, § 3.3.5);
//! - hashing: `SHA-256(proofConfig) || SHA-256(document)`, 64 bytes
//!   (§ 3.3.4);
//! - serialisation: Ed25519 (pure EdDSA) over those 64 bytes, the
//!   signature as `z` + base58-btc in `proofValue` (§ 3.3.6);
//! - verification (§ 3.3.2): the proof's `@context` must be a prefix of the
//!   document's and replaces it before transformation; the key comes from
//!   the caller, who resolves `verificationMethod` (a DID document).
//!
//! The steps are public functions so that the tests compare each
//! intermediate value with the specification's test vectors.

use crate::jcs::{self, JcsError};
use crate::multibase::{decode_z, encode_z};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

pub const PROOF_TYPE: &str = "DataIntegrityProof";
pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";
pub const ASSERTION_METHOD: &str = "assertionMethod";

/// Why a proof could not be made or does not verify (the specification's
/// error types in brackets).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("文档不是 JSON 对象")]
    NotAnObject,
    #[error("文档没有证明（proof）")]
    NoProof,
    #[error("文档已带有证明，不能再次签名")]
    AlreadySigned,
    #[error("证明不是单个 JSON 对象（不支持证明集或证明链）")]
    ProofNotAnObject,
    #[error(
        "证明类型应为 DataIntegrityProof、密码套件应为 eddsa-jcs-2022（PROOF_VERIFICATION_ERROR）"
    )]
    WrongSuite,
    #[error("证明的 created 不是有效的 XML Schema 日期时间（PROOF_GENERATION_ERROR）")]
    BadCreated,
    #[error("证明用途应为 assertionMethod")]
    WrongPurpose,
    #[error("证明缺少 {0}")]
    Missing(&'static str),
    #[error("证明值（proofValue）无法解码：{0}")]
    BadProofValue(String),
    #[error("证明的 @context 与文档的 @context 开头不一致")]
    ContextMismatch,
    #[error("{0}")]
    Canonical(#[from] JcsError),
    #[error("签名不符：文件在签名后被改动，或不是由该密钥签名")]
    BadSignature,
}

/// The options a new proof is made with (§ 3.3.1's `options`).
#[derive(Debug, Clone)]
pub struct ProofOptions {
    /// The DID URL of the key, e.g. `did:web:host#z6Mk…`.
    pub verification_method: String,
    /// When, as an XML Schema `dateTime` (`2026-01-07T08:00:00Z`).
    pub created: String,
}

impl ProofOptions {
    fn to_map(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("type".into(), PROOF_TYPE.into());
        m.insert("cryptosuite".into(), CRYPTOSUITE.into());
        m.insert("created".into(), self.created.clone().into());
        m.insert(
            "verificationMethod".into(),
            self.verification_method.clone().into(),
        );
        m.insert("proofPurpose".into(), ASSERTION_METHOD.into());
        m
    }
}

/// § 3.3.3 Transformation: the JCS of the unsecured document, after the
/// options' type and cryptosuite are checked.
pub fn transform(unsecured: &Value, options: &Map<String, Value>) -> Result<String, ProofError> {
    check_suite(options)?;
    Ok(jcs::canonicalize(unsecured)?)
}

/// § 3.3.5 Proof Configuration: the JCS of the proof options.
pub fn proof_configuration(options: &Map<String, Value>) -> Result<String, ProofError> {
    check_suite(options)?;
    if let Some(created) = options.get("created")
        && !created.as_str().is_some_and(is_xsd_datetime)
    {
        return Err(ProofError::BadCreated);
    }
    Ok(jcs::canonicalize(&Value::Object(options.clone()))?)
}

/// § 3.3.4 Hashing: SHA-256 of the proof configuration, then of the
/// transformed document.
pub fn hash_data(transformed: &str, proof_config: &str) -> [u8; 64] {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&Sha256::digest(proof_config.as_bytes()));
    out[32..].copy_from_slice(&Sha256::digest(transformed.as_bytes()));
    out
}

fn check_suite(options: &Map<String, Value>) -> Result<(), ProofError> {
    let is = |k: &str, v: &str| options.get(k).and_then(Value::as_str) == Some(v);
    if is("type", PROOF_TYPE) && is("cryptosuite", CRYPTOSUITE) {
        Ok(())
    } else {
        Err(ProofError::WrongSuite)
    }
}

/// § 3.3.1 Create Proof, and the secured document: `unsecured` with the
/// proof added.
pub fn sign(
    unsecured: &Value,
    options: &ProofOptions,
    key: &SigningKey,
) -> Result<Value, ProofError> {
    let doc = unsecured.as_object().ok_or(ProofError::NotAnObject)?;
    if doc.contains_key("proof") {
        return Err(ProofError::AlreadySigned);
    }
    let mut proof = options.to_map();
    if let Some(ctx) = doc.get("@context") {
        proof.insert("@context".into(), ctx.clone());
    }
    let proof_config = proof_configuration(&proof)?;
    let transformed = transform(unsecured, &proof)?;
    let signature = key.sign(&hash_data(&transformed, &proof_config));
    proof.insert("proofValue".into(), encode_z(&signature.to_bytes()).into());
    let mut secured = doc.clone();
    secured.insert("proof".into(), Value::Object(proof));
    Ok(Value::Object(secured))
}

/// A proof's options as read from a secured document, before its key is
/// known: the caller resolves `verification_method`, then calls
/// [`ReadProof::verify`].
#[derive(Debug, Clone)]
pub struct ReadProof {
    pub verification_method: String,
    pub created: Option<String>,
    unsecured: Value,
    options: Map<String, Value>,
    signature: Signature,
}

/// § 3.3.2 steps 1–4: splits the secured document into the unsecured
/// document and the proof options, decodes the proof value and checks the
/// `@context` prefix.
pub fn read(secured: &Value) -> Result<ReadProof, ProofError> {
    let doc = secured.as_object().ok_or(ProofError::NotAnObject)?;
    let mut unsecured = doc.clone();
    let proof = unsecured.remove("proof").ok_or(ProofError::NoProof)?;
    let Value::Object(mut options) = proof else {
        return Err(ProofError::ProofNotAnObject);
    };
    let value = options
        .remove("proofValue")
        .ok_or(ProofError::Missing("proofValue"))?;
    let bytes = value
        .as_str()
        .ok_or_else(|| ProofError::BadProofValue("不是字符串".into()))
        .and_then(|s| decode_z(s).map_err(|e| ProofError::BadProofValue(e.to_string())))?;
    let signature = Signature::from_slice(&bytes)
        .map_err(|_| ProofError::BadProofValue(format!("长度为 {} 字节，应为 64", bytes.len())))?;
    check_suite(&options)?;
    if let Some(proof_ctx) = options.get("@context") {
        let as_list = |v: Option<&Value>| -> Vec<Value> {
            match v {
                Some(Value::Array(a)) => a.clone(),
                Some(v) => vec![v.clone()],
                None => Vec::new(),
            }
        };
        let wanted = as_list(Some(proof_ctx));
        let have = as_list(doc.get("@context"));
        if have.len() < wanted.len() || have[..wanted.len()] != wanted[..] {
            return Err(ProofError::ContextMismatch);
        }
        unsecured.insert("@context".into(), proof_ctx.clone());
    }
    let verification_method = options
        .get("verificationMethod")
        .and_then(Value::as_str)
        .ok_or(ProofError::Missing("verificationMethod"))?
        .to_string();
    if options.get("proofPurpose").and_then(Value::as_str) != Some(ASSERTION_METHOD) {
        return Err(ProofError::WrongPurpose);
    }
    Ok(ReadProof {
        verification_method,
        created: options
            .get("created")
            .and_then(Value::as_str)
            .map(str::to_string),
        unsecured: Value::Object(unsecured),
        options,
        signature,
    })
}

impl ReadProof {
    /// § 3.3.2 steps 5–8 with the resolved key: the unsecured document
    /// (its `@context` as the proof's) when the signature holds.
    pub fn verify(self, key: &VerifyingKey) -> Result<Value, ProofError> {
        let transformed = transform(&self.unsecured, &self.options)?;
        let proof_config = proof_configuration(&self.options)?;
        let hash = hash_data(&transformed, &proof_config);
        key.verify_strict(&hash, &self.signature)
            .map_err(|_| ProofError::BadSignature)?;
        Ok(self.unsecured)
    }
}

/// An XML Schema 1.1 `dateTime`: `[-]YYYY-MM-DDThh:mm:ss[.s+][Z|±hh:mm]`
/// with field ranges checked (a leap second 60 is refused, as chrono does).
pub fn is_xsd_datetime(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    let (body, tz_ok) = if let Some(b) = body.strip_suffix('Z') {
        (b, true)
    } else if body.len() > 6 && matches!(body.as_bytes()[body.len() - 6], b'+' | b'-') {
        let (b, tz) = body.split_at(body.len() - 6);
        let ok = tz.as_bytes()[3] == b':'
            && tz[1..3].parse::<u32>().is_ok_and(|h| h <= 14)
            && tz[4..].parse::<u32>().is_ok_and(|m| m <= 59)
            && tz[1..].bytes().filter(u8::is_ascii_digit).count() == 4;
        (b, ok)
    } else {
        (body, true)
    };
    let (date, time) = match body.split_once('T') {
        Some(p) => p,
        None => return false,
    };
    let time = time.split_once('.').map_or(Some(time), |(t, frac)| {
        (!frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit())).then_some(t)
    });
    let Some(time) = time else { return false };
    let digits = |t: &str, n| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
    let mut d = date.rsplitn(3, '-');
    let (Some(day), Some(month), Some(year)) = (d.next(), d.next(), d.next()) else {
        return false;
    };
    let mut t = time.split(':');
    let (Some(h), Some(mi), Some(sec), None) = (t.next(), t.next(), t.next(), t.next()) else {
        return false;
    };
    tz_ok
        && year.len() >= 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && digits(month, 2)
        && digits(day, 2)
        && digits(h, 2)
        && digits(mi, 2)
        && digits(sec, 2)
        && year.parse::<i32>().ok().is_some_and(|y| {
            chrono::NaiveDate::from_ymd_opt(y, month.parse().unwrap_or(0), day.parse().unwrap_or(0))
                .is_some()
        })
        && (h.parse::<u32>().is_ok_and(|h| h < 24) || (h == "24" && mi == "00" && sec == "00"))
        && mi.parse::<u32>().is_ok_and(|m| m < 60)
        && sec.parse::<u32>().is_ok_and(|s| s < 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xsd_datetimes() {
        for ok in [
            "2023-02-24T23:36:38Z",
            "2019-06-30T00:00:00+08:00",
            "2019-06-30T00:00:00.125Z",
            "2019-06-30T00:00:00",
            "12019-06-30T00:00:00Z",
        ] {
            assert!(is_xsd_datetime(ok), "{ok}");
        }
        for bad in [
            "2023-02-24",
            "2023-02-30T00:00:00Z",
            "2023-02-24T25:00:00Z",
            "2023-02-24T23:36:38+8:00",
            "2023-02-24 23:36:38Z",
            "2023-02-24T23:36:38.Z",
            "",
        ] {
            assert!(!is_xsd_datetime(bad), "{bad}");
        }
    }
}
