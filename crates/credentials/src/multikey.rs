//! Multikey encoding of Ed25519 keys (W3C Controlled Identifiers § 2.2.2,
//! Data Integrity EdDSA § 2.1.1): the multicodec header `0xed 0x01`
//! (ed25519-pub) or `0x80 0x26` (ed25519-priv, varint of 0x1300) followed
//! by the 32 key bytes, as multibase base58-btc. A public key so encoded
//! starts `z6Mk`.

use crate::multibase::{MultibaseError, decode_z, encode_z};
use ed25519_dalek::{SigningKey, VerifyingKey};

const ED25519_PUB: [u8; 2] = [0xed, 0x01];
const ED25519_PRIV: [u8; 2] = [0x80, 0x26];

/// A key value that is not an Ed25519 multikey.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MultikeyError {
    #[error("{0}")]
    Multibase(#[from] MultibaseError),
    #[error("不是 Ed25519 {0}（多编解码器头或长度不符）")]
    NotEd25519(&'static str),
    #[error("Ed25519 公钥无效")]
    BadPoint,
}

/// `publicKeyMultibase` of a verifying key.
pub fn encode_public(key: &VerifyingKey) -> String {
    let mut bytes = ED25519_PUB.to_vec();
    bytes.extend_from_slice(key.as_bytes());
    encode_z(&bytes)
}

/// The verifying key of a `publicKeyMultibase` value.
pub fn decode_public(s: &str) -> Result<VerifyingKey, MultikeyError> {
    let raw: [u8; 32] =
        strip(&decode_z(s)?, ED25519_PUB).ok_or(MultikeyError::NotEd25519("公钥"))?;
    VerifyingKey::from_bytes(&raw).map_err(|_| MultikeyError::BadPoint)
}

/// `secretKeyMultibase` of a signing key (its 32-byte seed).
pub fn encode_secret(key: &SigningKey) -> String {
    let mut bytes = ED25519_PRIV.to_vec();
    bytes.extend_from_slice(&key.to_bytes());
    encode_z(&bytes)
}

/// The signing key of a `secretKeyMultibase` value.
pub fn decode_secret(s: &str) -> Result<SigningKey, MultikeyError> {
    let raw: [u8; 32] =
        strip(&decode_z(s)?, ED25519_PRIV).ok_or(MultikeyError::NotEd25519("私钥"))?;
    Ok(SigningKey::from_bytes(&raw))
}

fn strip(bytes: &[u8], header: [u8; 2]) -> Option<[u8; 32]> {
    bytes.strip_prefix(&header[..])?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specifications_key_pair_decodes_and_matches() {
        // TestVectors/keyPair.json of the EdDSA cryptosuites.
        let public = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
        let secret = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";
        let sk = decode_secret(secret).unwrap();
        assert_eq!(encode_public(&sk.verifying_key()), public);
        assert_eq!(encode_secret(&sk), secret);
        assert_eq!(decode_public(public).unwrap(), sk.verifying_key());
        assert!(decode_public(secret).is_err());
        assert!(decode_secret(public).is_err());
    }
}
