//! The `[credits]` table of a policy file: the skills credit bank's
//! conversion table (学分银行, `learning::credit_bank`), checked like the
//! rest of the file — every refusal names the file and the line in
//! Chinese. A city's file that states `[credits]` replaces its province's.
//!
//! ```toml
//! [credits]
//! clause = "序号10（电子档案和学分累计制度）"
//! example = true
//! certificates = [
//!   { cert = "职业技能等级证书", levels = { "五级" = 4, "四级" = 6 }, source = "示例" },
//!   { cert = "专项职业能力证书", credits = 2, source = "示例" },
//! ]
//! [credits.hours]
//! per_hours = 16
//! credits = 1
//! completed = ["合格"]
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::PolicyError;
use super::file::Source;
use crate::learning::credit_bank::{CertCredits, CreditTable, Credits, HoursCredits, LevelKey};
use crate::{CertificateType, CompletionResult, SkillLevel};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCredits {
    #[serde(default)]
    clause: Option<String>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    example: bool,
    #[serde(default)]
    certificates: Vec<Spanned<RawCert>>,
    #[serde(default)]
    hours: Option<Spanned<RawHours>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCert {
    cert: String,
    #[serde(default)]
    levels: Option<BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
    #[serde(default)]
    credits: Option<toml::Value>,
    #[serde(default)]
    source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHours {
    per_hours: i64,
    credits: toml::Value,
    #[serde(default)]
    completed: Option<Vec<String>>,
    #[serde(default)]
    source: Option<String>,
}

/// A credits value: an integer, a decimal (as written: `2.5`) or a quoted
/// decimal (`"2.5"`), not negative, at most two decimals.
fn credits_value(v: &toml::Value) -> Result<Credits, String> {
    let text = match v {
        toml::Value::Integer(i) if *i < 0 => return Err(format!("学分 {i} 不能为负数")),
        toml::Value::Integer(i) => i.to_string(),
        // Rust prints the shortest decimal that reads back as the same
        // float, so `2.5` and `0.1` arrive as written.
        toml::Value::Float(f) if *f < 0.0 => return Err(format!("学分 {f} 不能为负数")),
        toml::Value::Float(f) => format!("{f}"),
        toml::Value::String(s) => s.clone(),
        other => {
            return Err(format!(
                "学分应为数字，如 4 或 2.5，不能是 {}",
                other.type_str()
            ));
        }
    };
    Credits::parse(&text).map_err(|e| e.message().to_string())
}

fn level_key(raw: &str) -> Result<LevelKey, String> {
    match raw.trim() {
        "无" => Ok(LevelKey::NoLevel),
        l => SkillLevel::parse(l)
            .map(LevelKey::Level)
            .map_err(|e| format!("{}（或写 \"无\"：无等级的证书）", e.message())),
    }
}

/// Checks and compiles a file's `[credits]`.
pub(super) fn read(
    src: &Source<'_>,
    raw: &Spanned<RawCredits>,
) -> Result<CreditTable, PolicyError> {
    let table_at = Some(raw.span().start);
    let r = raw.get_ref();
    let clause = match r.clause.as_deref().map(str::trim) {
        Some(c) if !c.is_empty() => c.to_string(),
        _ => {
            return Err(src.err(
                table_at,
                "[credits] 缺少 clause（学分银行所依据的条款，如 \"序号10\"）",
            ));
        }
    };
    let mut certificates: Vec<CertCredits> = Vec::new();
    for entry in &r.certificates {
        let at = Some(entry.span().start);
        let e = entry.get_ref();
        let cert = CertificateType::parse(&e.cert).map_err(|x| src.err(at, x.message()))?;
        let source = e.source.clone().unwrap_or_default();
        let mut push = |level: LevelKey, credits: Credits, at: Option<usize>| {
            if certificates
                .iter()
                .any(|c| c.cert == cert && c.level == level)
            {
                return Err(src.err(
                    at,
                    format!("学分转换表重复列出「{}」的{}", cert.as_zh(), level.as_zh()),
                ));
            }
            certificates.push(CertCredits {
                cert,
                level,
                credits,
                source: source.clone(),
            });
            Ok(())
        };
        match (&e.levels, &e.credits) {
            (Some(levels), None) if !levels.is_empty() => {
                for (level, value) in levels {
                    let key = level_key(level.get_ref())
                        .map_err(|m| src.err(Some(level.span().start), m))?;
                    let credits = credits_value(value.get_ref())
                        .map_err(|m| src.err(Some(value.span().start), m))?;
                    push(key, credits, Some(level.span().start))?;
                }
            }
            (None, Some(value)) => {
                let credits = credits_value(value).map_err(|m| src.err(at, m))?;
                push(LevelKey::Any, credits, at)?;
            }
            _ => {
                return Err(src.err(
                    at,
                    "证书条目应给出 levels（各等级的学分）或 credits（不分等级的学分）之一",
                ));
            }
        }
    }
    let hours = match &r.hours {
        None => None,
        Some(h) => Some(read_hours(src, h)?),
    };
    if certificates.is_empty() && hours.is_none() {
        return Err(src.err(
            table_at,
            "[credits] 既没有 certificates（证书的学分）也没有 [credits.hours]（培训学时的学分）",
        ));
    }
    Ok(CreditTable {
        clause,
        note: r.note.clone(),
        example: r.example,
        certificates,
        hours,
    })
}

fn read_hours(src: &Source<'_>, raw: &Spanned<RawHours>) -> Result<HoursCredits, PolicyError> {
    let at = Some(raw.span().start);
    let h = raw.get_ref();
    if h.per_hours < 1 {
        return Err(src.err(
            at,
            "[credits.hours] per_hours 应为正整数（每多少课时计 credits 学分）",
        ));
    }
    let credits =
        credits_value(&h.credits).map_err(|m| src.err(at, format!("[credits.hours] {m}")))?;
    let completed = match &h.completed {
        None => vec![CompletionResult::Passed],
        Some(list) if list.is_empty() => {
            return Err(src.err(
                at,
                "[credits.hours] completed 至少列出一种结业结果，如 [\"合格\"]",
            ));
        }
        Some(list) => list
            .iter()
            .map(|c| CompletionResult::parse(c).map_err(|e| src.err(at, e.message())))
            .collect::<Result<_, _>>()?,
    };
    Ok(HoursCredits {
        per_hours: h.per_hours,
        credits,
        completed,
        source: h.source.clone().unwrap_or_default(),
    })
}
