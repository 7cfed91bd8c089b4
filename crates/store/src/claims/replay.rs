//! Reading a policy's decided claims with their facts, read-only, for a
//! what-if replay (`jineng_domain::policy::whatif`): the persons with a
//! claim decided under the policy, 2,000 at a time, each with the same
//! facts a decide reads (`facts::load`) and every claim the replay must
//! see — the period's decided claims of the policy to replay, and the
//! claims before them whose awards stand for both sides alike. Tasks on
//! their own connections read the next chunks while the caller replays
//! this one: on a SQLite file, blocking threads reading through rusqlite
//! on the store's own read connections (`read_rows`: the same statements
//! and conversions, without sqlx's hand-off of every row from its worker
//! thread), elsewhere tasks on connections of the pool.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::NaiveDate;
use jineng_domain::ClaimStatus;
use jineng_domain::policy::whatif::{PersonClaims, ReplayClaim};
use tokio::sync::mpsc;

use super::facts::{self, Classes, Loaded};
use crate::policy::jurisdiction::paying_region;
use crate::read_rows::Failed;
use crate::{Store, StoreError};

/// Persons read per statement.
const CHUNK: usize = 2000;

/// Which claims a replay takes.
#[derive(Debug, Clone)]
pub struct ReplayScope {
    /// The base policy (`policies.policy_id`): claims decided under it.
    pub policy_id: i64,
    /// The period, by the claim's event date (certificate date, else the
    /// end of the class, else the application date), both included.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Subsidy types paid to an enterprise (`PolicySet::enterprise_types`),
    /// for the paying region.
    pub enterprise_types: HashSet<String>,
}

impl ReplayScope {
    fn in_period(&self, on: NaiveDate) -> bool {
        self.from.is_none_or(|f| on >= f) && self.to.is_none_or(|t| on <= t)
    }
}

/// Chunks of persons with their claims, in person order.
#[derive(Debug)]
pub struct ReplayFeed {
    /// Reader `k` sends chunks `k`, `k + readers`, …, in order.
    rx: Vec<mpsc::Receiver<Result<Vec<PersonClaims>, StoreError>>>,
    next: usize,
    /// Persons with a decided claim (some may have none to replay).
    pub persons: usize,
}

impl ReplayFeed {
    /// The next chunk; `None` when every person was read.
    pub async fn next(&mut self) -> Option<Result<Vec<PersonClaims>, StoreError>> {
        let k = self.next % self.rx.len();
        self.next += 1;
        self.rx[k].recv().await
    }
}

/// Readers at work at once, each on its own connection, so that the
/// database's work runs on several cores (SQLite's WAL lets readers run
/// side by side) while the caller replays.
fn readers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4))
}

impl Store {
    /// Starts reading the claims `scope` replays. Writes nothing.
    pub async fn replay_feed(&self, scope: ReplayScope) -> Result<ReplayFeed, StoreError> {
        let decided: Vec<ClaimStatus> = ClaimStatus::ALL
            .into_iter()
            .filter(|s| *s != ClaimStatus::Submitted)
            .collect();
        let policies: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM policies")
            .fetch_one(self.pool())
            .await?;
        // One policy: every decided claim is its, and the (status,
        // person_id) index lists their persons without reading the claims.
        let persons: Vec<i64> = if policies <= 1 {
            self.persons_with(None, &decided).await?
        } else {
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT DISTINCT person_id FROM claims WHERE policy_id = $1 AND status <> '{}' \
                 ORDER BY person_id",
                ClaimStatus::Submitted.code()
            )))
            .bind(scope.policy_id)
            .fetch_all(self.pool())
            .await?
        };
        let n = persons.len();
        let chunks: Arc<Vec<Vec<i64>>> =
            Arc::new(persons.chunks(CHUNK).map(<[i64]>::to_vec).collect());
        let scope = Arc::new(scope);
        let k = readers();
        let mut rx = Vec::with_capacity(k);
        for reader in 0..k {
            let (tx, r) = mpsc::channel(2);
            rx.push(r);
            let part = Part {
                store: self.clone(),
                chunks: chunks.clone(),
                scope: scope.clone(),
                first: reader,
                step: k,
                tx,
            };
            if self.reader().is_some() {
                let rt = tokio::runtime::Handle::current();
                tokio::task::spawn_blocking(move || part.read_direct(&rt));
            } else {
                tokio::spawn(part.read_pooled());
            }
        }
        Ok(ReplayFeed {
            rx,
            next: 0,
            persons: n,
        })
    }
}

/// One reader's share of the chunks: `first`, `first + step`, ….
struct Part {
    store: Store,
    chunks: Arc<Vec<Vec<i64>>>,
    scope: Arc<ReplayScope>,
    first: usize,
    step: usize,
    tx: mpsc::Sender<Result<Vec<PersonClaims>, StoreError>>,
}

impl Part {
    fn mine(&self) -> impl Iterator<Item = &Vec<i64>> {
        self.chunks.iter().skip(self.first).step_by(self.step)
    }

    /// PostgreSQL and an in-memory SQLite: on a connection of the pool.
    async fn read_pooled(self) {
        let mut conn = match self.store.pool().acquire().await {
            Ok(c) => c,
            Err(e) => {
                let _ = self.tx.send(Err(e.into())).await;
                return;
            }
        };
        let mut classes = Classes::default();
        for chunk in self.mine() {
            let read = facts::load(&mut conn, chunk, &mut classes)
                .await
                .map(|loaded| people(loaded, chunk, &self.scope));
            let failed = read.is_err();
            if self.tx.send(read).await.is_err() || failed {
                return;
            }
        }
    }

    /// SQLite's file, on a blocking thread: through rusqlite on the store's
    /// own read connections (`read_rows`), chunk by chunk through the pool
    /// should SQLite refuse a direct read.
    fn read_direct(self, rt: &tokio::runtime::Handle) {
        let Some(reader) = self.store.reader() else {
            return;
        };
        let mut classes = Classes::default();
        for chunk in self.mine() {
            let read = match reader.with_direct(|c| facts::load_direct(c, chunk, &mut classes)) {
                Ok(loaded) => Ok(loaded),
                Err(Failed::Row(e)) => Err(e),
                Err(Failed::Sqlite(e)) => {
                    tracing::debug!("direct SQLite read failed, using the pool: {e}");
                    rt.block_on(async {
                        let mut conn = self.store.pool().acquire().await?;
                        facts::load(&mut conn, chunk, &mut classes).await
                    })
                }
            }
            .map(|loaded| people(loaded, chunk, &self.scope));
            let failed = read.is_err();
            if self.tx.blocking_send(read).is_err() || failed {
                return;
            }
        }
    }
}

/// The persons of a chunk who have a claim to replay, with the claims the
/// replay sees (those after the period are left out).
fn people(mut loaded: Loaded, chunk: &[i64], scope: &ReplayScope) -> Vec<PersonClaims> {
    let mut out = Vec::with_capacity(chunk.len());
    for pid in chunk {
        let (Some(person), Some(stored)) = (loaded.persons.remove(pid), loaded.claims.remove(pid))
        else {
            continue;
        };
        let mut claims = Vec::with_capacity(stored.len());
        for c in stored {
            let on = c.facts.event_date();
            if scope.to.is_some_and(|t| on > t) {
                continue;
            }
            let replay = scope.in_period(on)
                && c.status != ClaimStatus::Submitted
                && c.policy_id == Some(scope.policy_id);
            let award = if replay { None } else { c.award() };
            if !replay && award.is_none() {
                continue;
            }
            let enterprise = scope.enterprise_types.contains(&c.facts.subsidy_type);
            let region = paying_region(&c, &person, enterprise).0.clone();
            let institution = c.institution_code.clone().or(c.claimant_code.clone());
            claims.push(ReplayClaim {
                facts: c.facts,
                replay,
                award,
                region,
                institution,
            });
        }
        if claims.iter().any(|c| c.replay) {
            out.push(PersonClaims { person, claims });
        }
    }
    out
}
