//! Payment through the bank on the reference ledger: random disbursement
//! batches with random bank failures (and return files read twice) keep
//! the ledger sound, and every claim ends paid once or with its money back
//! in its fund; the claim's lifecycle moves in step with its postings.

use jineng_domain::ledger::{Account, FundCode, Ledger, LedgerError, Op, PostingKind};
use jineng_domain::{ClaimStatus, ClaimStep, Fen};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Case {
    allocations: Vec<(usize, i64)>,
    amounts: Vec<i64>,
    /// Per round: the bank's answer per claim in the batch (true = 成功),
    /// taken in claim order; and whether the return file is read twice.
    rounds: Vec<(Vec<bool>, bool)>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        proptest::collection::vec((0usize..2, 1i64..200_000), 1..4),
        proptest::collection::vec(1i64..60_000, 1..12),
        proptest::collection::vec(
            (proptest::collection::vec(any::<bool>(), 12), any::<bool>()),
            1..6,
        ),
    )
        .prop_map(|(allocations, amounts, rounds)| Case {
            allocations,
            amounts,
            rounds,
        })
}

fn fund(i: usize) -> FundCode {
    FundCode::parse(["UI", "LOCAL"][i]).unwrap()
}

/// One batch: every claim a batch may take is disbursed from its fund (the
/// one it was booked to, or the first that holds enough); a claim no fund
/// can pay is left out. Returns the claims sent.
fn batch(ledger: &mut Ledger, status: &mut [ClaimStatus], amounts: &[i64]) -> Vec<usize> {
    let mut sent = Vec::new();
    for (i, amount) in amounts.iter().enumerate() {
        if !status[i].payable_by_bank() {
            continue;
        }
        let claim = format!("C{i}");
        let booked = ledger.claim(&claim).and_then(|s| s.fund.clone());
        let candidates: Vec<FundCode> = match booked {
            Some(f) => vec![f],
            None => vec![fund(0), fund(1)],
        };
        for f in candidates {
            let op = Op::Disburse {
                fund: f,
                claim: claim.clone(),
                amount: Fen(*amount),
            };
            match ledger.apply(&op) {
                Ok(_) => {
                    status[i] = status[i].after(ClaimStep::Disburse, None).unwrap();
                    sent.push(i);
                    break;
                }
                Err(LedgerError::Insufficient { .. }) => continue,
                Err(e) => panic!("unexpected refusal: {e}"),
            }
        }
    }
    sent
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_batches_with_bank_failures_keep_the_ledger_sound(c in case()) {
        let mut ledger = Ledger::new();
        ledger.add_fund(fund(0));
        ledger.add_fund(fund(1));
        for (f, amount) in &c.allocations {
            ledger.apply(&Op::Allocate { fund: fund(*f), amount: Fen(*amount), memo: String::new() }).unwrap();
        }
        let allocated: i64 = c.allocations.iter().map(|(_, a)| a).sum();
        let mut status = vec![ClaimStatus::Approved; c.amounts.len()];
        for (answers, twice) in &c.rounds {
            let sent = batch(&mut ledger, &mut status, &c.amounts);
            let reads = if *twice { 2 } else { 1 };
            for read in 0..reads {
                for (k, i) in sent.iter().enumerate() {
                    let success = answers[k % answers.len()];
                    let op = Op::BankResult { claim: format!("C{i}"), success };
                    match ledger.apply(&op) {
                        Ok(_) => {
                            prop_assert_eq!(read, 0);
                            let step = if success { ClaimStep::BankSuccess } else { ClaimStep::BankFailure };
                            status[*i] = status[*i].after(step, None).unwrap();
                        }
                        // The second reading of the same file books nothing.
                        Err(LedgerError::NotInTransit(_)) => prop_assert_eq!(read, 1),
                        Err(e) => panic!("unexpected refusal: {e}"),
                    }
                }
            }
            let problems = ledger.verify();
            prop_assert!(problems.is_empty(), "{:?}", problems);
        }
        let mut expense = 0i64;
        for (i, amount) in c.amounts.iter().enumerate() {
            let claim = format!("C{i}");
            let pays = ledger
                .postings()
                .iter()
                .filter(|p| p.claim_no.as_deref() == Some(claim.as_str()) && p.kind == PostingKind::Pay)
                .count();
            let state = ledger.claim(&claim).cloned().unwrap_or_default();
            prop_assert_eq!(state.in_transit, None);
            match status[i] {
                ClaimStatus::Paid => {
                    prop_assert_eq!(pays, 1);
                    prop_assert_eq!(state.paid, Some(Fen(*amount)));
                    expense += amount;
                }
                ClaimStatus::Failed | ClaimStatus::Approved => {
                    prop_assert_eq!(pays, 0);
                    // Back in its fund: the claim nets to zero on the bank.
                    for (account, net) in &state.net {
                        prop_assert_eq!(*net, Fen::ZERO, "{} of {}", account, claim);
                    }
                }
                other => prop_assert!(false, "claim {claim} ended {other:?}"),
            }
            // R17: one fund per claim, whatever the attempts.
            let funds: std::collections::BTreeSet<_> = ledger
                .postings()
                .iter()
                .filter(|p| p.claim_no.as_deref() == Some(claim.as_str()))
                .map(|p| p.fund.clone())
                .collect();
            prop_assert!(funds.len() <= 1);
        }
        let (mut bank, mut paid, mut transit) = (0, 0, 0);
        for f in [fund(0), fund(1)] {
            let s = ledger.fund_summary(&f);
            prop_assert!(s.bank.0 >= 0);
            prop_assert!(s.is_consistent());
            bank += s.bank.0;
            paid += s.expense.0;
            transit += ledger.balance(&Account::Transit(f)).0;
        }
        prop_assert_eq!(transit, 0);
        prop_assert_eq!(paid, expense);
        prop_assert_eq!(bank + paid, allocated);
    }
}

#[test]
fn a_bank_result_without_money_in_transit_is_refused() {
    let mut l = Ledger::new();
    l.add_fund(fund(0));
    let e = l
        .apply(&Op::BankResult {
            claim: "C1".into(),
            success: true,
        })
        .unwrap_err();
    assert_eq!(e.to_string(), "申领 C1 没有在途款项，无法按银行回盘入账");
    l.apply(&Op::Allocate {
        fund: fund(0),
        amount: Fen(100),
        memo: String::new(),
    })
    .unwrap();
    l.apply(&Op::Disburse {
        fund: fund(0),
        claim: "C1".into(),
        amount: Fen(100),
    })
    .unwrap();
    // In transit: neither paid again nor disbursed again.
    assert!(matches!(
        l.apply(&Op::Disburse {
            fund: fund(0),
            claim: "C1".into(),
            amount: Fen(100)
        }),
        Err(LedgerError::AlreadyBooked { .. })
    ));
    assert_eq!(l.balance(&Account::Transit(fund(0))), Fen(100));
    assert!(l.verify().is_empty(), "{:?}", l.verify());
}
