//! Resident identity card numbers (GB 11643-1999): parsing, the ISO 7064
//! MOD 11-2 check character, and the facts encoded in the number (sex,
//! birth date, region of first registration).

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::ValueError;

/// Weights of the first 17 digits: 2^(17-i) mod 11.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character indexed by the weighted sum mod 11.
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// A validated 18-character resident ID number; the last character may be `X`
/// (always stored upper-case).
///
/// `Display` prints the full number: callers that show it to people must use
/// [`NationalId::masked`] explicitly.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct NationalId(String);

impl NationalId {
    /// Validates `raw`. `province_exists` is asked about the first two digits
    /// only: older IDs carry county codes that have since been retired, so
    /// checking the full 6-digit prefix would reject genuine numbers.
    pub fn parse(
        raw: &str,
        today: NaiveDate,
        province_exists: &dyn Fn(&str) -> bool,
    ) -> Result<Self, ValueError> {
        let s = raw.trim().to_ascii_uppercase();
        let len = s.chars().count();
        if len != 18 {
            return Err(ValueError::new(format!("身份证号码应为18位，实为{len}位")));
        }
        for (i, c) in s.chars().enumerate() {
            let ok = c.is_ascii_digit() || (i == 17 && c == 'X');
            if !ok {
                let expected = if i == 17 { "数字或 X" } else { "数字" };
                return Err(ValueError::new(format!(
                    "身份证号码第{}位应为{expected}，实为「{c}」",
                    i + 1
                )));
            }
        }
        let province = &s[0..2];
        if !province_exists(province) {
            return Err(ValueError::new(format!(
                "身份证号码前两位 {province} 不是有效的省级行政区划代码"
            )));
        }
        let birth = parse_birth(&s[6..14]).ok_or_else(|| {
            ValueError::new(format!("身份证号码中的出生日期 {} 不存在", &s[6..14]))
        })?;
        if birth > today {
            return Err(ValueError::new(format!("出生日期 {birth} 晚于今天")));
        }
        if birth.year() < 1900 {
            return Err(ValueError::new(format!(
                "出生日期 {birth} 早于 1900-01-01，不是有效的身份证号码"
            )));
        }
        let expected = check_char(&s[..17]);
        if s.as_bytes()[17] != expected as u8 {
            return Err(ValueError::new(format!(
                "身份证号码校验位错误（应为 {expected}）"
            )));
        }
        Ok(Self(s))
    }

    /// A number as the store holds it. It was checked against the province
    /// list and the date of the day it was written, so a read checks what
    /// cannot change since: 18 characters, an existing birth date from 1900
    /// on, and the check character. A stored number that fails is corrupt.
    pub fn from_stored(raw: &str) -> Result<Self, ValueError> {
        Self::parse(raw, NaiveDate::MAX, &|_| true)
    }

    /// Builds a valid ID from its parts; intended for demo and benchmark data
    /// generators. The sex follows the parity of `seq3` (odd = male).
    ///
    /// # Panics
    /// If `region6` is not 6 ASCII digits, `seq3 > 999`, or the birth year is
    /// not in 1000..=9999 (it must print as 4 digits).
    pub fn from_parts(region6: &str, birth: NaiveDate, seq3: u16) -> NationalId {
        assert!(
            region6.len() == 6 && region6.bytes().all(|b| b.is_ascii_digit()),
            "region6 must be 6 ASCII digits, got {region6:?}"
        );
        assert!(seq3 <= 999, "seq3 must be 0..=999, got {seq3}");
        assert!(
            (1000..=9999).contains(&birth.year()),
            "birth year must have 4 digits, got {birth}"
        );
        let body = format!("{region6}{}{seq3:03}", birth.format("%Y%m%d"));
        let check = check_char(&body);
        NationalId(format!("{body}{check}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 17th digit is odd for men and even for women.
    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    pub fn birth_date(&self) -> NaiveDate {
        parse_birth(&self.0[6..14]).expect("birth date validated at construction")
    }

    /// The 6-digit administrative code of first registration.
    pub fn region_prefix(&self) -> &str {
        &self.0[..6]
    }

    pub fn province_code(&self) -> &str {
        &self.0[..2]
    }

    /// First 4 and last 4 characters with 10 asterisks between,
    /// e.g. `3715**********1234`.
    pub fn masked(&self) -> String {
        mask_id(&self.0)
    }
}

/// The masked form of an ID number as stored (first 4 and last 4 characters
/// shown). Total: text that is not a valid ID is masked whole or in part,
/// never shown.
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}

impl fmt::Display for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// ISO 7064 MOD 11-2 check character of the first 17 digits.
///
/// # Panics
/// In debug builds, if `first17` is not exactly 17 ASCII digits (release
/// builds return an unspecified character). Callers validate first.
pub fn check_char(first17: &str) -> char {
    debug_assert!(
        first17.len() == 17 && first17.bytes().all(|b| b.is_ascii_digit()),
        "check_char needs 17 ASCII digits, got {first17:?}"
    );
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b.wrapping_sub(b'0')) * w)
        .sum();
    CHECK_CHARS[(sum % 11) as usize] as char
}

/// `YYYYMMDD` (already known to be 8 ASCII digits) to a calendar date.
fn parse_birth(s: &str) -> Option<NaiveDate> {
    let y: i32 = s[0..4].parse().ok()?;
    let m: u32 = s[4..6].parse().ok()?;
    let d: u32 = s[6..8].parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Sex as recorded on the ID card; serialized as "男"/"女".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Sex {
    #[serde(rename = "男")]
    Male,
    #[serde(rename = "女")]
    Female,
}

impl Sex {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        match s.trim() {
            "男" | "男性" => Ok(Sex::Male),
            "女" | "女性" => Ok(Sex::Female),
            other => Err(ValueError::new(format!(
                "无法识别的性别「{other}」，应为 男 或 女"
            ))),
        }
    }

    pub fn as_zh(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_zh())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
    }

    fn any_province(p: &str) -> bool {
        matches!(p, "11" | "37" | "44" | "65")
    }

    fn parse(s: &str) -> Result<NationalId, ValueError> {
        NationalId::parse(s, today(), &any_province)
    }

    fn err(s: &str) -> String {
        parse(s).unwrap_err().0
    }

    #[test]
    fn standard_example_is_valid() {
        let id = parse("11010519491231002X").unwrap();
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(id.region_prefix(), "110105");
        assert_eq!(id.province_code(), "11");
        assert_eq!(id.masked(), "1101**********002X");
        assert_eq!(id.to_string(), "11010519491231002X");
        assert_eq!(parse(" 11010519491231002x ").unwrap(), id);
    }

    #[test]
    fn from_parts_round_trips() {
        let birth = NaiveDate::from_ymd_opt(1990, 3, 7).unwrap();
        let id = NationalId::from_parts("371502", birth, 123);
        assert_eq!(parse(id.as_str()).unwrap(), id);
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(id.birth_date(), birth);
        assert!(id.as_str().starts_with("37150219900307123"));
        let f = NationalId::from_parts("371502", birth, 8);
        assert_eq!(&f.as_str()[14..17], "008");
        assert_eq!(f.sex(), Sex::Female);
    }

    #[test]
    fn error_messages() {
        assert_eq!(err("11010519491231002"), "身份证号码应为18位，实为17位");
        assert_eq!(err("110105194912310021"), "身份证号码校验位错误（应为 X）");
        assert_eq!(
            err("1101051949123100X2"),
            "身份证号码第17位应为数字，实为「X」"
        );
        assert_eq!(
            err("11010519491231002Y"),
            "身份证号码第18位应为数字或 X，实为「Y」"
        );
        assert_eq!(
            err("99010519491231002X"),
            "身份证号码前两位 99 不是有效的省级行政区划代码"
        );
        let future =
            NationalId::from_parts("110105", NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(), 1);
        assert_eq!(err(future.as_str()), "出生日期 2030-01-01 晚于今天");
        let old =
            NationalId::from_parts("110105", NaiveDate::from_ymd_opt(1899, 12, 31).unwrap(), 1);
        assert!(err(old.as_str()).contains("早于 1900-01-01"));
        assert_eq!(
            err("110105194902300021"),
            "身份证号码中的出生日期 19490230 不存在"
        );
        assert_eq!(err("１１０１"), "身份证号码应为18位，实为4位");
    }

    #[test]
    fn check_char_matches_standard() {
        assert_eq!(check_char("11010519491231002"), 'X');
    }

    #[test]
    fn sex_parsing() {
        assert_eq!(Sex::parse("男").unwrap(), Sex::Male);
        assert_eq!(Sex::parse("女性").unwrap(), Sex::Female);
        assert_eq!(
            Sex::parse("M").unwrap_err().0,
            "无法识别的性别「M」，应为 男 或 女"
        );
        assert_eq!(Sex::Male.as_zh(), "男");
    }
}
