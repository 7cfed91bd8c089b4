//! The evaluation of the standards in force (标准评估, 004 二十六: 培训补贴标准
//! 动态评估调整机制): per subsidy type × occupation × level × certificate
//! type, the claims and what became of them, the money, the cost per
//! certificate, the share of the fund, why claims were refused, the
//! standard in force and, beside it, what is published elsewhere. The store
//! counts ([`Tally`]); this module turns the counts into the report.
//!
//! Integer arithmetic throughout: the average is `approved_fen ÷
//! certificates` rounded down, the share `paid_fen × 10000 ÷ total paid`
//! in basis points (万分之一) rounded down, so the shares of the rows add
//! up to at most 10000.

use std::collections::{BTreeMap, HashMap};
use std::ops::AddAssign;

use serde::Serialize;

use super::grades::EntryGrades;
use super::published::{Item, Published, Uplift};
use super::standard::{RowKey, evaluation_day, in_force};
use crate::policy::trace::{TraceLine, Verdict};
use crate::policy::{Policy, RuleId};
use crate::{CertificateType, OccupationCode, SkillLevel};

/// Why a claim was refused: a rule of its decision, the policy itself (the
/// type not priced, the date outside the policy), or an officer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    Rule(RuleId),
    Policy,
    Officer,
}

impl Reason {
    /// `R2`, `policy`, `officer`.
    pub fn code(self) -> &'static str {
        match self {
            Reason::Rule(r) => r.as_str(),
            Reason::Policy => "policy",
            Reason::Officer => "officer",
        }
    }

    /// The reasons of a rejected claim: the rules its decision failed
    /// (each once), else the policy; an officer's rejection of a claim the
    /// engine did not refuse is the officer's.
    pub fn of(outcome: Option<&str>, trace: &[TraceLine]) -> Vec<Reason> {
        if outcome != Some("rejected") {
            return vec![Reason::Officer];
        }
        let mut out: Vec<Reason> = Vec::new();
        for l in trace.iter().filter(|l| l.verdict == Verdict::Fail) {
            let r = l.rule.map_or(Reason::Policy, Reason::Rule);
            if !out.contains(&r) {
                out.push(r);
            }
        }
        if out.is_empty() {
            out.push(Reason::Policy);
        }
        out
    }
}

/// What became of a row's claims, and the money.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub claims: i64,
    /// Approved, advanced, in transit, failed at the bank, or paid.
    pub approved: i64,
    pub rejected: i64,
    /// Held for an officer (待复核).
    pub review: i64,
    /// Not decided yet, or eligible and waiting for approval.
    pub pending: i64,
    /// Paid, then recovered (追回).
    pub recovered: i64,
    /// Σ amount of the approved claims.
    pub approved_fen: i64,
    /// Σ money that reached the payees (paid and advanced, less recovered).
    pub paid_fen: i64,
    /// Distinct certificates of the approved claims.
    pub certificates: i64,
}

impl AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.claims += o.claims;
        self.approved += o.approved;
        self.rejected += o.rejected;
        self.review += o.review;
        self.pending += o.pending;
        self.recovered += o.recovered;
        self.approved_fen += o.approved_fen;
        self.paid_fen += o.paid_fen;
        self.certificates += o.certificates;
    }
}

/// The claims of one row, as the store counts them.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// The policy that decided them (none: not decided, or no policy).
    pub policy_id: Option<i64>,
    pub subsidy_type: String,
    pub occupation: Option<OccupationCode>,
    pub occupation_name: String,
    pub level: Option<SkillLevel>,
    pub cert_type: Option<CertificateType>,
    pub counts: Counts,
    /// Rejected claims per reason (a claim refused by two rules counts
    /// under each).
    pub reasons: BTreeMap<Reason, i64>,
}

/// A loaded policy with its key and its entries' classes.
#[derive(Debug, Clone, Copy)]
pub struct PolicyRef<'a> {
    pub key: &'a str,
    pub policy: &'a Policy,
    pub grades: &'a EntryGrades,
}

/// Refusals for one reason, in words an officer reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// R1…R17, `policy` or `officer`.
    pub rule: String,
    /// 年度次数, 不重复 …
    pub title: String,
    /// The document and clause the rule comes from.
    pub clause: String,
    pub count: i64,
}

/// One row of the evaluation. Money in fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub subsidy_type: String,
    pub occupation: Option<String>,
    pub occupation_name: String,
    /// 5 (五级) … 1 (一级); none for no level.
    pub level: Option<u8>,
    pub level_name: String,
    /// The stored code (`skill_level` …); none without a certificate.
    pub cert_type: Option<String>,
    pub cert_type_name: String,
    /// The policy that decided the claims.
    pub policy: Option<String>,
    #[serde(flatten)]
    pub counts: Counts,
    pub avg_fen_per_certificate: Option<i64>,
    pub fund_share_bp: i64,
    /// The standard in force (base, before any uplift) and its unit.
    pub standard_fen: Option<i64>,
    pub standard_unit: Option<String>,
    pub uplift_pct: Option<u16>,
    /// The catalogue class of the entry (A, B, C …).
    pub grade: Option<String>,
    /// The published amount (the top of a range), its bottom for a range,
    /// its kind (exact, up_to, range), what and where.
    pub published_fen: Option<i64>,
    pub published_min_fen: Option<i64>,
    pub published_kind: Option<String>,
    pub published_label: Option<String>,
    pub published_source: Option<String>,
    /// standard − published (see `Figure::difference`).
    pub difference_fen: Option<i64>,
    pub rejections: Vec<Rejection>,
}

/// The whole region's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    #[serde(flatten)]
    pub counts: Counts,
    pub avg_fen_per_certificate: Option<i64>,
    pub fund_share_bp: i64,
    pub rejections: Vec<Rejection>,
}

/// The evaluation of a region's standards for a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    pub region: String,
    pub name: String,
    pub year: i32,
    pub rows: Vec<Row>,
    pub totals: Totals,
    /// The published amounts' file, and its published uplifts.
    pub published_file: String,
    pub published_uplifts: Vec<Uplift>,
}

/// `num ÷ den` rounded down; `None` when `den` is 0.
pub fn per(num: i64, den: i64) -> Option<i64> {
    (den > 0).then(|| num.div_euclid(den))
}

/// `part × 10000 ÷ whole` rounded down (basis points); 0 when `whole` is 0.
pub fn basis_points(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        return 0;
    }
    (i128::from(part) * 10_000).div_euclid(i128::from(whole)) as i64
}

fn rejections(reasons: &BTreeMap<Reason, i64>, policy: Option<&PolicyRef<'_>>) -> Vec<Rejection> {
    let mut out: Vec<Rejection> = reasons
        .iter()
        .map(|(r, n)| {
            let (title, clause) = match (r, policy) {
                (Reason::Rule(id), Some(p)) => {
                    (id.title_zh().to_string(), p.policy.cite(*id).to_string())
                }
                (Reason::Rule(id), None) => (id.title_zh().to_string(), String::new()),
                (Reason::Policy, p) => (
                    "本地政策未规定该补贴类型或申领不在政策有效期内".to_string(),
                    p.map(|p| p.policy.meta.doc_no.clone()).unwrap_or_default(),
                ),
                (Reason::Officer, _) => ("经办人员审核驳回".to_string(), String::new()),
            };
            Rejection {
                rule: r.code().to_string(),
                title,
                clause: clause.trim().to_string(),
                count: *n,
            }
        })
        .collect();
    // The most frequent first.
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.rule.cmp(&b.rule)));
    out
}

fn row(
    t: &Tally,
    policy: Option<&PolicyRef<'_>>,
    year: i32,
    published: &Published,
    total_paid: i64,
) -> Row {
    let key = RowKey {
        subsidy: &t.subsidy_type,
        occupation: t.occupation.as_ref(),
        level: t.level,
        cert: t.cert_type,
    };
    let standard = policy.and_then(|p| {
        let on = evaluation_day(p.policy, year)?;
        in_force(p.policy, p.grades, key, on)
    });
    let amount = standard.as_ref().and_then(|s| {
        published.find(&Item {
            subsidy: &s.catalogue_subsidy,
            grade: s.grade.as_deref(),
            level: t.level,
            cert: t.cert_type,
            unit: s.unit,
        })
    });
    let c = t.counts;
    Row {
        subsidy_type: t.subsidy_type.clone(),
        occupation: t.occupation.as_ref().map(|o| o.as_str().to_string()),
        occupation_name: t.occupation_name.clone(),
        level: t.level.map(SkillLevel::grade),
        level_name: t.level.map_or("无等级", SkillLevel::as_zh).to_string(),
        cert_type: t.cert_type.map(|c| c.code().to_string()),
        cert_type_name: t
            .cert_type
            .map_or("无证书", CertificateType::as_zh)
            .to_string(),
        policy: policy.map(|p| p.key.to_string()),
        counts: c,
        avg_fen_per_certificate: per(c.approved_fen, c.certificates),
        fund_share_bp: basis_points(c.paid_fen, total_paid),
        standard_fen: standard.as_ref().map(|s| s.amount.0),
        standard_unit: standard.as_ref().map(|s| s.unit.as_zh().to_string()),
        uplift_pct: standard.as_ref().map(|s| s.uplift_pct),
        grade: standard.as_ref().and_then(|s| s.grade.clone()),
        published_fen: amount.map(|a| a.figure.top().0),
        published_min_fen: amount.and_then(|a| a.figure.bottom()).map(|f| f.0),
        published_kind: amount.map(|a| a.figure.kind().to_string()),
        published_label: amount.map(|a| a.label.clone()),
        published_source: amount.map(|a| published.source(a).title.clone()),
        difference_fen: standard
            .as_ref()
            .zip(amount)
            .map(|(s, a)| a.figure.difference(s.amount).0),
        rejections: rejections(&t.reasons, policy),
    }
}

/// Builds the evaluation from the store's tallies: one row per tally, in
/// the order subsidy type, occupation, level (五级 first), certificate type.
pub fn evaluate(
    (region, name, year): (&str, &str, i32),
    mut tallies: Vec<Tally>,
    policies: &HashMap<i64, PolicyRef<'_>>,
    published: &Published,
) -> Evaluation {
    tallies.sort_by(|a, b| {
        (
            &a.subsidy_type,
            &a.occupation,
            std::cmp::Reverse(a.level),
            a.cert_type,
            a.policy_id,
        )
            .cmp(&(
                &b.subsidy_type,
                &b.occupation,
                std::cmp::Reverse(b.level),
                b.cert_type,
                b.policy_id,
            ))
    });
    let mut counts = Counts::default();
    let mut reasons: BTreeMap<Reason, i64> = BTreeMap::new();
    for t in &tallies {
        counts += t.counts;
        for (r, n) in &t.reasons {
            *reasons.entry(*r).or_default() += n;
        }
    }
    let only = {
        let ids: Vec<i64> = tallies.iter().filter_map(|t| t.policy_id).collect();
        let first = ids.first().copied();
        first.filter(|f| ids.iter().all(|i| i == f))
    };
    let rows = tallies
        .iter()
        .map(|t| {
            let p = t.policy_id.and_then(|id| policies.get(&id));
            row(t, p, year, published, counts.paid_fen)
        })
        .collect();
    Evaluation {
        region: region.to_string(),
        name: name.to_string(),
        year,
        rows,
        totals: Totals {
            counts,
            avg_fen_per_certificate: per(counts.approved_fen, counts.certificates),
            fund_share_bp: basis_points(counts.paid_fen, counts.paid_fen),
            // The clauses when one policy decided every claim.
            rejections: rejections(&reasons, only.and_then(|id| policies.get(&id))),
        },
        published_file: published.file.clone(),
        published_uplifts: published.uplifts.clone(),
    }
}
