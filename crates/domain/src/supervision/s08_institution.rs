//! S8 — institution anomalies, three figures an auditor looks at: a class
//! where everyone passed although it is large; one assessor (评价机构)
//! certifying more than N people a day (an evaluator issued 2,600+
//! certificates within two months of accreditation); an institution's
//! claims in a month far above its usual. Evidence: the figures.
//! (002 十二; 003 二十四; 001 #17)
//!
//! Incremental: class results per class; new certificates with the stored
//! ones of the same assessor and day; new claims with the institution's
//! stored monthly counts.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;

use super::inputs::{CertificateIn, ClaimIn, ClassOutcome, Index, Month};
use super::{Check, CheckParams, Hit, RecordKeys, Severity, at_least_one};
use crate::refdata::RefData;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// A class of at least this many trainees where all passed is flagged.
    #[serde(default = "thirty")]
    pub pass_rate_min_class_size: u32,
    /// Certificates one assessor may issue in a day.
    #[serde(default = "fifty")]
    pub assessor_daily_max: u32,
    /// A month with more than `monthly_factor` × the average of the
    /// `monthly_baseline_months` before it (each of which had claims: an
    /// institution's usual is a steady record, not its first months or a
    /// gap between classes) …
    #[serde(default = "three")]
    pub monthly_factor: u32,
    #[serde(default = "six")]
    pub monthly_baseline_months: u32,
    /// … and at least this many claims is flagged.
    #[serde(default = "twenty")]
    pub monthly_min_claims: u32,
}

fn thirty() -> u32 {
    30
}
fn fifty() -> u32 {
    50
}
fn three() -> u32 {
    3
}
fn six() -> u32 {
    6
}
fn twenty() -> u32 {
    20
}

impl CheckParams for Params {
    const DEFAULT_SEVERITY: Severity = Severity::Medium;
    fn check(&self, _refdata: &RefData) -> Result<(), (&'static str, String)> {
        at_least_one("pass_rate_min_class_size", self.pass_rate_min_class_size)?;
        at_least_one("assessor_daily_max", self.assessor_daily_max)?;
        at_least_one("monthly_factor", self.monthly_factor)?;
        at_least_one("monthly_baseline_months", self.monthly_baseline_months)?;
        at_least_one("monthly_min_claims", self.monthly_min_claims)
    }
}

/// Classes of at least the size where every trainee passed.
pub fn run_pass_rate(c: &Check<Params>, outcomes: &[ClassOutcome]) -> Vec<Hit> {
    outcomes
        .iter()
        .filter(|o| o.trainees >= c.params.pass_rate_min_class_size && o.passed >= o.trainees)
        .map(|o| {
            let keys = RecordKeys::default()
                .class(&o.class_no)
                .institution(&o.institution);
            let evidence = format!(
                "培训班「{}」{} 名学员全部合格（合格率 100%），班级规模达到 {} 人以上",
                o.class_no, o.trainees, c.params.pass_rate_min_class_size
            );
            c.hit(keys, evidence)
        })
        .collect()
}

/// The key of [`run_assessor_daily`]'s index: assessor and issue date.
pub fn assessor_day(assessor: &str, date: NaiveDate) -> String {
    format!("{assessor}|{date}")
}

/// Assessors issuing more than the daily maximum on a day a new certificate
/// falls on; `stored` holds the stored certificates by [`assessor_day`].
pub fn run_assessor_daily(
    c: &Check<Params>,
    new: &[CertificateIn],
    stored: &Index<CertificateIn>,
) -> Vec<Hit> {
    let mut days: BTreeMap<(&str, NaiveDate), Vec<&CertificateIn>> = BTreeMap::new();
    for cert in new {
        days.entry((&cert.assessor, cert.issue_date))
            .or_default()
            .push(cert);
    }
    let mut hits = Vec::new();
    for ((assessor, date), fresh) in days {
        let old = stored.get(&assessor_day(assessor, date));
        let count = fresh.len()
            + old
                .iter()
                .filter(|o| !fresh.iter().any(|n| n.cert_no == o.cert_no))
                .count();
        if !above_daily_max(&c.params, count) {
            continue;
        }
        let mut keys = RecordKeys::default().institution(assessor);
        for cert in &fresh {
            keys = keys.cert(&cert.cert_no);
        }
        let evidence = format!(
            "评价机构 {assessor} 于 {date} 一天颁发证书 {count} 本，超过每日 {} 本的上限",
            c.params.assessor_daily_max
        );
        let subject = [format!("institution:{assessor}"), format!("day:{date}")];
        hits.push(c.hit_about(&subject, keys, evidence));
    }
    hits
}

/// Whether one assessor's `count` certificates of a day are too many.
pub fn above_daily_max(p: &Params, count: usize) -> bool {
    count > p.assessor_daily_max as usize
}

/// Whether a month of `n` claims is far above the claims of the baseline
/// months before it (`baseline`, one count a month). No usual to compare
/// with: a new institution, or a month without claims in the baseline, is
/// not flagged here.
fn anomalous(p: &Params, n: u64, baseline: &[u64]) -> bool {
    let k = u64::from(p.monthly_baseline_months);
    let base: u64 = baseline.iter().sum();
    !baseline.contains(&0)
        && n >= u64::from(p.monthly_min_claims)
        && n * k > u64::from(p.monthly_factor) * base
}

/// The institution-months [`run_monthly`] flags when `counts` holds every
/// claim (a full scan), from the counts alone.
pub fn anomalous_months(
    p: &Params,
    counts: &BTreeMap<(String, Month), u32>,
) -> Vec<(String, Month)> {
    let count = |inst: &str, m: Month| -> u64 {
        u64::from(counts.get(&(inst.to_string(), m)).copied().unwrap_or(0))
    };
    counts
        .iter()
        .filter(|((inst, month), n)| {
            let baseline: Vec<u64> = (1..=p.monthly_baseline_months as i32)
                .map(|k| count(inst, month.plus(-k)))
                .collect();
            anomalous(p, u64::from(**n), &baseline)
        })
        .map(|(key, _)| key.clone())
        .collect()
}

/// Institution-months far above the institution's usual. `stored` counts
/// the stored claims (those not among `new`) by institution and month of
/// application, for the months of the new claims and the baseline before.
/// The usual is the average of the baseline months, and there is one only
/// when the institution claimed in every one of them: an institution in
/// its first months, or one whose classes end months apart, has no usual
/// to be far above (its claims come when a class ends).
pub fn run_monthly(
    c: &Check<Params>,
    new: &[ClaimIn],
    stored: &BTreeMap<(String, Month), u32>,
) -> Vec<Hit> {
    let p = &c.params;
    let mut months: BTreeMap<(&str, Month), Vec<&ClaimIn>> = BTreeMap::new();
    for claim in new.iter().filter(|c| c.deployment.is_none()) {
        if let Some(i) = &claim.institution {
            months
                .entry((i, Month::of(claim.applied_on)))
                .or_default()
                .push(claim);
        }
    }
    let count = |inst: &str, m: Month| -> u64 {
        let fresh = months.get(&(inst, m)).map_or(0, Vec::len) as u64;
        fresh + u64::from(stored.get(&(inst.to_string(), m)).copied().unwrap_or(0))
    };
    let mut hits = Vec::new();
    for ((inst, month), fresh) in &months {
        let n = count(inst, *month);
        let baseline: Vec<u64> = (1..=p.monthly_baseline_months as i32)
            .map(|k| count(inst, month.plus(-k)))
            .collect();
        if !anomalous(p, n, &baseline) {
            continue;
        }
        let mut keys = RecordKeys::default().institution(inst);
        for claim in fresh {
            keys = keys.claim(&claim.claim_no);
        }
        let k = u64::from(p.monthly_baseline_months);
        let base: u64 = baseline.iter().sum();
        let avg10 = base * 10 / k;
        let evidence = format!(
            "培训机构 {inst} {month}申领 {n} 笔，前 {k} 个月平均每月 {}.{} 笔，超过平均的 {} 倍",
            avg10 / 10,
            avg10 % 10,
            p.monthly_factor
        );
        let subject = [format!("institution:{inst}"), format!("month:{month}")];
        hits.push(c.hit_about(&subject, keys, evidence));
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::super::CheckId;
    use super::super::inputs::fixtures::{check, d, pid};
    use super::*;

    fn s8() -> Check<Params> {
        check(
            CheckId::S8,
            Params {
                pass_rate_min_class_size: 30,
                assessor_daily_max: 3,
                monthly_factor: 3,
                monthly_baseline_months: 6,
                monthly_min_claims: 20,
            },
        )
    }

    fn outcome(no: &str, trainees: u32, passed: u32) -> ClassOutcome {
        ClassOutcome {
            class_no: no.into(),
            institution: "91371500MA3C000001".into(),
            trainees,
            passed,
        }
    }

    #[test]
    fn a_large_class_all_passed_is_flagged_and_a_small_or_imperfect_one_not() {
        let hits = run_pass_rate(
            &s8(),
            &[
                outcome("A", 30, 30),
                outcome("B", 29, 29),
                outcome("C", 40, 39),
            ],
        );
        assert_eq!(hits.len(), 1);
        assert!(
            hits[0].evidence.contains("「A」30 名学员全部合格"),
            "{}",
            hits[0].evidence
        );
    }

    fn cert(no: &str, date: &str) -> CertificateIn {
        CertificateIn {
            cert_no: no.into(),
            person: pid(1),
            issue_date: d(date),
            assessor: "52371500MJD000001X".into(),
            class_no: None,
            class_end: None,
            institution: None,
        }
    }

    #[test]
    fn an_assessor_above_the_daily_maximum_is_flagged_and_at_it_not() {
        let mut by_day = Index::default();
        for r in [
            cert("C1", "2019-05-01"),
            cert("C2", "2019-05-01"),
            cert("C3", "2019-05-02"),
        ] {
            by_day.insert(&assessor_day(&r.assessor, r.issue_date), r);
        }
        let near = [cert("C2", "2019-05-01"), cert("C4", "2019-05-01")];
        assert!(run_assessor_daily(&s8(), &near, &by_day).is_empty());
        let over = [cert("C4", "2019-05-01"), cert("C5", "2019-05-01")];
        let hits = run_assessor_daily(&s8(), &over, &by_day);
        assert_eq!(hits.len(), 1);
        assert!(
            hits[0]
                .evidence
                .contains("于 2019-05-01 一天颁发证书 4 本，超过每日 3 本"),
            "{}",
            hits[0].evidence
        );
    }

    fn claims(n: usize, date: &str) -> Vec<ClaimIn> {
        (0..n)
            .map(|i| ClaimIn {
                claim_no: format!("N{date}-{i}"),
                person: pid(i as u32),
                subsidy_type: "职业培训补贴".into(),
                fund: None,
                occupation: None,
                level: None,
                cert_no: None,
                class_no: None,
                institution: Some("91371500MA3C000001".into()),
                applied_on: d(date),
                months: None,
                deployment: None,
            })
            .collect()
    }

    #[test]
    fn a_month_far_above_the_usual_is_flagged_and_one_at_the_factor_not() {
        let inst = "91371500MA3C000001".to_string();
        let mut stored = BTreeMap::new();
        for m in 1..=6 {
            stored.insert((inst.clone(), Month::of(d(&format!("2019-{m:02}-01")))), 10);
        }
        // 6 months × 10 = 60; 3 × 60 / 6 = 30 a month is the limit.
        assert!(run_monthly(&s8(), &claims(30, "2019-07-15"), &stored).is_empty());
        let hits = run_monthly(&s8(), &claims(31, "2019-07-15"), &stored);
        assert_eq!(hits.len(), 1);
        let e = &hits[0].evidence;
        assert!(
            e.contains("2019年7月申领 31 笔，前 6 个月平均每月 10.0 笔"),
            "{e}"
        );
        assert_eq!(hits[0].keys.claim_nos.len(), 31);
        // No history: nothing to compare with.
        assert!(run_monthly(&s8(), &claims(200, "2019-07-15"), &BTreeMap::new()).is_empty());
    }

    #[test]
    fn a_month_after_a_baseline_with_an_empty_month_is_not_flagged() {
        let inst = "91371500MA3C000001".to_string();
        // Starting up: claims in the last two months only (one in the
        // first); the month of 40 is the institution's first busy month.
        let mut stored = BTreeMap::new();
        stored.insert((inst.clone(), Month::of(d("2019-05-01"))), 1);
        stored.insert((inst.clone(), Month::of(d("2019-06-01"))), 2);
        assert!(run_monthly(&s8(), &claims(40, "2019-07-15"), &stored).is_empty());
        // The same figures with a claim in every baseline month: flagged.
        for m in 1..=4 {
            stored.insert((inst.clone(), Month::of(d(&format!("2019-{m:02}-01")))), 1);
        }
        assert_eq!(
            run_monthly(&s8(), &claims(40, "2019-07-15"), &stored).len(),
            1
        );
    }
}
