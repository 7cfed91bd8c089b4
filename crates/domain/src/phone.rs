//! Mainland China telephone numbers: mobile numbers and landlines with area
//! code, normalised to one canonical spelling so duplicates can be detected.

use std::fmt;

use serde::Serialize;

use crate::ValueError;

/// A mainland phone number. Stored as 11 digits for a mobile
/// (`13800138000`) or `area-subscriber[-extension]` for a landline
/// (`0635-8123456`, `010-12345678-123`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    /// Accepts mobiles with an optional `+86`/`86`/`0086` prefix, and
    /// landlines with a 3- or 4-digit area code (`010-12345678`,
    /// `0635 8123456`, `(0635)8123456`, `06358123456`) plus an optional
    /// extension after `-`, `转`, `分机`, `ext`, `x` or `#`. Spaces and
    /// hyphens may separate digit groups.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        let unrecognised = || {
            ValueError::new(format!(
                "无法识别的电话号码「{s}」，应为11位手机号码（如 13800138000）或带区号的固定电话（如 0635-8123456）"
            ))
        };
        let (main, ext) = split_extension(s);
        let mut groups: Vec<String> = Vec::new();
        let mut current = String::new();
        for (i, c) in main.chars().enumerate() {
            match c {
                '0'..='9' => current.push(c),
                ' ' | '-' | '(' | ')' => {
                    if !current.is_empty() {
                        groups.push(std::mem::take(&mut current));
                    }
                }
                '+' if i == 0 => {}
                _ => {
                    return Err(ValueError::new(format!(
                        "电话号码「{s}」含有无效字符「{c}」"
                    )));
                }
            }
        }
        if !current.is_empty() {
            groups.push(current);
        }
        let all = groups.concat();
        if all.is_empty() {
            return Err(unrecognised());
        }

        let mobile = ["0086", "86"]
            .iter()
            .find_map(|p| {
                all.strip_prefix(p)
                    .filter(|r| r.len() == 11 && r.starts_with('1'))
            })
            .unwrap_or(&all);
        if mobile.starts_with('1') {
            if mobile.len() != 11 {
                return Err(ValueError::new(format!(
                    "手机号码「{s}」应为11位，实为{}位",
                    mobile.len()
                )));
            }
            if !matches!(mobile.as_bytes()[1], b'3'..=b'9') {
                return Err(ValueError::new(format!("手机号码「{s}」第2位应为 3–9")));
            }
            if ext.is_some() {
                return Err(ValueError::new(format!("手机号码「{s}」不应带分机号")));
            }
            return Ok(Self(mobile.to_owned()));
        }
        if !all.starts_with('0') {
            let n = all.len();
            if (7..=8).contains(&n) && ext.is_none() && groups.len() == 1 {
                return Err(ValueError::new(format!(
                    "固定电话「{s}」缺少区号，应写作 0635-8123456 的形式"
                )));
            }
            return Err(unrecognised());
        }
        parse_landline(s, &groups, &all, ext).ok_or_else(unrecognised)?
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_mobile(&self) -> bool {
        !self.0.starts_with('0')
    }
}

/// Splits off an extension introduced by a word marker; `-` extensions are
/// recognised later from the digit groups.
fn split_extension(s: &str) -> (&str, Option<&str>) {
    let lower = s.to_ascii_lowercase();
    for marker in ["转", "分机", "ext.", "ext", "x", "#"] {
        if let Some(pos) = lower.find(marker) {
            // to_ascii_lowercase keeps byte offsets, so `pos` is valid in `s`.
            let ext = s[pos + marker.len()..].trim();
            return (s[..pos].trim(), Some(ext));
        }
    }
    (s, None)
}

/// `None` means "not a phone number at all"; `Some(Err)` a specific problem.
fn parse_landline<'a>(
    s: &str,
    groups: &'a [String],
    all: &str,
    mut ext: Option<&'a str>,
) -> Option<Result<Phone, ValueError>> {
    // 010 and 020–029 are the only 3-digit area codes; all others have 4.
    let area_len = match all.as_bytes().get(1)? {
        b'1' | b'2' => 3,
        b'3'..=b'9' => 4,
        _ => return None,
    };
    let area = all.get(..area_len)?;
    let subscriber: String;
    if groups.len() == 1 {
        subscriber = all[area_len..].to_owned();
    } else {
        if groups[0].len() != area_len {
            return Some(Err(ValueError::new(format!(
                "电话号码「{s}」的区号「{}」应为{area_len}位（{}）",
                groups[0],
                if area_len == 3 {
                    "010、020–029"
                } else {
                    "如 0635"
                }
            ))));
        }
        // "010-22345678-123" has an extension; "0635-812-3456" is a
        // subscriber number written in two groups.
        let rest = &groups[1..];
        if ext.is_none() && rest.len() == 2 && (7..=8).contains(&rest[0].len()) {
            subscriber = rest[0].clone();
            ext = Some(rest[1].as_str());
        } else {
            subscriber = rest.concat();
        }
    }
    if !(7..=8).contains(&subscriber.len()) {
        return Some(Err(ValueError::new(format!(
            "固定电话「{s}」区号后的号码应为7–8位，实为{}位",
            subscriber.len()
        ))));
    }
    // A leading 0 would mean the area code was written twice or is wrong.
    if subscriber.starts_with('0') {
        return Some(Err(ValueError::new(format!(
            "固定电话「{s}」区号后的号码不应以 0 开头"
        ))));
    }
    let mut out = format!("{area}-{subscriber}");
    if let Some(ext) = ext {
        if ext.is_empty() || ext.len() > 6 || !ext.bytes().all(|b| b.is_ascii_digit()) {
            return Some(Err(ValueError::new(format!(
                "电话号码「{s}」的分机号「{ext}」应为1–6位数字"
            ))));
        }
        out.push('-');
        out.push_str(ext);
    }
    Some(Ok(Phone(out)))
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        Phone::parse(s).unwrap_or_else(|e| panic!("{s}: {e}")).0
    }

    #[test]
    fn mobiles() {
        for s in [
            "13800138000",
            "+86 138 0013 8000",
            "86-138-0013-8000",
            "008613800138000",
        ] {
            assert_eq!(p(s), "13800138000", "{s}");
        }
        assert!(Phone::parse("13800138000").unwrap().is_mobile());
    }

    #[test]
    fn landlines() {
        for s in [
            "0635-8123456",
            "0635 8123456",
            "06358123456",
            "(0635)8123456",
            "0635-812-3456",
        ] {
            assert_eq!(p(s), "0635-8123456", "{s}");
        }
        assert_eq!(p("010-12345678"), "010-12345678");
        assert_eq!(p("02112345678"), "021-12345678");
        assert_eq!(p("010-22345678-123"), "010-22345678-123");
        assert_eq!(p("010-22345678转123"), "010-22345678-123");
        assert_eq!(p("0635-8123456 ext. 12"), "0635-8123456-12");
        assert!(!Phone::parse("0635-8123456").unwrap().is_mobile());
    }

    #[test]
    fn errors() {
        let e = |s: &str| Phone::parse(s).unwrap_err().0;
        assert_eq!(e("1380013800"), "手机号码「1380013800」应为11位，实为10位");
        assert_eq!(e("12800138000"), "手机号码「12800138000」第2位应为 3–9");
        assert_eq!(
            e("8123456"),
            "固定电话「8123456」缺少区号，应写作 0635-8123456 的形式"
        );
        assert_eq!(
            e("063-58123456"),
            "电话号码「063-58123456」的区号「063」应为4位（如 0635）"
        );
        assert_eq!(
            e("0635-81234"),
            "固定电话「0635-81234」区号后的号码应为7–8位，实为5位"
        );
        assert_eq!(
            e("0635-0123456"),
            "固定电话「0635-0123456」区号后的号码不应以 0 开头"
        );
        assert_eq!(e("138a0013800"), "电话号码「138a0013800」含有无效字符「a」");
        assert!(e("").starts_with("无法识别的电话号码"));
        assert!(e("00123456789").starts_with("无法识别的电话号码"));
    }
}
