//! The class filing workflow (开班备案 → 审核 → 结业): an institution files
//! a class, an officer of its 培训地 approves it or returns it with a
//! reason, and once training has ended the class is closed — by the
//! officer, or on the institution's request — when every enrolment has a
//! completion result. Each step locks the class's row, checks its status,
//! and writes the new status, a `class_events` row and an audit row with
//! before and after in one transaction.

use crate::audit::Actor;
use crate::claims::scoped::{Subject, filter};
use crate::classes::pages::class_not_in_scope;
use crate::imports::batch::RowOutcome;
use crate::row::Typed;
use crate::sql::{Val, bind_all};
use crate::{Store, StoreError};
use chrono::NaiveDate;
use jineng_domain::access::Scope;
use jineng_domain::audit::Entity;
use jineng_domain::records::ClassRecord;
use jineng_domain::{ClassAt, ClassStatus, ClassStep};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

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
    step: ClassStep,
    (class_id, class_no): (i64, &str),
    (from, to): (ClassStatus, ClassStatus),
    reason: Option<&str>,
) -> Result<(), StoreError> {
    let (from, to) = (from.code(), to.code());
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
    crate::audit::write_change(
        conn,
        actor,
        step.audit_action(),
        Entity::Class,
        class_id.to_string(),
        Some(&before),
        Some(&after),
    )
    .await?;
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
            && ClassStatus::from_code(&status) == Some(ClassStatus::Returned)
        {
            let step = (id, class_no.as_str());
            record_step(
                conn,
                actor,
                ClassStep::Refile,
                step,
                (ClassStatus::Returned, ClassStatus::Registered),
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
        let class = ClassAt {
            class_no: &class_no,
            status: r.code("status", ClassStatus::from_code)?,
            end: r.day("end_date")?,
        };
        let to = ClassStatus::after(step, class, today).map_err(refused)?;
        if step == ClassStep::Close {
            let r = sqlx::query(
                "SELECT COUNT(*) AS n, \
                 CAST(COALESCE(SUM(CASE WHEN completion = 'not_finished' THEN 1 ELSE 0 END), 0) AS BIGINT) AS open \
                 FROM enrolments WHERE class_id = $1",
            )
            .bind(class_id)
            .fetch_one(&mut *tx)
            .await?;
            ClassStatus::roster_complete(&class_no, r.try_get("n")?, r.try_get("open")?)
                .map_err(refused)?;
        }
        record_step(
            &mut tx,
            actor,
            step,
            (class_id, &class_no),
            (class.status, to),
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
            && let Some(status) = ClassStatus::from_code(s)
            && !matches!(status, ClassStatus::Registered | ClassStatus::Returned)
        {
            return Err(refused(format!(
                "班级编号「{}」的培训班已{}，不能重复填报",
                record.class_no,
                status.as_zh()
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
        match (before, ClassStatus::from_code(&status)) {
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
            (Some(_), Some(ClassStatus::Returned)) => {
                let reason = Some("重新报备");
                let step = (class_id, record.class_no.as_str());
                record_step(
                    &mut tx,
                    actor,
                    ClassStep::Refile,
                    step,
                    (ClassStatus::Returned, ClassStatus::Registered),
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
        for r in rows {
            let id: i64 = r.try_get("class_id")?;
            let no: String = r.try_get("class_no")?;
            let end = r.day("end_date")?;
            let (n, open): (i64, i64) = (r.try_get("n")?, r.try_get("open")?);
            let step = (id, no.as_str());
            record_step(
                &mut tx,
                actor,
                ClassStep::Approve,
                step,
                (ClassStatus::Registered, ClassStatus::Approved),
                None,
            )
            .await?;
            approved += 1;
            if end < today && n > 0 && open == 0 {
                record_step(
                    &mut tx,
                    actor,
                    ClassStep::Close,
                    step,
                    (ClassStatus::Approved, ClassStatus::Closed),
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
