//! Indicator values are integers scaled by the indicator's decimals (a
//! percentage with 2 decimals: 2500 = 25.00 %; money: fen). Parsing is
//! digit by digit, so no float rounding enters a target.

use crate::ValueError;

/// Parses "40100", "40,100", "4.01万", "25%", "25.5" into the scaled integer.
pub fn parse_value(raw: &str, decimals: u32) -> Result<i64, ValueError> {
    let s = raw.trim();
    let bad = || {
        ValueError::new(format!(
            "无法识别的数值「{s}」，应为非负数字（如 40100、4.01万、25%），最多 {decimals} 位小数"
        ))
    };
    let (body, wan) = match s.strip_suffix('万') {
        Some(b) => (b.trim(), true),
        None => (s.strip_suffix('%').unwrap_or(s).trim(), false),
    };
    let body: String = body.chars().filter(|c| *c != ',' && *c != '，').collect();
    if body.is_empty() || body.starts_with('-') {
        return Err(bad());
    }
    let (int, frac) = body.split_once('.').unwrap_or((&body, ""));
    if !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    // 万 moves the decimal point four places to the right.
    let shift = decimals + if wan { 4 } else { 0 };
    if frac.len() as u32 > shift {
        return Err(bad());
    }
    let mut digits = format!("{int}{frac}");
    for _ in frac.len() as u32..shift {
        digits.push('0');
    }
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Ok(0);
    }
    digits.parse::<i64>().map_err(|_| bad())
}

/// The scaled integer as text with thousands separators: 40100 → "40,100",
/// 2500 with 2 decimals → "25.00".
pub fn format_value(v: i64, decimals: u32) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    let scale = 10u64.pow(decimals);
    let int = (a / scale).to_string();
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if decimals == 0 {
        format!("{sign}{grouped}")
    } else {
        format!(
            "{sign}{grouped}.{:0width$}",
            a % scale,
            width = decimals as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_of_the_documents() {
        assert_eq!(parse_value("40100", 0), Ok(40100));
        assert_eq!(parse_value("40,100", 0), Ok(40100));
        assert_eq!(parse_value("4.01万", 0), Ok(40100));
        assert_eq!(parse_value("7500万", 0), Ok(75_000_000));
        assert_eq!(parse_value("25%", 2), Ok(2500));
        assert_eq!(parse_value("25.5", 2), Ok(2550));
        assert!(parse_value("4.015", 2).is_err());
        assert!(parse_value("-3", 0).is_err());
        assert!(parse_value("abc", 0).is_err());
        assert!(parse_value("1.5", 0).is_err());
    }

    #[test]
    fn formats() {
        assert_eq!(format_value(40100, 0), "40,100");
        assert_eq!(format_value(2500, 2), "25.00");
        assert_eq!(format_value(123_456_789, 2), "1,234,567.89");
        assert_eq!(format_value(-5, 0), "-5");
        assert_eq!(format_value(0, 0), "0");
    }
}
