//! S2 — more hours than the days hold: a class's planned hours, or a
//! trainee's recorded in-person hours, above the class's days × the daily
//! maximum (default 8: 虚报课时). Evidence: class, days, hours.
//! (002 十二; 003 二十四)
//!
//! Per row: no stored rows are needed.

use serde::Deserialize;

use super::inputs::{ClassIn, EnrolmentIn};
use super::{Check, CheckParams, Hit, RecordKeys, Severity, at_least_one};
use crate::national_id::mask_id;
use crate::refdata::RefData;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Hours of in-person training one day can hold.
    #[serde(default = "eight")]
    pub daily_max_hours: u32,
}

fn eight() -> u32 {
    8
}

impl CheckParams for Params {
    const DEFAULT_SEVERITY: Severity = Severity::Medium;
    fn check(&self, _refdata: &RefData) -> Result<(), (&'static str, String)> {
        at_least_one("daily_max_hours", self.daily_max_hours)?;
        if self.daily_max_hours > 24 {
            return Err(("daily_max_hours", "daily_max_hours 不能超过 24".into()));
        }
        Ok(())
    }
}

/// The new or changed classes and enrolments.
pub fn run(c: &Check<Params>, classes: &[ClassIn], enrolments: &[EnrolmentIn]) -> Vec<Hit> {
    let max = i64::from(c.params.daily_max_hours);
    let mut hits = Vec::new();
    for k in classes {
        let days = k.span.days();
        if k.planned_hours > days * max {
            let keys = RecordKeys::default()
                .class(&k.class_no)
                .institution(&k.institution);
            let evidence = format!(
                "培训班「{}」（{}）共 {} 天，计划课时 {} 学时，超过每天 {} 学时的上限（最多 {} 学时）",
                k.class_no,
                k.span,
                days,
                k.planned_hours,
                max,
                days * max
            );
            hits.push(c.hit(keys, evidence));
        }
    }
    for e in enrolments {
        let days = e.span.days();
        if e.offline_hours > days * max {
            let keys = RecordKeys::default()
                .class(&e.class_no)
                .institution(&e.institution)
                .person(&e.person);
            let evidence = format!(
                "学员 {} 在培训班「{}」（{}，共 {} 天）记录面授 {} 学时，超过每天 {} 学时的上限（最多 {} 学时）",
                mask_id(&e.person),
                e.class_no,
                e.span,
                days,
                e.offline_hours,
                max,
                days * max
            );
            hits.push(c.hit(keys, evidence));
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::super::CheckId;
    use super::super::inputs::fixtures::{check, class, enrol, pid, span};
    use super::*;

    fn s2() -> Check<Params> {
        check(CheckId::S2, Params { daily_max_hours: 8 })
    }

    #[test]
    fn a_class_planning_more_than_its_days_hold_is_flagged() {
        let hits = run(
            &s2(),
            &[class("A", span("2019-03-01", "2019-03-10"), 81)],
            &[],
        );
        assert_eq!(hits.len(), 1);
        assert!(
            hits[0].evidence.contains("共 10 天，计划课时 81 学时"),
            "{}",
            hits[0].evidence
        );
        assert!(hits[0].evidence.contains("最多 80 学时"));
    }

    #[test]
    fn a_trainee_recording_more_than_the_days_hold_is_flagged() {
        let mut e = enrol(&pid(3), "A", span("2019-03-01", "2019-03-02"));
        e.offline_hours = 17;
        let hits = run(&s2(), &[], &[e]);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].keys.persons.len(), 1);
        assert!(
            hits[0].evidence.contains("面授 17 学时"),
            "{}",
            hits[0].evidence
        );
    }

    #[test]
    fn exactly_the_daily_maximum_is_not_flagged() {
        let mut e = enrol(&pid(3), "A", span("2019-03-01", "2019-03-02"));
        e.offline_hours = 16;
        e.online_hours = 100;
        let hits = run(
            &s2(),
            &[class("A", span("2019-03-01", "2019-03-10"), 80)],
            &[e],
        );
        assert!(hits.is_empty());
    }
}
