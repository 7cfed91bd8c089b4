//! Postings: balanced sets of lines within one fund, what kind of movement
//! each is, and what is wrong with a posting's form.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Account, FundCode};
use crate::Fen;

/// One line of a posting: exactly one of `debit` and `credit` is nonzero.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostingLine {
    pub account: Account,
    pub debit: Fen,
    pub credit: Fen,
}

impl PostingLine {
    pub fn debit_to(account: Account, amount: Fen) -> PostingLine {
        PostingLine {
            account,
            debit: amount,
            credit: Fen::ZERO,
        }
    }

    pub fn credit_to(account: Account, amount: Fen) -> PostingLine {
        PostingLine {
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
    pub(super) fn net(&self) -> i128 {
        i128::from(self.debit.0) - i128::from(self.credit.0)
    }

    /// The change to the account's balance in its normal direction.
    pub(super) fn change(&self) -> i128 {
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
    pub entries: Vec<PostingLine>,
    pub memo: String,
}

impl Posting {
    /// Σ debit = Σ credit.
    pub fn is_balanced(&self) -> bool {
        self.entries.iter().map(PostingLine::net).sum::<i128>() == 0
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
pub(super) fn yuan(fen: i128) -> String {
    match i64::try_from(fen) {
        Ok(f) => Fen(f).to_string(),
        Err(_) => format!("{fen} 分"),
    }
}
