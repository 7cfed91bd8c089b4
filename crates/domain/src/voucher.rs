//! Training vouchers (职业培训券, docs/spec/CREDENTIALS.md "Training vouchers"): the
//! voucher number with its check digit, the statuses a voucher passes
//! through, and the checks an institution's redemption must pass when the
//! person enrols. Pure: the store reads the voucher and the class, this
//! module says yes or why not, in Chinese.
//!
//! A voucher carries the face-value rule it was issued under (its kind's
//! occupations and level, and the face value), so a later change of the
//! policy never changes what an issued voucher is worth or where it may be
//! used.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Fen, OccupationCode, SkillLevel, ValueError, Yuan};

/// The letters every voucher number starts with (培训券).
pub const PREFIX: &str = "PXQ";

/// A voucher number: `PXQ`, the holder's county (6 digits), the year (4),
/// a sequence within county and year (6) and a Luhn check digit — 20
/// characters, e.g. `PXQ37150220190000015`. A mistyped digit or two
/// neighbouring digits swapped (but 09 ↔ 90) fail the check.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VoucherNo(String);

/// The Luhn check digit of `digits` (ASCII digits only).
fn luhn(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(d - b'0');
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl VoucherNo {
    /// The number for `region` (6 digits), `year` and `seq` (1–999999).
    pub fn new(region: &str, year: i32, seq: u32) -> Result<VoucherNo, ValueError> {
        let ok_region = region.len() == 6 && region.bytes().all(|b| b.is_ascii_digit());
        if !ok_region || !(1000..=9999).contains(&year) || !(1..=999_999).contains(&seq) {
            return Err(ValueError::new(format!(
                "无法为地区「{region}」{year} 年第 {seq} 号生成培训券编号：每个县每年至多 999999 张"
            )));
        }
        let body = format!("{region}{year:04}{seq:06}");
        let check = luhn(body.as_bytes());
        Ok(VoucherNo(format!("{PREFIX}{body}{check}")))
    }

    /// Reads a number as typed: spaces and hyphens dropped, letters
    /// upper-cased; refused when the form or the check digit is wrong.
    pub fn parse(raw: &str) -> Result<VoucherNo, ValueError> {
        let s: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        let shown = raw.trim();
        let Some(digits) = s.strip_prefix(PREFIX) else {
            return Err(ValueError::new(format!(
                "培训券编号「{shown}」格式不对：应为 PXQ 加 17 位数字"
            )));
        };
        if digits.len() != 17 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValueError::new(format!(
                "培训券编号「{shown}」格式不对：应为 PXQ 加 17 位数字"
            )));
        }
        let (body, check) = digits.split_at(16);
        if luhn(body.as_bytes()) != check.as_bytes()[0] - b'0' {
            return Err(ValueError::new(format!(
                "培训券编号「{shown}」校验位不符，请核对是否输错"
            )));
        }
        Ok(VoucherNo(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The holder's county the number was issued in.
    pub fn region(&self) -> &str {
        &self.0[3..9]
    }

    pub fn year(&self) -> i32 {
        self.0[9..13].parse().unwrap_or(0)
    }

    pub fn seq(&self) -> u32 {
        self.0[13..19].parse().unwrap_or(0)
    }
}

impl TryFrom<String> for VoucherNo {
    type Error = ValueError;
    fn try_from(s: String) -> Result<VoucherNo, ValueError> {
        VoucherNo::parse(&s)
    }
}

impl From<VoucherNo> for String {
    fn from(v: VoucherNo) -> String {
        v.0
    }
}

impl fmt::Display for VoucherNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a voucher stands. Money follows on the ledger: an issued voucher
/// holds a commitment; a used one until its claim is paid; a lapsed one
/// none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VoucherStatus {
    /// 未使用: issued, not yet redeemed.
    Issued,
    /// 已使用: redeemed at an institution when the person enrolled.
    Used,
    /// 已过期: past its validity unredeemed, lapsed by `vouchers lapse`.
    Lapsed,
}

impl VoucherStatus {
    pub const ALL: [VoucherStatus; 3] = [
        VoucherStatus::Issued,
        VoucherStatus::Used,
        VoucherStatus::Lapsed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            VoucherStatus::Issued => "issued",
            VoucherStatus::Used => "used",
            VoucherStatus::Lapsed => "lapsed",
        }
    }

    pub fn from_code(code: &str) -> Option<VoucherStatus> {
        VoucherStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn as_zh(self) -> &'static str {
        match self {
            VoucherStatus::Issued => "未使用",
            VoucherStatus::Used => "已使用",
            VoucherStatus::Lapsed => "已过期",
        }
    }
}

/// The last day a voucher issued on `issued_on` is valid: `months` later,
/// less a day (issued 2019-03-01 for 6 months: valid to 2019-08-31).
pub fn valid_until(issued_on: NaiveDate, months: u32) -> NaiveDate {
    issued_on
        .checked_add_months(chrono::Months::new(months))
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// Where a voucher may be used: its kind's occupations (empty: any) and
/// level (`None`: trainings without a level, e.g. 专项职业能力).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FaceRule {
    pub kind_code: String,
    pub kind_name: String,
    pub occupations: Vec<OccupationCode>,
    pub level: Option<SkillLevel>,
    pub face: Fen,
}

impl FaceRule {
    pub fn covers(&self, occupation: &OccupationCode, level: Option<SkillLevel>) -> bool {
        (self.occupations.is_empty() || self.occupations.contains(occupation))
            && self.level == level
    }

    /// The occupations as stored: codes joined by `,`, or `*` for any.
    pub fn occupations_text(&self) -> String {
        if self.occupations.is_empty() {
            "*".into()
        } else {
            let codes: Vec<&str> = self.occupations.iter().map(|o| o.as_str()).collect();
            codes.join(",")
        }
    }

    /// Reads [`FaceRule::occupations_text`] back.
    pub fn parse_occupations(text: &str) -> Result<Vec<OccupationCode>, ValueError> {
        if text.trim() == "*" {
            return Ok(Vec::new());
        }
        text.split(',').map(OccupationCode::parse).collect()
    }

    /// 「五级/初级工」 or 「无等级」.
    pub fn level_zh(&self) -> &'static str {
        level_zh(self.level)
    }
}

fn level_zh(level: Option<SkillLevel>) -> &'static str {
    level.map_or("无等级", SkillLevel::as_zh)
}

/// A voucher as the redemption check needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherFacts {
    pub no: VoucherNo,
    pub person_id: i64,
    pub status: VoucherStatus,
    pub issued_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub rule: FaceRule,
    /// The class and date it was redeemed at, when used.
    pub redeemed: Option<(String, NaiveDate)>,
}

/// The class a voucher is offered at, and the person's place in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentAt {
    pub class_no: String,
    pub occupation: OccupationCode,
    pub occupation_name: String,
    pub level: Option<SkillLevel>,
    pub end: NaiveDate,
    /// The person is on the class's roster (花名册).
    pub enrolled: bool,
    /// Another voucher the person already used for this class.
    pub other_voucher: Option<String>,
    /// A claim for this training the vouchers settle, already decided:
    /// a voucher comes too late once the claim has been judged without it.
    pub decided_claim: Option<String>,
}

/// Why a redemption is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("培训券 {0} 不属于该学员（持券人与身份证号码不符）")]
    NotHolder(VoucherNo),
    #[error("培训券 {no} 已于 {on} 在培训班 {class_no} 使用，不能再次使用")]
    Used {
        no: VoucherNo,
        class_no: String,
        on: NaiveDate,
    },
    #[error("培训券 {no} 已过期作废（有效期至 {until}）")]
    Lapsed { no: VoucherNo, until: NaiveDate },
    #[error("培训券 {no} 已过有效期（有效期至 {until}），不能使用")]
    Expired { no: VoucherNo, until: NaiveDate },
    #[error("培训券 {no} 自 {from} 起才能使用")]
    NotYet { no: VoucherNo, from: NaiveDate },
    #[error("该学员不在培训班 {0} 的花名册中：请先报名（加入花名册），再核验培训券")]
    NotEnrolled(String),
    #[error("培训班 {class_no} 已于 {end} 结业：培训券须在学员报名时核验")]
    ClassEnded { class_no: String, end: NaiveDate },
    #[error("{0}")]
    Mismatch(Box<Mismatch>),
    #[error("该学员在培训班 {class_no} 已使用培训券 {other}，同一培训只能用一张券")]
    OneAlready { class_no: String, other: String },
    #[error(
        "该学员在培训班 {class_no} 的补贴申领 {claim} 已审核：培训券须在报名时核验，不能事后补用"
    )]
    AfterDecision { class_no: String, claim: String },
}

/// A voucher offered at a class of another occupation or level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub no: VoucherNo,
    pub kind: String,
    pub occupations: String,
    pub level: &'static str,
    pub class_no: String,
    pub class_occupation: String,
    pub class_level: &'static str,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "培训券 {} 限「{}」（{} {}），培训班 {} 为 {} {}，职业或等级不符",
            self.no,
            self.kind,
            self.occupations,
            self.level,
            self.class_no,
            self.class_occupation,
            self.class_level
        )
    }
}

/// Whether `person_id` may redeem `v` at `class` on `on`; `occupations`
/// names the voucher's occupations for the message (「家政服务员、养老护理员」).
pub fn check_redemption(
    v: &VoucherFacts,
    person_id: i64,
    class: &EnrolmentAt,
    on: NaiveDate,
    occupations: &str,
) -> Result<(), Refusal> {
    let no = || v.no.clone();
    if v.person_id != person_id {
        return Err(Refusal::NotHolder(no()));
    }
    match (v.status, &v.redeemed) {
        (VoucherStatus::Used, Some((class_no, at))) => {
            return Err(Refusal::Used {
                no: no(),
                class_no: class_no.clone(),
                on: *at,
            });
        }
        (VoucherStatus::Used, None) => {
            return Err(Refusal::Used {
                no: no(),
                class_no: "?".into(),
                on,
            });
        }
        (VoucherStatus::Lapsed, _) => {
            return Err(Refusal::Lapsed {
                no: no(),
                until: v.valid_until,
            });
        }
        (VoucherStatus::Issued, _) => {}
    }
    if on > v.valid_until {
        return Err(Refusal::Expired {
            no: no(),
            until: v.valid_until,
        });
    }
    if on < v.issued_on {
        return Err(Refusal::NotYet {
            no: no(),
            from: v.issued_on,
        });
    }
    if !class.enrolled {
        return Err(Refusal::NotEnrolled(class.class_no.clone()));
    }
    if on > class.end {
        return Err(Refusal::ClassEnded {
            class_no: class.class_no.clone(),
            end: class.end,
        });
    }
    if !v.rule.covers(&class.occupation, class.level) {
        return Err(Refusal::Mismatch(Box::new(Mismatch {
            no: no(),
            kind: v.rule.kind_name.clone(),
            occupations: occupations.to_string(),
            level: v.rule.level_zh(),
            class_no: class.class_no.clone(),
            class_occupation: class.occupation_name.clone(),
            class_level: level_zh(class.level),
        })));
    }
    if let Some(other) = &class.other_voucher {
        return Err(Refusal::OneAlready {
            class_no: class.class_no.clone(),
            other: other.clone(),
        });
    }
    if let Some(claim) = &class.decided_claim {
        return Err(Refusal::AfterDecision {
            class_no: class.class_no.clone(),
            claim: claim.clone(),
        });
    }
    Ok(())
}

/// A voucher line of a decision: the voucher redeemed for the claim's
/// training and its face value, which the claim settles at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedeemedVoucher {
    pub no: String,
    pub face: Fen,
}

impl fmt::Display for RedeemedVoucher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "培训券 {}（面值 {}）", self.no, Yuan(self.face))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn numbers_carry_a_check_digit() {
        let n = VoucherNo::new("371502", 2019, 1).unwrap();
        assert_eq!(n.as_str().len(), 20);
        assert_eq!(VoucherNo::parse(n.as_str()).unwrap(), n);
        assert_eq!((n.region(), n.year(), n.seq()), ("371502", 2019, 1));
        let typed = format!(" pxq-{} ", &n.as_str()[3..]);
        assert_eq!(VoucherNo::parse(&typed).unwrap(), n);
        let mut wrong = n.as_str().to_string();
        let last = wrong.pop().unwrap();
        wrong.push(if last == '0' { '1' } else { '0' });
        assert!(
            VoucherNo::parse(&wrong)
                .unwrap_err()
                .message()
                .contains("校验位不符")
        );
        assert!(
            VoucherNo::parse("PXQ123")
                .unwrap_err()
                .message()
                .contains("应为 PXQ 加 17 位数字")
        );
        assert!(VoucherNo::new("371502", 2019, 0).is_err());
        assert!(VoucherNo::new("371502", 2019, 1_000_000).is_err());
    }

    #[test]
    fn validity_is_months_less_a_day() {
        assert_eq!(valid_until(d("2019-03-01"), 6), d("2019-08-31"));
        assert_eq!(valid_until(d("2019-01-31"), 1), d("2019-02-27"));
        assert_eq!(valid_until(d("2019-12-01"), 12), d("2020-11-30"));
    }
}
