//! Fund sources (资金来源): their codes, their balances as the store keeps
//! them per fund, and R16's choice of the fund that pays a claim — the
//! first the policy routes the subsidy type to that holds the amount.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Account, LedgerError, Posting};
use crate::{Fen, ValueError, Yuan};

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

/// R16 专款专用: the fund that pays `amount` — the first of the policy's
/// routing for the subsidy type, in its order, whose bank account holds
/// it. `routed` pairs each routed fund with its bank balance (`None`: no
/// account opened for it). Refused: why no fund can pay, naming each
/// fund's shortfall, in Chinese.
pub fn choose_fund(routed: &[(FundCode, Option<Fen>)], amount: Fen) -> Result<FundCode, String> {
    if let Some((fund, _)) = routed
        .iter()
        .find(|(_, balance)| balance.is_some_and(|b| b >= amount))
    {
        return Ok(fund.clone());
    }
    let short: Vec<String> = routed
        .iter()
        .map(|(f, balance)| match balance {
            Some(b) => format!("{f} 余额 {}、尚缺 {}", Yuan(*b), Yuan(amount - *b)),
            None => format!("{f} 未建账"),
        })
        .collect();
    Err(format!(
        "资金来源余额不足（R16 专款专用，不得超支）：需 {}，{}",
        Yuan(amount),
        short.join("，")
    ))
}
