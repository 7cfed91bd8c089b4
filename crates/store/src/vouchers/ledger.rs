//! Vouchers' commitments on the dedicated account: the postings that
//! commit a voucher's face value when it is issued and release it when its
//! claim is paid or it lapses (decided by `domain::ledger::commitment`),
//! and their part of `jineng ledger verify`.

use jineng_domain::audit::{Action, Entity};
use std::collections::BTreeMap;

use crate::audit::{Actor, AuditEntry};
use crate::ledger::fund_balances_in;
use crate::sql::{Val, insert_rows, select_in};
use crate::{Backend, StoreError};
use jineng_domain::Fen;
use jineng_domain::ledger::commitment::{ReleaseReason, VoucherLedgerState, voucher_violations};
use jineng_domain::ledger::{FundBalances, FundCode, LedgerError, Posting, PostingKind};
use sqlx::Row;

/// Writes voucher postings (commitments or releases) with their lines,
/// moves each fund's running commitment by their sum and audits each.
/// `postings` pairs each posting with its voucher number.
pub(crate) async fn book(
    conn: &mut sqlx::AnyConnection,
    postings: &[(String, Posting)],
    actor: &Actor,
) -> Result<(), StoreError> {
    if postings.is_empty() {
        return Ok(());
    }
    insert_headers(conn, postings, actor).await?;
    let kind = postings[0].1.kind;
    let ids = posted_ids(conn, postings, kind).await?;
    let mut lines = Vec::new();
    let mut moved: BTreeMap<String, i64> = BTreeMap::new();
    let mut audits = Vec::new();
    for (v, p) in postings {
        if p.kind != kind {
            return Err(StoreError::Corrupt("一次只能记一类培训券记账".into()));
        }
        let tx_id = *ids
            .get(v)
            .ok_or_else(|| StoreError::Corrupt(format!("培训券 {v} 的记账未写入")))?;
        lines.extend(crate::ledger::entry_rows(tx_id, p));
        for e in &p.entries {
            if matches!(e.account, jineng_domain::ledger::Account::Committed(_)) {
                *moved.entry(p.fund.to_string()).or_default() += e.debit.0 - e.credit.0;
            }
        }
        audits.push(AuditEntry::change(
            Action::Post,
            Entity::LedgerTx,
            tx_id.to_string(),
            None,
            Some(p),
        ));
    }
    crate::ledger::insert_entries(conn, &lines).await?;
    for (fund, delta) in moved {
        sqlx::query("UPDATE fund_sources SET committed_fen = committed_fen + $1 WHERE code = $2")
            .bind(delta)
            .bind(fund)
            .execute(&mut *conn)
            .await?;
    }
    crate::audit::write(conn, actor, None, &audits).await?;
    Ok(())
}

/// Writes one `ledger_tx` row a posting, stamped now and carrying its
/// voucher number.
async fn insert_headers(
    conn: &mut sqlx::AnyConnection,
    postings: &[(String, Posting)],
    actor: &Actor,
) -> Result<(), StoreError> {
    let at = crate::audit::now();
    let rows: Vec<Vec<Val>> = postings
        .iter()
        .map(|(v, p)| {
            vec![
                Val::text(&at),
                Val::text(p.kind.code()),
                Val::text(p.fund.as_str()),
                Val::text(&actor.0),
                Val::text(&p.memo),
                Val::text(v),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "ledger_tx",
        &["at", "kind", "fund_code", "actor", "memo", "voucher_no"],
        &rows,
        "",
    )
    .await?;
    Ok(())
}

/// The ids of the postings just written, by voucher: read back by
/// (voucher, kind), which the unique index makes one.
async fn posted_ids(
    conn: &mut sqlx::AnyConnection,
    postings: &[(String, Posting)],
    kind: PostingKind,
) -> Result<BTreeMap<String, i64>, StoreError> {
    let keys: Vec<Val> = postings.iter().map(|(v, _)| Val::text(v)).collect();
    let mut ids: BTreeMap<String, i64> = BTreeMap::new();
    for r in select_in(
        conn,
        "SELECT tx_id, voucher_no, kind FROM ledger_tx",
        "voucher_no",
        &keys,
    )
    .await?
    {
        if r.try_get::<String, _>("kind")? == kind.code() {
            ids.insert(r.try_get("voucher_no")?, r.try_get("tx_id")?);
        }
    }
    Ok(ids)
}

/// The funds' balances, locked, for committing `wanted` (fund → Σ face):
/// refused when a fund cannot cover what it is asked to promise.
pub(crate) async fn lock_for_commit(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    wanted: &BTreeMap<FundCode, (i64, Fen)>,
) -> Result<BTreeMap<FundCode, FundBalances>, StoreError> {
    let mut out = BTreeMap::new();
    for (fund, (count, total)) in wanted {
        let b = fund_balances_in(conn, backend, fund)
            .await?
            .ok_or_else(|| LedgerError::UnknownFund(fund.clone()))?;
        if *total > b.uncommitted() {
            return Err(StoreError::Refused(format!(
                "资金来源 {fund} 专账余额 {} 元，已承诺 {} 元，未承诺的 {} 元不足以承诺本次 {count} 张培训券共 {total} 元：未发放。请先拨入资金（jineng ledger allocate）",
                b.bank,
                b.committed,
                b.uncommitted()
            )));
        }
        out.insert(fund.clone(), b);
    }
    Ok(out)
}

/// A voucher's commitment as the ledger holds it.
async fn state_of(
    conn: &mut sqlx::AnyConnection,
    voucher: &str,
) -> Result<VoucherLedgerState, StoreError> {
    let mut s = VoucherLedgerState::default();
    for r in sqlx::query(
        "SELECT t.kind, t.fund_code, e.account, e.debit_fen FROM ledger_tx t
         JOIN ledger_entries e ON e.tx_id = t.tx_id WHERE t.voucher_no = $1 ORDER BY t.tx_id, e.line",
    )
    .bind(voucher)
    .fetch_all(&mut *conn)
    .await?
    {
        let kind: String = r.try_get("kind")?;
        let account: String = r.try_get("account")?;
        match kind.as_str() {
            "commit" if account.starts_with("committed:") => {
                let fund: String = r.try_get("fund_code")?;
                let fund = FundCode::parse(&fund)
                    .map_err(|e| StoreError::Corrupt(e.message().to_string()))?;
                s.committed = Some((fund, Fen(r.try_get("debit_fen")?)));
            }
            "release" => s.released = true,
            _ => {}
        }
    }
    Ok(s)
}

/// Releases the commitment of each voucher in `vouchers` for `why`, in the
/// caller's transaction (the funds' rows locked first).
pub(crate) async fn release(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    vouchers: &[String],
    why: ReleaseReason,
    actor: &Actor,
) -> Result<Fen, StoreError> {
    let mut postings = Vec::new();
    let mut total = Fen::ZERO;
    let mut locked: BTreeMap<FundCode, ()> = BTreeMap::new();
    for v in vouchers {
        let state = state_of(conn, v).await?;
        let p = jineng_domain::ledger::commitment::release(v, why, &state)?;
        if locked.insert(p.fund.clone(), ()).is_none() {
            fund_balances_in(conn, backend, &p.fund).await?;
        }
        total += state.outstanding();
        postings.push((v.clone(), p));
    }
    book(conn, &postings, actor).await?;
    Ok(total)
}

/// On a claim's payment: the voucher redeemed for its training (same
/// person and class, the voucher's subsidy type) is settled by it, and
/// its commitment released. Nothing when the claim used no voucher.
pub(crate) async fn release_for_claim(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    claim: &str,
    actor: &Actor,
) -> Result<(), StoreError> {
    let found: Option<String> = sqlx::query_scalar(
        "SELECT v.voucher_no FROM vouchers v JOIN claims c ON c.person_id = v.person_id
             AND c.subsidy_type = v.subsidy_type
         LEFT JOIN certificates ce ON ce.person_id = c.person_id AND ce.cert_no = c.cert_no
             AND (c.cert_type IS NULL OR ce.cert_type = c.cert_type)
         WHERE c.claim_no = $1 AND v.status = 'used' AND v.claim_no IS NULL
           AND v.class_id = COALESCE(c.class_id, ce.class_id)",
    )
    .bind(claim)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(voucher) = found else {
        return Ok(());
    };
    release(
        conn,
        backend,
        std::slice::from_ref(&voucher),
        ReleaseReason::Paid,
        actor,
    )
    .await?;
    sqlx::query("UPDATE vouchers SET claim_no = $1 WHERE voucher_no = $2")
        .bind(claim)
        .bind(&voucher)
        .execute(&mut *conn)
        .await?;
    crate::audit::write_change(
        conn,
        actor,
        Action::Settle,
        Entity::Voucher,
        voucher,
        None,
        Some(&serde_json::json!({ "claim_no": claim })),
    )
    .await?;
    Ok(())
}

/// The vouchers' part of the ledger's verification: per fund, the running
/// commitment against the memorandum entries (both accounts); per voucher,
/// one commitment of its face value, at most one release, and the
/// commitment still open exactly while the voucher is unused, or used with
/// its claim unpaid.
pub(crate) async fn verify_commitments(
    conn: &mut sqlx::AnyConnection,
    out: &mut Vec<String>,
) -> Result<(), StoreError> {
    for r in sqlx::query(
        "SELECT f.code, f.committed_fen,
                CAST(COALESCE((SELECT SUM(e.debit_fen) - SUM(e.credit_fen) FROM ledger_entries e
                      WHERE e.fund_code = f.code AND e.account = 'committed:' || f.code), 0) AS BIGINT) AS committed,
                CAST(COALESCE((SELECT SUM(e.credit_fen) - SUM(e.debit_fen) FROM ledger_entries e
                      WHERE e.fund_code = f.code AND e.account = 'pledge:' || f.code), 0) AS BIGINT) AS pledge
         FROM fund_sources f ORDER BY f.code",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        let code: String = r.try_get("code")?;
        let kept = Fen(r.try_get("committed_fen")?);
        for (label, column) in [("培训券承诺", "committed"), ("承诺备查", "pledge")] {
            let sum = Fen(r.try_get(column)?);
            if sum != kept {
                out.push(format!(
                    "资金来源 {code} 的{label}按明细为 {sum} 元，与记录的承诺余额 {kept} 元不符"
                ));
            }
        }
        if kept.0 < 0 {
            out.push(format!("资金来源 {code} 的培训券承诺为负（{kept} 元）"));
        }
    }
    // Only the vouchers whose postings are not the sound shape come back.
    for r in sqlx::query(
        "SELECT v.voucher_no, v.face_fen,
                CAST(CASE WHEN v.status = 'issued' OR (v.status = 'used' AND v.claim_no IS NULL)
                     THEN 1 ELSE 0 END AS BIGINT) AS open,
                CAST(COALESCE(k.commits, 0) AS BIGINT) AS commits,
                CAST(COALESCE(k.releases, 0) AS BIGINT) AS releases,
                CAST(COALESCE(k.net, 0) AS BIGINT) AS net
         FROM vouchers v LEFT JOIN (
             SELECT t.voucher_no,
                    SUM(CASE WHEN t.kind = 'commit' THEN 1 ELSE 0 END) AS commits,
                    SUM(CASE WHEN t.kind = 'release' THEN 1 ELSE 0 END) AS releases,
                    SUM((SELECT COALESCE(SUM(e.debit_fen) - SUM(e.credit_fen), 0) FROM ledger_entries e
                         WHERE e.tx_id = t.tx_id AND e.account = 'committed:' || t.fund_code)) AS net
             FROM ledger_tx t WHERE t.voucher_no IS NOT NULL GROUP BY t.voucher_no) k
           ON k.voucher_no = v.voucher_no
         WHERE COALESCE(k.commits, 0) <> 1 OR COALESCE(k.releases, 0) > 1
            OR COALESCE(k.net, 0) <> CASE WHEN v.status = 'issued' OR (v.status = 'used' AND v.claim_no IS NULL)
                                         THEN v.face_fen ELSE 0 END
         ORDER BY v.voucher_no",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        let voucher: String = r.try_get("voucher_no")?;
        out.extend(voucher_violations(
            &voucher,
            r.try_get("commits")?,
            r.try_get("releases")?,
            r.try_get("net")?,
            Fen(r.try_get("face_fen")?),
            r.try_get::<i64, _>("open")? == 1,
        ));
    }
    // A used voucher whose claim was paid has been settled by it.
    for r in sqlx::query(
        "SELECT v.voucher_no, c.claim_no FROM vouchers v JOIN claims c ON c.person_id = v.person_id
             AND c.subsidy_type = v.subsidy_type
         LEFT JOIN certificates ce ON ce.person_id = c.person_id AND ce.cert_no = c.cert_no
             AND (c.cert_type IS NULL OR ce.cert_type = c.cert_type)
         WHERE v.status = 'used' AND v.claim_no IS NULL AND v.class_id = COALESCE(c.class_id, ce.class_id)
           AND EXISTS (SELECT 1 FROM ledger_tx t WHERE t.claim_no = c.claim_no AND t.kind IN ('pay', 'settle'))
         ORDER BY v.voucher_no",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        let voucher: String = r.try_get("voucher_no")?;
        let claim: String = r.try_get("claim_no")?;
        out.push(format!(
            "培训券 {voucher} 的申领 {claim} 已支付，承诺却未释放"
        ));
    }
    Ok(())
}
