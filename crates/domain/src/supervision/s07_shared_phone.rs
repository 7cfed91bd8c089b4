//! S7 — several trainees of one class sharing one phone number (default
//! three or more): one handler signing up invented trainees. Evidence: the
//! class, the masked phone and the masked persons. (002 十二; 003 二十四)
//!
//! Incremental: the new enrolments, and the stored roster of their classes.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::inputs::{EnrolmentIn, Index, groups};
use super::{Check, CheckParams, Hit, RecordKeys, Severity};
use crate::refdata::RefData;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Trainees of one class on one number that make a finding.
    #[serde(default = "three")]
    pub min_persons: u32,
}

fn three() -> u32 {
    3
}

impl CheckParams for Params {
    const DEFAULT_SEVERITY: Severity = Severity::Medium;
    fn check(&self, _refdata: &RefData) -> Result<(), (&'static str, String)> {
        if self.min_persons < 2 {
            return Err(("min_persons", "min_persons 应不小于 2".into()));
        }
        Ok(())
    }
}

/// A phone number as evidence shows it: first 3 and last 4 digits.
fn mask_phone(p: &str) -> String {
    let c: Vec<char> = p.chars().collect();
    if c.len() < 8 {
        return "*".repeat(c.len());
    }
    let head: String = c[..3].iter().collect();
    let tail: String = c[c.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(c.len() - 7))
}

pub fn run(c: &Check<Params>, new: &[EnrolmentIn], stored: &Index<EnrolmentIn>) -> Vec<Hit> {
    let same = |a: &EnrolmentIn, b: &EnrolmentIn| a.person == b.person;
    let mut hits = Vec::new();
    for (fresh, old) in groups(new, stored, |e| &e.class_no, same) {
        // phone → (persons, whether a new row is among them)
        let mut by_phone: BTreeMap<&str, (BTreeSet<&str>, bool)> = BTreeMap::new();
        let rows = fresh
            .iter()
            .map(|e| (e, true))
            .chain(old.iter().map(|e| (e, false)));
        for (e, is_new) in rows {
            let Some(phone) = e.phone.as_deref() else {
                continue;
            };
            let slot = by_phone.entry(phone).or_default();
            slot.0.insert(&e.person);
            slot.1 |= is_new;
        }
        for (phone, (persons, touched)) in by_phone {
            if !touched || persons.len() < c.params.min_persons as usize {
                continue;
            }
            let first = fresh[0];
            let mut keys = RecordKeys::default()
                .class(&first.class_no)
                .institution(&first.institution);
            for p in &persons {
                keys = keys.person(p);
            }
            let evidence = format!(
                "培训班「{}」有 {} 名学员登记同一手机号 {}：{}",
                first.class_no,
                persons.len(),
                mask_phone(phone),
                keys.masked_persons().join("、")
            );
            // One finding per class and number, however many join it.
            let subject = [
                format!("class:{}", first.class_no),
                format!("phone:{phone}"),
            ];
            hits.push(c.hit_about(&subject, keys, evidence));
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::super::CheckId;
    use super::super::inputs::fixtures::{check, enrol, pid, span};
    use super::*;
    use crate::national_id::mask_id;

    fn with_phone(n: u32, class_no: &str, phone: &str) -> EnrolmentIn {
        let mut e = enrol(&pid(n), class_no, span("2019-03-01", "2019-03-20"));
        e.phone = Some(phone.into());
        e
    }

    fn s7() -> Check<Params> {
        check(CheckId::S7, Params { min_persons: 3 })
    }

    #[test]
    fn a_third_trainee_on_a_shared_phone_is_flagged() {
        let stored = Index::from_rows(
            vec![
                with_phone(1, "A", "13800001234"),
                with_phone(2, "A", "13800001234"),
            ],
            |e| &e.class_no,
        );
        let hits = run(&s7(), &[with_phone(3, "A", "13800001234")], &stored);
        assert_eq!(hits.len(), 1);
        let e = &hits[0].evidence;
        assert!(e.contains("有 3 名学员登记同一手机号 138****1234"), "{e}");
        assert!(!e.contains("13800001234"));
        assert_eq!(hits[0].keys.persons.len(), 3);
        assert_eq!(mask_id(&pid(3)), "3715**********0003");
        assert!(e.contains("3715**********0003"));
    }

    #[test]
    fn two_on_a_phone_or_three_across_classes_are_not_flagged() {
        let stored = Index::from_rows(
            vec![
                with_phone(1, "A", "13800001234"),
                with_phone(2, "B", "13800001234"),
            ],
            |e| &e.class_no,
        );
        let new = [
            with_phone(3, "A", "13800001234"),
            with_phone(4, "C", "13800001234"),
        ];
        assert!(run(&s7(), &new, &stored).is_empty());
        // The same trainee filed again does not count twice.
        let again = [with_phone(1, "A", "13800001234")];
        let stored = Index::from_rows(
            vec![
                with_phone(1, "A", "13800001234"),
                with_phone(2, "A", "13800001234"),
            ],
            |e| &e.class_no,
        );
        assert!(run(&s7(), &again, &stored).is_empty());
    }
}
