//! S1 — one person in two classes whose in-person training days overlap
//! (one body cannot sit in two classrooms: 挂名学员, 冒名顶替). Evidence: both
//! classes and the overlapping dates. (002 十二; 003 二十四)
//!
//! Incremental: the new enrolments, and the person's stored enrolments.

use serde::Deserialize;

use super::inputs::{EnrolmentIn, Index, overlapping};
use super::{Check, CheckParams, Hit, RecordKeys, Severity, at_least_one};
use crate::national_id::mask_id;
use crate::refdata::RefData;

/// S1's thresholds; S9 takes the same.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Overlaps shorter than this many days are not flagged.
    #[serde(default = "one")]
    pub min_overlap_days: u32,
}

fn one() -> u32 {
    1
}

impl CheckParams for Params {
    const DEFAULT_SEVERITY: Severity = Severity::High;
    fn check(&self, _refdata: &RefData) -> Result<(), (&'static str, String)> {
        at_least_one("min_overlap_days", self.min_overlap_days)
    }
}

/// Enrolments with in-person hours only: an online-only enrolment may run
/// beside a classroom one.
pub fn run(c: &Check<Params>, new: &[EnrolmentIn], stored: &Index<EnrolmentIn>) -> Vec<Hit> {
    let in_person = |e: &EnrolmentIn| e.offline_hours > 0;
    let pairs = overlapping(
        new,
        stored,
        |e| &e.person,
        in_person,
        c.params.min_overlap_days,
    );
    pairs
        .into_iter()
        .map(|(a, b, o)| {
            let keys = RecordKeys::default()
                .person(&a.person)
                .class(&a.class_no)
                .class(&b.class_no)
                .institution(&a.institution)
                .institution(&b.institution);
            let evidence = format!(
                "学员 {} 同时在培训班「{}」（{}）和「{}」（{}）参加面授培训，重叠 {}，共 {} 天",
                mask_id(&a.person),
                a.class_no,
                a.span,
                b.class_no,
                b.span,
                o,
                o.days()
            );
            c.hit(keys, evidence)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::CheckId;
    use super::super::inputs::fixtures::check as fixtures_check;
    use super::super::inputs::fixtures::*;
    use super::*;

    fn check() -> Check<Params> {
        fixtures_check(
            CheckId::S1,
            Params {
                min_overlap_days: 1,
            },
        )
    }

    #[test]
    fn a_new_enrolment_overlapping_a_stored_one_is_flagged() {
        let p = pid(1);
        let stored = Index::from_rows(
            vec![enrol(&p, "A", span("2019-03-01", "2019-03-20"))],
            |e| &e.person,
        );
        let new = vec![enrol(&p, "B", span("2019-03-15", "2019-03-30"))];
        let hits = run(&check(), &new, &stored);
        assert_eq!(hits.len(), 1);
        let h = &hits[0];
        assert_eq!(h.check, CheckId::S1);
        assert_eq!(h.keys.class_nos.iter().collect::<Vec<_>>(), ["A", "B"]);
        assert!(
            h.evidence.contains("2019-03-15至2019-03-20，共 6 天"),
            "{}",
            h.evidence
        );
        assert!(h.evidence.contains("3715**********0001"), "{}", h.evidence);
        assert!(!h.evidence.contains(&p));
    }

    #[test]
    fn adjacent_classes_online_ones_and_the_same_class_are_not_flagged() {
        let p = pid(1);
        let stored = Index::from_rows(
            vec![
                enrol(&p, "A", span("2019-03-01", "2019-03-14")),
                enrol(&p, "C", span("2019-04-01", "2019-04-30")),
            ],
            |e| &e.person,
        );
        let mut online = enrol(&p, "D", span("2019-04-10", "2019-04-12"));
        online.offline_hours = 0;
        let new = vec![
            enrol(&p, "B", span("2019-03-15", "2019-03-30")),
            enrol(&p, "C", span("2019-05-01", "2019-05-30")),
            online,
            enrol(&pid(2), "E", span("2019-03-01", "2019-03-14")),
        ];
        assert!(run(&check(), &new, &stored).is_empty());
    }

    #[test]
    fn a_full_scan_finds_each_pair_once() {
        let p = pid(1);
        let new = vec![
            enrol(&p, "A", span("2019-03-01", "2019-03-20")),
            enrol(&p, "B", span("2019-03-10", "2019-03-12")),
        ];
        let hits = run(&check(), &new, &Index::default());
        assert_eq!(hits.len(), 1);
        let mut c = check();
        c.params.min_overlap_days = 4;
        assert!(run(&c, &new, &Index::default()).is_empty());
    }
}
