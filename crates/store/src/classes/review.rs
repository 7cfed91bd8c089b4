//! The class filing workflow (开班备案 → 审核 → 结业): an institution files
//! a class, an officer of its 培训地 approves it or returns it with a
//! reason, and once training has ended the class is closed — by the
//! officer, or on the institution's request — when every enrolment has a
//! completion result. Each step locks the class's row, checks its status,
//! and writes the new status, a `class_events` row and an audit row with
//! before and after in one transaction.

use crate::audit::{Actor, AuditEntry};
use crate::claims::scoped::{Subject, filter};
use crate::classes::pages::class_not_in_scope;
use crate::imports::batch::RowOutcome;
use crate::sql::{Val, bind_all};
use crate::{Store, StoreError};
use chrono::NaiveDate;
use jineng_domain::ClassStatus;
use jineng_domain::access::Scope;
use jineng_domain::audit::{Action, Entity};
use jineng_domain::records::ClassRecord;
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

/// A step of the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassStep {
    /// 备案通过 (officer).
    Approve,
    /// 退回 with a reason (officer).
    Return,
    /// 申请结业 (institution).
    RequestClose,
    /// 结业 (officer).
    Close,
}

impl ClassStep {
    fn from(self) -> &'static [&'static str] {
        match self {
            ClassStep::Approve | ClassStep::Return => &["registered"],
            ClassStep::RequestClose => &["approved"],
            ClassStep::Close => &["approved", "closing"],
        }
    }

    fn to(self) -> &'static str {
        match self {
            ClassStep::Approve => "approved",
            ClassStep::Return => "returned",
            ClassStep::RequestClose => "closing",
            ClassStep::Close => "closed",
        }
    }

    fn action(self) -> Action {
        match self {
            ClassStep::Approve => Action::ApproveClass,
            ClassStep::Return => Action::ReturnClass,
            ClassStep::RequestClose => Action::RequestCloseClass,
            ClassStep::Close => Action::CloseClass,
        }
    }

    fn as_zh(self) -> &'static str {
        match self {
            ClassStep::Approve => "备案通过",
            ClassStep::Return => "退回",
            ClassStep::RequestClose => "申请结业",
            ClassStep::Close => "结业",
        }
    }
}

/// What the audit trail records of a class's status.
#[derive(Serialize)]
struct StatusAudit<'a> {
    class_no: &'a str,
    status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

fn refused(m: impl Into<String>) -> StoreError {
    StoreError::Refused(m.into())
}

/// Writes a status change of a locked class with its event and audit row.
async fn record_step(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    action: Action,
    (class_id, class_no): (i64, &str),
    from: &str,
    to: &str,
    reason: Option<&str>,
) -> Result<(), StoreError> {
    let at = crate::audit::now();
    sqlx::query("UPDATE classes SET status = $1, updated_at = $2 WHERE class_id = $3")
        .bind(to)
        .bind(&at)
        .bind(class_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO class_events (class_id, from_status, to_status, actor, at, reason) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(class_id)
    .bind(from)
    .bind(to)
    .bind(actor.0.as_str())
    .bind(&at)
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    let before = StatusAudit {
        class_no,
        status: from,
        reason: None,
    };
    let after = StatusAudit {
        class_no,
        status: to,
        reason,
    };
    let entry = AuditEntry::change(
        action,
        Entity::Class,
        class_id.to_string(),
        Some(&before),
        Some(&after),
    );
    crate::audit::write(conn, actor, None, &[entry]).await?;
    Ok(())
}

/// Sends the returned ones of these classes (institution_id, class_no),
/// just filed again with changes, back to review.
pub(crate) async fn refile_returned(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    classes: &[(i64, String)],
) -> Result<(), StoreError> {
    for (institution_id, class_no) in classes {
        let found: Option<(i64, String)> = sqlx::query_as(
            "SELECT class_id, status FROM classes WHERE institution_id = $1 AND class_no = $2",
        )
        .bind(*institution_id)
        .bind(class_no)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((id, status)) = found
            && status == "returned"
        {
            let step = (id, class_no.as_str());
            record_step(
                conn,
                actor,
                Action::RefileClass,
                step,
                "returned",
                "registered",
                Some("重新报备"),
            )
            .await?;
        }
    }
    Ok(())
}

impl Store {
    /// Takes one step of the workflow on a class in scope. `reason` is
    /// required to return a class; `today` decides whether training ended.
    pub async fn class_step(
        &self,
        scope: &Scope,
        class_id: i64,
        step: ClassStep,
        reason: Option<&str>,
        today: NaiveDate,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if step == ClassStep::Return && reason.is_none() {
            return Err(refused("退回培训班须填写退回原因"));
        }
        let mut tx = self.begin().await?;
        let (cond, val) = filter(scope, Subject::Class, 2);
        let lock = self.backend().for_update();
        let sql = format!(
            "SELECT cl.class_no, cl.status, cl.end_date FROM classes cl WHERE cl.class_id = $1 AND {cond}{lock}"
        );
        let vals = [Val::int(class_id), val];
        let r = bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| class_not_in_scope(class_id))?;
        let class_no: String = r.try_get("class_no")?;
        let status: String = r.try_get("status")?;
        let end_date: String = r.try_get("end_date")?;
        if !step.from().contains(&status.as_str()) {
            return Err(refused(format!(
                "培训班「{class_no}」当前状态为「{}」，不能{}",
                ClassStatus::zh_of_code(&status),
                step.as_zh()
            )));
        }
        if matches!(step, ClassStep::RequestClose | ClassStep::Close)
            && end_date.as_str() > today.to_string().as_str()
        {
            return Err(refused(format!(
                "培训班「{class_no}」的结业日期为 {end_date}，培训尚未结束，不能{}",
                step.as_zh()
            )));
        }
        if step == ClassStep::Close {
            let r = sqlx::query(
                "SELECT COUNT(*) AS n, \
                 CAST(COALESCE(SUM(CASE WHEN completion = 'not_finished' THEN 1 ELSE 0 END), 0) AS BIGINT) AS open \
                 FROM enrolments WHERE class_id = $1",
            )
            .bind(class_id)
            .fetch_one(&mut *tx)
            .await?;
            let (n, open): (i64, i64) = (r.try_get("n")?, r.try_get("open")?);
            if n == 0 {
                return Err(refused(format!(
                    "培训班「{class_no}」的花名册为空，不能结业"
                )));
            }
            if open > 0 {
                return Err(refused(format!(
                    "培训班「{class_no}」还有 {open} 名学员没有结业结果（合格或不合格），请先在花名册中填写后再结业"
                )));
            }
        }
        record_step(
            &mut tx,
            actor,
            step.action(),
            (class_id, &class_no),
            &status,
            step.to(),
            reason,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// An institution files one class of its own (开班备案) through the
    /// same writer as the classes template. A returned class filed again
    /// goes back to review; a class already approved or closed cannot be
    /// filed again. Returns the class id.
    pub async fn file_class(
        &self,
        scope: &Scope,
        record: ClassRecord,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        let Scope::Institution(own) = scope else {
            return Err(StoreError::OutOfScope(
                "只有培训机构账号可以填报本机构的培训班".into(),
            ));
        };
        let code: Option<String> =
            sqlx::query_scalar("SELECT credit_code FROM institutions WHERE institution_id = $1")
                .bind(*own)
                .fetch_optional(self.pool())
                .await?;
        if code.as_deref() != Some(record.institution.as_str()) {
            return Err(StoreError::OutOfScope("只能填报本机构的培训班".into()));
        }
        let existing = || async {
            let r: Option<(i64, String)> = sqlx::query_as(
                "SELECT class_id, status FROM classes WHERE institution_id = $1 AND class_no = $2",
            )
            .bind(*own)
            .bind(&record.class_no)
            .fetch_optional(self.pool())
            .await?;
            Ok::<_, StoreError>(r)
        };
        let before = existing().await?;
        if let Some((_, s)) = &before
            && !matches!(s.as_str(), "registered" | "returned")
        {
            return Err(refused(format!(
                "班级编号「{}」的培训班已{}，不能重复填报",
                record.class_no,
                ClassStatus::zh_of_code(s)
            )));
        }
        let batch = self
            .start_batch("classes", "网页填报", "", actor, false)
            .await?;
        let out = self.import_classes(&batch, &[(1, record.clone())]).await?;
        let mut summary = crate::BatchSummary::default();
        for (_, o) in &out {
            summary.count(o);
        }
        self.finish_batch(&batch, &summary).await?;
        if let Some((_, RowOutcome::Rejected(rs))) = out.into_iter().next() {
            let why: Vec<String> = rs
                .iter()
                .map(|r| format!("「{}」{}", r.column, r.message))
                .collect();
            return Err(refused(why.join("；")));
        }
        let (class_id, status) = existing()
            .await?
            .ok_or_else(|| StoreError::Corrupt("填报的培训班没有写入".into()))?;
        let mut tx = self.begin().await?;
        match (before, status.as_str()) {
            (None, _) => {
                sqlx::query(
                    "INSERT INTO class_events (class_id, from_status, to_status, actor, at, reason) VALUES ($1, '', 'registered', $2, $3, '开班备案')",
                )
                .bind(class_id)
                .bind(actor.0.as_str())
                .bind(crate::audit::now())
                .execute(&mut *tx)
                .await?;
            }
            (Some(_), "returned") => {
                let reason = Some("重新报备");
                let step = (class_id, record.class_no.as_str());
                record_step(
                    &mut tx,
                    actor,
                    Action::RefileClass,
                    step,
                    "returned",
                    "registered",
                    reason,
                )
                .await?;
            }
            _ => {}
        }
        tx.commit().await?;
        Ok(class_id)
    }

    /// The demo's classes as a bureau would have them: every filed class
    /// approved, and those that ended before `today` with every trainee's
    /// result closed, each step recorded and audited like an officer's.
    #[cfg(feature = "bench")]
    pub async fn settle_demo_classes(
        &self,
        today: NaiveDate,
        actor: &Actor,
    ) -> Result<(u64, u64), StoreError> {
        let rows = sqlx::query(
            "SELECT cl.class_id, cl.class_no, cl.end_date, \
             (SELECT COUNT(*) FROM enrolments e WHERE e.class_id = cl.class_id) AS n, \
             (SELECT COUNT(*) FROM enrolments e WHERE e.class_id = cl.class_id AND e.completion = 'not_finished') AS open \
             FROM classes cl WHERE cl.status = 'registered' ORDER BY cl.class_id",
        )
        .fetch_all(self.pool())
        .await?;
        let (mut approved, mut closed) = (0, 0);
        let mut tx = self.begin().await?;
        let today = today.to_string();
        for r in rows {
            let id: i64 = r.try_get("class_id")?;
            let no: String = r.try_get("class_no")?;
            let end: String = r.try_get("end_date")?;
            let (n, open): (i64, i64) = (r.try_get("n")?, r.try_get("open")?);
            let step = (id, no.as_str());
            record_step(
                &mut tx,
                actor,
                Action::ApproveClass,
                step,
                "registered",
                "approved",
                None,
            )
            .await?;
            approved += 1;
            if end < today && n > 0 && open == 0 {
                record_step(
                    &mut tx,
                    actor,
                    Action::CloseClass,
                    step,
                    "approved",
                    "closed",
                    None,
                )
                .await?;
                closed += 1;
            }
        }
        tx.commit().await?;
        Ok((approved, closed))
    }
}
