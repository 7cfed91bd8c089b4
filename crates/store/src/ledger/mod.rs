//! The dedicated-fund ledger (专账) in the database: fund sources and their
//! running balances, postings (`ledger_tx` with its `ledger_entries`), the
//! per-fund report and the verification that recomputes everything from
//! the entries. What a movement may do is decided by `domain::ledger`; this
//! module loads the state it needs under lock and writes what it decides.
//! The report is in `report`, the verification in `verify`. Account codes
//! (`bank:UI`) are spelled by the domain's `Account`, never in SQL.

pub(crate) mod view;

mod report;
mod verify;

use crate::audit::{Actor, AuditEntry};
use crate::sql::{Val, insert_rows};
use crate::{Backend, Store, StoreError};
use jineng_domain::Fen;
use jineng_domain::audit::{Action, Entity};
use jineng_domain::ledger::{
    Account, ClaimLedgerState, FundBalances, FundCode, LedgerError, Op, Posting, PostingKind,
    PostingLine,
};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

/// A fund source's state for reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FundReport {
    pub code: String,
    pub name: String,
    /// Σ allocations (资金拨入).
    pub allocated: Fen,
    /// Advances not yet settled or recovered (预付款).
    pub advanced: Fen,
    /// Subsidies paid, net of recoveries (补贴支出).
    pub paid: Fen,
    /// Money recovered back into the bank account (追回).
    pub recovered: Fen,
    /// What the fund holds (专账存款).
    pub bank: Fen,
    /// Sent to the bank, not yet answered (在途资金).
    pub in_transit: Fen,
    /// Claims paid in full or settled, and not recovered.
    pub claims_paid: i64,
    /// Claims advanced and not yet settled or recovered.
    pub claims_advanced: i64,
    pub claims_recovered: i64,
    /// Claims in a disbursement batch the bank has not answered.
    pub claims_in_transit: i64,
    /// Promised to training vouchers not yet paid or lapsed (培训券承诺,
    /// a memorandum: not deducted from `bank`).
    pub committed: Fen,
}

/// The fund's balances, its row locked until the transaction ends.
async fn lock_fund(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    fund: &FundCode,
) -> Result<Option<FundBalances>, StoreError> {
    let sql = format!(
        "SELECT bank_fen, source_fen, advances_fen, expense_fen, transit_fen, committed_fen FROM fund_sources WHERE code = $1{}",
        backend.for_update()
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(fund.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| {
        Ok(FundBalances {
            bank: Fen(r.try_get("bank_fen")?),
            source: Fen(r.try_get("source_fen")?),
            advances: Fen(r.try_get("advances_fen")?),
            expense: Fen(r.try_get("expense_fen")?),
            transit: Fen(r.try_get("transit_fen")?),
            committed: Fen(r.try_get("committed_fen")?),
            pledge: Fen(r.try_get("committed_fen")?),
        })
    })
    .transpose()
}

/// [`lock_fund`] for the vouchers' commitments.
pub(crate) async fn fund_balances_in(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    fund: &FundCode,
) -> Result<Option<FundBalances>, StoreError> {
    lock_fund(conn, backend, fund).await
}

/// The bank balance of `fund`, its row locked until the transaction ends,
/// so that a caller can pick the first fund that holds enough and pay from
/// it; `None` when the fund is not registered.
pub(crate) async fn fund_balance_in(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    fund: &FundCode,
) -> Result<Option<Fen>, StoreError> {
    Ok(lock_fund(conn, backend, fund).await?.map(|b| b.bank))
}

/// The claim's postings, in order, as the domain's state of the claim.
pub(crate) async fn claim_state(
    conn: &mut sqlx::AnyConnection,
    claim: &str,
) -> Result<ClaimLedgerState, StoreError> {
    let rows = sqlx::query(
        "SELECT t.tx_id, t.kind, t.fund_code, t.memo, e.account, e.debit_fen, e.credit_fen
         FROM ledger_tx t JOIN ledger_entries e ON e.tx_id = t.tx_id
         WHERE t.claim_no = $1 ORDER BY t.tx_id, e.line",
    )
    .bind(claim)
    .fetch_all(&mut *conn)
    .await?;
    let mut postings: Vec<(i64, Posting)> = Vec::new();
    for r in rows {
        let tx_id: i64 = r.try_get("tx_id")?;
        let account: String = r.try_get("account")?;
        let entry = PostingLine {
            account: Account::parse(&account).map_err(|e| corrupt(tx_id, e.message()))?,
            debit: Fen(r.try_get("debit_fen")?),
            credit: Fen(r.try_get("credit_fen")?),
        };
        match postings.last_mut() {
            Some((id, p)) if *id == tx_id => p.entries.push(entry),
            _ => {
                let kind: String = r.try_get("kind")?;
                let fund: String = r.try_get("fund_code")?;
                postings.push((
                    tx_id,
                    Posting {
                        kind: PostingKind::from_code(&kind)
                            .ok_or_else(|| corrupt(tx_id, &format!("未知的记账类型「{kind}」")))?,
                        fund: FundCode::parse(&fund).map_err(|e| corrupt(tx_id, e.message()))?,
                        claim_no: Some(claim.to_string()),
                        entries: vec![entry],
                        memo: r.try_get("memo")?,
                    },
                ))
            }
        }
    }
    Ok(ClaimLedgerState::from_postings(
        postings.iter().map(|(_, p)| p),
    ))
}

fn corrupt(tx_id: i64, what: &str) -> StoreError {
    StoreError::Corrupt(format!("专账第 {tx_id} 笔记账：{what}"))
}

/// Books `op` inside the caller's transaction, so that a claims workflow can
/// pay a claim and change its status atomically; returns the `tx_id`.
///
/// Locks the claim's row first (every movement of one claim queues behind
/// it), then the fund's; a caller that locks both itself should take them
/// in the same order. The domain decides on the locked state; the posting,
/// its lines, the fund's new running balances and an audit row are written
/// together. A refusal is `StoreError::Ledger` and writes nothing.
pub(crate) async fn post_in(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    op: &Op,
    actor: &Actor,
) -> Result<i64, StoreError> {
    let state = locked_claim_state(conn, backend, op).await?;
    let balances = match op.target_fund(&state) {
        Some(fund) => lock_fund(conn, backend, fund)
            .await?
            .ok_or_else(|| LedgerError::UnknownFund(fund.clone()))?,
        None => FundBalances::default(),
    };
    let posting = op.posting(balances.bank, &state)?;
    let after = balances.after(&posting)?;
    let tx_id = insert_posting(conn, &posting, state.attempt_of(posting.kind), actor).await?;
    add_to_balances(conn, &posting.fund, &balances, &after).await?;
    crate::audit::write_change(
        conn,
        actor,
        Action::Post,
        Entity::LedgerTx,
        tx_id.to_string(),
        None,
        Some(&posting),
    )
    .await?;
    // A claim paid releases the commitment of the voucher it settles.
    if matches!(posting.kind, PostingKind::Pay | PostingKind::Settle)
        && let Some(claim) = &posting.claim_no
    {
        crate::vouchers::release_for_claim(conn, backend, claim, actor).await?;
    }
    Ok(tx_id)
}

/// The state of the claim `op` is for, its row locked; an empty state for
/// an op without a claim.
async fn locked_claim_state(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    op: &Op,
) -> Result<ClaimLedgerState, StoreError> {
    match op.claim() {
        Some("") => Err(LedgerError::NoClaim.into()),
        Some(claim) => {
            let sql = format!(
                "SELECT claim_no FROM claims WHERE claim_no = $1{}",
                backend.for_update()
            );
            let found = sqlx::query(AssertSqlSafe(sql))
                .bind(claim)
                .fetch_optional(&mut *conn)
                .await?;
            if found.is_none() {
                return Err(StoreError::NotFound(format!("申领编号 {claim} 不存在")));
            }
            claim_state(conn, claim).await
        }
        None => Ok(ClaimLedgerState::default()),
    }
}

/// Writes the posting (`ledger_tx`) and its lines (`ledger_entries`, each
/// account's code as the domain spells it); returns the `tx_id`.
async fn insert_posting(
    conn: &mut sqlx::AnyConnection,
    posting: &Posting,
    attempt: i64,
    actor: &Actor,
) -> Result<i64, StoreError> {
    let tx_id: i64 = sqlx::query_scalar(
        "INSERT INTO ledger_tx (at, kind, fund_code, claim_no, actor, memo, attempt)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING tx_id",
    )
    .bind(crate::audit::now())
    .bind(posting.kind.code())
    .bind(posting.fund.as_str())
    .bind(posting.claim_no.as_deref())
    .bind(actor.0.as_str())
    .bind(posting.memo.as_str())
    .bind(attempt)
    .fetch_one(&mut *conn)
    .await?;
    let lines: Vec<Vec<Val>> = entry_rows(tx_id, posting).collect();
    insert_entries(conn, &lines).await?;
    Ok(tx_id)
}

/// The `ledger_entries` rows of `posting` written under `tx_id`, its lines
/// numbered from 1.
pub(crate) fn entry_rows(tx_id: i64, posting: &Posting) -> impl Iterator<Item = Vec<Val>> + '_ {
    posting.entries.iter().zip(1..).map(move |(e, line)| {
        vec![
            Val::int(tx_id),
            Val::int(line),
            Val::text(e.account.code()),
            Val::text(e.account.fund().as_str()),
            Val::int(e.debit.0),
            Val::int(e.credit.0),
        ]
    })
}

/// Inserts rows made by [`entry_rows`].
pub(crate) async fn insert_entries(
    conn: &mut sqlx::AnyConnection,
    rows: &[Vec<Val>],
) -> Result<(), sqlx::Error> {
    let cols = [
        "tx_id",
        "line",
        "account",
        "fund_code",
        "debit_fen",
        "credit_fen",
    ];
    insert_rows(conn, "ledger_entries", &cols, rows, "").await?;
    Ok(())
}

/// Moves the fund's running balances from `before` to `after`.
///
/// Increments, not the new values: were the fund's row ever not locked
/// here, the CHECK on bank_fen would still refuse an overdraft rather
/// than lose an update. The domain checked the sums for overflow on the
/// locked balances (SQLite would turn an overflowing sum into a float).
async fn add_to_balances(
    conn: &mut sqlx::AnyConnection,
    fund: &FundCode,
    before: &FundBalances,
    after: &FundBalances,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE fund_sources SET bank_fen = bank_fen + $1, source_fen = source_fen + $2,
             advances_fen = advances_fen + $3, expense_fen = expense_fen + $4,
             transit_fen = transit_fen + $6
         WHERE code = $5",
    )
    .bind((after.bank - before.bank).0)
    .bind((after.source - before.source).0)
    .bind((after.advances - before.advances).0)
    .bind((after.expense - before.expense).0)
    .bind(fund.as_str())
    .bind((after.transit - before.transit).0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// Registers fund sources, or renames them; idempotent. Returns how many
    /// were added and how many renamed (each audited).
    pub async fn upsert_funds(
        &self,
        funds: &[(FundCode, String)],
        actor: &Actor,
    ) -> Result<(usize, usize), StoreError> {
        let mut tx = self.begin().await?;
        let (mut added, mut renamed) = (0, 0);
        let mut audits = Vec::new();
        for (code, name) in funds {
            let name = name.trim();
            if name.is_empty() {
                return Err(StoreError::Config(format!(
                    "资金来源 {code} 的名称不能为空"
                )));
            }
            let sql = format!(
                "SELECT name FROM fund_sources WHERE code = $1{}",
                self.backend().for_update()
            );
            let old: Option<String> = sqlx::query_scalar(AssertSqlSafe(sql))
                .bind(code.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let json = |n: &str| serde_json::json!({ "name": n }).to_string();
            match old {
                None => {
                    let n = sqlx::query(
                        "INSERT INTO fund_sources (code, name, created_at) VALUES ($1, $2, $3)
                         ON CONFLICT (code) DO NOTHING",
                    )
                    .bind(code.as_str())
                    .bind(name)
                    .bind(crate::audit::now())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n == 0 {
                        // Another writer registered it first: a retry sees it.
                        return Err(StoreError::Config(format!(
                            "资金来源 {code} 正由他人同时登记，请重试"
                        )));
                    }
                    added += 1;
                    audits.push(AuditEntry {
                        action: Action::Insert,
                        entity: Entity::FundSource,
                        key: code.to_string(),
                        before: None,
                        after: Some(json(name)),
                    });
                }
                Some(old) if old != name => {
                    sqlx::query("UPDATE fund_sources SET name = $1 WHERE code = $2")
                        .bind(name)
                        .bind(code.as_str())
                        .execute(&mut *tx)
                        .await?;
                    renamed += 1;
                    audits.push(AuditEntry {
                        action: Action::Update,
                        entity: Entity::FundSource,
                        key: code.to_string(),
                        before: Some(json(&old)),
                        after: Some(json(name)),
                    });
                }
                Some(_) => {}
            }
        }
        crate::audit::write(&mut tx, actor, None, &audits).await?;
        tx.commit().await?;
        Ok((added, renamed))
    }

    /// 拨入: credits `amount` to the fund source; returns the `tx_id`.
    pub async fn allocate(
        &self,
        fund: &FundCode,
        amount: Fen,
        memo: &str,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        let op = Op::Allocate {
            fund: fund.clone(),
            amount,
            memo: memo.to_string(),
        };
        self.post(&op, actor).await
    }

    /// Books one movement in a transaction of its own; returns the `tx_id`.
    pub async fn post(&self, op: &Op, actor: &Actor) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let id = post_in(&mut tx, self.backend(), op, actor).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// What the ledger holds for one claim.
    pub async fn claim_ledger(&self, claim: &str) -> Result<ClaimLedgerState, StoreError> {
        let mut conn = self.pool().acquire().await?;
        claim_state(&mut conn, claim.trim()).await
    }
}
