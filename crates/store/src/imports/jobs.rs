//! The web's upload jobs (migration 0046): one row per upload with its
//! progress, outcome, warnings and listed row errors, and the error reports
//! as written (`import_job_reports`), so that all of it survives a restart.
//! A job is seen only by the account that uploaded it. A job records the
//! process running it (`host:pid`, as import batches): one still
//! 'running' whose process is gone is marked 'stopped' at startup, and a
//! stopping server marks its own (docs/operations.md).
use crate::imports::stale::{gone, this_process};
use crate::row::Typed;
use crate::sql::{Val, bind_all};
use crate::{Store, StoreError};
use jineng_domain::access::Scope;
use jineng_domain::{ImportJobStatus, Stamp};
use sqlx::{AssertSqlSafe, Row};

/// How many jobs an account keeps; older finished ones go with their
/// reports when it uploads another.
pub const KEEP_JOBS: i64 = 200;

/// A new upload.
#[derive(Debug, Clone)]
pub struct NewImportJob<'a> {
    pub account_id: i64,
    pub scope: &'a Scope,
    pub kind: &'a str,
    pub file_name: &'a str,
    pub dry_run: bool,
}

/// One job as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportJobRow {
    pub job_id: i64,
    pub account_id: i64,
    pub kind: String,
    pub file_name: String,
    pub dry_run: bool,
    pub status: ImportJobStatus,
    pub rows_done: i64,
    pub rows_total: i64,
    pub accepted: i64,
    pub rejected: i64,
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    /// Why the file could not be imported at all.
    pub failure: Option<String>,
    /// Why the job stopped before its end.
    pub note: Option<String>,
    /// JSON list of strings.
    pub warnings: String,
    /// JSON list of `{row, column, message}`.
    pub errors: String,
    pub errors_truncated: bool,
    pub batch_id: Option<i64>,
    /// UTC, RFC 3339.
    pub created_at: Stamp,
    pub finished_at: Option<Stamp>,
}

/// How a job ended well enough to report: its counts, what it listed and
/// the error reports' bytes by format (`xlsx`, `csv`).
#[derive(Debug, Clone, Default)]
pub struct ImportJobOutcome {
    pub accepted: i64,
    pub rejected: i64,
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub warnings: String,
    pub errors: String,
    pub errors_truncated: bool,
    pub batch_id: Option<i64>,
    pub reports: Vec<(String, Vec<u8>)>,
}

/// A page of an account's jobs: filters, a whitelisted order, the page.
#[derive(Debug, Clone, Default)]
pub struct ImportJobQuery {
    /// A template kind, or "" for all.
    pub kind: String,
    /// A status, or `None` for all.
    pub status: Option<ImportJobStatus>,
    /// "started" (by id), "file", or "kind" (in the order of `kind_order`).
    pub sort: String,
    pub descending: bool,
    /// The kinds in the order their titles sort (the page shows titles).
    pub kind_order: Vec<String>,
    pub offset: i64,
    pub limit: i64,
}

const COLUMNS: &str = "job_id, account_id, kind, file_name, dry_run, status, rows_done, \
    rows_total, accepted, rejected, inserted, updated, unchanged, failure, note, warnings, \
    errors, errors_truncated, batch_id, created_at, finished_at";

fn row_of(r: &sqlx::any::AnyRow) -> Result<ImportJobRow, sqlx::Error> {
    Ok(ImportJobRow {
        job_id: r.try_get("job_id")?,
        account_id: r.try_get("account_id")?,
        kind: r.try_get("kind")?,
        file_name: r.try_get("file_name")?,
        dry_run: r.try_get::<i64, _>("dry_run")? != 0,
        status: r.code("status", ImportJobStatus::from_code)?,
        rows_done: r.try_get("rows_done")?,
        rows_total: r.try_get("rows_total")?,
        accepted: r.try_get("accepted")?,
        rejected: r.try_get("rejected")?,
        inserted: r.try_get("inserted")?,
        updated: r.try_get("updated")?,
        unchanged: r.try_get("unchanged")?,
        failure: r.try_get("failure")?,
        note: r.try_get("note")?,
        warnings: r.try_get("warnings")?,
        errors: r.try_get("errors")?,
        errors_truncated: r.try_get::<i64, _>("errors_truncated")? != 0,
        batch_id: r.try_get("batch_id")?,
        created_at: r.stamp("created_at")?,
        finished_at: r.opt_stamp("finished_at")?,
    })
}

/// The scope as recorded: `region:371502`, `institution:7`, ….
fn scope_text(scope: &Scope) -> String {
    match scope {
        Scope::Region(r) => format!("region:{}", r.as_str()),
        Scope::Institution(i) => format!("institution:{i}"),
        Scope::Person(p) => format!("person:{p}"),
        Scope::Enterprise(c) => format!("enterprise:{}", c.as_str()),
        Scope::Jurisdiction => "jurisdiction".into(),
    }
}

/// A job that was marked stopped: its id, kind and file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoppedJob {
    pub job_id: i64,
    pub kind: String,
    pub file_name: String,
}

impl Store {
    /// Records a new running job of this process; returns its id (unique
    /// across restarts: the table's key). The account's oldest finished
    /// jobs beyond [`KEEP_JOBS`] go, with their reports.
    pub async fn create_import_job(&self, new: &NewImportJob<'_>) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO import_jobs (account_id, scope, kind, file_name, dry_run, owner, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'running', $7) RETURNING job_id",
        )
        .bind(new.account_id)
        .bind(scope_text(new.scope))
        .bind(new.kind)
        .bind(new.file_name)
        .bind(i64::from(new.dry_run))
        .bind(this_process())
        .bind(crate::audit::now())
        .fetch_one(&mut *tx)
        .await?;
        let old = "SELECT job_id FROM import_jobs WHERE account_id = $1 AND status <> 'running' \
                   AND job_id <= (SELECT job_id FROM import_jobs WHERE account_id = $1 \
                   ORDER BY job_id DESC LIMIT 1 OFFSET $2)";
        for table in ["import_job_reports", "import_jobs"] {
            sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE job_id IN ({old})"
            )))
            .bind(new.account_id)
            .bind(KEEP_JOBS)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Saves a running job's progress (the caller writes it at most every
    /// few hundred milliseconds).
    pub async fn import_job_progress(
        &self,
        job_id: i64,
        done: u64,
        total: u64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE import_jobs SET rows_done = $1, rows_total = $2 WHERE job_id = $3 AND status = 'running'",
        )
        .bind(i64::try_from(done).unwrap_or(i64::MAX))
        .bind(i64::try_from(total).unwrap_or(i64::MAX))
        .bind(job_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Marks a job done with its outcome and reports, in one transaction.
    pub async fn finish_import_job(
        &self,
        job_id: i64,
        rows_done: u64,
        o: &ImportJobOutcome,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE import_jobs SET status = 'done', rows_done = $1, accepted = $2, rejected = $3, \
             inserted = $4, updated = $5, unchanged = $6, warnings = $7, errors = $8, \
             errors_truncated = $9, batch_id = $10, finished_at = $11 WHERE job_id = $12",
        )
        .bind(i64::try_from(rows_done).unwrap_or(i64::MAX))
        .bind(o.accepted)
        .bind(o.rejected)
        .bind(o.inserted)
        .bind(o.updated)
        .bind(o.unchanged)
        .bind(&o.warnings)
        .bind(&o.errors)
        .bind(i64::from(o.errors_truncated))
        .bind(o.batch_id)
        .bind(crate::audit::now())
        .bind(job_id)
        .execute(&mut *tx)
        .await?;
        for (format, bytes) in &o.reports {
            sqlx::query(
                "INSERT INTO import_job_reports (job_id, format, bytes) VALUES ($1, $2, $3)",
            )
            .bind(job_id)
            .bind(format)
            .bind(bytes.as_slice())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Marks a job failed ([`ImportJobStatus::Failed`]) or stopped (any
    /// other status: [`ImportJobStatus::Stopped`]) with its message.
    pub async fn end_import_job(
        &self,
        job_id: i64,
        status: ImportJobStatus,
        message: &str,
    ) -> Result<(), StoreError> {
        let (status, column) = if status == ImportJobStatus::Failed {
            ("failed", "failure")
        } else {
            ("stopped", "note")
        };
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE import_jobs SET status = '{status}', {column} = $1, finished_at = $2 \
             WHERE job_id = $3 AND status = 'running'"
        )))
        .bind(message)
        .bind(crate::audit::now())
        .bind(job_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The job `job_id` if `account_id` uploaded it.
    pub async fn import_job(
        &self,
        job_id: i64,
        account_id: i64,
    ) -> Result<Option<ImportJobRow>, StoreError> {
        let r = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM import_jobs WHERE job_id = $1 AND account_id = $2"
        )))
        .bind(job_id)
        .bind(account_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(r.as_ref().map(row_of).transpose()?)
    }

    /// An error report of the job (`xlsx` or `csv`) if `account_id`
    /// uploaded it and it has one.
    pub async fn import_job_report(
        &self,
        job_id: i64,
        account_id: i64,
        format: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT r.bytes FROM import_job_reports r JOIN import_jobs j ON j.job_id = r.job_id \
             WHERE r.job_id = $1 AND j.account_id = $2 AND r.format = $3",
        )
        .bind(job_id)
        .bind(account_id)
        .bind(format)
        .fetch_optional(self.pool())
        .await?)
    }

    /// One page of the account's jobs and how many match.
    pub async fn import_jobs_of(
        &self,
        account_id: i64,
        q: &ImportJobQuery,
    ) -> Result<(Vec<ImportJobRow>, i64), StoreError> {
        let mut vals = vec![Val::int(account_id)];
        let mut cond = "account_id = $1".to_string();
        if !q.kind.is_empty() {
            vals.push(Val::text(q.kind.clone()));
            cond.push_str(&format!(" AND kind = ${}", vals.len()));
        }
        if let Some(status) = q.status {
            vals.push(Val::text(status.code()));
            cond.push_str(&format!(" AND status = ${}", vals.len()));
        }
        let total: i64 = bind_all(
            sqlx::query(AssertSqlSafe(format!(
                "SELECT COUNT(*) AS n FROM import_jobs WHERE {cond}"
            ))),
            &vals,
        )
        .fetch_one(self.pool())
        .await?
        .try_get("n")?;
        let dir = if q.descending { "DESC" } else { "ASC" };
        let order = match q.sort.as_str() {
            "file" => format!("file_name {dir}, "),
            "kind" => {
                let mut case = String::from("CASE kind");
                for k in &q.kind_order {
                    vals.push(Val::text(k.clone()));
                    case.push_str(&format!(" WHEN ${} THEN {}", vals.len(), vals.len()));
                }
                format!("{case} ELSE 0 END {dir}, ")
            }
            _ => String::new(),
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM import_jobs WHERE {cond} ORDER BY {order}job_id {dir} LIMIT {} OFFSET {}",
            q.limit.max(0),
            q.offset.max(0)
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_all(self.pool())
            .await?;
        let rows = rows.iter().map(row_of).collect::<Result<Vec<_>, _>>()?;
        Ok((rows, total))
    }

    /// Marks 'stopped' the running jobs whose process is gone (a killed
    /// server); returns them.
    pub async fn stop_stale_import_jobs(&self) -> Result<Vec<StoppedJob>, StoreError> {
        self.stop_jobs(
            "导入进程已终止，任务未完成（已写入的部分保留，重新上传该文件即可补全）",
            gone,
        )
        .await
    }

    /// Marks 'stopped' the running jobs of this process (a server stopping
    /// before its imports finished).
    pub async fn stop_own_import_jobs(&self, note: &str) -> Result<Vec<StoppedJob>, StoreError> {
        let me = this_process();
        self.stop_jobs(note, |owner| owner == Some(me.as_str()))
            .await
    }

    async fn stop_jobs(
        &self,
        note: &str,
        stop: impl Fn(Option<&str>) -> bool,
    ) -> Result<Vec<StoppedJob>, StoreError> {
        let rows = sqlx::query(
            "SELECT job_id, kind, file_name, owner FROM import_jobs WHERE status = 'running' ORDER BY job_id",
        )
        .fetch_all(self.pool())
        .await?;
        let mut stopped = Vec::new();
        for r in rows {
            let owner: Option<String> = r.try_get("owner")?;
            if !stop(owner.as_deref()) {
                continue;
            }
            let job = StoppedJob {
                job_id: r.try_get("job_id")?,
                kind: r.try_get("kind")?,
                file_name: r.try_get("file_name")?,
            };
            self.end_import_job(job.job_id, ImportJobStatus::Stopped, note)
                .await?;
            stopped.push(job);
        }
        Ok(stopped)
    }
}
