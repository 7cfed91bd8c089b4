//! The store: the only place SQL lives. One code path for SQLite (the
//! embedded default) and PostgreSQL, through sqlx's `Any` driver; the backend
//! is chosen by the URL. Dates are stored as ISO text and money as integer
//! fen; rows are read into the domain's types (dates, [`Stamp`](jineng_domain::Stamp)s, status
//! enums, ID numbers) in `row.rs`.

mod accounts;
mod audit;
mod backup;
mod claims;
mod classes;
mod credentials;
mod dialect;
pub mod distribution;
mod error;
mod imports;
mod institutions;
mod learning;
mod ledger;
mod lookup;
pub mod metrics;
mod persons;
mod planning;
mod policy;
mod read_rows;
mod reference;
mod replica;
mod row;
mod schema;
mod secret_file;
mod sort;
mod sql;
mod supervision;
mod vouchers;
mod whatif;

pub use crate::accounts::admin::{AccountRow, TokenRow};
pub use crate::accounts::list::{AccountQuery, AccountSort};
pub use crate::accounts::{DEFAULT_TOKEN_DAYS, NewAccount, UserAccount};
pub use crate::audit::Actor;
pub use crate::audit::keys::{AuditKey, key_id_in as audit_key_id_in, key_path as audit_key_path};
pub use crate::audit::verify::AuditVerify;
pub use crate::audit::view::{AuditQuery, AuditRow, mask_ids};
pub use crate::claims::filing::{ClaimRequest, Filed, claimant_of};
pub use crate::claims::list::{ClaimQuery, ClaimSort, id_digits};
pub use crate::claims::mass::{BatchKind, BatchPreview, BatchRun, FundShare};
pub use crate::claims::scoped::{ClaimRow, Figures, FundLine};
pub use crate::classes::pages::{
    CLASS_STATUSES, ClassDetail, ClassEvent, ClassQuery, ClassRosterLine, ClassSort, ClassSummary,
    ROSTER_LINES,
};
pub use crate::classes::roster::{Attendance, IMPERSONATION, Roster, RosterClass, RosterLine};
pub use crate::imports::batch::{BatchSummary, ImportBatch, Rejection, RowOutcome};
pub use crate::imports::jobs::{
    ImportJobOutcome, ImportJobQuery, ImportJobRow, KEEP_JOBS, NewImportJob, StoppedJob,
};
pub use crate::imports::records::certificate_type_name;
pub use crate::imports::scope::{OUT_OF_SCOPE, ScopeKey};
pub use crate::imports::stale::StoppedBatch;
pub use crate::institutions::pages::{
    CataloguePeriod, InstitutionQuery, InstitutionSort, InstitutionSummary,
};
pub use crate::ledger::view::PostingRow;
pub use crate::persons::archive::{
    Archive, ArchiveCategory, ArchiveCertificate, ArchiveClaim, ArchiveEnrolment, PersonHit,
    RegistryTable,
};
pub use crate::persons::bank_accounts::shown_account;
pub use crate::policy::jurisdiction::PayingBasis;
pub use crate::policy::{
    Chosen, PolicySet, PolicyVersion, SavedPolicy, StoredPolicy, version_label,
};
pub use crate::reference::{OccupationRow, RefData, RegionCounts, RegionRow};
pub use crate::whatif::draft::Draft;
pub use crate::whatif::{WhatIfPerson, WhatIfRun};
pub use backup::{BackupFacts, is_postgres_url, sqlite_path};
pub use claims::{ClaimDetail, ClaimLine, DecideSummary, EligibilityContext, PaySummary};
pub use claims::{
    Disbursement, DisbursementLine, PayBatchRow, PayLineRow, Reconciliation, ReturnLine,
    parse_line_id,
};
pub use claims::{ReplayFeed, ReplayScope};
pub use credentials::{
    CertificateStatus, Credentials, IssueReport, PrintableCertificate, RecordCertificate,
    Revocation, Selection, Subsidy, VerifyHit, VerifyKey, WorkerRecord, archive_subject,
    default_key_path, mask_name, revocation_category, verify_url,
};
pub use dialect::Backend;
pub use error::StoreError;
pub use learning::{
    BATCH_KIND as LEARNING_BATCH_KIND, CreditLine, CreditSource, CreditStatement, LearningRecord,
    PlatformClient, RefusedRow, ReportedQuery, ReportedRow, SessionInput, SessionLine,
    SessionReport, TrainingRecord,
};
pub use ledger::FundReport;
pub use lookup::{CertificateCheck, CertificateKey};
#[cfg(feature = "bench")]
pub use planning::BenchShape;
pub use planning::TaskReportInput;
pub use planning::{
    DashboardData, FactRow, PlanCounts, RefreshStats, StatisticRow, TaskReport, TaskView,
};
pub use replica::{WalPosition, replica_reads};
pub use schema::{MigrationFile, MigrationStatus, MigrationStep};
#[cfg(feature = "bench")]
pub use supervision::{BenchCounts, BenchRosterLine, SupervisionShape};
pub use supervision::{
    CaseCert, CaseClaim, CaseClass, CaseDetail, CaseInstitution, CaseListRow, CasePerson,
    CaseQuery, CaseSort, DrawInspector, DrawInstitution, PublishedDraw, PublishedRating,
    RatingPoint,
};
pub use supervision::{
    CaseRow, CaseStatusFilter, CloseReport, DrawRow, PaidClaim, RatingRow, ScanCounts, ScanMode,
    TagImport, TagMatch,
};
pub use vouchers::{
    FundCommit, IssueSummary, KindCount, LapseSummary, Redeemable, Redeemed, VOUCHER_SORTS,
    VoucherQuery, VoucherRow, VoucherTotals,
};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::sync::Arc;
use std::time::Duration;

/// How long a PostgreSQL connection may sit in the pool before it is
/// pinged on its way out.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(2);

/// A connected store.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite on a file: the public lookup's direct read path (`lookup`).
    reader: Option<Arc<lookup::SqliteReader>>,
    /// PostgreSQL: the public lookup's typed pool (`lookup`).
    pg_reader: Option<lookup::PgReader>,
    /// The audit chain's key (`audit_key`).
    audit_key: Option<crate::audit::keys::AuditKey>,
    /// Where the signing keys live unless configured (`credentials`).
    signing_key_path: Option<std::path::PathBuf>,
    /// The read replica, if any (`replica`).
    replica: Option<Arc<Store>>,
    /// This store is a replica: reads only, derived data is not rebuilt.
    is_replica: bool,
    /// PostgreSQL: the typed pool that COPYs import rows (`stage`).
    stager: Option<crate::imports::stage::Stager>,
    /// Persons decided per transaction by a batch (`claims::batch`).
    decide_chunk: usize,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish()
    }
}

impl Store {
    /// Connects to `sqlite://path.db` (created if missing) or `postgres://…`.
    /// An empty database gets the whole schema; any other must be exactly
    /// at this binary's migrations (else an error names `jineng migrate`,
    /// or refuses a newer or edited schema). Nothing else is applied.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let mut store = Store::open(url).await?;
        schema::prepare(&store).await?;
        store.open_audit_key(url).await?;
        Ok(store)
    }

    /// `jineng migrate`: records the checksums of migrations applied before
    /// they were kept, then applies the pending ones up to `upto` (all if
    /// `None`), calling `on_step` after each.
    pub async fn migrate(
        url: &str,
        upto: Option<i64>,
        on_step: &mut (dyn FnMut(&MigrationStep) + Send),
    ) -> Result<Vec<MigrationStep>, StoreError> {
        let store = Store::open(url).await?;
        let done = schema::migrate(&store, None, upto, on_step).await;
        store.close().await;
        done
    }

    /// `jineng migrate --check`: what the database lacks (refuses a newer
    /// or edited schema, as connecting does).
    pub async fn migration_status(url: &str) -> Result<MigrationStatus, StoreError> {
        let store = Store::open(url).await?;
        let mut conn = store.pool().acquire().await?;
        let status = schema::status(&mut conn, store.backend()).await;
        drop(conn);
        store.close().await;
        status
    }

    /// The migrations this binary carries.
    pub fn migration_files() -> Vec<MigrationFile> {
        schema::known()
    }

    /// Opens the pool; touches no table.
    async fn open(url: &str) -> Result<Store, StoreError> {
        install_default_drivers();
        let Some(backend) = Backend::from_url(url) else {
            return Err(StoreError::Config(format!(
                "不支持的数据库地址「{url}」：应为 sqlite://文件名.db 或 postgres://…"
            )));
        };
        let url = match url.strip_prefix("sqlite://") {
            Some(rest) if !rest.contains("mode=") => {
                let sep = if rest.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_string(),
        };
        let options = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 16 })
            .acquire_timeout(Duration::from_secs(60))
            // sqlx pings every connection before handing it out by default:
            // a second round trip on every short read (the public lookup,
            // docs/scale.md). An embedded file cannot drop a connection; a
            // server can, but only one that sat idle is likely to have been
            // dropped, so only those are pinged (and replaced if dead).
            .test_before_acquire(false)
            .before_acquire(move |conn, meta| {
                Box::pin(async move {
                    if backend == Backend::Postgres && meta.idle_for > IDLE_BEFORE_PING {
                        use sqlx::Connection;
                        return Ok(conn.ping().await.is_ok());
                    }
                    Ok(true)
                })
            })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the writer; the busy
                        // timeout makes concurrent writers queue instead of failing.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA busy_timeout = 30000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                        // 64 MiB of page cache keeps the indexes of a bulk import in memory.
                        conn.execute("PRAGMA cache_size = -65536").await?;
                        conn.execute("PRAGMA temp_store = MEMORY").await?;
                    }
                    Ok(())
                })
            });
        let pool = options.connect(&url).await?;
        let reader = match backend {
            Backend::Sqlite => lookup::SqliteReader::for_url(&url).map(Arc::new),
            Backend::Postgres => None,
        };
        let pg_reader = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(lookup::PgReader::lazy(&url)?),
        };
        let stager = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(crate::imports::stage::Stager::lazy(&url)?),
        };
        Ok(Store {
            pool,
            backend,
            reader,
            pg_reader,
            audit_key: None,
            signing_key_path: credentials::default_key_path(&url),
            replica: None,
            is_replica: false,
            stager,
            decide_chunk: claims::DECIDE_CHUNK,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The database file of a SQLite store; `None` for PostgreSQL and an
    /// in-memory database. Its directory is the data directory.
    pub fn sqlite_file(&self) -> Option<&std::path::Path> {
        self.reader.as_deref().map(lookup::SqliteReader::path)
    }

    /// Starts a write transaction (`Backend::begin_write`).
    pub(crate) async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.backend.begin_write() {
            Some(statement) => self.pool.begin_with(statement).await?,
            None => self.pool.begin().await?,
        })
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub(crate) fn reader(&self) -> Option<&lookup::SqliteReader> {
        self.reader.as_deref()
    }

    pub(crate) fn pg_reader(&self) -> Option<&lookup::PgReader> {
        self.pg_reader.as_ref()
    }

    /// SQLite: moves the write-ahead log into the database file and empties
    /// it, as happens in the background once writes settle. Benchmarks call
    /// it so that what they time does not depend on the log an import left.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_all(&self.pool)
                .await?;
        }
        Ok(())
    }

    pub async fn close(&self) {
        if let Some(r) = &self.reader {
            r.close();
        }
        if let Some(r) = &self.replica {
            r.pool.close().await;
            if let Some(p) = &r.pg_reader {
                p.close().await;
            }
        }
        if let Some(p) = &self.pg_reader {
            p.close().await;
        }
        self.pool.close().await;
        if let Some(s) = &self.stager {
            s.close().await;
        }
    }
}

/// Creates (or empties) the PostgreSQL database `name` on the server of
/// `server_url` and returns its URL. Tests and benchmarks use a fresh
/// database each.
pub async fn fresh_postgres_database(server_url: &str, name: &str) -> Result<String, StoreError> {
    let mut conn = drop_database(server_url, name).await?;
    conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await?;
    let base = match server_url.rfind('/') {
        Some(i) if i > "postgres://".len() => &server_url[..i],
        _ => server_url,
    };
    Ok(format!("{base}/{name}"))
}

/// Drops the PostgreSQL database `name` on the server of `server_url`.
pub async fn drop_postgres_database(server_url: &str, name: &str) -> Result<(), StoreError> {
    drop_database(server_url, name).await.map(drop)
}

/// Drops `name` and returns the server connection that did it.
async fn drop_database(server_url: &str, name: &str) -> Result<sqlx::AnyConnection, StoreError> {
    install_default_drivers();
    // The name is spliced into the statement: only plain identifiers.
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::Config(format!(
            "数据库名「{name}」只能包含字母、数字和下划线"
        )));
    }
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(server_url).await?;
    conn.execute(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .await?;
    Ok(conn)
}
