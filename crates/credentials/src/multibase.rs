//! Multibase (W3C Controlled Identifiers § 2.4): `z` + base58-btc for
//! proof values and keys, `u` + base64url without padding for the status
//! list. Both codecs are written here (a few dozen lines each) rather than
//! taken from crates: the alphabets are fixed by the specifications, and
//! the tests pin them to published values.

/// base58-btc's alphabet (Bitcoin's: no 0, O, I, l).
const B58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// base64url's alphabet (RFC 4648 § 5).
const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A multibase value that does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MultibaseError {
    #[error("多基编码应以「{expected}」开头")]
    Prefix { expected: char },
    #[error("多基编码中有无效字符「{0}」")]
    Character(char),
}

/// base58-btc of `bytes` (leading zero bytes as `1`s).
pub fn base58btc_encode(bytes: &[u8]) -> String {
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    // Base-58 digits, least significant first.
    let mut digits: Vec<u8> = Vec::with_capacity(bytes.len() * 138 / 100 + 1);
    for &b in &bytes[zeros..] {
        let mut carry = b as u32;
        for d in digits.iter_mut() {
            carry += (*d as u32) << 8;
            *d = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let mut out = String::with_capacity(zeros + digits.len());
    out.extend(std::iter::repeat_n('1', zeros));
    out.extend(digits.iter().rev().map(|d| B58[*d as usize] as char));
    out
}

/// The bytes of a base58-btc string.
pub fn base58btc_decode(s: &str) -> Result<Vec<u8>, MultibaseError> {
    let zeros = s.bytes().take_while(|c| *c == b'1').count();
    // Bytes, least significant first.
    let mut bytes: Vec<u8> = Vec::with_capacity(s.len() * 733 / 1000 + 1);
    for c in s.chars().skip(zeros) {
        let v = B58
            .iter()
            .position(|a| *a as char == c)
            .ok_or(MultibaseError::Character(c))? as u32;
        let mut carry = v;
        for b in bytes.iter_mut() {
            carry += (*b as u32) * 58;
            *b = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.push((carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let mut out = vec![0u8; zeros];
    out.extend(bytes.iter().rev());
    Ok(out)
}

/// base64url without padding.
pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(B64URL[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// The bytes of base64url text without padding (a trailing `=` is refused,
/// as are bits left over in the last character).
pub fn base64url_decode(s: &str) -> Result<Vec<u8>, MultibaseError> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.chars() {
        let v = B64URL
            .iter()
            .position(|a| *a as char == c)
            .ok_or(MultibaseError::Character(c))? as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits & 0xff) as u8);
        }
    }
    // 4n+1 characters cannot occur; the unused low bits must be zero.
    if s.len() % 4 == 1 || acc & ((1 << bits) - 1) != 0 {
        let last = s.chars().last().unwrap_or('=');
        return Err(MultibaseError::Character(last));
    }
    Ok(out)
}

/// `z` + base58-btc.
pub fn encode_z(bytes: &[u8]) -> String {
    format!("z{}", base58btc_encode(bytes))
}

/// The bytes of a `z`-prefixed value.
pub fn decode_z(s: &str) -> Result<Vec<u8>, MultibaseError> {
    let rest = s
        .strip_prefix('z')
        .ok_or(MultibaseError::Prefix { expected: 'z' })?;
    base58btc_decode(rest)
}

/// `u` + base64url without padding.
pub fn encode_u(bytes: &[u8]) -> String {
    format!("u{}", base64url_encode(bytes))
}

/// The bytes of a `u`-prefixed value.
pub fn decode_u(s: &str) -> Result<Vec<u8>, MultibaseError> {
    let rest = s
        .strip_prefix('u')
        .ok_or(MultibaseError::Prefix { expected: 'u' })?;
    base64url_decode(rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        // draft-msporny-base58 § 5's examples.
        assert_eq!(base58btc_encode(b"Hello World!"), "2NEpo7TZRRrLZSi2U");
        assert_eq!(
            base58btc_encode(b"The quick brown fox jumps over the lazy dog."),
            "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z"
        );
        assert_eq!(
            base58btc_encode(&[0, 0, 0x28, 0x7f, 0xb4, 0xcd]),
            "11233QC4"
        );
        assert_eq!(
            base58btc_decode("11233QC4").unwrap(),
            [0, 0, 0x28, 0x7f, 0xb4, 0xcd]
        );
        // RFC 4648 § 10, base64url without the padding.
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64url_encode(raw.as_bytes()), enc);
            assert_eq!(base64url_decode(enc).unwrap(), raw.as_bytes());
        }
        assert_eq!(base64url_encode(&[0xfb, 0xff]), "-_8");
        assert!(base64url_decode("Zg==").is_err());
        assert!(base64url_decode("Zh").is_err(), "leftover bits");
        assert!(base58btc_decode("0OIl").is_err());
        assert!(decode_z("u123").is_err());
    }

    proptest! {
        #[test]
        fn codecs_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
            prop_assert_eq!(decode_z(&encode_z(&bytes)).unwrap(), bytes.clone());
            prop_assert_eq!(decode_u(&encode_u(&bytes)).unwrap(), bytes);
        }
    }
}
