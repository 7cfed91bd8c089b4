//! S4 — a trainee on a comparison list while the training ran: deceased, on
//! the state payroll, in prison, a full-time student, or drawing a pension
//! while the registry says not (挂名学员: the audit matched ID numbers with
//! pension, student and payroll lists). Evidence: the list, its source and
//! dates. (002 十二; 003 二十四)
//!
//! Incremental both ways: new enrolments against the person's lists, and
//! a newly imported list against the person's stored enrolments.

use serde::Deserialize;

use super::inputs::{EnrolmentIn, Index, WatchEntry, person_periods};
use super::watchlist::WatchlistKind;
use super::{Check, CheckParams, Hit, RecordKeys, Severity};
use crate::national_id::mask_id;
use crate::refdata::RefData;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The list kinds that exclude a trainee (名单类型).
    #[serde(default = "default_kinds", deserialize_with = "kinds")]
    pub kinds: Vec<WatchlistKind>,
}

fn default_kinds() -> Vec<WatchlistKind> {
    use WatchlistKind::*;
    vec![Deceased, StatePayroll, Imprisoned, Student, Pension]
}

fn kinds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<WatchlistKind>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|s| WatchlistKind::parse(s).map_err(|e| serde::de::Error::custom(e.message())))
        .collect()
}

impl CheckParams for Params {
    const DEFAULT_SEVERITY: Severity = Severity::High;
    fn check(&self, _refdata: &RefData) -> Result<(), (&'static str, String)> {
        if self.kinds.is_empty() {
            return Err(("kinds", "kinds 至少列出一种名单类型".into()));
        }
        Ok(())
    }
}

/// New enrolments and new list entries, with the stored ones of the same
/// persons.
pub fn run(
    c: &Check<Params>,
    enrolments: (&[EnrolmentIn], &Index<EnrolmentIn>),
    lists: (&[WatchEntry], &Index<WatchEntry>),
) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (e, w) in person_periods(enrolments, lists, |w| &w.person) {
        if !c.params.kinds.contains(&w.kind) {
            continue;
        }
        // A pension the registry already declares is not concealed.
        if w.kind == WatchlistKind::Pension && e.receives_pension {
            continue;
        }
        let Some(o) = w.period.within(&e.span) else {
            continue;
        };
        let keys = RecordKeys::default()
            .person(&e.person)
            .class(&e.class_no)
            .institution(&e.institution);
        let evidence = format!(
            "学员 {} 参加培训班「{}」（{}）期间在「{}」名单上（来源：{}，{}），重叠 {}{}",
            mask_id(&e.person),
            e.class_no,
            e.span,
            w.kind.as_zh(),
            w.source,
            w.period,
            o,
            if w.kind == WatchlistKind::Pension {
                "；人员信息登记为未领取养老金"
            } else {
                ""
            }
        );
        // Another list about the same training is another finding.
        let mut subject = keys.canonical_lines();
        subject.push(format!("list:{}", w.kind.as_zh()));
        hits.push(c.hit_about(&subject, keys, evidence));
    }
    super::dedup(hits)
}

#[cfg(test)]
mod tests {
    use super::super::CheckId;
    use super::super::inputs::Period;
    use super::super::inputs::fixtures::{check, d, enrol, pid, span};
    use super::*;

    fn s4() -> Check<Params> {
        check(
            CheckId::S4,
            Params {
                kinds: default_kinds(),
            },
        )
    }

    fn entry(kind: WatchlistKind, from: &str, to: Option<&str>) -> WatchEntry {
        WatchEntry {
            person: pid(7),
            kind,
            period: Period {
                from: d(from),
                to: to.map(d),
            },
            source: "市民政局 2019-12".into(),
        }
    }

    #[test]
    fn a_trainee_deceased_before_the_class_is_flagged_from_a_new_list() {
        let stored = Index::from_rows(
            vec![enrol(&pid(7), "A", span("2019-03-01", "2019-03-20"))],
            |e| &e.person,
        );
        let list = [entry(WatchlistKind::Deceased, "2019-01-05", None)];
        let hits = run(&s4(), (&[], &stored), (&list, &Index::default()));
        assert_eq!(hits.len(), 1);
        let e = &hits[0].evidence;
        assert!(
            e.contains("「死亡」名单上（来源：市民政局 2019-12，2019-01-05起）"),
            "{e}"
        );
    }

    #[test]
    fn a_new_enrolment_of_a_hidden_pensioner_is_flagged_from_a_stored_list() {
        let lists = Index::from_rows(
            vec![entry(WatchlistKind::Pension, "2018-01-01", None)],
            |w| &w.person,
        );
        let new = [enrol(&pid(7), "A", span("2019-03-01", "2019-03-20"))];
        let hits = run(&s4(), (&new, &Index::default()), (&[], &lists));
        assert_eq!(hits.len(), 1);
        assert!(hits[0].evidence.contains("登记为未领取养老金"));
    }

    #[test]
    fn lists_outside_the_training_declared_pensions_and_other_kinds_are_not_flagged() {
        let mut declared = enrol(&pid(7), "B", span("2019-05-01", "2019-05-20"));
        declared.receives_pension = true;
        let new = [
            enrol(&pid(7), "A", span("2019-03-01", "2019-03-20")),
            declared,
        ];
        let list = [
            entry(WatchlistKind::Student, "2015-09-01", Some("2019-02-28")),
            entry(WatchlistKind::Pension, "2019-05-01", None),
            entry(WatchlistKind::InsuredEmployee, "2019-01-01", None),
        ];
        let hits = run(&s4(), (&new, &Index::default()), (&list, &Index::default()));
        assert!(hits.is_empty(), "{hits:?}");
    }
}
