//! The dedicated-fund ledger (专账): R16 — separate accounts per fund source,
//! no payment beyond what its source holds — and the one-claim-one-payment,
//! one-fund part of R17. This module owns the fund codes, the accounts, the
//! double-entry postings and the five money movements (allocate, advance,
//! pay, settle, recover) as pure functions that check a movement against the
//! minimal state it needs and build its posting. The store and the in-memory
//! [`Ledger`] call the same functions, so the rules live here once.
//!
//! Each fund source has five accounts: 专账存款 (bank, asset), 资金拨入
//! (source, credit-normal: what was allocated), 预付款 (advances, asset),
//! 补贴支出 (expense) and 在途资金 (transit, asset: sent to the bank in a
//! disbursement batch, not yet confirmed). Every posting is balanced and
//! stays within one fund, so per fund bank + advances + transit + expense =
//! source at all times.
//!
//! Payment through the bank (004 十九) is three movements: 代发 (disburse:
//! bank → transit, within the balance, R16), then per the bank's return
//! line 支付 (pay: transit → expense) or 退回 (return: transit → bank). A
//! returned claim may be disbursed again, from the same fund (R17); it is
//! paid at most once.
//!
//! Training vouchers (职业培训券) add two memorandum accounts per fund,
//! 培训券承诺 (committed, debit-normal) and 承诺备查 (pledge, its
//! credit-normal counterpart), booked by [`commitment`]: issuing a voucher
//! debits one and credits the other, its release (the claim paid, or the
//! voucher lapsed) reverses that. They never touch the five money
//! accounts, so the fund's equation above holds as before, and per fund
//! committed = pledge = the face value of the vouchers still outstanding.

pub mod commitment;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Fen, ValueError};

/// A fund source's code (`UI`, `EMP_AID`): 1–16 of A–Z, 0–9 and `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FundCode(String);

impl FundCode {
    /// Trims and upper-cases ASCII letters, then validates.
    pub fn parse(raw: &str) -> Result<FundCode, ValueError> {
        let s = raw.trim().to_ascii_uppercase();
        let valid = !s.is_empty()
            && s.len() <= 16
            && s.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if !valid {
            return Err(ValueError::new(format!(
                "资金来源代码「{}」无效：应为 1 至 16 位大写字母、数字或下划线",
                raw.trim()
            )));
        }
        Ok(FundCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for FundCode {
    type Error = ValueError;
    fn try_from(s: String) -> Result<FundCode, ValueError> {
        FundCode::parse(&s)
    }
}

impl From<FundCode> for String {
    fn from(f: FundCode) -> String {
        f.0
    }
}

impl fmt::Display for FundCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One of a fund source's five accounts. Stored as `bank:UI`, `source:UI`,
/// `advances:UI`, `expense:UI`, `transit:UI`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Account {
    /// 专账存款: the money the fund still holds (asset).
    Bank(FundCode),
    /// 资金拨入: allocations received (credit-normal).
    Source(FundCode),
    /// 预付款: advances paid out, not yet settled (asset).
    Advances(FundCode),
    /// 补贴支出: subsidies paid.
    Expense(FundCode),
    /// 在途资金: sent to the bank, not yet confirmed (asset).
    Transit(FundCode),
    /// 培训券承诺: vouchers issued and not yet released (memorandum).
    Committed(FundCode),
    /// 承诺备查: the counterpart of [`Account::Committed`] (memorandum).
    Pledge(FundCode),
}

impl Account {
    /// The two memorandum accounts of `fund` (vouchers' commitments).
    pub fn memo(fund: &FundCode) -> [Account; 2] {
        [
            Account::Committed(fund.clone()),
            Account::Pledge(fund.clone()),
        ]
    }

    /// Whether this is a memorandum account, outside the fund's money.
    pub fn is_memo(&self) -> bool {
        matches!(self, Account::Committed(_) | Account::Pledge(_))
    }

    /// The five money accounts of `fund`, in storage order.
    pub fn all(fund: &FundCode) -> [Account; 5] {
        [
            Account::Bank(fund.clone()),
            Account::Source(fund.clone()),
            Account::Advances(fund.clone()),
            Account::Expense(fund.clone()),
            Account::Transit(fund.clone()),
        ]
    }

    pub fn fund(&self) -> &FundCode {
        match self {
            Account::Bank(f)
            | Account::Source(f)
            | Account::Advances(f)
            | Account::Expense(f)
            | Account::Transit(f)
            | Account::Committed(f)
            | Account::Pledge(f) => f,
        }
    }

    fn prefix(&self) -> &'static str {
        match self {
            Account::Bank(_) => "bank",
            Account::Source(_) => "source",
            Account::Advances(_) => "advances",
            Account::Expense(_) => "expense",
            Account::Transit(_) => "transit",
            Account::Committed(_) => "committed",
            Account::Pledge(_) => "pledge",
        }
    }

    /// The stored code, e.g. `bank:UI`.
    pub fn code(&self) -> String {
        format!("{}:{}", self.prefix(), self.fund())
    }

    pub fn parse(code: &str) -> Result<Account, ValueError> {
        let bad = || ValueError::new(format!("无法识别的账户「{code}」"));
        let (prefix, raw) = code.split_once(':').ok_or_else(bad)?;
        // Stored codes are exact: `bank:ui` is not an account.
        let fund = FundCode::parse(raw).map_err(|_| bad())?;
        if fund.as_str() != raw {
            return Err(bad());
        }
        Ok(match prefix {
            "bank" => Account::Bank(fund),
            "source" => Account::Source(fund),
            "advances" => Account::Advances(fund),
            "expense" => Account::Expense(fund),
            "transit" => Account::Transit(fund),
            "committed" => Account::Committed(fund),
            "pledge" => Account::Pledge(fund),
            _ => return Err(bad()),
        })
    }

    pub fn as_zh(&self) -> &'static str {
        match self {
            Account::Bank(_) => "专账存款",
            Account::Source(_) => "资金拨入",
            Account::Advances(_) => "预付款",
            Account::Expense(_) => "补贴支出",
            Account::Transit(_) => "在途资金",
            Account::Committed(_) => "培训券承诺",
            Account::Pledge(_) => "承诺备查",
        }
    }

    /// Asset and expense balances grow with debits; the source account,
    /// where allocations are credited, grows with credits, as does the
    /// pledge that mirrors the commitments.
    pub fn debit_normal(&self) -> bool {
        !matches!(self, Account::Source(_) | Account::Pledge(_))
    }
}

impl TryFrom<String> for Account {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Account, ValueError> {
        Account::parse(&s)
    }
}

impl From<Account> for String {
    fn from(a: Account) -> String {
        a.code()
    }
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}（{}）", self.as_zh(), self.fund())
    }
}

/// One line of a posting: exactly one of `debit` and `credit` is nonzero.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub account: Account,
    pub debit: Fen,
    pub credit: Fen,
}

impl Entry {
    pub fn debit_to(account: Account, amount: Fen) -> Entry {
        Entry {
            account,
            debit: amount,
            credit: Fen::ZERO,
        }
    }

    pub fn credit_to(account: Account, amount: Fen) -> Entry {
        Entry {
            account,
            debit: Fen::ZERO,
            credit: amount,
        }
    }

    /// Exactly one side positive, the other zero.
    pub fn is_well_formed(&self) -> bool {
        (self.debit.is_positive() && self.credit == Fen::ZERO)
            || (self.credit.is_positive() && self.debit == Fen::ZERO)
    }

    /// Debit minus credit, widened so that corrupt rows cannot overflow.
    fn net(&self) -> i128 {
        i128::from(self.debit.0) - i128::from(self.credit.0)
    }

    /// The change to the account's balance in its normal direction.
    fn change(&self) -> i128 {
        if self.account.debit_normal() {
            self.net()
        } else {
            -self.net()
        }
    }
}

/// What a posting does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PostingKind {
    /// 拨入: money allocated to a fund source.
    Allocate,
    /// 预付: part of a claim paid before it is settled.
    Advance,
    /// 支付: a claim paid in full.
    Pay,
    /// 清算: an advanced claim settled at its final amount.
    Settle,
    /// 追回: a paid or advanced claim's money returned to its fund.
    Recover,
    /// 代发: a claim's amount sent to the bank in a batch (bank → transit).
    Disburse,
    /// 退回: the bank returned a payment (transit → bank).
    Return,
    /// 承诺: a voucher issued commits its face value (memorandum).
    Commit,
    /// 释放: a voucher's commitment released (its claim paid, or lapsed).
    Release,
}

impl PostingKind {
    pub const ALL: [PostingKind; 9] = [
        PostingKind::Allocate,
        PostingKind::Advance,
        PostingKind::Pay,
        PostingKind::Settle,
        PostingKind::Recover,
        PostingKind::Disburse,
        PostingKind::Return,
        PostingKind::Commit,
        PostingKind::Release,
    ];

    /// Kinds booked for a claim (all but allocations and commitments).
    pub fn for_claim(self) -> bool {
        !matches!(
            self,
            PostingKind::Allocate | PostingKind::Commit | PostingKind::Release
        )
    }

    /// Kinds booked for a voucher (its commitment and release).
    pub fn for_voucher(self) -> bool {
        matches!(self, PostingKind::Commit | PostingKind::Release)
    }

    /// Kinds a claim may have more than once: one disbursement per attempt,
    /// one return per failed attempt.
    pub fn repeats(self) -> bool {
        matches!(self, PostingKind::Disburse | PostingKind::Return)
    }

    pub fn code(self) -> &'static str {
        match self {
            PostingKind::Allocate => "allocate",
            PostingKind::Advance => "advance",
            PostingKind::Pay => "pay",
            PostingKind::Settle => "settle",
            PostingKind::Recover => "recover",
            PostingKind::Disburse => "disburse",
            PostingKind::Return => "return",
            PostingKind::Commit => "commit",
            PostingKind::Release => "release",
        }
    }

    pub fn from_code(code: &str) -> Option<PostingKind> {
        PostingKind::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn as_zh(self) -> &'static str {
        match self {
            PostingKind::Allocate => "拨入",
            PostingKind::Advance => "预付",
            PostingKind::Pay => "支付",
            PostingKind::Settle => "清算",
            PostingKind::Recover => "追回",
            PostingKind::Disburse => "代发",
            PostingKind::Return => "退回",
            PostingKind::Commit => "承诺",
            PostingKind::Release => "释放",
        }
    }
}

impl fmt::Display for PostingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_zh())
    }
}

/// One balanced money movement within one fund source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posting {
    pub kind: PostingKind,
    pub fund: FundCode,
    /// The claim paid, advanced, settled or recovered; `None` for allocations.
    pub claim_no: Option<String>,
    pub entries: Vec<Entry>,
    pub memo: String,
}

impl Posting {
    /// Σ debit = Σ credit.
    pub fn is_balanced(&self) -> bool {
        self.entries.iter().map(Entry::net).sum::<i128>() == 0
    }

    /// What is wrong with the posting's form, in Chinese: unbalanced, a
    /// line with both or neither side, a line in another fund, a claim
    /// where there should be none or none where there should be one.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.entries.is_empty() {
            out.push("没有分录".to_string());
        }
        if !self.is_balanced() {
            let debit: i128 = self.entries.iter().map(|e| i128::from(e.debit.0)).sum();
            let credit: i128 = self.entries.iter().map(|e| i128::from(e.credit.0)).sum();
            out.push(format!(
                "借方合计 {} 元与贷方合计 {} 元不等",
                yuan(debit),
                yuan(credit)
            ));
        }
        for (i, e) in self.entries.iter().enumerate() {
            if !e.is_well_formed() {
                out.push(format!(
                    "第 {} 行分录（{}）借方 {} 元、贷方 {} 元：应有且只有一方为正数",
                    i + 1,
                    e.account,
                    e.debit,
                    e.credit
                ));
            }
            if e.account.fund() != &self.fund {
                out.push(format!(
                    "第 {} 行分录的账户 {} 不属于资金来源 {}",
                    i + 1,
                    e.account,
                    self.fund
                ));
            }
        }
        match (&self.claim_no, self.kind) {
            (Some(c), k) if !k.for_claim() => out.push(format!("{k}记账不应关联申领（{c}）")),
            (None, k) if k.for_claim() => out.push(format!("{k}记账缺少申领编号")),
            _ => {}
        }
        for (i, e) in self.entries.iter().enumerate() {
            if e.account.is_memo() != self.kind.for_voucher() {
                out.push(format!(
                    "第 {} 行分录的账户 {} 不属于{}记账",
                    i + 1,
                    e.account,
                    self.kind
                ));
            }
        }
        out
    }
}

/// The message for a fund whose bank account is not what its source, less
/// expense, advances and money in transit, leaves: amounts in fen in the
/// order bank, source, expense, advances, transit.
pub fn unbalanced_fund(
    fund: &FundCode,
    [bank, source, expense, advances, transit]: [i128; 5],
) -> String {
    format!(
        "资金来源 {fund} 账不平：专账存款 {} 元 ≠ 拨入 {} 元 − 支出 {} 元 − 预付 {} 元 − 在途 {} 元",
        yuan(bank),
        yuan(source),
        yuan(expense),
        yuan(advances),
        yuan(transit)
    )
}

/// An `i128` amount of fen as yuan, for messages about sums.
fn yuan(fen: i128) -> String {
    match i64::try_from(fen) {
        Ok(f) => Fen(f).to_string(),
        Err(_) => format!("{fen} 分"),
    }
}

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
            Entry::debit_to(Account::Bank(fund.clone()), amount),
            Entry::credit_to(Account::Source(fund.clone()), amount),
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
            Entry::debit_to(debit, amount),
            Entry::credit_to(Account::Bank(fund.clone()), amount),
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
            Entry::debit_to(debit, amount),
            Entry::credit_to(Account::Transit(fund.clone()), amount),
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
        Entry::debit_to(Account::Expense(fund.clone()), total),
        Entry::credit_to(Account::Advances(fund.clone()), advanced),
    ];
    if rest.is_positive() {
        entries.push(Entry::credit_to(Account::Bank(fund.clone()), rest));
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
    let mut entries: Vec<Entry> = state
        .net
        .iter()
        .filter(|(_, n)| n.0 < 0)
        .map(|(a, n)| Entry::debit_to(a.clone(), -*n))
        .collect();
    entries.extend(
        state
            .net
            .iter()
            .filter(|(_, n)| n.0 > 0)
            .map(|(a, n)| Entry::credit_to(a.clone(), *n)),
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

/// A fund source's four balances, each in its normal direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundBalances {
    pub bank: Fen,
    pub source: Fen,
    pub advances: Fen,
    pub expense: Fen,
    #[serde(default)]
    pub transit: Fen,
    /// 培训券承诺 and 承诺备查 (memorandum; equal in a sound ledger).
    #[serde(default)]
    pub committed: Fen,
    #[serde(default)]
    pub pledge: Fen,
}

impl FundBalances {
    pub fn get(&self, account: &Account) -> Fen {
        match account {
            Account::Bank(_) => self.bank,
            Account::Source(_) => self.source,
            Account::Advances(_) => self.advances,
            Account::Expense(_) => self.expense,
            Account::Transit(_) => self.transit,
            Account::Committed(_) => self.committed,
            Account::Pledge(_) => self.pledge,
        }
    }

    fn slot(&mut self, account: &Account) -> &mut Fen {
        match account {
            Account::Bank(_) => &mut self.bank,
            Account::Source(_) => &mut self.source,
            Account::Advances(_) => &mut self.advances,
            Account::Expense(_) => &mut self.expense,
            Account::Transit(_) => &mut self.transit,
            Account::Committed(_) => &mut self.committed,
            Account::Pledge(_) => &mut self.pledge,
        }
    }

    /// The bank balance not yet promised to vouchers.
    pub fn uncommitted(&self) -> Fen {
        self.bank - self.committed
    }

    /// The balances after `posting` (whose lines are all in this fund),
    /// refused when an amount would leave the `i64` range.
    pub fn after(&self, posting: &Posting) -> Result<FundBalances, LedgerError> {
        let mut out = *self;
        for e in &posting.entries {
            let slot = out.slot(&e.account);
            let next = i128::from(slot.0) + e.change();
            slot.0 =
                i64::try_from(next).map_err(|_| LedgerError::Overflow(posting.fund.clone()))?;
        }
        Ok(out)
    }

    /// bank + advances + transit + expense = source; committed = pledge.
    pub fn is_consistent(&self) -> bool {
        i128::from(self.bank.0)
            + i128::from(self.advances.0)
            + i128::from(self.transit.0)
            + i128::from(self.expense.0)
            == i128::from(self.source.0)
            && self.committed == self.pledge
    }
}

/// How many postings of each kind a claim has: the basis of the per-claim
/// checks shared by [`Ledger::verify`] and the store's verification.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindCounts {
    pub allocate: i64,
    pub advance: i64,
    pub pay: i64,
    pub settle: i64,
    pub recover: i64,
    pub disburse: i64,
    pub returned: i64,
    pub commit: i64,
    pub release: i64,
}

impl KindCounts {
    pub fn add(&mut self, kind: PostingKind) {
        *self.slot(kind) += 1;
    }

    pub fn get(&self, kind: PostingKind) -> i64 {
        match kind {
            PostingKind::Allocate => self.allocate,
            PostingKind::Advance => self.advance,
            PostingKind::Pay => self.pay,
            PostingKind::Settle => self.settle,
            PostingKind::Recover => self.recover,
            PostingKind::Disburse => self.disburse,
            PostingKind::Return => self.returned,
            PostingKind::Commit => self.commit,
            PostingKind::Release => self.release,
        }
    }

    fn slot(&mut self, kind: PostingKind) -> &mut i64 {
        match kind {
            PostingKind::Allocate => &mut self.allocate,
            PostingKind::Advance => &mut self.advance,
            PostingKind::Pay => &mut self.pay,
            PostingKind::Settle => &mut self.settle,
            PostingKind::Recover => &mut self.recover,
            PostingKind::Disburse => &mut self.disburse,
            PostingKind::Return => &mut self.returned,
            PostingKind::Commit => &mut self.commit,
            PostingKind::Release => &mut self.release,
        }
    }
}

/// What is wrong with one claim's postings, from their counts per kind and
/// the number of funds they use (R17: paid once, from one fund).
pub fn claim_violations(claim: &str, counts: &KindCounts, funds: i64) -> Vec<String> {
    let mut out = Vec::new();
    for kind in PostingKind::ALL {
        let n = counts.get(kind);
        if !kind.for_claim() && n > 0 {
            out.push(format!("申领 {claim} 下有 {n} 笔{kind}记账"));
        } else if n > 1 && !kind.repeats() {
            out.push(format!(
                "申领 {claim} 有 {n} 笔{kind}记账，同一申领每种记账只能有一笔"
            ));
        }
    }
    if counts.pay > 0 && counts.advance > 0 {
        out.push(format!("申领 {claim} 既有支付又有预付，重复支付"));
    }
    if counts.settle > 0 && counts.advance == 0 {
        out.push(format!("申领 {claim} 有清算而没有预付"));
    }
    if counts.recover > 0 && counts.pay == 0 && counts.advance == 0 {
        out.push(format!("申领 {claim} 有追回而没有支付或预付"));
    }
    let outstanding = counts.disburse - counts.returned;
    if !(0..=1).contains(&outstanding) {
        out.push(format!(
            "申领 {claim} 有 {} 笔代发、{} 笔退回，在途不应超过一笔",
            counts.disburse, counts.returned
        ));
    }
    if counts.advance > 0 && counts.disburse > 0 {
        out.push(format!("申领 {claim} 既有预付又有代发，重复支付"));
    }
    if funds > 1 {
        out.push(format!(
            "申领 {claim} 由 {funds} 个资金来源记账，同一补贴只能由一个资金来源支付"
        ));
    }
    out
}

/// What is wrong with a claim's in-transit money: `transit_net` is the
/// claim's debit minus credit on its fund's transit account. A claim the
/// bank has not answered holds its amount there; any other holds nothing.
pub fn transit_violations(claim: &str, counts: &KindCounts, transit_net: i128) -> Vec<String> {
    let in_transit = counts.disburse - counts.returned == 1 && counts.pay == 0;
    if transit_net < 0 {
        vec![format!(
            "申领 {claim} 的在途资金为负（{} 元）",
            yuan(transit_net)
        )]
    } else if in_transit && transit_net == 0 {
        vec![format!("申领 {claim} 已代发未回盘，在途资金却为零")]
    } else if !in_transit && transit_net != 0 {
        vec![format!(
            "申领 {claim} 不在途，在途资金却有 {} 元",
            yuan(transit_net)
        )]
    } else {
        Vec::new()
    }
}

/// An in-memory ledger: the reference model of the store's ledger, with
/// the same operations and the invariants it must keep.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    funds: BTreeSet<FundCode>,
    balances: HashMap<Account, Fen>,
    claims: HashMap<String, ClaimLedgerState>,
    postings: Vec<Posting>,
}

impl Ledger {
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Registers a fund source; false if it was already known.
    pub fn add_fund(&mut self, fund: FundCode) -> bool {
        self.funds.insert(fund)
    }

    pub fn funds(&self) -> impl Iterator<Item = &FundCode> {
        self.funds.iter()
    }

    /// Checks and books `op`; a refused op changes nothing.
    pub fn apply(&mut self, op: &Op) -> Result<&Posting, LedgerError> {
        let empty = ClaimLedgerState::default();
        let state = op
            .claim()
            .and_then(|c| self.claims.get(c))
            .unwrap_or(&empty);
        let bank = match op.target_fund(state) {
            Some(f) if !self.funds.contains(f) => return Err(LedgerError::UnknownFund(f.clone())),
            Some(f) => self.balance(&Account::Bank(f.clone())),
            None => Fen::ZERO,
        };
        let posting = op.posting(bank, state)?;
        let after = self.fund_summary(&posting.fund).after(&posting)?;
        for account in Account::all(&posting.fund) {
            let value = after.get(&account);
            self.balances.insert(account, value);
        }
        if let Some(c) = &posting.claim_no {
            self.claims.entry(c.clone()).or_default().record(&posting);
        }
        self.postings.push(posting);
        Ok(self.postings.last().expect("just pushed"))
    }

    /// An account's balance in its normal direction.
    pub fn balance(&self, account: &Account) -> Fen {
        self.balances.get(account).copied().unwrap_or_default()
    }

    pub fn fund_summary(&self, fund: &FundCode) -> FundBalances {
        let [bank, source, advances, expense, transit] =
            Account::all(fund).map(|a| self.balance(&a));
        FundBalances {
            bank,
            source,
            advances,
            expense,
            transit,
            ..FundBalances::default()
        }
    }

    pub fn claim(&self, claim: &str) -> Option<&ClaimLedgerState> {
        self.claims.get(claim)
    }

    pub fn postings(&self) -> &[Posting] {
        &self.postings
    }

    /// Every invariant broken, in Chinese; empty when the ledger is sound.
    /// Balances are recomputed from the postings, not taken on trust.
    pub fn verify(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut sums: HashMap<&Account, i128> = HashMap::new();
        let mut per_claim: BTreeMap<&str, Vec<&Posting>> = BTreeMap::new();
        for (i, p) in self.postings.iter().enumerate() {
            for problem in p.problems() {
                out.push(format!("第 {} 笔记账（{}）：{problem}", i + 1, p.kind));
            }
            for e in &p.entries {
                *sums.entry(&e.account).or_default() += e.change();
            }
            if let Some(c) = &p.claim_no {
                per_claim.entry(c).or_default().push(p);
            }
        }
        let funds: BTreeSet<&FundCode> = self
            .funds
            .iter()
            .chain(sums.keys().map(|a| a.fund()))
            .chain(self.balances.keys().map(|a| a.fund()))
            .collect();
        for fund in funds {
            if !self.funds.contains(fund) {
                out.push(format!("资金来源 {fund} 未登记却有记账"));
            }
            let mut recomputed = [0i128; 5];
            for (slot, account) in recomputed.iter_mut().zip(Account::all(fund)) {
                *slot = sums.get(&account).copied().unwrap_or(0);
                let kept = self.balance(&account);
                if i128::from(kept.0) != *slot {
                    out.push(format!(
                        "账户 {account}余额 {kept} 元与明细合计 {} 元不符",
                        yuan(*slot)
                    ));
                }
            }
            let [bank, source, advances, expense, transit] = recomputed;
            if bank < 0 {
                out.push(format!("资金来源 {fund} 专账存款为负（{} 元）", yuan(bank)));
            }
            if bank != source - expense - advances - transit {
                out.push(unbalanced_fund(
                    fund,
                    [bank, source, expense, advances, transit],
                ));
            }
        }
        for (claim, postings) in per_claim {
            let mut counts = KindCounts::default();
            let claim_funds: BTreeSet<&FundCode> = postings.iter().map(|p| &p.fund).collect();
            let advanced = postings.iter().any(|p| p.kind == PostingKind::Advance);
            for p in &postings {
                if p.kind == PostingKind::Settle && advanced && counts.advance == 0 {
                    out.push(format!("申领 {claim} 的清算记在预付之前"));
                }
                if counts.recover > 0 {
                    out.push(format!("申领 {claim} 追回之后又有{}记账", p.kind));
                }
                counts.add(p.kind);
            }
            out.extend(claim_violations(claim, &counts, claim_funds.len() as i64));
            let transit: i128 = postings
                .iter()
                .flat_map(|p| &p.entries)
                .filter(|e| matches!(e.account, Account::Transit(_)))
                .map(Entry::net)
                .sum();
            out.extend(transit_violations(claim, &counts, transit));
            // A recovered claim nets to zero on every account; a settled
            // one on its advances.
            if counts.recover > 0 || counts.settle > 0 {
                let mut net: BTreeMap<&Account, i128> = BTreeMap::new();
                for e in postings.iter().flat_map(|p| &p.entries) {
                    *net.entry(&e.account).or_default() += e.net();
                }
                for (account, n) in net.into_iter().filter(|(_, n)| *n != 0) {
                    if counts.recover > 0 {
                        out.push(format!(
                            "已追回的申领 {claim} 在账户 {account}上未轧平（{} 元）",
                            yuan(n)
                        ));
                    } else if matches!(account, Account::Advances(_)) {
                        out.push(format!(
                            "已清算的申领 {claim} 在账户 {account}上仍有余额（{} 元）",
                            yuan(n)
                        ));
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let json = serde_json::to_string(&Entry::debit_to(Account::Bank(ui()), Fen(5)));
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
                Entry::debit_to(Account::Bank(ui()), y("1000")),
                Entry::credit_to(Account::Expense(ui()), y("1000")),
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
}
