//! Targets in the database. A file's rows are written in one transaction;
//! a parent whose breakdown the file gives has exactly the file's parts
//! afterwards (parts stored earlier and absent from the file are removed),
//! so importing the same file twice changes nothing.

use super::{PlanCounts, Write};
use crate::audit::{Actor, AuditEntry};
use crate::sql::Val;
use crate::{Store, StoreError};
use jineng_domain::audit::{Action, Entity};
use jineng_domain::planning::{BreakdownRule, ExistingTarget, Period, Target, TargetRow};
use sqlx::Row;
use std::collections::BTreeSet;

impl Store {
    /// The stored target of `region` itself (not a part) for `indicator`
    /// over `period`, the parent of parts imported on their own.
    pub async fn parent_target(
        &self,
        indicator: &str,
        period: Period,
        region: &str,
    ) -> Result<Option<ExistingTarget>, StoreError> {
        let row = sqlx::query(
            "SELECT name, value, rule FROM targets
             WHERE indicator = $1 AND year_from = $2 AND year_to = $3 AND region_code = $4 AND parent_code <> region_code
             ORDER BY parent_code LIMIT 1",
        )
        .bind(indicator)
        .bind(period.from as i64)
        .bind(period.to as i64)
        .bind(region)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(ExistingTarget {
                name: r.try_get("name")?,
                value: r.try_get("value")?,
                rule: BreakdownRule::from_code(&r.try_get::<String, _>("rule")?),
            })
        })
        .transpose()
    }

    /// Writes a checked targets file in one transaction.
    pub async fn import_targets(
        &self,
        file_name: &str,
        rows: &[TargetRow],
        actor: &Actor,
    ) -> Result<PlanCounts, StoreError> {
        let mut tx = self.begin().await?;
        let mut counts = PlanCounts::default();
        let mut audits = Vec::new();
        let now = crate::audit::now();
        for r in rows {
            store_target_row(&mut tx, file_name, r, &now, &mut counts, &mut audits).await?;
        }
        drop_absent_parts(&mut tx, rows, &mut counts, &mut audits).await?;
        crate::audit::write(&mut tx, actor, None, &audits).await?;
        tx.commit().await?;
        Ok(counts)
    }

    /// Every stored target, in file order.
    pub async fn targets(&self) -> Result<Vec<Target>, StoreError> {
        let rows = sqlx::query(
            "SELECT indicator, year_from, year_to, region_code, parent_code, name, value FROM targets
             ORDER BY file_name, file_row, target_id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Target {
                    indicator: r.try_get("indicator")?,
                    period: Period {
                        from: r.try_get::<i64, _>("year_from")? as i32,
                        to: r.try_get::<i64, _>("year_to")? as i32,
                    },
                    region: r.try_get("region_code")?,
                    parent: r.try_get("parent_code")?,
                    name: r.try_get("name")?,
                    value: r.try_get("value")?,
                })
            })
            .collect()
    }
}

/// Inserts or updates one row of a targets file, counting the outcome and
/// noting the change for the audit.
async fn store_target_row(
    conn: &mut sqlx::AnyConnection,
    file_name: &str,
    r: &TargetRow,
    now: &str,
    counts: &mut PlanCounts,
    audits: &mut Vec<AuditEntry>,
) -> Result<(), StoreError> {
    let stored = sqlx::query(
        "SELECT name, value, rule, source FROM targets
         WHERE indicator = $1 AND year_from = $2 AND year_to = $3 AND region_code = $4 AND parent_code = $5",
    )
    .bind(r.indicator.as_str())
    .bind(r.period.from as i64)
    .bind(r.period.to as i64)
    .bind(r.region.as_str())
    .bind(r.parent.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let before = match stored {
        Some(s) => Some((
            s.try_get::<String, _>("name")?,
            s.try_get::<i64, _>("value")?,
            s.try_get::<String, _>("rule")?,
            s.try_get::<String, _>("source")?,
        )),
        None => None,
    };
    let after = (
        r.name.clone(),
        r.value,
        r.rule.code().to_string(),
        r.source.clone(),
    );
    // The key (indicator, years, region, parent) is unique: both statements
    // name the row by it.
    let write = Write {
        update: "UPDATE targets SET name = $6, value = $7, rule = $8, source = $9, file_name = $10, file_row = $11, updated_at = $12
                 WHERE indicator = $1 AND year_from = $2 AND year_to = $3 AND region_code = $4 AND parent_code = $5",
        insert: "INSERT INTO targets (indicator, year_from, year_to, region_code, parent_code, name, value, rule, source, file_name, file_row, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    };
    let vals = [
        Val::text(r.indicator.as_str()),
        Val::int(r.period.from as i64),
        Val::int(r.period.to as i64),
        Val::text(r.region.as_str()),
        Val::text(r.parent.as_str()),
        Val::text(r.name.as_str()),
        Val::int(r.value),
        Val::text(r.rule.code()),
        Val::text(r.source.as_str()),
        Val::text(file_name),
        Val::int(r.row as i64),
        Val::text(now),
    ];
    let key = format!(
        "{}/{}-{}/{}/{}",
        r.indicator, r.period.from, r.period.to, r.region, r.parent
    );
    let target = (Entity::Target, key);
    write
        .apply(
            conn,
            counts,
            audits,
            target,
            (before.as_ref(), &after),
            &vals,
        )
        .await
}

/// The file gives these breakdowns in full: drops the stored parts of each
/// parent it breaks down that the file no longer has.
async fn drop_absent_parts(
    conn: &mut sqlx::AnyConnection,
    rows: &[TargetRow],
    counts: &mut PlanCounts,
    audits: &mut Vec<AuditEntry>,
) -> Result<(), StoreError> {
    let groups: BTreeSet<(String, Period, String)> = rows
        .iter()
        .filter(|r| !r.parent.is_empty())
        .map(|r| (r.indicator.clone(), r.period, r.parent.clone()))
        .collect();
    for (indicator, period, parent) in groups {
        let stored = sqlx::query(
            "SELECT target_id, region_code, name, value FROM targets
             WHERE indicator = $1 AND year_from = $2 AND year_to = $3 AND parent_code = $4",
        )
        .bind(indicator.as_str())
        .bind(period.from as i64)
        .bind(period.to as i64)
        .bind(parent.as_str())
        .fetch_all(&mut *conn)
        .await?;
        for s in stored {
            let region: String = s.try_get("region_code")?;
            let kept = rows.iter().any(|r| {
                r.indicator == indicator
                    && r.period == period
                    && r.parent == parent
                    && r.region == region
            });
            if kept {
                continue;
            }
            sqlx::query("DELETE FROM targets WHERE target_id = $1")
                .bind(s.try_get::<i64, _>("target_id")?)
                .execute(&mut *conn)
                .await?;
            counts.removed += 1;
            let before = (
                s.try_get::<String, _>("name")?,
                s.try_get::<i64, _>("value")?,
            );
            audits.push(AuditEntry::change(
                Action::Delete,
                Entity::Target,
                format!(
                    "{indicator}/{}-{}/{region}/{parent}",
                    period.from, period.to
                ),
                Some(&before),
                None,
            ));
        }
    }
    Ok(())
}
