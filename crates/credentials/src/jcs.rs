//! RFC 8785 JSON Canonicalization Scheme (JCS): the byte string that is
//! hashed and signed. No whitespace; object members sorted by their names
//! as arrays of UTF-16 code units (§ 3.2.3); strings with only the escapes
//! of § 3.2.2.2; numbers as ECMAScript's `Number.prototype.toString`
//! prints the IEEE 754 double (§ 3.2.2.3).
//!
//! Rust's shortest round-trip formatting (`{:e}`) yields the digits and
//! exponent ECMAScript's algorithm chooses (the fewest digits that read
//! back as the same double, the nearest when several do); [`number`] lays
//! them out by ECMAScript's rules. The test vectors of RFC 8785 and the
//! reference implementation's generated number file check both.

use serde_json::Value;
use std::fmt::Write;

/// A value JCS cannot represent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JcsError {
    #[error("数值 {0} 不是有限的双精度浮点数，无法规范化")]
    NonFinite(String),
}

/// The canonical form of `v`.
pub fn canonicalize(v: &Value) -> Result<String, JcsError> {
    let mut out = String::new();
    write_value(&mut out, v)?;
    Ok(out)
}

fn write_value(out: &mut String, v: &Value) -> Result<(), JcsError> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            // Integers beyond 2^53 round to the nearest double, as a JSON
            // number does in ECMAScript.
            let f = n
                .as_f64()
                .ok_or_else(|| JcsError::NonFinite(n.to_string()))?;
            out.push_str(&number(f)?);
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (k, v)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                write_value(out, v)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// A string as § 3.2.2.2 serialises it: `"` and `\` escaped, the control
/// characters U+0000–U+001F as `\b \t \n \f \r` or `\u00xx` (lower-case
/// hex), everything else as itself in UTF-8.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The fewest significant digits that read back as `x` (positive,
/// finite), in `{:e}` form; when two such strings are equally near `x`,
/// the one whose last digit is even (ECMA-262 § 6.1.6.1.20, note 2).
/// Rust's shortest formatting finds the digit count but breaks such exact
/// ties upward (1424953923781206.25 → …206.3, where ECMAScript prints
/// …206.2); formatting to that many digits in exact mode rounds the exact
/// value half-to-even, and is kept when it reads back as `x` too.
fn shortest_nearest(x: f64) -> String {
    let shortest = format!("{x:e}");
    let digits = shortest
        .split_once('e')
        .map_or(0, |(m, _)| m.chars().filter(char::is_ascii_digit).count());
    let nearest = format!("{x:.*e}", digits.saturating_sub(1));
    if nearest.parse::<f64>() == Ok(x) {
        nearest
    } else {
        shortest
    }
}

/// ECMAScript's `Number::toString(x)` (ECMA-262 § 6.1.6.1.20) for a
/// finite double: `-0` prints as `0`; otherwise, with `s` the shortest
/// digits (k of them) and `n` such that x = 0.s × 10^n, plain notation for
/// −6 < n ≤ 21 and exponent notation (`1e+21`, `1.5e-7`) outside.
pub fn number(x: f64) -> Result<String, JcsError> {
    if !x.is_finite() {
        return Err(JcsError::NonFinite(x.to_string()));
    }
    if x == 0.0 {
        return Ok("0".to_string());
    }
    let sci = shortest_nearest(x.abs());
    let (mantissa, exp) = sci.split_once('e').expect("{:e} has an exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let e: i32 = exp.parse().expect("{:e} exponent is an integer");
    let k = digits.len() as i32;
    let n = e + 1;
    let mut out = String::new();
    if x < 0.0 {
        out.push('-');
    }
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        out.push_str(&digits[..n as usize]);
        out.push('.');
        out.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-n) as usize));
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let e = n - 1;
        let _ = write!(out, "e{}{}", if e >= 0 { '+' } else { '-' }, e.abs());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_ecmascript_does() {
        for (x, s) in [
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-1.5, "-1.5"),
            (100.0, "100"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123e18, "123000000000000000000"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (333_333_333.333_333_3, "333333333.3333333"),
            (9_007_199_254_740_992.0, "9007199254740992"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (4.5, "4.5"),
            // An exact tie between two shortest forms: the even one.
            (1_424_953_923_781_206.2, "1424953923781206.2"),
            (0.002, "0.002"),
            (1e-27, "1e-27"),
        ] {
            assert_eq!(number(x).unwrap(), s, "{x:e}");
        }
        assert!(number(f64::NAN).is_err());
    }

    #[test]
    fn members_sort_by_utf16_code_units() {
        // U+FB33 sorts after U+1F600 in UTF-16 (0xFB33 > 0xD83D), though
        // not in UTF-8 or by code point.
        let v: Value = serde_json::json!({"\u{fb33}": 1, "\u{1f600}": 2, "a": 3});
        assert_eq!(
            canonicalize(&v).unwrap(),
            "{\"a\":3,\"\u{1f600}\":2,\"\u{fb33}\":1}"
        );
    }

    #[test]
    fn strings_escape_only_what_the_rfc_says() {
        let v = Value::String("\u{7f}/\u{1}\u{1f}\"\\\n€".into());
        assert_eq!(
            canonicalize(&v).unwrap(),
            "\"\u{7f}/\\u0001\\u001f\\\"\\\\\\n€\""
        );
    }
}
