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
//!
//! Submodules: [`fund`] (fund codes, balances and the R16 choice of the
//! fund that pays), [`account`] (the accounts of a fund), [`posting`]
//! (lines, kinds and balanced postings), [`ops`] (the movements and the
//! state of a claim they check), [`model`] (the in-memory reference ledger
//! and the invariants shared with the store's verification) and
//! [`commitment`] (vouchers' memorandum postings).

pub mod account;
pub mod commitment;
pub mod fund;
pub mod model;
pub mod ops;
pub mod posting;

pub use account::Account;
pub use fund::{FundBalances, FundCode, choose_fund};
pub use model::{KindCounts, Ledger, claim_violations, transit_violations};
pub use ops::{
    ClaimLedgerState, LedgerError, Op, advance, allocate, bank_result, disburse, pay, recover,
    settle,
};
pub use posting::{Posting, PostingKind, PostingLine, unbalanced_fund};

#[cfg(test)]
mod tests;
