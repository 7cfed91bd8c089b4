//! The full scan, read in chunks of whole keys (docs/supervision.md,
//! `jineng_domain::supervision::scan`): the classes and the list entries of
//! registered persons once; then the persons in ranges of `person_id`
//! (every per-person table has it first in its key), each range with its
//! enrolments, certificates, claims and sessions, and its share of the list
//! entries; then the rosters in chunks of whole 班级编号; then the few
//! assessor-days and institutions S8 flags. Memory holds the classes, the
//! list entries, one chunk and a few counts per class, assessor-day and
//! institution-month. On SQLite the rows are read through rusqlite
//! (`rows`).
//!
//! [`ScanMode::Whole`] reads every row into one batch, as before chunking;
//! it stays as the reference the chunked scan is tested against.
//! [`Store::bench_plain_scan`] runs the chunked scan's statements and only
//! counts the rows (`jineng bench supervise`).

use std::collections::BTreeMap;
use std::time::Instant;

use jineng_domain::supervision::inputs::{CertificateIn, ClaimIn, EnrolmentIn, OnlineSession};
use jineng_domain::supervision::{Batch, FullScan, Hit, Stored, Supervision};
use sqlx::Row;

use super::ahead::read_ahead;
use super::inputs::{self, Filter, WATCHLIST_OF_PERSONS};
#[cfg(feature = "bench")]
use super::inputs::{CERTIFICATES, ENROLMENTS};
use crate::{Store, StoreError};

/// Where a full scan's time went, phase by phase, logged at debug level
/// (`JINENG_LOG=jineng_store=debug`): what to look at when it is slow.
#[derive(Debug)]
struct Phases {
    last: Instant,
    spent: BTreeMap<&'static str, f64>,
}

impl Default for Phases {
    fn default() -> Self {
        Phases {
            last: Instant::now(),
            spent: BTreeMap::new(),
        }
    }
}

impl Phases {
    fn lap(&mut self, phase: &'static str) {
        let now = Instant::now();
        *self.spent.entry(phase).or_default() += (now - self.last).as_secs_f64();
        self.last = now;
    }

    fn add(&mut self, phase: &'static str, seconds: f64) {
        *self.spent.entry(phase).or_default() += seconds;
    }

    fn report(&self) {
        for (phase, s) in &self.spent {
            tracing::debug!(phase, seconds = format!("{s:.2}"), "supervision scan");
        }
    }
}

/// How a full scan reads the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanMode {
    /// Every row in one batch (small registries; the reference in tests).
    Whole,
    /// `persons` person keys a chunk, and about as many enrolments a
    /// roster chunk.
    Chunked { persons: i64 },
}

impl Default for ScanMode {
    fn default() -> Self {
        ScanMode::Chunked { persons: 20_000 }
    }
}

/// The person ranges `lo..hi` of a chunked scan.
async fn person_ranges(store: &Store, per: i64) -> Result<Vec<(i64, i64)>, StoreError> {
    let (lo, hi): (Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT MIN(person_id), MAX(person_id) FROM persons")
            .fetch_one(store.pool())
            .await?;
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return Ok(Vec::new());
    };
    let per = per.max(1);
    Ok((lo..=hi)
        .step_by(per as usize)
        .map(|a| (a, (a + per).min(hi + 1)))
        .collect())
}

/// The class ids of each 班级编号, cut into chunks of whole 班级编号 of
/// about `per` enrolments (classes counted at 50 trainees).
async fn roster_chunks(store: &Store, per: i64) -> Result<Vec<Vec<i64>>, StoreError> {
    let rows = sqlx::query("SELECT class_id, class_no FROM classes")
        .fetch_all(store.pool())
        .await?;
    let mut by_no: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for r in &rows {
        by_no
            .entry(r.try_get("class_no")?)
            .or_default()
            .push(r.try_get("class_id")?);
    }
    let classes_per_chunk = (per / 50).max(1) as usize;
    let mut out: Vec<Vec<i64>> = Vec::new();
    let mut cur: Vec<i64> = Vec::new();
    for ids in by_no.into_values() {
        cur.extend(ids);
        if cur.len() >= classes_per_chunk {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

/// The rows of the persons `lo..hi` a chunk of the scan checks, but for
/// their list entries (read once for all).
struct PersonChunk {
    hi: i64,
    enrolled: Vec<(EnrolmentIn, bool)>,
    certificates: Vec<CertificateIn>,
    claims: Vec<ClaimIn>,
    sessions: Vec<OnlineSession>,
}

async fn read_persons(store: Store, (lo, hi): (i64, i64)) -> Result<PersonChunk, StoreError> {
    let r = |col| Filter::Range(col, lo, hi);
    let mut claims = inputs::claims(&store, r("k.person_id")).await?;
    // Other deployments' payments matched to these persons (S6).
    claims.extend(super::federation::foreign_claims(&store, r("p.person_id")).await?);
    Ok(PersonChunk {
        hi,
        enrolled: inputs::enrolments(&store, r("e.person_id")).await?,
        certificates: inputs::certificates(&store, r("t.person_id")).await?,
        claims,
        sessions: super::sessions::sessions(&store, r("p.person_id")).await?,
    })
}

impl Store {
    /// Every enabled check over the whole registry, read as `mode` says;
    /// each finding once, nothing recorded.
    pub async fn scan_hits(
        &self,
        sup: &Supervision,
        mode: ScanMode,
    ) -> Result<Vec<Hit>, StoreError> {
        let per = match mode {
            ScanMode::Whole => {
                let batch = inputs::everything(self).await?;
                return Ok(sup.checks.run(&batch, &Stored::default()));
            }
            ScanMode::Chunked { persons } => persons,
        };
        let mut scan = FullScan::new(&sup.checks);
        let mut clock = Phases::default();
        scan.classes(inputs::classes(self, Filter::All).await?);
        // Few beside the enrolments, and keyed by ID number: read once.
        let mut listed = inputs::watch_rows(self, WATCHLIST_OF_PERSONS, Filter::All).await?;
        listed.sort_by_key(|(pid, ..)| *pid);
        let mut listed = listed.into_iter().peekable();
        clock.lap("classes and lists");
        let mut chunks = read_ahead(self, person_ranges(self, per).await?, read_persons);
        while let Some(chunk) = chunks.recv().await {
            let (c, read_s) = chunk?;
            clock.lap("person chunks: waiting for reads");
            clock.add("person chunks: reads (beside the checks)", read_s);
            let mut mine = Vec::new();
            while let Some(row) = listed.next_if(|(pid, ..)| pid.is_some_and(|p| p < c.hi)) {
                mine.push(row);
            }
            let (watchlist, insurance) = inputs::split_watchlist(mine);
            scan.persons(Batch {
                outcomes: inputs::outcomes(&c.enrolled),
                enrolments: c.enrolled.into_iter().map(|(e, _)| e).collect(),
                certificates: c.certificates,
                claims: c.claims,
                sessions: c.sessions,
                watchlist,
                insurance,
                ..Batch::default()
            });
            clock.lap("person chunks: checks");
        }
        if scan.wants_rosters() {
            let mut chunks = read_ahead(
                self,
                roster_chunks(self, per).await?,
                |store, ids| async move {
                    inputs::enrolments(&store, Filter::Ids("e.class_id", &ids)).await
                },
            );
            while let Some(chunk) = chunks.recv().await {
                let (rows, read_s) = chunk?;
                clock.lap("rosters: waiting for reads");
                clock.add("rosters: reads (beside the checks)", read_s);
                scan.rosters(rows.into_iter().map(|(e, _)| e).collect());
                clock.lap("rosters: checks");
            }
        }
        let later = scan.later();
        let mut assessors: Vec<String> =
            later.assessor_days.iter().map(|(a, _)| a.clone()).collect();
        assessors.dedup();
        if !assessors.is_empty() {
            let certs =
                inputs::certificates(self, Filter::Keys("t.issuer_code", &assessors)).await?;
            scan.assessor_days(&certs);
        }
        let insts = later.institutions();
        if !insts.is_empty() {
            let claims = inputs::claims(self, Filter::Keys("i.credit_code", &insts)).await?;
            scan.institution_claims(&claims);
        }
        clock.lap("S8 keys");
        let hits = scan.finish();
        clock.lap("finish");
        clock.report();
        Ok(hits)
    }

    /// The rows a chunked scan reads, read by the same statements and only
    /// counted: the baseline of `jineng bench supervise`.
    #[cfg(feature = "bench")]
    pub async fn bench_plain_scan(&self, mode: ScanMode) -> Result<u64, StoreError> {
        let per = match mode {
            ScanMode::Whole => 1_000_000_000,
            ScanMode::Chunked { persons } => persons,
        };
        let claims = inputs::claims_sql();
        let mut n = inputs::count(self, inputs::CLASSES, Filter::All).await?;
        n += inputs::count(self, WATCHLIST_OF_PERSONS, Filter::All).await?;
        for (lo, hi) in person_ranges(self, per).await? {
            n += inputs::count(self, ENROLMENTS, Filter::Range("e.person_id", lo, hi)).await?;
            n += inputs::count(self, CERTIFICATES, Filter::Range("t.person_id", lo, hi)).await?;
            n += inputs::count(self, &claims, Filter::Range("k.person_id", lo, hi)).await?;
        }
        for ids in roster_chunks(self, per).await? {
            n += inputs::count(self, ENROLMENTS, Filter::Ids("e.class_id", &ids)).await?;
        }
        Ok(n)
    }

    /// The rows the incremental check of import batch `batch_id` reads,
    /// read and only counted: the batch's enrolments, the stored
    /// enrolments, list entries and claims of its persons, and the rosters
    /// of its classes (the baseline of `jineng bench supervise`).
    #[cfg(feature = "bench")]
    pub async fn bench_plain_incremental(&self, batch_id: i64) -> Result<u64, StoreError> {
        let rows = super::rows::fetch_map(
            self,
            ENROLMENTS,
            Filter::Batch("e.batch_id", batch_id),
            |r| Ok((r.text("id_number")?, r.text("class_no")?)),
        )
        .await?;
        let (mut persons, mut classes): (Vec<String>, Vec<String>) = rows.iter().cloned().unzip();
        persons.sort();
        persons.dedup();
        classes.sort();
        classes.dedup();
        let claims = inputs::claims_sql();
        let mut n = rows.len() as u64;
        n += inputs::count(self, ENROLMENTS, Filter::Keys("p.id_number", &persons)).await?;
        n += inputs::count(self, ENROLMENTS, Filter::Keys("c.class_no", &classes)).await?;
        n += inputs::count(
            self,
            inputs::WATCHLIST,
            Filter::Keys("w.id_number", &persons),
        )
        .await?;
        n += inputs::count(self, &claims, Filter::Keys("p.id_number", &persons)).await?;
        Ok(n)
    }

    /// The last import batch.
    #[cfg(feature = "bench")]
    pub async fn bench_last_batch(&self) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT MAX(batch_id) FROM import_batches")
                .fetch_one(self.pool())
                .await?,
        )
    }
}
