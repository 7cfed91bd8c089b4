//! A learning platform's report of online sessions (`POST
//! /api/v1/learning-sessions`, docs/learning.md): each row read and checked
//! on its own (`jineng_domain::learning::sessions`), then against the
//! registry — the person registered, the class known and in the platform's
//! region, the person on its roster, the session within its period, no
//! overlap with the person's other sessions, no day past 24 hours — and
//! refused with its reasons, or accepted. The accepted rows are written in
//! one transaction, as an import batch of kind `learning_sessions`, with
//! the enrolments' platform minutes summed again; check S10 then runs on
//! the batch as it does after a template import. A session id the
//! platform sent before is unchanged when it says the same, refused when
//! it says something else.

use jineng_domain::audit::{Action, Entity};
use std::collections::BTreeSet;

use jineng_domain::RegionCode;
use jineng_domain::learning::sessions::{
    self, Occupied, RawSession, Refusal, ReportedSession, check_against, check_period,
    stored_moment,
};
use sha2::{Digest, Sha256};

use super::known::{ClassRef, Known, StoredRef};
use crate::audit::{Actor, AuditEntry};
use crate::sql::{Val, insert_rows};
use crate::supervision::ScanCounts;
use crate::{Store, StoreError};

/// The import-batch kind of an API report.
pub const BATCH_KIND: &str = "learning_sessions";

/// The platform account reporting: its id, its name (stored as the
/// session's 学习平台) and its region (where its classes are held).
#[derive(Debug, Clone)]
pub struct PlatformClient {
    pub account_id: i64,
    pub login: String,
    pub name: String,
    pub region: RegionCode,
}

/// One session as received, its fields as text.
#[derive(Debug, Clone, Default)]
pub struct SessionInput {
    pub person: String,
    pub class_no: String,
    pub institution: Option<String>,
    pub start: String,
    pub end: String,
    pub minutes: i64,
    pub session_id: String,
}

/// A refused row: its index in the request (from 0) and why.
#[derive(Debug, Clone)]
pub struct RefusedRow {
    pub index: usize,
    /// The session id as sent (at most 64 characters shown).
    pub session_id: String,
    pub reasons: Vec<Refusal>,
}

/// What a report did.
#[derive(Debug, Clone, Default)]
pub struct SessionReport {
    pub received: usize,
    /// Stored now, or stored before with the same content.
    pub accepted: usize,
    pub stored: usize,
    pub unchanged: usize,
    pub refused: Vec<RefusedRow>,
    /// Check S10 (and the other checks) on the stored rows.
    pub supervision: ScanCounts,
    pub batch_id: Option<i64>,
}

/// A row to write.
struct NewRow {
    person_id: i64,
    class_id: i64,
    start: String,
    end: String,
    minutes: i64,
    session_ref: String,
}

enum Judged {
    New(NewRow),
    Unchanged,
    Refused(Vec<Refusal>),
}

impl Store {
    /// Checks and stores a platform's sessions; see the module.
    pub async fn report_sessions(
        &self,
        client: &PlatformClient,
        rows: &[SessionInput],
        actor: &Actor,
    ) -> Result<SessionReport, StoreError> {
        let today = chrono::Utc::now().date_naive();
        // Registered persons passed the full check on import; an ID of an
        // unknown province is simply not registered.
        let read: Vec<Result<ReportedSession, Vec<Refusal>>> = rows
            .iter()
            .map(|r| sessions::read(&raw(r), today, &|_| true))
            .collect();
        let readable: Vec<&ReportedSession> = read.iter().filter_map(|r| r.as_ref().ok()).collect();
        let mut tx = self.begin().await?;
        let mut known = Known::load(&mut tx, self.backend(), client.account_id, &readable).await?;
        let mut report = SessionReport {
            received: rows.len(),
            ..SessionReport::default()
        };
        let mut new = Vec::new();
        for (index, r) in read.into_iter().enumerate() {
            let judged = match r {
                Err(reasons) => Judged::Refused(reasons),
                Ok(s) => judge(&s, client, &mut known),
            };
            match judged {
                Judged::New(row) => new.push(row),
                Judged::Unchanged => report.unchanged += 1,
                Judged::Refused(reasons) => report.refused.push(RefusedRow {
                    index,
                    session_id: rows[index].session_id.chars().take(64).collect(),
                    reasons,
                }),
            }
        }
        report.stored = new.len();
        report.accepted = report.stored + report.unchanged;
        if !new.is_empty() {
            let rejected = report.refused.len() as i64;
            let id = write(
                &mut tx,
                client,
                actor,
                &new,
                report.unchanged as i64,
                rejected,
            )
            .await?;
            report.batch_id = Some(id);
        }
        tx.commit().await?;
        if let Some(id) = report.batch_id {
            report.supervision = self.supervise_import(id).await?;
        }
        Ok(report)
    }
}

fn raw(r: &SessionInput) -> RawSession<'_> {
    RawSession {
        person: &r.person,
        class_no: &r.class_no,
        institution: r.institution.as_deref(),
        start: &r.start,
        end: &r.end,
        minutes: r.minutes,
        session_ref: &r.session_id,
    }
}

/// One readable row against the registry and the rows accepted before it;
/// an accepted row joins `known` so the next rows see it.
fn judge(s: &ReportedSession, client: &PlatformClient, known: &mut Known) -> Judged {
    let Some(&person_id) = known.persons.get(s.person.as_str()) else {
        return Judged::Refused(vec![sessions::unknown_person(&s.person)]);
    };
    let class = match resolve_class(s, person_id, client, known) {
        Ok(c) => c,
        Err(r) => return Judged::Refused(vec![r]),
    };
    let said = StoredRef {
        person_id,
        class_id: class.class_id,
        start: stored_moment(s.start),
        end: stored_moment(s.end),
        minutes: s.minutes,
    };
    if let Some(before) = known.refs.get(&s.session_ref) {
        return if *before == said {
            Judged::Unchanged
        } else {
            Judged::Refused(vec![Refusal::Changed {
                session_ref: s.session_ref.clone(),
            }])
        };
    }
    let mut reasons: Vec<Refusal> = check_period(s, class.start, class.end)
        .err()
        .into_iter()
        .collect();
    let mine = known.occupied.entry(person_id).or_default();
    reasons.extend(check_against(s.start, s.end, mine));
    if !reasons.is_empty() {
        return Judged::Refused(reasons);
    }
    mine.push(Occupied {
        start: s.start,
        end: s.end,
        class_no: class.class_no.clone(),
    });
    known.refs.insert(s.session_ref.clone(), said.clone());
    Judged::New(NewRow {
        person_id,
        class_id: class.class_id,
        start: said.start,
        end: said.end,
        minutes: s.minutes,
        session_ref: s.session_ref.clone(),
    })
}

/// The class a row means: among the person's rosters, the one of that
/// number (and institution, when given) in the platform's region.
fn resolve_class(
    s: &ReportedSession,
    person_id: i64,
    client: &PlatformClient,
    known: &Known,
) -> Result<ClassRef, Refusal> {
    let fits = |c: &&ClassRef| {
        c.class_no == s.class_no
            && s.institution
                .as_ref()
                .is_none_or(|i| i.as_str() == c.credit_code)
    };
    let in_region = |c: &&ClassRef| c.site.starts_with(client.region.subtree_prefix());
    let class_no = || s.class_no.clone();
    let mine: Vec<&ClassRef> = known
        .enrolled
        .get(&person_id)
        .map(|v| v.iter().filter(fits).collect())
        .unwrap_or_default();
    let reachable: Vec<&ClassRef> = mine.iter().copied().filter(in_region).collect();
    match (mine.len(), reachable.as_slice()) {
        (_, [one]) => Ok((*one).clone()),
        (_, [_, _, ..]) => Err(Refusal::AmbiguousClass {
            class_no: class_no(),
        }),
        (0, []) => {
            let named: Vec<&ClassRef> = known
                .classes
                .get(&s.class_no)
                .map(|v| v.iter().filter(fits).collect())
                .unwrap_or_default();
            if named.is_empty() {
                Err(Refusal::UnknownClass {
                    class_no: class_no(),
                })
            } else if named.iter().any(in_region) {
                Err(Refusal::NotEnrolled {
                    class_no: class_no(),
                })
            } else {
                Err(Refusal::OutsideScope {
                    class_no: class_no(),
                })
            }
        }
        (_, []) => Err(Refusal::OutsideScope {
            class_no: class_no(),
        }),
    }
}

/// Writes the accepted rows as one import batch, sums the enrolments'
/// platform minutes again and audits the report.
async fn write(
    conn: &mut sqlx::AnyConnection,
    client: &PlatformClient,
    actor: &Actor,
    rows: &[NewRow],
    unchanged: i64,
    rejected: i64,
) -> Result<i64, StoreError> {
    let now = crate::audit::now();
    let mut digest = Sha256::new();
    for r in rows {
        digest.update(r.session_ref.as_bytes());
        digest.update([0u8]);
    }
    let sha: String = digest
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let batch_id: i64 = sqlx::query_scalar(
        "INSERT INTO import_batches (kind, file_name, file_sha256, actor, started_at, finished_at, status, \
         inserted, unchanged, rejected) VALUES ($1, $2, $3, $4, $5, $5, 'finished', $6, $7, $8) RETURNING batch_id",
    )
    .bind(BATCH_KIND)
    .bind(format!("接口：{}", client.login))
    .bind(&sha)
    .bind(actor.0.as_str())
    .bind(&now)
    .bind(rows.len() as i64)
    .bind(unchanged)
    .bind(rejected)
    .fetch_one(&mut *conn)
    .await?;
    let values: Vec<Vec<Val>> = rows
        .iter()
        .map(|r| {
            vec![
                Val::int(r.person_id),
                Val::int(r.class_id),
                Val::text(&client.name),
                Val::text(&r.start),
                Val::text(&r.end),
                Val::int(batch_id),
                Val::text(&now),
                Val::int(r.minutes),
                Val::int(client.account_id),
                Val::text(&r.session_ref),
            ]
        })
        .collect();
    let columns = [
        "person_id",
        "class_id",
        "platform",
        "started_at",
        "ended_at",
        "batch_id",
        "updated_at",
        "minutes",
        "account_id",
        "session_ref",
    ];
    insert_rows(conn, "online_sessions", &columns, &values, "").await?;
    sum_minutes(conn, rows).await?;
    let after = serde_json::json!({
        "kind": BATCH_KIND, "inserted": rows.len(), "unchanged": unchanged, "rejected": rejected,
    });
    let entry = AuditEntry::change(
        Action::Import,
        Entity::ImportBatch,
        batch_id.to_string(),
        None,
        Some(&after),
    );
    crate::audit::write(conn, actor, Some(batch_id), &[entry]).await?;
    Ok(batch_id)
}

/// Sets each touched enrolment's platform minutes to the sum of its
/// platform sessions (a sum, not an increment: always what the table says).
async fn sum_minutes(conn: &mut sqlx::AnyConnection, rows: &[NewRow]) -> Result<(), StoreError> {
    let touched: BTreeSet<(i64, i64)> = rows.iter().map(|r| (r.person_id, r.class_id)).collect();
    for (person_id, class_id) in touched {
        sqlx::query(
            "UPDATE enrolments SET platform_minutes = (SELECT SUM(o.minutes) FROM online_sessions o \
             WHERE o.person_id = $1 AND o.class_id = $2 AND o.minutes IS NOT NULL) \
             WHERE person_id = $1 AND class_id = $2",
        )
        .bind(person_id)
        .bind(class_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
