//! Keeping the aggregate facts (`plan_facts`) current: the SQL that
//! computes them from the records, whole or for the queued cells only,
//! and `refresh_facts`, which every reader calls first.
//!
//! Writers queue the cells they touch (`plan_facts_dirty`, by triggers in
//! their own transaction: `dirty.rs`). A refresh drains the queue: it
//! deletes the queued cells' facts and recomputes them with the same
//! statements as the whole rebuild, restricted to those cells by a join on
//! the queue. A queued `*` (after the migration, or from a write that
//! cannot name its cells) and `jineng report refresh` rebuild everything.
//!
//! No write committed behind a refresh is lost. SQLite: the refresh holds
//! the write lock (`BEGIN IMMEDIATE`). PostgreSQL: it first locks the
//! queue in SHARE ROW EXCLUSIVE mode, which waits for every transaction
//! that has queued a cell (a trigger's INSERT holds ROW EXCLUSIVE until its
//! commit) and holds later writers' triggers back until the refresh
//! commits. So every record change the refresh can see has its cells in
//! the queue it drains, and a change it cannot see queues its cells after
//! the refresh commits, for the next one. Readers that find the queue
//! empty read without locking.

use crate::{Backend, Store, StoreError};
use jineng_domain::ledger::{Account, FundCode};
use sqlx::{Executor, Row};
use std::time::Instant;

/// What a refresh did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RefreshStats {
    /// Rows of `plan_facts` after the refresh.
    pub rows: i64,
    pub millis: i64,
    /// Whether everything was rebuilt (otherwise only `cells`).
    pub full: bool,
    /// Cells recomputed (region × month × family; 0 for a whole rebuild).
    pub cells: i64,
}

/// A row of `plan_facts`: region, year, month, measure, training type,
/// category, fund, value.
pub type FactRow = (String, i64, i64, String, String, String, String, i64);

/// Year and month of an ISO date or timestamp column.
fn ym(col: &str) -> String {
    format!("CAST(substr({col}, 1, 4) AS BIGINT), CAST(substr({col}, 6, 2) AS BIGINT)")
}

const INSERT: &str = "INSERT INTO plan_facts (region_code, year, month, measure, training_type, category, fund_code, value)";
const GROUP: &str = "GROUP BY 1, 2, 3, 4, 5, 6, 7";

/// The families of measures a cell is queued for, with their measures.
const FAMILIES: [(&str, &[&str]); 3] = [
    ("training", &["training"]),
    ("certificate", &["certificate", "high_certificate"]),
    ("paid", &["paid"]),
];

/// The queued cells of `family`, once each (PostgreSQL may queue a cell
/// more than once).
fn cells(family: &str) -> String {
    format!("(SELECT DISTINCT region_code, lo, hi FROM plan_facts_dirty WHERE family = '{family}')")
}

/// The queued months of `family`, and the test that a row's region is
/// queued for that month.
fn months(family: &str, alias: &str) -> String {
    format!("(SELECT DISTINCT lo, hi FROM plan_facts_dirty WHERE family = '{family}') {alias}")
}

fn queued(family: &str, region: &str, lo: &str) -> String {
    format!(
        " AND EXISTS (SELECT 1 FROM plan_facts_dirty q WHERE q.family = '{family}' AND q.region_code = {region} AND q.lo = {lo})"
    )
}

/// A person counts in a category held on `date` (the class's end date or
/// the certificate's issue date), once even when two periods of the same
/// category overlap on that date (the earliest is taken).
fn held(person: &str, date: &str) -> String {
    let on = |t: &str| {
        format!("{t}.valid_from <= {date} AND ({t}.valid_to IS NULL OR {t}.valid_to >= {date})")
    };
    format!(
        "JOIN person_categories pc ON pc.person_id = {person} AND {}
         AND NOT EXISTS (SELECT 1 FROM person_categories q WHERE q.person_id = pc.person_id
             AND q.category = pc.category AND q.valid_from < pc.valid_from AND {})",
        on("pc"),
        on("q")
    )
}

/// Enrolments count by their class's site and end date.
fn training(restrict: bool) -> Vec<String> {
    let classes = if restrict {
        format!(
            "{} d JOIN classes c ON c.site_region = d.region_code AND c.end_date >= d.lo AND c.end_date < d.hi",
            cells("training")
        )
    } else {
        "classes c".to_string()
    };
    let from = format!(
        "FROM {classes} JOIN enrolments e ON e.class_id = c.class_id WHERE e.completion <> 'not_finished'"
    );
    let from_held = format!(
        "FROM {classes} JOIN enrolments e ON e.class_id = c.class_id {} WHERE e.completion <> 'not_finished'",
        held("e.person_id", "c.end_date")
    );
    let y = ym("c.end_date");
    vec![
        format!(
            "{INSERT} SELECT c.site_region, {y}, 'training', c.training_type, '', '', COUNT(*) {from} {GROUP}"
        ),
        format!(
            "{INSERT} SELECT c.site_region, {y}, 'training', c.training_type, pc.category, '', COUNT(*) {from_held} {GROUP}"
        ),
    ]
}

/// Certificates count by their class's site, or (no class) the holder's
/// 户籍地, and their issue date.
fn certificates(restrict: bool) -> Vec<String> {
    let region = "COALESCE(c.site_region, p.hukou_region)";
    let (source, filter) = if restrict {
        (
            format!(
                "{} JOIN certificates k ON k.issue_date >= m.lo AND k.issue_date < m.hi",
                months("certificate", "m")
            ),
            queued("certificate", region, "m.lo"),
        )
    } else {
        ("certificates k".to_string(), String::new())
    };
    let joins = "JOIN persons p ON p.person_id = k.person_id LEFT JOIN classes c ON c.class_id = k.class_id";
    let y = ym("k.issue_date");
    let mut out = Vec::new();
    for (measure, high) in [("certificate", false), ("high_certificate", true)] {
        let kind = format!(
            "k.cert_type IN ('qualification', 'skill_level'){}{filter}",
            if high {
                " AND k.skill_level IS NOT NULL AND k.skill_level <= 3"
            } else {
                ""
            }
        );
        out.push(format!(
            "{INSERT} SELECT {region}, {y}, '{measure}', COALESCE(c.training_type, ''), '', '', COUNT(*)
             FROM {source} {joins} WHERE {kind} {GROUP}"
        ));
        out.push(format!(
            "{INSERT} SELECT {region}, {y}, '{measure}', COALESCE(c.training_type, ''), pc.category, '', COUNT(*)
             FROM {source} {joins} {} WHERE {kind} {GROUP}",
            held("k.person_id", "k.issue_date")
        ));
    }
    out
}

/// Money out of the fund's bank account for a claim (pay, advance,
/// settle), less what came back (recover), by the claim's application
/// date, so money paid later for a year's training counts in that year.
///
/// `banks` is the SQL list of the funds' bank account codes, as the domain
/// spells them ([`bank_accounts`]).
fn paid(restrict: bool, banks: &str) -> Vec<String> {
    let region = "COALESCE(c.site_region, p.hukou_region)";
    let (source, filter) = if restrict {
        (
            format!(
                "{} JOIN claims k ON k.applied_on >= m.lo AND k.applied_on < m.hi",
                months("paid", "m")
            ),
            queued("paid", region, "m.lo"),
        )
    } else {
        ("claims k".to_string(), String::new())
    };
    vec![format!(
        "{INSERT} SELECT {region}, {}, 'paid', COALESCE(c.training_type, ''), '', t.fund_code, SUM(e.credit_fen - e.debit_fen)
         FROM {source} JOIN ledger_tx t ON t.claim_no = k.claim_no
         JOIN ledger_entries e ON e.tx_id = t.tx_id AND e.fund_code = t.fund_code
             AND e.account IN ({banks})
         JOIN persons p ON p.person_id = k.person_id
         LEFT JOIN classes c ON c.class_id = k.class_id
         WHERE t.kind <> 'allocate'{filter} {GROUP}",
        ym("k.applied_on")
    )]
}

/// The statements that compute `family`'s facts, whole or for the queued
/// cells.
fn statements(family: &str, restrict: bool, banks: &str) -> Vec<String> {
    match family {
        "training" => training(restrict),
        "certificate" => certificates(restrict),
        _ => paid(restrict, banks),
    }
}

/// The bank accounts (专账存款) of the registered funds as an SQL list of
/// literals, each code spelled by the domain's `Account` (fund codes are
/// validated: letters, digits and `_` only, so a literal is safe).
async fn bank_accounts(conn: &mut sqlx::AnyConnection) -> Result<String, StoreError> {
    let codes: Vec<String> = sqlx::query_scalar("SELECT code FROM fund_sources ORDER BY code")
        .fetch_all(&mut *conn)
        .await?;
    let list: Vec<String> = codes
        .iter()
        .filter_map(|c| FundCode::parse(c).ok())
        .map(|f| format!("'{}'", Account::Bank(f).code()))
        .collect();
    // No fund: a list that matches no account.
    Ok(if list.is_empty() {
        "NULL".to_string()
    } else {
        list.join(", ")
    })
}

/// The last audit row that recorded a change the facts depend on (kept on
/// the chain head by `audit::write`), stored beside the facts for
/// operators: the queue, not this figure, says what is stale.
async fn audit_mark(conn: &mut sqlx::AnyConnection) -> Result<i64, StoreError> {
    let audit: Option<i64> =
        sqlx::query_scalar("SELECT facts_audit_id FROM audit_chain_head WHERE id = 1")
            .fetch_optional(&mut *conn)
            .await?;
    Ok(audit.unwrap_or(0))
}

async fn exists(conn: &mut sqlx::AnyConnection, sql: &str) -> Result<bool, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.is_some())
}

/// Recomputes the queued cells of every family; returns how many.
async fn recompute_cells(conn: &mut sqlx::AnyConnection) -> Result<i64, StoreError> {
    let banks = bank_accounts(conn).await?;
    let mut n = 0;
    for (family, measures) in FAMILIES {
        let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {} d",
            cells(family)
        )))
        .fetch_one(&mut *conn)
        .await?;
        if count == 0 {
            continue;
        }
        n += count;
        let list = measures
            .iter()
            .map(|m| format!("'{m}'"))
            .collect::<Vec<_>>()
            .join(", ");
        conn.execute(sqlx::AssertSqlSafe(format!(
            "DELETE FROM plan_facts WHERE measure IN ({list}) AND EXISTS (SELECT 1 FROM plan_facts_dirty d
               WHERE d.family = '{family}' AND d.region_code = plan_facts.region_code
                 AND d.year = plan_facts.year AND d.month = plan_facts.month)"
        )))
        .await?;
        for sql in statements(family, true, &banks) {
            conn.execute(sqlx::AssertSqlSafe(sql)).await?;
        }
    }
    Ok(n)
}

impl Store {
    /// True when no write waits to be counted in the facts this store
    /// sees (a replica checks it before it serves them: the queue is
    /// replicated with the records).
    pub(crate) async fn facts_current(&self) -> Result<bool, StoreError> {
        let mut conn = self.pool().acquire().await?;
        Ok(!exists(&mut conn, "SELECT 1 FROM plan_facts_dirty LIMIT 1").await?)
    }

    /// Brings the aggregate facts up to date: recomputes the queued cells,
    /// or everything when a whole rebuild is queued (or with `force`, the
    /// repair command). Returns what it did, or `None` when the facts were
    /// current.
    pub async fn refresh_facts(&self, force: bool) -> Result<Option<RefreshStats>, StoreError> {
        const ANY: &str = "SELECT 1 FROM plan_facts_dirty LIMIT 1";
        if self.is_replica() {
            // A replica cannot write: its reader had the primary refresh
            // first and waited for it (`Store::fresh_reads`).
            return Ok(None);
        }
        if !force {
            // A cheap check without the lock first.
            let mut conn = self.pool().acquire().await?;
            if !exists(&mut conn, ANY).await? {
                return Ok(None);
            }
        }
        let started = Instant::now();
        let mut tx = self.begin().await?;
        if self.backend() == Backend::Postgres {
            tx.execute("LOCK TABLE plan_facts_dirty IN SHARE ROW EXCLUSIVE MODE")
                .await?;
        }
        if !force && !exists(&mut tx, ANY).await? {
            tx.commit().await?;
            return Ok(None);
        }
        let full = force
            || exists(
                &mut tx,
                "SELECT 1 FROM plan_facts_dirty WHERE region_code = '*' LIMIT 1",
            )
            .await?;
        let cells = if full {
            let banks = bank_accounts(&mut tx).await?;
            tx.execute("DELETE FROM plan_facts").await?;
            for (family, _) in FAMILIES {
                for sql in statements(family, false, &banks) {
                    tx.execute(sqlx::AssertSqlSafe(sql)).await?;
                }
            }
            0
        } else {
            recompute_cells(&mut tx).await?
        };
        tx.execute("DELETE FROM plan_facts_dirty").await?;
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plan_facts")
            .fetch_one(&mut *tx)
            .await?;
        let mark = audit_mark(&mut tx).await?;
        let millis = started.elapsed().as_millis() as i64;
        sqlx::query(
            "INSERT INTO plan_facts_state (id, watermark, refreshed_at, seconds_ms) VALUES (1, $1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET watermark = excluded.watermark, refreshed_at = excluded.refreshed_at, seconds_ms = excluded.seconds_ms",
        )
        .bind(mark)
        .bind(crate::audit::now())
        .bind(millis)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(RefreshStats {
            rows,
            millis,
            full,
            cells,
        }))
    }

    /// Every row of `plan_facts`, sorted: for comparing an incrementally
    /// kept aggregate with a whole rebuild (tests, `bench report`).
    pub async fn all_facts(&self) -> Result<Vec<FactRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT region_code, year, month, measure, training_type, category, fund_code, value FROM plan_facts
             ORDER BY region_code, year, month, measure, training_type, category, fund_code",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    r.try_get(1)?,
                    r.try_get(2)?,
                    r.try_get(3)?,
                    r.try_get(4)?,
                    r.try_get(5)?,
                    r.try_get(6)?,
                    r.try_get(7)?,
                ))
            })
            .collect()
    }
}
