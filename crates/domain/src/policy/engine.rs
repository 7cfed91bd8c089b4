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
pub enum DecisionOutcome {
    Approved,
    Rejected,
    Review,
}

impl DecisionOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionOutcome::Approved => "approved",
            DecisionOutcome::Rejected => "rejected",
            DecisionOutcome::Review => "review",
        }
    }

    pub fn as_zh(self) -> &'static str {
        match self {
            DecisionOutcome::Approved => "核准",
            DecisionOutcome::Rejected => "不予核准",
            DecisionOutcome::Review => "需人工复核",
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
    pub outcome: DecisionOutcome,
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
    let Some(priced) = price(&mut cx, rule) else {
        return finish(cx, None);
    };
    let priced = with_voucher(&mut cx, priced);
    check_limits(&mut cx);
    if priced.from_catalogue && r.r15.is_some() {
        cx.push(RuleId::R15, Verdict::Info, Detail::SameStandard);
    }
    let (payee, free_for_veteran) = payee_of(&mut cx, priced.payee);
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
        months: priced.months,
        paid_months: priced.paid_months,
        veteran_free: priced.veteran_free || free_for_veteran,
    };
    let mut d = finish(cx, Some((priced.amount, payee, award)));
    d.advance_pct = priced.advance_pct;
    d
}

/// What the rule that prices a claim's subsidy type found: the amount,
/// the payee when the rule names one, and what the award records.
#[derive(Debug, Default)]
struct Priced {
    amount: Fen,
    /// `None`: R7 (or the person) decides who is paid.
    payee: Option<PayeeKind>,
    /// Share paid in advance (R9, R11).
    advance_pct: u16,
    /// Months of work training paid (R10), and which.
    months: i64,
    paid_months: Vec<NaiveDate>,
    /// Free training for a veteran (R8).
    veteran_free: bool,
    /// Priced from the catalogue, so R15 (same standard) applies.
    from_catalogue: bool,
}

impl Priced {
    fn new(amount: Fen, payee: Option<PayeeKind>) -> Priced {
        Priced {
            amount,
            payee,
            ..Priced::default()
        }
    }

    fn catalogued(self) -> Priced {
        Priced {
            from_catalogue: true,
            ..self
        }
    }
}

/// The claim priced by `rule`, or `None` when the rule refused it (its
/// reason is in the trace).
fn price(cx: &mut Ctx<'_>, rule: RuleId) -> Option<Priced> {
    let policy = cx.policy;
    let r = &policy.rules;
    match rule {
        RuleId::R1 => r.r1.as_ref().and_then(|a| {
            rules::r01_certificate::eval(cx, &a.params).map(|f| Priced::new(f, None).catalogued())
        }),
        RuleId::R8 => r.r8.as_ref().and_then(|a| {
            rules::r08_living_allowance::eval(cx, &a.params).map(|(f, veteran_free)| Priced {
                veteran_free,
                ..Priced::new(f, Some(PayeeKind::Person))
            })
        }),
        RuleId::R9 => r.r9.as_ref().and_then(|a| {
            rules::r09_apprenticeship::eval(cx, &a.params).map(|(f, advance_pct)| Priced {
                advance_pct,
                ..Priced::new(f, Some(PayeeKind::Enterprise))
            })
        }),
        RuleId::R10 => r.r10.as_ref().and_then(|a| {
            rules::r10_work_training::eval(cx, &a.params).map(|(f, months, paid_months)| Priced {
                months,
                paid_months,
                ..Priced::new(f, Some(PayeeKind::Enterprise))
            })
        }),
        RuleId::R11 => r.r11.as_ref().and_then(|a| {
            rules::r11_project::eval(cx, &a.params).map(|(f, advance_pct)| {
                Priced {
                    advance_pct,
                    ..Priced::new(f, Some(PayeeKind::Institution))
                }
                .catalogued()
            })
        }),
        RuleId::R12 => r.r12.as_ref().and_then(|a| {
            rules::r12_skill_upgrade::eval(cx, &a.params)
                .map(|f| Priced::new(f, Some(PayeeKind::Person)).catalogued())
        }),
        RuleId::R14 => r.r14.as_ref().and_then(|a| {
            rules::r14_startup::eval(cx, &a.params).map(|f| Priced::new(f, None).catalogued())
        }),
        _ => None,
    }
}

/// A redeemed voucher settles the claim at its face value, paid to the
/// institution; the trace shows the standard it replaces.
fn with_voucher(cx: &mut Ctx<'_>, priced: Priced) -> Priced {
    let Some(v) = redeemed_voucher(cx.policy, cx.claim) else {
        return priced;
    };
    cx.trace.push(TraceLine {
        rule: None,
        verdict: Verdict::Info,
        detail: Detail::Voucher {
            voucher_no: v.voucher_no.clone(),
            face: v.face,
            standard: priced.amount,
        },
    });
    Priced {
        amount: v.face,
        payee: Some(PayeeKind::Institution),
        ..priced
    }
}

/// The limits on a priced claim: local institution (R4), yearly cap (R2),
/// no repeat (R3), no duplicate (R17).
fn check_limits(cx: &mut Ctx<'_>) {
    let policy = cx.policy;
    let r = &policy.rules;
    if let Some(r4) = &r.r4 {
        rules::r04_local_institution::eval(cx, &r4.params);
    }
    if let Some(r2) = &r.r2 {
        rules::r02_yearly_cap::eval(cx, &r2.params);
    }
    if let Some(r3) = &r.r3 {
        rules::r03_no_repeat::eval(cx, &r3.params);
    }
    if let Some(r17) = &r.r17 {
        rules::r17_no_duplicate::eval(cx, &r17.params);
    }
}

/// Who is paid: the pricing rule's payee, else R7's for the subsidy types
/// it covers (and whether that makes the training free for a veteran),
/// else the person.
fn payee_of(cx: &mut Ctx<'_>, priced: Option<PayeeKind>) -> (PayeeKind, bool) {
    if let Some(p) = priced {
        return (p, false);
    }
    let (policy, claim) = (cx.policy, cx.claim);
    match &policy.rules.r7 {
        Some(r7) if r7.params.subsidy_types.contains(&claim.subsidy_type) => {
            rules::r07_free_training::eval(cx, &r7.params)
        }
        _ => (PayeeKind::Person, false),
    }
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
                DecisionOutcome::Review
            } else {
                DecisionOutcome::Approved
            },
            amount,
            vec![Payment { payee, amount }],
            Some(award),
        ),
        _ => (DecisionOutcome::Rejected, Fen::ZERO, Vec::new(), None),
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
        outcome: DecisionOutcome::Review,
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
        if d.outcome == DecisionOutcome::Approved
            && let Some(a) = &d.award
        {
            history.push(a.clone());
        }
        out[i] = Some(d);
    }
    out.into_iter().flatten().collect()
}
