//! Import batches: one row per upload (also the audit record of the rows it
//! inserted), and the per-row outcome an import reports.

use crate::audit::{Actor, AuditEntry};
use crate::{Store, StoreError};
use jineng_domain::audit::{Action, Entity};
use serde::Serialize;

/// An upload in progress. `id` is `None` on a dry run, which writes nothing.
#[derive(Debug, Clone)]
pub struct ImportBatch {
    pub id: Option<i64>,
    pub kind: String,
    pub actor: Actor,
    /// PostgreSQL: where chunks are staged by COPY (`stage`).
    pub(crate) stager: Option<crate::imports::stage::Stager>,
}

impl ImportBatch {
    pub fn dry_run(&self) -> bool {
        self.id.is_none()
    }
}

/// Why a row was not written: which column (empty for the whole row) and
/// what is wrong, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    pub column: String,
    pub message: String,
}

impl Rejection {
    pub fn new(column: &str, message: impl Into<String>) -> Rejection {
        Rejection {
            column: column.to_string(),
            message: message.into(),
        }
    }
}

/// What happened to one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    Inserted,
    Updated,
    Unchanged,
    Rejected(Vec<Rejection>),
}

impl RowOutcome {
    /// A keyed row's new values against the stored ones (`None`: no row
    /// under its key yet).
    pub(crate) fn compared<T: PartialEq>(stored: Option<&T>, new: &T) -> RowOutcome {
        match stored {
            None => RowOutcome::Inserted,
            Some(s) if s == new => RowOutcome::Unchanged,
            Some(_) => RowOutcome::Updated,
        }
    }

    /// The outcome of a row that wrote several records.
    pub(crate) fn combine(outcomes: impl IntoIterator<Item = RowOutcome>) -> RowOutcome {
        let mut acc = RowOutcome::Unchanged;
        for o in outcomes {
            acc = match (acc, o) {
                (RowOutcome::Rejected(mut a), RowOutcome::Rejected(b)) => {
                    a.extend(b);
                    RowOutcome::Rejected(a)
                }
                (RowOutcome::Rejected(a), _) | (_, RowOutcome::Rejected(a)) => {
                    RowOutcome::Rejected(a)
                }
                (RowOutcome::Inserted, _) | (_, RowOutcome::Inserted) => RowOutcome::Inserted,
                (RowOutcome::Updated, _) | (_, RowOutcome::Updated) => RowOutcome::Updated,
                _ => RowOutcome::Unchanged,
            };
        }
        acc
    }
}

/// Counts of one import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BatchSummary {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
}

impl BatchSummary {
    pub fn count(&mut self, o: &RowOutcome) {
        match o {
            RowOutcome::Inserted => self.inserted += 1,
            RowOutcome::Updated => self.updated += 1,
            RowOutcome::Unchanged => self.unchanged += 1,
            RowOutcome::Rejected(_) => self.rejected += 1,
        }
    }
    pub fn accepted(&self) -> u64 {
        self.inserted + self.updated + self.unchanged
    }
}

impl Store {
    /// Opens an import batch; on a dry run nothing is written.
    pub async fn start_batch(
        &self,
        kind: &str,
        file_name: &str,
        file_sha256: &str,
        actor: &Actor,
        dry_run: bool,
    ) -> Result<ImportBatch, StoreError> {
        let id = if dry_run {
            None
        } else {
            let mut tx = self.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO import_batches (kind, file_name, file_sha256, actor, started_at, status, owner)
                 VALUES ($1, $2, $3, $4, $5, 'running', $6) RETURNING batch_id",
            )
            .bind(kind)
            .bind(file_name)
            .bind(file_sha256)
            .bind(actor.0.as_str())
            .bind(crate::audit::now())
            .bind(crate::imports::stale::this_process())
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Some(id)
        };
        Ok(ImportBatch {
            id,
            kind: kind.to_string(),
            actor: actor.clone(),
            stager: self.stager.clone(),
        })
    }

    /// Closes a batch with its counts and writes its audit record.
    pub async fn finish_batch(
        &self,
        batch: &ImportBatch,
        summary: &BatchSummary,
    ) -> Result<(), StoreError> {
        let Some(id) = batch.id else { return Ok(()) };
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE import_batches SET finished_at = $1, status = 'finished', inserted = $2, updated = $3,
             unchanged = $4, rejected = $5 WHERE batch_id = $6",
        )
        .bind(crate::audit::now())
        .bind(summary.inserted as i64)
        .bind(summary.updated as i64)
        .bind(summary.unchanged as i64)
        .bind(summary.rejected as i64)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let entry = AuditEntry::change(
            Action::Import,
            Entity::ImportBatch,
            id.to_string(),
            None,
            Some(&(&batch.kind, summary)),
        );
        crate::audit::write(&mut tx, &batch.actor, Some(id), &[entry]).await?;
        tx.commit().await?;
        self.analyze_after_load(&batch.kind, summary).await?;
        crate::metrics::imported(
            &batch.kind,
            summary.inserted + summary.updated + summary.unchanged,
            summary.rejected,
        );
        Ok(())
    }

    /// PostgreSQL plans by its statistics, and autovacuum gathers them a
    /// minute or more after a bulk load (or never, where it is off): until
    /// then a table of a million fresh rows still looks empty, and the
    /// batch decision's `person_id IN (…)` reads became sequential scans,
    /// 30× slower (docs/scale.md § Decisions on PostgreSQL). So a large
    /// import analyses the tables it wrote before it returns, as the
    /// PostgreSQL manual advises after populating a database.
    async fn analyze_after_load(
        &self,
        kind: &str,
        summary: &BatchSummary,
    ) -> Result<(), StoreError> {
        if self.backend() != crate::Backend::Postgres
            || summary.inserted + summary.updated < ANALYZE_AFTER_ROWS
        {
            return Ok(());
        }
        let tables = match kind {
            "persons" => "persons",
            "categories" => "person_categories",
            "relations" => "family_relations",
            "classes" => "classes",
            "roster" => "enrolments",
            "certificates" => "certificates",
            "claims" => "claims",
            _ => return Ok(()),
        };
        sqlx::query(sqlx::AssertSqlSafe(format!("ANALYZE {tables}")))
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

/// Rows an import must write before it analyses its tables (PostgreSQL's
/// own autovacuum threshold is 10 % of the table; this is a floor below
/// which the statistics cannot be far wrong).
const ANALYZE_AFTER_ROWS: u64 = 10_000;
