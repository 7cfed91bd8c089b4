//! The money movements (allocate, advance, pay, disburse, bank result,
//! settle, recover): each a pure function that checks the movement against
//! the fund's bank balance and the claim's [`ClaimLedgerState`] and builds
//! its posting; [`Op`] dispatches to them for the store and [`super::Ledger`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Account, FundCode, Posting, PostingKind, PostingLine};
use crate::Fen;

/// A movement refused, with the reason in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("金额须大于零（实为 {0} 元）")]
    NotPositive(Fen),
    #[error("申领编号不能为空")]
    NoClaim,
    #[error("资金来源 {0} 未登记")]
    UnknownFund(FundCode),
    #[error(
        "资金来源 {fund} 专账余额 {balance} 元，不足以支付 {amount} 元：支付不得超过该资金来源的结存（专款专用）"
    )]
    Insufficient {
        fund: FundCode,
        balance: Fen,
        amount: Fen,
    },
    #[error(
        "申领 {claim} 已从资金来源 {booked} 记账，不能再从 {fund} 支付：同一补贴只能由一个资金来源支付"
    )]
    OtherFund {
        claim: String,
        booked: FundCode,
        fund: FundCode,
    },
    #[error("申领 {claim} {status}，同一补贴只能支付一次")]
    AlreadyBooked { claim: String, status: String },
    #[error("申领 {0} 没有预付记录，无法清算")]
    NotAdvanced(String),
    #[error("申领 {0} 已清算，不能再次清算")]
    AlreadySettled(String),
    #[error("申领 {claim} 的清算总额 {total} 元少于已预付的 {advanced} 元")]
    SettleBelowAdvance {
        claim: String,
        total: Fen,
        advanced: Fen,
    },
    #[error("申领 {0} 尚未预付或支付，没有可追回的款项")]
    NothingToRecover(String),
    #[error("申领 {0} 的款项已追回")]
    AlreadyRecovered(String),
    #[error("资金来源 {0} 的金额超出可记账范围")]
    Overflow(FundCode),
    #[error("申领 {0} 没有在途款项，无法按银行回盘入账")]
    NotInTransit(String),
    #[error("培训券编号不能为空")]
    NoVoucher,
    #[error("培训券 {0} 已记承诺，不能重复承诺")]
    AlreadyCommitted(String),
    #[error("培训券 {0} 没有承诺记录，无从释放")]
    NotCommitted(String),
    #[error("培训券 {0} 的承诺已释放")]
    AlreadyReleased(String),
    #[error(
        "资金来源 {fund} 专账余额 {bank} 元，已承诺 {committed} 元，不足以再承诺 {amount} 元：培训券的面值不得超过该资金来源未承诺的结存"
    )]
    OverCommitted {
        fund: FundCode,
        bank: Fen,
        committed: Fen,
        amount: Fen,
    },
}

/// What a claim already has in the ledger: enough to decide the next
/// movement for it. Built from the claim's postings, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimLedgerState {
    /// The one fund the claim is booked to (R17).
    pub fund: Option<FundCode>,
    /// The amount advanced, when there is an advance.
    pub advanced: Option<Fen>,
    /// The amount paid in full, when there is a payment.
    pub paid: Option<Fen>,
    /// The settled total, when an advance was settled.
    pub settled: Option<Fen>,
    pub recovered: bool,
    /// The amount sent to the bank and not yet confirmed or returned.
    pub in_transit: Option<Fen>,
    /// Disbursements so far (attempts), and how many the bank returned.
    pub disbursed: i64,
    pub returned: i64,
    /// Debit minus credit per account over the claim's postings; recovery
    /// posts its mirror image.
    pub net: BTreeMap<Account, Fen>,
}

impl ClaimLedgerState {
    pub fn from_postings<'a>(postings: impl IntoIterator<Item = &'a Posting>) -> ClaimLedgerState {
        let mut s = ClaimLedgerState::default();
        for p in postings {
            s.record(p);
        }
        s
    }

    /// Folds one of the claim's postings into the state.
    pub fn record(&mut self, p: &Posting) {
        let debited = |pick: fn(&Account) -> bool| -> Fen {
            p.entries
                .iter()
                .filter(|e| pick(&e.account))
                .map(|e| e.debit)
                .sum()
        };
        match p.kind {
            PostingKind::Allocate => {}
            PostingKind::Advance => {
                self.advanced = Some(debited(|a| matches!(a, Account::Advances(_))))
            }
            PostingKind::Pay => {
                self.paid = Some(debited(|a| matches!(a, Account::Expense(_))));
                self.in_transit = None;
            }
            PostingKind::Disburse => {
                self.disbursed += 1;
                self.in_transit = Some(debited(|a| matches!(a, Account::Transit(_))));
            }
            PostingKind::Return => {
                self.returned += 1;
                self.in_transit = None;
            }
            PostingKind::Settle => {
                self.settled = Some(debited(|a| matches!(a, Account::Expense(_))))
            }
            PostingKind::Recover => self.recovered = true,
            // A voucher's postings name no claim.
            PostingKind::Commit | PostingKind::Release => return,
        }
        self.fund.get_or_insert_with(|| p.fund.clone());
        for e in &p.entries {
            let n = self.net.entry(e.account.clone()).or_default();
            *n = Fen(n.0.saturating_add(e.debit.0).saturating_sub(e.credit.0));
        }
    }

    /// No posting yet.
    pub fn is_empty(&self) -> bool {
        self.fund.is_none()
    }

    /// Money of the claim is out of its fund: advanced, paid or in transit
    /// (a returned attempt is not).
    pub fn holds_money(&self) -> bool {
        self.advanced.is_some() || self.paid.is_some() || self.in_transit.is_some()
    }

    /// The attempt number a new posting of `kind` is stored under: each
    /// disbursement its own, a return that of the disbursement it returns,
    /// other kinds 0 (once per claim).
    pub fn attempt_of(&self, kind: PostingKind) -> i64 {
        match kind {
            PostingKind::Disburse => self.disbursed + 1,
            PostingKind::Return => self.disbursed,
            _ => 0,
        }
    }

    /// Paid in full, or advanced and settled.
    pub fn is_paid(&self) -> bool {
        self.paid.is_some() || self.settled.is_some()
    }

    /// Where the claim stands, for messages: 已预付 … 元, 已支付 … 元, 已追回.
    pub fn status_zh(&self) -> String {
        if self.recovered {
            "的款项已追回".to_string()
        } else if let Some(t) = self.settled.or(self.paid) {
            format!("已支付 {t} 元")
        } else if let Some(a) = self.advanced {
            format!("已预付 {a} 元")
        } else if let Some(t) = self.in_transit {
            format!("已代发在途 {t} 元")
        } else {
            "尚未记账".to_string()
        }
    }
}

fn positive(amount: Fen) -> Result<(), LedgerError> {
    if amount.is_positive() {
        Ok(())
    } else {
        Err(LedgerError::NotPositive(amount))
    }
}

fn claim_no(claim: &str) -> Result<String, LedgerError> {
    let c = claim.trim();
    if c.is_empty() {
        Err(LedgerError::NoClaim)
    } else {
        Ok(c.to_string())
    }
}

/// R17: a claim is booked to one fund only.
fn same_fund(claim: &str, fund: &FundCode, state: &ClaimLedgerState) -> Result<(), LedgerError> {
    match &state.fund {
        Some(booked) if booked != fund => Err(LedgerError::OtherFund {
            claim: claim.to_string(),
            booked: booked.clone(),
            fund: fund.clone(),
        }),
        _ => Ok(()),
    }
}

/// R16: nothing leaves a fund's bank account beyond what it holds.
fn within(fund: &FundCode, amount: Fen, bank_balance: Fen) -> Result<(), LedgerError> {
    if amount > bank_balance {
        Err(LedgerError::Insufficient {
            fund: fund.clone(),
            balance: bank_balance,
            amount,
        })
    } else {
        Ok(())
    }
}

/// 拨入: debit the fund's bank account, credit its source account.
pub fn allocate(fund: &FundCode, amount: Fen, memo: &str) -> Result<Posting, LedgerError> {
    positive(amount)?;
    Ok(Posting {
        kind: PostingKind::Allocate,
        fund: fund.clone(),
        claim_no: None,
        entries: vec![
            PostingLine::debit_to(Account::Bank(fund.clone()), amount),
            PostingLine::credit_to(Account::Source(fund.clone()), amount),
        ],
        memo: if memo.trim().is_empty() {
            "资金拨入".to_string()
        } else {
            memo.trim().to_string()
        },
    })
}

/// A first payment for a claim (advance or full): the claim must have no
/// posting yet and the fund must hold the amount.
fn first_payment(
    kind: PostingKind,
    fund: &FundCode,
    claim: &str,
    amount: Fen,
    bank_balance: Fen,
    state: &ClaimLedgerState,
) -> Result<Posting, LedgerError> {
    positive(amount)?;
    let claim = claim_no(claim)?;
    same_fund(&claim, fund, state)?;
    if state.holds_money() || state.recovered {
        return Err(LedgerError::AlreadyBooked {
            status: state.status_zh(),
            claim,
        });
    }
    within(fund, amount, bank_balance)?;
    let debit = match kind {
        PostingKind::Advance => Account::Advances(fund.clone()),
        PostingKind::Disburse => Account::Transit(fund.clone()),
        _ => Account::Expense(fund.clone()),
    };
    Ok(Posting {
        kind,
        fund: fund.clone(),
        memo: format!("申领 {claim} {}", kind.as_zh()),
        claim_no: Some(claim),
        entries: vec![
            PostingLine::debit_to(debit, amount),
            PostingLine::credit_to(Account::Bank(fund.clone()), amount),
        ],
    })
}

/// 预付: debit advances, credit bank.
pub fn advance(
    fund: &FundCode,
    claim: &str,
    amount: Fen,
    bank_balance: Fen,
    state: &ClaimLedgerState,
) -> Result<Posting, LedgerError> {
    first_payment(
        PostingKind::Advance,
        fund,
        claim,
        amount,
        bank_balance,
        state,
    )
}

/// 支付: debit expense, credit bank.
pub fn pay(
    fund: &FundCode,
    claim: &str,
    amount: Fen,
    bank_balance: Fen,
    state: &ClaimLedgerState,
) -> Result<Posting, LedgerError> {
    first_payment(PostingKind::Pay, fund, claim, amount, bank_balance, state)
}

/// 代发: debit transit, credit bank; the claim's first payment, or again
/// after the bank returned it (from the same fund, R17).
pub fn disburse(
    fund: &FundCode,
    claim: &str,
    amount: Fen,
    bank_balance: Fen,
    state: &ClaimLedgerState,
) -> Result<Posting, LedgerError> {
    first_payment(
        PostingKind::Disburse,
        fund,
        claim,
        amount,
        bank_balance,
        state,
    )
}

/// The bank's answer on a claim in transit: success moves the amount to
/// expense (kind 支付), failure back to the bank account (退回).
pub fn bank_result(
    claim: &str,
    success: bool,
    state: &ClaimLedgerState,
) -> Result<Posting, LedgerError> {
    let claim = claim_no(claim)?;
    let (Some(amount), Some(fund)) = (state.in_transit, state.fund.clone()) else {
        return Err(LedgerError::NotInTransit(claim));
    };
    let (kind, debit) = if success {
        (PostingKind::Pay, Account::Expense(fund.clone()))
    } else {
        (PostingKind::Return, Account::Bank(fund.clone()))
    };
    Ok(Posting {
        kind,
        memo: format!(
            "申领 {claim} 银行回盘{}",
            if success { "成功" } else { "失败，退回" }
        ),
        claim_no: Some(claim),
        entries: vec![
            PostingLine::debit_to(debit, amount),
            PostingLine::credit_to(Account::Transit(fund.clone()), amount),
        ],
        fund,
    })
}

/// 清算: an advanced claim's final amount `total` (≥ the advance) becomes
/// expense; the advance is cleared and the rest paid from the bank account.
pub fn settle(
    fund: &FundCode,
    claim: &str,
    total: Fen,
    bank_balance: Fen,
    state: &ClaimLedgerState,
) -> Result<Posting, LedgerError> {
    positive(total)?;
    let claim = claim_no(claim)?;
    same_fund(&claim, fund, state)?;
    if state.recovered {
        return Err(LedgerError::AlreadyRecovered(claim));
    }
    let Some(advanced) = state.advanced else {
        return Err(LedgerError::NotAdvanced(claim));
    };
    if state.settled.is_some() {
        return Err(LedgerError::AlreadySettled(claim));
    }
    if total < advanced {
        return Err(LedgerError::SettleBelowAdvance {
            claim,
            total,
            advanced,
        });
    }
    let rest = total - advanced;
    within(fund, rest, bank_balance)?;
    let mut entries = vec![
        PostingLine::debit_to(Account::Expense(fund.clone()), total),
        PostingLine::credit_to(Account::Advances(fund.clone()), advanced),
    ];
    if rest.is_positive() {
        entries.push(PostingLine::credit_to(Account::Bank(fund.clone()), rest));
    }
    Ok(Posting {
        kind: PostingKind::Settle,
        fund: fund.clone(),
        memo: format!("申领 {claim} 清算"),
        claim_no: Some(claim),
        entries,
    })
}

/// 追回: the mirror image of everything the claim has (debits and credits
/// swapped, netted per account), so the claim nets to zero and the money is
/// back in its fund's bank account. The claim must be paid or advanced and
/// not yet recovered.
pub fn recover(claim: &str, state: &ClaimLedgerState) -> Result<Posting, LedgerError> {
    let claim = claim_no(claim)?;
    if state.recovered {
        return Err(LedgerError::AlreadyRecovered(claim));
    }
    let fund = match &state.fund {
        Some(f) if state.advanced.is_some() || state.paid.is_some() => f.clone(),
        _ => return Err(LedgerError::NothingToRecover(claim)),
    };
    // Debits first, then credits; within each, account order.
    let mut entries: Vec<PostingLine> = state
        .net
        .iter()
        .filter(|(_, n)| n.0 < 0)
        .map(|(a, n)| PostingLine::debit_to(a.clone(), -*n))
        .collect();
    entries.extend(
        state
            .net
            .iter()
            .filter(|(_, n)| n.0 > 0)
            .map(|(a, n)| PostingLine::credit_to(a.clone(), *n)),
    );
    if entries.is_empty() {
        return Err(LedgerError::NothingToRecover(claim));
    }
    Ok(Posting {
        kind: PostingKind::Recover,
        fund,
        memo: format!("申领 {claim} 追回"),
        claim_no: Some(claim),
        entries,
    })
}

/// A money movement requested of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Op {
    Allocate {
        fund: FundCode,
        amount: Fen,
        memo: String,
    },
    Advance {
        fund: FundCode,
        claim: String,
        amount: Fen,
    },
    Pay {
        fund: FundCode,
        claim: String,
        amount: Fen,
    },
    Settle {
        fund: FundCode,
        claim: String,
        total: Fen,
    },
    /// From the fund the claim was booked to.
    Recover { claim: String },
    /// Sent to the bank in a disbursement batch.
    Disburse {
        fund: FundCode,
        claim: String,
        amount: Fen,
    },
    /// The bank's return line for a claim in transit.
    BankResult { claim: String, success: bool },
}

impl Op {
    pub fn kind(&self) -> PostingKind {
        match self {
            Op::Allocate { .. } => PostingKind::Allocate,
            Op::Advance { .. } => PostingKind::Advance,
            Op::Pay { .. } => PostingKind::Pay,
            Op::Settle { .. } => PostingKind::Settle,
            Op::Recover { .. } => PostingKind::Recover,
            Op::Disburse { .. } => PostingKind::Disburse,
            Op::BankResult { success: true, .. } => PostingKind::Pay,
            Op::BankResult { success: false, .. } => PostingKind::Return,
        }
    }

    /// The fund the op names; a recovery uses the claim's.
    pub fn fund(&self) -> Option<&FundCode> {
        match self {
            Op::Allocate { fund, .. }
            | Op::Advance { fund, .. }
            | Op::Pay { fund, .. }
            | Op::Settle { fund, .. }
            | Op::Disburse { fund, .. } => Some(fund),
            Op::Recover { .. } | Op::BankResult { .. } => None,
        }
    }

    pub fn claim(&self) -> Option<&str> {
        match self {
            Op::Allocate { .. } => None,
            Op::Advance { claim, .. }
            | Op::Pay { claim, .. }
            | Op::Settle { claim, .. }
            | Op::Disburse { claim, .. }
            | Op::BankResult { claim, .. }
            | Op::Recover { claim } => Some(claim.trim()),
        }
    }

    /// Checks the op against its fund's bank balance and its claim's state
    /// and builds the posting: the one dispatch the store and [`Ledger`]
    /// share.
    pub fn posting(
        &self,
        bank_balance: Fen,
        state: &ClaimLedgerState,
    ) -> Result<Posting, LedgerError> {
        match self {
            Op::Allocate { fund, amount, memo } => allocate(fund, *amount, memo),
            Op::Advance {
                fund,
                claim,
                amount,
            } => advance(fund, claim, *amount, bank_balance, state),
            Op::Pay {
                fund,
                claim,
                amount,
            } => pay(fund, claim, *amount, bank_balance, state),
            Op::Settle { fund, claim, total } => settle(fund, claim, *total, bank_balance, state),
            Op::Recover { claim } => recover(claim, state),
            Op::Disburse {
                fund,
                claim,
                amount,
            } => disburse(fund, claim, *amount, bank_balance, state),
            Op::BankResult { claim, success } => bank_result(claim, *success, state),
        }
    }

    /// The fund whose balances the op touches: the op's own, or for a
    /// recovery or a bank result the claim's.
    pub fn target_fund<'a>(&'a self, state: &'a ClaimLedgerState) -> Option<&'a FundCode> {
        self.fund().or(state.fund.as_ref())
    }
}
