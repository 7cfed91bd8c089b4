//! The ledger's verification: everything recomputed from `ledger_entries`
//! and checked against the running balances, the rules of postings and
//! claims shared with the domain's reference ledger, and the claims'
//! statuses.

use std::collections::{BTreeMap, HashMap};

use jineng_domain::ledger::{
    Account, FundBalances, FundCode, KindCounts, PostingKind, claim_violations, transit_violations,
    unbalanced_fund,
};
use jineng_domain::{ClaimStatus, Fen};
use sqlx::{AssertSqlSafe, Row};

use crate::sql::{Val, bind_all};
use crate::{Store, StoreError};

impl Store {
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
        verify_sums(conn, &mut out).await?;
        verify_lines(conn, &mut out).await?;
        verify_claim_links(conn, &mut out).await?;
        verify_balances(conn, &mut out).await?;
        verify_claims(conn, &mut out).await?;
        crate::vouchers::verify_commitments(conn, &mut out).await?;
        Ok(out)
    }
}

/// Postings without lines, or whose debits and credits differ.
async fn verify_sums(
    conn: &mut sqlx::AnyConnection,
    out: &mut Vec<String>,
) -> Result<(), StoreError> {
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
    Ok(())
}

/// Lines with both or neither side, in another fund than their posting,
/// or on an account that is not one of their fund's.
async fn verify_lines(
    conn: &mut sqlx::AnyConnection,
    out: &mut Vec<String>,
) -> Result<(), StoreError> {
    let foreign = foreign_accounts(conn).await?;
    let sql = format!(
        "SELECT t.tx_id, t.kind, t.fund_code AS tx_fund, e.line, e.account, e.fund_code,
                e.debit_fen, e.credit_fen
         FROM ledger_entries e JOIN ledger_tx t ON t.tx_id = e.tx_id
         WHERE NOT ((e.debit_fen > 0 AND e.credit_fen = 0) OR (e.credit_fen > 0 AND e.debit_fen = 0))
            OR e.fund_code <> t.fund_code{}
         ORDER BY t.tx_id, e.line",
        (1..=foreign.len())
            .map(|i| format!(" OR (e.account = ${} AND e.fund_code = ${})", 2 * i - 1, 2 * i))
            .collect::<String>()
    );
    let binds: Vec<Val> = foreign
        .into_iter()
        .flat_map(|(account, fund)| [Val::text(account), Val::text(fund)])
        .collect();
    for r in bind_all(sqlx::query(AssertSqlSafe(sql)), &binds)
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
    Ok(())
}

/// The (account, fund) pairs of the entries whose account is not one of
/// the fund's: the domain reads the codes, so SQL never spells them.
async fn foreign_accounts(
    conn: &mut sqlx::AnyConnection,
) -> Result<Vec<(String, String)>, StoreError> {
    let mut out = Vec::new();
    for r in sqlx::query("SELECT DISTINCT account, fund_code FROM ledger_entries")
        .fetch_all(&mut *conn)
        .await?
    {
        let (account, fund): (String, String) = (r.try_get("account")?, r.try_get("fund_code")?);
        if Account::parse(&account).map_or(true, |a| a.fund().as_str() != fund) {
            out.push((account, fund));
        }
    }
    Ok(out)
}

/// Postings that name a claim where they should not, or none where they should.
async fn verify_claim_links(
    conn: &mut sqlx::AnyConnection,
    out: &mut Vec<String>,
) -> Result<(), StoreError> {
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
    Ok(())
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
    const DISBURSED: &str = "SELECT claim_no FROM ledger_tx WHERE kind = 'disburse'";
    // Per claim, debit minus credit on its fund's transit account, the
    // account's code read by the domain.
    let mut transit: HashMap<String, i128> = HashMap::new();
    let sql = format!(
        "SELECT t.claim_no, e.fund_code, e.account,
                CAST(SUM(e.debit_fen) - SUM(e.credit_fen) AS BIGINT) AS net
         FROM ledger_entries e JOIN ledger_tx t ON t.tx_id = e.tx_id
         WHERE t.claim_no IN ({DISBURSED}) GROUP BY t.claim_no, e.fund_code, e.account"
    );
    for r in sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?
    {
        let (fund, account): (String, String) = (r.try_get("fund_code")?, r.try_get("account")?);
        if matches!(Account::parse(&account), Ok(Account::Transit(f)) if f.as_str() == fund) {
            *transit.entry(r.try_get("claim_no")?).or_default() +=
                i128::from(r.try_get::<i64, _>("net")?);
        }
    }
    let sql = format!(
        "SELECT claim_no, {KIND_COUNTS} FROM ledger_tx
         WHERE claim_no IN ({DISBURSED}) GROUP BY claim_no ORDER BY claim_no"
    );
    for r in sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?
    {
        let claim: String = r.try_get("claim_no")?;
        let net = transit.get(&claim).copied().unwrap_or(0);
        out.extend(transit_violations(&claim, &kind_counts(&r)?, net));
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
/// advance; money in transit is where the bank's answers leave it; the
/// claims' statuses agree with their postings.
async fn verify_claims(
    conn: &mut sqlx::AnyConnection,
    out: &mut Vec<String>,
) -> Result<(), StoreError> {
    verify_claim_shapes(conn, out).await?;
    verify_netting(conn, out).await?;
    verify_transit(conn, out).await?;
    verify_statuses(conn, out).await
}

/// The claims whose postings are not one of the sound shapes (R17).
async fn verify_claim_shapes(
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
    Ok(())
}

/// A recovered claim nets to zero on every account; a settled one on its
/// advances.
async fn verify_netting(
    conn: &mut sqlx::AnyConnection,
    out: &mut Vec<String>,
) -> Result<(), StoreError> {
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
    Ok(())
}

/// The claims' statuses: 已支付 = one payment, or an advance and its
/// settlement, not recovered; 已预付 = one advance, not settled or
/// recovered; 支付在途 = one disbursement not answered; 支付失败 = every
/// disbursement returned; 已追回 = a recovery.
async fn verify_statuses(
    conn: &mut sqlx::AnyConnection,
    out: &mut Vec<String>,
) -> Result<(), StoreError> {
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
