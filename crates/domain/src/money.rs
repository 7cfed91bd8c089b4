//! Money as an integer number of fen (0.01 yuan). Amounts are parsed from
//! their decimal text digit by digit so no floating-point rounding can creep
//! into subsidy totals.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

use serde::{Deserialize, Serialize};

use crate::ValueError;

/// An amount in fen; serialized as a plain integer.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);

    /// Parses a non-negative yuan amount: "1200", "1200.5", "1,200.00",
    /// "￥1200", "1200元". At most two decimals; thousands separators must
    /// group by three.
    pub fn parse_yuan(raw: &str) -> Result<Fen, ValueError> {
        let s = raw.trim();
        let body = s.trim_start_matches(['¥', '￥']).trim();
        let body = body.strip_suffix('元').unwrap_or(body).trim();
        if body.starts_with('-') {
            return Err(ValueError::new(format!("金额「{s}」不能为负数")));
        }
        let (int_part, frac_part) = match body.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (body, None),
        };
        let bad_format = || {
            ValueError::new(format!(
                "无法识别的金额「{s}」，应为以元为单位的数字，最多两位小数，如 1200 或 1,200.50"
            ))
        };
        let int_digits = strip_thousands(int_part).ok_or_else(bad_format)?;
        if int_digits.is_empty() || !int_digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad_format());
        }
        let frac = frac_part.unwrap_or("");
        if (frac_part.is_some() && frac.is_empty()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad_format());
        }
        if frac.len() > 2 {
            return Err(ValueError::new(format!(
                "金额「{s}」小数超过两位（最小单位为分）"
            )));
        }
        let too_large = || ValueError::new(format!("金额「{s}」过大"));
        let mut fen: i64 = 0;
        let frac_padded = format!("{frac:0<2}");
        for b in int_digits.bytes().chain(frac_padded.bytes()) {
            fen = fen
                .checked_mul(10)
                .and_then(|v| v.checked_add(i64::from(b - b'0')))
                .ok_or_else(too_large)?;
        }
        Ok(Fen(fen))
    }

    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).map(Fen)
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// Yuan with exactly two decimals, e.g. "1200.50"; same as `Display`.
    pub fn yuan_string(&self) -> String {
        self.to_string()
    }

    /// Yuan with thousands separators, as pages show totals: `1,234.56`.
    pub fn grouped(&self) -> String {
        let plain = self.to_string();
        let (sign, body) = plain.split_at(usize::from(plain.starts_with('-')));
        let (int, frac) = body.split_once('.').unwrap_or((body, "00"));
        let mut out = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        format!("{sign}{out}.{frac}")
    }
}

/// Removes thousands separators, checking they sit every three digits;
/// `None` when they are misplaced ("12,00").
fn strip_thousands(s: &str) -> Option<String> {
    if !s.contains(',') {
        return Some(s.to_owned());
    }
    let groups: Vec<&str> = s.split(',').collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
        return None;
    }
    Some(groups.concat())
}

/// An amount as every page, message and decision trace shows it:
/// `1,740,700.00 元` (thousands separators, two decimals, the unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Yuan(pub Fen);

impl fmt::Display for Yuan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} 元", self.0.grouped())
    }
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Add for Fen {
    type Output = Fen;
    fn add(self, rhs: Fen) -> Fen {
        Fen(self.0 + rhs.0)
    }
}

impl AddAssign for Fen {
    fn add_assign(&mut self, rhs: Fen) {
        self.0 += rhs.0;
    }
}

impl Sub for Fen {
    type Output = Fen;
    fn sub(self, rhs: Fen) -> Fen {
        Fen(self.0 - rhs.0)
    }
}

impl SubAssign for Fen {
    fn sub_assign(&mut self, rhs: Fen) {
        self.0 -= rhs.0;
    }
}

impl Neg for Fen {
    type Output = Fen;
    fn neg(self) -> Fen {
        Fen(-self.0)
    }
}

impl Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        iter.fold(Fen::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Fen> for Fen {
    fn sum<I: Iterator<Item = &'a Fen>>(iter: I) -> Fen {
        iter.copied().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_yuan() {
        assert_eq!(Fen(123_456).grouped(), "1,234.56");
        assert_eq!(Fen(5).grouped(), "0.05");
        assert_eq!(Fen(100_000_000).grouped(), "1,000,000.00");
        assert_eq!(Fen(-123_456_789).grouped(), "-1,234,567.89");
        assert_eq!(
            Fen::parse_yuan(&Fen(98_765_432).grouped()),
            Ok(Fen(98_765_432))
        );
    }

    fn p(s: &str) -> i64 {
        Fen::parse_yuan(s).unwrap_or_else(|e| panic!("{s}: {e}")).0
    }

    #[test]
    fn accepted_forms() {
        assert_eq!(p("1200"), 120_000);
        assert_eq!(p("1200.5"), 120_050);
        assert_eq!(p("1200.50"), 120_050);
        assert_eq!(p("1,200.00"), 120_000);
        assert_eq!(p("￥1200"), 120_000);
        assert_eq!(p("¥ 1,234,567.89"), 123_456_789);
        assert_eq!(p("1200元"), 120_000);
        assert_eq!(p("0.01"), 1);
        assert_eq!(p("0"), 0);
    }

    #[test]
    fn rejected_forms() {
        let e = |s: &str| Fen::parse_yuan(s).unwrap_err().0;
        assert_eq!(e("-5"), "金额「-5」不能为负数");
        assert_eq!(e("1.234"), "金额「1.234」小数超过两位（最小单位为分）");
        assert!(e("12,00").starts_with("无法识别的金额"));
        assert!(e("1e3").starts_with("无法识别的金额"));
        assert!(e("").starts_with("无法识别的金额"));
        assert!(e("12.").starts_with("无法识别的金额"));
        assert!(e(".5").starts_with("无法识别的金额"));
        assert_eq!(
            e("99999999999999999999"),
            "金额「99999999999999999999」过大"
        );
    }

    #[test]
    fn display_and_arithmetic() {
        assert_eq!(Fen(120_050).to_string(), "1200.50");
        assert_eq!(Fen(5).yuan_string(), "0.05");
        assert_eq!(Fen(-5).to_string(), "-0.05");
        assert_eq!(Fen(1) + Fen(2) - Fen(4), -Fen(1));
        assert_eq!([Fen(1), Fen(2)].iter().sum::<Fen>(), Fen(3));
        assert_eq!(Fen(i64::MAX).checked_add(Fen(1)), None);
        assert_eq!(Fen(i64::MIN).checked_sub(Fen(1)), None);
        assert!(Fen(1).is_positive() && !Fen::ZERO.is_positive());
        assert!(Fen(1) < Fen(2));
    }
}
