//! The `[credit]` section of a supervision file, read and checked.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::Grade;
use crate::supervision::{Cite, Severity};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCredit {
    clause: String,
    #[serde(default)]
    doc_no: Option<String>,
    base: i32,
    /// Severity (高/中/低) → points per case found true.
    cases: BTreeMap<String, i32>,
    #[serde(default)]
    complaint: i32,
    /// Inspection result → points.
    #[serde(default)]
    inspection: BTreeMap<String, i32>,
    #[serde(default)]
    pass_rate: Vec<Band>,
    #[serde(default)]
    pass_rate_min_trainees: u32,
    /// Grade → the lowest score that earns it (A, B, C; below C is D).
    grades: BTreeMap<String, i32>,
    #[serde(default)]
    consequences: BTreeMap<String, Consequence>,
}

/// A pass-rate band: at least `min_pct` percent passed earns `points`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub min_pct: u16,
    pub points: i32,
}

/// What a grade entails.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consequence {
    #[serde(default)]
    pub remove_from_catalogue: bool,
    /// Days after the rating date the removal takes effect.
    #[serde(default)]
    pub removal_after_days: u32,
    #[serde(default)]
    pub no_advances: bool,
    #[serde(default)]
    pub note: String,
}

/// Rating rules, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditRules {
    pub cite: Cite,
    pub base: i32,
    pub cases: BTreeMap<Severity, i32>,
    pub complaint: i32,
    pub inspection: BTreeMap<String, i32>,
    /// Highest floor first.
    pub pass_rate: Vec<Band>,
    pub pass_rate_min_trainees: u32,
    /// The lowest score of A, B and C.
    pub floors: [i32; 3],
    pub consequences: BTreeMap<Grade, Consequence>,
}

impl CreditRules {
    /// Checks the section; a message names the key at fault.
    pub fn from_raw(raw: RawCredit, doc_no: &str) -> Result<CreditRules, String> {
        let mut cases = BTreeMap::new();
        for (k, v) in &raw.cases {
            let s = Severity::parse(k)
                .ok_or_else(|| format!("[credit.cases]：「{k}」应为 高、中 或 低"))?;
            cases.insert(s, *v);
        }
        let mut floors = [0; 3];
        for (i, g) in ["A", "B", "C"].into_iter().enumerate() {
            floors[i] = *raw
                .grades
                .get(g)
                .ok_or_else(|| format!("[credit.grades] 缺少 {g} 等的最低分"))?;
        }
        if let Some(k) = raw
            .grades
            .keys()
            .find(|k| !["A", "B", "C"].contains(&k.as_str()))
        {
            return Err(format!(
                "[credit.grades]：「{k}」不是可设最低分的等级（A、B、C；低于 C 为 D）"
            ));
        }
        if !(floors[0] > floors[1] && floors[1] > floors[2]) {
            return Err(format!(
                "[credit.grades]：最低分应 A > B > C，实为 {} / {} / {}",
                floors[0], floors[1], floors[2]
            ));
        }
        let mut pass_rate = raw.pass_rate;
        if let Some(b) = pass_rate.iter().find(|b| b.min_pct > 100) {
            return Err(format!(
                "[[credit.pass_rate]]：min_pct {} 超过 100",
                b.min_pct
            ));
        }
        pass_rate.sort_by_key(|b| std::cmp::Reverse(b.min_pct));
        if pass_rate.windows(2).any(|w| w[0].min_pct == w[1].min_pct) {
            return Err("[[credit.pass_rate]]：两档的 min_pct 相同".into());
        }
        let mut consequences = BTreeMap::new();
        for (k, c) in raw.consequences {
            let g = Grade::parse(&k)
                .ok_or_else(|| format!("[credit.consequences]：「{k}」应为 A、B、C 或 D"))?;
            consequences.insert(g, c);
        }
        Ok(CreditRules {
            cite: Cite {
                doc_no: raw.doc_no.unwrap_or_else(|| doc_no.to_string()),
                clause: raw.clause,
            },
            base: raw.base,
            cases,
            complaint: raw.complaint,
            inspection: raw.inspection,
            pass_rate,
            pass_rate_min_trainees: raw.pass_rate_min_trainees,
            floors,
            consequences,
        })
    }

    /// Points for one case found true (0 if its severity is not listed).
    pub fn case_points(&self, s: Severity) -> i32 {
        self.cases.get(&s).copied().unwrap_or(0)
    }

    pub fn grade(&self, score: i32) -> Grade {
        match self.floors.iter().position(|f| score >= *f) {
            Some(0) => Grade::A,
            Some(1) => Grade::B,
            Some(_) => Grade::C,
            None => Grade::D,
        }
    }

    /// The inspection results the rules score (what a recorded result
    /// should be one of).
    pub fn inspection_results(&self) -> Vec<&str> {
        self.inspection.keys().map(String::as_str).collect()
    }
}
