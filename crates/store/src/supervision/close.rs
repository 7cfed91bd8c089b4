//! Closing a case (结案) and applying its finding (`Finding::effects`), in
//! one transaction with the case's status:
//! - 属实: every claim the case holds (see [`super::holds`]) that is not yet
//!   paid is rejected (不予核准, the reason naming the case); every paid or
//!   advanced one is recovered (追回) through the ledger, its postings
//!   reversed so that `ledger verify` still holds; with `revoke_certs`, the
//!   certificates the case names are revoked through the same call as
//!   `jineng cert revoke` (`crate::credentials`: the revocation with the
//!   case number, the status list bit, the `certificates.revoked_on` mark).
//!   A claim in transit at the bank (支付在途) refuses the close until the
//!   bank's return file is booked.
//! - 不属实: the claims are released; nothing else changes.
//!
//! The case row is written first, then the claims are locked one by one in
//! claim-number order (the payment paths lock a claim and then read the
//! case, never the other way round). Every step is audited.

use jineng_domain::audit::{Action, Entity};
use jineng_domain::supervision::case::{CaseStatus, Effects, Finding};
use jineng_domain::{ClaimStatus, Fen};
use serde::Serialize;
use sqlx::Row;

use crate::audit::Actor;
use crate::claims::{lock_claim, recover_in, reject_in};
use crate::{Backend, Store, StoreError};

/// What closing a case did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CloseReport {
    pub case_no: String,
    pub finding: String,
    /// Unpaid claims rejected (属实).
    pub rejected: Vec<String>,
    /// Paid or advanced claims recovered (属实), and the money returned.
    pub recovered: Vec<String>,
    pub recovered_fen: i64,
    /// Claims released (不属实): they may be approved and paid again.
    pub released: Vec<String>,
    /// Claims left as they were: already rejected or recovered.
    pub unchanged: Vec<String>,
    /// Certificates marked revoked (属实 with `revoke_certs`).
    pub revoked_certs: Vec<String>,
}

/// The claims a case holds, in claim-number order: named, on a named
/// certificate, or of a named person in a named class (as in `holds`).
async fn case_claims(
    conn: &mut sqlx::AnyConnection,
    case_id: i64,
) -> Result<Vec<(String, ClaimStatus)>, StoreError> {
    let sql = format!(
        "SELECT c.claim_no, c.status FROM claims c JOIN supervision_case_records r \
         ON r.case_id = {case_id} AND r.kind = 'claim' AND r.record_key = c.claim_no \
         UNION SELECT c.claim_no, c.status FROM claims c JOIN supervision_case_records r \
         ON r.case_id = {case_id} AND r.kind = 'cert' AND r.record_key = c.cert_no \
         UNION SELECT c.claim_no, c.status FROM supervision_case_records rp \
         JOIN persons p ON p.id_number = rp.record_key \
         JOIN claims c ON c.person_id = p.person_id \
         LEFT JOIN certificates ce ON ce.person_id = c.person_id AND ce.cert_no = c.cert_no \
         JOIN classes cl ON cl.class_id = COALESCE(c.class_id, ce.class_id) \
         JOIN supervision_case_records r ON r.case_id = rp.case_id AND r.kind = 'class' \
         AND r.record_key = cl.class_no \
         WHERE rp.case_id = {case_id} AND rp.kind = 'person' \
         ORDER BY claim_no"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            let status: String = r.try_get("status")?;
            Ok((
                r.try_get("claim_no")?,
                crate::claims::stored_status(&status)?,
            ))
        })
        .collect()
}

impl Store {
    /// Closes an open case with a finding and a note and applies the
    /// finding to the claims and certificates it names (module docs), all
    /// in one transaction. `revoke_certs` marks the named certificates
    /// revoked; only a case found 属实 may.
    pub async fn close_case(
        &self,
        case_no: &str,
        finding: Finding,
        note: &str,
        revoke_certs: bool,
        actor: &Actor,
    ) -> Result<CloseReport, StoreError> {
        let mut tx = self.begin().await?;
        let (case_id, current) = open_case(&mut tx, case_no).await?;
        let next = current
            .close(finding, note)
            .map_err(|e| StoreError::Refused(format!("线索「{case_no}」：{e}")))?;
        let effects = finding.effects();
        if revoke_certs && !effects.may_revoke_certificates {
            return Err(StoreError::Refused(format!(
                "线索「{case_no}」核查{}，不能注销证书（--revoke-certs 仅用于属实）",
                finding.as_zh()
            )));
        }
        mark_closed(&mut tx, case_id, case_no, next, finding, note, actor).await?;
        let mut report = CloseReport {
            case_no: case_no.to_string(),
            finding: finding.as_zh().to_string(),
            ..CloseReport::default()
        };
        let reason = format!("线索 {case_no} 核查属实：{}", note.trim());
        let locked = lock_case_claims(&mut tx, self.backend(), case_id, &effects).await?;
        apply_to_claims(
            &mut tx,
            self.backend(),
            locked,
            &effects,
            &reason,
            actor,
            &mut report,
        )
        .await?;
        if revoke_certs {
            report.revoked_certs = revoke_named_certs(&mut tx, case_id, case_no, actor).await?;
        }
        crate::audit::write_change(
            &mut tx,
            actor,
            Action::CloseCase,
            Entity::SupervisionCase,
            case_no.to_string(),
            Some(&serde_json::json!({ "status": current.code() })),
            Some(&serde_json::json!({
                "status": next.code(), "finding": finding.as_zh(), "note": note.trim(),
                "rejected": report.rejected, "recovered": report.recovered,
                "recovered_fen": report.recovered_fen, "released": report.released,
                "revoked_certs": report.revoked_certs,
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(report)
    }
}

/// The id and status of case `case_no`; not found if there is none.
async fn open_case(
    conn: &mut sqlx::AnyConnection,
    case_no: &str,
) -> Result<(i64, CaseStatus), StoreError> {
    let row = sqlx::query("SELECT case_id, status FROM supervision_cases WHERE case_no = $1")
        .bind(case_no)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else {
        return Err(StoreError::NotFound(format!(
            "没有编号为「{case_no}」的线索"
        )));
    };
    let case_id: i64 = row.try_get("case_id")?;
    let status: String = row.try_get("status")?;
    let current = CaseStatus::from_code(&status)
        .ok_or_else(|| StoreError::Corrupt(format!("线索状态「{status}」无法识别")))?;
    Ok((case_id, current))
}

/// Writes the closed status, finding and note on the case row; refused if
/// someone else closed it meanwhile.
async fn mark_closed(
    conn: &mut sqlx::AnyConnection,
    case_id: i64,
    case_no: &str,
    next: CaseStatus,
    finding: Finding,
    note: &str,
    actor: &Actor,
) -> Result<(), StoreError> {
    let now = crate::audit::now();
    let done = sqlx::query(
        "UPDATE supervision_cases SET status = $1, finding = $2, note = $3, closed_at = $4, closed_by = $5 \
         WHERE case_id = $6 AND status = 'open'",
    )
    .bind(next.code())
    .bind(finding.as_zh())
    .bind(note.trim())
    .bind(&now)
    .bind(&actor.0)
    .bind(case_id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Refused(format!(
            "线索「{case_no}」已由他人结案"
        )));
    }
    Ok(())
}

/// Locks every claim the case holds, in claim-number order, before
/// anything is written (the audit chain's head is locked by the first
/// write); refused if one is in transit and the finding rejects.
async fn lock_case_claims(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    case_id: i64,
    effects: &Effects,
) -> Result<Vec<(String, ClaimStatus)>, StoreError> {
    let mut locked = Vec::new();
    for (claim_no, _) in case_claims(conn, case_id).await? {
        let c = lock_claim(conn, backend, &claim_no).await?;
        if effects.reject_unpaid && c.status == ClaimStatus::InTransit {
            return Err(StoreError::Refused(format!(
                "申领 {claim_no} 支付在途，须待银行回盘入账后再结案"
            )));
        }
        locked.push((claim_no, c.status));
    }
    Ok(locked)
}

/// Applies the finding to each locked claim (reject, recover, release or
/// leave), recording what happened in `report`.
async fn apply_to_claims(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    locked: Vec<(String, ClaimStatus)>,
    effects: &Effects,
    reason: &str,
    actor: &Actor,
    report: &mut CloseReport,
) -> Result<(), StoreError> {
    for (claim_no, status) in locked {
        match status {
            s if s.is_final() => report.unchanged.push(claim_no),
            _ if !effects.reject_unpaid => report.released.push(claim_no),
            ClaimStatus::Paid | ClaimStatus::Advanced if effects.recover_paid => {
                let back = recover_in(conn, backend, &claim_no, reason, actor).await?;
                report.recovered_fen += back.0;
                report.recovered.push(claim_no);
            }
            _ => {
                reject_in(conn, &claim_no, reason, actor).await?;
                report.rejected.push(claim_no);
            }
        }
    }
    Ok(())
}

/// Revokes the certificates the case names, through the same call as
/// `jineng cert revoke`: the revocation, its status bit, the
/// certificate's mark and the audit row. Returns those revoked.
async fn revoke_named_certs(
    conn: &mut sqlx::AnyConnection,
    case_id: i64,
    case_no: &str,
    actor: &Actor,
) -> Result<Vec<String>, StoreError> {
    let certs: Vec<String> = sqlx::query_scalar(
        "SELECT record_key FROM supervision_case_records WHERE case_id = $1 AND kind = 'cert' \
         ORDER BY record_key",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    crate::credentials::revoke_case_certificates(conn, case_no, &certs, actor).await
}

impl CloseReport {
    /// The money recovered.
    pub fn recovered(&self) -> Fen {
        Fen(self.recovered_fen)
    }
}
