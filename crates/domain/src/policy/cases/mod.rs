//! Policy tests as data (after OpenFisca's YAML tests): a test file beside a
//! policy file (`policies/x.tests.toml` beside `policies/x.toml`) holds
//! cases, each the facts in (person, claim, awards held) and what must come
//! out (outcome, amount, payee, the rules that rejected or flagged it), with
//! the clause it exercises. This module reads such a file, runs every case
//! through [`engine::decide`](super::engine::decide) and says, in Chinese,
//! where the engine disagrees. Pure: the text arrives, results leave.
//!
//! A case marked `pending = "reason"` states what the document says where
//! the engine cannot yet: it is run and reported, but does not fail.

mod build;
mod raw;

use std::fmt;

use serde::Serialize;

use super::engine::{self, DecisionOutcome, PayeeKind};
use super::trace::{RenderCtx, render_line};
use super::{Policy, RuleId};
use crate::Fen;

/// A test file refused: which file, which line, what is wrong (Chinese).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CasesError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for CasesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(
                f,
                "政策测试文件「{}」第 {} 行：{}",
                self.file, line, self.message
            ),
            None => write!(f, "政策测试文件「{}」：{}", self.file, self.message),
        }
    }
}

/// What a case expects; `None`: not checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expect {
    pub outcome: DecisionOutcome,
    pub amount: Option<Fen>,
    pub payee: Option<PayeeKind>,
    pub rules: Option<Vec<RuleId>>,
    pub advance_pct: Option<u16>,
}

/// What the engine decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Got {
    pub outcome: DecisionOutcome,
    pub amount: Fen,
    pub payee: Option<PayeeKind>,
    pub rules: Vec<RuleId>,
    pub advance_pct: u16,
}

/// One case of a test file, its facts built.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub clause: String,
    pub line: usize,
    pub pending: Option<String>,
    pub expect: Expect,
    pub person: super::facts::PersonFacts,
    pub claim: super::facts::ClaimFacts,
    pub awards: Vec<super::facts::Award>,
    pub today: chrono::NaiveDate,
}

/// A test file read.
#[derive(Debug, Clone)]
pub struct CaseFile {
    pub file: String,
    /// The policy file named by the test file (`policy = "…"`), if any.
    pub policy: Option<String>,
    pub cases: Vec<Case>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    Failed,
    /// Marked pending and still disagreeing.
    Pending,
    /// Marked pending, yet the engine now agrees: the mark can go.
    Fixed,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    pub name: String,
    pub clause: String,
    pub line: usize,
    pub status: Status,
    pub pending: Option<String>,
    pub expected: Expect,
    pub got: Got,
    /// Each disagreement in Chinese: 结论 / 金额 / 支付对象 / 规则 / 预拨比例.
    pub mismatches: Vec<String>,
    /// The decision's trace in Chinese.
    pub trace: Vec<String>,
}

/// Counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub pending: usize,
    pub fixed: usize,
}

impl Summary {
    pub fn of(results: &[CaseResult]) -> Summary {
        let mut s = Summary::default();
        for r in results {
            match r.status {
                Status::Passed => s.passed += 1,
                Status::Failed => s.failed += 1,
                Status::Pending => s.pending += 1,
                Status::Fixed => s.fixed += 1,
            }
        }
        s
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} pending",
            self.passed + self.fixed,
            self.failed,
            self.pending
        )
    }
}

/// The policy file a test file names (`policy = "…"`), if it can be read.
pub fn policy_of(text: &str) -> Option<String> {
    toml::from_str::<raw::RawFile>(text).ok()?.policy
}

/// Reads a test file for `policy`. `file` names it in errors.
pub fn parse(file: &str, text: &str, policy: &Policy) -> Result<CaseFile, CasesError> {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let err = |offset: Option<usize>, message: String| CasesError {
        file: file.to_string(),
        line: offset.map(line_of),
        message,
    };
    let doc: raw::RawFile = toml::from_str(text).map_err(|e| {
        err(
            e.span().map(|s| s.start),
            super::file::translate(e.message()),
        )
    })?;
    if doc.cases.is_empty() {
        return Err(err(None, "没有测试用例：每例写作 [[case]]".into()));
    }
    let mut cases: Vec<Case> = Vec::with_capacity(doc.cases.len());
    for (index, spanned) in doc.cases.into_iter().enumerate() {
        let at = Some(spanned.span().start);
        let line = line_of(spanned.span().start);
        let mut c = spanned.into_inner();
        let name = match c.name.clone().filter(|n| !n.trim().is_empty()) {
            Some(n) => n,
            None => return Err(err(at, format!("第 {} 例缺少 name（用例名称）", index + 1))),
        };
        let clause = match c.clause.clone().filter(|n| !n.trim().is_empty()) {
            Some(n) => n,
            None => {
                return Err(err(
                    at,
                    format!("用例「{name}」缺少 clause（所依据的文号和条款）"),
                ));
            }
        };
        if cases.iter().any(|k| k.name == name) {
            return Err(err(at, format!("用例名称「{name}」重复")));
        }
        let Some(x) = c.expect.clone() else {
            return Err(err(
                at,
                format!("用例「{name}」缺少 [case.expect]（应得的结论）"),
            ));
        };
        let rules = match &x.rules {
            None => None,
            Some(list) => {
                let mut out = Vec::new();
                for r in list {
                    let id = RuleId::parse(r.get_ref().trim()).ok_or_else(|| {
                        err(
                            Some(r.span().start),
                            format!("未知规则「{}」：应为 R1–R17", r.get_ref()),
                        )
                    })?;
                    out.push(id);
                }
                Some(out)
            }
        };
        c.fill_from(&doc.defaults);
        let b = build::build(&c, index, policy);
        cases.push(Case {
            name,
            clause,
            line,
            pending: c.pending.clone().filter(|p| !p.trim().is_empty()),
            expect: Expect {
                outcome: x.outcome.0,
                amount: x.amount.map(|y| y.0),
                payee: x.payee.map(|p| p.0),
                rules,
                advance_pct: x.advance_pct,
            },
            person: b.person,
            claim: b.claim,
            awards: b.awards,
            today: b.today,
        });
    }
    Ok(CaseFile {
        file: file.to_string(),
        policy: doc.policy,
        cases,
    })
}

/// Runs every case of `file` under `policy`, in file order. Traces name an
/// occupation by `occupation_name` (the reference data's), else its code.
pub fn run(
    policy: &Policy,
    file: &CaseFile,
    occupation_name: &dyn Fn(&str) -> Option<String>,
) -> Vec<CaseResult> {
    file.cases
        .iter()
        .map(|c| run_case(policy, c, occupation_name))
        .collect()
}

fn run_case(
    policy: &Policy,
    c: &Case,
    occupation_name: &dyn Fn(&str) -> Option<String>,
) -> CaseResult {
    let d = engine::decide(policy, &c.person, &c.claim, &c.awards, c.today);
    let got = Got {
        outcome: d.outcome,
        amount: d.amount,
        payee: d.payee(),
        rules: d.rules(),
        advance_pct: d.advance_pct,
    };
    let mismatches = compare(&c.expect, &got);
    let status = match (mismatches.is_empty(), c.pending.is_some()) {
        (true, false) => Status::Passed,
        (false, false) => Status::Failed,
        (false, true) => Status::Pending,
        (true, true) => Status::Fixed,
    };
    let occupation = c
        .claim
        .occupation()
        .map(|o| occupation_name(o.as_str()).unwrap_or_else(|| o.as_str().to_string()))
        .unwrap_or_default();
    let ctx = RenderCtx {
        subsidy_type: &c.claim.subsidy_type,
        occupation: &occupation,
        level: c.claim.level(),
        cert_type: c.claim.certificate.as_ref().map(|k| k.cert_type),
    };
    CaseResult {
        name: c.name.clone(),
        clause: c.clause.clone(),
        line: c.line,
        status,
        pending: c.pending.clone(),
        expected: c.expect.clone(),
        got,
        mismatches,
        trace: d
            .trace
            .iter()
            .map(|l| render_line(l, policy, &ctx))
            .collect(),
    }
}

fn rules_zh(rules: &[RuleId]) -> String {
    if rules.is_empty() {
        return "无".into();
    }
    rules
        .iter()
        .map(|r| format!("{} {}", r.as_str(), r.title_zh()))
        .collect::<Vec<_>>()
        .join("、")
}

fn payee_zh(p: Option<PayeeKind>) -> &'static str {
    p.map_or("无", PayeeKind::as_zh)
}

/// Where `got` disagrees with `expect`, one Chinese line each.
fn compare(x: &Expect, got: &Got) -> Vec<String> {
    let mut out = Vec::new();
    if x.outcome != got.outcome {
        out.push(format!(
            "结论：应为 {}，实际 {}",
            x.outcome.as_zh(),
            got.outcome.as_zh()
        ));
    }
    if let Some(a) = x.amount
        && a != got.amount
    {
        out.push(format!("金额：应为 {a}元，实际 {}元", got.amount));
    }
    if let Some(p) = x.payee
        && Some(p) != got.payee
    {
        out.push(format!(
            "支付对象：应为 {}，实际 {}",
            p.as_zh(),
            payee_zh(got.payee)
        ));
    }
    if let Some(rules) = &x.rules {
        let mut want = rules.clone();
        let mut have = got.rules.clone();
        want.sort();
        have.sort();
        if want != have {
            out.push(format!(
                "不通过或需复核的规则：应为 {}，实际 {}",
                rules_zh(rules),
                rules_zh(&got.rules)
            ));
        }
    }
    if let Some(pct) = x.advance_pct
        && pct != got.advance_pct
    {
        out.push(format!(
            "可预拨比例：应为 {pct}%，实际 {}%",
            got.advance_pct
        ));
    }
    out
}

#[cfg(test)]
mod tests;
