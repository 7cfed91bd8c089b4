//! The five national vocational skill levels, and the many ways training
//! records spell them (grade, traditional title, or both).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ValueError;

/// Skill level; ordered so that higher skill is greater (`Five < One`).
/// Serialized as its grade number (5 for 五级 … 1 for 一级).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum SkillLevel {
    Five,
    Four,
    Three,
    Two,
    One,
}

impl SkillLevel {
    pub const ALL: [SkillLevel; 5] = [
        SkillLevel::Five,
        SkillLevel::Four,
        SkillLevel::Three,
        SkillLevel::Two,
        SkillLevel::One,
    ];

    /// Accepts the grade ("五级", "5级", "5"), the traditional title
    /// ("初级工", "初级", "技师", "高级技师"), both together ("五级/初级工",
    /// "三级（高级工）") and a "职业资格"/"职业技能等级" prefix. Names are
    /// matched whole, so "高级技师" is never taken for 高级工.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let mut found: Option<SkillLevel> = None;
        let parts = s
            .split(['/', '／', '(', ')', '（', '）', '、'])
            .filter(|p| !p.is_empty());
        for part in parts {
            let level = parse_single(part).ok_or_else(|| unknown(raw))?;
            match found {
                Some(prev) if prev != level => {
                    return Err(ValueError::new(format!(
                        "技能等级「{}」前后不一致：{} 与 {}",
                        raw.trim(),
                        prev.as_zh(),
                        level.as_zh()
                    )));
                }
                _ => found = Some(level),
            }
        }
        found.ok_or_else(|| unknown(raw))
    }

    pub fn as_zh(self) -> &'static str {
        match self {
            SkillLevel::Five => "五级/初级工",
            SkillLevel::Four => "四级/中级工",
            SkillLevel::Three => "三级/高级工",
            SkillLevel::Two => "二级/技师",
            SkillLevel::One => "一级/高级技师",
        }
    }

    /// 5 for 五级 … 1 for 一级.
    pub fn grade(self) -> u8 {
        match self {
            SkillLevel::Five => 5,
            SkillLevel::Four => 4,
            SkillLevel::Three => 3,
            SkillLevel::Two => 2,
            SkillLevel::One => 1,
        }
    }

    pub fn from_grade(grade: u8) -> Option<Self> {
        match grade {
            5 => Some(SkillLevel::Five),
            4 => Some(SkillLevel::Four),
            3 => Some(SkillLevel::Three),
            2 => Some(SkillLevel::Two),
            1 => Some(SkillLevel::One),
            _ => None,
        }
    }

    /// 三级/高级工 and above count as high-skilled talent in subsidy policy.
    pub fn is_high_skilled(self) -> bool {
        self >= SkillLevel::Three
    }
}

fn unknown(raw: &str) -> ValueError {
    ValueError::new(format!(
        "无法识别的技能等级「{}」，应为 五级/初级工、四级/中级工、三级/高级工、二级/技师 或 一级/高级技师",
        raw.trim()
    ))
}

/// One spelling without separators, e.g. "职业资格五级" or "高级技师".
fn parse_single(part: &str) -> Option<SkillLevel> {
    let mut p = part;
    for prefix in ["国家", "职业资格", "职业技能等级", "职业技能"] {
        p = p.strip_prefix(prefix).unwrap_or(p);
    }
    let p = p.strip_suffix("等级").unwrap_or(p);
    Some(match p {
        "五级" | "5级" | "5" | "初级工" | "初级" => SkillLevel::Five,
        "四级" | "4级" | "4" | "中级工" | "中级" => SkillLevel::Four,
        "三级" | "3级" | "3" | "高级工" | "高级" => SkillLevel::Three,
        "二级" | "2级" | "2" | "技师" => SkillLevel::Two,
        "一级" | "1级" | "1" | "高级技师" => SkillLevel::One,
        _ => return None,
    })
}

impl From<SkillLevel> for u8 {
    fn from(level: SkillLevel) -> u8 {
        level.grade()
    }
}

impl TryFrom<u8> for SkillLevel {
    type Error = ValueError;

    fn try_from(grade: u8) -> Result<Self, ValueError> {
        SkillLevel::from_grade(grade)
            .ok_or_else(|| ValueError::new(format!("技能等级 {grade} 无效，应为 1–5")))
    }
}

impl fmt::Display for SkillLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_zh())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> SkillLevel {
        SkillLevel::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn spellings() {
        use SkillLevel::*;
        for s in [
            "五级/初级工",
            "五级",
            "初级工",
            "初级",
            "5级",
            "5",
            "职业资格五级",
            " 五级 / 初级工 ",
        ] {
            assert_eq!(p(s), Five, "{s}");
        }
        for s in ["四级/中级工", "中级工", "中级", "4"] {
            assert_eq!(p(s), Four, "{s}");
        }
        for s in ["三级/高级工", "高级工", "高级", "三级（高级工）", "3级"] {
            assert_eq!(p(s), Three, "{s}");
        }
        for s in ["二级/技师", "技师", "2"] {
            assert_eq!(p(s), Two, "{s}");
        }
        for s in ["一级/高级技师", "高级技师", "1级", "职业技能等级一级"] {
            assert_eq!(p(s), One, "{s}");
        }
    }

    #[test]
    fn errors() {
        let e = |s: &str| SkillLevel::parse(s).unwrap_err().0;
        assert!(e("六级").starts_with("无法识别的技能等级「六级」"));
        assert!(e("").starts_with("无法识别的技能等级「」"));
        assert_eq!(
            e("五级/技师"),
            "技能等级「五级/技师」前后不一致：五级/初级工 与 二级/技师"
        );
        assert!(e("高级技工").contains("无法识别"));
    }

    #[test]
    fn ordering_and_grades() {
        assert!(SkillLevel::Five < SkillLevel::One);
        assert!(SkillLevel::Three.is_high_skilled());
        assert!(SkillLevel::One.is_high_skilled());
        assert!(!SkillLevel::Four.is_high_skilled());
        for l in SkillLevel::ALL {
            assert_eq!(SkillLevel::from_grade(l.grade()), Some(l));
        }
        assert_eq!(SkillLevel::from_grade(0), None);
        assert_eq!(SkillLevel::from_grade(6), None);
    }
}
