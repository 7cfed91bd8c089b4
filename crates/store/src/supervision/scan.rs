//! The full scan, read in chunks of whole keys (docs/supervision.md,
//! `jineng_domain::supervision::scan`): the classes once; then the persons
//! in ranges of `person_id` (every per-person table has it first in its
//! key), each range with its enrolments, certificates, claims and list
//! entries; then the rosters in chunks of whole 班级编号; then the few
//! assessor-days and institutions S8 flags. Memory holds the classes, one
//! chunk and a few counts per class, assessor-day and institution-month.
//!
//! [`ScanMode::Whole`] reads every row into one batch, as before chunking;
//! it stays as the reference the chunked scan is tested against.
//! [`Store::bench_plain_scan`] runs the chunked scan's statements and only
//! counts the rows (`jineng bench supervise`).

use std::collections::BTreeMap;

use jineng_domain::supervision::{Batch, FullScan, Hit, Stored, Supervision};
use sqlx::Row;

use super::inputs::{self, CERTIFICATES, ENROLMENTS, Filter, WATCHLIST_OF_PERSONS};
use crate::{Store, StoreError};

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
        scan.classes(inputs::classes(self, Filter::All).await?);
        for (lo, hi) in person_ranges(self, per).await? {
            let enrolled = inputs::enrolments(self, Filter::Range("e.person_id", lo, hi)).await?;
            let (watchlist, insurance) = inputs::watchlist_from(
                self,
                WATCHLIST_OF_PERSONS,
                Filter::Range("p.person_id", lo, hi),
            )
            .await?;
            scan.persons(Batch {
                outcomes: inputs::outcomes(&enrolled),
                enrolments: enrolled.into_iter().map(|(e, _)| e).collect(),
                certificates: inputs::certificates(self, Filter::Range("t.person_id", lo, hi))
                    .await?,
                claims: {
                    // Other deployments' payments matched to these persons (S6).
                    let mut claims =
                        inputs::claims(self, Filter::Range("k.person_id", lo, hi)).await?;
                    claims.extend(
                        super::federation::foreign_claims(
                            self,
                            Filter::Range("p.person_id", lo, hi),
                        )
                        .await?,
                    );
                    claims
                },
                sessions: super::sessions::sessions(self, Filter::Range("p.person_id", lo, hi))
                    .await?,
                watchlist,
                insurance,
                ..Batch::default()
            });
        }
        if scan.wants_rosters() {
            for ids in roster_chunks(self, per).await? {
                let rows = inputs::enrolments(self, Filter::Ids("e.class_id", &ids)).await?;
                scan.rosters(rows.into_iter().map(|(e, _)| e).collect());
            }
        }
        let later = scan.later();
        let assessors: Vec<String> = later.assessor_days.iter().map(|(a, _)| a.clone()).collect();
        let mut assessors = assessors;
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
        Ok(scan.finish())
    }

    /// The rows a chunked scan reads, read by the same statements and only
    /// counted: the baseline of `jineng bench supervise`.
    pub async fn bench_plain_scan(&self, mode: ScanMode) -> Result<u64, StoreError> {
        let per = match mode {
            ScanMode::Whole => 1_000_000_000,
            ScanMode::Chunked { persons } => persons,
        };
        let claims = inputs::claims_sql();
        let mut n = inputs::count(self, inputs::CLASSES, Filter::All).await?;
        for (lo, hi) in person_ranges(self, per).await? {
            n += inputs::count(self, ENROLMENTS, Filter::Range("e.person_id", lo, hi)).await?;
            n += inputs::count(
                self,
                WATCHLIST_OF_PERSONS,
                Filter::Range("p.person_id", lo, hi),
            )
            .await?;
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
    pub async fn bench_last_batch(&self) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT MAX(batch_id) FROM import_batches")
                .fetch_one(self.pool())
                .await?,
        )
    }
}
