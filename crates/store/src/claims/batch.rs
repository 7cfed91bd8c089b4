//! Running a decide or approve batch chunk by chunk, each chunk of persons
//! in its own transaction.
//!
//! On PostgreSQL a chunk locks its persons' rows (`FOR UPDATE`) and reads
//! their facts under the lock; two chunks run side by side, each on its own
//! connection. On SQLite the write lock (`BEGIN IMMEDIATE`)
//! serialises writers, so the facts of the next chunk are read ahead on a
//! second connection while this chunk is decided and written: WAL lets the
//! reader run beside the writer, and the two use both cores. Facts read
//! ahead are used only if no other connection has committed since: the
//! writer's `PRAGMA data_version` is the same at the start of the next
//! transaction as at the start of this one (its own commits do not change
//! it, and nobody else can commit while it holds the lock). Otherwise the
//! chunk is read again under the lock. Chunks hold disjoint persons, and a
//! decision reads only its own person's claims, so a chunk's writes never
//! change the next chunk's facts.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use chrono::NaiveDate;
use jineng_domain::ClaimStatus;
use sqlx::Connection;

use super::decide::{DecideSummary, Job, Mode, decide_chunk, lock_persons};
use super::facts::{self, Classes, Loaded};
use crate::audit::Actor;
use crate::policy::PolicySet;
use crate::{Backend, Store, StoreError};

/// Persons decided per transaction unless set otherwise
/// ([`Store::set_decide_chunk`]).
pub(crate) const DECIDE_CHUNK: usize = 2000;

/// Chunks decided at once on PostgreSQL.
const WORKERS: usize = 2;

/// Attempts at a chunk that lost a write conflict.
const ATTEMPTS: u32 = 8;

impl Store {
    /// Persons decided per transaction by a batch (at least one): fewer
    /// hold each person's lock for less time beside officers at work, more
    /// go faster.
    pub fn set_decide_chunk(&mut self, persons: usize) {
        self.decide_chunk = persons.max(1);
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) async fn process(
        &self,
        policies: &PolicySet,
        only: Option<&[String]>,
        mode: Mode,
        note: Option<&str>,
        today: NaiveDate,
        actor: &Actor,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<DecideSummary, StoreError> {
        let statuses: &'static [ClaimStatus] = match (mode, only.is_some()) {
            (Mode::Decide, _) => &[ClaimStatus::Submitted],
            (Mode::Approve, false) => &[ClaimStatus::Eligible],
            (Mode::Approve, true) => &[ClaimStatus::Eligible, ClaimStatus::Review],
        };
        // Statuses before the batch: a named claim it will not take is
        // refused with the reason.
        let known = match only {
            Some(only) => self.claims_named(only).await?,
            None => Default::default(),
        };
        let persons = self.persons_with(only, statuses).await?;
        let job = Job {
            policies,
            wanted: only.map(|o| o.iter().map(String::as_str).collect::<HashSet<_>>()),
            statuses,
            mode,
            note,
            today,
            actor,
        };
        let chunks: Vec<&[i64]> = persons.chunks(self.decide_chunk).collect();
        let mut summary = DecideSummary::default();
        if self.backend() == Backend::Sqlite && chunks.len() > 1 {
            self.read_ahead(&job, &chunks, &mut summary, progress)
                .await?;
        } else if self.backend() == Backend::Postgres && chunks.len() > 1 {
            self.side_by_side(&job, &chunks, &mut summary, progress)
                .await?;
        } else {
            let mut classes = Classes::default();
            for chunk in &chunks {
                summary.absorb(self.chunk_retrying(&job, chunk, &mut classes).await?);
                progress(summary.decided);
            }
        }
        if let Some(only) = only {
            for c in only {
                let why = match known.get(c) {
                    None => "没有这个申领编号".to_string(),
                    Some(st) if statuses.contains(st) => continue,
                    Some(st) => match mode {
                        Mode::Decide => format!("状态为「{}」，只决定已提交的申领", st.as_zh()),
                        Mode::Approve => format!("状态为「{}」，不能核准", st.as_zh()),
                    },
                };
                summary.refused.push((c.clone(), why));
            }
        }
        match mode {
            Mode::Decide => {
                crate::metrics::decided(summary.approved, summary.rejected, summary.review)
            }
            Mode::Approve => crate::metrics::approved(summary.approved, summary.amount_fen),
        }
        Ok(summary)
    }

    /// PostgreSQL: [`WORKERS`] chunks at once, each in its own transaction
    /// on its own connection, so that the server decides and writes on
    /// several cores. Chunks hold disjoint persons, so their locks never
    /// meet; only the audit chain's head is taken by one at a time, last,
    /// just before the commit.
    async fn side_by_side(
        &self,
        job: &Job<'_>,
        chunks: &[&[i64]],
        summary: &mut DecideSummary,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<(), StoreError> {
        let next = AtomicUsize::new(0);
        let decided = AtomicU64::new(0);
        let worker = || async {
            let mut classes = Classes::default();
            let mut mine = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(chunk) = chunks.get(i) else { break };
                let s = self.chunk_retrying(job, chunk, &mut classes).await?;
                progress(decided.fetch_add(s.decided, Ordering::Relaxed) + s.decided);
                mine.push((i, s));
            }
            Ok::<_, StoreError>(mine)
        };
        let mut done = Vec::with_capacity(chunks.len());
        for mine in futures_util::future::join_all((0..WORKERS).map(|_| worker())).await {
            done.extend(mine?);
        }
        // In chunk order, as one worker would have listed the refusals.
        done.sort_unstable_by_key(|(i, _)| *i);
        for (_, s) in done {
            summary.absorb(s);
        }
        Ok(())
    }

    /// A chunk, again while it loses a write conflict.
    async fn chunk_retrying(
        &self,
        job: &Job<'_>,
        persons: &[i64],
        classes: &mut Classes,
    ) -> Result<DecideSummary, StoreError> {
        let mut attempt = 0;
        loop {
            match self.one_chunk(job, persons, classes).await {
                Err(e) if e.is_transient_conflict() && attempt < ATTEMPTS => attempt += 1,
                done => return done,
            }
        }
    }

    /// A chunk in its own transaction, its facts read under the lock.
    async fn one_chunk(
        &self,
        job: &Job<'_>,
        persons: &[i64],
        classes: &mut Classes,
    ) -> Result<DecideSummary, StoreError> {
        let mut tx = self.begin().await?;
        if self.backend() == Backend::Postgres {
            lock_persons(&mut tx, persons).await?;
        }
        let loaded = facts::load(&mut tx, persons, classes).await?;
        let summary = decide_chunk(&mut tx, job, persons, loaded).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// SQLite: every chunk on one writer connection, the next chunk's facts
    /// read meanwhile on a second one (see the module docs).
    async fn read_ahead(
        &self,
        job: &Job<'_>,
        chunks: &[&[i64]],
        summary: &mut DecideSummary,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<(), StoreError> {
        let mut writer = self.pool().acquire().await?;
        let mut reader = self.pool().acquire().await?;
        let (mut writer_classes, mut reader_classes) = (Classes::default(), Classes::default());
        // The next chunk's facts and the writer's data_version when read.
        let mut ahead: Option<(Loaded, i64)> = None;
        for (i, chunk) in chunks.iter().enumerate() {
            let next = chunks.get(i + 1).copied();
            let mut attempt = 0;
            loop {
                let mut tx = writer.begin_with("BEGIN IMMEDIATE").await?;
                let version: i64 = sqlx::query_scalar("PRAGMA data_version")
                    .fetch_one(&mut *tx)
                    .await?;
                let loaded = match ahead.take() {
                    Some((loaded, read_at)) if read_at == version => loaded,
                    stale => {
                        tracing::debug!(
                            chunk = i,
                            stale = stale.is_some(),
                            "reading under the lock"
                        );
                        facts::load(&mut tx, chunk, &mut writer_classes).await?
                    }
                };
                let this = async {
                    let s = decide_chunk(&mut tx, job, chunk, loaded).await?;
                    tx.commit().await?;
                    Ok::<_, StoreError>(s)
                };
                let read_next = async {
                    match next {
                        Some(n) => facts::load(&mut reader, n, &mut reader_classes).await.ok(),
                        None => None,
                    }
                };
                let (done, read) = futures_util::join!(this, read_next);
                match done {
                    Ok(s) => {
                        summary.absorb(s);
                        ahead = read.map(|loaded| (loaded, version));
                        break;
                    }
                    Err(e) if e.is_transient_conflict() && attempt < ATTEMPTS => attempt += 1,
                    Err(e) => return Err(e),
                }
            }
            progress(summary.decided);
        }
        Ok(())
    }
}
