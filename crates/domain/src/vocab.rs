//! Fixed national vocabularies that appear in training and subsidy records:
//! certificate types, training completion results, family relations, and
//! yes/no cells. Each term has a Chinese label (`as_zh`, what users type and
//! see) and a stable English code (`code`, what is stored and serialized).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ValueError;

/// Defines a vocabulary enum with `ALL`, `as_zh`, `code`, `from_code`,
/// `parse` and `Display`. Serde uses the code, so it can never drift from
/// `code()`. `parse` accepts the label, the code, and `$aliases`.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal, $aliases:path,
        { $($(#[$vmeta:meta])* $variant:ident => $zh:literal, $code:literal;)+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $code)] $variant,)+
        }

        impl $name {
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$variant),+];

            pub fn as_zh(self) -> &'static str {
                match self { $($name::$variant => $zh,)+ }
            }

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// The label of a stored code; 未知 for a code that is none.
            pub fn zh_of_code(code: &str) -> &'static str {
                Self::from_code(code).map_or("未知", Self::as_zh)
            }

            pub fn parse(raw: &str) -> Result<Self, ValueError> {
                let s = raw.trim();
                Self::ALL
                    .into_iter()
                    .find(|v| v.as_zh() == s || v.code().eq_ignore_ascii_case(s))
                    .or_else(|| $aliases(s))
                    .ok_or_else(|| unknown($what, s, Self::ALL.map(Self::as_zh).as_slice()))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_zh())
            }
        }
    };
}

/// "无法识别的证书类型「x」，应为 A、B 或 C"
fn unknown(what: &str, s: &str, labels: &[&str]) -> ValueError {
    let (last, rest) = labels.split_last().expect("vocabularies are non-empty");
    ValueError::new(format!(
        "无法识别的{what}「{s}」，应为 {} 或 {last}",
        rest.join("、")
    ))
}

vocabulary! {
    /// Type of certificate obtained after training.
    CertificateType, "证书类型", certificate_alias, {
        Qualification => "职业资格证书", "qualification";
        SkillLevel => "职业技能等级证书", "skill_level";
        SpecialAbility => "专项职业能力证书", "special_ability";
        SpecialOperation => "特种作业操作证书", "special_operation";
        TrainingCompletion => "培训合格证书", "training_completion";
    }
}

fn certificate_alias(s: &str) -> Option<CertificateType> {
    use CertificateType::*;
    Some(match s {
        "职业资格" | "职业资格证" => Qualification,
        "职业技能等级" | "技能等级证书" | "职业技能等级证" => SkillLevel,
        "专项职业能力" | "专项能力证书" | "专项职业能力证" => SpecialAbility,
        "特种作业操作证" | "特种作业证" | "特种作业证书" | "特种作业" => {
            SpecialOperation
        }
        "培训合格证" | "合格证书" | "培训证书" => TrainingCompletion,
        _ => return None,
    })
}

vocabulary! {
    /// Outcome of a training class for one trainee.
    CompletionResult, "结业结果", completion_alias, {
        Passed => "合格", "passed";
        Failed => "不合格", "failed";
        NotFinished => "未结业", "not_finished";
    }
}

fn completion_alias(s: &str) -> Option<CompletionResult> {
    use CompletionResult::*;
    Some(match s {
        "通过" | "考核合格" => Passed,
        "未通过" | "考核不合格" => Failed,
        "未完成" | "未结束" => NotFinished,
        _ => return None,
    })
}

vocabulary! {
    /// Family relation of a related person to the trainee, as used for
    /// household subsidy eligibility.
    RelationKind, "亲属关系", relation_alias, {
        Parent => "父母", "parent";
        Child => "子女", "child";
        Spouse => "配偶", "spouse";
        Grandparent => "祖父母", "grandparent";
        Grandchild => "孙子女", "grandchild";
    }
}

fn relation_alias(s: &str) -> Option<RelationKind> {
    use RelationKind::*;
    Some(match s {
        "父亲" | "母亲" | "父" | "母" => Parent,
        "儿子" | "女儿" | "子" | "女" | "长子" | "次子" | "长女" | "次女" => Child,
        "丈夫" | "妻子" | "夫" | "妻" => Spouse,
        "祖父" | "祖母" | "外祖父" | "外祖母" | "外祖父母" => Grandparent,
        "孙子" | "孙女" | "外孙子" | "外孙女" | "外孙" | "外孙子女" => Grandchild,
        _ => return None,
    })
}

impl RelationKind {
    /// The relation seen from the other person (A is B's parent ⇔ B is A's
    /// child).
    pub fn inverse(self) -> Self {
        use RelationKind::*;
        match self {
            Parent => Child,
            Child => Parent,
            Spouse => Spouse,
            Grandparent => Grandchild,
            Grandchild => Grandparent,
        }
    }
}

/// Parses a yes/no cell: 是/否, Y/N, yes/no, 1/0, true/false (ASCII
/// case-insensitive).
pub fn parse_yes_no(raw: &str) -> Result<bool, ValueError> {
    let s = raw.trim();
    match s.to_ascii_lowercase().as_str() {
        "是" | "y" | "yes" | "1" | "true" => Ok(true),
        "否" | "n" | "no" | "0" | "false" => Ok(false),
        _ => Err(ValueError::new(format!(
            "无法识别的是否值「{s}」，应为 是 或 否（也接受 Y/N、1/0）"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_types() {
        assert_eq!(CertificateType::ALL.len(), 5);
        assert_eq!(
            CertificateType::parse("职业技能等级证书"),
            Ok(CertificateType::SkillLevel)
        );
        assert_eq!(
            CertificateType::parse("特种作业证"),
            Ok(CertificateType::SpecialOperation)
        );
        assert_eq!(
            CertificateType::parse("Skill_Level"),
            Ok(CertificateType::SkillLevel)
        );
        assert_eq!(CertificateType::SpecialAbility.code(), "special_ability");
        assert_eq!(
            CertificateType::from_code("training_completion"),
            Some(CertificateType::TrainingCompletion)
        );
        assert_eq!(CertificateType::from_code("培训合格证书"), None);
        assert_eq!(
            CertificateType::parse("驾照").unwrap_err().0,
            "无法识别的证书类型「驾照」，应为 职业资格证书、职业技能等级证书、专项职业能力证书、特种作业操作证书 或 培训合格证书"
        );
    }

    #[test]
    fn completion_results() {
        assert_eq!(
            CompletionResult::parse("合格"),
            Ok(CompletionResult::Passed)
        );
        assert_eq!(
            CompletionResult::parse("不合格"),
            Ok(CompletionResult::Failed)
        );
        assert_eq!(
            CompletionResult::parse("未结业"),
            Ok(CompletionResult::NotFinished)
        );
        assert_eq!(CompletionResult::NotFinished.code(), "not_finished");
        assert_eq!(
            CompletionResult::parse("优秀").unwrap_err().0,
            "无法识别的结业结果「优秀」，应为 合格、不合格 或 未结业"
        );
    }

    #[test]
    fn relations() {
        use RelationKind::*;
        let p = |s: &str| RelationKind::parse(s).unwrap();
        assert_eq!(p("母亲"), Parent);
        assert_eq!(p("女儿"), Child);
        assert_eq!(p("妻子"), Spouse);
        assert_eq!(p("外祖母"), Grandparent);
        assert_eq!(p("外孙女"), Grandchild);
        assert_eq!(p("配偶"), Spouse);
        for r in RelationKind::ALL {
            assert_eq!(r.inverse().inverse(), r);
        }
        assert_eq!(Parent.inverse(), Child);
        assert_eq!(Grandchild.inverse(), Grandparent);
        assert_eq!(Spouse.inverse(), Spouse);
        assert!(RelationKind::parse("兄弟").is_err());
    }

    #[test]
    fn yes_no() {
        for s in ["是", "Y", "yes", "1", "TRUE"] {
            assert_eq!(parse_yes_no(s), Ok(true), "{s}");
        }
        for s in ["否", "n", "No", "0", "false"] {
            assert_eq!(parse_yes_no(s), Ok(false), "{s}");
        }
        assert_eq!(
            parse_yes_no("可能").unwrap_err().0,
            "无法识别的是否值「可能」，应为 是 或 否（也接受 Y/N、1/0）"
        );
    }
}
