//! Bank account numbers that subsidies are paid to (004 十九: to the
//! person's social-security card): a person's 社保卡 financial account, a
//! bank card checked with the Luhn digit; an institution's or enterprise's
//! settlement account, digits of a length banks use. Accounts are
//! sensitive: [`BankAccount::masked`] is what views, exports and logs show.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ValueError;

/// Whose account: a card has a Luhn check digit, a corporate account not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountHolder {
    /// A person's 社保卡 bank card: 16–19 digits, Luhn.
    Person,
    /// An institution's or enterprise's account: 8–32 digits.
    Organisation,
}

/// A validated account number: ASCII digits only.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BankAccount(String);

impl BankAccount {
    /// Drops spaces and hyphens (as printed on cards), then checks the
    /// digits, the length and, for a card, the Luhn digit.
    pub fn parse(raw: &str, holder: AccountHolder) -> Result<BankAccount, ValueError> {
        let s: String = raw
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}'))
            .collect();
        if s.is_empty() {
            return Err(ValueError::new("银行账号不能为空"));
        }
        if let Some(c) = s.chars().find(|c| !c.is_ascii_digit()) {
            return Err(ValueError::new(format!(
                "银行账号「{}」含有非数字字符「{c}」，应只填数字",
                mask_account(&s)
            )));
        }
        let (min, max, what) = match holder {
            AccountHolder::Person => (16, 19, "社保卡银行账号应为 16 至 19 位数字"),
            AccountHolder::Organisation => (8, 32, "单位银行账号应为 8 至 32 位数字"),
        };
        if s.len() < min || s.len() > max {
            return Err(ValueError::new(format!(
                "银行账号「{}」为 {} 位：{what}",
                mask_account(&s),
                s.len()
            )));
        }
        if holder == AccountHolder::Person && !luhn_ok(&s) {
            return Err(ValueError::new(format!(
                "银行账号「{}」校验位不符（Luhn），请核对卡号",
                mask_account(&s)
            )));
        }
        Ok(BankAccount(s))
    }

    /// The digits, for the bank's file only.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first four and last four digits: `6222********0018`.
    pub fn masked(&self) -> String {
        mask_account(&self.0)
    }
}

impl fmt::Display for BankAccount {
    /// Masked: an account never reaches a log in full by formatting.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Masks any stored account text: all but the first and last four
/// characters become `*`; short text is masked whole but the last two.
pub fn mask_account(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if n == 0 {
        return String::new();
    }
    let (head, tail) = if n > 8 { (4, 4) } else { (0, n.min(2)) };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < head || i >= n - tail { *c } else { '*' })
        .collect()
}

/// The Luhn check over ASCII digits.
pub fn luhn_ok(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, b) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

/// The Luhn check digit that completes `body` (for fixtures and demos).
pub fn luhn_digit(body: &str) -> char {
    (b'0'..=b'9')
        .map(char::from)
        .find(|d| luhn_ok(&format!("{body}{d}")))
        .expect("one digit completes any body")
}

/// The bank's answer on a paid line (回盘's 处理结果); serialized as its
/// stored code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BankResult {
    Success,
    Failure,
}

impl BankResult {
    pub const ALL: [BankResult; 2] = [BankResult::Success, BankResult::Failure];

    /// The answer a return line's success flag gives.
    pub fn of(success: bool) -> BankResult {
        if success {
            BankResult::Success
        } else {
            BankResult::Failure
        }
    }

    /// The stored code (`pay_batch_lines.result`).
    pub fn code(self) -> &'static str {
        match self {
            BankResult::Success => "success",
            BankResult::Failure => "failure",
        }
    }

    pub fn from_code(s: &str) -> Option<BankResult> {
        BankResult::ALL.into_iter().find(|r| r.code() == s)
    }

    /// The word of the bank's return file and of the pages.
    pub fn as_zh(self) -> &'static str {
        match self {
            BankResult::Success => "成功",
            BankResult::Failure => "失败",
        }
    }

    pub fn from_zh(s: &str) -> Option<BankResult> {
        BankResult::ALL.into_iter().find(|r| r.as_zh() == s)
    }

    /// A line's label: its answer, or 待回盘 while the bank has not
    /// answered.
    pub fn label_zh(answer: Option<BankResult>) -> &'static str {
        answer.map_or("待回盘", BankResult::as_zh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cards_are_checked_and_masked() {
        let card = format!("622202100112345678{}", luhn_digit("622202100112345678"));
        let a = BankAccount::parse(&format!(" {} ", &card), AccountHolder::Person).unwrap();
        assert_eq!(a.as_str(), card);
        assert_eq!(a.masked(), format!("6222***********{}", &card[15..]));
        assert_eq!(a.to_string(), a.masked());
        let spaced = format!(
            "{} {} {} {}",
            &card[..4],
            &card[4..8],
            &card[8..12],
            &card[12..]
        );
        assert_eq!(
            BankAccount::parse(&spaced, AccountHolder::Person).unwrap(),
            a
        );
        let mut bad = card.clone();
        let last = bad.pop().unwrap();
        bad.push(if last == '0' { '1' } else { '0' });
        let e = BankAccount::parse(&bad, AccountHolder::Person).unwrap_err();
        assert!(e.message().contains("校验位不符"), "{e}");
        assert!(!e.message().contains(&bad), "the message masks the account");
        let e = BankAccount::parse("62220210011234", AccountHolder::Person).unwrap_err();
        assert!(
            e.message()
                .contains("为 14 位：社保卡银行账号应为 16 至 19 位数字"),
            "{e}"
        );
        let e = BankAccount::parse("6222O21001123456", AccountHolder::Person).unwrap_err();
        assert!(e.message().contains("非数字字符「O」"), "{e}");
        assert!(BankAccount::parse("", AccountHolder::Organisation).is_err());
        assert!(BankAccount::parse("1234567", AccountHolder::Organisation).is_err());
        assert!(BankAccount::parse("32001234567890", AccountHolder::Organisation).is_ok());
    }

    proptest! {
        #[test]
        fn every_completed_card_parses_and_one_changed_digit_does_not(
            body in "[0-9]{15,18}", pos in 0usize..18, delta in 1u8..10
        ) {
            let card = format!("{body}{}", luhn_digit(&body));
            prop_assert!(BankAccount::parse(&card, AccountHolder::Person).is_ok());
            let mut bytes = card.clone().into_bytes();
            let i = pos % bytes.len();
            bytes[i] = b'0' + (bytes[i] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(BankAccount::parse(&changed, AccountHolder::Person).is_err());
            prop_assert!(!mask_account(&card).contains(&card[4..card.len() - 4]));
        }
    }
}
