//! S5 — an insured employee (在职参保) in training reserved for job-seekers
//! or free groups: local audits found employees enrolled in free courses
//! meant for the unemployed. Evidence: the insurance record (employer,
//! period, source). (002 十二; 003 二十四)
//!
//! Incremental both ways, as S4.

use serde::Deserialize;

use super::inputs::{EnrolmentIn, Index, InsuranceIn, person_periods};
use super::{Check, CheckParams, Hit, RecordKeys, Severity, known_terms};
use crate::national_id::mask_id;
use crate::refdata::{RefData, vocab_kind};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Training types (培训类型) reserved for job-seekers and free groups.
    #[serde(default = "default_types")]
    pub training_types: Vec<String>,
}

fn default_types() -> Vec<String> {
    vec!["就业技能培训".into(), "创业培训".into()]
}

impl CheckParams for Params {
    const DEFAULT_SEVERITY: Severity = Severity::Medium;
    fn check(&self, refdata: &RefData) -> Result<(), (&'static str, String)> {
        if self.training_types.is_empty() {
            return Err((
                "training_types",
                "training_types 至少列出一种培训类型".into(),
            ));
        }
        known_terms(
            refdata,
            vocab_kind::TRAINING_TYPE,
            "training_types",
            &self.training_types,
        )
    }
}

pub fn run(
    c: &Check<Params>,
    enrolments: (&[EnrolmentIn], &Index<EnrolmentIn>),
    insurance: (&[InsuranceIn], &Index<InsuranceIn>),
) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (e, ins) in person_periods(enrolments, insurance, |i| &i.person) {
        if !c.params.training_types.contains(&e.training_type) {
            continue;
        }
        let Some(o) = ins.period.within(&e.span) else {
            continue;
        };
        let keys = RecordKeys::default()
            .person(&e.person)
            .class(&e.class_no)
            .institution(&e.institution);
        let employer = ins
            .employer
            .as_deref()
            .map_or(String::new(), |u| format!("参保单位 {u}，"));
        let evidence = format!(
            "学员 {} 参加「{}」培训班「{}」（{}）期间在职参保（{}参保期间 {}，来源：{}），重叠 {}",
            mask_id(&e.person),
            e.training_type,
            e.class_no,
            e.span,
            employer,
            ins.period,
            ins.source,
            o
        );
        hits.push(c.hit(keys, evidence));
    }
    super::dedup(hits)
}

#[cfg(test)]
mod tests {
    use super::super::CheckId;
    use super::super::inputs::Period;
    use super::super::inputs::fixtures::{check, d, enrol, pid, span};
    use super::*;

    fn s5() -> Check<Params> {
        check(
            CheckId::S5,
            Params {
                training_types: default_types(),
            },
        )
    }

    fn insured(from: &str, to: Option<&str>) -> InsuranceIn {
        InsuranceIn {
            person: pid(8),
            employer: Some("91371500MA3C00002X".into()),
            period: Period {
                from: d(from),
                to: to.map(d),
            },
            source: "市社保中心 2019-12".into(),
        }
    }

    #[test]
    fn an_insured_employee_in_job_seeker_training_is_flagged() {
        let new = [enrol(&pid(8), "A", span("2019-03-01", "2019-03-20"))];
        let ins = [insured("2018-06-01", None)];
        let hits = run(&s5(), (&new, &Index::default()), (&ins, &Index::default()));
        assert_eq!(hits.len(), 1);
        let e = &hits[0].evidence;
        assert!(
            e.contains("参保单位 91371500MA3C00002X，参保期间 2018-06-01起"),
            "{e}"
        );
    }

    #[test]
    fn insurance_that_ended_before_or_upgrade_training_is_not_flagged() {
        let mut upgrade = enrol(&pid(8), "B", span("2019-03-01", "2019-03-20"));
        upgrade.training_type = "岗位技能提升培训".into();
        let stored = Index::from_rows(
            vec![
                enrol(&pid(8), "A", span("2019-03-01", "2019-03-20")),
                upgrade,
            ],
            |e| &e.person,
        );
        let ins = [
            insured("2018-06-01", Some("2019-02-28")),
            insured("2019-03-01", None),
        ];
        let hits = run(&s5(), (&[], &stored), (&ins[..1], &Index::default()));
        assert!(hits.is_empty());
        // The same stored roster with insurance that does cover the class.
        let hits = run(&s5(), (&[], &stored), (&ins[1..], &Index::default()));
        assert_eq!(hits.len(), 1);
        assert!(hits[0].keys.class_nos.contains("A"));
    }
}
