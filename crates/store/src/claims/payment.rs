//! Paying approved claims from the dedicated account: the fund sources the
//! policy routes the subsidy type to, first choice first, the first that
//! holds enough (R16); advances and their settlement (R9, R11); recovery of
//! a paid claim found false (追回), by reversing its entries. The claim's
//! status and its ledger posting change in one transaction.

use jineng_domain::audit::{Action, Entity};
use jineng_domain::ledger::{self, FundCode, Op};
use jineng_domain::{ClaimStatus, ClaimStep, Fen};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

use crate::audit::Actor;
use crate::ledger::{fund_balance_in, post_in};
use crate::policy::PolicySet;
use crate::supervision::credit::no_advances;
use crate::supervision::holds::{held_by, held_message, refuse_if_held};
use crate::{Backend, Store, StoreError};

#[derive(Debug, Clone, Default, Serialize)]
pub struct PaySummary {
    pub paid: u64,
    pub amount_fen: i64,
    pub refused: Vec<(String, String)>,
    /// With `--all`: claims held by an open case (claim, case number),
    /// skipped. A claim named and held is in `refused`.
    pub held: Vec<(String, String)>,
}

/// One claim's payment: paid, or held by an open case.
enum PayOne {
    Paid(Fen),
    Held(String),
}

/// The claim row, locked.
pub(crate) struct Locked {
    pub person_id: i64,
    pub status: ClaimStatus,
    pub subsidy_type: String,
    pub amount: Fen,
    pub advance_pct: i64,
    pub policy_id: Option<i64>,
    pub fund_code: Option<String>,
    pub class_id: Option<i64>,
}

impl Locked {
    /// The status `step` takes the claim to, or the refusal.
    pub fn next(&self, step: ClaimStep) -> Result<ClaimStatus, StoreError> {
        self.status.after(step, None).map_err(StoreError::Refused)
    }
}

pub(crate) async fn lock_claim(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    claim_no: &str,
) -> Result<Locked, StoreError> {
    let sql = format!(
        "SELECT person_id, status, subsidy_type, amount_fen, advance_pct, policy_id, fund_code, class_id \
         FROM claims WHERE claim_no = $1{}",
        backend.for_update()
    );
    let r = sqlx::query(AssertSqlSafe(sql))
        .bind(claim_no)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("没有申领「{claim_no}」")))?;
    Ok(Locked {
        person_id: r.try_get("person_id")?,
        status: super::stored_status(&r.try_get::<String, _>("status")?)?,
        subsidy_type: r.try_get("subsidy_type")?,
        amount: Fen(r.try_get::<Option<i64>, _>("amount_fen")?.unwrap_or(0)),
        advance_pct: r.try_get::<Option<i64>, _>("advance_pct")?.unwrap_or(0),
        policy_id: r.try_get("policy_id")?,
        fund_code: r.try_get("fund_code")?,
        class_id: r.try_get("class_id")?,
    })
}

pub(super) fn refuse(msg: String) -> StoreError {
    StoreError::Refused(msg)
}

/// The fund that pays `amount` (R16, decided by `domain::ledger`): the
/// balances of the funds the claim's policy routes its subsidy type to,
/// each fund's row locked, in the routing's order.
pub(super) async fn choose_fund(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    policies: &PolicySet,
    c: &Locked,
    amount: Fen,
) -> Result<FundCode, StoreError> {
    let policy = c
        .policy_id
        .and_then(|id| policies.get(id))
        .ok_or_else(|| refuse("申领尚未按政策决定".into()))?;
    let routing = policy.fund_routing(&c.subsidy_type).map_err(refuse)?;
    let mut routed = Vec::with_capacity(routing.len());
    for fund in routing {
        routed.push((fund.clone(), fund_balance_in(conn, backend, fund).await?));
    }
    ledger::choose_fund(&routed, amount).map_err(refuse)
}

/// Books `op`, a payment of claim `claim_no` (locked as `c`) from `fund`,
/// and moves the claim to `to` with the fund noted on it.
async fn pay_from(
    conn: &mut sqlx::AnyConnection,
    claim_no: &str,
    c: &Locked,
    fund: &FundCode,
    op: &Op,
    to: ClaimStatus,
    actor: &Actor,
) -> Result<(), StoreError> {
    let backend = Backend::of(conn);
    post_in(conn, backend, op, actor).await?;
    set_status(
        conn,
        claim_no,
        c.status,
        to,
        Some(fund.as_str()),
        None,
        actor,
    )
    .await
}

pub(super) async fn set_status(
    conn: &mut sqlx::AnyConnection,
    claim_no: &str,
    from: ClaimStatus,
    to: ClaimStatus,
    fund: Option<&str>,
    note: Option<&str>,
    actor: &Actor,
) -> Result<(), StoreError> {
    let now = crate::audit::now();
    sqlx::query(
        "UPDATE claims SET status = $1, fund_code = COALESCE($2, fund_code), officer_note = COALESCE($3, officer_note), updated_at = $4 WHERE claim_no = $5",
    )
    .bind(to.code())
    .bind(fund)
    .bind(note)
    .bind(&now)
    .bind(claim_no)
    .execute(&mut *conn)
    .await?;
    crate::audit::write_change(
        conn,
        actor,
        Action::ClaimStatus,
        Entity::Claim,
        claim_no.to_string(),
        Some(&serde_json::json!({ "status": from })),
        Some(&serde_json::json!({ "status": to, "fund": fund, "note": note })),
    )
    .await?;
    Ok(())
}

impl Store {
    /// Registers the fund sources a policy names (R16).
    pub async fn register_funds(
        &self,
        funds: &[(String, String)],
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let parsed = funds
            .iter()
            .map(|(c, n)| {
                FundCode::parse(c)
                    .map(|f| (f, n.clone()))
                    .map_err(|e| StoreError::Refused(e.message().to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.upsert_funds(&parsed, actor).await.map(drop)
    }

    /// Pays approved claims: those named, or all of them. Each claim is
    /// paid in full from one fund, in its own transaction.
    pub(crate) async fn pay_claims(
        &self,
        policies: &PolicySet,
        only: Option<&[String]>,
        actor: &Actor,
    ) -> Result<PaySummary, StoreError> {
        let claims: Vec<String> = match only {
            Some(o) => o.to_vec(),
            None => {
                sqlx::query_scalar(
                    "SELECT claim_no FROM claims WHERE status = $1 ORDER BY claim_no",
                )
                .bind(ClaimStatus::Approved.code())
                .fetch_all(self.pool())
                .await?
            }
        };
        let mut s = PaySummary::default();
        for claim_no in claims {
            match self.pay_one(policies, &claim_no, actor).await {
                Ok(PayOne::Paid(amount)) => {
                    s.paid += 1;
                    s.amount_fen += amount.0;
                }
                Ok(PayOne::Held(case)) if only.is_none() => s.held.push((claim_no, case)),
                Ok(PayOne::Held(case)) => {
                    let why = held_message(&claim_no, &case);
                    s.refused.push((claim_no, why));
                }
                Err(StoreError::Db(e)) => return Err(StoreError::Db(e)),
                Err(e) => s.refused.push((claim_no, e.to_string())),
            }
        }
        Ok(s)
    }

    async fn pay_one(
        &self,
        policies: &PolicySet,
        claim_no: &str,
        actor: &Actor,
    ) -> Result<PayOne, StoreError> {
        let mut tx = self.begin().await?;
        let c = lock_claim(&mut tx, self.backend(), claim_no).await?;
        let to = c.next(ClaimStep::Pay)?;
        if let Some(case) = held_by(&mut tx, claim_no).await? {
            return Ok(PayOne::Held(case));
        }
        if c.amount.0 <= 0 {
            return Err(refuse("核准金额为零".into()));
        }
        let fund = choose_fund(&mut tx, self.backend(), policies, &c, c.amount).await?;
        let op = Op::Pay {
            fund: fund.clone(),
            claim: claim_no.to_string(),
            amount: c.amount,
        };
        pay_from(&mut tx, claim_no, &c, &fund, &op, to, actor).await?;
        tx.commit().await?;
        crate::metrics::paid(crate::metrics::Payment::Pay, 1, c.amount.0);
        Ok(PayOne::Paid(c.amount))
    }

    /// Advances the policy's share of an approved claim (R9, R11).
    pub(crate) async fn advance_claim(
        &self,
        policies: &PolicySet,
        claim_no: &str,
        actor: &Actor,
    ) -> Result<(Fen, String), StoreError> {
        let mut tx = self.begin().await?;
        let c = lock_claim(&mut tx, self.backend(), claim_no).await?;
        let to = c.next(ClaimStep::Advance)?;
        refuse_if_held(&mut tx, claim_no).await?;
        if let Some(why) = no_advances(&mut tx, claim_no).await? {
            return Err(refuse(why));
        }
        if c.advance_pct <= 0 {
            return Err(refuse(format!("「{}」按政策不可预拨", c.subsidy_type)));
        }
        let amount = Fen(c.amount.0 * c.advance_pct / 100);
        let fund = choose_fund(&mut tx, self.backend(), policies, &c, c.amount).await?;
        let op = Op::Advance {
            fund: fund.clone(),
            claim: claim_no.to_string(),
            amount,
        };
        pay_from(&mut tx, claim_no, &c, &fund, &op, to, actor).await?;
        tx.commit().await?;
        crate::metrics::paid(crate::metrics::Payment::Advance, 1, amount.0);
        Ok((amount, fund.as_str().to_string()))
    }

    /// Pays the rest of an advanced claim once the training is completed.
    pub(crate) async fn settle_claim(
        &self,
        claim_no: &str,
        actor: &Actor,
    ) -> Result<Fen, StoreError> {
        let mut tx = self.begin().await?;
        let c = lock_claim(&mut tx, self.backend(), claim_no).await?;
        let to = c.next(ClaimStep::Settle)?;
        refuse_if_held(&mut tx, claim_no).await?;
        let completed: Option<String> = match c.class_id {
            Some(class) => {
                sqlx::query_scalar(
                    "SELECT completion FROM enrolments WHERE person_id = $1 AND class_id = $2",
                )
                .bind(c.person_id)
                .bind(class)
                .fetch_optional(&mut *tx)
                .await?
            }
            None => None,
        };
        if completed.as_deref() != Some("passed") {
            return Err(refuse("培训尚未结业合格，不能清算余款".into()));
        }
        let fund = c
            .fund_code
            .as_deref()
            .map(FundCode::parse)
            .transpose()
            .map_err(|e| refuse(e.message().to_string()))?
            .ok_or_else(|| refuse("预拨记录缺少资金来源".into()))?;
        let state = crate::ledger::claim_state(&mut tx, claim_no).await?;
        let rest = c.amount - state.advanced.unwrap_or(Fen::ZERO);
        let op = Op::Settle {
            fund: fund.clone(),
            claim: claim_no.to_string(),
            total: c.amount,
        };
        post_in(&mut tx, self.backend(), &op, actor).await?;
        set_status(&mut tx, claim_no, c.status, to, None, None, actor).await?;
        tx.commit().await?;
        crate::metrics::paid(crate::metrics::Payment::Settle, 1, rest.0);
        Ok(rest)
    }

    /// Recovers a paid or advanced claim found false: its postings are
    /// reversed and it no longer counts as an award.
    pub(crate) async fn recover_claim(
        &self,
        claim_no: &str,
        reason: &str,
        actor: &Actor,
    ) -> Result<Fen, StoreError> {
        let mut tx = self.begin().await?;
        let amount = recover_in(&mut tx, self.backend(), claim_no, reason, actor).await?;
        tx.commit().await?;
        Ok(amount)
    }
}

/// 追回 inside the caller's transaction (also closing a case 属实): the
/// claim locked, its postings reversed, its status recovered; the amount
/// that came back.
pub(crate) async fn recover_in(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    claim_no: &str,
    reason: &str,
    actor: &Actor,
) -> Result<Fen, StoreError> {
    let c = lock_claim(conn, backend, claim_no).await?;
    let to = c.next(ClaimStep::Recover)?;
    let state = crate::ledger::claim_state(conn, claim_no).await?;
    let amount = state
        .settled
        .or(state.paid)
        .or(state.advanced)
        .unwrap_or(Fen::ZERO);
    post_in(
        conn,
        backend,
        &Op::Recover {
            claim: claim_no.to_string(),
        },
        actor,
    )
    .await?;
    set_status(conn, claim_no, c.status, to, None, Some(reason), actor).await?;
    Ok(amount)
}
