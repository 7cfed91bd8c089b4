//! The aggregate facts (`plan_facts`) behind the dashboards and reports,
//! and what a dashboard reads.
//!
//! The facts are derived data: every figure is recomputed from the records
//! by `refresh`, which runs whenever the audit trail has grown since the
//! last one (every import, decision, approval and payment writes an audit
//! row). Readers call it first, so they never see stale figures; the
//! rebuild runs in one transaction that holds writers back (SQLite: the
//! write lock; PostgreSQL: a SHARE lock on `audit_log`, so no audit row can
//! be committed unseen behind the watermark). See docs/scale.md.

use crate::{Backend, Store, StoreError};
use jineng_domain::planning::{Area, Fact, Measure, NATIONAL, Period, Statistic, Target, prefix};
use sqlx::{Executor, Row};
use std::time::Instant;

/// What a refresh did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RefreshStats {
    pub rows: i64,
    pub millis: i64,
}

/// Everything a region's dashboard needs for a period: the sub-regions, the
/// facts under the region, the targets and statistics.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DashboardData {
    pub region: String,
    pub name: String,
    pub areas: Vec<Area>,
    pub facts: Vec<Fact>,
    pub targets: Vec<Target>,
    pub statistics: Vec<Statistic>,
}

/// Year and month of an ISO date or timestamp column.
fn ym(col: &str) -> String {
    format!("CAST(substr({col}, 1, 4) AS BIGINT), CAST(substr({col}, 6, 2) AS BIGINT)")
}

/// The statements that rebuild `plan_facts` from the records. Enrolments
/// and certificates count by the class's training site, or (a certificate
/// or claim without a class) the holder's 户籍地.
fn rebuild_statements() -> Vec<String> {
    let insert = "INSERT INTO plan_facts (region_code, year, month, measure, training_type, category, fund_code, value)";
    let group = "GROUP BY 1, 2, 3, 4, 5, 6, 7";
    // A person counts in a category held on the class's end date (or the
    // certificate's issue date); DISTINCT guards against two overlapping
    // periods of the same category.
    let held = |person: &str, date: &str| {
        format!(
            "JOIN person_categories pc ON pc.person_id = {person} AND pc.valid_from <= {date} AND (pc.valid_to IS NULL OR pc.valid_to >= {date})"
        )
    };
    let cert_filter = |high: bool| {
        format!(
            "k.cert_type IN ('qualification', 'skill_level'){}",
            if high {
                " AND k.skill_level IS NOT NULL AND k.skill_level <= 3"
            } else {
                ""
            }
        )
    };
    let mut out = vec![
        format!(
            "{insert} SELECT c.site_region, {}, 'training', c.training_type, '', '', SUM(x.n)
             FROM (SELECT class_id, COUNT(*) AS n FROM enrolments WHERE completion <> 'not_finished' GROUP BY class_id) x
             JOIN classes c ON c.class_id = x.class_id {group}",
            ym("c.end_date")
        ),
        format!(
            "{insert} SELECT c.site_region, {}, 'training', c.training_type, x.category, '', COUNT(*)
             FROM (SELECT DISTINCT e.person_id, e.class_id, pc.category FROM enrolments e
                   JOIN classes c ON c.class_id = e.class_id {}
                   WHERE e.completion <> 'not_finished') x
             JOIN classes c ON c.class_id = x.class_id {group}",
            ym("c.end_date"),
            held("e.person_id", "c.end_date")
        ),
    ];
    for (measure, high) in [("certificate", false), ("high_certificate", true)] {
        out.push(format!(
            "{insert} SELECT COALESCE(c.site_region, p.hukou_region), {}, '{measure}', COALESCE(c.training_type, ''), '', '', COUNT(*)
             FROM certificates k JOIN persons p ON p.person_id = k.person_id
             LEFT JOIN classes c ON c.class_id = k.class_id
             WHERE {} {group}",
            ym("k.issue_date"),
            cert_filter(high)
        ));
        out.push(format!(
            "{insert} SELECT COALESCE(c.site_region, p.hukou_region), {}, '{measure}', COALESCE(c.training_type, ''), x.category, '', COUNT(*)
             FROM (SELECT DISTINCT k.person_id, k.cert_type, k.cert_no, pc.category FROM certificates k {}
                   WHERE {}) x
             JOIN certificates k ON k.cert_type = x.cert_type AND k.cert_no = x.cert_no
             JOIN persons p ON p.person_id = k.person_id
             LEFT JOIN classes c ON c.class_id = k.class_id {group}",
            ym("k.issue_date"),
            held("k.person_id", "k.issue_date"),
            cert_filter(high)
        ));
    }
    // Money out of the fund's bank account for a claim (pay, advance,
    // settle), less what came back (recover), by the claim's application
    // date, so money paid later for a year's training counts in that year.
    out.push(format!(
        "{insert} SELECT COALESCE(c.site_region, p.hukou_region), {}, 'paid', COALESCE(c.training_type, ''), '', t.fund_code, SUM(e.credit_fen - e.debit_fen)
         FROM ledger_tx t JOIN ledger_entries e ON e.tx_id = t.tx_id AND e.account = 'bank:' || t.fund_code
         JOIN claims k ON k.claim_no = t.claim_no
         JOIN persons p ON p.person_id = k.person_id
         LEFT JOIN classes c ON c.class_id = k.class_id
         WHERE t.kind <> 'allocate' {group}",
        ym("k.applied_on")
    ));
    out
}

/// The last audit row that recorded a change the facts depend on (kept on
/// the chain head by `audit::write`, see `audit::changes_facts`), and the
/// one the facts were built up to.
async fn watermark(conn: &mut sqlx::AnyConnection) -> Result<(i64, Option<i64>), StoreError> {
    let audit: Option<i64> =
        sqlx::query_scalar("SELECT facts_audit_id FROM audit_chain_head WHERE id = 1")
            .fetch_optional(&mut *conn)
            .await?;
    let stored: Option<i64> =
        sqlx::query_scalar("SELECT watermark FROM plan_facts_state WHERE id = 1")
            .fetch_optional(&mut *conn)
            .await?;
    Ok((audit.unwrap_or(0), stored))
}

impl Store {
    /// Rebuilds the aggregate facts if anything was written since the last
    /// rebuild (or always, with `force`). Returns what it did, or `None`
    /// when the facts were current.
    pub async fn refresh_facts(&self, force: bool) -> Result<Option<RefreshStats>, StoreError> {
        if self.is_replica() {
            // A replica cannot write: its reader had the primary refresh
            // first and waited for it (`Store::fresh_reads`).
            return Ok(None);
        }
        if !force {
            // A cheap check without the write lock first.
            let mut conn = self.pool().acquire().await?;
            let (audit, stored) = watermark(&mut conn).await?;
            if stored == Some(audit) {
                return Ok(None);
            }
        }
        let started = Instant::now();
        let mut tx = self.begin().await?;
        if self.backend() == Backend::Postgres {
            tx.execute("LOCK TABLE audit_log IN SHARE MODE").await?;
        }
        let (audit, stored) = watermark(&mut tx).await?;
        if !force && stored == Some(audit) {
            tx.commit().await?;
            return Ok(None);
        }
        tx.execute("DELETE FROM plan_facts").await?;
        for sql in rebuild_statements() {
            tx.execute(sqlx::AssertSqlSafe(sql)).await?;
        }
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plan_facts")
            .fetch_one(&mut *tx)
            .await?;
        let millis = started.elapsed().as_millis() as i64;
        sqlx::query(
            "INSERT INTO plan_facts_state (id, watermark, refreshed_at, seconds_ms) VALUES (1, $1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET watermark = excluded.watermark, refreshed_at = excluded.refreshed_at, seconds_ms = excluded.seconds_ms",
        )
        .bind(audit)
        .bind(crate::audit::now())
        .bind(millis)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(RefreshStats { rows, millis }))
    }

    /// True when the facts were built up to the audit trail this store
    /// sees (a replica checks it before it serves them).
    pub(crate) async fn facts_current(&self) -> Result<bool, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let (audit, stored) = watermark(&mut conn).await?;
        Ok(stored == Some(audit))
    }

    /// The facts under `region` (a prefix of its code) in `period`, current
    /// as of this call.
    pub async fn facts_under(&self, region: &str, period: Period) -> Result<Vec<Fact>, StoreError> {
        self.refresh_facts(false).await?;
        let p = prefix(region);
        // A range on the key instead of LIKE, which SQLite would not serve
        // from the index: [p, p + 1) as text.
        let upper = match p.parse::<u64>() {
            Ok(n) => format!("{:0width$}", n + 1, width = p.len()),
            Err(_) => "A".to_string(),
        };
        let rows = sqlx::query(
            "SELECT region_code, year, month, measure, training_type, category, fund_code, value FROM plan_facts
             WHERE year >= $1 AND year <= $2 AND region_code >= $3 AND region_code < $4",
        )
        .bind(period.from as i64)
        .bind(period.to as i64)
        .bind(p)
        .bind(upper.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let m: String = r.try_get("measure")?;
                Ok(Fact {
                    region: r.try_get("region_code")?,
                    year: r.try_get::<i64, _>("year")? as i32,
                    month: r.try_get::<i64, _>("month")? as u32,
                    measure: Measure::from_code(&m)
                        .ok_or_else(|| StoreError::Corrupt(format!("未知的统计口径「{m}」")))?,
                    training_type: r.try_get("training_type")?,
                    category: r.try_get("category")?,
                    fund: r.try_get("fund_code")?,
                    value: r.try_get("value")?,
                })
            })
            .collect()
    }

    /// The sub-regions of `region` (provinces for 全国), without the
    /// placeholders (市辖区) that hold no records.
    pub async fn sub_regions(&self, region: &str) -> Result<Vec<Area>, StoreError> {
        let rows = if region == NATIONAL {
            sqlx::query("SELECT code, name FROM regions WHERE parent_code IS NULL ORDER BY code")
                .fetch_all(self.pool())
                .await?
        } else {
            sqlx::query(
                "SELECT code, name FROM regions WHERE parent_code = $1 AND kind <> 'placeholder' ORDER BY code",
            )
            .bind(region)
            .fetch_all(self.pool())
            .await?
        };
        rows.iter()
            .map(|r| {
                Ok(Area {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    own: false,
                })
            })
            .collect()
    }

    /// Statistics of `region` and its sub-regions.
    pub async fn statistics_under(&self, region: &str) -> Result<Vec<Statistic>, StoreError> {
        let p = prefix(region);
        let rows = sqlx::query(
            "SELECT region_code, year, stat_key, value FROM statistics WHERE region_code LIKE $1 OR region_code = $2 ORDER BY region_code, year",
        )
        .bind(format!("{p}%"))
        .bind(region)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Statistic {
                    region: r.try_get("region_code")?,
                    year: r.try_get::<i64, _>("year")? as i32,
                    key: r.try_get("stat_key")?,
                    value: r.try_get("value")?,
                })
            })
            .collect()
    }

    /// Everything `region`'s dashboard shows for `period`: its sub-regions
    /// (with its own share, 本级, when it has a target or records of its
    /// own), the facts under it, the targets, the statistics.
    pub async fn dashboard_data(
        &self,
        region: &str,
        period: Period,
    ) -> Result<DashboardData, StoreError> {
        let name = self
            .region_name(region)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("行政区划代码 {region} 不存在")))?;
        let facts = self.facts_under(region, period).await?;
        let targets = self.targets().await?;
        let mut areas = Vec::new();
        let own_target = targets
            .iter()
            .find(|t| t.region == region && t.parent == region);
        if own_target.is_some() || facts.iter().any(|f| f.region == region) {
            areas.push(Area {
                code: region.to_string(),
                name: own_target.map(|t| t.name.clone()).unwrap_or("本级".into()),
                own: true,
            });
        }
        areas.extend(self.sub_regions(region).await?);
        Ok(DashboardData {
            region: region.to_string(),
            name,
            areas,
            facts,
            targets,
            statistics: self.statistics_under(region).await?,
        })
    }

    /// The fund sources' names by code.
    pub async fn fund_names(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query("SELECT code, name FROM fund_sources ORDER BY code")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("code")?, r.try_get("name")?)))
            .collect()
    }

    /// The terms of an open vocabulary (person_category, training_type …).
    pub async fn vocabulary_terms(&self, kind: &str) -> Result<Vec<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT term FROM vocabulary WHERE kind = $1 ORDER BY term")
                .bind(kind)
                .fetch_all(self.pool())
                .await?,
        )
    }
}
