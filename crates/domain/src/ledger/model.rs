//! The in-memory reference ledger ([`Ledger`]) and the per-claim checks it
//! shares with the store's verification ([`KindCounts`],
//! [`claim_violations`], [`transit_violations`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::posting::yuan;
use super::{
    Account, ClaimLedgerState, FundBalances, FundCode, LedgerError, Op, Posting, PostingKind,
    PostingLine, unbalanced_fund,
};
use crate::Fen;

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
    pub(super) postings: Vec<Posting>,
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
                .map(PostingLine::net)
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
