//! Property test of the checks' incremental design: over random small
//! registries split at random into stored rows and a new import, running
//! the checks on the stored rows and then on the import against the stored
//! rows finds the same findings (by fingerprint) as one full scan of
//! everything. Covered: the checks whose findings only grow with data (S1,
//! S4, S5, S6, S7, S8 per assessor-day, S9, S10). S8's monthly comparison is
//! left out on purpose: a month flagged before later imports raised its
//! baseline stays flagged, so history matters there.

use crate::common;

use std::collections::BTreeSet;
use std::sync::LazyLock;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use jineng_domain::supervision::inputs::{
    CertificateIn, ClaimIn, ClassIn, EnrolmentIn, InsuranceIn, Month, Months, OnlineSession,
    Period, Span, Teacher, WatchEntry,
};
use jineng_domain::supervision::watchlist::WatchlistKind;
use jineng_domain::supervision::{self, Batch, Checks, Stored};
use proptest::prelude::*;

static CHECKS: LazyLock<Checks> = LazyLock::new(checks);

fn checks() -> Checks {
    let name = "liaocheng-2019.supervision.toml";
    let mut c = supervision::load(name, &common::policy_text(name), &common::refdata())
        .unwrap()
        .checks;
    let s8 = c.s8.as_mut().unwrap();
    // Small enough to be reached by random data; no monthly comparison.
    s8.params.assessor_daily_max = 2;
    s8.params.monthly_min_claims = u32::MAX;
    c
}

fn day(n: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2019, 3, 1).unwrap() + TimeDelta::days(i64::from(n))
}

fn pid(n: u32) -> String {
    format!("37150219900101{n:04}")
}

const CLASSES: u32 = 6;

/// Class `k` runs from day 3k for 2 + (k mod 4) days; teacher k mod 3.
fn class_of(k: u32) -> ClassIn {
    let start = 3 * k;
    ClassIn {
        class_no: format!("K{k}"),
        institution: "91371500MA3C000001".into(),
        training_type: if k.is_multiple_of(2) {
            "就业技能培训"
        } else {
            "岗位技能提升培训"
        }
        .into(),
        span: Span::new(day(start), day(start + 1 + k % 4)),
        planned_hours: 8,
        teacher: Some(Teacher {
            id: pid(9000 + k % 3),
            name: "教师".into(),
        }),
    }
}

#[derive(Debug, Clone)]
enum Row {
    Enrol {
        person: u32,
        class: u32,
        phone: u32,
    },
    Watch {
        person: u32,
        from: u32,
    },
    Insured {
        person: u32,
        from: u32,
        to: u32,
    },
    Claim {
        no: u32,
        person: u32,
        cert: u32,
        first_month: u32,
    },
    Cert {
        no: u32,
        person: u32,
        day: u32,
    },
    Session {
        no: u32,
        person: u32,
        start_min: u32,
        minutes: u32,
    },
    Class {
        k: u32,
    },
}

fn row() -> impl Strategy<Value = Row> {
    prop_oneof![
        4 => (0..6u32, 0..CLASSES, 0..3u32).prop_map(|(person, class, phone)| Row::Enrol { person, class, phone }),
        1 => (0..6u32, 0..25u32).prop_map(|(person, from)| Row::Watch { person, from }),
        1 => (0..6u32, 0..25u32, 0..25u32).prop_map(|(person, from, to)| Row::Insured { person, from, to }),
        2 => (0..40u32, 0..6u32, 0..4u32, 0..4u32).prop_map(|(no, person, cert, first_month)| Row::Claim { no, person, cert, first_month }),
        2 => (0..40u32, 0..6u32, 0..3u32).prop_map(|(no, person, day)| Row::Cert { no, person, day }),
        2 => (0..40u32, 0..6u32, 0..3000u32, 1..600u32).prop_map(|(no, person, start_min, minutes)| Row::Session { no, person, start_min, minutes }),
        1 => (0..CLASSES).prop_map(|k| Row::Class { k }),
    ]
}

/// Adds a row to a batch; rows that would repeat a record (same claim, same
/// certificate number …) are left out, as the store keeps one of each.
fn add(b: &mut Batch, r: &Row) -> bool {
    let at = |min: u32| -> NaiveDateTime {
        day(0).and_hms_opt(0, 0, 0).unwrap() + TimeDelta::minutes(i64::from(min))
    };
    match *r {
        Row::Enrol {
            person,
            class,
            phone,
        } => {
            let k = class_of(class);
            if b.enrolments
                .iter()
                .any(|e| e.person == pid(person) && e.class_no == k.class_no)
            {
                return false;
            }
            b.enrolments.push(EnrolmentIn {
                person: pid(person),
                class_no: k.class_no,
                institution: k.institution,
                training_type: k.training_type,
                span: k.span,
                offline_hours: 8,
                online_hours: 0,
                phone: Some(format!("1380000000{phone}")),
                receives_pension: false,
            });
        }
        Row::Watch { person, from } => b.watchlist.push(WatchEntry {
            person: pid(person),
            kind: WatchlistKind::Student,
            period: Period {
                from: day(from),
                to: None,
            },
            source: format!("名单{from}"),
        }),
        Row::Insured { person, from, to } => b.insurance.push(InsuranceIn {
            person: pid(person),
            employer: None,
            period: Period {
                from: day(from.min(to)),
                to: Some(day(from.max(to))),
            },
            source: format!("社保{from}-{to}"),
        }),
        Row::Claim {
            no,
            person,
            cert,
            first_month,
        } => {
            if b.claims.iter().any(|c| c.claim_no == format!("N{no}")) {
                return false;
            }
            let monthly = no.is_multiple_of(2);
            b.claims.push(ClaimIn {
                claim_no: format!("N{no}"),
                person: pid(person),
                subsidy_type: if monthly {
                    "以工代训补贴"
                } else {
                    "职业培训补贴"
                }
                .into(),
                fund: None,
                occupation: None,
                level: None,
                cert_no: (!monthly).then(|| format!("C{person}-{cert}")),
                class_no: None,
                institution: None,
                applied_on: day(0),
                months: monthly.then(|| Months {
                    first: Month::of(day(0)).plus(first_month as i32),
                    count: 2,
                }),
                deployment: None,
            });
        }
        Row::Cert { no, person, day: d } => {
            if b.certificates.iter().any(|c| c.cert_no == format!("D{no}")) {
                return false;
            }
            b.certificates.push(CertificateIn {
                cert_no: format!("D{no}"),
                person: pid(person),
                issue_date: day(d),
                assessor: "52371500MJD000001X".into(),
                class_no: None,
                class_end: None,
                institution: None,
            });
        }
        Row::Session {
            no,
            person,
            start_min,
            minutes,
        } => {
            if b.sessions.iter().any(|s| s.session_id == format!("L{no}")) {
                return false;
            }
            b.sessions.push(OnlineSession {
                session_id: format!("L{no}"),
                person: pid(person),
                class_no: "K0".into(),
                start: at(start_min),
                end: at(start_min + minutes),
            });
        }
        Row::Class { k } => {
            if b.classes.iter().any(|c| c.class_no == format!("K{k}")) {
                return false;
            }
            b.classes.push(class_of(k));
        }
    }
    true
}

fn fingerprints(checks: &Checks, batch: &Batch, stored: &Stored) -> BTreeSet<String> {
    checks
        .run(batch, stored)
        .into_iter()
        .map(|h| format!("{} {}", h.check, h.fingerprint))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn incremental_runs_find_what_a_full_scan_finds(
        rows in prop::collection::vec((row(), any::<bool>()), 0..60)
    ) {
        let checks = &*CHECKS;
        let (mut all, mut old, mut new) = (Batch::default(), Batch::default(), Batch::default());
        for (r, is_new) in &rows {
            // Each record once: in the whole registry, and on one side.
            if add(&mut all, r) {
                add(if *is_new { &mut new } else { &mut old }, r);
            }
        }
        let full = fingerprints(checks, &all, &Stored::default());
        let mut split = fingerprints(checks, &old, &Stored::default());
        split.extend(fingerprints(checks, &new, &Stored::from_rows(&old)));
        prop_assert_eq!(full, split);
    }
}
