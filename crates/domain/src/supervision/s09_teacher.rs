//! S9 — one teacher teaching two classes at the same time (rented teachers
//! and sites to fake qualifications: the same teacher in two places).
//! Evidence: both classes and the overlapping dates. (002 十二; 003 二十四)
//!
//! Incremental: the new classes, and the teacher's stored classes.

use super::inputs::{ClassIn, Index, overlapping};
use super::{Check, Hit, RecordKeys};
use crate::national_id::mask_id;

/// The same thresholds as S1: `min_overlap_days`.
pub use super::s01_overlap::Params;

/// The key of the stored-class index: the teacher's ID number.
pub fn teacher_key(c: &ClassIn) -> &str {
    c.teacher.as_ref().map_or("", |t| t.id.as_str())
}

/// The new classes that name a teacher.
pub fn run(c: &Check<Params>, new: &[ClassIn], stored: &Index<ClassIn>) -> Vec<Hit> {
    let taught = |k: &ClassIn| k.teacher.is_some();
    let pairs = overlapping(new, stored, teacher_key, taught, c.params.min_overlap_days);
    pairs
        .into_iter()
        .map(|(a, b, o)| {
            let t = a.teacher.as_ref().expect("grouped by teacher");
            let keys = RecordKeys::default()
                .class(&a.class_no)
                .class(&b.class_no)
                .institution(&a.institution)
                .institution(&b.institution);
            let evidence = format!(
                "授课教师 {}（{}）同时为培训班「{}」（{}，{}）和「{}」（{}，{}）授课，重叠 {}，共 {} 天",
                t.name,
                mask_id(&t.id),
                a.class_no,
                a.institution,
                a.span,
                b.class_no,
                b.institution,
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
    use super::super::inputs::Teacher;
    use super::super::inputs::fixtures::{check, class, pid, span};
    use super::*;

    fn taught(no: &str, s: (&str, &str), teacher: u32) -> ClassIn {
        let mut k = class(no, span(s.0, s.1), 80);
        k.teacher = Some(Teacher {
            id: pid(teacher),
            name: "王老师".into(),
        });
        k
    }

    fn s9() -> Check<Params> {
        check(
            CheckId::S9,
            Params {
                min_overlap_days: 1,
            },
        )
    }

    #[test]
    fn a_teacher_in_two_classes_at_once_is_flagged() {
        let stored = Index::from_rows(vec![taught("A", ("2019-03-01", "2019-03-20"), 50)], |k| {
            teacher_key(k)
        });
        let hits = run(
            &s9(),
            &[taught("B", ("2019-03-20", "2019-04-10"), 50)],
            &stored,
        );
        assert_eq!(hits.len(), 1);
        let e = &hits[0].evidence;
        assert!(e.contains("授课教师 王老师（3715**********0050）"), "{e}");
        assert!(e.contains("重叠 2019-03-20，共 1 天"), "{e}");
    }

    #[test]
    fn consecutive_classes_other_teachers_and_classes_without_one_are_not_flagged() {
        let stored = Index::from_rows(
            vec![
                taught("A", ("2019-03-01", "2019-03-20"), 50),
                taught("C", ("2019-03-01", "2019-03-20"), 51),
            ],
            |k| teacher_key(k),
        );
        let new = [
            taught("B", ("2019-03-21", "2019-04-10"), 50),
            class("D", span("2019-03-01", "2019-03-20"), 80),
        ];
        assert!(run(&s9(), &new, &stored).is_empty());
    }
}
