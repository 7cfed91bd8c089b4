//! Occupation codes of the national occupational classification (2022
//! edition), written `N-NN-NN-NN`: major group, middle group, small group,
//! occupation.

use std::fmt;

use serde::Serialize;

use crate::ValueError;

/// A syntactically valid occupation code, stored as `N-NN-NN-NN`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct OccupationCode(String);

impl OccupationCode {
    /// Accepts `N-NN-NN-NN` and 7 bare digits (`6310103` → `6-31-01-03`).
    /// The major group (first digit) must be 1–8.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        let expected = "应为 N-NN-NN-NN 格式（如 6-31-01-03）或7位数字";
        let digits: String = if s.len() == 7 && s.bytes().all(|b| b.is_ascii_digit()) {
            s.to_owned()
        } else if s.chars().count() == 10 {
            let mut digits = String::with_capacity(7);
            for (i, c) in s.chars().enumerate() {
                let hyphen_pos = matches!(i, 1 | 4 | 7);
                let ok = if hyphen_pos {
                    c == '-'
                } else {
                    c.is_ascii_digit()
                };
                if !ok {
                    let want = if hyphen_pos { "「-」" } else { "数字" };
                    return Err(ValueError::new(format!(
                        "职业编码「{s}」第{}位应为{want}，实为「{c}」",
                        i + 1
                    )));
                }
                if !hyphen_pos {
                    digits.push(c);
                }
            }
            digits
        } else {
            return Err(ValueError::new(format!(
                "职业编码「{s}」格式错误，{expected}"
            )));
        };
        let major = digits.as_bytes()[0] - b'0';
        if !(1..=8).contains(&major) {
            return Err(ValueError::new(format!(
                "职业编码「{s}」的大类 {major} 无效，应为 1–8"
            )));
        }
        Ok(Self(format!(
            "{}-{}-{}-{}",
            &digits[0..1],
            &digits[1..3],
            &digits[3..5],
            &digits[5..7]
        )))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Major group, 1–8.
    pub fn major(&self) -> u8 {
        self.0.as_bytes()[0] - b'0'
    }

    /// True for major-group (`N-00-00-00`) and middle-group (`N-NN-00-00`)
    /// codes, i.e. codes ending in `-00-00`. A code ending in a single `-00`
    /// (e.g. `2-01-01-00`) can be a real occupation, so it is not a group.
    pub fn is_group(&self) -> bool {
        self.0.ends_with("-00-00")
    }
}

impl fmt::Display for OccupationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms() {
        let a = OccupationCode::parse("6-31-01-03").unwrap();
        let b = OccupationCode::parse(" 6310103 ").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.as_str(), "6-31-01-03");
        assert_eq!(a.major(), 6);
        assert!(!a.is_group());
    }

    #[test]
    fn groups() {
        let g = |s: &str| OccupationCode::parse(s).unwrap().is_group();
        assert!(g("2-00-00-00"));
        assert!(g("2-01-00-00"));
        assert!(!g("2-01-01-00"));
        assert!(!g("4-01-02-01"));
    }

    #[test]
    fn errors() {
        let e = |s: &str| OccupationCode::parse(s).unwrap_err().0;
        assert_eq!(
            e("9-31-01-03"),
            "职业编码「9-31-01-03」的大类 9 无效，应为 1–8"
        );
        assert_eq!(e("0310103"), "职业编码「0310103」的大类 0 无效，应为 1–8");
        assert_eq!(
            e("6-31-0A-03"),
            "职业编码「6-31-0A-03」第7位应为数字，实为「A」"
        );
        assert_eq!(
            e("6.31.01.03"),
            "职业编码「6.31.01.03」第2位应为「-」，实为「.」"
        );
        assert!(e("6-31-01").contains("格式错误"));
    }
}
