//! The planning reads and writes of the web platform, confined to an
//! account's scope: a region's dashboard only for the scope's own region
//! and the regions inside it (never a parent or a sibling); the task tables
//! that bind the scope's region (its own, those of the regions inside it,
//! and those of the regions above it, whose tables name it); a progress
//! report only on a task of a region inside the scope. Outside the scope
//! and non-existent give the same refusal, as in `scoped.rs`.

use super::{DashboardData, TaskView};
use crate::audit::Actor;
use crate::{Store, StoreError};
use chrono::NaiveDate;
use jineng_domain::RegionCode;
use jineng_domain::access::Scope;
use jineng_domain::planning::{NATIONAL, Period, TaskStatus};
use sqlx::Row;

fn region_refused(code: &str) -> StoreError {
    StoreError::OutOfScope(format!("地区「{code}」不存在或不在您的管理范围内"))
}

/// `code` as a region inside `scope`: six digits, in the scope's subtree.
fn inside(scope: &Scope, code: &str) -> Option<RegionCode> {
    if code.len() != 6 {
        return None;
    }
    let c = RegionCode::parse(code).ok()?;
    scope.contains_region(&c).then_some(c)
}

/// Whether a task of region `task` binds an account of region `own`: it is
/// the region's own, of a region inside it, or of a region above it.
fn binds(own: &RegionCode, task: &str) -> bool {
    if task == NATIONAL {
        return true;
    }
    RegionCode::parse(task).is_ok_and(|t| own.contains(&t) || t.contains(own))
}

/// A task report to record, as a form gives it. A value the form's text
/// did not parse into is kept as the refusal it earns, reported only after
/// the scope check: a task outside the scope is refused as such whatever
/// else the form holds.
#[derive(Debug, Clone)]
pub struct TaskReportInput<'a> {
    pub doc: &'a str,
    pub no: i64,
    pub unit: &'a str,
    pub reported_on: Result<NaiveDate, String>,
    pub status: Result<TaskStatus, String>,
    pub note: &'a str,
}

impl Store {
    /// [`Store::dashboard_data`] for a region inside `scope`.
    pub async fn scoped_dashboard_data(
        &self,
        scope: &Scope,
        region: &str,
        period: Period,
    ) -> Result<DashboardData, StoreError> {
        if inside(scope, region).is_none() {
            return Err(region_refused(region));
        }
        match self.dashboard_data(region, period).await {
            Err(StoreError::NotFound(_)) => Err(region_refused(region)),
            other => other,
        }
    }

    /// The years covered by the targets of `region` and of its parts
    /// (`upper`: also of the regions above it), ascending: what a
    /// dashboard can be opened for.
    pub async fn target_years(&self, region: &str, upper: bool) -> Result<Vec<i32>, StoreError> {
        let own = RegionCode::parse(region).ok();
        let mut years: Vec<i32> = Vec::new();
        for t in self.targets().await? {
            let code = RegionCode::parse(&t.region).ok();
            let below = t.region == region
                || t.parent == region
                || own
                    .as_ref()
                    .zip(code.as_ref())
                    .is_some_and(|(o, c)| o.contains(c));
            let above = t.region == NATIONAL
                || own
                    .as_ref()
                    .zip(code.as_ref())
                    .is_some_and(|(o, c)| c.contains(o));
            if below || (upper && above) {
                years.extend(t.period.from..=t.period.to);
            }
        }
        years.sort_unstable();
        years.dedup();
        Ok(years)
    }

    /// The tasks (of one document, or all) that bind the scope's region.
    /// Other scopes see none.
    pub async fn scoped_tasks(
        &self,
        scope: &Scope,
        doc: Option<&str>,
    ) -> Result<Vec<TaskView>, StoreError> {
        let Scope::Region(own) = scope else {
            return Ok(Vec::new());
        };
        Ok(self
            .tasks(doc)
            .await?
            .into_iter()
            .filter(|t| binds(own, &t.region))
            .collect())
    }

    /// The documents of the task tables that bind the scope's region.
    pub async fn scoped_task_docs(&self, scope: &Scope) -> Result<Vec<String>, StoreError> {
        let Scope::Region(own) = scope else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query("SELECT DISTINCT doc, region_code FROM tasks ORDER BY doc")
            .fetch_all(self.pool())
            .await?;
        let mut docs: Vec<String> = Vec::new();
        for r in rows {
            let (doc, region): (String, String) = (r.try_get("doc")?, r.try_get("region_code")?);
            if binds(own, &region) && !docs.contains(&doc) {
                docs.push(doc);
            }
        }
        Ok(docs)
    }

    /// Records a responsible unit's report on a task of a region inside
    /// `scope` ([`Store::report_task`]: audited, the unit must be the lead
    /// or a co-unit).
    pub async fn scoped_report_task(
        &self,
        scope: &Scope,
        input: &TaskReportInput<'_>,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let refused = || {
            StoreError::OutOfScope(format!(
                "任务「{}」第 {} 项不存在或不在您的管理范围内",
                input.doc, input.no
            ))
        };
        let region: Option<String> =
            sqlx::query_scalar("SELECT region_code FROM tasks WHERE doc = $1 AND task_no = $2")
                .bind(input.doc)
                .bind(input.no)
                .fetch_optional(self.pool())
                .await?;
        match region {
            Some(r) if inside(scope, &r).is_some() => {}
            _ => return Err(refused()),
        }
        let status = input.status.clone().map_err(StoreError::Refused)?;
        let date = input.reported_on.clone().map_err(StoreError::Refused)?;
        if input.unit.trim().is_empty() {
            return Err(StoreError::Refused("请选择报告进展的责任单位".into()));
        }
        self.report_task(
            input.doc,
            input.no,
            input.unit.trim(),
            date,
            status,
            input.note.trim(),
            actor,
        )
        .await
    }

    /// What the public fund-use page offers: the regions with money paid
    /// (county-level codes of the aggregate, with the cities and provinces
    /// above them), by code with their names, and the years paid in.
    pub async fn fund_use_choices(&self) -> Result<(Vec<(String, String)>, Vec<i32>), StoreError> {
        self.refresh_facts(false).await?;
        let rows = sqlx::query(
            "SELECT DISTINCT region_code, year FROM plan_facts WHERE measure = 'paid' ORDER BY region_code, year",
        )
        .fetch_all(self.pool())
        .await?;
        let mut codes = std::collections::BTreeSet::new();
        let mut years = std::collections::BTreeSet::new();
        for r in rows {
            let code: String = r.try_get("region_code")?;
            years.insert(r.try_get::<i64, _>("year")? as i32);
            if let Ok(c) = RegionCode::parse(&code) {
                codes.insert(c.province().as_str().to_string());
                if let Some(p) = c.prefecture() {
                    codes.insert(p.as_str().to_string());
                }
                codes.insert(code);
            }
        }
        let mut regions = Vec::new();
        for code in codes {
            if let Some(name) = self.region_name(&code).await? {
                regions.push((code, name));
            }
        }
        Ok((regions, years.into_iter().collect()))
    }
}
