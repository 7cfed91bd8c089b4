//! The public certificate lookup (证书查询), and the read paths of its own
//! that serve it: direct on SQLite, a typed pool on PostgreSQL.
//!
//! The lookup is the one query the public can send without logging in, at
//! whatever rate the limiter lets through. Through sqlx every SQLite query
//! is several hand-offs between the tokio thread and the connection's own
//! worker thread, each a futex wake and a context switch; those, not the
//! query (two index probes, microseconds), were most of its cost
//! (docs/scale.md § Public lookup). So on SQLite the lookup runs on the
//! calling thread, on a small set of its own connections to the same file
//! (`query_only`), opened through rusqlite over the same libsqlite3.
//!
//! On PostgreSQL it runs on a small typed pool of its own (`PgReader`).
//!
//! It reads the live database, like every other query: nothing is cached,
//! so a certificate another process imports a moment ago is found. WAL
//! readers do not wait for the writer; should a read still fail (a busy
//! moment during recovery, a file gone), it falls back to the pool.

use crate::claims::scoped::has_nul;
use crate::row::Typed;
use crate::{Store, StoreError};
use chrono::NaiveDate;
use jineng_domain::NationalId;
use jineng_domain::national_id::mask_id;
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

/// A certificate as the public lookup shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateCheck {
    pub name: String,
    /// Always masked.
    pub id_number: String,
    pub cert_no: String,
    pub cert_type: String,
    pub occupation_name: String,
    pub skill_level: Option<i64>,
    pub issue_date: NaiveDate,
    pub issuer: String,
}

/// What the public lookup is keyed by besides the name.
#[derive(Debug, Clone)]
pub enum CertificateKey {
    CertNo(String),
    IdNumber(NationalId),
}

/// The lookup's query; `{cond}` is the key's condition on `$2`.
fn lookup_sql(cond: &str) -> String {
    format!(
        "SELECT p.name, p.id_number, ce.cert_no, ce.cert_type, COALESCE(o.name, '') AS occ, ce.skill_level, \
         ce.issue_date, COALESCE(i.name, ce.issuer_code) AS issuer \
         FROM certificates ce JOIN persons p ON p.person_id = ce.person_id \
         LEFT JOIN occupations o ON o.code = ce.occupation_code \
         LEFT JOIN institutions i ON i.credit_code = ce.issuer_code \
         WHERE p.name = $1 AND {cond} ORDER BY ce.issue_date, ce.cert_no LIMIT 20"
    )
}

const BY_CERT_NO: &str = "ce.cert_no = $2";
const BY_ID_NUMBER: &str = "p.id_number = $2";

/// Connections kept open between reads; more are opened under a burst and
/// closed after it.
const IDLE_CONNECTIONS: usize = 8;

/// Read connections of its own to the SQLite file, used on the caller's
/// thread.
pub(crate) struct SqliteReader {
    path: PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
}

impl SqliteReader {
    /// A reader for the file of this `sqlite:` URL; `None` for an
    /// in-memory database, which no second connection can see.
    pub(crate) fn for_url(url: &str) -> Option<SqliteReader> {
        use std::str::FromStr;
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(url).ok()?;
        let path = options.get_filename().to_path_buf();
        if url.contains("mode=memory") || path.as_os_str() == ":memory:" {
            return None;
        }
        Some(SqliteReader {
            path,
            idle: Mutex::new(Vec::new()),
        })
    }

    pub(crate) fn path(&self) -> &std::path::Path {
        &self.path
    }

    fn open(&self) -> rusqlite::Result<rusqlite::Connection> {
        use rusqlite::OpenFlags;
        // Read-write without create rather than read-only: a read-only
        // connection to a WAL database cannot always map its index file.
        // `query_only` refuses any write on it.
        let conn = rusqlite::Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // Kept short: the wait would hold a runtime thread. WAL readers only
        // wait during recovery, and then the read falls back to the pool.
        conn.busy_timeout(Duration::from_millis(5))?;
        conn.pragma_update(None, "query_only", true)?;
        Ok(conn)
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        self.with_direct(f)
    }

    /// Runs `f` on an idle connection (or a new one), then keeps it unless
    /// `f` failed; `f`'s error may be its own (the supervision scan's
    /// conversions, `supervision::rows`).
    pub(crate) fn with_direct<T, E: From<rusqlite::Error>>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        let idle = self.idle.lock().ok().and_then(|mut v| v.pop());
        let conn = match idle {
            Some(c) => c,
            None => self.open()?,
        };
        let out = f(&conn);
        if out.is_ok()
            && let Ok(mut v) = self.idle.lock()
            && v.len() < IDLE_CONNECTIONS
        {
            v.push(conn);
        }
        out
    }

    /// Closes the idle connections (the store is closing).
    pub(crate) fn close(&self) {
        if let Ok(mut v) = self.idle.lock() {
            v.clear();
        }
    }

    fn check_certificate(
        &self,
        name: &str,
        cond: &str,
        key: &str,
    ) -> rusqlite::Result<Vec<CertificateCheck>> {
        self.with(|conn| {
            let mut stmt = conn.prepare_cached(&lookup_sql(cond))?;
            let rows = stmt.query_map(&[("$1", name), ("$2", key)], |r| {
                Ok(CertificateCheck {
                    name: r.get("name")?,
                    id_number: mask_id(&r.get::<_, String>("id_number")?),
                    cert_no: r.get("cert_no")?,
                    cert_type: r.get("cert_type")?,
                    occupation_name: r.get("occ")?,
                    skill_level: r.get("skill_level")?,
                    issue_date: {
                        let s: String = r.get("issue_date")?;
                        NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|e| {
                            rusqlite::Error::FromSqlConversionFailure(
                                0,
                                rusqlite::types::Type::Text,
                                Box::new(e),
                            )
                        })?
                    },
                    issuer: r.get("issuer")?,
                })
            })?;
            rows.collect()
        })
    }
}

/// PostgreSQL: the lookup on a small typed pool of its own. The `Any`
/// driver converts every row into its own value type before the getters
/// read it, and routes each bind through its own argument type; on the one
/// query the public may send at any rate that is a measurable share of the
/// server's work (docs/scale.md § Public lookup). Few connections: on a
/// database server's cores, more backends than cores only switch.
#[derive(Clone, Debug)]
pub(crate) struct PgReader {
    pool: sqlx::postgres::PgPool,
}

/// Connections of the typed lookup pool.
const PG_READER_CONNECTIONS: u32 = 4;

impl PgReader {
    /// A pool for `url` that connects on first use.
    pub(crate) fn lazy(url: &str) -> Result<PgReader, sqlx::Error> {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(PG_READER_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(60))
            .test_before_acquire(false)
            .connect_lazy(url)?;
        Ok(PgReader { pool })
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }

    async fn check_certificate(
        &self,
        name: &str,
        cond: &str,
        key: &str,
    ) -> Result<Vec<CertificateCheck>, sqlx::Error> {
        let rows = sqlx::query(AssertSqlSafe(lookup_sql(cond)))
            .bind(name)
            .bind(key)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(CertificateCheck {
                    name: r.try_get("name")?,
                    id_number: mask_id(r.try_get::<&str, _>("id_number")?),
                    cert_no: r.try_get("cert_no")?,
                    cert_type: r.try_get("cert_type")?,
                    occupation_name: r.try_get("occ")?,
                    skill_level: r.try_get("skill_level")?,
                    issue_date: crate::row::parse_day(
                        "issue_date",
                        r.try_get::<&str, _>("issue_date")?,
                    )?,
                    issuer: r.try_get("issuer")?,
                })
            })
            .collect()
    }
}

impl Store {
    /// The public certificate lookup: certificates of the person of this
    /// name with this certificate number or ID number. The ID is masked.
    pub async fn check_certificate(
        &self,
        name: &str,
        key: &CertificateKey,
    ) -> Result<Vec<CertificateCheck>, StoreError> {
        if has_nul(name) || matches!(key, CertificateKey::CertNo(no) if has_nul(no)) {
            return Ok(Vec::new());
        }
        let (cond, key) = match key {
            CertificateKey::CertNo(no) => (BY_CERT_NO, no.trim()),
            CertificateKey::IdNumber(id) => (BY_ID_NUMBER, id.as_str()),
        };
        let name = name.trim();
        if let Some(reader) = self.reader() {
            match reader.check_certificate(name, cond, key) {
                Ok(rows) => return Ok(rows),
                Err(e) => tracing::debug!("direct SQLite read failed, using the pool: {e}"),
            }
        }
        if let Some(reader) = self.pg_reader() {
            return Ok(reader.check_certificate(name, cond, key).await?);
        }
        let rows = sqlx::query(AssertSqlSafe(lookup_sql(cond)))
            .bind(name)
            .bind(key)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(CertificateCheck {
                    name: r.try_get("name")?,
                    id_number: mask_id(&r.try_get::<String, _>("id_number")?),
                    cert_no: r.try_get("cert_no")?,
                    cert_type: r.try_get("cert_type")?,
                    occupation_name: r.try_get("occ")?,
                    skill_level: r.try_get("skill_level")?,
                    issue_date: r.day("issue_date")?,
                    issuer: r.try_get("issuer")?,
                })
            })
            .collect()
    }
}
