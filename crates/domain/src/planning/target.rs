//! Target rows (region × period × indicator × value) as a targets file
//! gives them, and the check of each breakdown against its parent.
//!
//! A row with a parent region is a part of that parent's breakdown; a part
//! whose region is the parent's own is the parent's own share (市本级).
//! The parent's rule says how the parts must relate to it: `合计` (they add
//! up to exactly its value), `不少于` (to at least its value), `不检查`.

use super::{Period, format_value};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakdownRule {
    Sum,
    AtLeast,
    None,
}

impl BreakdownRule {
    pub fn parse(s: &str) -> Option<BreakdownRule> {
        Some(match s.trim() {
            "" | "合计" | "sum" => BreakdownRule::Sum,
            "不少于" | "at_least" => BreakdownRule::AtLeast,
            "不检查" | "none" => BreakdownRule::None,
            _ => return None,
        })
    }
    pub fn code(self) -> &'static str {
        match self {
            BreakdownRule::Sum => "sum",
            BreakdownRule::AtLeast => "at_least",
            BreakdownRule::None => "none",
        }
    }
    pub fn from_code(s: &str) -> BreakdownRule {
        BreakdownRule::parse(s).unwrap_or(BreakdownRule::Sum)
    }
}

/// One row of a targets file, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetRow {
    /// The row number the user sees.
    pub row: u64,
    pub indicator: String,
    pub period: Period,
    pub region: String,
    /// "" for a target that is no part of a breakdown.
    pub parent: String,
    /// The name the document gives (市本级, 经济技术开发区 …).
    pub name: String,
    pub value: i64,
    pub rule: BreakdownRule,
    pub source: String,
}

impl TargetRow {
    /// The row's key: one target per indicator, period, region and parent.
    pub fn key(&self) -> (String, Period, String, String) {
        (
            self.indicator.clone(),
            self.period,
            self.region.clone(),
            self.parent.clone(),
        )
    }
    /// Whether this row is a parent's own share (市本级).
    pub fn is_own_share(&self) -> bool {
        self.region == self.parent
    }
}

/// A parent target already stored, for parts imported in a file of their
/// own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingTarget {
    pub name: String,
    pub value: i64,
    pub rule: BreakdownRule,
}

/// A breakdown that does not satisfy its parent's rule, with the message
/// naming the parent, the parts' sum, the stated total and the difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakdownError {
    pub row: Option<u64>,
    pub message: String,
}

/// Checks every breakdown in `rows`: the parts of a parent (same indicator,
/// period and parent region) against the parent's value. The parent is the
/// row of the parent region that is not itself a part of the same region,
/// in the file, or else `existing(indicator, period, region)`. `describe`
/// gives an indicator's name, unit and decimals for the messages.
pub fn check_breakdowns(
    rows: &[TargetRow],
    existing: &dyn Fn(&str, Period, &str) -> Option<ExistingTarget>,
    describe: &dyn Fn(&str) -> (String, String, u32),
) -> Vec<BreakdownError> {
    let mut groups: BTreeMap<(String, Period, String), Vec<&TargetRow>> = BTreeMap::new();
    for r in rows.iter().filter(|r| !r.parent.is_empty()) {
        groups
            .entry((r.indicator.clone(), r.period, r.parent.clone()))
            .or_default()
            .push(r);
    }
    let mut out = Vec::new();
    for ((indicator, period, parent), parts) in groups {
        let in_file = rows.iter().find(|r| {
            r.indicator == indicator
                && r.period == period
                && r.region == parent
                && !r.is_own_share()
        });
        let (name, value, rule, row) = match in_file {
            Some(p) => (p.name.clone(), p.value, p.rule, Some(p.row)),
            None => match existing(&indicator, period, &parent) {
                Some(e) => (e.name, e.value, e.rule, None),
                None => {
                    out.push(BreakdownError {
                        row: Some(parts[0].row),
                        message: format!(
                            "上级区划 {parent} 没有{}「{}」的目标：分解须与上级目标在同一文件中或先行导入",
                            period.label(),
                            describe(&indicator).0
                        ),
                    });
                    continue;
                }
            },
        };
        let sum: i64 = parts.iter().map(|p| p.value).sum();
        let (label, unit, decimals) = describe(&indicator);
        let f = |v: i64| format!("{} {unit}", format_value(v, decimals));
        let first = parts.iter().map(|p| p.row).min().unwrap_or(0);
        let last = parts.iter().map(|p| p.row).max().unwrap_or(0);
        let bad = match rule {
            BreakdownRule::Sum => sum != value,
            BreakdownRule::AtLeast => sum < value,
            BreakdownRule::None => false,
        };
        if bad {
            let diff = sum - value;
            let how = if diff < 0 { "少" } else { "多" };
            let wanted = if rule == BreakdownRule::Sum {
                "应等于"
            } else {
                "应不少于"
            };
            out.push(BreakdownError {
                row,
                message: format!(
                    "{name}（{parent}）{}「{label}」的分解（第 {first}–{last} 行，{} 项）合计 {}，{wanted}目标值 {}，{how} {}",
                    period.label(),
                    parts.len(),
                    f(sum),
                    f(value),
                    f(diff.abs())
                ),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: u64, region: &str, parent: &str, value: i64) -> TargetRow {
        TargetRow {
            row: n,
            indicator: "training".into(),
            period: Period::year(2019),
            region: region.into(),
            parent: parent.into(),
            name: format!("单位{region}"),
            value,
            rule: BreakdownRule::Sum,
            source: String::new(),
        }
    }

    fn unit(_: &str) -> (String, String, u32) {
        ("补贴性职业技能培训".into(), "人次".into(), 0)
    }

    #[test]
    fn a_breakdown_that_does_not_add_up_names_the_difference() {
        let rows = vec![
            row(2, "371500", "", 40100),
            row(3, "371500", "371500", 2200),
            row(4, "371502", "371500", 4650),
        ];
        let errs = check_breakdowns(&rows, &|_, _, _| None, &unit);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].row, Some(2));
        assert_eq!(
            errs[0].message,
            "单位371500（371500）2019年「补贴性职业技能培训」的分解（第 3–4 行，2 项）合计 6,850 人次，应等于目标值 40,100 人次，少 33,250 人次"
        );
        let ok = vec![row(2, "371500", "", 6850), rows[1].clone(), rows[2].clone()];
        assert!(check_breakdowns(&ok, &|_, _, _| None, &unit).is_empty());
    }

    #[test]
    fn parts_may_refer_to_a_stored_parent_and_rules_vary() {
        let parts = vec![
            row(2, "371502", "371500", 10),
            row(3, "371503", "371500", 5),
        ];
        let stored = |_: &str, _: Period, _: &str| {
            Some(ExistingTarget {
                name: "聊城市".into(),
                value: 12,
                rule: BreakdownRule::AtLeast,
            })
        };
        assert!(check_breakdowns(&parts, &stored, &unit).is_empty());
        let errs = check_breakdowns(&parts, &|_, _, _| None, &unit);
        assert!(
            errs[0]
                .message
                .contains("没有2019年「补贴性职业技能培训」的目标"),
            "{errs:?}"
        );
        let strict = |_: &str, _: Period, _: &str| {
            Some(ExistingTarget {
                name: "聊城市".into(),
                value: 16,
                rule: BreakdownRule::AtLeast,
            })
        };
        let errs = check_breakdowns(&parts, &strict, &unit);
        assert!(
            errs[0]
                .message
                .contains("应不少于目标值 16 人次，少 1 人次"),
            "{errs:?}"
        );
    }
}
