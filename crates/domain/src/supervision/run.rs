//! Running every enabled check over one batch of new or changed rows: what
//! stored rows the batch needs ([`Batch::wanted`]), the indexes the store
//! fills with them ([`Stored`]), and [`Checks::run`]. A full scan is a batch
//! of every row with an empty `Stored`; an incremental check after an
//! import is a batch of the imported rows with the stored rows they touch.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::inputs::{
    CertificateIn, ClaimIn, ClassIn, ClassOutcome, EnrolmentIn, Index, InsuranceIn, Month,
    OnlineSession, WatchEntry,
};
use super::{
    Checks, Hit, dedup, s01_overlap, s02_daily_hours, s03_cert_timing, s04_watchlist, s05_insured,
    s06_duplicate, s07_shared_phone, s08_institution, s09_teacher, s10_online_rate,
};

/// The new or changed rows of one import, filing or decision (or every row,
/// for a full scan).
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub classes: Vec<ClassIn>,
    pub enrolments: Vec<EnrolmentIn>,
    pub certificates: Vec<CertificateIn>,
    pub claims: Vec<ClaimIn>,
    pub watchlist: Vec<WatchEntry>,
    pub insurance: Vec<InsuranceIn>,
    pub sessions: Vec<OnlineSession>,
    /// Results of the classes the batch touches (S8).
    pub outcomes: Vec<ClassOutcome>,
}

/// The stored rows a batch is compared with, loaded for [`Batch::wanted`].
#[derive(Debug, Clone, Default)]
pub struct Stored {
    /// S1, S4, S5: by person.
    pub enrolments_by_person: Index<EnrolmentIn>,
    /// S7: by 班级编号.
    pub enrolments_by_class: Index<EnrolmentIn>,
    pub watchlist_by_person: Index<WatchEntry>,
    pub insurance_by_person: Index<InsuranceIn>,
    /// S6: claims that are not refused, and other deployments' matched tags.
    pub claims_by_person: Index<ClaimIn>,
    /// S8: by [`s08_institution::assessor_day`].
    pub certificates_by_assessor_day: Index<CertificateIn>,
    /// S8: stored claims per institution and month of application.
    pub monthly_claims: BTreeMap<(String, Month), u32>,
    /// S9: by teacher ID number.
    pub classes_by_teacher: Index<ClassIn>,
    /// S10: by person.
    pub sessions_by_person: Index<OnlineSession>,
}

/// What to load into [`Stored`] for a batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wanted {
    /// Enrolments, list entries, insurance, claims and sessions of these persons.
    pub persons: BTreeSet<String>,
    /// Rosters of these classes.
    pub classes: BTreeSet<String>,
    /// Classes taught by these teachers.
    pub teachers: BTreeSet<String>,
    /// Certificates of these assessors on these days.
    pub assessor_days: BTreeSet<(String, NaiveDate)>,
    /// Claim counts of these institutions in these months (the batch's
    /// months and the baseline months before them).
    pub institution_months: BTreeSet<(String, Month)>,
}

impl Batch {
    /// The keys of the stored rows the enabled checks compare this batch with.
    pub fn wanted(&self, checks: &Checks) -> Wanted {
        let mut w = Wanted::default();
        let persons = self
            .enrolments
            .iter()
            .map(|e| &e.person)
            .chain(self.watchlist.iter().map(|x| &x.person))
            .chain(self.insurance.iter().map(|x| &x.person))
            .chain(self.claims.iter().map(|x| &x.person))
            .chain(self.sessions.iter().map(|x| &x.person));
        w.persons = persons.cloned().collect();
        if checks.s7.is_some() {
            w.classes = self.enrolments.iter().map(|e| e.class_no.clone()).collect();
        }
        if checks.s9.is_some() {
            w.teachers = self
                .classes
                .iter()
                .filter_map(|k| k.teacher.as_ref().map(|t| t.id.clone()))
                .collect();
        }
        if let Some(s8) = &checks.s8 {
            w.assessor_days = self
                .certificates
                .iter()
                .map(|c| (c.assessor.clone(), c.issue_date))
                .collect();
            for c in self.claims.iter().filter(|c| c.deployment.is_none()) {
                let Some(inst) = &c.institution else { continue };
                let month = Month::of(c.applied_on);
                for k in 0..=s8.params.monthly_baseline_months as i32 {
                    w.institution_months.insert((inst.clone(), month.plus(-k)));
                }
            }
        }
        w
    }
}

impl Stored {
    /// Indexes of the given rows, as the store would load them (for a small
    /// registry held in memory, and for tests).
    pub fn from_rows(rows: &Batch) -> Stored {
        let mut s = Stored {
            enrolments_by_person: Index::from_rows(rows.enrolments.iter().cloned(), |e| &e.person),
            enrolments_by_class: Index::from_rows(rows.enrolments.iter().cloned(), |e| &e.class_no),
            watchlist_by_person: Index::from_rows(rows.watchlist.iter().cloned(), |x| &x.person),
            insurance_by_person: Index::from_rows(rows.insurance.iter().cloned(), |x| &x.person),
            claims_by_person: Index::from_rows(rows.claims.iter().cloned(), |x| &x.person),
            classes_by_teacher: Index::from_rows(
                rows.classes.iter().filter(|k| k.teacher.is_some()).cloned(),
                s09_teacher::teacher_key,
            ),
            sessions_by_person: Index::from_rows(rows.sessions.iter().cloned(), |x| &x.person),
            ..Stored::default()
        };
        for c in &rows.certificates {
            let key = s08_institution::assessor_day(&c.assessor, c.issue_date);
            s.certificates_by_assessor_day.insert(&key, c.clone());
        }
        for c in rows.claims.iter().filter(|c| c.deployment.is_none()) {
            if let Some(inst) = &c.institution {
                *s.monthly_claims
                    .entry((inst.clone(), Month::of(c.applied_on)))
                    .or_default() += 1;
            }
        }
        s
    }
}

impl Checks {
    /// Every enabled check over a batch; each finding once.
    pub fn run(&self, batch: &Batch, stored: &Stored) -> Vec<Hit> {
        let mut hits = Vec::new();
        let b = batch;
        if let Some(c) = &self.s1 {
            hits.extend(s01_overlap::run(
                c,
                &b.enrolments,
                &stored.enrolments_by_person,
            ));
        }
        if let Some(c) = &self.s2 {
            hits.extend(s02_daily_hours::run(c, &b.classes, &b.enrolments));
        }
        if let Some(c) = &self.s3 {
            hits.extend(s03_cert_timing::run(c, &b.certificates));
        }
        let enrolments = (b.enrolments.as_slice(), &stored.enrolments_by_person);
        if let Some(c) = &self.s4 {
            let lists = (b.watchlist.as_slice(), &stored.watchlist_by_person);
            hits.extend(s04_watchlist::run(c, enrolments, lists));
        }
        if let Some(c) = &self.s5 {
            let insurance = (b.insurance.as_slice(), &stored.insurance_by_person);
            hits.extend(s05_insured::run(c, enrolments, insurance));
        }
        if let Some(c) = &self.s6 {
            hits.extend(s06_duplicate::run(c, &b.claims, &stored.claims_by_person));
        }
        if let Some(c) = &self.s7 {
            hits.extend(s07_shared_phone::run(
                c,
                &b.enrolments,
                &stored.enrolments_by_class,
            ));
        }
        if let Some(c) = &self.s8 {
            hits.extend(s08_institution::run_pass_rate(c, &b.outcomes));
            hits.extend(s08_institution::run_assessor_daily(
                c,
                &b.certificates,
                &stored.certificates_by_assessor_day,
            ));
            hits.extend(s08_institution::run_monthly(
                c,
                &b.claims,
                &stored.monthly_claims,
            ));
        }
        if let Some(c) = &self.s9 {
            hits.extend(s09_teacher::run(c, &b.classes, &stored.classes_by_teacher));
        }
        if let Some(c) = &self.s10 {
            hits.extend(s10_online_rate::run(
                c,
                &b.sessions,
                &stored.sessions_by_person,
            ));
        }
        dedup(hits)
    }
}

#[cfg(test)]
#[path = "run_tests.rs"]
pub(crate) mod tests;
