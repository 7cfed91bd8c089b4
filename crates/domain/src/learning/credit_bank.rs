//! The skills credit bank (学分银行, 004 二十: 探索建立技能学分; 001 #10:
//! 电子档案和学分累计制度): a conversion table, stated as data in a policy
//! file's `[credits]` table (read by `policy::credits_file`), turns each
//! certificate (type × level) and each completed training's counted hours
//! into credits. The statement of a worker is derived from the registry
//! each time: one line per certificate and per training, each with its
//! outcome and the reason in Chinese (docs/learning.md says why derived).
//!
//! Credits are kept in hundredths, like money in fen, so that sums are
//! exact: 2.5 credits is `Credits(250)`.

use std::fmt;

use serde::Serialize;

use super::hours::TrainingHours;
use crate::{CertificateType, CompletionResult, SkillLevel, ValueError};

/// An amount of credits, in hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Credits(pub i64);

impl Credits {
    /// Reads `4`, `2.5` or `0.25`: not negative, at most two decimals.
    pub fn parse(raw: &str) -> Result<Credits, ValueError> {
        let s = raw.trim();
        let bad = || {
            ValueError::new(format!(
                "无法识别的学分「{s}」，应为不小于 0 的数，最多两位小数，如 4 或 2.5"
            ))
        };
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !digits(int) || !digits(frac) || (s.contains('.') && frac.is_empty()) {
            return Err(bad());
        }
        if frac.len() > 2 {
            return Err(ValueError::new(format!("学分「{s}」最多两位小数")));
        }
        let whole: i64 = int.parse().map_err(|_| bad())?;
        let hundredths: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(hundredths))
            .filter(|v| *v <= 100_000_000)
            .map(Credits)
            .ok_or_else(|| ValueError::new(format!("学分「{s}」过大")))
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl std::ops::Add for Credits {
    type Output = Credits;
    fn add(self, rhs: Credits) -> Credits {
        Credits(self.0 + rhs.0)
    }
}

impl std::iter::Sum for Credits {
    fn sum<I: Iterator<Item = Credits>>(iter: I) -> Credits {
        iter.fold(Credits(0), |a, b| a + b)
    }
}

/// `2.5`, `4`, `0.93`: no trailing zeros.
impl fmt::Display for Credits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, part) = (self.0 / 100, self.0 % 100);
        match part {
            0 => write!(f, "{whole}"),
            p if p % 10 == 0 => write!(f, "{whole}.{}", p / 10),
            p => write!(f, "{whole}.{p:02}"),
        }
    }
}

/// As a JSON number (2.5): hundredths print exactly as the shortest float.
impl Serialize for Credits {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0 as f64 / 100.0)
    }
}

/// Which levels a certificate entry covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LevelKey {
    /// `credits = …` with no `levels`: every level, and none.
    Any,
    /// `"无"`: certificates without a level (专项职业能力, 特种作业 …).
    NoLevel,
    Level(SkillLevel),
}

impl LevelKey {
    pub fn as_zh(self) -> &'static str {
        match self {
            LevelKey::Any => "各等级",
            LevelKey::NoLevel => "无等级",
            LevelKey::Level(l) => l.as_zh(),
        }
    }
}

/// Credits for one certificate type at one level key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertCredits {
    pub cert: CertificateType,
    pub level: LevelKey,
    pub credits: Credits,
    /// Where the number comes from (文号 and clause, or 示例).
    pub source: String,
}

/// Credits for counted training hours: `credits` per `per_hours` hours,
/// in proportion (rounded down to the hundredth), for a training whose
/// roster result is one of `completed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoursCredits {
    pub per_hours: i64,
    pub credits: Credits,
    pub completed: Vec<CompletionResult>,
    pub source: String,
}

impl HoursCredits {
    pub fn convert(&self, counted_hours: i64) -> Credits {
        let h = i128::from(counted_hours.max(0));
        let c = h * i128::from(self.credits.0) / i128::from(self.per_hours.max(1));
        Credits(i64::try_from(c).unwrap_or(i64::MAX))
    }
}

/// A policy's conversion table (`[credits]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditTable {
    /// The clause the credit bank rests on.
    pub clause: String,
    pub note: String,
    /// The table's numbers are examples (示例): the seeds give none.
    pub example: bool,
    pub certificates: Vec<CertCredits>,
    pub hours: Option<HoursCredits>,
}

impl CreditTable {
    /// The entry for a certificate: its exact level (or 无 for none)
    /// first, else the type's entry for every level.
    pub fn certificate(
        &self,
        cert: CertificateType,
        level: Option<SkillLevel>,
    ) -> Option<&CertCredits> {
        let exact = level.map_or(LevelKey::NoLevel, LevelKey::Level);
        let of = |k: LevelKey| {
            self.certificates
                .iter()
                .find(|e| e.cert == cert && e.level == k)
        };
        of(exact).or_else(|| of(LevelKey::Any))
    }
}

/// What one source earns, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum CreditOutcome {
    /// Credited under the table; `basis` says how, in Chinese.
    Credited {
        credits: Credits,
        basis: String,
        example: bool,
    },
    /// No policy governs the source, or its policy has no `[credits]`.
    NoTable,
    /// The table lists no entry for this certificate type and level.
    NotListed,
    /// The certificate was revoked (撤销): it earns nothing.
    Revoked,
    /// The training is not completed as the table requires.
    NotCompleted { completion: CompletionResult },
    /// The table converts no training hours.
    NoHoursRule,
}

impl CreditOutcome {
    pub fn credits(&self) -> Credits {
        match self {
            CreditOutcome::Credited { credits, .. } => *credits,
            _ => Credits(0),
        }
    }

    /// The reason in Chinese, as the statement shows it.
    pub fn explain(&self) -> String {
        match self {
            CreditOutcome::Credited { basis, example, .. } if *example => {
                format!("{basis}（示例标准）")
            }
            CreditOutcome::Credited { basis, .. } => basis.clone(),
            CreditOutcome::NoTable => "适用的政策未规定学分转换表，不计学分".into(),
            CreditOutcome::NotListed => "学分转换表未列该证书类型和等级，不计学分".into(),
            CreditOutcome::Revoked => "证书已撤销，不计学分".into(),
            CreditOutcome::NotCompleted { completion } => {
                format!("结业结果为「{}」，培训学时不计学分", completion.as_zh())
            }
            CreditOutcome::NoHoursRule => "学分转换表未规定培训学时的学分，不计学分".into(),
        }
    }
}

/// The credits of one certificate.
pub fn certificate_outcome(
    table: Option<&CreditTable>,
    cert: CertificateType,
    level: Option<SkillLevel>,
    revoked: bool,
) -> CreditOutcome {
    if revoked {
        return CreditOutcome::Revoked;
    }
    let Some(table) = table else {
        return CreditOutcome::NoTable;
    };
    match table.certificate(cert, level) {
        Some(e) => CreditOutcome::Credited {
            credits: e.credits,
            basis: format!(
                "{}（{}）计 {} 学分",
                cert.as_zh(),
                level.map_or("无等级", SkillLevel::as_zh),
                e.credits
            ),
            example: table.example || e.source.contains("示例"),
        },
        None => CreditOutcome::NotListed,
    }
}

/// The credits of one training's counted hours.
pub fn training_outcome(
    table: Option<&CreditTable>,
    hours: &TrainingHours,
    completion: CompletionResult,
) -> CreditOutcome {
    let Some(table) = table else {
        return CreditOutcome::NoTable;
    };
    let Some(rule) = &table.hours else {
        return CreditOutcome::NoHoursRule;
    };
    if !rule.completed.contains(&completion) {
        return CreditOutcome::NotCompleted { completion };
    }
    let credits = rule.convert(hours.counted);
    CreditOutcome::Credited {
        credits,
        basis: format!(
            "计入课时 {}（线下 {}，线上 {}），每 {} 课时计 {} 学分，计 {} 学分",
            hours.counted, hours.offline, hours.online.hours, rule.per_hours, rule.credits, credits
        ),
        example: table.example || rule.source.contains("示例"),
    }
}

#[cfg(test)]
#[path = "credit_bank_tests.rs"]
mod tests;
