//! What a report of sessions is checked against, read inside the report's
//! transaction: the persons it names, their rosters, the classes of the
//! numbers it names, the persons' stored sessions (any source: template or
//! platform) and the platform's own session ids already stored.

use std::collections::HashMap;

use chrono::NaiveDate;
use jineng_domain::learning::sessions::{Occupied, ReportedSession, read_stored_moment};
use sqlx::Row;

use crate::row::Typed;
use crate::sql::{Val, bind_all, select_in};
use crate::{Backend, StoreError};

/// A class the person is on the roster of, or one of a number named.
#[derive(Debug, Clone)]
pub(super) struct ClassRef {
    pub class_id: i64,
    pub class_no: String,
    pub credit_code: String,
    pub site: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// A session id the platform reported before, with what it said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct StoredRef {
    pub person_id: i64,
    pub class_id: i64,
    pub start: String,
    pub end: String,
    pub minutes: i64,
}

#[derive(Debug, Default)]
pub(super) struct Known {
    /// ID number → person_id.
    pub persons: HashMap<String, i64>,
    /// person_id → the classes on whose roster they are.
    pub enrolled: HashMap<i64, Vec<ClassRef>>,
    /// class number → every class of that number (any institution).
    pub classes: HashMap<String, Vec<ClassRef>>,
    /// person_id → their stored sessions.
    pub occupied: HashMap<i64, Vec<Occupied>>,
    /// This platform's session ids already stored.
    pub refs: HashMap<String, StoredRef>,
}

fn class_ref(r: &sqlx::any::AnyRow) -> Result<ClassRef, StoreError> {
    Ok(ClassRef {
        class_id: r.try_get("class_id")?,
        class_no: r.try_get("class_no")?,
        credit_code: r.try_get("credit_code")?,
        site: r.try_get("site_region")?,
        start: r.day("start_date")?,
        end: r.day("end_date")?,
    })
}

/// Sorted, distinct text keys.
fn distinct<'a>(keys: impl Iterator<Item = &'a str>) -> Vec<Val> {
    let mut v: Vec<&str> = keys.collect();
    v.sort_unstable();
    v.dedup();
    v.into_iter().map(Val::text).collect()
}

const CLASS_COLUMNS: &str =
    "c.class_id, c.class_no, i.credit_code, c.site_region, c.start_date, c.end_date";

impl Known {
    /// Reads what the sessions that read name; on PostgreSQL the persons'
    /// rows are locked first, so two reports for one person take turns
    /// (SQLite's `BEGIN IMMEDIATE` already serialises writers).
    pub async fn load(
        conn: &mut sqlx::AnyConnection,
        backend: Backend,
        account_id: i64,
        sessions: &[&ReportedSession],
    ) -> Result<Known, StoreError> {
        let mut k = Known::default();
        let ids = distinct(sessions.iter().map(|s| s.person.as_str()));
        let lock = if backend == Backend::Postgres {
            " ORDER BY person_id FOR UPDATE"
        } else {
            ""
        };
        for chunk in ids.chunks(1000) {
            let sql = format!(
                "SELECT person_id, id_number FROM persons WHERE id_number IN ({}){lock}",
                backend.sequential(1, chunk.len())
            );
            for r in bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), chunk)
                .fetch_all(&mut *conn)
                .await?
            {
                k.persons
                    .insert(r.try_get("id_number")?, r.try_get("person_id")?);
            }
        }
        let pids: Vec<Val> = k.persons.values().map(|p| Val::int(*p)).collect();
        k.load_rosters(conn, &pids).await?;
        k.load_sessions(conn, &pids).await?;
        let numbers = distinct(sessions.iter().map(|s| s.class_no.as_str()));
        for r in select_in(
            conn,
            &format!(
                "SELECT {CLASS_COLUMNS} FROM classes c JOIN institutions i ON i.institution_id = c.institution_id"
            ),
            "c.class_no",
            &numbers,
        )
        .await?
        {
            let c = class_ref(&r)?;
            k.classes.entry(c.class_no.clone()).or_default().push(c);
        }
        let refs: Vec<String> = sessions.iter().map(|s| s.session_ref.clone()).collect();
        k.load_refs(conn, account_id, &refs).await?;
        Ok(k)
    }

    async fn load_rosters(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        pids: &[Val],
    ) -> Result<(), StoreError> {
        let sql = format!(
            "SELECT e.person_id, {CLASS_COLUMNS} FROM enrolments e \
             JOIN classes c ON c.class_id = e.class_id \
             JOIN institutions i ON i.institution_id = c.institution_id"
        );
        for r in select_in(conn, &sql, "e.person_id", pids).await? {
            let pid: i64 = r.try_get("person_id")?;
            self.enrolled.entry(pid).or_default().push(class_ref(&r)?);
        }
        Ok(())
    }

    async fn load_sessions(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        pids: &[Val],
    ) -> Result<(), StoreError> {
        let sql = "SELECT o.person_id, o.started_at, o.ended_at, c.class_no \
             FROM online_sessions o JOIN classes c ON c.class_id = o.class_id";
        for r in select_in(conn, sql, "o.person_id", pids).await? {
            let moment = |col: &str| -> Result<_, StoreError> {
                let s: String = r.try_get(col)?;
                read_stored_moment(&s).ok_or_else(|| {
                    StoreError::Corrupt(format!("时间「{s}」无法读取（online_sessions）"))
                })
            };
            let o = Occupied {
                start: moment("started_at")?,
                end: moment("ended_at")?,
                class_no: r.try_get("class_no")?,
            };
            self.occupied
                .entry(r.try_get("person_id")?)
                .or_default()
                .push(o);
        }
        Ok(())
    }

    async fn load_refs(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        account_id: i64,
        refs: &[String],
    ) -> Result<(), StoreError> {
        for chunk in refs.chunks(1000) {
            let mut vals = vec![Val::int(account_id)];
            vals.extend(chunk.iter().map(Val::text));
            let sql = format!(
                "SELECT session_ref, person_id, class_id, started_at, ended_at, minutes \
                 FROM online_sessions WHERE account_id = $1 AND session_ref IN ({})",
                crate::dialect::placeholders(2, chunk.len())
            );
            for r in bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), &vals)
                .fetch_all(&mut *conn)
                .await?
            {
                self.refs.insert(
                    r.try_get("session_ref")?,
                    StoredRef {
                        person_id: r.try_get("person_id")?,
                        class_id: r.try_get("class_id")?,
                        start: r.try_get("started_at")?,
                        end: r.try_get("ended_at")?,
                        minutes: r.try_get::<Option<i64>, _>("minutes")?.unwrap_or(0),
                    },
                );
            }
        }
        Ok(())
    }
}
