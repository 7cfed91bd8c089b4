//! The engine: decides one claim from the facts and the person's awards, or
//! all of a person's claims in their defined order.
//!
//! Order (documented in docs/policy.md): a person's undecided claims are
//! decided by event date (certificate date, else end of training, else
//! application date), then application date, then claim number. Each
//! approval becomes an award the next claim sees, so the outcome does not
//! depend on the order in which claims were imported.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::facts::{Award, ClaimFacts, PersonFacts};
use super::rules::{self, Ctx};
use super::trace::{Detail, TraceLine, Verdict};
use super::{Policy, RuleId};
use crate::Fen;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Approved,
    Rejected,
    Review,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Approved => "approved",
            Outcome::Rejected => "rejected",
            Outcome::Review => "review",
        }
    }

    pub fn as_zh(self) -> &'static str {
        match self {
            Outcome::Approved => "核准",
            Outcome::Rejected => "不予核准",
            Outcome::Review => "需人工复核",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PayeeKind {
    Person,
    Institution,
    Enterprise,
}

impl PayeeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PayeeKind::Person => "person",
            PayeeKind::Institution => "institution",
            PayeeKind::Enterprise => "enterprise",
        }
    }

    pub fn parse(s: &str) -> Option<PayeeKind> {
        [
            PayeeKind::Person,
            PayeeKind::Institution,
            PayeeKind::Enterprise,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }

    pub fn as_zh(self) -> &'static str {
        match self {
            PayeeKind::Person => "个人",
            PayeeKind::Institution => "培训机构",
            PayeeKind::Enterprise => "企业",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub payee: PayeeKind,
    pub amount: Fen,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub outcome: Outcome,
    /// The approved amount (zero unless approved or in review).
    pub amount: Fen,
    pub payments: Vec<Payment>,
    /// The share that may be advanced before completion (R9, R11).
    pub advance_pct: u16,
    pub year: i32,
    pub trace: Vec<TraceLine>,
    /// What the claim adds to the person's record when it stands.
    pub award: Option<Award>,
}

impl Decision {
    /// The rules that rejected or flagged the claim.
    pub fn rules(&self) -> Vec<RuleId> {
        let mut out: Vec<RuleId> = Vec::new();
        for l in &self.trace {
            if matches!(l.verdict, Verdict::Fail | Verdict::Flag)
                && let Some(r) = l.rule
                && !out.contains(&r)
            {
                out.push(r);
            }
        }
        out
    }

    pub fn payee(&self) -> Option<PayeeKind> {
        self.payments.first().map(|p| p.payee)
    }
}

/// The year a claim counts in under this policy.
pub fn year_of(policy: &Policy, claim: &ClaimFacts, today: NaiveDate) -> i32 {
    use chrono::Datelike;
    match &policy.rules.r2 {
        Some(r2) => rules::r02_yearly_cap::year_of(r2.params.year_basis, claim, today),
        None => claim.event_date().year(),
    }
}

/// The order in which a person's claims are decided.
pub fn order_key(claim: &ClaimFacts) -> (NaiveDate, NaiveDate, &str) {
    (
        claim.event_date(),
        claim.applied_on,
        claim.claim_no.as_str(),
    )
}

/// Decides one claim given the awards the person already holds.
pub fn decide(
    policy: &Policy,
    person: &PersonFacts,
    claim: &ClaimFacts,
    history: &[Award],
    today: NaiveDate,
) -> Decision {
    let year = year_of(policy, claim, today);
    let mut cx = Ctx {
        policy,
        person,
        claim,
        history,
        year,
        trace: Vec::with_capacity(8),
    };
    let reject = |mut cx: Ctx<'_>, detail: Detail| {
        cx.trace.push(TraceLine {
            rule: None,
            verdict: Verdict::Fail,
            detail,
        });
        finish(cx, None)
    };
    let Some(&rule) = policy.amount_rules.get(&claim.subsidy_type) else {
        return reject(cx, Detail::NotConfigured);
    };
    if !policy.in_force(claim.event_date()) {
        return reject(cx, Detail::OutsidePolicy);
    }
    let r = &policy.rules;
    if let Some(r5) = &r.r5 {
        rules::r05_retirement::eval(&mut cx, &r5.params);
        if cx.failed() {
            return finish(cx, None);
        }
    }
    let mut advance_pct = 0;
    let mut months = 0;
    let mut paid_months = Vec::new();
    let mut veteran_free = false;
    let mut from_catalogue = false;
    let priced: Option<(Fen, Option<PayeeKind>)> = match rule {
        RuleId::R1 => r.r1.as_ref().and_then(|a| {
            from_catalogue = true;
            rules::r01_certificate::eval(&mut cx, &a.params).map(|f| (f, None))
        }),
        RuleId::R8 => r.r8.as_ref().and_then(|a| {
            rules::r08_living_allowance::eval(&mut cx, &a.params).map(|(f, v)| {
                veteran_free = v;
                (f, Some(PayeeKind::Person))
            })
        }),
        RuleId::R9 => r.r9.as_ref().and_then(|a| {
            rules::r09_apprenticeship::eval(&mut cx, &a.params).map(|(f, pct)| {
                advance_pct = pct;
                (f, Some(PayeeKind::Enterprise))
            })
        }),
        RuleId::R10 => r.r10.as_ref().and_then(|a| {
            rules::r10_work_training::eval(&mut cx, &a.params).map(|(f, m, list)| {
                months = m;
                paid_months = list;
                (f, Some(PayeeKind::Enterprise))
            })
        }),
        RuleId::R11 => r.r11.as_ref().and_then(|a| {
            from_catalogue = true;
            rules::r11_project::eval(&mut cx, &a.params).map(|(f, pct)| {
                advance_pct = pct;
                (f, Some(PayeeKind::Institution))
            })
        }),
        RuleId::R12 => r.r12.as_ref().and_then(|a| {
            from_catalogue = true;
            rules::r12_skill_upgrade::eval(&mut cx, &a.params).map(|f| (f, Some(PayeeKind::Person)))
        }),
        RuleId::R14 => r.r14.as_ref().and_then(|a| {
            from_catalogue = true;
            rules::r14_startup::eval(&mut cx, &a.params).map(|f| (f, None))
        }),
        _ => None,
    };
    let Some((amount, payee)) = priced else {
        return finish(cx, None);
    };
    let (amount, payee) = match redeemed_voucher(policy, claim) {
        Some(v) => {
            cx.trace.push(TraceLine {
                rule: None,
                verdict: Verdict::Info,
                detail: Detail::Voucher {
                    voucher_no: v.voucher_no.clone(),
                    face: v.face,
                    standard: amount,
                },
            });
            (v.face, Some(PayeeKind::Institution))
        }
        None => (amount, payee),
    };
    if let Some(r4) = &r.r4 {
        rules::r04_local_institution::eval(&mut cx, &r4.params);
    }
    if let Some(r2) = &r.r2 {
        rules::r02_yearly_cap::eval(&mut cx, &r2.params);
    }
    if let Some(r3) = &r.r3 {
        rules::r03_no_repeat::eval(&mut cx, &r3.params);
    }
    if let Some(r17) = &r.r17 {
        rules::r17_no_duplicate::eval(&mut cx, &r17.params);
    }
    if from_catalogue && r.r15.is_some() {
        cx.push(RuleId::R15, Verdict::Info, Detail::SameStandard);
    }
    let payee = match payee {
        Some(p) => p,
        None => match &r.r7 {
            Some(r7) if r7.params.subsidy_types.contains(&claim.subsidy_type) => {
                let (p, v) = rules::r07_free_training::eval(&mut cx, &r7.params);
                veteran_free |= v;
                p
            }
            _ => PayeeKind::Person,
        },
    };
    let award = Award {
        claim_no: claim.claim_no.clone(),
        subsidy_type: claim.subsidy_type.clone(),
        year,
        occupation: claim.occupation().cloned(),
        level: claim.level(),
        cert: claim
            .certificate
            .as_ref()
            .map(|c| (c.cert_type, c.cert_no.clone())),
        class_key: claim.class.as_ref().map(|c| c.key),
        months,
        paid_months,
        veteran_free,
    };
    let mut d = finish(cx, Some((amount, payee, award)));
    d.advance_pct = advance_pct;
    d
}

/// The voucher redeemed for the claim's training, when the policy issues
/// vouchers that settle this subsidy type: the institution's claim then
/// settles at the voucher's face value (docs/spec/CREDENTIALS.md, vouchers).
fn redeemed_voucher<'c>(
    policy: &Policy,
    claim: &'c ClaimFacts,
) -> Option<&'c super::facts::VoucherFacts> {
    let rules = policy.vouchers.as_ref()?;
    let v = claim.voucher.as_ref()?;
    (rules.subsidy_type == claim.subsidy_type && v.face.is_positive()).then_some(v)
}

fn finish(cx: Ctx<'_>, priced: Option<(Fen, PayeeKind, Award)>) -> Decision {
    let failed = cx.trace.iter().any(|l| l.verdict == Verdict::Fail);
    let flagged = cx.trace.iter().any(|l| l.verdict == Verdict::Flag);
    let (outcome, amount, payments, award) = match priced {
        Some((amount, payee, award)) if !failed => (
            if flagged {
                Outcome::Review
            } else {
                Outcome::Approved
            },
            amount,
            vec![Payment { payee, amount }],
            Some(award),
        ),
        _ => (Outcome::Rejected, Fen::ZERO, Vec::new(), None),
    };
    Decision {
        outcome,
        amount,
        payments,
        advance_pct: 0,
        year: cx.year,
        trace: cx.trace,
        award,
    }
}

/// The hold of a claim that no loaded policy governs (无适用政策): review,
/// nothing priced, the paying region and the event date in the trace.
pub fn no_policy(claim: &ClaimFacts, region: &crate::RegionCode) -> Decision {
    use chrono::Datelike;
    let on = claim.event_date();
    Decision {
        outcome: Outcome::Review,
        amount: Fen::ZERO,
        payments: Vec::new(),
        advance_pct: 0,
        year: on.year(),
        trace: vec![TraceLine {
            rule: None,
            verdict: Verdict::Flag,
            detail: Detail::NoPolicy {
                region: region.as_str().to_string(),
                on,
            },
        }],
        award: None,
    }
}

/// Decides a person's claims in the defined order; every approval joins the
/// history the later claims see. Returns the decisions in `claims` order.
pub fn decide_person(
    policy: &Policy,
    person: &PersonFacts,
    claims: &[ClaimFacts],
    history: &mut Vec<Award>,
    today: NaiveDate,
) -> Vec<Decision> {
    let mut order: Vec<usize> = (0..claims.len()).collect();
    order.sort_by(|&a, &b| order_key(&claims[a]).cmp(&order_key(&claims[b])));
    let mut out: Vec<Option<Decision>> = vec![None; claims.len()];
    for i in order {
        let d = decide(policy, person, &claims[i], history, today);
        if d.outcome == Outcome::Approved
            && let Some(a) = &d.award
        {
            history.push(a.clone());
        }
        out[i] = Some(d);
    }
    out.into_iter().flatten().collect()
}
