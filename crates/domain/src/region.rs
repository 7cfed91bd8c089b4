//! Administrative division codes (GB/T 2260): the 6-digit code and the
//! province / prefecture / county hierarchy encoded in it. Whether a code
//! actually exists is a reference-data question answered elsewhere.

use std::fmt;

use serde::Serialize;

use crate::ValueError;

/// A syntactically valid 6-digit administrative division code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RegionCode(String);

/// Level of a division, derived from trailing zeros.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    Province,
    Prefecture,
    County,
}

impl RegionLevel {
    pub fn as_zh(self) -> &'static str {
        match self {
            RegionLevel::Province => "省级",
            RegionLevel::Prefecture => "市级",
            RegionLevel::County => "县级",
        }
    }
}

impl fmt::Display for RegionLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_zh())
    }
}

impl RegionCode {
    /// Accepts 6 digits, and also the 2-digit province ("37" → "370000") and
    /// 4-digit prefecture ("3715" → "371500") short forms used by the
    /// reference data. The first digit must be 1–9: no province code starts
    /// with 0.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(ValueError::new(format!(
                "行政区划代码「{s}」第{}位「{c}」不是数字，应为6位数字",
                i + 1
            )));
        }
        let full = match s.len() {
            2 => format!("{s}0000"),
            4 => format!("{s}00"),
            6 => s.to_owned(),
            n => {
                return Err(ValueError::new(format!(
                    "行政区划代码应为6位数字（或2位省级、4位市级简写），「{s}」为{n}位"
                )));
            }
        };
        if full.starts_with('0') {
            return Err(ValueError::new(format!("行政区划代码「{s}」不能以 0 开头")));
        }
        Ok(Self(full))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> RegionLevel {
        if self.0.ends_with("0000") {
            RegionLevel::Province
        } else if self.0.ends_with("00") {
            RegionLevel::Prefecture
        } else {
            RegionLevel::County
        }
    }

    pub fn province(&self) -> RegionCode {
        RegionCode(format!("{}0000", &self.0[..2]))
    }

    /// The enclosing prefecture (itself for a prefecture); `None` for a
    /// province, and for a county code whose digits 3–4 are `00`, because
    /// its "prefecture" would be the province itself.
    pub fn prefecture(&self) -> Option<RegionCode> {
        if self.level() == RegionLevel::Province || &self.0[2..4] == "00" {
            return None;
        }
        Some(RegionCode(format!("{}00", &self.0[..4])))
    }

    /// Whether `other` lies in this region's subtree (itself included).
    pub fn contains(&self, other: &RegionCode) -> bool {
        other.0.starts_with(self.subtree_prefix())
    }

    /// The code prefix every region of this subtree shares: 2 digits for a
    /// province, 4 for a prefecture, all 6 for a county.
    pub fn subtree_prefix(&self) -> &str {
        let n = match self.level() {
            RegionLevel::Province => 2,
            RegionLevel::Prefecture => 4,
            RegionLevel::County => 6,
        };
        &self.0[..n]
    }

    /// Development / high-tech zones and similar functional areas: by NBS
    /// convention their county-level codes have 7 as the 5th digit.
    pub fn is_functional_zone(&self) -> bool {
        self.level() == RegionLevel::County && self.0.as_bytes()[4] == b'7'
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn short_forms_expand() {
        assert_eq!(code("37").as_str(), "370000");
        assert_eq!(code("3715").as_str(), "371500");
        assert_eq!(code(" 371502 ").as_str(), "371502");
    }

    #[test]
    fn hierarchy() {
        let county = code("371502");
        assert_eq!(county.level(), RegionLevel::County);
        assert_eq!(county.province(), code("370000"));
        assert_eq!(county.prefecture(), Some(code("371500")));
        let pref = code("371500");
        assert_eq!(pref.level(), RegionLevel::Prefecture);
        assert_eq!(pref.prefecture(), Some(pref.clone()));
        assert_eq!(code("370000").level(), RegionLevel::Province);
        assert_eq!(code("370000").prefecture(), None);
        assert_eq!(code("370001").prefecture(), None);
        assert_eq!(RegionLevel::County.as_zh(), "县级");
    }

    #[test]
    fn functional_zones() {
        assert!(code("371571").is_functional_zone());
        assert!(!code("371502").is_functional_zone());
        assert!(!code("370700").is_functional_zone());
    }

    #[test]
    fn errors() {
        let e = |s: &str| RegionCode::parse(s).unwrap_err().0;
        assert_eq!(
            e("3715021"),
            "行政区划代码应为6位数字（或2位省级、4位市级简写），「3715021」为7位"
        );
        assert_eq!(
            e("37150A"),
            "行政区划代码「37150A」第6位「A」不是数字，应为6位数字"
        );
        assert!(e("012345").contains("不能以 0 开头"));
        assert!(e("").contains("为0位"));
    }
}
