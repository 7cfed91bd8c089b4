//! The accounts of a fund source and their stored codes (`bank:UI`): the
//! one place that spells an account's code.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::FundCode;
use crate::ValueError;

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
