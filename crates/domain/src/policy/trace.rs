//! A decision's trace: every rule evaluated, its verdict and the facts it
//! weighed, kept as compact values (stored as JSON with the claim) and
//! rendered in Chinese with the clause each rule comes from.

use std::fmt::Write;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Policy, RuleId};
use crate::{CertificateType, Fen, RelationKind, SkillLevel};

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
    },
    NoStandard {
        on: NaiveDate,
    },
    CertTypeNotCovered,
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
    LocalInstitution {
        ok: bool,
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
    /// No loaded policy governs the claim's paying region on its date
    /// (无适用政策): the claim is held for review.
    NoPolicy {
        region: String,
        on: NaiveDate,
    },
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

/// One trace line in Chinese: rule, title, what was found, verdict, clause.
pub fn render_line(line: &TraceLine, policy: &Policy, ctx: &RenderCtx<'_>) -> String {
    let text = describe(&line.detail, policy, ctx);
    let (head, cite) = match line.rule {
        Some(r) => (
            format!("{} {}", r.as_str(), r.title_zh()),
            policy.cite(r).to_string(),
        ),
        None => ("政策".to_string(), policy.meta.doc_no.clone()),
    };
    let verdict = verdict_zh(line.verdict);
    let mut out = format!("  {head:<12} {text}");
    if !verdict.is_empty() {
        let _ = write!(out, "  {verdict}");
    }
    let _ = write!(out, "  ({cite})");
    out
}

fn describe(d: &Detail, p: &Policy, c: &RenderCtx<'_>) -> String {
    let cert = c.cert_type.map_or("", CertificateType::as_zh);
    match d {
        Detail::NotConfigured => format!("本地政策未规定「{}」", c.subsidy_type),
        Detail::OutsidePolicy => format!(
            "事件日期不在政策有效期内（{} 起{}）",
            p.meta.valid_from,
            p.meta
                .valid_to
                .map(|t| format!("，至 {t} 止"))
                .unwrap_or_default()
        ),
        Detail::Missing(e) => format!("缺少{}", e.as_zh()),
        Detail::Standard {
            base,
            uplift_pct,
            amount,
        } if *uplift_pct > 0 => format!(
            "{} {cert} = {base}元，紧缺职业上浮 {uplift_pct}% = {amount}元",
            c.item()
        ),
        Detail::Standard { amount, .. } => format!("{} {cert} = {amount}元", c.item()),
        Detail::NoStandard { on } => {
            format!("补贴标准目录中没有 {} {cert}（{on} 有效的条目）", c.item())
        }
        Detail::CertTypeNotCovered => format!("{cert} 不在本地补贴的证书范围内"),
        Detail::Place { ok: true } => "培训地在户籍地、常住地或求职就业地".into(),
        Detail::Place { ok: false } => "培训地不在户籍地、常住地或求职就业地".into(),
        Detail::PlaceUnknown => "证书未关联培训班，无法核实培训地".into(),
        Detail::CertBeforeTrainingEnd { end } => {
            format!("证书日期早于培训结束日期 {end}")
        }
        Detail::Category { category } => format!("培训时属于「{}」", p.category(*category)),
        Detail::NoCategory => "培训时不属于本项补贴的对象范围".into(),
        Detail::YearCount { year, before, max } if before < max => format!(
            "{year}年已享受 {before} 次，本次为第 {} 次，未超过 {max} 次",
            before + 1
        ),
        Detail::YearCount { year, before, max } => {
            format!("{year}年已享受 {before} 次，已达每人每年 {max} 次上限")
        }
        Detail::FirstTime => format!("{} 未曾享受", c.item()),
        Detail::Repeat { claim_no } => format!("{} 已享受过（申领 #{claim_no}）", c.item()),
        Detail::LocalInstitution { ok: true } => {
            format!("{cert} 由本辖区目录内机构培训")
        }
        Detail::LocalInstitution { ok: false } => {
            format!("{cert} 须经本辖区目录内机构培训，该机构不符合")
        }
        Detail::Pension => "按月领取养老金，不属补贴对象".into(),
        Detail::Age { age, retired: true } => {
            format!("{age} 岁，超过法定退休年龄、未领取养老金，可享受")
        }
        Detail::Age { age, .. } => format!("{age} 岁，未领取养老金"),
        Detail::Family { relation, category } => format!(
            "直系亲属（{}）属于「{}」，培训范围延伸至本人",
            relation.as_zh(),
            p.category(*category)
        ),
        Detail::Free { category } => format!(
            "免费培训对象：{}，全额支付给培训机构",
            p.category(*category)
        ),
        Detail::ByStandard => "非免费培训对象，按标准补贴给本人".into(),
        Detail::NotCompleted => "培训未结业或考核不合格".into(),
        Detail::Allowance {
            days,
            base,
            daily,
            uplift_pct,
            amount,
        } if *uplift_pct > 0 => format!(
            "培训 {days} 天 × {daily}元（{base}元，深度贫困县上浮 {uplift_pct}%）= {amount}元"
        ),
        Detail::Allowance {
            days,
            daily,
            amount,
            ..
        } => {
            format!("培训 {days} 天 × {daily}元 = {amount}元")
        }
        Detail::Apprentice {
            years,
            per_year,
            amount,
            advance_pct,
        } => format!(
            "学徒 {years} 年 × {per_year}元 = {amount}元，支付给企业，可预支 {advance_pct}%"
        ),
        Detail::NotTrainingType => "培训班的培训类型与本项补贴不符".into(),
        Detail::WorkTraining {
            claimed,
            prior,
            max,
            paid,
            monthly,
            amount,
        } => format!(
            "申请 {claimed} 个月，此前已享受 {prior} 个月，最长 {max} 个月，核定 {paid} 个月 × {monthly}元 = {amount}元"
        ),
        Detail::Advance { pct } => format!("项目制培训，可先行拨付 {pct}%"),
        Detail::Insured { months, min } if months >= min => {
            format!("参保 {months} 个月，满 {min} 个月")
        }
        Detail::Insured { months, min } => format!("参保 {months} 个月，不满 {min} 个月"),
        Detail::LateApplication { months, limit } => {
            format!("取证 {months} 个月后申请，超过 {limit} 个月时限")
        }
        Detail::VeteranOnce { used: false } => "退役军人首次免费培训".into(),
        Detail::VeteranOnce { used: true } => "退役军人免费培训已享受过一次".into(),
        Detail::Startup {
            category,
            since,
            years,
        } => format!(
            "「{}」自 {since} 起，在 {years} 年注册期内",
            p.category(*category)
        ),
        Detail::SameStandard => "同类工种、同一等级，按目录同一标准".into(),
        Detail::Unique => "同一证书、培训或月份未曾申领".into(),
        Detail::Duplicate { claim_no } => {
            format!("同一证书、培训或月份已由申领 #{claim_no} 享受")
        }
        Detail::NoPolicy { region, on } => no_policy_text(region, *on),
    }
}

fn no_policy_text(region: &str, on: NaiveDate) -> String {
    format!("无适用政策：申领地区 {region} 在 {on} 没有有效的补贴政策")
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
