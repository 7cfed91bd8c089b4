//! Unified social credit codes of organisations (GB 32100-2015): parsing and
//! the MOD 31 check character.

use std::fmt;

use serde::Serialize;

use crate::ValueError;

/// The 31 code characters; I, O, Z, S and V are excluded to avoid confusion
/// with digits and each other. A character's value is its index.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights 3^i mod 31 of the first 17 characters.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A validated 18-character unified social credit code (upper-case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CreditCode(String);

impl CreditCode {
    /// Validates length, alphabet, the digit-only registration region code
    /// (characters 3–8) and the check character. Lower-case input is accepted.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim().to_ascii_uppercase();
        let len = s.chars().count();
        if len != 18 {
            return Err(ValueError::new(format!(
                "统一社会信用代码应为18位，实为{len}位"
            )));
        }
        for (i, c) in s.chars().enumerate() {
            if (2..8).contains(&i) {
                if !c.is_ascii_digit() {
                    return Err(ValueError::new(format!(
                        "统一社会信用代码第{}位应为数字（第3–8位为登记管理机关行政区划码），实为「{c}」",
                        i + 1
                    )));
                }
            } else if value(c).is_none() {
                return Err(ValueError::new(format!(
                    "统一社会信用代码第{}位「{c}」不是有效字符（应为数字或除 I、O、Z、S、V 以外的大写字母）",
                    i + 1
                )));
            }
        }
        let expected = check_char(&s[..17]);
        if s.as_bytes()[17] != expected as u8 {
            return Err(ValueError::new(format!(
                "统一社会信用代码校验位错误（应为 {expected}）"
            )));
        }
        Ok(Self(s))
    }

    /// Appends the check character to a 17-character body; intended for demo
    /// and benchmark data generators.
    ///
    /// # Panics
    /// If `first17` is not 17 characters of the code alphabet with digits at
    /// positions 3–8.
    pub fn from_body(first17: &str) -> CreditCode {
        let body = first17.to_ascii_uppercase();
        let code = format!("{body}{}", check_char(&body));
        match Self::parse(&code) {
            Ok(c) => c,
            Err(e) => panic!("invalid credit code body {first17:?}: {e}"),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Characters 3–8: the administrative region code of the registration
    /// authority.
    pub fn region_prefix(&self) -> &str {
        &self.0[2..8]
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn value(c: char) -> Option<u32> {
    let b = u8::try_from(c).ok()?;
    ALPHABET.iter().position(|&a| a == b).map(|i| i as u32)
}

/// MOD 31 check character of the first 17 (upper-case) characters.
///
/// # Panics
/// In debug builds, if `first17` is not 17 characters of the code alphabet
/// (release builds treat unknown characters as 0). Callers validate first.
pub fn check_char(first17: &str) -> char {
    debug_assert!(
        first17.chars().count() == 17 && first17.chars().all(|c| value(c).is_some()),
        "check_char needs 17 code characters, got {first17:?}"
    );
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| value(c).unwrap_or(0) * w)
        .sum();
    ALPHABET[((31 - sum % 31) % 31) as usize] as char
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_valid_codes() {
        for code in [
            "91350100M000100Y43",
            "91110000802100433B",
            "11100000000013127D",
        ] {
            let c = CreditCode::parse(code).unwrap();
            assert_eq!(c.as_str(), code);
        }
        let c = CreditCode::parse(" 91350100m000100y43 ").unwrap();
        assert_eq!(c.as_str(), "91350100M000100Y43");
        assert_eq!(c.region_prefix(), "350100");
        assert_eq!(c.to_string(), "91350100M000100Y43");
    }

    #[test]
    fn from_body_computes_check() {
        assert_eq!(check_char("91350100M000100Y4"), '3');
        assert_eq!(
            CreditCode::from_body("91350100M000100Y4").as_str(),
            "91350100M000100Y43"
        );
    }

    #[test]
    fn error_messages() {
        let e = |s: &str| CreditCode::parse(s).unwrap_err().0;
        assert_eq!(e("91350100M000100Y4"), "统一社会信用代码应为18位，实为17位");
        assert_eq!(
            e("91350100M000100Y44"),
            "统一社会信用代码校验位错误（应为 3）"
        );
        assert!(e("9135A100M000100Y43").contains("第5位应为数字"));
        assert!(e("91350100O000100Y43").contains("第9位「O」不是有效字符"));
    }
}
