//! The dedicated account's postings (凭证) as the web platform lists and
//! exports them: newest first, paged. Allocations (拨入) belong to the
//! deployment's dedicated account and are listed to every ledger role, as
//! its balances are; the postings of a claim only when the claim lies in
//! the account's scope. No ID number is read.

use crate::claims::scoped::{Subject, filter};
use crate::dialect::placeholders;
use crate::row::Typed;
use crate::sql::{Val, bind_all};
use crate::{Store, StoreError};
use chrono::NaiveDate;
use jineng_domain::access::Scope;
use jineng_domain::ledger::{Account, PostingKind};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};
use std::collections::BTreeMap;

/// One posting with its debit and credit lines in words.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PostingRow {
    pub tx_id: i64,
    /// The booking date (of the UTC time it was booked at).
    pub date: NaiveDate,
    pub fund_code: String,
    pub fund_name: String,
    /// 拨入 | 预付 | 支付 | 清算 | 追回
    pub kind: String,
    pub claim_no: Option<String>,
    /// Σ debits (= Σ credits), fen.
    pub amount_fen: i64,
    /// e.g. 「专账存款（ES）1000.00」, lines joined by 「；」.
    pub debit: String,
    pub credit: String,
    pub memo: String,
}

/// The condition that keeps postings (`t`) to allocations and the claims
/// in scope, with its parameter `$n`.
fn in_scope(scope: &Scope, n: usize) -> (String, Val) {
    let (cond, val) = filter(scope, Subject::Claim, n);
    (
        format!(
            "(t.claim_no IS NULL OR EXISTS (SELECT 1 FROM claims c JOIN persons p ON p.person_id = c.person_id \
             WHERE c.claim_no = t.claim_no AND {cond}))"
        ),
        val,
    )
}

fn account_label(code: &str) -> String {
    Account::parse(code)
        .map(|a| a.to_string())
        .unwrap_or_else(|_| code.to_string())
}

impl Store {
    /// How many postings the scope sees.
    pub async fn scoped_posting_count(&self, scope: &Scope) -> Result<i64, StoreError> {
        let (cond, val) = in_scope(scope, 1);
        self.count_where("ledger_tx t", &cond, &[val]).await
    }

    /// Postings the scope sees, newest first: `limit` from `offset`
    /// (`limit` < 0: all of them, for the export).
    pub async fn scoped_postings(
        &self,
        scope: &Scope,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<PostingRow>, StoreError> {
        let (cond, val) = in_scope(scope, 1);
        let limit = if limit < 0 { i64::MAX } else { limit };
        let sql = format!(
            "SELECT t.tx_id, t.at, t.kind, t.fund_code, COALESCE(f.name, t.fund_code) AS fund_name, t.claim_no, t.memo \
             FROM ledger_tx t LEFT JOIN fund_sources f ON f.code = t.fund_code \
             WHERE {cond} ORDER BY t.tx_id DESC LIMIT $2 OFFSET $3"
        );
        let vals = [val, Val::int(limit), Val::int(offset.max(0))];
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let kind: String = r.try_get("kind")?;
            out.push(PostingRow {
                tx_id: r.try_get("tx_id")?,
                date: r.stamp("at")?.day(),
                fund_code: r.try_get("fund_code")?,
                fund_name: r.try_get("fund_name")?,
                kind: PostingKind::from_code(&kind)
                    .map(|k| k.as_zh().to_string())
                    .unwrap_or(kind),
                claim_no: r.try_get("claim_no")?,
                amount_fen: 0,
                debit: String::new(),
                credit: String::new(),
                memo: r.text_or_empty("memo")?,
            });
        }
        // The lines of these postings, a few hundred ids at a time.
        let mut at: BTreeMap<i64, usize> = BTreeMap::new();
        for (i, p) in out.iter().enumerate() {
            at.insert(p.tx_id, i);
        }
        let ids: Vec<i64> = at.keys().copied().collect();
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT tx_id, account, debit_fen, credit_fen FROM ledger_entries WHERE tx_id IN ({}) ORDER BY tx_id, line",
                placeholders(1, chunk.len())
            );
            let vals: Vec<Val> = chunk.iter().map(|i| Val::int(*i)).collect();
            for r in bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
                .fetch_all(self.pool())
                .await?
            {
                let p = &mut out[at[&r.try_get::<i64, _>("tx_id")?]];
                let account = account_label(&r.try_get::<String, _>("account")?);
                let (debit, credit): (i64, i64) =
                    (r.try_get("debit_fen")?, r.try_get("credit_fen")?);
                let (side, fen) = if debit > 0 {
                    p.amount_fen += debit;
                    (&mut p.debit, debit)
                } else {
                    (&mut p.credit, credit)
                };
                if !side.is_empty() {
                    side.push('；');
                }
                side.push_str(&format!("{account} {}", jineng_domain::Fen(fen)));
            }
        }
        Ok(out)
    }
}
