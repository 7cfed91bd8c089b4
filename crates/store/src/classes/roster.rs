//! A class's roster (花名册) on the web: the enrolled trainees with their
//! hours and completion, read within the scope; enrolment, attendance and
//! completion written by the clerk of the class's own institution.
//!
//! Writes go through the same path as an uploaded 花名册
//! ([`Store::import_roster`]: the real-name check, the planned-hours bound,
//! the upsert with its before/after audit rows), as one import batch per
//! form. A form is first run as a dry run, so a refused row writes nothing.

use crate::audit::{Actor, AuditEntry};
use crate::claims::scoped::{Subject, filter};
use crate::imports::batch::{BatchSummary, RowOutcome};
use crate::row::Typed;
use crate::sql::{Val, bind_all};
use crate::{Store, StoreError};
use chrono::NaiveDate;
use jineng_domain::access::Scope;
use jineng_domain::audit::{Action, Entity};
use jineng_domain::national_id::mask_id;
use jineng_domain::records::{PersonRecord, RosterRecord};
use jineng_domain::{ClassStatus, CompletionResult, CreditCode, NationalId};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

/// The class a roster belongs to.
#[derive(Debug, Clone, Serialize)]
pub struct RosterClass {
    pub class_id: i64,
    pub class_no: String,
    pub institution_id: i64,
    pub institution: String,
    pub institution_code: String,
    pub training_type: String,
    pub occupation_name: String,
    pub skill_level: Option<i64>,
    pub site_region: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub planned_hours: i64,
    pub status: ClassStatus,
}

/// One trainee of a roster; the ID number masked.
#[derive(Debug, Clone, Serialize)]
pub struct RosterLine {
    pub person_id: i64,
    pub name: String,
    pub id_number: String,
    pub offline_hours: i64,
    pub online_hours: i64,
    /// passed | failed | not_finished
    pub completion: String,
    pub completion_zh: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Roster {
    pub class: RosterClass,
    pub lines: Vec<RosterLine>,
}

/// Hours and completion of one enrolled trainee, as a clerk enters them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendance {
    pub person_id: i64,
    pub offline_hours: i64,
    pub online_hours: i64,
    pub completion: CompletionResult,
}

/// The refusal of an enrolment whose name is not the one registered for
/// the ID number.
pub const IMPERSONATION: &str =
    "姓名与该身份证号码已登记的姓名不一致（疑似冒名），请核对姓名和身份证号码";

fn out_of_scope() -> StoreError {
    StoreError::OutOfScope("该培训班不存在或不在您的管理范围内".into())
}

/// Every rejection of an import, one line per row, for a refusal.
fn refusal(outcomes: &[(u64, RowOutcome)], label: &dyn Fn(u64) -> String) -> Option<String> {
    let lines: Vec<String> = outcomes
        .iter()
        .filter_map(|(n, o)| match o {
            RowOutcome::Rejected(errs) => Some(
                errs.iter()
                    .map(|e| format!("{}「{}」：{}", label(*n), e.column, e.message))
                    .collect::<Vec<_>>()
                    .join("；"),
            ),
            _ => None,
        })
        .collect();
    (!lines.is_empty()).then(|| lines.join("；"))
}

impl Store {
    /// A class in scope with its roster; outside the scope (or missing) it
    /// is `OutOfScope`.
    pub async fn scoped_roster(&self, scope: &Scope, class_id: i64) -> Result<Roster, StoreError> {
        let r = self
            .scoped_class_row(scope, class_id)
            .await?
            .ok_or_else(out_of_scope)?;
        let class = RosterClass {
            class_id: r.try_get("class_id")?,
            class_no: r.try_get("class_no")?,
            institution_id: r.try_get("institution_id")?,
            institution: r.try_get("institution")?,
            institution_code: r.try_get("credit_code")?,
            training_type: r.try_get("training_type")?,
            occupation_name: r.try_get("occ")?,
            skill_level: r.try_get("skill_level")?,
            site_region: r.try_get("site")?,
            start_date: r.day("start_date")?,
            end_date: r.day("end_date")?,
            planned_hours: r.try_get("planned_hours")?,
            status: r.code("status", ClassStatus::from_code)?,
        };
        let rows = sqlx::query(
            "SELECT p.person_id, p.name, p.id_number, e.offline_hours, e.online_hours, e.completion \
             FROM enrolments e JOIN persons p ON p.person_id = e.person_id \
             WHERE e.class_id = $1 ORDER BY p.name, p.person_id",
        )
        .bind(class_id)
        .fetch_all(self.pool())
        .await?;
        let lines = rows
            .iter()
            .map(|r| {
                let completion: String = r.try_get("completion")?;
                Ok(RosterLine {
                    person_id: r.try_get("person_id")?,
                    name: r.try_get("name")?,
                    id_number: mask_id(&r.try_get::<String, _>("id_number")?),
                    offline_hours: r.try_get("offline_hours")?,
                    online_hours: r.try_get("online_hours")?,
                    completion_zh: CompletionResult::zh_of_code(&completion),
                    completion,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Roster { class, lines })
    }

    /// The class an institution clerk may edit: its own, not yet closed.
    async fn editable_class(&self, scope: &Scope, class_id: i64) -> Result<Roster, StoreError> {
        if !matches!(scope, Scope::Institution(_)) {
            return Err(out_of_scope());
        }
        let roster = self.scoped_roster(scope, class_id).await?;
        if roster.class.status == ClassStatus::Closed {
            return Err(StoreError::Refused(format!(
                "培训班「{}」已结业，花名册、课时和结业结果不能再修改",
                roster.class.class_no
            )));
        }
        Ok(roster)
    }

    /// Runs roster rows through the 花名册 import: first as a dry run, then,
    /// if no row is refused, for real. Returns the batch's counts.
    async fn write_roster(
        &self,
        class: &RosterClass,
        rows: Vec<(u64, RosterRecord)>,
        label: &(dyn Fn(u64) -> String + Sync),
        actor: &Actor,
    ) -> Result<BatchSummary, StoreError> {
        let name = format!("网页花名册：{}", class.class_no);
        let dry = self.start_batch("roster", &name, "", actor, true).await?;
        if let Some(why) = refusal(&self.import_roster(&dry, &rows).await?, label) {
            return Err(StoreError::Refused(why));
        }
        let batch = self.start_batch("roster", &name, "", actor, false).await?;
        let out = self.import_roster(&batch, &rows).await?;
        let mut summary = BatchSummary::default();
        out.iter().for_each(|(_, o)| summary.count(o));
        self.finish_batch(&batch, &summary).await?;
        if let Some(why) = refusal(&out, label) {
            // A concurrent change between the two runs; the rest stands.
            return Err(StoreError::Refused(why));
        }
        Ok(summary)
    }

    /// Enrols a person (by ID number and name, 实名) in a class of the
    /// clerk's institution. A person not yet in the registry is first
    /// registered from `new_person` (the persons template's validated
    /// record); without it an unknown ID is refused.
    pub async fn enrol_trainee(
        &self,
        scope: &Scope,
        class_id: i64,
        id: &NationalId,
        name: &str,
        new_person: Option<&PersonRecord>,
        actor: &Actor,
    ) -> Result<BatchSummary, StoreError> {
        let roster = self.editable_class(scope, class_id).await?;
        let class = &roster.class;
        let registered: Option<(i64, String)> =
            sqlx::query_as("SELECT person_id, name FROM persons WHERE id_number = $1")
                .bind(id.as_str())
                .fetch_optional(self.pool())
                .await?;
        // 实名: a known ID under another name is 冒名, whether or not that
        // person is on the roster (the registered name is not revealed).
        if registered.as_ref().is_some_and(|(_, n)| n != name) {
            return Err(StoreError::Refused(IMPERSONATION.into()));
        }
        let known = registered.map(|(pid, _)| pid);
        if known.is_some_and(|pid| roster.lines.iter().any(|l| l.person_id == pid)) {
            return Err(StoreError::Refused(format!(
                "「{name}」已在培训班「{}」的花名册中",
                class.class_no
            )));
        }
        if known.is_none() {
            let Some(p) = new_person.filter(|p| p.id == *id && p.name == name) else {
                return Err(StoreError::Refused(
                    "该身份证号码尚未登记人员信息：请填写性别、户籍地等信息后一并登记".into(),
                ));
            };
            let batch = self
                .start_batch(
                    "persons",
                    &format!("网页登记：{}", class.class_no),
                    "",
                    actor,
                    false,
                )
                .await?;
            let out = self.import_persons(&batch, &[(1, p.clone())]).await?;
            let mut summary = BatchSummary::default();
            out.iter().for_each(|(_, o)| summary.count(o));
            self.finish_batch(&batch, &summary).await?;
            if let Some(why) = refusal(&out, &|_| "人员信息".into()) {
                return Err(StoreError::Refused(why));
            }
        }
        let institution = CreditCode::parse(&class.institution_code)
            .map_err(|e| StoreError::Corrupt(e.message().to_string()))?;
        let row = RosterRecord {
            class_no: class.class_no.clone(),
            institution,
            name: name.to_string(),
            id: id.clone(),
            offline_hours: 0,
            online_hours: 0,
            completion: CompletionResult::NotFinished,
        };
        let summary = self
            .write_roster(class, vec![(1, row)], &|_| "报名".into(), actor)
            .await?;
        self.audit_roster(
            Action::Enrol,
            class,
            None,
            Some(serde_json::json!({ "class_no": class.class_no, "name": name })),
            actor,
        )
        .await?;
        Ok(summary)
    }

    /// Records hours and completion of trainees enrolled in a class of the
    /// clerk's institution: one row per trainee, all or nothing. Hours may
    /// not be negative, and offline + online may not exceed the class's
    /// planned hours (the bound of the 花名册 import).
    pub async fn record_attendance(
        &self,
        scope: &Scope,
        class_id: i64,
        entries: &[Attendance],
        actor: &Actor,
    ) -> Result<BatchSummary, StoreError> {
        let roster = self.editable_class(scope, class_id).await?;
        let class = &roster.class;
        let records = entries.iter().any(|e| {
            e.offline_hours != 0
                || e.online_hours != 0
                || e.completion != CompletionResult::NotFinished
        });
        if records {
            class
                .status
                .may_record_results(class.start_date, chrono::Local::now().date_naive())
                .map_err(|why| {
                    StoreError::Refused(format!("培训班「{}」：{why}", class.class_no))
                })?;
        }
        let institution = CreditCode::parse(&class.institution_code)
            .map_err(|e| StoreError::Corrupt(e.message().to_string()))?;
        let mut rows = Vec::new();
        let mut names = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            let Some(line) = roster.lines.iter().find(|l| l.person_id == e.person_id) else {
                return Err(StoreError::Refused(format!(
                    "第 {} 行：该人员不在培训班「{}」的花名册中",
                    i + 1,
                    class.class_no
                )));
            };
            if e.offline_hours < 0 || e.online_hours < 0 {
                return Err(StoreError::Refused(format!(
                    "「{}」：课时不能为负数",
                    line.name
                )));
            }
            let id = sqlx::query("SELECT id_number FROM persons WHERE person_id = $1")
                .bind(e.person_id)
                .fetch_one(self.pool())
                .await?
                .national_id("id_number")?;
            names.push(line.name.clone());
            rows.push((
                i as u64 + 1,
                RosterRecord {
                    class_no: class.class_no.clone(),
                    institution: institution.clone(),
                    name: line.name.clone(),
                    id,
                    offline_hours: e.offline_hours,
                    online_hours: e.online_hours,
                    completion: e.completion,
                },
            ));
        }
        let label = |n: u64| {
            let name = names.get(n as usize - 1).cloned().unwrap_or_default();
            format!("「{name}」")
        };
        self.write_roster(class, rows, &label, actor).await
    }

    async fn audit_roster(
        &self,
        action: Action,
        class: &RosterClass,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let entry = AuditEntry::change(
            action,
            Entity::Enrolment,
            class.class_id.to_string(),
            before.as_ref(),
            after.as_ref(),
        );
        self.audit_alone(actor, &[entry]).await
    }
}

impl Store {
    /// The full ID number of a person in scope, for a claim the server
    /// builds on the person's behalf; never shown.
    pub async fn scoped_id_number(
        &self,
        scope: &Scope,
        person_id: i64,
    ) -> Result<String, StoreError> {
        let (cond, val) = filter(scope, Subject::Person, 2);
        let sql = format!("SELECT p.id_number FROM persons p WHERE p.person_id = $1 AND {cond}");
        let vals = [Val::int(person_id), val];
        let row = bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::OutOfScope("该人员不存在或不在您的管理范围内".into()))?;
        Ok(row.try_get(0)?)
    }
}
