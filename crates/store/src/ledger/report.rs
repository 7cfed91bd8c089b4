//! The per-fund report of the dedicated account: what each fund source
//! was allocated, advanced, paid and recovered, what it holds, and its
//! claims by where they stand.

use std::collections::BTreeMap;

use jineng_domain::Fen;
use jineng_domain::ledger::{Account, PostingKind};
use sqlx::Row;

use super::FundReport;
use crate::{Store, StoreError};

impl Store {
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
        // Money back into a fund's bank account: its code read by the domain.
        for r in sqlx::query(
            "SELECT e.fund_code, e.account, CAST(SUM(e.debit_fen) AS BIGINT) AS fen
             FROM ledger_entries e JOIN ledger_tx t ON t.tx_id = e.tx_id
             WHERE t.kind = $1
             GROUP BY e.fund_code, e.account",
        )
        .bind(PostingKind::Recover.code())
        .fetch_all(&mut *conn)
        .await?
        {
            let code: String = r.try_get("fund_code")?;
            let account: String = r.try_get("account")?;
            let bank =
                matches!(Account::parse(&account), Ok(Account::Bank(f)) if f.as_str() == code);
            if let (true, Some(&i)) = (bank, index.get(&code)) {
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
}
