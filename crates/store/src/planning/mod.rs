//! Planning in the database: the indicator definitions, the statistics
//! entered per region and year, the targets and their breakdowns
//! (`targets.rs`), the task tables with their progress reports
//! (`tasks.rs`), and the aggregate facts the dashboards and reports read
//! (`facts.rs`). What the figures mean is computed in
//! `domain::planning`; this module only stores and fetches.

pub(crate) mod standards;

#[cfg(feature = "bench")]
mod bench;
mod dirty;
mod facts;
mod rebuild;
mod scoped;
mod targets;
mod tasks;

#[cfg(feature = "bench")]
pub use bench::BenchShape;
pub(crate) use dirty::install as install_fact_triggers;
pub use facts::DashboardData;
pub use rebuild::{FactRow, RefreshStats};
pub use scoped::TaskReportInput;
pub use tasks::{TaskReport, TaskView};

use crate::audit::{Actor, AuditEntry};
use crate::sql::{Val, bind_all};
use crate::{Store, StoreError};
use jineng_domain::audit::{Action, Entity};
use jineng_domain::planning::{Indicator, IndicatorKind, IndicatorSet, StatisticDef};
use sqlx::Row;

/// What an import of planning data changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PlanCounts {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub removed: u64,
}

/// The two statements of a keyed write, which bind the same values: an
/// update of the stored row, an insert of a new one.
pub(crate) struct Write {
    pub update: &'static str,
    pub insert: &'static str,
}

impl Write {
    /// Counts a row whose stored columns are `before` and new ones `after`:
    /// `None` when they agree (nothing to write), else the statement to run
    /// and the action to audit.
    pub(crate) fn tally<T: PartialEq>(
        &self,
        counts: &mut PlanCounts,
        before: Option<&T>,
        after: &T,
    ) -> Option<(&'static str, Action)> {
        match before {
            Some(b) if b == after => {
                counts.unchanged += 1;
                None
            }
            Some(_) => {
                counts.updated += 1;
                Some((self.update, Action::Update))
            }
            None => {
                counts.inserted += 1;
                Some((self.insert, Action::Insert))
            }
        }
    }

    /// Writes a row whose stored columns are `before` and new ones `after`
    /// unless they agree: the statement [`Write::tally`] picks, bound to
    /// `vals`, its change noted for the audit under `entity` and `key`.
    pub(crate) async fn apply<T: PartialEq + serde::Serialize>(
        &self,
        conn: &mut sqlx::AnyConnection,
        counts: &mut PlanCounts,
        audits: &mut Vec<AuditEntry>,
        (entity, key): (Entity, String),
        (before, after): (Option<&T>, &T),
        vals: &[Val],
    ) -> Result<(), StoreError> {
        let Some((sql, action)) = self.tally(counts, before, after) else {
            return Ok(());
        };
        bind_all(sqlx::query(sql), vals).execute(&mut *conn).await?;
        audits.push(AuditEntry::change(action, entity, key, before, Some(after)));
        Ok(())
    }
}

/// A statistic value to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatisticRow {
    pub region: String,
    pub year: i32,
    pub key: String,
    pub value: i64,
    pub source: String,
}

impl Store {
    /// Loads indicator definitions and the statistics they may use
    /// (the latter as vocabulary terms of kind `statistic`). Idempotent.
    pub async fn load_indicators(
        &self,
        set: &IndicatorSet,
        actor: &Actor,
    ) -> Result<PlanCounts, StoreError> {
        let mut tx = self.begin().await?;
        let mut counts = PlanCounts::default();
        let mut audits = Vec::new();
        for (pos, ind) in set.indicators.iter().enumerate() {
            store_indicator(&mut tx, pos, ind, &mut counts, &mut audits).await?;
        }
        for s in &set.statistics {
            store_statistic_def(&mut tx, s, &mut audits).await?;
        }
        crate::audit::write(&mut tx, actor, None, &audits).await?;
        tx.commit().await?;
        Ok(counts)
    }

    /// The stored indicators and statistics definitions, in file order.
    pub async fn indicator_set(&self) -> Result<IndicatorSet, StoreError> {
        let rows = sqlx::query(
            "SELECT code, name_zh, unit, decimals, formula, definition, source FROM indicators ORDER BY position, code",
        )
        .fetch_all(self.pool())
        .await?;
        let mut set = IndicatorSet::default();
        for r in rows {
            let code: String = r.try_get("code")?;
            let formula: String = r.try_get("formula")?;
            let kind: IndicatorKind = serde_json::from_str(&formula)
                .map_err(|e| StoreError::Corrupt(format!("指标 {code} 的公式无法解析：{e}")))?;
            set.indicators.push(Indicator {
                code,
                name: r.try_get("name_zh")?,
                unit: r.try_get("unit")?,
                decimals: r.try_get::<i64, _>("decimals")? as u32,
                kind,
                definition: r.try_get("definition")?,
                source: r.try_get("source")?,
            });
        }
        let stats = sqlx::query(
            "SELECT term, description FROM vocabulary WHERE kind = 'statistic' ORDER BY term",
        )
        .fetch_all(self.pool())
        .await?;
        for r in stats {
            let desc: String = r.try_get("description")?;
            let (name, unit) = desc.split_once('|').unwrap_or((desc.as_str(), ""));
            set.statistics.push(StatisticDef {
                key: r.try_get("term")?,
                name: name.to_string(),
                unit: unit.to_string(),
            });
        }
        Ok(set)
    }

    /// Stores statistics in one transaction: new keys inserted, changed
    /// values updated, the same values left alone.
    pub async fn import_statistics(
        &self,
        rows: &[StatisticRow],
        actor: &Actor,
    ) -> Result<PlanCounts, StoreError> {
        let mut tx = self.begin().await?;
        let mut counts = PlanCounts::default();
        let mut audits = Vec::new();
        for r in rows {
            let stored: Option<i64> = sqlx::query_scalar(
                "SELECT value FROM statistics WHERE region_code = $1 AND year = $2 AND stat_key = $3",
            )
            .bind(r.region.as_str())
            .bind(r.year as i64)
            .bind(r.key.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let write = Write {
                update: "UPDATE statistics SET value = $4, source = $5, updated_at = $6 WHERE region_code = $1 AND year = $2 AND stat_key = $3",
                insert: "INSERT INTO statistics (region_code, year, stat_key, value, source, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
            };
            let key = format!("{}/{}/{}", r.region, r.year, r.key);
            let vals = [
                Val::text(r.region.as_str()),
                Val::int(r.year as i64),
                Val::text(r.key.as_str()),
                Val::int(r.value),
                Val::text(r.source.as_str()),
                Val::text(crate::audit::now()),
            ];
            let (target, change) = ((Entity::Statistic, key), (stored.as_ref(), &r.value));
            write
                .apply(&mut tx, &mut counts, &mut audits, target, change, &vals)
                .await?;
        }
        crate::audit::write(&mut tx, actor, None, &audits).await?;
        tx.commit().await?;
        Ok(counts)
    }

    /// The name of a region (全国 for 000000), if known.
    pub async fn region_name(&self, code: &str) -> Result<Option<String>, StoreError> {
        if code == jineng_domain::planning::NATIONAL {
            return Ok(Some("全国".into()));
        }
        Ok(
            sqlx::query_scalar("SELECT name FROM regions WHERE code = $1")
                .bind(code)
                .fetch_optional(self.pool())
                .await?,
        )
    }
}

/// An indicator's stored columns: name, unit, decimals, kind, formula,
/// definition, source, position.
type IndicatorColumns = (String, String, i64, String, String, String, String, i64);

/// Inserts or updates one indicator at file position `pos`, counting the
/// outcome and noting the change for the audit.
async fn store_indicator(
    conn: &mut sqlx::AnyConnection,
    pos: usize,
    ind: &Indicator,
    counts: &mut PlanCounts,
    audits: &mut Vec<AuditEntry>,
) -> Result<(), StoreError> {
    let before = stored_indicator(conn, ind.code.as_str()).await?;
    let now: IndicatorColumns = (
        ind.name.clone(),
        ind.unit.clone(),
        ind.decimals as i64,
        ind.kind_code().to_string(),
        ind.formula_json(),
        ind.definition.clone(),
        ind.source.clone(),
        pos as i64,
    );
    let write = Write {
        update: "UPDATE indicators SET name_zh = $2, unit = $3, decimals = $4, kind = $5, formula = $6, definition = $7, source = $8, position = $9, updated_at = $10 WHERE code = $1",
        insert: "INSERT INTO indicators (code, name_zh, unit, decimals, kind, formula, definition, source, position, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    };
    let vals = [
        Val::text(ind.code.as_str()),
        Val::text(now.0.as_str()),
        Val::text(now.1.as_str()),
        Val::int(now.2),
        Val::text(now.3.as_str()),
        Val::text(now.4.as_str()),
        Val::text(now.5.as_str()),
        Val::text(now.6.as_str()),
        Val::int(now.7),
        Val::text(crate::audit::now()),
    ];
    let target = (Entity::Indicator, ind.code.clone());
    write
        .apply(conn, counts, audits, target, (before.as_ref(), &now), &vals)
        .await
}

/// The stored columns of indicator `code`, if it is stored.
async fn stored_indicator(
    conn: &mut sqlx::AnyConnection,
    code: &str,
) -> Result<Option<IndicatorColumns>, StoreError> {
    let stored = sqlx::query(
        "SELECT name_zh, unit, decimals, kind, formula, definition, source, position FROM indicators WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = stored else {
        return Ok(None);
    };
    Ok(Some((
        r.try_get::<String, _>("name_zh")?,
        r.try_get::<String, _>("unit")?,
        r.try_get::<i64, _>("decimals")?,
        r.try_get::<String, _>("kind")?,
        r.try_get::<String, _>("formula")?,
        r.try_get::<String, _>("definition")?,
        r.try_get::<String, _>("source")?,
        r.try_get::<i64, _>("position")?,
    )))
}

/// Stores one statistic definition as a vocabulary term of kind
/// `statistic` ("name|unit"), noting a change for the audit.
async fn store_statistic_def(
    conn: &mut sqlx::AnyConnection,
    s: &StatisticDef,
    audits: &mut Vec<AuditEntry>,
) -> Result<(), StoreError> {
    let text = format!("{}|{}", s.name, s.unit);
    let stored: Option<String> = sqlx::query_scalar(
        "SELECT description FROM vocabulary WHERE kind = 'statistic' AND term = $1",
    )
    .bind(s.key.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    if stored.as_deref() == Some(text.as_str()) {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO vocabulary (kind, term, description) VALUES ('statistic', $1, $2)
         ON CONFLICT (kind, term) DO UPDATE SET description = excluded.description",
    )
    .bind(s.key.as_str())
    .bind(text.as_str())
    .execute(&mut *conn)
    .await?;
    audits.push(AuditEntry::change(
        Action::Upsert,
        Entity::StatisticDef,
        s.key.clone(),
        stored.as_ref(),
        Some(&text),
    ));
    Ok(())
}
