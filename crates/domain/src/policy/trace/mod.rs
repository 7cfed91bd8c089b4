//! A decision's trace: every rule evaluated, its verdict and the facts it
//! weighed, kept as compact values (stored as JSON with the claim) and
//! rendered in Chinese with the clause each rule comes from.

use std::fmt::Write;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

mod describe;

use describe::{describe, no_policy_text};

use super::{Policy, RuleId};
use crate::{CertificateType, CompletionResult, Fen, RelationKind, SkillLevel};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The rule holds.
    Pass,
    /// The rule refuses the claim.
    Fail,
    /// An officer must look (needs review).
    Flag,
    /// A fact the decision rests on; neither for nor against.
    Info,
}

/// Evidence a claim may lack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Evidence {
    Certificate,
    Class,
    Enrolment,
    Claimant,
    Months,
}

impl Evidence {
    fn as_zh(self) -> &'static str {
        match self {
            Evidence::Certificate => "证书（实名库中无此证书或申领未填证书编号）",
            Evidence::Class => "培训班（申领未关联培训班）",
            Evidence::Enrolment => "参训记录（花名册中无此人）",
            Evidence::Claimant => "申领单位（统一社会信用代码）",
            Evidence::Months => "以工代训月数",
        }
    }
}

/// Why the training behind a certificate claim is not established (R1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrainingGap {
    /// The claim names no class and the certificate names none.
    NoClass,
    /// The person is not on the class's roster (花名册).
    NotEnrolled,
    /// The roster's result is not one the policy counts as completed.
    NotCompleted(CompletionResult),
    /// Fewer hours than the policy requires (in-person plus counted online).
    Hours { counted: i64, required: i64 },
    /// The certificate is for another occupation than the class.
    OtherOccupation,
    /// The certificate is dated before the class began.
    BeforeStart(NaiveDate),
    /// The certificate is dated more than `days` after the class ended.
    TooLate { end: NaiveDate, days: i64 },
}

impl TrainingGap {
    fn as_zh(self) -> String {
        match self {
            TrainingGap::NoClass => "申领和证书均未关联培训班，无法核实参训".into(),
            TrainingGap::NotEnrolled => "本人不在该培训班花名册中（未参加该培训）".into(),
            TrainingGap::NotCompleted(r) => {
                format!("花名册结业结果为「{}」，不属于本政策认可的结业", r.as_zh())
            }
            TrainingGap::Hours { counted, required } => {
                format!("计入课时 {counted}，不足要求的 {required} 课时")
            }
            TrainingGap::OtherOccupation => "证书职业与培训班职业不符，不是该培训所获证书".into(),
            TrainingGap::BeforeStart(start) => {
                format!("证书日期早于培训班开班日期 {start}，不是该培训所获证书")
            }
            TrainingGap::TooLate { end, days } => {
                format!("证书日期晚于培训班结业日期 {end} 超过 {days} 天，不是该培训所获证书")
            }
        }
    }
}

/// What a rule found. Names (occupation, categories) are rendered from the
/// claim and the policy, so a line stays a few bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Detail {
    NotConfigured,
    OutsidePolicy,
    Missing(Evidence),
    Standard {
        base: Fen,
        uplift_pct: u16,
        amount: Fen,
        /// The catalogue entry that gave the base (index into the policy's
        /// catalogue), for its source and dates.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        entry: Option<u32>,
    },
    NoStandard {
        on: NaiveDate,
    },
    CertTypeNotCovered,
    /// The certificate was revoked (撤销) on that day: it earns no subsidy.
    CertificateRevoked {
        on: NaiveDate,
    },
    Place {
        ok: bool,
    },
    PlaceUnknown,
    CertBeforeTrainingEnd {
        end: NaiveDate,
    },
    Category {
        category: u16,
    },
    NoCategory,
    YearCount {
        year: i32,
        before: u32,
        max: u32,
    },
    FirstTime,
    Repeat {
        claim_no: String,
    },
    /// The same occupation and level paid in another deployment (R3, from
    /// its federation tags).
    RepeatElsewhere {
        deployment: String,
        year: i32,
        subsidy_type: String,
    },
    LocalInstitution {
        ok: bool,
    },
    /// The training institution was out of the catalogue when the class
    /// started: a credit rating removed it (R1, R4).
    RemovedFromCatalogue {
        institution: String,
        year: i32,
        grade: String,
        from: NaiveDate,
    },
    Pension,
    Age {
        age: i32,
        retired: bool,
    },
    Family {
        relation: RelationKind,
        category: u16,
    },
    Free {
        category: u16,
    },
    ByStandard,
    NotCompleted,
    Allowance {
        days: i64,
        base: Fen,
        daily: Fen,
        uplift_pct: u16,
        amount: Fen,
    },
    Apprentice {
        years: i64,
        per_year: Fen,
        amount: Fen,
        advance_pct: u16,
        /// Months beyond the whole years, paid pro rata (按月折算).
        #[serde(default, skip_serializing_if = "is_zero")]
        months: i64,
    },
    /// The training behind the claim: found and completed (R1).
    Trained,
    /// The training behind the claim is not established (R1).
    Untrained(TrainingGap),
    /// No advance: the class is not in the local training plan (R9).
    NotInPlan,
    /// Months of the claim's period already paid by another claim (R10, R17).
    MonthsTaken {
        months: i64,
        claim_no: String,
    },
    /// Months of the claim's period already paid in another deployment
    /// (R10, R17; federation tags).
    MonthsElsewhere {
        months: i64,
        deployment: String,
    },
    NotTrainingType,
    WorkTraining {
        claimed: i64,
        prior: i64,
        max: i64,
        paid: i64,
        monthly: Fen,
        amount: Fen,
    },
    /// R8's allowance at the veterans' own daily rate (R13).
    VeteranRate {
        daily: Fen,
    },
    Advance {
        pct: u16,
    },
    Insured {
        months: i64,
        min: i64,
    },
    LateApplication {
        months: i64,
        limit: i64,
    },
    VeteranOnce {
        used: bool,
    },
    Startup {
        category: u16,
        since: NaiveDate,
        years: i64,
    },
    SameStandard,
    Unique,
    Duplicate {
        claim_no: String,
    },
    /// The same subsidy for the same occupation and level paid in another
    /// deployment (R17: 多头; federation tags).
    DuplicateElsewhere {
        deployment: String,
        year: i32,
        subsidy_type: String,
    },
    /// The training voucher (职业培训券) redeemed for the claim's training:
    /// the claim settles at its face value, paid to the institution.
    Voucher {
        voucher_no: String,
        face: Fen,
        /// The amount the rule that priced the claim gave.
        standard: Fen,
    },
    /// No loaded policy governs the claim's paying region on its date
    /// (无适用政策): the claim is held for review.
    NoPolicy {
        region: String,
        on: NaiveDate,
    },
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

/// One rule evaluated. Stored as `[rule, verdict, detail]`: a million
/// decisions write a million traces, and the field names were half of each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "LineRepr", into = "LineRepr")]
pub struct TraceLine {
    pub rule: Option<RuleId>,
    pub verdict: Verdict,
    pub detail: Detail,
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum LineRepr {
    Tuple(Option<RuleId>, Verdict, Detail),
    /// The first stored form, still read.
    Named {
        rule: Option<RuleId>,
        verdict: Verdict,
        detail: Detail,
    },
}

impl From<LineRepr> for TraceLine {
    fn from(r: LineRepr) -> TraceLine {
        match r {
            LineRepr::Tuple(rule, verdict, detail)
            | LineRepr::Named {
                rule,
                verdict,
                detail,
            } => TraceLine {
                rule,
                verdict,
                detail,
            },
        }
    }
}

impl From<TraceLine> for LineRepr {
    fn from(l: TraceLine) -> LineRepr {
        LineRepr::Tuple(l.rule, l.verdict, l.detail)
    }
}

/// What a rendered line needs beside the policy.
#[derive(Debug, Clone, Copy)]
pub struct RenderCtx<'a> {
    pub subsidy_type: &'a str,
    pub occupation: &'a str,
    pub level: Option<SkillLevel>,
    pub cert_type: Option<CertificateType>,
}

impl RenderCtx<'_> {
    fn item(&self) -> String {
        let mut s = self.occupation.to_string();
        if let Some(l) = self.level {
            let _ = write!(s, " {}", l.as_zh());
        }
        s
    }
}

fn verdict_zh(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "通过",
        Verdict::Fail => "不通过",
        Verdict::Flag => "需人工复核",
        Verdict::Info => "",
    }
}

/// The certificate wording of a standard line: "未取证" for an entry that
/// prices a training before any certificate exists (R11's advance).
fn entry_cert<'a>(p: &'a Policy, entry: Option<u32>, cert: &'a str) -> &'a str {
    match entry.and_then(|i| p.catalogue.entries.get(i as usize)) {
        Some(e) if e.uncertified => "（未取证）",
        _ => cert,
    }
}

/// "（目录：苏人社发〔2023〕1号 附件，2019-01-01 起）" for an entry that names
/// its source; nothing otherwise.
fn entry_source(p: &Policy, entry: Option<u32>) -> String {
    match entry.and_then(|i| p.catalogue.entries.get(i as usize)) {
        Some(e) if !e.source.is_empty() => format!(
            "（目录依据：{}，{} 起{}）",
            e.source,
            e.from,
            e.to.map(|t| format!("至 {t} 止")).unwrap_or_default()
        ),
        _ => String::new(),
    }
}

/// One trace line in Chinese: rule, title, what was found, verdict, clause.
pub fn render_line(line: &TraceLine, policy: &Policy, ctx: &RenderCtx<'_>) -> String {
    let row = clause_row(line, policy, ctx);
    let mut out = format!("  {:<12} {}", row.rule, row.detail);
    if !row.outcome.is_empty() {
        let _ = write!(out, "  {}", row.outcome);
    }
    let _ = write!(out, "  ({})", row.clause);
    out
}

/// One trace line as a table row: rule, the clause it applies, the
/// outcome, and what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClauseRow {
    /// "R2 每年补贴次数", or "政策".
    pub rule: String,
    /// The clause cited, with its parameters' sources.
    pub clause: String,
    /// 通过 / 不通过 / 需人工复核, or empty for a line that only informs.
    pub outcome: String,
    pub detail: String,
}

/// A trace line's parts, for a table.
pub fn clause_row(line: &TraceLine, policy: &Policy, ctx: &RenderCtx<'_>) -> ClauseRow {
    let detail = describe(&line.detail, policy, ctx);
    let (rule, clause) = match line.rule {
        Some(r) => {
            let mut cite = policy.cite(r).to_string();
            for (param, source) in policy.rules.sources(r) {
                let _ = write!(cite, "；{param}：{source}");
            }
            (format!("{} {}", r.as_str(), r.title_zh()), cite)
        }
        None => match (&line.detail, &policy.vouchers) {
            (Detail::Voucher { .. }, Some(v)) => ("培训券".to_string(), v.cite.to_string()),
            _ => ("政策".to_string(), policy.meta.doc_no.clone()),
        },
    };
    ClauseRow {
        rule,
        clause,
        outcome: verdict_zh(line.verdict).to_string(),
        detail,
    }
}

/// A line of a claim decided under no policy, as a table row.
pub fn unpoliced_row(line: &TraceLine) -> ClauseRow {
    let detail = match &line.detail {
        Detail::NoPolicy { region, on } => no_policy_text(region, *on),
        other => format!("{other:?}"),
    };
    ClauseRow {
        rule: "政策".into(),
        clause: String::new(),
        outcome: verdict_zh(line.verdict).to_string(),
        detail,
    }
}

impl Detail {
    /// The line naming a credit rating's removal from the catalogue.
    pub fn removed(r: &super::facts::CatalogueRemoval) -> Detail {
        Detail::RemovedFromCatalogue {
            institution: r.institution.clone(),
            year: r.year,
            grade: r.grade.clone(),
            from: r.from,
        }
    }
}

/// A line of a claim decided under no policy (无适用政策), which has no
/// policy to cite.
pub fn render_unpoliced(line: &TraceLine) -> String {
    let text = match &line.detail {
        Detail::NoPolicy { region, on } => no_policy_text(region, *on),
        other => format!("{other:?}"),
    };
    format!("  {:<12} {text}  {}", "政策", verdict_zh(line.verdict))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_stored_as_a_triple_and_the_named_form_still_reads() {
        let line = TraceLine {
            rule: Some(RuleId::R2),
            verdict: Verdict::Pass,
            detail: Detail::YearCount {
                year: 2019,
                before: 0,
                max: 3,
            },
        };
        let json = serde_json::to_string(&line).unwrap();
        assert_eq!(
            json,
            r#"["R2","pass",{"YearCount":{"year":2019,"before":0,"max":3}}]"#
        );
        assert_eq!(serde_json::from_str::<TraceLine>(&json).unwrap(), line);
        let named = r#"{"rule":"R2","verdict":"pass","detail":{"YearCount":{"year":2019,"before":0,"max":3}}}"#;
        assert_eq!(serde_json::from_str::<TraceLine>(named).unwrap(), line);
    }
}
