//! A class's place in its review (开班备案 → 备案通过 → 申请结业 → 已结业,
//! or 退回), and what may be recorded on its roster at each step.

use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

/// Serialized as its stored code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassStatus {
    /// Filed, awaiting review (待审核).
    Registered,
    /// 备案通过.
    Approved,
    /// 已退回: to be corrected and filed again.
    Returned,
    /// 申请结业.
    Closing,
    /// 已结业: the roster is final.
    Closed,
}

impl ClassStatus {
    pub const ALL: [ClassStatus; 5] = [
        ClassStatus::Registered,
        ClassStatus::Approved,
        ClassStatus::Returned,
        ClassStatus::Closing,
        ClassStatus::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ClassStatus::Registered => "registered",
            ClassStatus::Approved => "approved",
            ClassStatus::Returned => "returned",
            ClassStatus::Closing => "closing",
            ClassStatus::Closed => "closed",
        }
    }

    pub fn from_code(code: &str) -> Option<ClassStatus> {
        ClassStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The label of a stored code; 未知 for a code that is none.
    pub fn zh_of_code(code: &str) -> &'static str {
        ClassStatus::from_code(code).map_or("未知", ClassStatus::as_zh)
    }

    pub fn as_zh(self) -> &'static str {
        match self {
            ClassStatus::Registered => "待审核",
            ClassStatus::Approved => "备案通过",
            ClassStatus::Returned => "已退回",
            ClassStatus::Closing => "申请结业",
            ClassStatus::Closed => "已结业",
        }
    }

    /// Whether hours and completion results (考勤、结业结果) may be recorded
    /// for the class's trainees on `today`: only once the class is approved
    /// (备案通过, or 申请结业 while the officer checks the roster) and has
    /// started. Enrolment is not a result and is allowed before. The
    /// refusal says why, in Chinese.
    pub fn may_record_results(self, start: NaiveDate, today: NaiveDate) -> Result<(), String> {
        match self {
            ClassStatus::Registered | ClassStatus::Returned => Err(format!(
                "该培训班尚未备案通过（{}），不能登记课时和结业结果；备案通过并开班后再登记",
                self.as_zh()
            )),
            ClassStatus::Closed => Err("该培训班已结业，花名册、课时和结业结果不能再修改".into()),
            ClassStatus::Approved | ClassStatus::Closing if today < start => Err(format!(
                "该培训班 {start} 开班，开班前不能登记课时和结业结果"
            )),
            ClassStatus::Approved | ClassStatus::Closing => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ClassStatus;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn results_wait_for_approval_and_the_first_day() {
        let start = d("2026-03-01");
        let on = d("2026-03-01");
        assert!(ClassStatus::Approved.may_record_results(start, on).is_ok());
        assert!(ClassStatus::Closing.may_record_results(start, on).is_ok());
        let early = ClassStatus::Approved.may_record_results(start, d("2026-02-28"));
        assert!(early.unwrap_err().contains("开班前"));
        for s in [ClassStatus::Registered, ClassStatus::Returned] {
            assert!(
                s.may_record_results(start, on)
                    .unwrap_err()
                    .contains("尚未备案通过")
            );
        }
        assert!(ClassStatus::Closed.may_record_results(start, on).is_err());
        for s in ClassStatus::ALL {
            assert_eq!(ClassStatus::from_code(s.code()), Some(s));
        }
    }
}
