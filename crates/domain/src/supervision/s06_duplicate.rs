//! S6 — the same certificate, training or person-month claimed twice,
//! across subsidy types, funds or deployments (R17; 多头套取). Evidence:
//! both claims. (002 十二; 003 二十四)
//!
//! Which subsidy types pay for a certificate, for a training and per
//! person-month is data: a 职业技能鉴定补贴 beside a 职业培训补贴 for one
//! certificate pays two different things and is not a duplicate.
//!
//! Incremental: the new claims, and the person's stored claims, including
//! other deployments' paid subsidies matched through federation tags (which
//! carry occupation and level, not certificate or class numbers).

use serde::Deserialize;

use super::inputs::{ClaimIn, Index, groups, pairs_with_new};
use super::{Check, CheckParams, Hit, RecordKeys, Severity, known_terms};
use crate::national_id::mask_id;
use crate::refdata::{RefData, vocab_kind};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Subsidy types paid for a certificate: one certificate, one of them.
    #[serde(default = "cert_types")]
    pub cert_subsidy_types: Vec<String>,
    /// Subsidy types paid for a training: one class, one of them.
    #[serde(default = "training_types")]
    pub training_subsidy_types: Vec<String>,
    /// Subsidy types paid per person-month: one month, one of them.
    #[serde(default = "month_types")]
    pub month_subsidy_types: Vec<String>,
}

fn cert_types() -> Vec<String> {
    vec!["职业培训补贴".into(), "技能提升补贴".into()]
}

fn training_types() -> Vec<String> {
    [
        "职业培训补贴",
        "项目制培训补贴",
        "创业培训补贴",
        "新型学徒制补贴",
    ]
    .map(String::from)
    .to_vec()
}

fn month_types() -> Vec<String> {
    vec!["以工代训补贴".into()]
}

impl CheckParams for Params {
    const DEFAULT_SEVERITY: Severity = Severity::High;
    fn check(&self, refdata: &RefData) -> Result<(), (&'static str, String)> {
        let kind = vocab_kind::SUBSIDY_TYPE;
        known_terms(
            refdata,
            kind,
            "cert_subsidy_types",
            &self.cert_subsidy_types,
        )?;
        known_terms(
            refdata,
            kind,
            "training_subsidy_types",
            &self.training_subsidy_types,
        )?;
        known_terms(
            refdata,
            kind,
            "month_subsidy_types",
            &self.month_subsidy_types,
        )
    }
}

/// What two claims share, in words, if they pay for the same thing.
fn same_thing(p: &Params, a: &ClaimIn, b: &ClaimIn) -> Option<String> {
    let both =
        |types: &[String]| types.contains(&a.subsidy_type) && types.contains(&b.subsidy_type);
    let local = a.deployment.is_none() && b.deployment.is_none();
    if both(&p.cert_subsidy_types) {
        if local && a.cert_no.is_some() && a.cert_no == b.cert_no {
            return Some(format!("证书「{}」", a.cert_no.as_deref().unwrap_or("")));
        }
        if !local && a.occupation.is_some() && a.occupation == b.occupation && a.level == b.level {
            return Some(format!(
                "职业 {} 等级 {} 的培训",
                a.occupation.as_deref().unwrap_or(""),
                a.level.as_deref().unwrap_or("无")
            ));
        }
    }
    // Two certificates from one class (e.g. a 特种作业 and a 职业技能等级
    // certificate) are each keyed by their certificate, as in R17.
    let one_without_cert = a.cert_no.is_none() || b.cert_no.is_none();
    if both(&p.training_subsidy_types)
        && local
        && one_without_cert
        && a.class_no.is_some()
        && a.class_no == b.class_no
    {
        return Some(format!(
            "培训班「{}」的培训",
            a.class_no.as_deref().unwrap_or("")
        ));
    }
    if both(&p.month_subsidy_types)
        && let (Some(ma), Some(mb)) = (a.months, b.months)
        && let Some((first, last)) = ma.overlap(&mb)
    {
        return Some(if first == last {
            format!("人月 {first}")
        } else {
            format!("人月 {first}至{last}")
        });
    }
    None
}

fn describe(c: &ClaimIn) -> String {
    match &c.deployment {
        None => format!("申领「{}」（{}）", c.claim_no, c.subsidy_type),
        Some(d) => format!("部署「{d}」已发放的{}", c.subsidy_type),
    }
}

pub fn run(c: &Check<Params>, new: &[ClaimIn], stored: &Index<ClaimIn>) -> Vec<Hit> {
    let mut hits = Vec::new();
    let same = |a: &ClaimIn, b: &ClaimIn| a.claim_no == b.claim_no && a.deployment == b.deployment;
    for (fresh, old) in groups(new, stored, |x| &x.person, same) {
        for (a, b) in pairs_with_new(&fresh, &old) {
            if same(a, b) || (a.deployment.is_some() && b.deployment.is_some()) {
                continue;
            }
            let Some(what) = same_thing(&c.params, a, b) else {
                continue;
            };
            let (a, b) = if (&a.deployment, &a.claim_no) <= (&b.deployment, &b.claim_no) {
                (a, b)
            } else {
                (b, a)
            };
            let mut keys = RecordKeys::default().person(&a.person);
            for x in [a, b].into_iter().filter(|x| x.deployment.is_none()) {
                keys = keys.claim(&x.claim_no);
                if let Some(i) = &x.institution {
                    keys = keys.institution(i);
                }
                if let Some(k) = &x.class_no {
                    keys = keys.class(k);
                }
                if let Some(n) = &x.cert_no {
                    keys = keys.cert(n);
                }
            }
            let evidence = format!(
                "学员 {} 的{what}重复申领：{}；{}",
                mask_id(&a.person),
                describe(a),
                describe(b)
            );
            hits.push(c.hit(keys, evidence));
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::super::CheckId;
    use super::super::inputs::fixtures::{check, d, pid};
    use super::super::inputs::{Month, Months};
    use super::*;

    fn s6() -> Check<Params> {
        check(
            CheckId::S6,
            Params {
                cert_subsidy_types: cert_types(),
                training_subsidy_types: training_types(),
                month_subsidy_types: month_types(),
            },
        )
    }

    fn claim(no: &str, t: &str) -> ClaimIn {
        ClaimIn {
            claim_no: no.into(),
            person: pid(9),
            subsidy_type: t.into(),
            fund: Some("就业补助资金".into()),
            occupation: Some("6-01-02-01".into()),
            level: Some("五级".into()),
            cert_no: None,
            class_no: None,
            institution: None,
            applied_on: d("2019-04-01"),
            months: None,
            deployment: None,
        }
    }

    #[test]
    fn one_certificate_under_two_subsidy_types_is_flagged() {
        let mut a = claim("N1", "职业培训补贴");
        a.cert_no = Some("C1".into());
        let mut b = claim("N2", "技能提升补贴");
        b.cert_no = Some("C1".into());
        let stored = Index::from_rows(vec![a], |c| &c.person);
        let hits = run(&s6(), &[b], &stored);
        assert_eq!(hits.len(), 1);
        let e = &hits[0].evidence;
        assert!(
            e.contains(
                "证书「C1」重复申领：申领「N1」（职业培训补贴）；申领「N2」（技能提升补贴）"
            ),
            "{e}"
        );
        assert_eq!(hits[0].keys.claim_nos.len(), 2);
        // One class paid as a training and again as a project.
        let mut t1 = claim("N3", "职业培训补贴");
        t1.class_no = Some("A".into());
        let mut t2 = claim("N4", "项目制培训补贴");
        t2.class_no = Some("A".into());
        let hits = run(&s6(), &[t1, t2], &Index::default());
        assert_eq!(hits.len(), 1);
        assert!(
            hits[0].evidence.contains("培训班「A」的培训重复申领"),
            "{}",
            hits[0].evidence
        );
    }

    #[test]
    fn overlapping_months_and_a_training_paid_in_another_deployment_are_flagged() {
        let mut a = claim("N1", "以工代训补贴");
        a.months = Some(Months {
            first: Month::of(d("2019-03-01")),
            count: 6,
        });
        let mut b = claim("N2", "以工代训补贴");
        b.months = Some(Months {
            first: Month::of(d("2019-08-01")),
            count: 3,
        });
        let hits = run(&s6(), &[a, b], &Index::default());
        assert_eq!(hits.len(), 1);
        assert!(
            hits[0].evidence.contains("的人月 2019年8月重复申领"),
            "{}",
            hits[0].evidence
        );

        let mut far = claim("T-1", "职业培训补贴");
        far.deployment = Some("620500".into());
        let stored = Index::from_rows(vec![far], |c| &c.person);
        let hits = run(&s6(), &[claim("N3", "职业培训补贴")], &stored);
        assert_eq!(hits.len(), 1);
        assert!(
            hits[0]
                .evidence
                .contains("部署「620500」已发放的职业培训补贴"),
            "{}",
            hits[0].evidence
        );
        assert_eq!(hits[0].keys.claim_nos.iter().collect::<Vec<_>>(), ["N3"]);
    }

    #[test]
    fn an_assessment_subsidy_beside_a_training_subsidy_and_adjacent_months_are_not_flagged() {
        let mut a = claim("N1", "职业培训补贴");
        a.cert_no = Some("C1".into());
        let mut b = claim("N2", "职业技能鉴定补贴");
        b.cert_no = Some("C1".into());
        let mut m1 = claim("N3", "以工代训补贴");
        m1.months = Some(Months {
            first: Month::of(d("2019-03-01")),
            count: 5,
        });
        let mut m2 = claim("N4", "以工代训补贴");
        m2.months = Some(Months {
            first: Month::of(d("2019-08-01")),
            count: 3,
        });
        // Two certificates of one class, each claimed once.
        let mut c1 = claim("N5", "职业培训补贴");
        c1.class_no = Some("A".into());
        c1.cert_no = Some("C5".into());
        let mut c2 = claim("N6", "职业培训补贴");
        c2.class_no = Some("A".into());
        c2.cert_no = Some("C6".into());
        let mut other_level = claim("T-2", "职业培训补贴");
        other_level.deployment = Some("620500".into());
        other_level.level = Some("四级".into());
        let stored = Index::from_rows(vec![other_level], |c| &c.person);
        assert!(run(&s6(), &[a, b, m1, m2, c1, c2], &stored).is_empty());
    }
}
