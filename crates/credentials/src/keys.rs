//! The bureau's signing keys as its key file holds them: the current
//! Ed25519 private key, and the public keys of the keys rotated out, each
//! with when it was made and retired. Old private keys are not kept: once
//! rotated out a key signs nothing more, and its public half is all that
//! earlier credentials need to verify.
//!
//! The file is JSON (`format` = `jineng-signing-keys/1`) with keys as
//! multikeys (`publicKeyMultibase`, `secretKeyMultibase`). Reading and
//! writing the file (mode 0600) is the store's; this module only turns a
//! key ring into text and back. Randomness comes from the caller as a
//! seed, so that this crate stays free of I/O.

use crate::did;
use crate::multikey::{self, MultikeyError};
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const FORMAT: &str = "jineng-signing-keys/1";

/// A key file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyFileError {
    #[error("不是有效的 JSON：{0}")]
    Json(String),
    #[error("格式应为「{FORMAT}」")]
    Format,
    #[error("{0}")]
    Key(#[from] MultikeyError),
    #[error("当前私钥与其公钥不符")]
    Mismatch,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CurrentEntry {
    public_key_multibase: String,
    secret_key_multibase: String,
    created: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RetiredEntry {
    public_key_multibase: String,
    created: String,
    retired: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct FileText {
    format: String,
    note: String,
    current: CurrentEntry,
    #[serde(default)]
    previous: Vec<RetiredEntry>,
}

const NOTE: &str = "Jineng 证书签名密钥。current 为当前私钥，切勿外传；previous 为已轮换密钥的公钥，保留以便旧证书仍可验证。";

/// A key rotated out: its public key and validity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetiredKey {
    pub public: VerifyingKey,
    pub created: String,
    pub retired: String,
}

/// The current signing key and the retired public keys, newest first.
#[derive(Clone)]
pub struct KeyRing {
    current: SigningKey,
    created: String,
    retired: Vec<RetiredKey>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("current", &multikey::encode_public(&self.public()))
            .field("retired", &self.retired.len())
            .finish()
    }
}

impl KeyRing {
    /// A ring with one key made from `seed` (32 random bytes) at `now`.
    pub fn new(seed: [u8; 32], now: &str) -> KeyRing {
        KeyRing {
            current: SigningKey::from_bytes(&seed),
            created: now.to_string(),
            retired: Vec::new(),
        }
    }

    /// Makes a new current key from `seed`; the old one's public key is
    /// kept, retired at `now`.
    pub fn rotate(&mut self, seed: [u8; 32], now: &str) {
        let old = std::mem::replace(&mut self.current, SigningKey::from_bytes(&seed));
        let created = std::mem::replace(&mut self.created, now.to_string());
        self.retired.insert(
            0,
            RetiredKey {
                public: old.verifying_key(),
                created,
                retired: now.to_string(),
            },
        );
    }

    pub fn signing_key(&self) -> &SigningKey {
        &self.current
    }

    pub fn public(&self) -> VerifyingKey {
        self.current.verifying_key()
    }

    /// When the current key was made.
    pub fn created(&self) -> &str {
        &self.created
    }

    pub fn retired(&self) -> &[RetiredKey] {
        &self.retired
    }

    /// Every public key, the current one first.
    pub fn public_keys(&self) -> Vec<VerifyingKey> {
        std::iter::once(self.public())
            .chain(self.retired.iter().map(|r| r.public))
            .collect()
    }

    /// The verification method id of the current key under `did`.
    pub fn key_id(&self, did: &str) -> String {
        did::key_id(did, &self.public())
    }

    /// The DID document of `did` listing every key.
    pub fn did_document(&self, did: &str) -> Value {
        did::document(did, &self.public_keys())
    }

    /// The key file's text.
    pub fn to_text(&self) -> String {
        let f = FileText {
            format: FORMAT.into(),
            note: NOTE.into(),
            current: CurrentEntry {
                public_key_multibase: multikey::encode_public(&self.public()),
                secret_key_multibase: multikey::encode_secret(&self.current),
                created: self.created.clone(),
            },
            previous: self
                .retired
                .iter()
                .map(|r| RetiredEntry {
                    public_key_multibase: multikey::encode_public(&r.public),
                    created: r.created.clone(),
                    retired: r.retired.clone(),
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&f).expect("plain data serialises");
        text.push('\n');
        text
    }

    /// The ring a key file holds.
    pub fn from_text(text: &str) -> Result<KeyRing, KeyFileError> {
        let f: FileText =
            serde_json::from_str(text).map_err(|e| KeyFileError::Json(e.to_string()))?;
        if f.format != FORMAT {
            return Err(KeyFileError::Format);
        }
        let current = multikey::decode_secret(&f.current.secret_key_multibase)?;
        if multikey::decode_public(&f.current.public_key_multibase)? != current.verifying_key() {
            return Err(KeyFileError::Mismatch);
        }
        let retired = f
            .previous
            .into_iter()
            .map(|r| {
                Ok(RetiredKey {
                    public: multikey::decode_public(&r.public_key_multibase)?,
                    created: r.created,
                    retired: r.retired,
                })
            })
            .collect::<Result<Vec<_>, KeyFileError>>()?;
        Ok(KeyRing {
            current,
            created: f.current.created,
            retired,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rotated_ring_keeps_old_public_keys_and_reads_back() {
        let mut ring = KeyRing::new([7; 32], "2026-01-01T00:00:00Z");
        let first = ring.public();
        ring.rotate([8; 32], "2026-02-01T00:00:00Z");
        assert_ne!(ring.public(), first);
        assert_eq!(ring.public_keys(), vec![ring.public(), first]);
        let text = ring.to_text();
        assert!(!text.contains(&multikey::encode_secret(&SigningKey::from_bytes(&[7; 32]))));
        let back = KeyRing::from_text(&text).unwrap();
        assert_eq!(back.public_keys(), ring.public_keys());
        assert_eq!(back.retired()[0].retired, "2026-02-01T00:00:00Z");
        let doc = back.did_document("did:web:x");
        assert_eq!(doc["assertionMethod"].as_array().unwrap().len(), 2);
        let tampered = text.replacen(
            &multikey::encode_public(&ring.public()),
            &multikey::encode_public(&first),
            1,
        );
        assert_eq!(
            KeyRing::from_text(&tampered).unwrap_err(),
            KeyFileError::Mismatch
        );
    }
}
