//! The queue's batch actions with a preview: 批量核准 takes the clean
//! (待核准) claims of the list's filters, 拨付 the approved (已核准) ones.
//! The preview counts them, totals them per fund (for approval the fund
//! the policy routes the type to first; for payment the fund R16 would
//! pay from given today's balances, or none when no fund holds enough),
//! names the claims held by open cases, and fingerprints the set. The
//! confirmation carries the filters and the fingerprint: when the set has
//! changed since the preview nothing is done and the new preview is
//! returned, so an officer acts on exactly what was shown.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use jineng_domain::ClaimStatus;
use jineng_domain::Fen;
use jineng_domain::access::Scope;
use jineng_domain::ledger::{self, FundCode};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{AssertSqlSafe, Row};

use crate::audit::Actor;
use crate::claims::list::{ClaimQuery, conditions, unmatchable};
use crate::ledger::fund_balance_in;
use crate::sql::bind_all;
use crate::supervision::holds::holding_cases;
use crate::{DecideSummary, PaySummary, Store, StoreError};

/// Which batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchKind {
    /// 批量核准: the 待核准 claims.
    Approve,
    /// 拨付: the 已核准 claims.
    Pay,
}

impl BatchKind {
    /// The status the batch takes claims from.
    pub fn status(self) -> ClaimStatus {
        match self {
            BatchKind::Approve => ClaimStatus::Eligible,
            BatchKind::Pay => ClaimStatus::Approved,
        }
    }
}

/// A fund's share of a batch.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FundShare {
    /// Empty: no fund (none routed, or none holds enough).
    pub code: String,
    pub name: String,
    pub claims: i64,
    pub fen: i64,
}

/// What a batch would act on.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BatchPreview {
    /// Every claim of the set (held ones too), by claim number.
    pub claims: Vec<String>,
    /// Claims and Σ amount that would be approved or paid.
    pub count: i64,
    pub total_fen: i64,
    pub funds: Vec<FundShare>,
    /// Claims held by an open case (claim, case), left as they are.
    pub held: Vec<(String, String)>,
    /// Hex digest of the set (claim numbers and amounts).
    pub fingerprint: String,
}

/// A confirmed batch: done (with the preview it acted on), or the set
/// changed (the new preview).
#[derive(Debug, Clone)]
pub enum BatchRun<S> {
    Done(S, BatchPreview),
    Changed(BatchPreview),
}

/// One claim of a set.
struct Member {
    claim_no: String,
    fen: i64,
    subsidy_type: String,
    policy_id: Option<i64>,
}

fn fingerprint(members: &[Member]) -> String {
    let mut h = Sha256::new();
    for m in members {
        h.update(format!("{}:{}\n", m.claim_no, m.fen).as_bytes());
    }
    h.finalize()
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Store {
    async fn batch_members(
        &self,
        scope: &Scope,
        q: &ClaimQuery,
        kind: BatchKind,
    ) -> Result<Vec<Member>, StoreError> {
        let q = ClaimQuery {
            status: Some(kind.status()),
            ..q.clone()
        };
        if unmatchable(&q) {
            return Ok(Vec::new());
        }
        let (cond, vals) = conditions(scope, &q);
        let sql = format!(
            "SELECT c.claim_no, c.amount_fen, c.subsidy_type, c.policy_id \
             FROM claims c JOIN persons p ON p.person_id = c.person_id WHERE {cond} ORDER BY c.claim_no"
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Member {
                    claim_no: r.try_get("claim_no")?,
                    fen: r.try_get::<Option<i64>, _>("amount_fen")?.unwrap_or(0),
                    subsidy_type: r.try_get("subsidy_type")?,
                    policy_id: r.try_get("policy_id")?,
                })
            })
            .collect()
    }

    /// The preview of a batch over the queue's filters (its status filter
    /// is replaced by the batch's).
    pub async fn claim_batch(
        &self,
        scope: &Scope,
        q: &ClaimQuery,
        kind: BatchKind,
    ) -> Result<BatchPreview, StoreError> {
        let members = self.batch_members(scope, q, kind).await?;
        self.preview_of(&members, kind).await
    }

    async fn preview_of(
        &self,
        members: &[Member],
        kind: BatchKind,
    ) -> Result<BatchPreview, StoreError> {
        let names: HashMap<String, String> = self.fund_names().await?.into_iter().collect();
        let policies = self.policy_set().await?;
        let mut conn = self.pool().acquire().await?;
        let keys: Vec<&str> = members.iter().map(|m| m.claim_no.as_str()).collect();
        let holds = holding_cases(&mut conn, &keys).await?;
        // What each fund's bank account would still hold (payment only).
        let mut left: HashMap<FundCode, Option<Fen>> = HashMap::new();
        let mut shares: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let mut held = Vec::new();
        let (mut count, mut total) = (0, 0);
        for m in members {
            if let Some(case) = holds.get(&m.claim_no) {
                held.push((m.claim_no.clone(), case.clone()));
                continue;
            }
            let routing: &[FundCode] = m
                .policy_id
                .and_then(|id| policies.get(id))
                .and_then(|p| p.fund_routing(&m.subsidy_type).ok())
                .unwrap_or_default();
            let fund = match kind {
                BatchKind::Approve => routing.first().cloned(),
                BatchKind::Pay => {
                    let mut routed = Vec::with_capacity(routing.len());
                    for f in routing {
                        if !left.contains_key(f) {
                            let bank = fund_balance_in(&mut conn, self.backend(), f).await?;
                            left.insert(f.clone(), bank);
                        }
                        routed.push((f.clone(), left[f]));
                    }
                    // What the batch before it leaves, R16 deciding.
                    let chosen = (m.fen > 0)
                        .then(|| ledger::choose_fund(&routed, Fen(m.fen)).ok())
                        .flatten();
                    if let Some(f) = &chosen
                        && let Some(Some(b)) = left.get_mut(f)
                    {
                        *b -= Fen(m.fen);
                    }
                    chosen
                }
            };
            let e = shares
                .entry(fund.as_ref().map(FundCode::to_string).unwrap_or_default())
                .or_default();
            e.0 += 1;
            e.1 += m.fen;
            if kind == BatchKind::Approve || fund.is_some() {
                count += 1;
                total += m.fen;
            }
        }
        let funds = shares
            .into_iter()
            .map(|(code, (claims, fen))| FundShare {
                name: names.get(&code).cloned().unwrap_or_else(|| code.clone()),
                code,
                claims,
                fen,
            })
            .collect();
        Ok(BatchPreview {
            claims: members.iter().map(|m| m.claim_no.clone()).collect(),
            count,
            total_fen: total,
            funds,
            held,
            fingerprint: fingerprint(members),
        })
    }

    /// 批量核准 of the previewed set: the clean claims of the filters,
    /// when the set still has the fingerprint shown.
    pub async fn batch_approve(
        &self,
        scope: &Scope,
        q: &ClaimQuery,
        shown: &str,
        today: NaiveDate,
        actor: &Actor,
    ) -> Result<BatchRun<DecideSummary>, StoreError> {
        let members = self.batch_members(scope, q, BatchKind::Approve).await?;
        let preview = self.preview_of(&members, BatchKind::Approve).await?;
        if preview.fingerprint != shown {
            return Ok(BatchRun::Changed(preview));
        }
        if members.is_empty() {
            return Ok(BatchRun::Done(DecideSummary::default(), preview));
        }
        let list: Vec<String> = members.into_iter().map(|m| m.claim_no).collect();
        let policies = self.policy_set().await?;
        let s = self
            .approve_claims(&policies, Some(&list), Some("批量核准"), today, actor)
            .await?;
        Ok(BatchRun::Done(s, preview))
    }

    /// 拨付 of the previewed set: the approved claims of the filters, when
    /// the set still has the fingerprint shown.
    pub async fn batch_pay(
        &self,
        scope: &Scope,
        q: &ClaimQuery,
        shown: &str,
        actor: &Actor,
    ) -> Result<BatchRun<PaySummary>, StoreError> {
        let members = self.batch_members(scope, q, BatchKind::Pay).await?;
        let preview = self.preview_of(&members, BatchKind::Pay).await?;
        if preview.fingerprint != shown {
            return Ok(BatchRun::Changed(preview));
        }
        if members.is_empty() {
            return Ok(BatchRun::Done(PaySummary::default(), preview));
        }
        let list: Vec<String> = members.into_iter().map(|m| m.claim_no).collect();
        let policies = self.policy_set().await?;
        let s = self.pay_claims(&policies, Some(&list), actor).await?;
        Ok(BatchRun::Done(s, preview))
    }
}
