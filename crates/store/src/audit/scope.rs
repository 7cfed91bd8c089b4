//! Which audit rows (审计日志) an account's scope reaches, by the region each
//! row carries (`audit_log.region_code`, migration 0049). The region is the
//! record's, found once when the row is written (and by the migration for
//! older rows), the same way the record's own pages decide: persons and
//! claims by 户籍地, classes by 培训地, institutions by 所在地, training
//! vouchers and certificates by their holder's 户籍地, accounts by their
//! region, institution or person. Reading the trail is then a plain
//! predicate on an indexed column, not a lookup per row.
//!
//! The column holds a region code, or one of two markers:
//! - `''`: no region, public to every officer: the jurisdiction's
//!   configuration (policies, fund sources, indicators, plan tasks) and
//!   ledger transactions tied to no claim, as their pages are;
//! - `NULL`: a batch run (an import, a decision run) that lists or counts
//!   records across the jurisdiction, or a record not found: only a scope
//!   covering the whole jurisdiction sees it, one that holds the region of
//!   every loaded policy.
//!
//! The region is fixed when the row is written: a person who moves later
//! leaves the rows written before in the old region's trail.

use crate::Backend;
use crate::sql::Val;
use jineng_domain::access::Scope;
use jineng_domain::audit::{Action, Entity};
use sqlx::AssertSqlSafe;

/// The SQL text helpers of one backend over a row of `audit_log` named `t`.
struct Row<'a> {
    backend: Backend,
    t: &'a str,
}

impl Row<'_> {
    fn key(&self) -> String {
        format!("{}.entity_key", self.t)
    }

    /// The part of `col` before its first `/` (all of it without one).
    fn head(&self, col: &str) -> String {
        match self.backend {
            Backend::Sqlite => format!(
                "(CASE WHEN instr({col}, '/') > 0 THEN substr({col}, 1, instr({col}, '/') - 1) ELSE {col} END)"
            ),
            Backend::Postgres => format!("split_part({col}, '/', 1)"),
        }
    }

    /// The part of `col` after its first `/` (all of it without one).
    fn tail(&self, col: &str) -> String {
        let pos = match self.backend {
            Backend::Sqlite => format!("instr({col}, '/')"),
            Backend::Postgres => format!("strpos({col}, '/')"),
        };
        format!("substr({col}, {pos} + 1)")
    }

    /// `col` as an id when it is one (digits, within BIGINT), else NULL:
    /// a key of another shape is never cast.
    fn id(&self, col: &str) -> String {
        let digits = match self.backend {
            Backend::Sqlite => format!("{col} <> '' AND {col} NOT GLOB '*[^0-9]*'"),
            Backend::Postgres => format!("{col} ~ '^[0-9]+$'"),
        };
        format!("(CASE WHEN {digits} AND length({col}) <= 18 THEN CAST({col} AS BIGINT) END)")
    }

    /// The `person_id` an archive export names in its `after` (its key is
    /// the person's masked ID number).
    fn exported_person(&self) -> String {
        let t = self.t;
        match self.backend {
            Backend::Sqlite => format!("CAST(json_extract({t}.after, '$.person_id') AS BIGINT)"),
            Backend::Postgres => format!("CAST(CAST({t}.after AS json) ->> 'person_id' AS BIGINT)"),
        }
    }
}

fn person_region(person_id: &str) -> String {
    format!("(SELECT p.hukou_region FROM persons p WHERE p.person_id = {person_id})")
}

fn claim_region(claim_no: &str) -> String {
    format!(
        "(SELECT p.hukou_region FROM claims c JOIN persons p ON p.person_id = c.person_id \
         WHERE c.claim_no = {claim_no} LIMIT 1)"
    )
}

/// Where an entity's rows find their region: `None` for batch runs (only
/// the whole jurisdiction), `''` for public rows, else an expression. The
/// match is exhaustive, so a new entity must choose.
fn region_of(entity: Entity, r: &Row<'_>) -> Option<String> {
    use Entity::*;
    let key = r.key();
    let t = r.t;
    Some(match entity {
        Policy | FundSource | Indicator | StatisticDef | Task => "''".into(),
        Claims
        | ImportBatch
        | PayBatch
        | SupervisionCase
        | SupervisionFile
        | InspectionDraw
        | SigningKey
        | AuditChain
        | PersonBankAccount
        | InstitutionBankAccount => return None,
        Person => person_region(&format!(
            "(CASE WHEN {t}.action = '{}' THEN {} ELSE {} END)",
            Action::ExportArchive.code(),
            r.exported_person(),
            r.id(&key)
        )),
        PersonCategory | FamilyRelation => person_region(&r.id(&r.head(&key))),
        Claim => claim_region(&key),
        Certificate => format!(
            "(SELECT p.hukou_region FROM certificates ce JOIN persons p ON p.person_id = ce.person_id \
             WHERE ce.cert_no = {} LIMIT 1)",
            r.tail(&key)
        ),
        Voucher => format!(
            "(SELECT p.hukou_region FROM vouchers v JOIN persons p ON p.person_id = v.person_id \
             WHERE v.voucher_no = {key} LIMIT 1)"
        ),
        Class => format!(
            "(SELECT cl.site_region FROM classes cl WHERE cl.class_id = {})",
            r.id(&key)
        ),
        // An enrolment's key is the class id, or `person_id/class_id`.
        Enrolment => format!(
            "(SELECT cl.site_region FROM classes cl WHERE cl.class_id = {})",
            r.id(&r.tail(&key))
        ),
        Institution => format!(
            "(SELECT i.region_code FROM institutions i WHERE i.institution_id = {})",
            r.id(&key)
        ),
        InstitutionCatalogue => format!(
            "(SELECT i.region_code FROM institutions i WHERE i.institution_id = {})",
            r.id(&r.head(&key))
        ),
        LedgerTx => format!(
            "(SELECT CASE WHEN x.claim_no IS NULL THEN '' ELSE {} END FROM ledger_tx x WHERE x.tx_id = {})",
            claim_region("x.claim_no"),
            r.id(&key)
        ),
        Account => format!(
            "(SELECT COALESCE(ac.region_code, \
               (SELECT i.region_code FROM institutions i WHERE i.institution_id = ac.institution_id), \
               {}) FROM accounts ac WHERE ac.account_id = {})",
            person_region("ac.person_id"),
            r.id(&key)
        ),
        Region => key,
        Statistic => r.head(&key),
        // `indicator/period/region/parent`
        Target => r.head(&r.tail(&r.tail(&key))),
    })
}

/// The region of the `audit_log` row named `t`, as SQL.
fn region_expr(backend: Backend, t: &str) -> String {
    let r = Row { backend, t };
    let arms: String = Entity::ALL
        .iter()
        .filter_map(|e| region_of(*e, &r).map(|sql| format!(" WHEN '{}' THEN {sql}", e.code())))
        .collect();
    format!("(CASE {t}.entity{arms} END)")
}

/// Gives the rows with `audit_id` in `(after, upto]` their region; `upto`
/// `None` reaches the last row.
pub(crate) async fn fill_regions(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    after: i64,
    upto: Option<i64>,
) -> Result<(), sqlx::Error> {
    if backend == Backend::Postgres {
        // The expression's many subplans put its estimated cost past
        // PostgreSQL's JIT threshold: compiling it took 1.1 s per write
        // against 11 ms to run it (EXPLAIN ANALYZE, a 3,000-person demo).
        // Writes run in a transaction, so this ends with it.
        sqlx::query("SET LOCAL jit = off")
            .execute(&mut *conn)
            .await?;
    }
    let expr = region_expr(backend, "audit_log");
    let upper = if upto.is_some() {
        " AND audit_id <= $2"
    } else {
        ""
    };
    let sql = format!("UPDATE audit_log SET region_code = {expr} WHERE audit_id > $1{upper}");
    let mut q = sqlx::query(AssertSqlSafe(sql)).bind(after);
    if let Some(u) = upto {
        q = q.bind(u);
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

/// Rows given their region per statement by [`backfill`].
const BACKFILL_BATCH: i64 = 10_000;

/// Migration 0049: every row written before gets its region, a range of
/// ids per statement, so no statement holds the whole trail.
pub(crate) async fn backfill(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<(), sqlx::Error> {
    let last: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(audit_id), 0) FROM audit_log")
        .fetch_one(&mut *conn)
        .await?;
    let mut from = 0;
    while from < last {
        let upto = from + BACKFILL_BATCH;
        fill_regions(conn, backend, from, Some(upto)).await?;
        from = upto;
    }
    Ok(())
}

/// The first code past every code starting with `prefix` (digits), or
/// `None` when no code is (all nines).
fn past(prefix: &str) -> Option<String> {
    let mut digits: Vec<u8> = prefix.bytes().collect();
    while let Some(d) = digits.pop() {
        if d < b'9' {
            digits.push(d + 1);
            return Some(String::from_utf8(digits).expect("digits"));
        }
    }
    None
}

/// The condition on `audit_log a` for this scope, its values from `$n`.
/// The region's subtree is a range of codes (`>=`, `<`) rather than a
/// `LIKE`, so the index `audit_region` serves it on both backends whatever
/// the collation.
pub(crate) fn audit_filter(scope: &Scope, n: usize) -> (String, Vec<Val>) {
    let region = match scope {
        Scope::Region(region) => region,
        Scope::Jurisdiction => return ("1 = 1".into(), vec![]),
        // Only region-scoped roles may read the trail at all.
        _ => return ("1 = 0".into(), vec![]),
    };
    let prefix = region.subtree_prefix();
    let mut vals = vec![Val::text(format!("{prefix}%")), Val::text(prefix)];
    let mut range = format!("a.region_code >= ${}", n + 1);
    if let Some(end) = past(prefix) {
        vals.push(Val::text(end));
        range.push_str(&format!(" AND a.region_code < ${}", n + 2));
    }
    let cond = format!(
        "(({range}) OR a.region_code = '' \
         OR (a.region_code IS NULL AND NOT EXISTS (SELECT 1 FROM policies po WHERE po.region_code NOT LIKE ${n})))"
    );
    (cond, vals)
}

#[cfg(test)]
mod tests {
    use super::past;

    #[test]
    fn the_range_ends_past_the_prefix() {
        assert_eq!(past("3715").as_deref(), Some("3716"));
        assert_eq!(past("3799").as_deref(), Some("38"));
        assert_eq!(past("99"), None);
    }
}
