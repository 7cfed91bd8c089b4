//! W3C Bitstring Status List v1.0, purpose `revocation`.
//!
//! Each credential carries a `BitstringStatusListEntry` naming a status
//! list credential (a stable address the bureau publishes) and an index in
//! it; the bit at that index is 1 when the credential is revoked. The list
//! is at least 131,072 bits (16 KiB, § 4.1's minimum for herd privacy),
//! index 0 the left-most (most significant) bit of the first byte, and is
//! published GZIP-compressed as multibase base64url without padding (`u…`)
//! in `encodedList`.

use crate::multibase::{decode_u, encode_u};
use serde_json::{Value, json};
use std::io::{Read, Write};

/// The smallest list the specification allows, in bits.
pub const MIN_BITS: usize = 131_072;
pub const PURPOSE: &str = "revocation";
/// A decoded list larger than this is refused (a GZIP bomb).
const MAX_BITS: usize = 1 << 27;

/// What is wrong with a status list or a status entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error("状态列表（encodedList）无法解码：{0}")]
    Decode(String),
    #[error("状态列表只有 {0} 位，少于规范要求的 131072 位")]
    TooShort(usize),
    #[error("状态序号 {index} 超出状态列表的长度（{len} 位）")]
    Range { index: u64, len: usize },
    #[error("证书的状态条目（credentialStatus）有误：{0}")]
    Entry(String),
    #[error("状态列表凭证有误：{0}")]
    List(String),
}

/// The bits of a status list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitstring {
    bytes: Vec<u8>,
}

impl Bitstring {
    /// All zeros, `bits` long (at least [`MIN_BITS`], whole bytes).
    pub fn new(bits: usize) -> Bitstring {
        Bitstring {
            bytes: vec![0; bits.max(MIN_BITS).div_ceil(8)],
        }
    }

    pub fn len(&self) -> usize {
        self.bytes.len() * 8
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Sets bit `i` (index 0 is the left-most bit).
    pub fn set(&mut self, i: usize) -> Result<(), StatusError> {
        let len = self.len();
        let b = self.bytes.get_mut(i / 8).ok_or(StatusError::Range {
            index: i as u64,
            len,
        })?;
        *b |= 0x80 >> (i % 8);
        Ok(())
    }

    pub fn get(&self, i: u64) -> Result<bool, StatusError> {
        let range = StatusError::Range {
            index: i,
            len: self.len(),
        };
        let i = usize::try_from(i).map_err(|_| range.clone())?;
        let b = self.bytes.get(i / 8).ok_or(range)?;
        Ok(b & (0x80 >> (i % 8)) != 0)
    }

    /// `encodedList`: `u` + base64url (no padding) of the GZIP of the bits.
    pub fn encode(&self) -> String {
        // GZIP's header carries no time or name here, so the same bits
        // always encode alike.
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&self.bytes).expect("writing to memory");
        encode_u(&z.finish().expect("writing to memory"))
    }

    /// The bits of an `encodedList` (at least [`MIN_BITS`]).
    pub fn decode(encoded: &str) -> Result<Bitstring, StatusError> {
        let gz = decode_u(encoded).map_err(|e| StatusError::Decode(e.to_string()))?;
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .take((MAX_BITS / 8 + 1) as u64)
            .read_to_end(&mut bytes)
            .map_err(|e| StatusError::Decode(format!("GZIP 解压失败（{e}）")))?;
        if bytes.len() * 8 > MAX_BITS {
            return Err(StatusError::Decode("解压后过大".into()));
        }
        if bytes.len() * 8 < MIN_BITS {
            return Err(StatusError::TooShort(bytes.len() * 8));
        }
        Ok(Bitstring { bytes })
    }
}

/// The `credentialStatus` of a credential at `index` of the list at
/// `list_url`.
pub fn entry(list_url: &str, index: u64) -> Value {
    json!({
        "id": format!("{list_url}#{index}"),
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE,
        "statusListIndex": index.to_string(),
        "statusListCredential": list_url,
    })
}

/// A credential's revocation entry: the list's address and the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub list_url: String,
    pub index: u64,
}

/// Reads the revocation entry of a credential (`credentialStatus` may be
/// one object or an array holding it).
pub fn read_entry(credential: &Value) -> Result<Entry, StatusError> {
    let bad = |m: &str| StatusError::Entry(m.to_string());
    let status = credential
        .get("credentialStatus")
        .ok_or_else(|| bad("缺少 credentialStatus"))?;
    let candidates: Vec<&Value> = match status {
        Value::Array(a) => a.iter().collect(),
        v => vec![v],
    };
    let e = candidates
        .into_iter()
        .find(|e| {
            e.get("type").and_then(Value::as_str) == Some("BitstringStatusListEntry")
                && e.get("statusPurpose").and_then(Value::as_str) == Some(PURPOSE)
        })
        .ok_or_else(|| bad("没有用途为 revocation 的 BitstringStatusListEntry"))?;
    let list_url = e
        .get("statusListCredential")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("缺少 statusListCredential"))?;
    let index = e
        .get("statusListIndex")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("statusListIndex 应为非负整数的字符串"))?;
    Ok(Entry {
        list_url: list_url.to_string(),
        index,
    })
}

/// The unsigned status list credential published at `list_url`.
pub fn list_credential(list_url: &str, issuer: &str, valid_from: &str, bits: &Bitstring) -> Value {
    json!({
        "@context": [crate::credential::VC_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": format!("{list_url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": bits.encode(),
        },
    })
}

/// Whether the credential whose `entry` this is is revoked, per the
/// verified status list credential `list` (§ 3.2 Validate Algorithm).
pub fn is_revoked(list: &Value, entry: &Entry) -> Result<bool, StatusError> {
    let bad = |m: String| StatusError::List(m);
    if list.get("id").and_then(Value::as_str) != Some(entry.list_url.as_str()) {
        return Err(bad(format!("其 id 不是证书所指的「{}」", entry.list_url)));
    }
    let types = list.get("type").and_then(Value::as_array);
    if !types
        .into_iter()
        .flatten()
        .any(|t| t == "BitstringStatusListCredential")
    {
        return Err(bad("类型不是 BitstringStatusListCredential".into()));
    }
    let subject = list
        .get("credentialSubject")
        .ok_or_else(|| bad("缺少 credentialSubject".into()))?;
    if subject.get("statusPurpose").and_then(Value::as_str) != Some(PURPOSE) {
        return Err(bad("用途不是 revocation".into()));
    }
    let encoded = subject
        .get("encodedList")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("缺少 encodedList".into()))?;
    Bitstring::decode(encoded)?.get(entry.index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_round_trip_through_the_encoding() {
        let mut b = Bitstring::new(0);
        assert_eq!(b.len(), MIN_BITS);
        b.set(0).unwrap();
        b.set(9).unwrap();
        b.set(MIN_BITS - 1).unwrap();
        assert!(b.set(MIN_BITS).is_err());
        let enc = b.encode();
        assert!(enc.starts_with("uH4sI"), "{enc}");
        assert_eq!(enc, b.encode(), "deterministic");
        let back = Bitstring::decode(&enc).unwrap();
        assert_eq!(back, b);
        assert_eq!(back.bytes[0], 0x80, "index 0 is the left-most bit");
        assert_eq!(back.bytes[1], 0x40);
        assert!(back.get(9).unwrap() && !back.get(8).unwrap());
        assert!(back.get(MIN_BITS as u64).is_err());
    }

    #[test]
    fn short_lists_are_refused() {
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(&[0u8; 100]).unwrap();
        let enc = encode_u(&z.finish().unwrap());
        assert_eq!(Bitstring::decode(&enc), Err(StatusError::TooShort(800)));
    }

    #[test]
    fn entries_read_back() {
        let c = json!({"credentialStatus": entry("https://x.example/credentials/status/1", 4711)});
        let e = read_entry(&c).unwrap();
        assert_eq!(e.index, 4711);
        assert_eq!(e.list_url, "https://x.example/credentials/status/1");
        let bad = json!({"credentialStatus": {"type": "BitstringStatusListEntry",
            "statusPurpose": "revocation", "statusListIndex": 5, "statusListCredential": "x"}});
        assert!(read_entry(&bad).is_err(), "an index must be a string");
    }
}
