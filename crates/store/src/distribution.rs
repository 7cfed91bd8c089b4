//! Where each table goes when a province outgrows one PostgreSQL
//! (docs/scale.md, "The national layout"): distributed by person and
//! co-located with `persons`, replicated to every node as a reference
//! table, or kept on the coordinator. The schema test
//! (`crates/cli/tests/schema_distribution.rs`) reads the live catalog of
//! both backends and holds every table to its placement, so a new table
//! must be placed and a new key that would stop a table from being
//! distributed by person is caught when it is written, not when a province
//! tries Citus.

use crate::{Backend, Store, StoreError};
use sqlx::Row;

/// A table's placement in a distributed PostgreSQL (Citus).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Distributed by `person_id`, co-located with `persons`: its primary
    /// key starts with `person_id`, and every unique key includes it
    /// except the `global_keys` named here, each of which becomes a small
    /// lookup table (key → person_id) written in the same transaction.
    Person {
        global_keys: &'static [&'static [&'static str]],
    },
    /// Small and read everywhere: replicated to every node.
    Reference,
    /// Kept on the coordinator: append-only trails, the ledger, sessions.
    Coordinator,
}

use Placement::{Coordinator, Person, Reference};

/// Every table of the schema, with its placement and why.
pub const TABLES: &[(&str, Placement, &str)] = &[
    (
        "persons",
        Person {
            global_keys: &[&["id_number"]],
        },
        "the person; the ID number is a lookup table",
    ),
    (
        "person_categories",
        Person { global_keys: &[] },
        "a person's categories",
    ),
    (
        "family_relations",
        Person { global_keys: &[] },
        "a person's relatives",
    ),
    (
        "enrolments",
        Person { global_keys: &[] },
        "a person's trainings",
    ),
    (
        "certificates",
        Person {
            global_keys: &[&["cert_type", "cert_no"]],
        },
        "a person's certificates; the certificate number is a lookup table",
    ),
    (
        "claims",
        Person {
            global_keys: &[&["claim_no"]],
        },
        "a person's claims; the claim number is a lookup table",
    ),
    (
        "online_sessions",
        Person {
            global_keys: &[&["account_id", "session_ref"]],
        },
        "a person's online learning; the platform's session id is a lookup table",
    ),
    (
        "vouchers",
        Person {
            global_keys: &[&["voucher_no"], &["region_code", "year", "seq"]],
        },
        "a person's training vouchers; number and county sequence are lookup tables",
    ),
    ("regions", Reference, "division codes"),
    ("occupations", Reference, "the occupation classification"),
    ("vocabulary", Reference, "the templates' vocabularies"),
    ("institutions", Reference, "training institutions"),
    (
        "institution_catalogue",
        Reference,
        "institutions' catalogue entries",
    ),
    ("classes", Reference, "classes, read with every enrolment"),
    ("class_events", Reference, "a class's review history"),
    ("policies", Reference, "policy files"),
    ("policy_versions", Reference, "their versions"),
    ("fund_sources", Reference, "the dedicated account's funds"),
    ("indicators", Reference, "planning indicators"),
    ("targets", Reference, "targets by region"),
    ("tasks", Reference, "tasks of the plans"),
    ("task_reports", Reference, "reports on tasks"),
    ("statistics", Reference, "statistics by region"),
    (
        "plan_facts",
        Reference,
        "the dashboard's aggregate, by region and month",
    ),
    ("plan_facts_state", Reference, "the aggregate's watermark"),
    (
        "plan_facts_dirty",
        Reference,
        "the aggregate's stale cells, queued by triggers",
    ),
    ("credit_ratings", Reference, "institutions' credit"),
    ("inspectors", Reference, "双随机 inspectors"),
    ("inspection_draws", Reference, "双随机 draws"),
    ("inspection_results", Reference, "their results"),
    (
        "credential_status_lists",
        Reference,
        "status lists of credentials",
    ),
    (
        "credential_status",
        Coordinator,
        "a certificate's status-list index, by certificate number",
    ),
    (
        "certificate_revocations",
        Coordinator,
        "revocations, by certificate number",
    ),
    ("import_batches", Coordinator, "import runs"),
    ("import_jobs", Coordinator, "the web's upload jobs"),
    ("import_job_reports", Coordinator, "their error reports"),
    (
        "import_stage",
        Coordinator,
        "rows of one import chunk between COPY and merge",
    ),
    (
        "audit_log",
        Coordinator,
        "the append-only trail (or distributed by entity key)",
    ),
    ("audit_chain_head", Coordinator, "the trail's chain head"),
    (
        "ledger_tx",
        Coordinator,
        "the ledger: one balance, one writer",
    ),
    ("ledger_entries", Coordinator, "its postings"),
    ("pay_batches", Coordinator, "bank payment files"),
    ("pay_batch_lines", Coordinator, "their lines"),
    ("accounts", Coordinator, "sign-in accounts"),
    ("sessions", Coordinator, "web sessions"),
    ("api_tokens", Coordinator, "API tokens"),
    ("supervision_files", Coordinator, "supervision files"),
    ("supervision_cases", Coordinator, "cases"),
    (
        "supervision_case_records",
        Coordinator,
        "the records a case names",
    ),
    (
        "watchlist_entries",
        Coordinator,
        "comparison lists, by ID number",
    ),
    (
        "federation_tags",
        Coordinator,
        "other provinces' keyed tags",
    ),
    ("schema_migrations", Coordinator, "applied migrations"),
];

/// The placement of `table`, if it is placed.
pub fn placement(table: &str) -> Option<Placement> {
    TABLES
        .iter()
        .find(|(t, ..)| *t == table)
        .map(|(_, p, _)| *p)
}

/// A table's keys as the live catalog has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableKeys {
    pub table: String,
    pub columns: Vec<String>,
    /// The primary key's columns, in key order.
    pub primary_key: Vec<String>,
    /// Every other unique constraint or unique index, columns in order.
    pub unique: Vec<Vec<String>>,
}

impl Store {
    /// Every table's columns and keys, from the catalog of the backend.
    pub async fn table_keys(&self) -> Result<Vec<TableKeys>, StoreError> {
        match self.backend() {
            Backend::Sqlite => self.sqlite_keys().await,
            Backend::Postgres => self.postgres_keys().await,
        }
    }

    async fn sqlite_keys(&self) -> Result<Vec<TableKeys>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::new();
        for table in tables {
            let cols = sqlx::query("SELECT name, pk FROM pragma_table_info($1) ORDER BY cid")
                .bind(&table)
                .fetch_all(&mut *conn)
                .await?;
            let mut pk: Vec<(i64, String)> = Vec::new();
            let mut columns = Vec::new();
            for c in cols {
                let name: String = c.try_get("name")?;
                let n: i64 = c.try_get("pk")?;
                if n > 0 {
                    pk.push((n, name.clone()));
                }
                columns.push(name);
            }
            pk.sort();
            let indexes = sqlx::query(
                "SELECT name, origin FROM pragma_index_list($1) WHERE \"unique\" = 1 ORDER BY name",
            )
            .bind(&table)
            .fetch_all(&mut *conn)
            .await?;
            let mut unique = Vec::new();
            for i in indexes {
                let (name, origin): (String, String) = (i.try_get("name")?, i.try_get("origin")?);
                if origin == "pk" {
                    continue;
                }
                let cols: Vec<String> =
                    sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                        .bind(&name)
                        .fetch_all(&mut *conn)
                        .await?;
                unique.push(cols);
            }
            out.push(TableKeys {
                table,
                columns,
                primary_key: pk.into_iter().map(|(_, c)| c).collect(),
                unique,
            });
        }
        Ok(out)
    }

    async fn postgres_keys(&self) -> Result<Vec<TableKeys>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::new();
        for table in tables {
            let columns: Vec<String> = sqlx::query_scalar(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(&table)
            .fetch_all(&mut *conn)
            .await?;
            let indexes = sqlx::query(
                "SELECT CASE WHEN i.indisprimary THEN 1 ELSE 0 END AS pk, \
                   (SELECT string_agg(a.attname::text, ',' ORDER BY k.ord) \
                      FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
                      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum) AS cols \
                 FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = current_schema() AND c.relname = $1 AND i.indisunique \
                 ORDER BY 2",
            )
            .bind(&table)
            .fetch_all(&mut *conn)
            .await?;
            let mut primary_key = Vec::new();
            let mut unique = Vec::new();
            for i in indexes {
                let pk: i32 = i.try_get("pk")?;
                let cols: String = i.try_get("cols")?;
                let cols: Vec<String> = cols.split(',').map(str::to_string).collect();
                if pk == 1 {
                    primary_key = cols;
                } else {
                    unique.push(cols);
                }
            }
            out.push(TableKeys {
                table,
                columns,
                primary_key,
                unique,
            });
        }
        Ok(out)
    }
}
