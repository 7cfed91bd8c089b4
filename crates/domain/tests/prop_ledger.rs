//! Property tests for the dedicated-fund ledger: long random sequences of
//! movements, valid and invalid, checked op by op against a small
//! independent model of what each must do (R16: never beyond the fund's
//! balance; R17: a claim paid once, from one fund), with the ledger's own
//! invariants holding at the end.

use jineng_domain::Fen;
use jineng_domain::ledger::{Account, FundCode, Ledger, LedgerError, Op, PostingKind};
use proptest::prelude::*;
use std::collections::HashMap;

const FUNDS: [&str; 3] = ["UI", "EMP_AID", "LOCAL"];
/// Named by some ops but never registered.
const GHOST: &str = "GHOST";
const CLAIMS: u32 = 200;
const OPS: usize = 10_000;

fn fund_code(name: &str) -> FundCode {
    FundCode::parse(name).unwrap()
}

fn fund() -> impl Strategy<Value = FundCode> {
    prop_oneof![
        30 => prop::sample::select(FUNDS.to_vec()),
        1 => Just(GHOST),
    ]
    .prop_map(fund_code)
}

/// A claim and the fund an op names for it: mostly the claim's "own" fund,
/// so that settlements meet their advances, sometimes another (R17).
fn claim_fund() -> impl Strategy<Value = (String, FundCode)> {
    (0..CLAIMS, prop::bool::weighted(0.8), fund()).prop_map(|(c, own, other)| {
        let f = if own {
            fund_code(FUNDS[c as usize % FUNDS.len()])
        } else {
            other
        };
        (format!("C{c:03}"), f)
    })
}

fn claim() -> impl Strategy<Value = String> {
    (0..CLAIMS).prop_map(|c| format!("C{c:03}"))
}

/// Mostly ordinary amounts, some zero or negative, some far beyond any
/// balance the sequence reaches.
fn amount(typical: i64) -> impl Strategy<Value = Fen> {
    prop_oneof![
        16 => (1..typical).prop_map(Fen),
        1 => Just(Fen::ZERO),
        1 => (-10_000i64..0).prop_map(Fen),
        1 => (1_000_000_000_000i64..1_000_000_000_000_000).prop_map(Fen),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (fund(), amount(200_000)).prop_map(|(fund, amount)| Op::Allocate {
            fund,
            amount,
            memo: String::new()
        }),
        3 => (claim_fund(), amount(150_000))
            .prop_map(|((claim, fund), amount)| Op::Advance { fund, claim, amount }),
        3 => (claim_fund(), amount(500_000))
            .prop_map(|((claim, fund), amount)| Op::Pay { fund, claim, amount }),
        3 => (claim_fund(), amount(600_000))
            .prop_map(|((claim, fund), total)| Op::Settle { fund, claim, total }),
        1 => claim().prop_map(|claim| Op::Recover { claim }),
    ]
}

/// What the model knows of a claim.
#[derive(Debug, Clone, PartialEq)]
struct ClaimModel {
    fund: FundCode,
    advanced: Option<i64>,
    paid: Option<i64>,
    settled: Option<i64>,
    recovered: bool,
}

#[derive(Debug, PartialEq)]
enum Verdict {
    Accept,
    /// Refused only because the fund's bank balance is short (R16).
    Insufficient,
    Refuse,
}

/// The expected behaviour, written from the rules, not from the code.
#[derive(Default)]
struct Model {
    bank: HashMap<FundCode, i64>,
    claims: HashMap<String, ClaimModel>,
}

impl Model {
    fn registered(&self, f: &FundCode) -> bool {
        self.bank.contains_key(f)
    }

    /// The verdict on `op`; applies it when accepted.
    fn apply(&mut self, op: &Op) -> Verdict {
        match op {
            // Payment through the bank has its own model (ledger_bank.rs).
            Op::Disburse { .. } | Op::BankResult { .. } => unreachable!("not generated"),
            Op::Allocate { fund, amount, .. } => {
                if !self.registered(fund) || amount.0 <= 0 {
                    return Verdict::Refuse;
                }
                *self.bank.get_mut(fund).unwrap() += amount.0;
                Verdict::Accept
            }
            Op::Advance {
                fund,
                claim,
                amount,
            }
            | Op::Pay {
                fund,
                claim,
                amount,
            } => {
                if !self.registered(fund) || amount.0 <= 0 || self.claims.contains_key(claim) {
                    return Verdict::Refuse;
                }
                if amount.0 > self.bank[fund] {
                    return Verdict::Insufficient;
                }
                *self.bank.get_mut(fund).unwrap() -= amount.0;
                let advance = matches!(op, Op::Advance { .. });
                self.claims.insert(
                    claim.clone(),
                    ClaimModel {
                        fund: fund.clone(),
                        advanced: advance.then_some(amount.0),
                        paid: (!advance).then_some(amount.0),
                        settled: None,
                        recovered: false,
                    },
                );
                Verdict::Accept
            }
            Op::Settle { fund, claim, total } => {
                let Some(c) = self.claims.get_mut(claim) else {
                    return Verdict::Refuse;
                };
                let Some(adv) = c.advanced else {
                    return Verdict::Refuse;
                };
                if &c.fund != fund
                    || c.settled.is_some()
                    || c.recovered
                    || total.0 <= 0
                    || total.0 < adv
                {
                    return Verdict::Refuse;
                }
                let bank = self.bank.get_mut(fund).unwrap();
                if total.0 - adv > *bank {
                    return Verdict::Insufficient;
                }
                *bank -= total.0 - adv;
                c.settled = Some(total.0);
                Verdict::Accept
            }
            Op::Recover { claim } => {
                let Some(c) = self.claims.get_mut(claim) else {
                    return Verdict::Refuse;
                };
                if c.recovered {
                    return Verdict::Refuse;
                }
                let out = c.settled.or(c.paid).or(c.advanced).unwrap();
                *self.bank.get_mut(&c.fund).unwrap() += out;
                c.recovered = true;
                Verdict::Accept
            }
        }
    }
}

/// What a refused op must leave untouched: the posting count, every
/// balance, the claim's state.
fn snapshot(ledger: &Ledger, op: &Op) -> (usize, Vec<Fen>, String) {
    let balances = FUNDS
        .iter()
        .flat_map(|f| Account::all(&fund_code(f)))
        .map(|a| ledger.balance(&a))
        .collect();
    let claim = op.claim().and_then(|c| ledger.claim(c));
    (ledger.postings().len(), balances, format!("{claim:?}"))
}

fn run(ops: &[Op]) -> Result<(), TestCaseError> {
    let mut ledger = Ledger::new();
    let mut model = Model::default();
    for f in FUNDS {
        let f = fund_code(f);
        ledger.add_fund(f.clone());
        model.bank.insert(f, 0);
    }
    let mut accepted = 0;
    for (i, op) in ops.iter().enumerate() {
        let before = snapshot(&ledger, op);
        let expected = model.apply(op);
        match ledger.apply(op) {
            Ok(p) => {
                prop_assert_eq!(&expected, &Verdict::Accept, "op {} {:?}", i, op);
                prop_assert_eq!(p.kind, op.kind());
                prop_assert!(p.is_balanced() && p.problems().is_empty(), "{:?}", p);
                let fund = p.fund.clone();
                prop_assert_eq!(
                    ledger.balance(&Account::Bank(fund.clone())).0,
                    model.bank[&fund]
                );
                accepted += 1;
            }
            Err(e) => {
                prop_assert_ne!(&expected, &Verdict::Accept, "op {} {:?}: {}", i, op, e);
                if expected == Verdict::Insufficient {
                    prop_assert!(
                        matches!(e, LedgerError::Insufficient { .. }),
                        "op {} {:?}: {}",
                        i,
                        op,
                        e
                    );
                }
                prop_assert_eq!(&snapshot(&ledger, op), &before, "refused op {} changed", i);
            }
        }
        for f in FUNDS {
            let s = ledger.fund_summary(&fund_code(f));
            prop_assert!(
                s.bank.0 >= 0 && s.is_consistent(),
                "after op {}: {:?}",
                i,
                s
            );
        }
    }
    prop_assert!(
        accepted > OPS / 20,
        "only {} of {} ops accepted",
        accepted,
        OPS
    );

    let problems = ledger.verify();
    prop_assert!(problems.is_empty(), "{:#?}", problems);
    let (mut held, mut allocated) = (0i64, 0i64);
    for f in FUNDS {
        let s = ledger.fund_summary(&fund_code(f));
        held += s.bank.0 + s.advances.0 + s.expense.0;
        allocated += s.source.0;
    }
    prop_assert_eq!(held, allocated);

    // No claim paid twice, nor from two funds.
    let mut per_claim: HashMap<&str, Vec<(PostingKind, &FundCode)>> = HashMap::new();
    for p in ledger.postings() {
        if let Some(c) = &p.claim_no {
            per_claim.entry(c).or_default().push((p.kind, &p.fund));
        }
    }
    for (claim, ps) in per_claim {
        let n = |k: PostingKind| ps.iter().filter(|(kind, _)| *kind == k).count();
        prop_assert!(
            n(PostingKind::Pay) + n(PostingKind::Advance) <= 1,
            "{}: {:?}",
            claim,
            ps
        );
        prop_assert!(
            n(PostingKind::Settle) <= n(PostingKind::Advance),
            "{}: {:?}",
            claim,
            ps
        );
        prop_assert!(n(PostingKind::Recover) <= 1, "{}: {:?}", claim, ps);
        prop_assert!(ps.iter().all(|(_, f)| *f == ps[0].1), "{}: {:?}", claim, ps);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 16,
        max_shrink_iters: 200,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_movements_keep_the_ledger_sound(ops in prop::collection::vec(op(), OPS)) {
        run(&ops)?;
    }
}
