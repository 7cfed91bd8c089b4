//! Indicators as data: each is defined over the records (a measure the
//! store counts, narrowed by person category or training type), over the
//! statistics entered per region and year, or as a ratio of two statistics.
//! The definitions live in `planning/indicators.toml`, with the statistics
//! keys they may use; this module parses and checks that file.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use toml::Spanned;

use crate::ValueError;

/// What the store counts over the records; the SQL of each is in the store
/// (`store/src/planning/facts.rs`), its definition in docs/planning.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Completed enrolments (结业, passed or failed) by class end date.
    Training,
    /// 职业资格证书 and 职业技能等级证书 by issue date.
    Certificate,
    /// Those of level 三级 (高级工) and above.
    HighCertificate,
    /// Money paid out of the dedicated account for claims (fen), net of
    /// recoveries, by posting date.
    Paid,
}

impl Measure {
    pub const ALL: [Measure; 4] = [
        Measure::Training,
        Measure::Certificate,
        Measure::HighCertificate,
        Measure::Paid,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Measure::Training => "training",
            Measure::Certificate => "certificate",
            Measure::HighCertificate => "high_certificate",
            Measure::Paid => "paid",
        }
    }
    pub fn from_code(s: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.code() == s)
    }
}

/// How an indicator's value is obtained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IndicatorKind {
    /// A measure over the records, optionally narrowed.
    Count {
        measure: Measure,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        category: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        training_type: Option<String>,
    },
    /// The sum over the period's years of a statistic.
    Statistic { statistic: String },
    /// numerator / denominator of the latest year in the period with both,
    /// as a percentage scaled by the indicator's decimals.
    Ratio {
        numerator: String,
        denominator: String,
    },
}

/// An indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub decimals: u32,
    pub kind: IndicatorKind,
    pub definition: String,
    /// Where the indicator comes from (seed document and clause).
    pub source: String,
}

impl Indicator {
    /// Whether the value accumulates over the period (progress is then
    /// measured against the time elapsed), or is a level reached (a ratio).
    pub fn cumulative(&self) -> bool {
        !matches!(self.kind, IndicatorKind::Ratio { .. })
    }
    /// The kind's parameters as JSON, as the `indicators` table keeps them.
    pub fn formula_json(&self) -> String {
        serde_json::to_string(&self.kind).unwrap_or_default()
    }
    pub fn kind_code(&self) -> &'static str {
        match self.kind {
            IndicatorKind::Count { .. } => "count",
            IndicatorKind::Statistic { .. } => "statistic",
            IndicatorKind::Ratio { .. } => "ratio",
        }
    }
}

/// A statistic that may be entered per region and year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatisticDef {
    pub key: String,
    pub name: String,
    pub unit: String,
}

/// The repository's indicators file, compiled in: what a store that was
/// given none reads its targets with (`jineng planning`, the what-if).
pub const BUILTIN_FILE: &str = "planning/indicators.toml";
pub const BUILTIN_TEXT: &str = include_str!("../../../../planning/indicators.toml");

/// The indicators and statistics of a deployment, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IndicatorSet {
    pub indicators: Vec<Indicator>,
    pub statistics: Vec<StatisticDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    statistic: Vec<StatisticDef>,
    indicator: Vec<Spanned<RawIndicator>>,
}

// No deny_unknown_fields: serde does not support it beside `flatten`.
#[derive(Deserialize)]
struct RawIndicator {
    code: String,
    name: String,
    unit: String,
    #[serde(default)]
    decimals: u32,
    definition: String,
    source: String,
    #[serde(flatten)]
    kind: IndicatorKind,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl IndicatorSet {
    /// Parses an indicators file; errors name the file and line.
    pub fn parse(file: &str, text: &str) -> Result<IndicatorSet, ValueError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
            ValueError::new(format!("指标文件「{file}」第 {line} 行：{}", e.message()))
        })?;
        let stats: BTreeMap<&str, &StatisticDef> =
            raw.statistic.iter().map(|s| (s.key.as_str(), s)).collect();
        let mut out = IndicatorSet {
            indicators: Vec::new(),
            statistics: raw.statistic.clone(),
        };
        for spanned in &raw.indicator {
            let line = line_of(text, spanned.span().start);
            let r = spanned.get_ref();
            let err = |m: String| ValueError::new(format!("指标文件「{file}」第 {line} 行：{m}"));
            if r.code.is_empty()
                || !r
                    .code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                return Err(err(format!(
                    "指标代码「{}」只能包含小写字母、数字和下划线",
                    r.code
                )));
            }
            if out.indicators.iter().any(|i| i.code == r.code) {
                return Err(err(format!("指标代码「{}」重复", r.code)));
            }
            let keys: Vec<&String> = match &r.kind {
                IndicatorKind::Statistic { statistic } => vec![statistic],
                IndicatorKind::Ratio {
                    numerator,
                    denominator,
                } => vec![numerator, denominator],
                IndicatorKind::Count { .. } => vec![],
            };
            if let Some(k) = keys.into_iter().find(|k| !stats.contains_key(k.as_str())) {
                return Err(err(format!(
                    "指标「{}」引用的统计项「{k}」未在 [[statistic]] 中定义",
                    r.code
                )));
            }
            out.indicators.push(Indicator {
                code: r.code.clone(),
                name: r.name.clone(),
                unit: r.unit.clone(),
                decimals: r.decimals,
                kind: r.kind.clone(),
                definition: r.definition.trim().to_string(),
                source: r.source.clone(),
            });
        }
        Ok(out)
    }

    pub fn get(&self, code: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.code == code)
    }

    pub fn statistic(&self, key: &str) -> Option<&StatisticDef> {
        self.statistics.iter().find(|s| s.key == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
[[statistic]]
key = "employed"
name = "就业人员"
unit = "人"

[[indicator]]
code = "training"
name = "补贴性职业技能培训"
unit = "人次"
kind = "count"
measure = "training"
definition = "结业的培训"
source = "003 一"

[[indicator]]
code = "share"
name = "比例"
unit = "%"
decimals = 2
kind = "ratio"
numerator = "skilled"
denominator = "employed"
definition = "d"
source = "s"
"#;

    #[test]
    fn a_ratio_over_an_undefined_statistic_is_refused_with_its_line() {
        let e = IndicatorSet::parse("i.toml", FILE).unwrap_err();
        assert!(e.0.contains("第 16 行"), "{e}");
        assert!(e.0.contains("「skilled」未在"), "{e}");
        let ok = FILE.replace("\"skilled\"", "\"employed\"");
        let set = IndicatorSet::parse("i.toml", &ok).unwrap();
        assert_eq!(set.indicators.len(), 2);
        assert!(set.get("training").unwrap().cumulative());
        assert!(!set.get("share").unwrap().cumulative());
        assert_eq!(
            set.get("training").unwrap().formula_json(),
            r#"{"kind":"count","measure":"training"}"#
        );
    }

    #[test]
    fn an_unknown_measure_is_refused() {
        let bad = FILE.replace("measure = \"training\"", "measure = \"persons\"");
        let e = IndicatorSet::parse("i.toml", &bad).unwrap_err();
        assert!(e.0.contains("指标文件「i.toml」"), "{e}");
    }
}
