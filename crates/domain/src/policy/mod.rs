//! The subsidy policy of a jurisdiction: its policy file (TOML, described in
//! `docs/policy.md`) compiled into the rules R1–R17 with their numbers and the
//! subsidy-standard catalogue (补贴标准目录), and the engine that decides a
//! claim and says why, clause by clause. Pure: files arrive as text, decisions
//! leave as values.
//!
//! Each rule lives in its own module under [`rules`], named for it
//! (`r01_certificate`, `r02_yearly_cap`, …): its parameters as the policy file
//! states them and its evaluation.

pub mod cases;
pub mod catalogue;
mod catalogue_file;
pub mod claimants;
mod credits_file;
pub(crate) mod de;
pub mod engine;
pub mod facts;
pub(crate) mod file;
pub mod overlay;
pub mod rules;
pub mod trace;
pub mod vouchers;
pub mod whatif;

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::RegionCode;
pub use catalogue::Catalogue;
pub use engine::{Decision, DecisionOutcome, PayeeKind, Payment};
pub use file::{PolicySources, load};
pub use rules::Rules;

/// The seventeen rules of `docs/spec/POLICY.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RuleId {
    R1,
    R2,
    R3,
    R4,
    R5,
    R6,
    R7,
    R8,
    R9,
    R10,
    R11,
    R12,
    R13,
    R14,
    R15,
    R16,
    R17,
}

impl RuleId {
    pub const ALL: [RuleId; 17] = [
        RuleId::R1,
        RuleId::R2,
        RuleId::R3,
        RuleId::R4,
        RuleId::R5,
        RuleId::R6,
        RuleId::R7,
        RuleId::R8,
        RuleId::R9,
        RuleId::R10,
        RuleId::R11,
        RuleId::R12,
        RuleId::R13,
        RuleId::R14,
        RuleId::R15,
        RuleId::R16,
        RuleId::R17,
    ];

    pub fn parse(s: &str) -> Option<RuleId> {
        RuleId::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        const IDS: [&str; 17] = [
            "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10", "R11", "R12", "R13",
            "R14", "R15", "R16", "R17",
        ];
        IDS[self as usize]
    }

    /// The short Chinese title shown in a decision's trace.
    pub fn title_zh(self) -> &'static str {
        const TITLES: [&str; 17] = [
            "补贴标准",
            "年度次数",
            "不重复",
            "本地机构",
            "退休年龄",
            "直系亲属",
            "免费培训",
            "生活费补贴",
            "新型学徒制",
            "以工代训",
            "项目制培训",
            "技能提升补贴",
            "退役军人",
            "创业培训",
            "同等补贴",
            "专账核算",
            "不重复申领",
        ];
        TITLES[self as usize]
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a rule comes from: the document number and the clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cite {
    pub doc_no: String,
    pub clause: String,
}

impl fmt::Display for Cite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.doc_no, self.clause)
    }
}

/// The policy document a file states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyMeta {
    pub id: String,
    pub title: String,
    pub doc_no: String,
    pub issuer: String,
    pub region: RegionCode,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    /// The documents this policy builds on, outermost last (a city's policy
    /// on its province's).
    pub builds_on: Vec<String>,
}

impl PolicyMeta {
    /// Whether `date` lies in the policy's validity (valid_from ..= valid_to).
    pub fn in_force(&self, date: NaiveDate) -> bool {
        date >= self.valid_from && self.valid_to.is_none_or(|to| date <= to)
    }

    /// The validity in words: 「2019-01-01 至 2021-12-31」 or 「2019-01-01 起」.
    pub fn validity_zh(&self) -> String {
        match self.valid_to {
            Some(to) => format!("{} 至 {to}", self.valid_from),
            None => format!("{} 起", self.valid_from),
        }
    }
}

/// A compiled policy: what the engine decides with.
#[derive(Debug, Clone)]
pub struct Policy {
    pub meta: PolicyMeta,
    pub rules: Rules,
    pub catalogue: Catalogue,
    /// Category names the rules mention; traces refer to them by index.
    pub categories: Vec<String>,
    /// Subsidy type → the rule that computes its amount.
    pub amount_rules: BTreeMap<String, RuleId>,
    /// The skills credit bank's conversion table (`[credits]`), if stated.
    pub credits: Option<crate::learning::credit_bank::CreditTable>,
    /// Training vouchers (职业培训券), when the policy issues them.
    pub vouchers: Option<vouchers::VoucherRules>,
}

impl Policy {
    pub fn in_force(&self, date: NaiveDate) -> bool {
        self.meta.in_force(date)
    }

    pub fn category(&self, index: u16) -> &str {
        self.categories
            .get(usize::from(index))
            .map_or("?", String::as_str)
    }

    /// The citation of an enabled rule, or the policy's own document.
    pub fn cite(&self, rule: RuleId) -> Cite {
        self.rules.cite(rule).cloned().unwrap_or_else(|| Cite {
            doc_no: self.meta.doc_no.clone(),
            clause: String::new(),
        })
    }

    /// The funds R16 routes `subsidy_type` to, first choice first, or why
    /// the policy names none.
    pub fn fund_routing(&self, subsidy_type: &str) -> Result<&[crate::ledger::FundCode], String> {
        self.rules
            .r16
            .as_ref()
            .ok_or_else(|| "政策未规定专账资金来源（R16）".to_string())?
            .params
            .routing_for(subsidy_type)
    }
}

/// A policy file refused: which file, which line, what is wrong (Chinese).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PolicyError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(
                f,
                "政策文件「{}」第 {} 行：{}",
                self.file, line, self.message
            ),
            None => write!(f, "政策文件「{}」：{}", self.file, self.message),
        }
    }
}
