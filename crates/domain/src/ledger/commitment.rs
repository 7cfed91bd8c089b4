//! Vouchers' commitments on the dedicated account (专账): issuing a
//! training voucher (职业培训券) promises its face value out of one fund
//! source; the promise is released when the claim it settles is paid, or
//! when the voucher lapses unused. Booked on the fund's two memorandum
//! accounts — debit 培训券承诺, credit 承诺备查 to commit; the reverse to
//! release — so the money accounts and their equation are untouched, and
//! a voucher nets to zero once released.
//!
//! Like the claim movements of the parent module, these are pure
//! functions that check a movement against the minimal state it needs and
//! build its posting; the store calls them under its locks.

use super::{Account, FundCode, LedgerError, Posting, PostingKind, PostingLine};
use crate::Fen;

/// Why a commitment is released: its claim was paid (兑付) or the voucher
/// lapsed (过期作废).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseReason {
    Paid,
    Lapsed,
}

impl ReleaseReason {
    pub fn code(self) -> &'static str {
        match self {
            ReleaseReason::Paid => "paid",
            ReleaseReason::Lapsed => "lapsed",
        }
    }

    pub fn as_zh(self) -> &'static str {
        match self {
            ReleaseReason::Paid => "申领已支付，兑付释放",
            ReleaseReason::Lapsed => "过期未用，作废释放",
        }
    }
}

/// What the ledger holds for one voucher.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VoucherLedgerState {
    /// The fund and amount committed, once committed.
    pub committed: Option<(FundCode, Fen)>,
    pub released: bool,
}

impl VoucherLedgerState {
    /// Folds one of the voucher's postings into the state.
    pub fn record(&mut self, p: &Posting) {
        match p.kind {
            PostingKind::Commit => {
                let amount = p
                    .entries
                    .iter()
                    .filter(|e| matches!(e.account, Account::Committed(_)))
                    .map(|e| e.debit)
                    .sum();
                self.committed = Some((p.fund.clone(), amount));
            }
            PostingKind::Release => self.released = true,
            _ => {}
        }
    }

    /// Committed and not yet released: the amount still promised.
    pub fn outstanding(&self) -> Fen {
        match &self.committed {
            Some((_, a)) if !self.released => *a,
            _ => Fen::ZERO,
        }
    }
}

fn voucher_no(voucher: &str) -> Result<String, LedgerError> {
    let v = voucher.trim();
    if v.is_empty() {
        Err(LedgerError::NoVoucher)
    } else {
        Ok(v.to_string())
    }
}

/// 承诺: commits `amount` of `fund` to `voucher`. Refused when the voucher
/// is already committed, or when the fund's bank balance less what it has
/// already promised (`balances`) cannot cover it.
pub fn commit(
    fund: &FundCode,
    voucher: &str,
    amount: Fen,
    balances: &super::FundBalances,
    state: &VoucherLedgerState,
) -> Result<Posting, LedgerError> {
    if !amount.is_positive() {
        return Err(LedgerError::NotPositive(amount));
    }
    let voucher = voucher_no(voucher)?;
    if state.committed.is_some() {
        return Err(LedgerError::AlreadyCommitted(voucher));
    }
    if amount > balances.uncommitted() {
        return Err(LedgerError::OverCommitted {
            fund: fund.clone(),
            bank: balances.bank,
            committed: balances.committed,
            amount,
        });
    }
    Ok(Posting {
        kind: PostingKind::Commit,
        fund: fund.clone(),
        claim_no: None,
        memo: format!("培训券 {voucher} 承诺 {amount} 元"),
        entries: vec![
            PostingLine::debit_to(Account::Committed(fund.clone()), amount),
            PostingLine::credit_to(Account::Pledge(fund.clone()), amount),
        ],
    })
}

/// 释放: the voucher's commitment reversed in full, in the fund it was
/// committed from. Refused when there is none or it is released already.
pub fn release(
    voucher: &str,
    why: ReleaseReason,
    state: &VoucherLedgerState,
) -> Result<Posting, LedgerError> {
    let voucher = voucher_no(voucher)?;
    let Some((fund, amount)) = state.committed.clone() else {
        return Err(LedgerError::NotCommitted(voucher));
    };
    if state.released {
        return Err(LedgerError::AlreadyReleased(voucher));
    }
    Ok(Posting {
        kind: PostingKind::Release,
        memo: format!("培训券 {voucher} {}，释放 {amount} 元", why.as_zh()),
        claim_no: None,
        entries: vec![
            PostingLine::debit_to(Account::Pledge(fund.clone()), amount),
            PostingLine::credit_to(Account::Committed(fund.clone()), amount),
        ],
        fund,
    })
}

/// What is wrong with one voucher's postings: `commits` and `releases`
/// counted, `net` its committed account's debit minus credit, `open`
/// whether the voucher still holds a promise (未使用, or 已使用 with its
/// claim unpaid).
pub fn voucher_violations(
    voucher: &str,
    commits: i64,
    releases: i64,
    net: i64,
    face: Fen,
    open: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    if commits != 1 {
        out.push(format!(
            "培训券 {voucher} 有 {commits} 笔承诺记账，应恰好一笔"
        ));
    }
    if releases > 1 {
        out.push(format!(
            "培训券 {voucher} 有 {releases} 笔释放记账，至多一笔"
        ));
    }
    let want = if open { face } else { Fen::ZERO };
    if commits == 1 && releases <= 1 && Fen(net) != want {
        out.push(format!(
            "培训券 {voucher} 的承诺余额为 {} 元，按其状态应为 {want} 元",
            Fen(net)
        ));
    }
    if open && releases > 0 {
        out.push(format!("培训券 {voucher} 尚未兑付或作废，承诺却已释放"));
    }
    if !open && releases == 0 && commits == 1 {
        out.push(format!("培训券 {voucher} 已兑付或作废，承诺却未释放"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::FundBalances;
    use super::*;

    fn es() -> FundCode {
        FundCode::parse("ES").unwrap()
    }

    #[test]
    fn commit_then_release_nets_to_zero() {
        let bank = FundBalances {
            bank: Fen(100_000),
            source: Fen(100_000),
            ..FundBalances::default()
        };
        let mut s = VoucherLedgerState::default();
        let p = commit(&es(), "PXQ1", Fen(80_000), &bank, &s).unwrap();
        assert!(p.problems().is_empty(), "{:?}", p.problems());
        let after = bank.after(&p).unwrap();
        assert_eq!((after.committed, after.pledge), (Fen(80_000), Fen(80_000)));
        assert!(after.is_consistent());
        s.record(&p);
        assert_eq!(s.outstanding(), Fen(80_000));
        let e = commit(&es(), "PXQ2", Fen(30_000), &after, &Default::default()).unwrap_err();
        assert!(
            e.to_string()
                .contains("已承诺 800.00 元，不足以再承诺 300.00 元")
        );
        assert_eq!(
            commit(&es(), "PXQ1", Fen(1), &bank, &s).unwrap_err(),
            LedgerError::AlreadyCommitted("PXQ1".into())
        );
        let r = release("PXQ1", ReleaseReason::Lapsed, &s).unwrap();
        assert!(r.memo.contains("过期未用"));
        let back = after.after(&r).unwrap();
        assert_eq!(
            (back.committed, back.pledge, back.bank),
            (Fen::ZERO, Fen::ZERO, Fen(100_000))
        );
        s.record(&r);
        assert_eq!(s.outstanding(), Fen::ZERO);
        assert_eq!(
            release("PXQ1", ReleaseReason::Paid, &s).unwrap_err(),
            LedgerError::AlreadyReleased("PXQ1".into())
        );
        assert_eq!(
            release("PXQ9", ReleaseReason::Paid, &Default::default()).unwrap_err(),
            LedgerError::NotCommitted("PXQ9".into())
        );
        assert!(voucher_violations("PXQ1", 1, 1, 0, Fen(80_000), false).is_empty());
        assert!(voucher_violations("PXQ1", 1, 0, 80_000, Fen(80_000), true).is_empty());
        assert!(!voucher_violations("PXQ1", 1, 0, 80_000, Fen(80_000), false).is_empty());
        assert!(!voucher_violations("PXQ1", 2, 0, 160_000, Fen(80_000), true).is_empty());
    }
}
