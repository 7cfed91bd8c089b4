//! Stored online sessions read back: a platform's own reports (the API's
//! `GET /api/v1/learning-sessions`, ID numbers masked: a platform reads no
//! persons), and one worker's sessions of every source for the archive.

use chrono::NaiveDateTime;
use jineng_domain::Stamp;
use jineng_domain::national_id::mask_id;
use serde::Serialize;
use sqlx::Row;

use crate::row::{Typed, moment_text};
use crate::sql::{Val, bind_all};
use crate::{Store, StoreError};

/// A session a platform reported, as it reads it back.
#[derive(Debug, Clone, Serialize)]
pub struct ReportedRow {
    pub session_id: String,
    /// Masked.
    pub person: String,
    pub class_no: String,
    pub institution: String,
    /// Beijing time, `YYYY-MM-DD HH:MM:SS`.
    #[serde(serialize_with = "moment_text")]
    pub start: NaiveDateTime,
    #[serde(serialize_with = "moment_text")]
    pub end: NaiveDateTime,
    pub minutes: i64,
    /// When it was stored (UTC, RFC 3339).
    pub received_at: Stamp,
}

/// One of a worker's online sessions, from a template import or a platform.
#[derive(Debug, Clone, Serialize)]
pub struct SessionLine {
    pub class_no: String,
    /// The platform's name (学习平台).
    pub platform: String,
    #[serde(serialize_with = "moment_text")]
    pub start: NaiveDateTime,
    #[serde(serialize_with = "moment_text")]
    pub end: NaiveDateTime,
    /// The minutes the platform recorded; `None` for a template row.
    pub minutes: Option<i64>,
    /// Whether a platform reported it through the API.
    pub reported: bool,
}

/// What a platform asks to read back.
#[derive(Debug, Clone, Default)]
pub struct ReportedQuery {
    pub class_no: Option<String>,
    pub session_id: Option<String>,
    pub limit: i64,
}

impl Store {
    /// The sessions this platform account reported, newest first.
    pub async fn reported_sessions(
        &self,
        account_id: i64,
        q: &ReportedQuery,
    ) -> Result<Vec<ReportedRow>, StoreError> {
        let mut vals = vec![Val::int(account_id)];
        let mut cond = String::new();
        if let Some(c) = &q.class_no {
            vals.push(Val::text(c));
            cond.push_str(&format!(" AND c.class_no = ${}", vals.len()));
        }
        if let Some(r) = &q.session_id {
            vals.push(Val::text(r));
            cond.push_str(&format!(" AND o.session_ref = ${}", vals.len()));
        }
        vals.push(Val::int(q.limit.clamp(1, 1000)));
        let sql = format!(
            "SELECT o.session_ref, p.id_number, c.class_no, i.credit_code, o.started_at, o.ended_at, \
             o.minutes, o.updated_at FROM online_sessions o \
             JOIN persons p ON p.person_id = o.person_id \
             JOIN classes c ON c.class_id = o.class_id \
             JOIN institutions i ON i.institution_id = c.institution_id \
             WHERE o.account_id = $1{cond} \
             ORDER BY o.updated_at DESC, o.session_ref LIMIT ${}",
            vals.len()
        );
        let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), &vals)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ReportedRow {
                    session_id: r.try_get("session_ref")?,
                    person: mask_id(&r.try_get::<String, _>("id_number")?),
                    class_no: r.try_get("class_no")?,
                    institution: r.try_get("credit_code")?,
                    start: r.moment("started_at")?,
                    end: r.moment("ended_at")?,
                    minutes: r.try_get::<Option<i64>, _>("minutes")?.unwrap_or(0),
                    received_at: r.stamp("updated_at")?,
                })
            })
            .collect()
    }

    /// A worker's online sessions of every source, by start.
    pub async fn sessions_of_person(&self, person_id: i64) -> Result<Vec<SessionLine>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.class_no, o.platform, o.started_at, o.ended_at, o.minutes, o.account_id \
             FROM online_sessions o JOIN classes c ON c.class_id = o.class_id \
             WHERE o.person_id = $1 ORDER BY o.started_at, c.class_no",
        )
        .bind(person_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SessionLine {
                    class_no: r.try_get("class_no")?,
                    platform: r.try_get("platform")?,
                    start: r.moment("started_at")?,
                    end: r.moment("ended_at")?,
                    minutes: r.try_get("minutes")?,
                    reported: r.try_get::<Option<i64>, _>("account_id")?.is_some(),
                })
            })
            .collect()
    }
}
