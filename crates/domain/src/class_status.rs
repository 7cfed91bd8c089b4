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

/// A step of the review workflow, taken by an officer or (申请结业) by the
/// class's institution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassStep {
    /// 备案通过 (officer).
    Approve,
    /// 退回 with a reason (officer).
    Return,
    /// 申请结业 (institution).
    RequestClose,
    /// 结业 (officer).
    Close,
    /// 重新报备: a returned class filed again with changes.
    Refile,
}

impl ClassStep {
    pub fn as_zh(self) -> &'static str {
        match self {
            ClassStep::Approve => "备案通过",
            ClassStep::Return => "退回",
            ClassStep::RequestClose => "申请结业",
            ClassStep::Close => "结业",
            ClassStep::Refile => "重新报备",
        }
    }

    /// What the audit trail calls the step.
    pub fn audit_action(self) -> crate::audit::Action {
        use crate::audit::Action;
        match self {
            ClassStep::Approve => Action::ApproveClass,
            ClassStep::Return => Action::ReturnClass,
            ClassStep::RequestClose => Action::RequestCloseClass,
            ClassStep::Close => Action::CloseClass,
            ClassStep::Refile => Action::RefileClass,
        }
    }
}

/// A class as a step finds it.
#[derive(Debug, Clone, Copy)]
pub struct ClassAt<'a> {
    pub class_no: &'a str,
    pub status: ClassStatus,
    /// The class's last day (结业日期).
    pub end: NaiveDate,
}

impl ClassStatus {
    /// The status `step` moves a class to on `today`, or why it may not
    /// (in Chinese): each step starts from its own statuses, and a class
    /// is closed (or asked to be) only once its last day has come.
    pub fn after(step: ClassStep, class: ClassAt, today: NaiveDate) -> Result<ClassStatus, String> {
        use ClassStatus::*;
        let to = match (step, class.status) {
            (ClassStep::Approve, Registered) => Approved,
            (ClassStep::Return, Registered) => Returned,
            (ClassStep::RequestClose, Approved) => Closing,
            (ClassStep::Close, Approved | Closing) => Closed,
            (ClassStep::Refile, Returned) => Registered,
            (_, from) => {
                return Err(format!(
                    "培训班「{}」当前状态为「{}」，不能{}",
                    class.class_no,
                    from.as_zh(),
                    step.as_zh()
                ));
            }
        };
        if matches!(step, ClassStep::RequestClose | ClassStep::Close) && class.end > today {
            return Err(format!(
                "培训班「{}」的结业日期为 {}，培训尚未结束，不能{}",
                class.class_no,
                class.end,
                step.as_zh()
            ));
        }
        Ok(to)
    }

    /// Whether a roster of `trainees`, `open` of them without a result
    /// (合格 or 不合格), may be closed; why not, in Chinese.
    pub fn roster_complete(class_no: &str, trainees: i64, open: i64) -> Result<(), String> {
        if trainees == 0 {
            return Err(format!("培训班「{class_no}」的花名册为空，不能结业"));
        }
        if open > 0 {
            return Err(format!(
                "培训班「{class_no}」还有 {open} 名学员没有结业结果（合格或不合格），请先在花名册中填写后再结业"
            ));
        }
        Ok(())
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

    #[test]
    fn each_step_starts_from_its_statuses_and_closing_waits_for_the_last_day() {
        use super::{ClassAt, ClassStep};
        let d = |m, day| NaiveDate::from_ymd_opt(2019, m, day).unwrap();
        let at = |status| ClassAt {
            class_no: "B1",
            status,
            end: d(3, 29),
        };
        let ok = |step, status, today| ClassStatus::after(step, at(status), today);
        assert_eq!(
            ok(ClassStep::Approve, ClassStatus::Registered, d(1, 1)),
            Ok(ClassStatus::Approved)
        );
        assert_eq!(
            ok(ClassStep::Return, ClassStatus::Registered, d(1, 1)),
            Ok(ClassStatus::Returned)
        );
        assert_eq!(
            ok(ClassStep::Refile, ClassStatus::Returned, d(1, 1)),
            Ok(ClassStatus::Registered)
        );
        assert_eq!(
            ok(ClassStep::Close, ClassStatus::Closing, d(3, 29)),
            Ok(ClassStatus::Closed)
        );
        assert_eq!(
            ok(ClassStep::RequestClose, ClassStatus::Approved, d(3, 30)),
            Ok(ClassStatus::Closing)
        );
        let early = ok(ClassStep::Close, ClassStatus::Approved, d(3, 28)).unwrap_err();
        assert!(early.contains("培训尚未结束"), "{early}");
        let wrong = ok(ClassStep::Approve, ClassStatus::Closed, d(1, 1)).unwrap_err();
        assert_eq!(wrong, "培训班「B1」当前状态为「已结业」，不能备案通过");
        assert!(
            ClassStatus::roster_complete("B1", 0, 0)
                .unwrap_err()
                .contains("花名册为空")
        );
        assert!(
            ClassStatus::roster_complete("B1", 3, 1)
                .unwrap_err()
                .contains("1 名学员")
        );
        assert_eq!(ClassStatus::roster_complete("B1", 3, 0), Ok(()));
    }
}
