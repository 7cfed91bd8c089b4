//! The import pipeline: read a template file in chunks, parse every row, write
//! each chunk in one transaction (a row is never half-written; a killed
//! import keeps its finished chunks and a re-run completes it), and report
//! rejected rows with their row, column and reason.

use crate::columns::ColumnMap;
use crate::parse::{self, ParseCtx};
use crate::reader::{ReadError, Row, TableReader};
use crate::report::{ReportError, ReportWriter, RowError};
use crate::scope::ScopeKeys;
use crate::templates::{TemplateSpec, template};
use chrono::NaiveDate;
use jineng_domain::access::Scope;
use jineng_domain::records::*;
use jineng_store::{Actor, BatchSummary, ImportBatch, RowOutcome, Store, StoreError};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How an import runs.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub dry_run: bool,
    /// Where to write the error report (.xlsx or .csv) for the user to fix.
    pub errors_path: Option<PathBuf>,
    /// Further copies of the error report, e.g. a `.csv` beside the `.xlsx`.
    pub extra_errors_paths: Vec<PathBuf>,
    /// The uploading account's scope: rows reaching outside it are
    /// rejected (不在您的管理范围内). `None`: the whole jurisdiction.
    pub scope: Option<Scope>,
    pub actor: Actor,
    pub today: NaiveDate,
    /// Rows per transaction.
    pub chunk_rows: usize,
}

/// The result of one import.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub accepted: u64,
    pub rejected: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// The first errors (at most [`MAX_LISTED_ERRORS`]); the report file has all.
    pub errors: Vec<RowError>,
    pub errors_truncated: bool,
    pub warnings: Vec<String>,
    pub encoding: String,
    pub dry_run: bool,
    /// Cases the supervision checks opened for the rows this import wrote
    /// (roster, classes, certificates, claims, watchlist, sessions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supervision: Option<jineng_store::ScanCounts>,
    /// How long those checks took (`jineng bench supervise`).
    #[serde(skip)]
    pub supervision_seconds: Option<f64>,
    /// The batch this import wrote (none for a dry run).
    #[serde(skip)]
    pub batch_id: Option<i64>,
}

pub const MAX_LISTED_ERRORS: usize = 10_000;

/// Cells read ahead in one chunk, whatever `chunk_rows` says.
const MAX_CHUNK_CELLS: usize = 500_000;

/// The templates whose rows the supervision checks read.
const SUPERVISED_KINDS: [&str; 6] = [
    "classes",
    "roster",
    "certificates",
    "claims",
    "watchlist",
    "sessions",
];

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(
        "未知的模板类型「{0}」，可用：persons、categories、relations、institutions、classes、roster、certificates、claims、regions、watchlist、inspectors、sessions"
    )]
    UnknownKind(String),
    #[error("{0}")]
    Read(#[from] ReadError),
    #[error("文件 {file} 表头有误：{}", .errors.join("；"))]
    Header { file: String, errors: Vec<String> },
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Report(#[from] ReportError),
    #[error("读取文件 {0} 失败：{1}")]
    Io(String, std::io::Error),
}

/// A record kind: how its rows are parsed and written.
trait Kind: Sized + ScopeKeys {
    fn parse(ctx: ParseCtx, map: &ColumnMap, row: &Row) -> Result<Self, Vec<RowError>>;
    async fn write(
        store: &Store,
        batch: &ImportBatch,
        rows: &[(u64, Self)],
    ) -> Result<Vec<(u64, RowOutcome)>, StoreError>;
}

macro_rules! kind {
    ($rec:ty, $parse:path, $write:ident) => {
        impl Kind for $rec {
            fn parse(ctx: ParseCtx, map: &ColumnMap, row: &Row) -> Result<Self, Vec<RowError>> {
                $parse(ctx, map, row)
            }
            async fn write(
                store: &Store,
                batch: &ImportBatch,
                rows: &[(u64, Self)],
            ) -> Result<Vec<(u64, RowOutcome)>, StoreError> {
                store.$write(batch, rows).await
            }
        }
    };
}
kind!(PersonRecord, parse::person, import_persons);
kind!(CategoryRecord, parse::category, import_categories);
kind!(RelationRecord, parse::relation, import_relations);
kind!(InstitutionRecord, parse::institution, import_institutions);
kind!(ClassRecord, parse::class, import_classes);
kind!(RosterRecord, parse::roster, import_roster);
kind!(CertificateRecord, parse::certificate, import_certificates);
kind!(ClaimRecord, parse::claim, import_claims);
kind!(RegionRecord, parse::region, import_regions);
kind!(
    jineng_domain::supervision::watchlist::WatchlistRecord,
    parse::watchlist,
    import_watchlist
);
kind!(
    jineng_domain::inspection::InspectorRecord,
    parse::inspector,
    import_inspectors
);
kind!(
    jineng_domain::supervision::session::SessionRecord,
    parse::session,
    import_sessions
);

/// Imports `path` as template `kind`. `progress` is called with the number of
/// rows done after each chunk.
pub async fn import_file(
    store: &Store,
    kind: &str,
    path: &Path,
    opts: &ImportOptions,
    progress: &dyn Fn(u64),
) -> Result<ImportReport, ImportError> {
    let spec = template(kind).ok_or_else(|| ImportError::UnknownKind(kind.to_string()))?;
    match spec.kind {
        "persons" => run::<PersonRecord>(store, spec, path, opts, progress).await,
        "categories" => run::<CategoryRecord>(store, spec, path, opts, progress).await,
        "relations" => run::<RelationRecord>(store, spec, path, opts, progress).await,
        "institutions" => run::<InstitutionRecord>(store, spec, path, opts, progress).await,
        "classes" => run::<ClassRecord>(store, spec, path, opts, progress).await,
        "roster" => run::<RosterRecord>(store, spec, path, opts, progress).await,
        "certificates" => run::<CertificateRecord>(store, spec, path, opts, progress).await,
        "claims" => run::<ClaimRecord>(store, spec, path, opts, progress).await,
        "regions" => run::<RegionRecord>(store, spec, path, opts, progress).await,
        "watchlist" => {
            use jineng_domain::supervision::watchlist::WatchlistRecord;
            run::<WatchlistRecord>(store, spec, path, opts, progress).await
        }
        "inspectors" => {
            use jineng_domain::inspection::InspectorRecord;
            run::<InspectorRecord>(store, spec, path, opts, progress).await
        }
        "sessions" => {
            use jineng_domain::supervision::session::SessionRecord;
            run::<SessionRecord>(store, spec, path, opts, progress).await
        }
        other => Err(ImportError::UnknownKind(other.to_string())),
    }
}

fn file_sha256(path: &Path) -> Result<String, ImportError> {
    let io = |e| ImportError::Io(path.display().to_string(), e);
    let mut f = std::fs::File::open(path).map_err(io)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// A chunk read and parsed ahead of its write.
struct Parsed<K> {
    raw: Vec<Row>,
    records: Vec<(u64, K)>,
    failed: Vec<(usize, Vec<RowError>)>,
}

/// Rejected rows of a chunk: the row's index in the chunk, and its errors.
type Failed = Vec<(usize, Vec<RowError>)>;

async fn run<K: Kind + Send + 'static>(
    store: &Store,
    spec: &TemplateSpec,
    path: &Path,
    opts: &ImportOptions,
    progress: &dyn Fn(u64),
) -> Result<ImportReport, ImportError> {
    let reader = TableReader::open(path, spec.title)?;
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    let (map, warnings) =
        ColumnMap::resolve(spec, reader.headers()).map_err(|errors| ImportError::Header {
            file: file.clone(),
            errors,
        })?;
    let refdata = Arc::new(store.ref_data().await?);
    let mut report_files = opts
        .errors_path
        .iter()
        .chain(&opts.extra_errors_paths)
        .map(|p| ReportWriter::create(p, reader.headers()))
        .collect::<Result<Vec<_>, _>>()?;
    let mut report = ImportReport {
        warnings,
        encoding: reader.encoding().to_string(),
        dry_run: opts.dry_run,
        ..Default::default()
    };
    let batch = store
        .start_batch(
            spec.kind,
            &file,
            &file_sha256(path)?,
            &opts.actor,
            opts.dry_run,
        )
        .await?;
    // Reading and parsing run on a blocking thread, a chunk or two ahead of
    // the writes: the import then takes about as long as its writes alone.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Parsed<K>, ReadError>>(2);
    let (today, chunk_rows) = (opts.today, opts.chunk_rows);
    let producer = tokio::task::spawn_blocking(move || {
        let ctx = ParseCtx {
            refdata: &refdata,
            today,
        };
        read_ahead(reader, &map, ctx, chunk_rows, &tx);
    });
    let mut summary = BatchSummary::default();
    let mut done = 0u64;
    while let Some(parsed) = rx.recv().await {
        let Parsed {
            raw,
            mut records,
            mut failed,
        } = parsed?;
        if let Some(scope) = &opts.scope {
            records = drop_out_of_scope(store, scope, records, &raw, &mut failed).await?;
        }
        summary.rejected += failed.len() as u64;
        let outcomes = write_retrying(store, &batch, &records).await?;
        take_outcomes(outcomes, &raw, &mut summary, &mut failed);
        list_failures(failed, &raw, &mut report_files, &mut report)?;
        done += raw.len() as u64;
        progress(done);
    }
    producer
        .await
        .map_err(|e| ImportError::Io(file.clone(), std::io::Error::other(e.to_string())))?;
    store.finish_batch(&batch, &summary).await?;
    // A new roster (or list, or claim) is checked at once against what it
    // touches (docs/supervision.md).
    if let Some(id) = batch.id
        && SUPERVISED_KINDS.contains(&spec.kind)
    {
        let t = std::time::Instant::now();
        report.supervision = Some(store.supervise_import(id).await?);
        report.supervision_seconds = Some(t.elapsed().as_secs_f64());
    }
    for w in report_files {
        w.finish()?;
    }
    report.batch_id = batch.id;
    report.accepted = summary.accepted();
    report.rejected = summary.rejected;
    report.inserted = summary.inserted;
    report.updated = summary.updated;
    report.unchanged = summary.unchanged;
    Ok(report)
}

/// The reading thread: reads the file a chunk at a time, parses each row,
/// and sends the chunk to the writer, until the file ends, a read fails or
/// the writer has stopped.
fn read_ahead<K: Kind>(
    mut reader: TableReader,
    map: &ColumnMap,
    ctx: ParseCtx,
    chunk_rows: usize,
    tx: &tokio::sync::mpsc::Sender<Result<Parsed<K>, ReadError>>,
) {
    loop {
        let mut raw: Vec<Row> = Vec::with_capacity(chunk_rows);
        let mut cells = 0usize;
        for row in reader.by_ref() {
            match row {
                Ok(r) => {
                    cells += r.cells.len();
                    raw.push(r);
                }
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            }
            // Wide rows make smaller chunks: memory follows the cells.
            if raw.len() == chunk_rows || cells >= MAX_CHUNK_CELLS {
                break;
            }
        }
        if raw.is_empty() {
            return;
        }
        let mut records = Vec::with_capacity(raw.len());
        let mut failed = Vec::new();
        for (i, row) in raw.iter().enumerate() {
            match K::parse(ctx, map, row) {
                Ok(r) => records.push((row.number, r)),
                Err(e) => failed.push((i, e)),
            }
        }
        let parsed = Parsed {
            raw,
            records,
            failed,
        };
        if tx.blocking_send(Ok(parsed)).is_err() {
            return; // the writer stopped on an error
        }
    }
}

/// Writes a chunk in one transaction. Two uploads of overlapping files may
/// insert the same new key at once; the loser's chunk is rolled back whole
/// and written again, now seeing the winner's rows.
async fn write_retrying<K: Kind>(
    store: &Store,
    batch: &ImportBatch,
    records: &[(u64, K)],
) -> Result<Vec<(u64, RowOutcome)>, ImportError> {
    let mut attempt = 0;
    loop {
        match K::write(store, batch, records).await {
            Err(e) if e.is_transient_conflict() && attempt < 8 => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(20 << attempt.min(5))).await;
            }
            other => return Ok(other?),
        }
    }
}

/// Counts a chunk's outcomes, and moves the rows the store refused to
/// `failed` with their reasons.
fn take_outcomes(
    outcomes: Vec<(u64, RowOutcome)>,
    raw: &[Row],
    summary: &mut BatchSummary,
    failed: &mut Failed,
) {
    for (row_no, outcome) in outcomes {
        summary.count(&outcome);
        if let RowOutcome::Rejected(rs) = outcome {
            let i = raw
                .binary_search_by_key(&row_no, |r| r.number)
                .expect("outcome for a row of this chunk");
            let errs = rs
                .into_iter()
                .map(|r| RowError {
                    row: row_no,
                    column: r.column,
                    message: r.message,
                })
                .collect();
            failed.push((i, errs));
        }
    }
}

/// Writes a chunk's rejected rows to the error reports, in row order, and
/// lists the first of them in the import's report.
fn list_failures(
    mut failed: Failed,
    raw: &[Row],
    report_files: &mut [ReportWriter],
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    failed.sort_by_key(|(i, _)| *i);
    for (i, errs) in failed {
        for w in report_files.iter_mut() {
            w.add(&raw[i], &errs)?;
        }
        for e in errs {
            if report.errors.len() < MAX_LISTED_ERRORS {
                report.errors.push(e);
            } else {
                report.errors_truncated = true;
            }
        }
    }
    Ok(())
}

/// Moves the records that reach outside `scope` to `failed`.
async fn drop_out_of_scope<K: Kind>(
    store: &Store,
    scope: &Scope,
    records: Vec<(u64, K)>,
    raw: &[Row],
    failed: &mut Failed,
) -> Result<Vec<(u64, K)>, ImportError> {
    let keys: Vec<_> = records.iter().map(|(n, r)| (*n, r.scope_keys())).collect();
    let outside: std::collections::HashMap<u64, _> = store
        .out_of_scope(scope, &keys)
        .await?
        .into_iter()
        .collect();
    if outside.is_empty() {
        return Ok(records);
    }
    let mut kept = Vec::with_capacity(records.len());
    for (n, r) in records {
        match outside.get(&n) {
            Some(why) => {
                let i = raw
                    .binary_search_by_key(&n, |r| r.number)
                    .expect("a record of this chunk");
                failed.push((
                    i,
                    vec![RowError {
                        row: n,
                        column: why.column.clone(),
                        message: why.message.clone(),
                    }],
                ));
            }
            None => kept.push((n, r)),
        }
    }
    Ok(kept)
}
