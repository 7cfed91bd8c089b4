//! Deciding and approving claims, person by person under a lock on the
//! person, so that concurrent requests for one person's claims see each
//! other's approvals: caps and no-repeat rules hold under concurrency.

use jineng_domain::audit::{Action, Entity};
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use jineng_domain::policy::engine::{self, Decision, DecisionOutcome, PayeeKind};
use jineng_domain::policy::facts::{Award, PersonFacts};
use jineng_domain::{ClaimStatus, Fen};
use serde::Serialize;
use sqlx::Row;

use super::facts::{Loaded, StoredClaim};
use crate::audit::{Actor, AuditEntry};
use crate::policy::jurisdiction::paying_region;
use crate::policy::{Chosen, PolicySet};
use crate::sql::{Val, select_in, update_rows};
use crate::supervision::holds::{held_message, holding_cases};
use crate::{Store, StoreError};

#[derive(Debug, Clone, Default, Serialize)]
pub struct DecideSummary {
    pub decided: u64,
    pub approved: u64,
    pub rejected: u64,
    pub review: u64,
    pub amount_fen: i64,
    /// Claims an officer's approval could not stand for, with the reason.
    pub refused: Vec<(String, String)>,
    /// With `--all`: eligible claims held by an open case (claim, case
    /// number), left as they are. A claim named and held is in `refused`.
    pub held: Vec<(String, String)>,
}

impl DecideSummary {
    pub(super) fn absorb(&mut self, s: DecideSummary) {
        self.decided += s.decided;
        self.approved += s.approved;
        self.rejected += s.rejected;
        self.review += s.review;
        self.amount_fen += s.amount_fen;
        self.refused.extend(s.refused);
        self.held.extend(s.held);
    }
}

/// What to do with a person's claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Decide submitted claims (the engine's verdict).
    Decide,
    /// An officer approves eligible claims, and review claims when named;
    /// each is decided again against the person's current awards.
    Approve,
}

/// What a batch does, shared by its chunks.
pub(crate) struct Job<'a> {
    pub policies: &'a PolicySet,
    /// The claims named, or every claim in `statuses`.
    pub wanted: Option<HashSet<&'a str>>,
    pub statuses: &'static [ClaimStatus],
    pub mode: Mode,
    pub note: Option<&'a str>,
    pub today: NaiveDate,
    pub actor: &'a Actor,
}

impl Store {
    /// Decides submitted claims: those named, or all of them.
    pub async fn decide_claims(
        &self,
        policies: &PolicySet,
        only: Option<&[String]>,
        today: NaiveDate,
        actor: &Actor,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<DecideSummary, StoreError> {
        self.process(policies, only, Mode::Decide, None, today, actor, progress)
            .await
    }

    /// Approves claims: those named (eligible, or in review once an officer
    /// has looked), or with `None` every eligible (clean) claim.
    pub(crate) async fn approve_claims(
        &self,
        policies: &PolicySet,
        only: Option<&[String]>,
        note: Option<&str>,
        today: NaiveDate,
        actor: &Actor,
    ) -> Result<DecideSummary, StoreError> {
        self.process(policies, only, Mode::Approve, note, today, actor, &|_| {})
            .await
    }

    pub(super) async fn persons_with(
        &self,
        only: Option<&[String]>,
        statuses: &[ClaimStatus],
    ) -> Result<Vec<i64>, StoreError> {
        let status_list = statuses
            .iter()
            .map(|s| format!("'{}'", s.code()))
            .collect::<Vec<_>>()
            .join(", ");
        let mut conn = self.pool().acquire().await?;
        let mut ids: Vec<i64> = match only {
            Some(claims) => {
                let keys: Vec<Val> = claims.iter().map(Val::text).collect();
                let mut ids = Vec::new();
                for r in select_in(
                    &mut conn,
                    "SELECT person_id, status FROM claims",
                    "claim_no",
                    &keys,
                )
                .await?
                {
                    if statuses.contains(&super::stored_status(&r.try_get::<String, _>("status")?)?)
                    {
                        ids.push(r.try_get("person_id")?);
                    }
                }
                ids
            }
            None => {
                // Deduplicated below; the (status, person_id) index answers it alone.
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT person_id FROM claims WHERE status IN ({status_list})"
                )))
                .fetch_all(&mut *conn)
                .await?
            }
        };
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }

    /// The status of each named claim that exists.
    pub(crate) async fn claims_named(
        &self,
        only: &[String],
    ) -> Result<HashMap<String, ClaimStatus>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let keys: Vec<Val> = only.iter().map(Val::text).collect();
        select_in(
            &mut conn,
            "SELECT claim_no, status FROM claims",
            "claim_no",
            &keys,
        )
        .await?
        .iter()
        .map(|r| {
            let status: String = r.try_get("status")?;
            Ok((r.try_get("claim_no")?, super::stored_status(&status)?))
        })
        .collect()
    }
}

/// A decision to write: the claim, the decision, the (policy id, policy
/// version id) it was made under (none: 无适用政策) and the new status.
type Write = (StoredClaim, Decision, Option<(i64, i64)>, ClaimStatus);

/// Decides (or approves) the claims of one chunk of persons from their
/// facts and writes the outcome with its audit row, inside the caller's
/// transaction.
pub(crate) async fn decide_chunk(
    conn: &mut sqlx::AnyConnection,
    job: &Job<'_>,
    persons: &[i64],
    loaded: Loaded,
) -> Result<DecideSummary, StoreError> {
    let now = crate::audit::now();
    let mut summary = DecideSummary::default();
    let mut writes: Vec<Write> = Vec::new();
    if job.policies.is_empty() {
        return Err(StoreError::Refused(
            "尚未载入补贴政策：请先运行 jineng policy load".into(),
        ));
    }
    let held = held_claims(conn, job, persons, &loaded).await?;
    for pid in persons {
        let (Some(person), Some(claims)) = (loaded.persons.get(pid), loaded.claims.get(pid)) else {
            continue;
        };
        decide_person(job, person, claims, &held, &mut summary, &mut writes);
    }
    let t = std::time::Instant::now();
    write_decisions(conn, &writes, job.mode, job.note, &now).await?;
    tracing::debug!(
        persons = persons.len(),
        claims = writes.len(),
        write_ms = t.elapsed().as_millis() as u64,
        "decided a chunk"
    );
    if !writes.is_empty() {
        crate::audit::write(conn, job.actor, None, &chunk_audit(job, &writes)).await?;
    }
    Ok(summary)
}

/// The open case holding each of the chunk's claims to approve (none when
/// deciding): claims held by an open case are not approved; read under the
/// lock, in the transaction that writes the approvals.
async fn held_claims(
    conn: &mut sqlx::AnyConnection,
    job: &Job<'_>,
    persons: &[i64],
    loaded: &Loaded,
) -> Result<HashMap<String, String>, StoreError> {
    match job.mode {
        Mode::Approve => {
            let targets: Vec<&str> = persons
                .iter()
                .filter_map(|p| loaded.claims.get(p))
                .flatten()
                .filter(|c| job.statuses.contains(&c.status))
                .map(|c| c.facts.claim_no.as_str())
                .filter(|c| job.wanted.as_ref().is_none_or(|w| w.contains(c)))
                .collect();
            holding_cases(conn, &targets).await
        }
        Mode::Decide => Ok(HashMap::new()),
    }
}

/// Decides one person's targeted claims in their order, each against the
/// awards that stand; a claim held by a case is set aside (or refused when
/// asked for by number).
fn decide_person(
    job: &Job<'_>,
    person: &PersonFacts,
    claims: &[StoredClaim],
    held: &HashMap<String, String>,
    summary: &mut DecideSummary,
    writes: &mut Vec<Write>,
) {
    let mut targets: Vec<&StoredClaim> = claims
        .iter()
        .filter(|c| job.statuses.contains(&c.status))
        .filter(|c| {
            job.wanted
                .as_ref()
                .is_none_or(|w| w.contains(c.facts.claim_no.as_str()))
        })
        .collect();
    targets.sort_by(|a, b| engine::order_key(&a.facts).cmp(&engine::order_key(&b.facts)));
    let target_nos: HashSet<&str> = targets.iter().map(|c| c.facts.claim_no.as_str()).collect();
    // Awards that stand, other than the claims being (re)decided.
    let mut history: Vec<_> = claims
        .iter()
        .filter(|c| !target_nos.contains(c.facts.claim_no.as_str()))
        .filter_map(StoredClaim::award)
        .collect();
    for c in targets {
        if let Some(case) = held.get(&c.facts.claim_no) {
            // It still stands for the person's other claims.
            history.extend(c.award());
            let claim_no = c.facts.claim_no.clone();
            if job.wanted.is_some() {
                let why = held_message(&claim_no, case);
                summary.refused.push((claim_no, why));
            } else {
                summary.held.push((claim_no, case.clone()));
            }
            continue;
        }
        writes.extend(decide_claim(job, c, person, &mut history, summary));
    }
}

/// Decides one claim under its policy (or as 无适用政策), counting it in
/// `summary` and adding its award to `history`; None when an approval is
/// refused (noted in `summary`).
fn decide_claim(
    job: &Job<'_>,
    c: &StoredClaim,
    person: &PersonFacts,
    history: &mut Vec<Award>,
    summary: &mut DecideSummary,
) -> Option<Write> {
    let Some(Chosen { version, policy }) = policy_for(job, c, person) else {
        let enterprise = job.policies.pays_enterprise(&c.facts.subsidy_type);
        let (region, _) = paying_region(c, person, enterprise);
        if job.mode == Mode::Approve {
            summary.refused.push((
                c.facts.claim_no.clone(),
                format!(
                    "无适用政策（申领地区 {region}，{}），不能核准",
                    c.facts.event_date()
                ),
            ));
            return None;
        }
        summary.decided += 1;
        summary.review += 1;
        return Some((
            c.clone(),
            engine::no_policy(&c.facts, region),
            None,
            ClaimStatus::Review,
        ));
    };
    let policy_ref = Some((version.policy_id, version.version_id));
    let d = engine::decide(policy, person, &c.facts, history, job.today);
    let status = match (job.mode, d.outcome) {
        (Mode::Decide, DecisionOutcome::Approved) => ClaimStatus::Eligible,
        (Mode::Decide, DecisionOutcome::Review) => ClaimStatus::Review,
        (Mode::Decide, DecisionOutcome::Rejected) => ClaimStatus::Rejected,
        // An officer's approval clears the flags, not a refusal.
        (Mode::Approve, DecisionOutcome::Approved | DecisionOutcome::Review) => {
            ClaimStatus::Approved
        }
        (Mode::Approve, DecisionOutcome::Rejected) => {
            let rules: Vec<&str> = d.rules().iter().map(|r| r.as_str()).collect();
            summary.refused.push((
                c.facts.claim_no.clone(),
                format!("复核时不再符合条件（{}），未核准", rules.join("、")),
            ));
            return None;
        }
    };
    if status != ClaimStatus::Rejected
        && let Some(a) = &d.award
    {
        history.push(a.clone());
    }
    summary.decided += 1;
    match d.outcome {
        DecisionOutcome::Approved => summary.approved += 1,
        DecisionOutcome::Review if job.mode == Mode::Approve => summary.approved += 1,
        DecisionOutcome::Review => summary.review += 1,
        DecisionOutcome::Rejected => summary.rejected += 1,
    }
    if status != ClaimStatus::Rejected {
        summary.amount_fen += d.amount.0;
    }
    Some((c.clone(), d, policy_ref, status))
}

/// The audit rows of a chunk's writes: one row for a decision run, one a
/// claim for approvals.
fn chunk_audit(job: &Job<'_>, writes: &[Write]) -> Vec<AuditEntry> {
    match job.mode {
        Mode::Decide => vec![AuditEntry::change(
            Action::Decide,
            Entity::Claims,
            format!("{} 件", writes.len()),
            None,
            Some(&serde_json::json!(
                writes.iter().map(|(c, _, _, s)| [c.facts.claim_no.as_str(), s.code()]).collect::<Vec<_>>()
            )),
        )],
        Mode::Approve => writes
            .iter()
            .map(|(c, d, _, s)| {
                AuditEntry::change(
                    Action::Approve,
                    Entity::Claim,
                    c.facts.claim_no.clone(),
                    Some(&serde_json::json!({ "status": c.status })),
                    Some(&serde_json::json!({ "status": s, "amount_fen": d.amount.0, "note": job.note })),
                )
            })
            .collect(),
    }
}

/// The policy a claim is decided under: on approval, the version it was
/// decided with; otherwise its jurisdiction's policy in force on its date
/// (docs/policy.md, Jurisdiction). None: no policy applies (无适用政策).
fn policy_for<'p>(job: &Job<'p>, c: &StoredClaim, person: &PersonFacts) -> Option<Chosen<'p>> {
    let policies = job.policies;
    if job.mode == Mode::Approve
        && let Some(stood) = c
            .policy_version
            .and_then(|v| policies.version(v))
            .or_else(|| c.policy_id.and_then(|id| policies.current(id)))
    {
        return Some(stood);
    }
    let enterprise = policies.pays_enterprise(&c.facts.subsidy_type);
    let (region, _) = paying_region(c, person, enterprise);
    policies.for_region(region, c.facts.event_date())
}

/// Row locks on the persons, in key order so two transactions never wait
/// on each other in a cycle.
pub(crate) async fn lock_persons(
    conn: &mut sqlx::AnyConnection,
    persons: &[i64],
) -> Result<(), StoreError> {
    for chunk in persons.chunks(1000) {
        let list = chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT person_id FROM persons WHERE person_id IN ({list}) ORDER BY person_id FOR UPDATE"
        )))
        .fetch_all(&mut *conn)
        .await?;
    }
    Ok(())
}

fn payee_code(c: &StoredClaim, payee: Option<PayeeKind>) -> Option<String> {
    match payee {
        Some(PayeeKind::Institution) => c.institution_code.clone(),
        Some(PayeeKind::Enterprise) => c.claimant_code.clone(),
        _ => None,
    }
}

async fn write_decisions(
    conn: &mut sqlx::AnyConnection,
    writes: &[Write],
    mode: Mode,
    note: Option<&str>,
    now: &str,
) -> Result<(), StoreError> {
    let rows: Vec<Vec<Val>> = writes
        .iter()
        .map(|(c, d, policy_ref, status)| {
            let rules = d
                .rules()
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(",");
            let award = d.award.as_ref();
            let amount = if *status == ClaimStatus::Rejected {
                Fen::ZERO
            } else {
                d.amount
            };
            let mut row = vec![
                Val::int(c.person_id),
                Val::text(&c.facts.claim_no),
                Val::text(status.code()),
                Val::text(d.outcome.as_str()),
                Val::int(amount.0),
                Val::opt_text(d.payee().map(PayeeKind::as_str)),
                Val::T(payee_code(c, d.payee())),
                Val::int(i64::from(d.advance_pct)),
                Val::int(i64::from(d.year)),
                Val::int(award.map_or(0, |a| a.months)),
                Val::T(award.filter(|a| !a.paid_months.is_empty()).map(|a| {
                    a.paid_months
                        .iter()
                        .map(|m| crate::imports::records::month_text(*m))
                        .collect::<Vec<_>>()
                        .join(",")
                })),
                Val::int(i64::from(award.is_some_and(|a| a.veteran_free))),
                Val::text(rules),
                Val::text(serde_json::to_string(&d.trace).unwrap_or_default()),
                Val::I(policy_ref.map(|(id, _)| id)),
                Val::I(policy_ref.map(|(_, v)| v)),
            ];
            if mode == Mode::Approve {
                row.push(Val::opt_text(note));
            }
            row
        })
        .collect();
    // The time is the same for every row (and safe as a literal); only an
    // approval carries the officer's note.
    let at = format!("'{}'", now.replace('\'', ""));
    let mut columns = vec![
        "status",
        "outcome",
        "amount_fen",
        "payee_kind",
        "payee_code",
        "advance_pct",
        "basis_year",
        "months_paid",
        "paid_months",
        "veteran_free",
        "flagged_rules",
        "trace",
        "policy_id",
        "policy_version",
    ];
    let values: Vec<String> = columns.iter().map(|c| format!("v.{c}")).collect();
    let mut set: Vec<(&str, &str)> = columns
        .iter()
        .copied()
        .zip(values.iter().map(String::as_str))
        .collect();
    set.push(("decided_at", &at));
    set.push(("updated_at", &at));
    if mode == Mode::Approve {
        columns.push("note");
        set.push(("officer_note", "COALESCE(v.note, claims.officer_note)"));
    }
    update_rows(
        conn,
        "claims",
        &["person_id", "claim_no"],
        &columns,
        &set,
        &rows,
    )
    .await?;
    Ok(())
}
