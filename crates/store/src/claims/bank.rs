//! Payment through the bank (004 十九: subsidies to the social-security
//! card). A disbursement batch (代发批次) takes approved claims (and failed
//! ones whose account was corrected) and moves each claim's amount from its
//! fund into transit (在途) on the ledger; the bank's return file (回盘)
//! then settles each line: success pays the claim (transit → expense),
//! failure returns the money to the fund and marks the claim failed with
//! the bank's reason. A line that matches nothing, or whose account or
//! amount disagrees, is reported and nothing is booked for it; reading the
//! same return file again changes nothing.
//!
//! R16 (never beyond the fund's balance) and R17 (once, from one fund) are
//! the ledger's (`domain::ledger`): a claim paid again after a failure is
//! disbursed from the fund it was first booked to.

use jineng_domain::audit::{Action, Entity};
use jineng_domain::bank_account::mask_account;
use jineng_domain::ledger::{FundCode, Op};
use jineng_domain::{BankResult, ClaimStatus, ClaimStep, Fen, Stamp};
use serde::Serialize;
use sqlx::Row;

use super::payment::{choose_fund, lock_claim, refuse, set_status};
use crate::audit::Actor;
use crate::ledger::post_in;
use crate::policy::PolicySet;
use crate::row::Typed;
use crate::{Store, StoreError};

/// One line of the bank's disbursement file (代发文件). `account` is in
/// full: the bank needs it; everything a person sees masks it.
#[derive(Debug, Clone, Serialize)]
pub struct DisbursementLine {
    /// `B{batch}-{line}`: the line's id in the return file.
    pub line_id: String,
    pub claim_no: String,
    pub payee_name: String,
    #[serde(skip)]
    pub account: String,
    pub account_masked: String,
    pub bank_name: String,
    pub amount: Fen,
    pub fund: String,
}

/// A disbursement batch: its lines and totals, and the claims left out.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Disbursement {
    /// `None` when no claim could be sent (nothing was written).
    pub batch_id: Option<i64>,
    pub lines: Vec<DisbursementLine>,
    pub total: Fen,
    /// (claim, why), e.g. 收款人未登记银行账号.
    pub left_out: Vec<(String, String)>,
}

/// One line of the bank's return file: claim number or batch line id,
/// the account and amount the bank paid, its result and reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnLine {
    /// The file's row number, for reports.
    pub row: u64,
    pub claim_no: Option<String>,
    pub line_id: Option<String>,
    pub account: String,
    pub amount: Fen,
    pub success: bool,
    pub reason: String,
}

impl ReturnLine {
    /// The bank's answer on the line.
    pub fn result(&self) -> BankResult {
        BankResult::of(self.success)
    }
}

/// What a return file did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Reconciliation {
    pub paid: Vec<String>,
    pub paid_fen: i64,
    /// (claim, the bank's reason)
    pub failed: Vec<(String, String)>,
    pub failed_fen: i64,
    /// Lines already booked the same way (a file read again).
    pub unchanged: u64,
    /// (row, why): nothing was booked for these.
    pub unmatched: Vec<(u64, String)>,
}

/// A batch for the ledger page and the API.
#[derive(Debug, Clone, Serialize)]
pub struct PayBatchRow {
    pub batch_id: i64,
    pub created_at: Stamp,
    pub actor: String,
    pub lines: i64,
    pub total_fen: i64,
    pub paid: i64,
    pub paid_fen: i64,
    pub failed: i64,
    pub failed_fen: i64,
    /// Lines the bank has not answered.
    pub pending: i64,
    pub pending_fen: i64,
}

impl PayBatchRow {
    /// 待回盘 while a line is unanswered, else 已回盘.
    pub fn state_zh(&self) -> &'static str {
        if self.pending > 0 {
            "待回盘"
        } else {
            "已回盘"
        }
    }
}

/// A stored batch line, as matched by a return line.
struct StoredLine {
    batch_id: i64,
    line_no: i64,
    claim_no: String,
    attempt: i64,
    account: String,
    amount: Fen,
    result: Option<BankResult>,
}

/// The payee's name and account for a locked claim, or why it has none.
async fn payee_account(
    conn: &mut sqlx::AnyConnection,
    claim_no: &str,
) -> Result<(String, String, String), StoreError> {
    let r = sqlx::query(
        "SELECT c.payee_kind, p.name AS p_name, p.bank_account AS p_account, p.bank_name AS p_bank, \
         i.name AS i_name, i.bank_account AS i_account, i.bank_name AS i_bank \
         FROM claims c JOIN persons p ON p.person_id = c.person_id \
         LEFT JOIN institutions i ON i.credit_code = c.payee_code WHERE c.claim_no = $1",
    )
    .bind(claim_no)
    .fetch_one(&mut *conn)
    .await?;
    let kind: Option<String> = r.try_get("payee_kind")?;
    let person = matches!(kind.as_deref(), None | Some("person"));
    let p = if person { "p" } else { "i" };
    let name: Option<String> = r.try_get(format!("{p}_name").as_str())?;
    let account: Option<String> = r.try_get(format!("{p}_account").as_str())?;
    let bank: Option<String> = r.try_get(format!("{p}_bank").as_str())?;
    match (name, account) {
        (Some(name), Some(account)) => Ok((name, account, bank.unwrap_or_default())),
        (None, _) => Err(refuse("收款单位未登记".into())),
        (Some(_), None) if person => Err(refuse(
            "收款人未登记社保卡银行账号（人员信息「社保卡银行账号」）".into(),
        )),
        (Some(_), None) => Err(refuse(
            "收款单位未登记银行账号（培训机构信息「银行账号」）".into(),
        )),
    }
}

/// The account the bank last failed to pay the claim to.
async fn last_failed_account(
    conn: &mut sqlx::AnyConnection,
    claim_no: &str,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT bank_account FROM pay_batch_lines WHERE claim_no = $1 AND result = 'failure' \
         ORDER BY attempt DESC LIMIT 1",
    )
    .bind(claim_no)
    .fetch_optional(&mut *conn)
    .await?)
}

impl Store {
    /// 代发: sends claims to the bank in one batch, in one transaction: the
    /// named ones, or every approved claim and every failed claim whose
    /// payee's account has changed since the bank returned it. A claim no
    /// fund can pay (R16) or whose payee has no account is left out with
    /// the reason; the rest move to transit. The demo and the CLI call this.
    pub async fn pay_batch(
        &self,
        policies: &PolicySet,
        only: Option<&[String]>,
        actor: &Actor,
    ) -> Result<Disbursement, StoreError> {
        let named = only.is_some();
        let claims: Vec<String> = match only {
            Some(o) => o.to_vec(),
            None => {
                sqlx::query_scalar(
                    "SELECT claim_no FROM claims WHERE status IN ($1, $2) ORDER BY claim_no",
                )
                .bind(ClaimStatus::Approved.code())
                .bind(ClaimStatus::Failed.code())
                .fetch_all(self.pool())
                .await?
            }
        };
        let mut tx = self.begin().await?;
        let now = crate::audit::now();
        let batch_id: i64 = sqlx::query_scalar(
            "INSERT INTO pay_batches (created_at, actor, line_count, total_fen) VALUES ($1, $2, 0, 0) RETURNING batch_id",
        )
        .bind(&now)
        .bind(actor.0.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let mut out = Disbursement::default();
        for claim_no in claims {
            match self
                .disburse_one(
                    &mut tx,
                    policies,
                    &claim_no,
                    batch_id,
                    out.lines.len() as i64 + 1,
                    named,
                    actor,
                )
                .await
            {
                Ok(Some(line)) => {
                    out.total += line.amount;
                    out.lines.push(line);
                }
                Ok(None) => {}
                Err(StoreError::Db(e)) => return Err(StoreError::Db(e)),
                Err(e) => out.left_out.push((claim_no, e.to_string())),
            }
        }
        if out.lines.is_empty() {
            tx.rollback().await?;
            return Ok(out);
        }
        sqlx::query("UPDATE pay_batches SET line_count = $1, total_fen = $2 WHERE batch_id = $3")
            .bind(out.lines.len() as i64)
            .bind(out.total.0)
            .bind(batch_id)
            .execute(&mut *tx)
            .await?;
        let summary = serde_json::json!({
            "lines": out.lines.len(),
            "total_fen": out.total.0,
            "claims": out.lines.iter().map(|l| l.claim_no.as_str()).collect::<Vec<_>>(),
        });
        crate::audit::write_change(
            &mut tx,
            actor,
            Action::PayBatch,
            Entity::PayBatch,
            batch_id.to_string(),
            None,
            Some(&summary),
        )
        .await?;
        tx.commit().await?;
        out.batch_id = Some(batch_id);
        Ok(out)
    }

    /// One claim into the batch: `Ok(None)` when `--all` skips a failed
    /// claim not yet corrected.
    #[allow(clippy::too_many_arguments)]
    async fn disburse_one(
        &self,
        tx: &mut sqlx::AnyConnection,
        policies: &PolicySet,
        claim_no: &str,
        batch_id: i64,
        line_no: i64,
        named: bool,
        actor: &Actor,
    ) -> Result<Option<DisbursementLine>, StoreError> {
        let c = lock_claim(tx, self.backend(), claim_no).await?;
        let to = c.next(ClaimStep::Disburse)?;
        crate::supervision::holds::refuse_if_held(tx, claim_no).await?;
        if c.amount.0 <= 0 {
            return Err(refuse("核准金额为零".into()));
        }
        let (payee_name, account, bank_name) = payee_account(tx, claim_no).await?;
        if c.status == ClaimStatus::Failed {
            let failed = last_failed_account(tx, claim_no).await?;
            if failed.as_deref() == Some(account.as_str()) {
                if !named {
                    return Ok(None);
                }
                return Err(refuse(format!(
                    "银行账号 {} 未更正，与上次支付失败时相同",
                    mask_account(&account)
                )));
            }
        }
        // R17: a claim booked before (a failed attempt) stays with its fund.
        let fund = match c.fund_code.as_deref().map(FundCode::parse).transpose() {
            Err(e) => return Err(refuse(e.message().to_string())),
            Ok(Some(f)) => f,
            Ok(None) => choose_fund(tx, self.backend(), policies, &c, c.amount).await?,
        };
        let op = Op::Disburse {
            fund: fund.clone(),
            claim: claim_no.to_string(),
            amount: c.amount,
        };
        post_in(tx, self.backend(), &op, actor).await?;
        let attempt: i64 = sqlx::query_scalar(
            "SELECT MAX(attempt) FROM ledger_tx WHERE claim_no = $1 AND kind = 'disburse'",
        )
        .bind(claim_no)
        .fetch_one(&mut *tx)
        .await?;
        let kind = payee_kind(tx, claim_no).await?;
        sqlx::query(
            "INSERT INTO pay_batch_lines (batch_id, line_no, claim_no, attempt, fund_code, payee_kind, \
             payee_name, bank_account, bank_name, amount_fen) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(batch_id)
        .bind(line_no)
        .bind(claim_no)
        .bind(attempt)
        .bind(fund.as_str())
        .bind(&kind)
        .bind(&payee_name)
        .bind(&account)
        .bind(&bank_name)
        .bind(c.amount.0)
        .execute(&mut *tx)
        .await?;
        set_status(tx, claim_no, c.status, to, Some(fund.as_str()), None, actor).await?;
        Ok(Some(DisbursementLine {
            line_id: format!("B{batch_id}-{line_no}"),
            claim_no: claim_no.to_string(),
            payee_name,
            account_masked: mask_account(&account),
            account,
            bank_name,
            amount: c.amount,
            fund: fund.as_str().to_string(),
        }))
    }

    /// 回盘: books the bank's return lines in one transaction. Success pays
    /// the claim, failure returns its money to the fund and marks it failed
    /// with the bank's reason; a line that matches nothing, or whose
    /// account or amount disagrees with what was sent, is reported and
    /// nothing is booked for it. A line already booked the same way counts
    /// as unchanged, so reading the same file again changes nothing.
    pub async fn reconcile(
        &self,
        lines: &[ReturnLine],
        actor: &Actor,
    ) -> Result<Reconciliation, StoreError> {
        let mut tx = self.begin().await?;
        let mut out = Reconciliation::default();
        for l in lines {
            let stored = match find_line(&mut tx, l).await? {
                Ok(s) => s,
                Err(why) => {
                    out.unmatched.push((l.row, why));
                    continue;
                }
            };
            if let Some(why) = disagreement(&stored, l) {
                out.unmatched.push((l.row, why));
                continue;
            }
            match stored.result {
                Some(r) if r == l.result() => {
                    out.unchanged += 1;
                    continue;
                }
                Some(r) => {
                    out.unmatched.push((
                        l.row,
                        format!(
                            "申领 {} 的该笔代发已按「{}」入账，与本行结果不一致，未入账",
                            stored.claim_no,
                            r.as_zh()
                        ),
                    ));
                    continue;
                }
                None => {}
            }
            match self.answer_line(&mut tx, &stored, l, actor).await {
                Ok(()) => {}
                Err(StoreError::Db(e)) => return Err(StoreError::Db(e)),
                // Refused before anything was written for the line.
                Err(e) => {
                    out.unmatched.push((l.row, format!("{e}，未入账")));
                    continue;
                }
            }
            if l.success {
                out.paid.push(stored.claim_no.clone());
                out.paid_fen += stored.amount.0;
            } else {
                out.failed.push((stored.claim_no.clone(), l.reason.clone()));
                out.failed_fen += stored.amount.0;
            }
        }
        if !out.paid.is_empty() || !out.failed.is_empty() {
            let summary = serde_json::json!({
                "paid": out.paid, "failed": out.failed, "unmatched": out.unmatched.len(),
            });
            crate::audit::write_change(
                &mut tx,
                actor,
                Action::Reconcile,
                Entity::PayBatch,
                "回盘".into(),
                None,
                Some(&summary),
            )
            .await?;
        }
        tx.commit().await?;
        crate::metrics::paid(
            crate::metrics::Payment::Bank,
            out.paid.len() as u64,
            out.paid_fen,
        );
        Ok(out)
    }

    /// Books one answered line: the ledger, the claim's status, the line.
    async fn answer_line(
        &self,
        tx: &mut sqlx::AnyConnection,
        stored: &StoredLine,
        l: &ReturnLine,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let c = lock_claim(tx, self.backend(), &stored.claim_no).await?;
        let step = if l.success {
            ClaimStep::BankSuccess
        } else {
            ClaimStep::BankFailure
        };
        let to = c.next(step)?;
        post_in(
            tx,
            self.backend(),
            &Op::BankResult {
                claim: stored.claim_no.clone(),
                success: l.success,
            },
            actor,
        )
        .await?;
        let note = (!l.success).then(|| format!("银行退回：{}", l.reason));
        set_status(
            tx,
            &stored.claim_no,
            c.status,
            to,
            None,
            note.as_deref(),
            actor,
        )
        .await?;
        sqlx::query(
            "UPDATE pay_batch_lines SET result = $1, reason = $2, answered_at = $3 WHERE batch_id = $4 AND line_no = $5",
        )
        .bind(l.result().code())
        .bind(&l.reason)
        .bind(crate::audit::now())
        .bind(stored.batch_id)
        .bind(stored.line_no)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    /// Disbursement batches, newest first, with their lines by result.
    pub async fn pay_batches(&self) -> Result<Vec<PayBatchRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT b.batch_id, b.created_at, b.actor, b.line_count, b.total_fen, \
             CAST(SUM(CASE WHEN l.result = 'success' THEN 1 ELSE 0 END) AS BIGINT) AS paid, \
             CAST(SUM(CASE WHEN l.result = 'success' THEN l.amount_fen ELSE 0 END) AS BIGINT) AS paid_fen, \
             CAST(SUM(CASE WHEN l.result = 'failure' THEN 1 ELSE 0 END) AS BIGINT) AS failed, \
             CAST(SUM(CASE WHEN l.result = 'failure' THEN l.amount_fen ELSE 0 END) AS BIGINT) AS failed_fen, \
             CAST(SUM(CASE WHEN l.result IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS pending, \
             CAST(SUM(CASE WHEN l.result IS NULL THEN l.amount_fen ELSE 0 END) AS BIGINT) AS pending_fen \
             FROM pay_batches b JOIN pay_batch_lines l ON l.batch_id = b.batch_id \
             GROUP BY b.batch_id, b.created_at, b.actor, b.line_count, b.total_fen \
             ORDER BY b.batch_id DESC",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PayBatchRow {
                    batch_id: r.try_get("batch_id")?,
                    created_at: r.stamp("created_at")?,
                    actor: r.try_get("actor")?,
                    lines: r.try_get("line_count")?,
                    total_fen: r.try_get("total_fen")?,
                    paid: r.try_get("paid")?,
                    paid_fen: r.try_get("paid_fen")?,
                    failed: r.try_get("failed")?,
                    failed_fen: r.try_get("failed_fen")?,
                    pending: r.try_get("pending")?,
                    pending_fen: r.try_get("pending_fen")?,
                })
            })
            .collect()
    }
}

/// A batch line for views: the account masked.
#[derive(Debug, Clone, Serialize)]
pub struct PayLineRow {
    pub line_id: String,
    pub claim_no: String,
    pub payee_name: String,
    pub account_masked: String,
    pub bank_name: String,
    pub amount_fen: i64,
    pub fund_code: String,
    /// Absent until the bank answers.
    pub result: Option<BankResult>,
    pub reason: Option<String>,
}

impl Store {
    /// The lines of a batch whose claims lie in `scope`; accounts masked.
    pub async fn scoped_pay_lines(
        &self,
        scope: &jineng_domain::access::Scope,
        batch_id: i64,
    ) -> Result<Vec<PayLineRow>, StoreError> {
        let (cond, val) =
            crate::claims::scoped::filter(scope, crate::claims::scoped::Subject::Claim, 2);
        let sql = format!(
            "SELECT l.batch_id, l.line_no, l.claim_no, l.payee_name, l.bank_account, l.bank_name, \
             l.amount_fen, l.fund_code, l.result, l.reason \
             FROM pay_batch_lines l JOIN claims c ON c.claim_no = l.claim_no \
             JOIN persons p ON p.person_id = c.person_id \
             WHERE l.batch_id = $1 AND {cond} ORDER BY l.line_no"
        );
        let vals = [crate::sql::Val::int(batch_id), val];
        let rows = crate::sql::bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), &vals)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let b: i64 = r.try_get("batch_id")?;
                let n: i64 = r.try_get("line_no")?;
                Ok(PayLineRow {
                    line_id: format!("B{b}-{n}"),
                    claim_no: r.try_get("claim_no")?,
                    payee_name: r.try_get("payee_name")?,
                    account_masked: mask_account(&r.try_get::<String, _>("bank_account")?),
                    bank_name: r.try_get("bank_name")?,
                    amount_fen: r.try_get("amount_fen")?,
                    fund_code: r.try_get("fund_code")?,
                    result: r.opt_code("result", BankResult::from_code)?,
                    reason: r.try_get("reason")?,
                })
            })
            .collect()
    }
}

async fn payee_kind(conn: &mut sqlx::AnyConnection, claim_no: &str) -> Result<String, StoreError> {
    let kind: Option<String> =
        sqlx::query_scalar("SELECT payee_kind FROM claims WHERE claim_no = $1")
            .bind(claim_no)
            .fetch_one(&mut *conn)
            .await?;
    Ok(kind.unwrap_or_else(|| "person".into()))
}

/// The stored line a return line names: by line id, or the claim's latest.
async fn find_line(
    conn: &mut sqlx::AnyConnection,
    l: &ReturnLine,
) -> Result<Result<StoredLine, String>, StoreError> {
    const COLS: &str = "SELECT batch_id, line_no, claim_no, attempt, bank_account, amount_fen, result FROM pay_batch_lines";
    let row = if let Some(id) = &l.line_id {
        let Some((b, n)) = parse_line_id(id) else {
            return Ok(Err(format!("批次行号「{id}」无法识别，应如 B3-12")));
        };
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{COLS} WHERE batch_id = $1 AND line_no = $2"
        )))
        .bind(b)
        .bind(n)
        .fetch_optional(&mut *conn)
        .await?
    } else if let Some(c) = &l.claim_no {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{COLS} WHERE claim_no = $1 ORDER BY attempt DESC LIMIT 1"
        )))
        .bind(c)
        .fetch_optional(&mut *conn)
        .await?
    } else {
        return Ok(Err("缺少申领编号和批次行号".into()));
    };
    let Some(r) = row else {
        let what = l
            .line_id
            .as_ref()
            .map(|i| format!("批次行号 {i}"))
            .or_else(|| l.claim_no.as_ref().map(|c| format!("申领 {c}")))
            .unwrap_or_default();
        return Ok(Err(format!("{what} 没有代发记录，未入账")));
    };
    let stored = StoredLine {
        batch_id: r.try_get("batch_id")?,
        line_no: r.try_get("line_no")?,
        claim_no: r.try_get("claim_no")?,
        attempt: r.try_get("attempt")?,
        account: r.try_get("bank_account")?,
        amount: Fen(r.try_get("amount_fen")?),
        result: r.opt_code("result", BankResult::from_code)?,
    };
    if let Some(c) = &l.claim_no
        && c != &stored.claim_no
    {
        return Ok(Err(format!(
            "批次行号 B{}-{} 是申领 {} 的代发，与本行申领编号 {c} 不符，未入账",
            stored.batch_id, stored.line_no, stored.claim_no
        )));
    }
    // Only the claim's latest attempt can still be answered.
    let latest: i64 =
        sqlx::query_scalar("SELECT MAX(attempt) FROM pay_batch_lines WHERE claim_no = $1")
            .bind(&stored.claim_no)
            .fetch_one(&mut *conn)
            .await?;
    if stored.attempt != latest && stored.result.is_none() {
        return Ok(Err(format!(
            "申领 {} 的该笔代发已被后续批次取代，未入账",
            stored.claim_no
        )));
    }
    Ok(Ok(stored))
}

/// Why a return line disagrees with what was sent, if it does.
fn disagreement(stored: &StoredLine, l: &ReturnLine) -> Option<String> {
    let account: String = l.account.chars().filter(char::is_ascii_digit).collect();
    if account != stored.account {
        return Some(format!(
            "申领 {} 回盘账号 {} 与代发账号 {} 不符，未入账",
            stored.claim_no,
            mask_account(&account),
            mask_account(&stored.account)
        ));
    }
    if l.amount != stored.amount {
        return Some(format!(
            "申领 {} 回盘金额 {} 元与代发金额 {} 元不符，未入账",
            stored.claim_no, l.amount, stored.amount
        ));
    }
    None
}

/// `B3-12` → (3, 12).
pub fn parse_line_id(id: &str) -> Option<(i64, i64)> {
    let (b, n) = id.trim().strip_prefix(['B', 'b'])?.split_once('-')?;
    Some((b.parse().ok()?, n.parse().ok()?))
}
