//! The task tables (重点任务分工) and the progress the responsible units
//! report on them.

use super::{PlanCounts, Write};
use crate::audit::Actor;
use crate::row::Typed;
use crate::sql::Val;
use crate::{Store, StoreError};
use chrono::NaiveDate;
use jineng_domain::audit::{Action, Entity};
use jineng_domain::planning::{TaskRow, TaskStatus};
use serde::Serialize;
use sqlx::Row;

/// A task with the latest report of each unit that reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskView {
    pub doc: String,
    pub no: i64,
    pub region: String,
    pub heading: String,
    pub requirement: String,
    pub lead_unit: String,
    pub co_units: Vec<String>,
    pub due: Option<NaiveDate>,
    pub reports: Vec<TaskReport>,
}

/// A unit's report on a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskReport {
    pub unit: String,
    pub reported_on: NaiveDate,
    pub status: TaskStatus,
    pub note: String,
}

impl Store {
    /// Writes task rows in one transaction, keyed by document and number.
    pub async fn import_tasks(
        &self,
        rows: &[TaskRow],
        actor: &Actor,
    ) -> Result<PlanCounts, StoreError> {
        let mut tx = self.begin().await?;
        let mut counts = PlanCounts::default();
        let mut audits = Vec::new();
        for r in rows {
            let (lead, co) = r.units();
            let after = (
                r.region.clone(),
                r.heading.clone(),
                r.requirement.clone(),
                lead,
                co.join("、"),
                r.due.clone(),
            );
            let stored = sqlx::query(
                "SELECT task_id, region_code, heading, requirement, lead_unit, co_units, due FROM tasks WHERE doc = $1 AND task_no = $2",
            )
            .bind(r.doc.as_str())
            .bind(r.no)
            .fetch_optional(&mut *tx)
            .await?;
            let before = match &stored {
                Some(s) => Some((
                    s.try_get::<String, _>("region_code")?,
                    s.try_get::<String, _>("heading")?,
                    s.try_get::<String, _>("requirement")?,
                    s.try_get::<String, _>("lead_unit")?,
                    s.try_get::<String, _>("co_units")?,
                    s.try_get::<Option<String>, _>("due")?,
                )),
                None => None,
            };
            let write = Write {
                update: "UPDATE tasks SET region_code = $3, heading = $4, requirement = $5, lead_unit = $6, co_units = $7, due = $8, updated_at = $9 WHERE doc = $1 AND task_no = $2",
                insert: "INSERT INTO tasks (doc, task_no, region_code, heading, requirement, lead_unit, co_units, due, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            };
            let vals = [
                Val::text(r.doc.as_str()),
                Val::int(r.no),
                Val::text(after.0.as_str()),
                Val::text(after.1.as_str()),
                Val::text(after.2.as_str()),
                Val::text(after.3.as_str()),
                Val::text(after.4.as_str()),
                Val::opt_text(after.5.as_deref()),
                Val::text(crate::audit::now()),
            ];
            let target = (Entity::Task, format!("{}/{}", r.doc, r.no));
            let change = (before.as_ref(), &after);
            write
                .apply(&mut tx, &mut counts, &mut audits, target, change, &vals)
                .await?;
        }
        crate::audit::write(&mut tx, actor, None, &audits).await?;
        tx.commit().await?;
        Ok(counts)
    }

    /// Records a unit's progress on a task; the same unit reporting again
    /// on the same day replaces its report. The unit must be responsible
    /// for the task.
    #[allow(clippy::too_many_arguments)]
    pub async fn report_task(
        &self,
        doc: &str,
        no: i64,
        unit: &str,
        reported_on: NaiveDate,
        status: TaskStatus,
        note: &str,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let task = sqlx::query(
            "SELECT task_id, lead_unit, co_units FROM tasks WHERE doc = $1 AND task_no = $2",
        )
        .bind(doc)
        .bind(no)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("没有任务「{doc}」第 {no} 项")))?;
        let lead: String = task.try_get("lead_unit")?;
        let co: String = task.try_get("co_units")?;
        if lead != unit && !co.split('、').any(|u| u == unit) {
            return Err(StoreError::Refused(format!(
                "「{unit}」不是「{doc}」第 {no} 项的责任单位（牵头单位：{lead}；配合单位：{}）",
                if co.is_empty() { "无" } else { co.as_str() }
            )));
        }
        let task_id: i64 = task.try_get("task_id")?;
        sqlx::query(
            "INSERT INTO task_reports (task_id, unit, reported_on, status, note, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (task_id, unit, reported_on) DO UPDATE SET status = excluded.status, note = excluded.note, actor = excluded.actor, at = excluded.at",
        )
        .bind(task_id)
        .bind(unit)
        .bind(reported_on.to_string())
        .bind(status.code())
        .bind(note)
        .bind(actor.0.as_str())
        .bind(crate::audit::now())
        .execute(&mut *tx)
        .await?;
        let after = (unit, reported_on.to_string(), status.code(), note);
        crate::audit::write_change(
            &mut tx,
            actor,
            Action::Report,
            Entity::Task,
            format!("{doc}/{no}"),
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The tasks (of one document, or all), each with the latest report of
    /// every unit that reported.
    pub async fn tasks(&self, doc: Option<&str>) -> Result<Vec<TaskView>, StoreError> {
        let rows = sqlx::query(
            "SELECT task_id, doc, task_no, region_code, heading, requirement, lead_unit, co_units, due FROM tasks
             WHERE $1 = '' OR doc = $1 ORDER BY doc, task_no",
        )
        .bind(doc.unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        let reports = sqlx::query(
            "SELECT task_id, unit, reported_on, status, note FROM task_reports ORDER BY task_id, unit, reported_on",
        )
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: i64 = r.try_get("task_id")?;
            let mut latest: Vec<TaskReport> = Vec::new();
            for p in reports
                .iter()
                .filter(|p| p.try_get::<i64, _>("task_id").ok() == Some(id))
            {
                let rep = TaskReport {
                    unit: p.try_get("unit")?,
                    reported_on: p.day("reported_on")?,
                    status: p.code("status", TaskStatus::from_code)?,
                    note: p.try_get("note")?,
                };
                // Ordered by date: a later report of a unit replaces its earlier one.
                latest.retain(|l| l.unit != rep.unit);
                latest.push(rep);
            }
            let co: String = r.try_get("co_units")?;
            out.push(TaskView {
                doc: r.try_get("doc")?,
                no: r.try_get("task_no")?,
                region: r.try_get("region_code")?,
                heading: r.try_get("heading")?,
                requirement: r.try_get("requirement")?,
                lead_unit: r.try_get("lead_unit")?,
                co_units: co
                    .split('、')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
                due: r.opt_day("due")?,
                reports: latest,
            });
        }
        Ok(out)
    }
}
