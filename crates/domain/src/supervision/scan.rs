//! A full scan in chunks of whole keys, so that a large registry never sits
//! in memory at once (docs/supervision.md). The checks compare rows only
//! within one key, so each runs on chunks that hold every row of the keys
//! they contain, as "new" rows with an empty [`Stored`]:
//!
//! - [`FullScan::classes`]: the classes (S2's planned hours, S9 by teacher);
//!   classes are few beside their trainees.
//! - [`FullScan::persons`]: chunks of whole persons with their enrolments,
//!   certificates, claims, list entries, insurance and sessions (S1, S2's
//!   trainee hours, S3, S4, S5, S6, S10). The chunk also adds to the small
//!   per-key counts S8 needs: each class's trainees and passes, each
//!   assessor-day's certificates, each institution-month's claims.
//! - [`FullScan::rosters`]: chunks of whole 班级编号 (S7).
//! - [`FullScan::later`] names the assessor-days and institution-months the
//!   counts flag; the store loads their rows whole for
//!   [`FullScan::assessor_days`] and [`FullScan::institution_claims`] (S8).
//!
//! [`FullScan::finish`] gives what [`Checks::run`] gives for every row in
//! one batch, each finding once.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::inputs::{CertificateIn, ClaimIn, ClassIn, ClassOutcome, EnrolmentIn, Month};
use super::{Batch, Checks, Hit, Stored, s08_institution};

/// A full scan in progress.
#[derive(Debug)]
pub struct FullScan<'a> {
    checks: &'a Checks,
    hits: Vec<Hit>,
    /// (班级编号, institution) → (trainees, passed).
    outcomes: BTreeMap<(String, String), (u32, u32)>,
    assessor_days: BTreeMap<(String, NaiveDate), u32>,
    institution_months: BTreeMap<(String, Month), u32>,
}

/// The keys whose rows S8 reads whole after the person chunks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Later {
    /// Assessor-days with more certificates than the daily maximum.
    pub assessor_days: Vec<(String, NaiveDate)>,
    /// Institution-months far above the institution's usual.
    pub institution_months: Vec<(String, Month)>,
}

impl Later {
    /// The institutions of [`Later::institution_months`], once each.
    pub fn institutions(&self) -> Vec<String> {
        let set: BTreeSet<&String> = self.institution_months.iter().map(|(i, _)| i).collect();
        set.into_iter().cloned().collect()
    }
}

fn only(checks: &Checks, pick: impl FnOnce(&Checks, &mut Checks)) -> Checks {
    let mut c = Checks::default();
    pick(checks, &mut c);
    c
}

impl<'a> FullScan<'a> {
    pub fn new(checks: &'a Checks) -> FullScan<'a> {
        FullScan {
            checks,
            hits: Vec::new(),
            outcomes: BTreeMap::new(),
            assessor_days: BTreeMap::new(),
            institution_months: BTreeMap::new(),
        }
    }

    fn run(&mut self, checks: Checks, batch: &Batch, stored: &Stored) {
        self.hits.extend(checks.run(batch, stored));
    }

    /// Every class (or chunks of whole teachers): S2 on planned hours, S9.
    pub fn classes(&mut self, classes: Vec<ClassIn>) {
        let checks = only(self.checks, |a, c| {
            c.s2 = a.s2.clone();
            c.s9 = a.s9.clone();
        });
        let batch = Batch {
            classes,
            ..Batch::default()
        };
        self.run(checks, &batch, &Stored::default());
    }

    /// A chunk of whole persons: every enrolment, certificate, claim, list
    /// entry, insurance period and session of each person in it (no
    /// classes). `chunk.outcomes` is the chunk's share of each class's
    /// results: trainees and passes add up over the chunks.
    pub fn persons(&mut self, mut chunk: Batch) {
        let checks = only(self.checks, |a, c| {
            c.s1 = a.s1.clone();
            c.s2 = a.s2.clone();
            c.s3 = a.s3.clone();
            c.s4 = a.s4.clone();
            c.s5 = a.s5.clone();
            c.s6 = a.s6.clone();
            c.s10 = a.s10.clone();
        });
        chunk.classes.clear();
        let outcomes = std::mem::take(&mut chunk.outcomes);
        self.run(checks, &chunk, &Stored::default());
        if self.checks.s8.is_none() {
            return;
        }
        for o in &outcomes {
            let slot = self
                .outcomes
                .entry((o.class_no.clone(), o.institution.clone()))
                .or_default();
            slot.0 += o.trainees;
            slot.1 += o.passed;
        }
        for c in &chunk.certificates {
            *self
                .assessor_days
                .entry((c.assessor.clone(), c.issue_date))
                .or_default() += 1;
        }
        for c in chunk.claims.iter().filter(|c| c.deployment.is_none()) {
            if let Some(inst) = &c.institution {
                *self
                    .institution_months
                    .entry((inst.clone(), Month::of(c.applied_on)))
                    .or_default() += 1;
            }
        }
    }

    /// Whether the store must read the rosters class by class (S7).
    pub fn wants_rosters(&self) -> bool {
        self.checks.s7.is_some()
    }

    /// A chunk of whole 班级编号: every enrolment of each (S7).
    pub fn rosters(&mut self, enrolments: Vec<EnrolmentIn>) {
        let checks = only(self.checks, |a, c| c.s7 = a.s7.clone());
        let batch = Batch {
            enrolments,
            ..Batch::default()
        };
        self.run(checks, &batch, &Stored::default());
    }

    /// What S8 reads whole once every person chunk is in.
    pub fn later(&self) -> Later {
        let Some(s8) = &self.checks.s8 else {
            return Later::default();
        };
        Later {
            assessor_days: self
                .assessor_days
                .iter()
                .filter(|(_, n)| s08_institution::above_daily_max(&s8.params, **n as usize))
                .map(|(k, _)| k.clone())
                .collect(),
            institution_months: s08_institution::anomalous_months(
                &s8.params,
                &self.institution_months,
            ),
        }
    }

    fn s8(&self) -> Checks {
        only(self.checks, |a, c| c.s8 = a.s8.clone())
    }

    /// Every certificate of the assessor-days [`FullScan::later`] named
    /// (others are ignored).
    pub fn assessor_days(&mut self, certificates: &[CertificateIn]) {
        let wanted: BTreeSet<(String, NaiveDate)> =
            self.later().assessor_days.into_iter().collect();
        let batch = Batch {
            certificates: certificates
                .iter()
                .filter(|c| wanted.contains(&(c.assessor.clone(), c.issue_date)))
                .cloned()
                .collect(),
            ..Batch::default()
        };
        self.run(self.s8(), &batch, &Stored::default());
    }

    /// Every claim of the institutions [`FullScan::later`] named; only
    /// those of the named months are checked, against the counts of the
    /// other months.
    pub fn institution_claims(&mut self, claims: &[ClaimIn]) {
        let wanted: BTreeSet<(String, Month)> =
            self.later().institution_months.into_iter().collect();
        let key = |c: &ClaimIn| {
            c.institution
                .clone()
                .filter(|_| c.deployment.is_none())
                .map(|i| (i, Month::of(c.applied_on)))
        };
        let fresh: Vec<ClaimIn> = claims
            .iter()
            .filter(|c| key(c).is_some_and(|k| wanted.contains(&k)))
            .cloned()
            .collect();
        let mut stored = Stored {
            monthly_claims: self.institution_months.clone(),
            ..Stored::default()
        };
        for c in &fresh {
            if let Some(n) = key(c).and_then(|k| stored.monthly_claims.get_mut(&k)) {
                *n = n.saturating_sub(1);
            }
        }
        let batch = Batch {
            claims: fresh,
            ..Batch::default()
        };
        self.run(self.s8(), &batch, &stored);
    }

    /// Every finding, once, in the order of the checks.
    pub fn finish(mut self) -> Vec<Hit> {
        let outcomes = std::mem::take(&mut self.outcomes)
            .into_iter()
            .map(
                |((class_no, institution), (trainees, passed))| ClassOutcome {
                    class_no,
                    institution,
                    trainees,
                    passed,
                },
            )
            .collect();
        let batch = Batch {
            outcomes,
            ..Batch::default()
        };
        self.run(self.s8(), &batch, &Stored::default());
        let mut hits = super::dedup(self.hits);
        hits.sort_by_key(|h| h.check);
        hits
    }
}

#[cfg(test)]
#[path = "scan_tests.rs"]
mod tests;
