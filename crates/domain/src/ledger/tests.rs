//! Unit tests of the ledger's codes, movements and verification.

use super::*;
use crate::Fen;
use proptest::prelude::*;

fn ui() -> FundCode {
    FundCode::parse("UI").unwrap()
}

fn y(s: &str) -> Fen {
    Fen::parse_yuan(s).unwrap()
}

#[test]
fn fund_codes_and_accounts_round_trip() {
    assert_eq!(FundCode::parse(" emp_aid ").unwrap().as_str(), "EMP_AID");
    assert!(FundCode::parse("").is_err());
    assert!(FundCode::parse("A-B").is_err());
    assert!(FundCode::parse("就业").is_err());
    assert!(FundCode::parse(&"A".repeat(17)).is_err());
    assert!(FundCode::parse(&"A".repeat(16)).is_ok());
    for a in Account::all(&ui()) {
        assert_eq!(Account::parse(&a.code()).unwrap(), a);
    }
    assert_eq!(Account::Bank(ui()).code(), "bank:UI");
    assert_eq!(Account::Advances(ui()).to_string(), "预付款（UI）");
    assert!(Account::parse("bank:ui").is_err());
    assert!(Account::parse("cash:UI").is_err());
    assert!(Account::parse("bank").is_err());
    for k in PostingKind::ALL {
        assert_eq!(PostingKind::from_code(k.code()), Some(k));
    }
    let json = serde_json::to_string(&PostingLine::debit_to(Account::Bank(ui()), Fen(5)));
    assert_eq!(
        json.unwrap(),
        r#"{"account":"bank:UI","debit":5,"credit":0}"#
    );
}

#[test]
fn over_balance_payment_is_refused_naming_fund_and_amounts() {
    let e = pay(&ui(), "C1", y("1200"), y("1000.5"), &Default::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "资金来源 UI 专账余额 1000.50 元，不足以支付 1200.00 元：支付不得超过该资金来源的结存（专款专用）"
    );
    assert!(pay(&ui(), "C1", y("1000.5"), y("1000.5"), &Default::default()).is_ok());
    assert_eq!(
        allocate(&ui(), Fen::ZERO, "").unwrap_err(),
        LedgerError::NotPositive(Fen::ZERO)
    );
}

#[test]
fn advance_settle_recover() {
    let mut l = Ledger::new();
    l.add_fund(ui());
    let other = FundCode::parse("LOCAL").unwrap();
    l.add_fund(other.clone());
    let claim = || "C7".to_string();
    l.apply(&Op::Allocate {
        fund: ui(),
        amount: y("10000"),
        memo: String::new(),
    })
    .unwrap();
    l.apply(&Op::Advance {
        fund: ui(),
        claim: claim(),
        amount: y("200"),
    })
    .unwrap();
    assert!(matches!(
        l.apply(&Op::Pay {
            fund: ui(),
            claim: claim(),
            amount: y("1")
        }),
        Err(LedgerError::AlreadyBooked { .. })
    ));
    assert!(matches!(
        l.apply(&Op::Settle {
            fund: other,
            claim: claim(),
            total: y("1000")
        }),
        Err(LedgerError::OtherFund { .. })
    ));
    assert!(matches!(
        l.apply(&Op::Settle {
            fund: ui(),
            claim: claim(),
            total: y("100")
        }),
        Err(LedgerError::SettleBelowAdvance { .. })
    ));
    let p = l
        .apply(&Op::Settle {
            fund: ui(),
            claim: claim(),
            total: y("1000"),
        })
        .unwrap();
    assert_eq!(p.entries.len(), 3);
    let s = l.fund_summary(&ui());
    assert_eq!(
        (s.bank, s.advances, s.expense),
        (y("9000"), Fen::ZERO, y("1000"))
    );
    let p = l.apply(&Op::Recover { claim: claim() }).unwrap().clone();
    assert_eq!(
        p.entries,
        vec![
            PostingLine::debit_to(Account::Bank(ui()), y("1000")),
            PostingLine::credit_to(Account::Expense(ui()), y("1000")),
        ]
    );
    assert_eq!(l.balance(&Account::Bank(ui())), y("10000"));
    assert_eq!(
        l.apply(&Op::Recover { claim: claim() }).unwrap_err(),
        LedgerError::AlreadyRecovered(claim())
    );
    assert!(l.verify().is_empty(), "{:?}", l.verify());
}

#[test]
fn verify_reports_a_tampered_posting() {
    let mut l = Ledger::new();
    l.add_fund(ui());
    l.apply(&Op::Allocate {
        fund: ui(),
        amount: y("5"),
        memo: "首批".into(),
    })
    .unwrap();
    l.postings[0].entries[0].debit = y("6");
    let v = l.verify();
    assert!(
        v.iter()
            .any(|m| m.contains("借方合计 6.00 元与贷方合计 5.00 元不等")),
        "{v:?}"
    );
    assert!(
        v.iter()
            .any(|m| m.contains("账户 专账存款（UI）余额 5.00 元与明细合计 6.00 元不符")),
        "{v:?}"
    );
}

#[test]
fn r16_takes_the_first_routed_fund_that_holds_the_amount() {
    let emp = FundCode::parse("EMP").unwrap();
    let routed = [(ui(), Some(y("100"))), (emp.clone(), Some(y("500")))];
    assert_eq!(choose_fund(&routed, y("100")), Ok(ui()));
    assert_eq!(choose_fund(&routed, y("300")), Ok(emp));
    let refused = choose_fund(&routed, y("600")).unwrap_err();
    assert_eq!(
        refused,
        "资金来源余额不足（R16 专款专用，不得超支）：需 600.00 元，UI 余额 100.00 元、尚缺 500.00 元，EMP 余额 500.00 元、尚缺 100.00 元"
    );
    let unopened = choose_fund(&[(ui(), None)], y("1")).unwrap_err();
    assert!(unopened.ends_with("UI 未建账"), "{unopened}");
}

proptest! {
    /// The chosen fund holds the amount and every fund routed before it
    /// does not; a refusal means no routed fund holds it.
    #[test]
    fn r16_choice_is_the_first_sufficient_fund(
        balances in prop::collection::vec(prop::option::of(0i64..1_000), 0..5),
        amount in 0i64..1_000,
    ) {
        let routed: Vec<(FundCode, Option<Fen>)> = balances
            .iter()
            .enumerate()
            .map(|(i, b)| (FundCode::parse(&format!("F{i}")).unwrap(), b.map(Fen)))
            .collect();
        let holds = |b: &Option<Fen>| b.is_some_and(|b| b >= Fen(amount));
        match choose_fund(&routed, Fen(amount)) {
            Ok(fund) => {
                let i = routed.iter().position(|(f, _)| *f == fund).unwrap();
                prop_assert!(holds(&routed[i].1));
                prop_assert!(!routed[..i].iter().any(|(_, b)| holds(b)));
            }
            Err(why) => {
                prop_assert!(!routed.iter().any(|(_, b)| holds(b)));
                prop_assert!(why.starts_with("资金来源余额不足（R16 专款专用"));
            }
        }
    }
}
