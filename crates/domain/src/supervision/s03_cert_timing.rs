//! S3 — a certificate issued before its class ended, or long after it
//! (a certificate without training, or training invented for a certificate
//! held already). Evidence: the certificate, its date and the class end.
//! (002 十二; 003 二十四)
//!
//! Per row: the store joins each certificate with its class's end date.

use serde::Deserialize;

use super::inputs::CertificateIn;
use super::{Check, CheckParams, Hit, RecordKeys, Severity, at_least_one};
use crate::national_id::mask_id;
use crate::refdata::RefData;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// A certificate more than this many days after the class end is late.
    #[serde(default = "ninety")]
    pub days_after: u32,
}

fn ninety() -> u32 {
    90
}

impl CheckParams for Params {
    const DEFAULT_SEVERITY: Severity = Severity::Medium;
    fn check(&self, _refdata: &RefData) -> Result<(), (&'static str, String)> {
        at_least_one("days_after", self.days_after)
    }
}

/// The new or changed certificates; those naming no class are skipped.
pub fn run(c: &Check<Params>, certs: &[CertificateIn]) -> Vec<Hit> {
    let mut hits = Vec::new();
    for cert in certs {
        let (Some(class_no), Some(end)) = (&cert.class_no, cert.class_end) else {
            continue;
        };
        let gap = (cert.issue_date - end).num_days();
        let what = if gap < 0 {
            format!("早于培训班结业日期 {end}（提前 {} 天）", -gap)
        } else if gap > i64::from(c.params.days_after) {
            format!(
                "晚于培训班结业日期 {end} 共 {gap} 天，超过 {} 天",
                c.params.days_after
            )
        } else {
            continue;
        };
        let mut keys = RecordKeys::default()
            .cert(&cert.cert_no)
            .class(class_no)
            .person(&cert.person);
        if let Some(i) = &cert.institution {
            keys = keys.institution(i);
        }
        let evidence = format!(
            "证书「{}」（持证人 {}，培训班「{class_no}」）发证日期 {}，{what}",
            cert.cert_no,
            mask_id(&cert.person),
            cert.issue_date
        );
        hits.push(c.hit(keys, evidence));
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::super::CheckId;
    use super::super::inputs::fixtures::{check, d, pid};
    use super::*;

    fn cert(no: &str, issued: &str, end: &str) -> CertificateIn {
        CertificateIn {
            cert_no: no.into(),
            person: pid(5),
            issue_date: d(issued),
            assessor: "52371500MJD000001X".into(),
            class_no: Some("A".into()),
            class_end: Some(d(end)),
            institution: Some("91371500MA3C000001".into()),
        }
    }

    fn s3() -> Check<Params> {
        check(CheckId::S3, Params { days_after: 90 })
    }

    #[test]
    fn a_certificate_before_the_class_ended_or_long_after_is_flagged() {
        let hits = run(
            &s3(),
            &[
                cert("C1", "2019-03-28", "2019-03-30"),
                cert("C2", "2019-06-29", "2019-03-30"),
            ],
        );
        assert_eq!(hits.len(), 2);
        assert!(
            hits[0].evidence.contains("提前 2 天"),
            "{}",
            hits[0].evidence
        );
        assert!(
            hits[1].evidence.contains("共 91 天，超过 90 天"),
            "{}",
            hits[1].evidence
        );
        assert_eq!(hits[1].keys.cert_nos.iter().next().unwrap(), "C2");
    }

    #[test]
    fn on_the_end_day_within_the_window_or_without_a_class_is_not_flagged() {
        let mut free = cert("C5", "2010-01-01", "2019-03-30");
        free.class_no = None;
        let certs = [
            cert("C3", "2019-03-30", "2019-03-30"),
            cert("C4", "2019-06-28", "2019-03-30"),
            free,
        ];
        assert!(run(&s3(), &certs).is_empty());
    }
}
