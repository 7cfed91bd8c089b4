//! 线上学习记录 (template `sessions`): each trainee's online learning
//! sessions, written per person (`online_sessions`, person key first) and
//! read back as check S10's inputs. The person must be registered and the
//! class imported; the ID number stays in `persons`.

use chrono::NaiveDateTime;
use jineng_domain::supervision::inputs::OnlineSession;
use jineng_domain::supervision::session::{SessionRecord, session_id};

use super::inputs::Filter;
use super::rows::fetch_map;
use crate::imports::batch::{ImportBatch, Rejection, RowOutcome};
use crate::institutions::Named;
use crate::{Store, StoreError};

const MOMENT: &str = "%Y-%m-%d %H:%M:%S";

fn moment(t: NaiveDateTime) -> String {
    t.format(MOMENT).to_string()
}

impl Store {
    /// Writes online sessions; the same row again is unchanged, a new end
    /// time updates the session. Rows naming an unknown person or class
    /// are refused under their column.
    pub async fn import_sessions(
        &self,
        batch: &ImportBatch,
        rows: &[(u64, SessionRecord)],
    ) -> Result<Vec<(u64, RowOutcome)>, StoreError> {
        let mut tx = self.begin().await?;
        let named = Named::resolve(
            &mut tx,
            rows.iter().map(|(_, r)| &r.institution),
            rows.iter().map(|(_, r)| &r.id),
        )
        .await?;
        let now = crate::audit::now();
        let mut out = Vec::with_capacity(rows.len());
        for (n, r) in rows {
            let mut errs = Vec::new();
            let (class, person) =
                named.class_and_person(&r.institution, &r.class_no, &r.id, &r.name, &mut errs);
            let (Some(class), Some(pid)) = (class, person) else {
                out.push((*n, RowOutcome::Rejected(errs)));
                continue;
            };
            let (start, end) = (moment(r.start), moment(r.end));
            let old: Option<(String, Option<i64>)> = sqlx::query_as(
                "SELECT ended_at, account_id FROM online_sessions \
                 WHERE person_id = $1 AND class_id = $2 AND platform = $3 AND started_at = $4",
            )
            .bind(pid)
            .bind(class.class_id)
            .bind(&r.platform)
            .bind(&start)
            .fetch_optional(&mut *tx)
            .await?;
            // A platform's own report (API) is not the template's to change.
            if let Some((_, Some(_))) = old {
                let e = Rejection::new(
                    "学习平台",
                    "该学习记录由学习平台通过接口报送，不能由模板导入修改",
                );
                out.push((*n, RowOutcome::Rejected(vec![e])));
                continue;
            }
            let outcome = RowOutcome::compared(old.map(|(o, _)| o).as_ref(), &end);
            if outcome != RowOutcome::Unchanged && !batch.dry_run() {
                sqlx::query(
                    "INSERT INTO online_sessions (person_id, class_id, platform, started_at, ended_at, batch_id, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     ON CONFLICT (person_id, class_id, platform, started_at) DO UPDATE SET \
                     ended_at = excluded.ended_at, batch_id = excluded.batch_id, updated_at = excluded.updated_at",
                )
                .bind(pid)
                .bind(class.class_id)
                .bind(&r.platform)
                .bind(&start)
                .bind(&end)
                .bind(batch.id)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
            out.push((*n, outcome));
        }
        tx.commit().await?;
        Ok(out)
    }
}

const SESSIONS: &str = "SELECT p.id_number, c.class_no, o.platform, o.started_at, o.ended_at \
     FROM online_sessions o JOIN persons p ON p.person_id = o.person_id \
     JOIN classes c ON c.class_id = o.class_id WHERE 1 = 1";

fn read_moment(s: &str) -> Result<NaiveDateTime, StoreError> {
    NaiveDateTime::parse_from_str(s, MOMENT)
        .map_err(|_| StoreError::Corrupt(format!("时间「{s}」无法读取（online_sessions）")))
}

/// Online sessions as check S10 reads them.
pub(crate) async fn sessions(
    store: &Store,
    f: Filter<'_>,
) -> Result<Vec<OnlineSession>, StoreError> {
    fetch_map(store, SESSIONS, f, |r| {
        let platform = r.text("platform")?;
        let start = read_moment(&r.text("started_at")?)?;
        Ok(OnlineSession {
            session_id: session_id(&platform, start),
            person: r.text("id_number")?,
            class_no: r.text("class_no")?,
            start,
            end: read_moment(&r.text("ended_at")?)?,
        })
    })
    .await
}
