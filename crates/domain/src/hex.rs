//! Lowercase hexadecimal, for hashes, tags and keys.

use crate::ValueError;

pub fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    s
}

/// Decodes hex digits (either case); refuses odd lengths and other characters.
pub fn decode(s: &str) -> Result<Vec<u8>, ValueError> {
    if !s.len().is_multiple_of(2) {
        return Err(ValueError::new(format!(
            "十六进制文本应为偶数个字符，实为 {} 个",
            s.chars().count()
        )));
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    s.as_bytes()
        .chunks(2)
        .enumerate()
        .map(|(i, pair)| match (digit(pair[0]), digit(pair[1])) {
            (Some(h), Some(l)) => Ok(h << 4 | l),
            _ => Err(ValueError::new(format!(
                "第 {} 个字符起不是十六进制数字（0–9、a–f）",
                i * 2 + 1
            ))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        assert_eq!(encode(&[0x00, 0xab, 0xff]), "00abff");
        assert_eq!(decode("00ABff").unwrap(), vec![0x00, 0xab, 0xff]);
        assert!(decode("abc").is_err());
        assert!(decode("zz").unwrap_err().message().contains("第 1 个字符"));
    }
}
