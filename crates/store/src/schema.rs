//! Migrations: numbered SQL files (crates/store/migrations/), each applied
//! once and recorded in `schema_migrations` with the SHA-256 of its text.
//! One text serves both backends; `{pk}` and `{blob}` are its tokens. A file whose
//! first line is `-- jineng:no-transaction` runs statement by statement
//! outside a transaction on PostgreSQL, so that `CREATE INDEX CONCURRENTLY`
//! does not block writers (SQLite, and a fresh database, drop the word and
//! run it in the transaction). What a database holds against this binary is
//! `state`; creating a fresh database and `jineng migrate` are `apply`
//! (docs/operations.md, Migrations).

mod apply;
mod state;

pub use apply::MigrationStep;
pub(crate) use apply::{migrate, prepare};
pub use state::{MigrationFile, MigrationStatus};
pub(crate) use state::{applied, tables};

use crate::Backend;
use sqlx::Executor;

/// The migrations this binary carries, with their checksums.
pub fn known() -> Vec<MigrationFile> {
    MIGRATIONS
        .iter()
        .map(|(version, name, sql)| MigrationFile {
            version: *version,
            file: state::file_name(*version, name),
            checksum: state::checksum(sql),
        })
        .collect()
}

/// A migration: (version, name, text); the file is `{version:04}_{name}.sql`.
pub(crate) type Migration = (i64, &'static str, &'static str);

/// In order. Numbers are not contiguous: parallel branches reserve theirs,
/// and a gap is never filled later (docs/operations.md).
const MIGRATIONS: &[Migration] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/0001_foundation.sql"),
    ),
    (
        2,
        "policy_claims",
        include_str!("../migrations/0002_policy_claims.sql"),
    ),
    (3, "ledger", include_str!("../migrations/0003_ledger.sql")),
    (
        4,
        "planning",
        include_str!("../migrations/0004_planning.sql"),
    ),
    (
        5,
        "claims_queue",
        include_str!("../migrations/0005_claims_queue.sql"),
    ),
    (6, "web", include_str!("../migrations/0006_web.sql")),
    (
        7,
        "class_review",
        include_str!("../migrations/0007_class_review.sql"),
    ),
    (
        11,
        "facts_watermark",
        include_str!("../migrations/0011_facts_watermark.sql"),
    ),
    (
        12,
        "token_last_use",
        include_str!("../migrations/0012_token_last_use.sql"),
    ),
    (
        13,
        "policy_versions",
        include_str!("../migrations/0013_policy_versions.sql"),
    ),
    (
        14,
        "months_and_plan",
        include_str!("../migrations/0014_months_and_plan.sql"),
    ),
    (
        15,
        "bank_payment",
        include_str!("../migrations/0015_bank_payment.sql"),
    ),
    (
        17,
        "supervision",
        include_str!("../migrations/0017_supervision.sql"),
    ),
    (
        18,
        "case_effects",
        include_str!("../migrations/0018_case_effects.sql"),
    ),
    (
        19,
        "federation_sessions",
        include_str!("../migrations/0019_federation_sessions.sql"),
    ),
    (
        21,
        "supervision_scan",
        include_str!("../migrations/0021_supervision_scan.sql"),
    ),
    (
        23,
        "claims_by_person",
        include_str!("../migrations/0023_claims_by_person.sql"),
    ),
    (
        24,
        "token_expiry_audit_key",
        include_str!("../migrations/0024_token_expiry_audit_key.sql"),
    ),
    (
        26,
        "list_indexes",
        include_str!("../migrations/0026_list_indexes.sql"),
    ),
    (
        30,
        "import_batch_keys",
        include_str!("../migrations/0030_import_batch_keys.sql"),
    ),
    (
        31,
        "credentials",
        include_str!("../migrations/0031_credentials.sql"),
    ),
    (
        32,
        "revocation_backfill",
        include_str!("../migrations/0032_revocation_backfill.sql"),
    ),
    (
        33,
        "learning_sessions",
        include_str!("../migrations/0033_learning_sessions.sql"),
    ),
    (
        37,
        "vouchers",
        include_str!("../migrations/0037_vouchers.sql"),
    ),
    (
        41,
        "batch_owner",
        include_str!("../migrations/0041_batch_owner.sql"),
    ),
    (
        42,
        "import_stage",
        include_str!("../migrations/0042_import_stage.sql"),
    ),
    (
        44,
        "facts_queue",
        include_str!("../migrations/0044_facts_queue.sql"),
    ),
    (
        45,
        "facts_indexes",
        include_str!("../migrations/0045_facts_indexes.sql"),
    ),
    (
        46,
        "import_jobs",
        include_str!("../migrations/0046_import_jobs.sql"),
    ),
    (
        48,
        "voucher_person_key",
        include_str!("../migrations/0048_voucher_person_key.sql"),
    ),
    (
        49,
        "audit_region",
        include_str!("../migrations/0049_audit_region.sql"),
    ),
];

/// Migrations whose file only SQLite applies (the file says why; PostgreSQL
/// may do its part in `after`).
const SQLITE_ONLY: &[i64] = &[23, 48];

fn dialect(sql: &str, backend: Backend) -> String {
    let (pk, blob) = match backend {
        Backend::Sqlite => ("INTEGER PRIMARY KEY", "BLOB"),
        Backend::Postgres => (
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            "BYTEA",
        ),
    };
    sql.replace("{pk}", pk).replace("{blob}", blob)
}

/// Migration 0048 on PostgreSQL: the vouchers' key becomes (person_id,
/// voucher_no) in place; the number keeps a unique index of its own, and
/// the ledger's reference to it moves onto that index.
async fn voucher_person_key(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    let fks: Vec<String> = sqlx::query_scalar(
        "SELECT conname::text FROM pg_constraint \
         WHERE contype = 'f' AND confrelid = 'vouchers'::regclass AND conrelid = 'ledger_tx'::regclass",
    )
    .fetch_all(&mut *conn)
    .await?;
    conn.execute("ALTER TABLE vouchers ADD CONSTRAINT vouchers_voucher_no_key UNIQUE (voucher_no)")
        .await?;
    for fk in fks {
        conn.execute(sqlx::AssertSqlSafe(format!(
            "ALTER TABLE ledger_tx DROP CONSTRAINT \"{}\"",
            fk.replace('"', "")
        )))
        .await?;
    }
    for statement in [
        "ALTER TABLE vouchers DROP CONSTRAINT vouchers_pkey",
        "ALTER TABLE vouchers ADD PRIMARY KEY (person_id, voucher_no)",
        "ALTER TABLE ledger_tx ADD FOREIGN KEY (voucher_no) REFERENCES vouchers(voucher_no)",
        "DROP INDEX IF EXISTS vouchers_person",
    ] {
        conn.execute(statement).await?;
    }
    Ok(())
}

/// What the database lacks against this binary (refuses a newer or edited
/// schema).
pub(crate) async fn status(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<MigrationStatus, crate::StoreError> {
    state::read(conn, backend, MIGRATIONS).await
}

/// Whether the database has the migrations' record table.
pub(crate) async fn has_migrations_table(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<bool, sqlx::Error> {
    state::has_table(conn, backend, "schema_migrations").await
}

/// The first line that marks a migration to run outside a transaction.
const NO_TRANSACTION: &str = "-- jineng:no-transaction";

fn no_transaction(sql: &str) -> bool {
    sql.lines()
        .next()
        .is_some_and(|l| l.trim() == NO_TRANSACTION)
}

/// Work in Rust that follows a migration, in its transaction.
async fn after(
    version: i64,
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<(), sqlx::Error> {
    if version == 6 {
        // Rows written before the chain existed join it in order.
        crate::audit::chain_unchained(conn, backend).await?;
    }
    if version == 24 {
        // Tokens issued before expiry existed run out like new ones.
        let expires = (chrono::Utc::now()
            + chrono::Duration::days(crate::accounts::DEFAULT_TOKEN_DAYS))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE expires_at IS NULL")
            .bind(expires)
            .execute(&mut *conn)
            .await?;
    }
    if version == 44 {
        // The triggers that queue the facts' stale cells (one text per
        // backend, so not in the migration's file).
        crate::planning::install_fact_triggers(conn, backend).await?;
    }
    if (version == 15 || version == 37) && backend == Backend::Postgres {
        // The rebuilt ledger_tx kept its ids; its identity must go on
        // after them.
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('ledger_tx', 'tx_id'), \
             (SELECT COALESCE(MAX(tx_id), 0) + 1 FROM ledger_tx), false)",
        )
        .await?;
    }
    if version == 48 && backend == Backend::Postgres {
        voucher_person_key(conn).await?;
    }
    if version == 49 {
        // The rows written before the column get their region.
        crate::audit::scope::backfill(conn, backend).await?;
    }
    if version == 42 && backend == Backend::Postgres {
        // Staged rows live for one chunk: writing them to the WAL would
        // double the cost of a bulk import for nothing a crash could need.
        conn.execute("ALTER TABLE import_stage SET UNLOGGED")
            .await?;
    }
    Ok(())
}

/// Splits a migration on `;` at line ends, dropping `--` comment lines.
fn split_statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in sql.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("--") || trimmed.is_empty() {
            continue;
        }
        let code = match line.find("--") {
            Some(i) => &line[..i],
            None => line,
        };
        cur.push_str(code);
        cur.push('\n');
        if code.trim_end().ends_with(';') {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests;
