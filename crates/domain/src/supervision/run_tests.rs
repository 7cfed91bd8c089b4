//! One registry with a planted finding for every check, split into what is
//! stored and what a new import brings: the incremental run must find what a
//! full scan finds, by fingerprint.

use std::collections::BTreeSet;

use super::*;
use crate::supervision::CheckId;
use crate::supervision::inputs::fixtures::{class, d, enrol, pid, span};
use crate::supervision::inputs::{Period, Teacher};
use crate::supervision::watchlist::WatchlistKind;

const INST: &str = "91371500MA3C000001";
const ASSESSOR: &str = "52371500MJD000001X";

pub(crate) fn checks() -> Checks {
    let text = include_str!("../../../../policies/liaocheng-2019.supervision.toml");
    crate::supervision::load(
        "liaocheng-2019.supervision.toml",
        text,
        &crate::refdata::RefData::default(),
    )
    .unwrap()
    .checks
}

fn teacher() -> Option<Teacher> {
    Some(Teacher {
        id: pid(9000),
        name: "王老师".into(),
    })
}

fn claim(no: String, person: String, t: &str, on: &str) -> ClaimIn {
    ClaimIn {
        claim_no: no,
        person,
        subsidy_type: t.into(),
        fund: Some("就业补助资金".into()),
        occupation: None,
        level: None,
        cert_no: None,
        class_no: None,
        institution: Some(INST.into()),
        applied_on: d(on),
        months: None,
        deployment: None,
    }
}

fn cert(no: String, person: String, on: &str) -> CertificateIn {
    CertificateIn {
        cert_no: no,
        person,
        issue_date: d(on),
        assessor: ASSESSOR.into(),
        class_no: None,
        class_end: None,
        institution: None,
    }
}

fn phone(mut e: EnrolmentIn, p: &str) -> EnrolmentIn {
    e.phone = Some(p.into());
    e
}

pub(crate) fn stored_rows() -> Batch {
    let mut a = class("A", span("2019-03-01", "2019-03-20"), 80);
    a.teacher = teacher();
    let mut b = Batch {
        classes: vec![a, class("C", span("2019-05-01", "2019-05-10"), 80)],
        enrolments: vec![
            enrol(&pid(1), "A", span("2019-03-01", "2019-03-20")),
            phone(
                enrol(&pid(2), "A", span("2019-03-01", "2019-03-20")),
                "13800001234",
            ),
            phone(
                enrol(&pid(3), "A", span("2019-03-01", "2019-03-20")),
                "13800001234",
            ),
        ],
        watchlist: vec![WatchEntry {
            person: pid(4),
            kind: WatchlistKind::Deceased,
            period: Period {
                from: d("2019-01-01"),
                to: None,
            },
            source: "市民政局 2019-02".into(),
        }],
        ..Batch::default()
    };
    let mut n1 = claim("N1".into(), pid(5), "职业培训补贴", "2019-04-01");
    n1.cert_no = Some("C1".into());
    b.claims.push(n1);
    for m in 1..=6 {
        for i in 0..10 {
            let no = format!("M{m}-{i}");
            b.claims.push(claim(
                no,
                pid(100 + m * 10 + i),
                "职业培训补贴",
                &format!("2019-{m:02}-10"),
            ));
        }
    }
    for i in 0..49 {
        b.certificates
            .push(cert(format!("D{i}"), pid(300 + i), "2019-05-01"));
    }
    b
}

pub(crate) fn new_rows() -> Batch {
    let mut class_b = class("B", span("2019-03-15", "2019-03-30"), 200);
    class_b.teacher = teacher();
    let mut early = cert("C9".into(), pid(1), "2019-03-10");
    early.class_no = Some("A".into());
    early.class_end = Some(d("2019-03-20"));
    let mut n2 = claim("N2".into(), pid(5), "技能提升补贴", "2019-07-01");
    n2.cert_no = Some("C1".into());
    n2.institution = None;
    let at = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    let session = |id: &str, from: &str, to: &str| OnlineSession {
        session_id: id.into(),
        person: pid(8),
        class_no: "A".into(),
        start: at(from),
        end: at(to),
    };
    let mut b = Batch {
        classes: vec![class_b],
        enrolments: vec![
            enrol(&pid(1), "B", span("2019-03-15", "2019-03-30")),
            phone(
                enrol(&pid(6), "A", span("2019-03-01", "2019-03-20")),
                "13800001234",
            ),
            enrol(&pid(4), "C", span("2019-05-01", "2019-05-10")),
            enrol(&pid(7), "A", span("2019-03-01", "2019-03-20")),
        ],
        insurance: vec![InsuranceIn {
            person: pid(7),
            employer: None,
            period: Period {
                from: d("2018-01-01"),
                to: None,
            },
            source: "市社保中心 2019-12".into(),
        }],
        claims: vec![n2],
        certificates: vec![
            cert("D49".into(), pid(349), "2019-05-01"),
            cert("D50".into(), pid(350), "2019-05-01"),
            early,
        ],
        outcomes: vec![ClassOutcome {
            class_no: "A".into(),
            institution: INST.into(),
            trainees: 30,
            passed: 30,
        }],
        sessions: vec![
            session("L1", "2019-03-02 08:00", "2019-03-02 10:00"),
            session("L2", "2019-03-02 09:00", "2019-03-02 11:00"),
        ],
        ..Batch::default()
    };
    // July: 61 claims against a usual of 10 a month (the 聊城 file flags
    // more than 5 times the usual).
    for i in 0..61 {
        let no = format!("J{i}");
        b.claims
            .push(claim(no, pid(500 + i), "职业培训补贴", "2019-07-20"));
    }
    b
}

pub(crate) fn union(a: &Batch, b: &Batch) -> Batch {
    let mut u = a.clone();
    u.classes.extend(b.classes.iter().cloned());
    u.enrolments.extend(b.enrolments.iter().cloned());
    u.certificates.extend(b.certificates.iter().cloned());
    u.claims.extend(b.claims.iter().cloned());
    u.watchlist.extend(b.watchlist.iter().cloned());
    u.insurance.extend(b.insurance.iter().cloned());
    u.sessions.extend(b.sessions.iter().cloned());
    u.outcomes.extend(b.outcomes.iter().cloned());
    u
}

pub(crate) fn prints(hits: &[Hit]) -> BTreeSet<(CheckId, String)> {
    hits.iter()
        .map(|h| (h.check, h.fingerprint.to_string()))
        .collect()
}

#[test]
fn every_check_finds_its_planted_pattern_and_the_stored_rows_alone_are_clean() {
    let checks = checks();
    let old = stored_rows();
    assert!(checks.run(&old, &Stored::default()).is_empty());
    let hits = checks.run(&new_rows(), &Stored::from_rows(&old));
    let per_check: Vec<CheckId> = hits.iter().map(|h| h.check).collect();
    let mut expected = CheckId::ALL.to_vec();
    expected.extend([CheckId::S8, CheckId::S8]);
    expected.sort();
    let mut got = per_check.clone();
    got.sort();
    assert_eq!(got, expected, "{hits:#?}");
    for h in &hits {
        assert!(!h.evidence.is_empty());
        assert!(!h.evidence.contains(&pid(1)), "{}", h.evidence);
    }
}

#[test]
fn the_incremental_run_finds_what_a_full_scan_finds() {
    let checks = checks();
    let (old, new) = (stored_rows(), new_rows());
    let full = prints(&checks.run(&union(&old, &new), &Stored::default()));
    let mut split = prints(&checks.run(&old, &Stored::default()));
    split.extend(prints(&checks.run(&new, &Stored::from_rows(&old))));
    assert_eq!(full, split);
    assert_eq!(full.len(), 12);
}

#[test]
fn the_batch_names_the_stored_rows_it_needs() {
    let w = new_rows().wanted(&checks());
    assert!(
        w.persons.contains(&pid(1)) && w.persons.contains(&pid(7)) && w.persons.contains(&pid(8))
    );
    assert_eq!(w.classes, ["A", "B", "C"].map(String::from).into());
    assert_eq!(w.teachers, [pid(9000)].into());
    assert!(
        w.assessor_days
            .contains(&(ASSESSOR.to_string(), d("2019-05-01")))
    );
    let july = crate::supervision::inputs::Month::of(d("2019-07-01"));
    assert!(w.institution_months.contains(&(INST.to_string(), july)));
    assert!(
        w.institution_months
            .contains(&(INST.to_string(), july.plus(-6)))
    );
    assert!(
        !w.institution_months
            .contains(&(INST.to_string(), july.plus(-7)))
    );
}
