//! S10 — online hours at impossible rates (刷课: lessons auto-played):
//! one trainee in two sessions at the same time, or more online hours in a
//! day than the day holds (default 24). Evidence: the sessions.
//! (004 二十七 “互联网+监管”; 003 二十四)
//!
//! Incremental: the new sessions, and the person's stored sessions on the
//! days the new ones touch.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use serde::Deserialize;

use super::inputs::{Index, OnlineSession, groups, pairs_with_new};
use super::{Check, CheckParams, Hit, RecordKeys, Severity, at_least_one};
use crate::national_id::mask_id;
use crate::refdata::RefData;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Online hours one person can study in a calendar day.
    #[serde(default = "day")]
    pub max_hours_per_day: u32,
    /// Overlaps of at most this many minutes (clock drift) are ignored.
    #[serde(default)]
    pub overlap_tolerance_minutes: u32,
}

fn day() -> u32 {
    24
}

impl CheckParams for Params {
    const DEFAULT_SEVERITY: Severity = Severity::Medium;
    fn check(&self, _refdata: &RefData) -> Result<(), (&'static str, String)> {
        at_least_one("max_hours_per_day", self.max_hours_per_day)?;
        if self.max_hours_per_day > 24 {
            return Err(("max_hours_per_day", "max_hours_per_day 不能超过 24".into()));
        }
        Ok(())
    }
}

fn minutes(from: NaiveDateTime, to: NaiveDateTime) -> i64 {
    (to - from).num_minutes().max(0)
}

/// Minutes of a session on each calendar day it touches.
fn per_day(s: &OnlineSession) -> Vec<(NaiveDate, i64)> {
    let mut out = Vec::new();
    let mut at = s.start;
    while at < s.end {
        let midnight = (at.date() + TimeDelta::days(1)).and_time(chrono::NaiveTime::MIN);
        let until = s.end.min(midnight);
        out.push((at.date(), minutes(at, until)));
        at = until;
    }
    out
}

fn hours(min: i64) -> String {
    format!("{}小时{}分", min / 60, min % 60)
}

pub fn run(c: &Check<Params>, new: &[OnlineSession], stored: &Index<OnlineSession>) -> Vec<Hit> {
    let same = |a: &OnlineSession, b: &OnlineSession| a.session_id == b.session_id;
    let tolerance = i64::from(c.params.overlap_tolerance_minutes);
    let mut hits = Vec::new();
    for (fresh, old) in groups(new, stored, |s| &s.person, same) {
        let person = &fresh[0].person;
        for (a, b) in pairs_with_new(&fresh, &old) {
            let overlap = minutes(a.start.max(b.start), a.end.min(b.end));
            if overlap <= tolerance {
                continue;
            }
            let (a, b) = if a.start <= b.start { (a, b) } else { (b, a) };
            let keys = RecordKeys::default()
                .person(person)
                .class(&a.class_no)
                .class(&b.class_no);
            let evidence = format!(
                "学员 {} 的线上学习记录「{}」（{} 至 {}，培训班「{}」）与「{}」（{} 至 {}，培训班「{}」）同时进行 {} 分钟",
                mask_id(person),
                a.session_id,
                a.start,
                a.end,
                a.class_no,
                b.session_id,
                b.start,
                b.end,
                b.class_no,
                overlap
            );
            hits.push(c.hit(keys, evidence));
        }
        // Days a new session touches, with every session's minutes on them.
        let mut days: BTreeMap<NaiveDate, (i64, Vec<&OnlineSession>)> = BTreeMap::new();
        for s in &fresh {
            for (day, _) in per_day(s) {
                days.entry(day).or_default();
            }
        }
        for s in fresh.iter().chain(old.iter()) {
            for (day, m) in per_day(s) {
                if let Some(slot) = days.get_mut(&day) {
                    slot.0 += m;
                    slot.1.push(s);
                }
            }
        }
        let max = i64::from(c.params.max_hours_per_day) * 60;
        for (day, (total, sessions)) in days {
            if total <= max {
                continue;
            }
            let mut keys = RecordKeys::default().person(person);
            for s in &sessions {
                keys = keys.class(&s.class_no);
            }
            let ids: Vec<&str> = sessions.iter().map(|s| s.session_id.as_str()).collect();
            let evidence = format!(
                "学员 {} 于 {day} 线上学习共 {}，超过每天 {} 小时（记录：{}）",
                mask_id(person),
                hours(total),
                c.params.max_hours_per_day,
                ids.join("、")
            );
            let subject = [format!("person:{person}"), format!("day:{day}")];
            hits.push(c.hit_about(&subject, keys, evidence));
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::super::CheckId;
    use super::super::inputs::fixtures::pid;
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn session(id: &str, class_no: &str, from: &str, to: &str) -> OnlineSession {
        OnlineSession {
            session_id: id.into(),
            person: pid(4),
            class_no: class_no.into(),
            start: at(from),
            end: at(to),
        }
    }

    fn s10(max: u32) -> Check<Params> {
        super::super::inputs::fixtures::check(
            CheckId::S10,
            Params {
                max_hours_per_day: max,
                overlap_tolerance_minutes: 5,
            },
        )
    }

    #[test]
    fn simultaneous_sessions_are_flagged() {
        let stored = Index::from_rows(
            vec![session("L1", "A", "2019-03-01 08:00", "2019-03-01 10:00")],
            |s| &s.person,
        );
        let new = [session("L2", "B", "2019-03-01 09:00", "2019-03-01 11:00")];
        let hits = run(&s10(24), &new, &stored);
        assert_eq!(hits.len(), 1);
        assert!(
            hits[0].evidence.contains("同时进行 60 分钟"),
            "{}",
            hits[0].evidence
        );
    }

    #[test]
    fn more_hours_than_the_day_allows_are_flagged_across_midnight() {
        let new = [
            session("L1", "A", "2019-03-01 00:00", "2019-03-01 10:00"),
            session("L2", "A", "2019-03-01 10:00", "2019-03-02 02:00"),
        ];
        let hits = run(&s10(20), &new, &Index::default());
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert!(
            hits[0]
                .evidence
                .contains("于 2019-03-01 线上学习共 24小时0分，超过每天 20 小时"),
            "{}",
            hits[0].evidence
        );
    }

    #[test]
    fn back_to_back_sessions_within_the_tolerance_and_the_day_are_not_flagged() {
        let new = [
            session("L1", "A", "2019-03-01 08:00", "2019-03-01 10:03"),
            session("L2", "A", "2019-03-01 10:00", "2019-03-01 18:00"),
            session("L3", "A", "2019-03-02 08:00", "2019-03-02 18:00"),
        ];
        assert!(run(&s10(12), &new, &Index::default()).is_empty());
    }
}
