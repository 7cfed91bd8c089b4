//! The dedicated-fund ledger (专账) in the database: fund sources and their
//! running balances, postings (`ledger_tx` with its `ledger_entries`), the
//! per-fund report and the verification that recomputes everything from
//! the entries. What a movement may do is decided by `domain::ledger`; this
//! module loads the state it needs under lock and writes what it decides.

use crate::audit::{self, Actor, AuditEntry};
use crate::sql::{Val, insert_rows};
use crate::{Backend, Store, StoreError};
use jineng_domain::audit::{Action, Entity};
use jineng_domain::ledger::{
    Account, ClaimLedgerState, Entry, FundBalances, FundCode, KindCounts, LedgerError, Op, Posting,
    PostingKind, claim_violations, transit_violations, unbalanced_fund,
};
use jineng_domain::{ClaimStatus, Fen};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};
use std::collections::BTreeMap;

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

/// `FOR UPDATE` on PostgreSQL. SQLite has no row locks: the transaction
/// already holds the database's write lock (`BEGIN IMMEDIATE`).
fn for_update(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE",
    }
}

/// The fund's balances, its row locked until the transaction ends.
async fn lock_fund(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    fund: &FundCode,
) -> Result<Option<FundBalances>, StoreError> {
    let sql = format!(
        "SELECT bank_fen, source_fen, advances_fen, expense_fen, transit_fen, committed_fen FROM fund_sources WHERE code = $1{}",
        for_update(backend)
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
// The claims workflow, being written beside this, is its first caller.
#[allow(dead_code)]
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
        let entry = Entry {
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
    let state = match op.claim() {
        Some("") => return Err(LedgerError::NoClaim.into()),
        Some(claim) => {
            let sql = format!(
                "SELECT claim_no FROM claims WHERE claim_no = $1{}",
                for_update(backend)
            );
            let found = sqlx::query(AssertSqlSafe(sql))
                .bind(claim)
                .fetch_optional(&mut *conn)
                .await?;
            if found.is_none() {
                return Err(StoreError::NotFound(format!("申领编号 {claim} 不存在")));
            }
            claim_state(conn, claim).await?
        }
        None => ClaimLedgerState::default(),
    };
    let balances = match op.target_fund(&state) {
        Some(fund) => lock_fund(conn, backend, fund)
            .await?
            .ok_or_else(|| LedgerError::UnknownFund(fund.clone()))?,
        None => FundBalances::default(),
    };
    let posting = op.posting(balances.bank, &state)?;
    let after = balances.after(&posting)?;
    let tx_id: i64 = sqlx::query_scalar(
        "INSERT INTO ledger_tx (at, kind, fund_code, claim_no, actor, memo, attempt)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING tx_id",
    )
    .bind(audit::now())
    .bind(posting.kind.code())
    .bind(posting.fund.as_str())
    .bind(posting.claim_no.as_deref())
    .bind(actor.0.as_str())
    .bind(posting.memo.as_str())
    .bind(state.attempt_of(posting.kind))
    .fetch_one(&mut *conn)
    .await?;
    let lines: Vec<Vec<Val>> = posting
        .entries
        .iter()
        .zip(1..)
        .map(|(e, line)| {
            vec![
                Val::int(tx_id),
                Val::int(line),
                Val::text(e.account.code()),
                Val::text(e.account.fund().as_str()),
                Val::int(e.debit.0),
                Val::int(e.credit.0),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "ledger_entries",
        &[
            "tx_id",
            "line",
            "account",
            "fund_code",
            "debit_fen",
            "credit_fen",
        ],
        &lines,
        "",
    )
    .await?;
    // Increments, not the new values: were the fund's row ever not locked
    // here, the CHECK on bank_fen would still refuse an overdraft rather
    // than lose an update. The domain checked the sums for overflow on the
    // locked balances (SQLite would turn an overflowing sum into a float).
    sqlx::query(
        "UPDATE fund_sources SET bank_fen = bank_fen + $1, source_fen = source_fen + $2,
             advances_fen = advances_fen + $3, expense_fen = expense_fen + $4,
             transit_fen = transit_fen + $6
         WHERE code = $5",
    )
    .bind((after.bank - balances.bank).0)
    .bind((after.source - balances.source).0)
    .bind((after.advances - balances.advances).0)
    .bind((after.expense - balances.expense).0)
    .bind(posting.fund.as_str())
    .bind((after.transit - balances.transit).0)
    .execute(&mut *conn)
    .await?;
    let entry = AuditEntry::change(
        Action::Post,
        Entity::LedgerTx,
        tx_id.to_string(),
        None,
        Some(&posting),
    );
    audit::write(conn, actor, None, &[entry]).await?;
    // A claim paid releases the commitment of the voucher it settles.
    if matches!(posting.kind, PostingKind::Pay | PostingKind::Settle)
        && let Some(claim) = &posting.claim_no
    {
        crate::vouchers::release_for_claim(conn, backend, claim, actor).await?;
    }
    Ok(tx_id)
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
                for_update(self.backend())
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
                    .bind(audit::now())
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
        audit::write(&mut tx, actor, None, &audits).await?;
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

    /// Per fund source: allocated, advanced, paid, recovered, what it holds,
    /// and its claims by where they stand.
    pub async fn ledger_report(&self) -> Result<Vec<FundReport>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let mut out: Vec<FundReport> = Vec::new();
        for r in sqlx::query(
            "SELECT code, name, bank_fen, source_fen, advances_fen, expense_fen, transit_fen, committed_fen
             FROM fund_sources ORDER BY code",
        )
        .fetch_all(&mut *conn)
        .await?
        {
            out.push(FundReport {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                allocated: Fen(r.try_get("source_fen")?),
                advanced: Fen(r.try_get("advances_fen")?),
                paid: Fen(r.try_get("expense_fen")?),
                recovered: Fen::ZERO,
                bank: Fen(r.try_get("bank_fen")?),
                in_transit: Fen(r.try_get("transit_fen")?),
                claims_paid: 0,
                claims_advanced: 0,
                claims_recovered: 0,
                claims_in_transit: 0,
                committed: Fen(r.try_get("committed_fen")?),
            });
        }
        let index: BTreeMap<String, usize> = out
            .iter()
            .enumerate()
            .map(|(i, f)| (f.code.clone(), i))
            .collect();
        for r in sqlx::query(
            "SELECT e.fund_code, CAST(SUM(e.debit_fen) AS BIGINT) AS fen
             FROM ledger_entries e JOIN ledger_tx t ON t.tx_id = e.tx_id
             WHERE t.kind = 'recover' AND e.account = 'bank:' || e.fund_code
             GROUP BY e.fund_code",
        )
        .fetch_all(&mut *conn)
        .await?
        {
            let code: String = r.try_get("fund_code")?;
            if let Some(&i) = index.get(&code) {
                out[i].recovered = Fen(r.try_get("fen")?);
            }
        }
        // A claim stands where its latest posting put it.
        for r in sqlx::query(
            "SELECT t.fund_code, t.kind, COUNT(*) AS n FROM ledger_tx t
             WHERE t.claim_no IS NOT NULL AND NOT EXISTS
                 (SELECT 1 FROM ledger_tx l WHERE l.claim_no = t.claim_no AND l.tx_id > t.tx_id)
             GROUP BY t.fund_code, t.kind",
        )
        .fetch_all(&mut *conn)
        .await?
        {
            let code: String = r.try_get("fund_code")?;
            let kind: String = r.try_get("kind")?;
            let n: i64 = r.try_get("n")?;
            if let Some(&i) = index.get(&code) {
                let f = &mut out[i];
                match PostingKind::from_code(&kind) {
                    Some(PostingKind::Pay | PostingKind::Settle) => f.claims_paid += n,
                    Some(PostingKind::Advance) => f.claims_advanced += n,
                    Some(PostingKind::Recover) => f.claims_recovered += n,
                    Some(PostingKind::Disburse) => f.claims_in_transit += n,
                    _ => {}
                }
            }
        }
        Ok(out)
    }

    /// Every broken invariant of the ledger, in Chinese; empty when sound.
    /// Recomputes from `ledger_entries`: each posting balanced and well
    /// formed, the running balances equal to the sums of the entries, no
    /// bank account below zero, each claim advanced, paid, settled and
    /// recovered at most once, from one fund, in order; and the claims'
    /// statuses agree with their postings.
    pub async fn ledger_verify(&self) -> Result<Vec<String>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let conn = &mut *conn;
        let mut out = Vec::new();

        for r in sqlx::query(
            "SELECT t.tx_id, t.kind, COUNT(e.tx_id) AS n,
                    CAST(COALESCE(SUM(e.debit_fen), 0) AS BIGINT) AS debit,
                    CAST(COALESCE(SUM(e.credit_fen), 0) AS BIGINT) AS credit
             FROM ledger_tx t LEFT JOIN ledger_entries e ON e.tx_id = t.tx_id
             GROUP BY t.tx_id, t.kind
             HAVING COUNT(e.tx_id) = 0 OR COALESCE(SUM(e.debit_fen), 0) <> COALESCE(SUM(e.credit_fen), 0)
             ORDER BY t.tx_id",
        )
        .fetch_all(&mut *conn)
        .await?
        {
            let (id, kind) = tx_label(&r)?;
            if r.try_get::<i64, _>("n")? == 0 {
                out.push(format!("第 {id} 笔记账（{kind}）没有分录"));
            } else {
                out.push(format!(
                    "第 {id} 笔记账（{kind}）借方合计 {} 元与贷方合计 {} 元不等",
                    Fen(r.try_get("debit")?),
                    Fen(r.try_get("credit")?)
                ));
            }
        }

        for r in sqlx::query(
            "SELECT t.tx_id, t.kind, t.fund_code AS tx_fund, e.line, e.account, e.fund_code,
                    e.debit_fen, e.credit_fen
             FROM ledger_entries e JOIN ledger_tx t ON t.tx_id = e.tx_id
             WHERE NOT ((e.debit_fen > 0 AND e.credit_fen = 0) OR (e.credit_fen > 0 AND e.debit_fen = 0))
                OR e.fund_code <> t.fund_code
                OR e.account NOT IN ('bank:' || e.fund_code, 'source:' || e.fund_code,
                                     'advances:' || e.fund_code, 'expense:' || e.fund_code,
                                     'transit:' || e.fund_code, 'committed:' || e.fund_code,
                                     'pledge:' || e.fund_code)
             ORDER BY t.tx_id, e.line",
        )
        .fetch_all(&mut *conn)
        .await?
        {
            let (id, kind) = tx_label(&r)?;
            let line: i64 = r.try_get("line")?;
            let account: String = r.try_get("account")?;
            let fund: String = r.try_get("fund_code")?;
            let tx_fund: String = r.try_get("tx_fund")?;
            let (debit, credit) = (Fen(r.try_get("debit_fen")?), Fen(r.try_get("credit_fen")?));
            let at = format!("第 {id} 笔记账（{kind}）第 {line} 行分录");
            if !(debit.is_positive() && credit == Fen::ZERO
                || credit.is_positive() && debit == Fen::ZERO)
            {
                out.push(format!(
                    "{at}借方 {debit} 元、贷方 {credit} 元：应有且只有一方为正数"
                ));
            }
            if fund != tx_fund {
                out.push(format!("{at}属于资金来源 {fund}，而该笔记账属于 {tx_fund}"));
            }
            if Account::parse(&account)
                .map(|a| a.fund().as_str() != fund)
                .unwrap_or(true)
            {
                out.push(format!("{at}的账户「{account}」不是资金来源 {fund} 的账户"));
            }
        }

        for r in sqlx::query(
            "SELECT tx_id, kind FROM ledger_tx
             WHERE (kind IN ('allocate', 'commit', 'release') AND claim_no IS NOT NULL)
                OR (kind NOT IN ('allocate', 'commit', 'release') AND claim_no IS NULL)
             ORDER BY tx_id",
        )
        .fetch_all(&mut *conn)
        .await?
        {
            let (id, kind) = tx_label(&r)?;
            let no_claim = [
                PostingKind::Allocate,
                PostingKind::Commit,
                PostingKind::Release,
            ]
            .iter()
            .any(|k| k.as_zh() == kind);
            out.push(if no_claim {
                format!("第 {id} 笔记账（{kind}）不应关联申领")
            } else {
                format!("第 {id} 笔记账（{kind}）缺少申领编号")
            });
        }

        verify_balances(conn, &mut out).await?;
        verify_claims(conn, &mut out).await?;
        crate::vouchers::verify_commitments(conn, &mut out).await?;
        Ok(out)
    }
}

/// Running balances against the sums of the entries; bank ≥ 0; per fund
/// bank + advances + expense = source.
async fn verify_balances(
    conn: &mut sqlx::AnyConnection,
    out: &mut Vec<String>,
) -> Result<(), StoreError> {
    let mut sums: BTreeMap<(String, String), i64> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT fund_code, account, CAST(SUM(debit_fen) - SUM(credit_fen) AS BIGINT) AS net
             FROM ledger_entries GROUP BY fund_code, account",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        sums.insert(
            (r.try_get("fund_code")?, r.try_get("account")?),
            r.try_get("net")?,
        );
    }
    for r in sqlx::query(
            "SELECT code, bank_fen, source_fen, advances_fen, expense_fen, transit_fen FROM fund_sources ORDER BY code",
        )
        .fetch_all(&mut *conn)
        .await?
        {
            let code: String = r.try_get("code")?;
            let Ok(fund) = FundCode::parse(&code) else {
                out.push(format!("资金来源代码「{code}」无效"));
                continue;
            };
            let kept = FundBalances {
                bank: Fen(r.try_get("bank_fen")?),
                source: Fen(r.try_get("source_fen")?),
                advances: Fen(r.try_get("advances_fen")?),
                expense: Fen(r.try_get("expense_fen")?),
                transit: Fen(r.try_get("transit_fen")?),
                // The memorandum accounts: `vouchers::verify_commitments`.
                ..FundBalances::default()
            };
            for account in Account::all(&fund) {
                let net = sums.get(&(code.clone(), account.code())).copied().unwrap_or(0);
                let recomputed = Fen(if account.debit_normal() { net } else { -net });
                let balance = kept.get(&account);
                if balance != recomputed {
                    out.push(format!(
                        "账户 {account}余额 {balance} 元与明细合计 {recomputed} 元不符"
                    ));
                }
                if matches!(account, Account::Bank(_)) && recomputed.0 < 0 {
                    out.push(format!(
                        "资金来源 {fund} 专账存款按明细为负（{recomputed} 元）"
                    ));
                }
            }
            if kept.bank.0 < 0 {
                out.push(format!("资金来源 {fund} 专账存款为负（{} 元）", kept.bank));
            }
            if !kept.is_consistent() {
                let k = [kept.bank, kept.source, kept.expense, kept.advances, kept.transit];
                out.push(unbalanced_fund(&fund, k.map(|f| i128::from(f.0))));
            }
        }
    Ok(())
}

/// Each disbursed claim's money in transit against its postings.
async fn verify_transit(
    conn: &mut sqlx::AnyConnection,
    out: &mut Vec<String>,
) -> Result<(), StoreError> {
    let sql = format!(
        "SELECT k.*, COALESCE(n.net, 0) AS transit_net FROM (
             SELECT claim_no, {KIND_COUNTS} FROM ledger_tx
             WHERE claim_no IN (SELECT claim_no FROM ledger_tx WHERE kind = 'disburse')
             GROUP BY claim_no) k
         LEFT JOIN (
             SELECT t.claim_no, CAST(SUM(e.debit_fen) - SUM(e.credit_fen) AS BIGINT) AS net
             FROM ledger_entries e JOIN ledger_tx t ON t.tx_id = e.tx_id
             WHERE e.account = 'transit:' || e.fund_code GROUP BY t.claim_no) n
         ON n.claim_no = k.claim_no
         ORDER BY k.claim_no"
    );
    for r in sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?
    {
        let claim: String = r.try_get("claim_no")?;
        let net: i64 = r.try_get("transit_net")?;
        out.extend(transit_violations(
            &claim,
            &kind_counts(&r)?,
            i128::from(net),
        ));
    }
    Ok(())
}

/// A transaction's id and kind (in Chinese) from a row that has both.
fn tx_label(r: &sqlx::any::AnyRow) -> Result<(i64, String), StoreError> {
    let kind: String = r.try_get("kind")?;
    let kind = PostingKind::from_code(&kind)
        .map(|k| k.as_zh().to_string())
        .unwrap_or(kind);
    Ok((r.try_get("tx_id")?, kind))
}

/// Per-kind posting counts of each claim, as SQL columns.
const KIND_COUNTS: &str = "
    CAST(SUM(CASE WHEN kind = 'allocate' THEN 1 ELSE 0 END) AS BIGINT) AS n_allocate,
    CAST(SUM(CASE WHEN kind = 'advance' THEN 1 ELSE 0 END) AS BIGINT) AS n_advance,
    CAST(SUM(CASE WHEN kind = 'pay' THEN 1 ELSE 0 END) AS BIGINT) AS n_pay,
    CAST(SUM(CASE WHEN kind = 'settle' THEN 1 ELSE 0 END) AS BIGINT) AS n_settle,
    CAST(SUM(CASE WHEN kind = 'recover' THEN 1 ELSE 0 END) AS BIGINT) AS n_recover,
    CAST(SUM(CASE WHEN kind = 'disburse' THEN 1 ELSE 0 END) AS BIGINT) AS n_disburse,
    CAST(SUM(CASE WHEN kind = 'return' THEN 1 ELSE 0 END) AS BIGINT) AS n_return";

fn kind_counts(r: &sqlx::any::AnyRow) -> Result<KindCounts, StoreError> {
    let n =
        |c: &str| -> Result<i64, StoreError> { Ok(r.try_get::<Option<i64>, _>(c)?.unwrap_or(0)) };
    Ok(KindCounts {
        allocate: n("n_allocate")?,
        advance: n("n_advance")?,
        pay: n("n_pay")?,
        settle: n("n_settle")?,
        recover: n("n_recover")?,
        disburse: n("n_disburse")?,
        returned: n("n_return")?,
        // A claim has none: vouchers' postings name no claim.
        commit: 0,
        release: 0,
    })
}

/// R17 per claim: postings of each kind at most once, from one fund, in
/// order; a recovered claim nets to zero and a settled one clears its
/// advance; the claims' statuses agree with their postings.
async fn verify_claims(
    conn: &mut sqlx::AnyConnection,
    out: &mut Vec<String>,
) -> Result<(), StoreError> {
    // Only the claims that are not one of the sound shapes come back.
    let sql = format!(
        "SELECT claim_no, {KIND_COUNTS}, COUNT(DISTINCT fund_code) AS funds,
                MAX(CASE WHEN kind = 'advance' THEN tx_id END) AS last_advance,
                MIN(CASE WHEN kind = 'settle' THEN tx_id END) AS first_settle,
                MAX(CASE WHEN kind <> 'recover' THEN tx_id END) AS last_payment,
                MIN(CASE WHEN kind = 'recover' THEN tx_id END) AS first_recover
         FROM ledger_tx WHERE claim_no IS NOT NULL
         GROUP BY claim_no
         HAVING NOT (
             COUNT(DISTINCT fund_code) = 1
             AND (SUM(CASE WHEN kind IN ('advance', 'pay') THEN 1 ELSE 0 END) = 1
                  OR (SUM(CASE WHEN kind IN ('advance', 'pay') THEN 1 ELSE 0 END) = 0
                      AND SUM(CASE WHEN kind = 'disburse' THEN 1 ELSE 0 END) >= 1))
             AND SUM(CASE WHEN kind = 'disburse' THEN 1 ELSE 0 END)
                 - SUM(CASE WHEN kind = 'return' THEN 1 ELSE 0 END) BETWEEN 0 AND 1
             AND NOT (SUM(CASE WHEN kind = 'advance' THEN 1 ELSE 0 END) > 0
                      AND SUM(CASE WHEN kind = 'disburse' THEN 1 ELSE 0 END) > 0)
             AND SUM(CASE WHEN kind = 'settle' THEN 1 ELSE 0 END)
                 <= SUM(CASE WHEN kind = 'advance' THEN 1 ELSE 0 END)
             AND SUM(CASE WHEN kind = 'recover' THEN 1 ELSE 0 END) <= 1
             AND SUM(CASE WHEN kind = 'allocate' THEN 1 ELSE 0 END) = 0
             AND COALESCE(MIN(CASE WHEN kind = 'settle' THEN tx_id END), 9223372036854775807)
                 > COALESCE(MAX(CASE WHEN kind = 'advance' THEN tx_id END), 0)
             AND COALESCE(MIN(CASE WHEN kind = 'recover' THEN tx_id END), 9223372036854775807)
                 > COALESCE(MAX(CASE WHEN kind <> 'recover' THEN tx_id END), 0)
         )
         ORDER BY claim_no"
    );
    for r in sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?
    {
        let claim: String = r.try_get("claim_no")?;
        let counts = kind_counts(&r)?;
        out.extend(claim_violations(&claim, &counts, r.try_get("funds")?));
        let id = |c: &str| -> Result<Option<i64>, StoreError> { Ok(r.try_get(c)?) };
        if let (Some(a), Some(s)) = (id("last_advance")?, id("first_settle")?)
            && s < a
        {
            out.push(format!("申领 {claim} 的清算记在预付之前"));
        }
        if let (Some(p), Some(rec)) = (id("last_payment")?, id("first_recover")?)
            && p > rec
        {
            out.push(format!("申领 {claim} 追回之后又有记账"));
        }
    }

    // A recovered claim nets to zero on every account; a settled one on
    // its advances.
    for r in sqlx::query(
        "SELECT n.claim_no, n.account, n.net,
                CAST(CASE WHEN EXISTS (SELECT 1 FROM ledger_tx r
                                       WHERE r.claim_no = n.claim_no AND r.kind = 'recover')
                     THEN 1 ELSE 0 END AS BIGINT) AS recovered
         FROM (SELECT t.claim_no, e.account,
                      CAST(SUM(e.debit_fen) - SUM(e.credit_fen) AS BIGINT) AS net
               FROM ledger_entries e JOIN ledger_tx t ON t.tx_id = e.tx_id
               WHERE t.claim_no IN (SELECT claim_no FROM ledger_tx WHERE kind IN ('recover', 'settle'))
               GROUP BY t.claim_no, e.account) n
         WHERE n.net <> 0
         ORDER BY n.claim_no, n.account",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        let claim: String = r.try_get("claim_no")?;
        let account: String = r.try_get("account")?;
        let net = Fen(r.try_get("net")?);
        let recovered = r.try_get::<i64, _>("recovered")? == 1;
        let parsed = Account::parse(&account).ok();
        let name = parsed.as_ref().map(|a| a.to_string()).unwrap_or(account);
        if recovered {
            out.push(format!(
                "已追回的申领 {claim} 在账户 {name}上未轧平（{net} 元）"
            ));
        } else if matches!(parsed, Some(Account::Advances(_))) {
            out.push(format!(
                "已清算的申领 {claim} 在账户 {name}上仍有余额（{net} 元）"
            ));
        }
    }

    verify_transit(conn, out).await?;

    // The claims' statuses: 已支付 = one payment, or an advance and its
    // settlement, not recovered; 已预付 = one advance, not settled or
    // recovered; 支付在途 = one disbursement not answered; 支付失败 = every
    // disbursement returned; 已追回 = a recovery.
    let (paid, advanced, recovered, in_transit, failed) = (
        ClaimStatus::Paid.code(),
        ClaimStatus::Advanced.code(),
        ClaimStatus::Recovered.code(),
        ClaimStatus::InTransit.code(),
        ClaimStatus::Failed.code(),
    );
    let sql = format!(
        "SELECT c.claim_no, c.status, k.n_allocate, k.n_advance, k.n_pay, k.n_settle, k.n_recover,
                k.n_disburse, k.n_return
         FROM claims c LEFT JOIN (
             SELECT claim_no, {KIND_COUNTS} FROM ledger_tx WHERE claim_no IS NOT NULL GROUP BY claim_no
         ) k ON k.claim_no = c.claim_no
         WHERE (c.status = '{paid}' AND NOT (COALESCE(k.n_recover, 0) = 0 AND (
                    (COALESCE(k.n_pay, 0) = 1 AND COALESCE(k.n_advance, 0) = 0 AND COALESCE(k.n_settle, 0) = 0)
                 OR (COALESCE(k.n_pay, 0) = 0 AND COALESCE(k.n_advance, 0) = 1 AND COALESCE(k.n_settle, 0) = 1))))
            OR (c.status = '{advanced}' AND NOT (COALESCE(k.n_advance, 0) = 1 AND COALESCE(k.n_settle, 0) = 0
                    AND COALESCE(k.n_pay, 0) = 0 AND COALESCE(k.n_recover, 0) = 0))
            OR (c.status = '{recovered}' AND COALESCE(k.n_recover, 0) = 0)
            OR (c.status = '{in_transit}' AND NOT (COALESCE(k.n_disburse, 0) - COALESCE(k.n_return, 0) = 1
                    AND COALESCE(k.n_pay, 0) = 0 AND COALESCE(k.n_recover, 0) = 0))
            OR (c.status = '{failed}' AND NOT (COALESCE(k.n_disburse, 0) >= 1
                    AND COALESCE(k.n_disburse, 0) = COALESCE(k.n_return, 0) AND COALESCE(k.n_pay, 0) = 0))
         ORDER BY c.claim_no"
    );
    for r in sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?
    {
        let claim: String = r.try_get("claim_no")?;
        let status: String = r.try_get("status")?;
        let counts = kind_counts(&r)?;
        let booked: Vec<String> = PostingKind::ALL
            .into_iter()
            .filter(|k| counts.get(*k) > 0)
            .map(|k| format!("{k} {} 笔", counts.get(k)))
            .collect();
        let booked = if booked.is_empty() {
            "没有记账".to_string()
        } else {
            booked.join("、")
        };
        let status = crate::claims::stored_status(&status)?.as_zh();
        out.push(format!(
            "申领 {claim} 的状态为「{status}」，与专账记录不符（{booked}）"
        ));
    }
    Ok(())
}
