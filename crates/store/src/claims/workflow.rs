//! Single-claim officer actions (reject), reading a claim with its decision,
//! the export of every claim, and the read-only context of an eligibility
//! question.

use futures_util::TryStreamExt;
use jineng_domain::audit::{Action, Entity};
use jineng_domain::national_id::mask_id;
use jineng_domain::policy::facts::{Award, PersonFacts};
use jineng_domain::policy::trace::TraceLine;
use jineng_domain::{ClaimStatus, ClaimStep, NationalId};
use serde::Serialize;
use sqlx::Row;

use super::facts::{self, StoredClaim};
use crate::audit::Actor;
use crate::{Store, StoreError};

/// A claim with its decision, for display.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimDetail {
    pub claim_no: String,
    pub person_name: String,
    /// Masked.
    pub id_number: String,
    pub subsidy_type: String,
    pub status: ClaimStatus,
    pub outcome: Option<String>,
    pub amount_fen: Option<i64>,
    pub payee_kind: Option<String>,
    pub payee_code: Option<String>,
    pub payee_name: Option<String>,
    pub advance_pct: Option<i64>,
    pub year: Option<i64>,
    pub policy_id: Option<i64>,
    /// The policy version the decision used (policy_versions.version_id),
    /// with the policy's id, the version's number and its files' SHA-256.
    pub policy_version: Option<i64>,
    pub policy_key: Option<String>,
    pub policy_version_no: Option<i64>,
    pub policy_sha256: Option<String>,
    pub occupation_name: String,
    pub skill_level: Option<i64>,
    pub cert_type: Option<String>,
    pub officer_note: Option<String>,
    pub fund_code: Option<String>,
    /// The fund source's name (资金来源名称).
    pub fund_name: Option<String>,
    pub trace: Vec<TraceLine>,
    /// What the claim's page links to: the person, the class, the
    /// certificate and the institution that trained.
    pub person_id: i64,
    pub class_id: Option<i64>,
    pub class_no: Option<String>,
    pub cert_no: Option<String>,
    pub institution_id: Option<i64>,
    pub institution_name: Option<String>,
}

/// One claim of the export (`claims export --format jsonl`).
#[derive(Debug, Clone, Serialize)]
pub struct ClaimLine {
    pub claim_no: String,
    pub subsidy_type: String,
    pub status: ClaimStatus,
    /// approved | rejected | review; absent until decided.
    pub outcome: Option<String>,
    pub amount_fen: i64,
    /// The rules (R1…R17) that rejected or flagged the claim.
    pub rules: Vec<String>,
    /// person | institution | enterprise
    pub payee: Option<String>,
    pub payee_code: Option<String>,
    pub year: Option<i64>,
}

/// What an eligibility question is answered from.
#[derive(Debug, Clone)]
pub struct EligibilityContext {
    pub person: PersonFacts,
    pub awards: Vec<Award>,
}

impl Store {
    /// A claim with its decision and trace; the ID number masked.
    pub async fn claim_detail(&self, claim_no: &str) -> Result<ClaimDetail, StoreError> {
        let r = sqlx::query(
            "SELECT c.claim_no, p.name, p.id_number, c.subsidy_type, c.status, c.outcome, c.amount_fen, \
             c.payee_kind, c.payee_code, c.advance_pct, c.basis_year, c.policy_id, c.officer_note, c.fund_code, \
             c.trace, c.cert_type, c.policy_version, po.policy_key, pv.version_no, pv.sha256 AS policy_sha256, COALESCE(ce.skill_level, cl.skill_level) AS skill_level, \
             COALESCE(o.name, '') AS occ_name, \
             COALESCE(ip.name, ie.name) AS payee_name, fs.name AS fund_name, \
             c.person_id, cl.class_id AS link_class_id, cl.class_no AS link_class_no, ce.cert_no AS link_cert_no, \
             cl.institution_id AS link_institution_id, it.name AS link_institution_name \
             FROM claims c JOIN persons p ON p.person_id = c.person_id \
             LEFT JOIN certificates ce ON ce.person_id = c.person_id AND ce.cert_no = c.cert_no \
             LEFT JOIN classes cl ON cl.class_id = COALESCE(c.class_id, ce.class_id) \
             LEFT JOIN occupations o ON o.code = COALESCE(ce.occupation_code, cl.occupation_code) \
             LEFT JOIN institutions ip ON ip.credit_code = c.payee_code \
             LEFT JOIN institutions ie ON ie.credit_code = c.claimant_code \
             LEFT JOIN policies po ON po.policy_id = c.policy_id \
             LEFT JOIN policy_versions pv ON pv.version_id = c.policy_version \
             LEFT JOIN fund_sources fs ON fs.code = c.fund_code \
             LEFT JOIN institutions it ON it.institution_id = cl.institution_id \
             WHERE c.claim_no = $1",
        )
        .bind(claim_no)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("没有申领「{claim_no}」")))?;
        let trace: Option<String> = r.try_get("trace")?;
        let id: String = r.try_get("id_number")?;
        Ok(ClaimDetail {
            claim_no: r.try_get("claim_no")?,
            person_name: r.try_get("name")?,
            id_number: mask_id(&id),
            subsidy_type: r.try_get("subsidy_type")?,
            status: stored_status(&r.try_get::<String, _>("status")?)?,
            outcome: r.try_get("outcome")?,
            amount_fen: r.try_get("amount_fen")?,
            payee_kind: r.try_get("payee_kind")?,
            payee_code: r.try_get("payee_code")?,
            payee_name: r.try_get("payee_name")?,
            advance_pct: r.try_get("advance_pct")?,
            year: r.try_get("basis_year")?,
            policy_id: r.try_get("policy_id")?,
            policy_version: r.try_get("policy_version")?,
            policy_key: r.try_get("policy_key")?,
            policy_version_no: r.try_get("version_no")?,
            policy_sha256: r.try_get("policy_sha256")?,
            occupation_name: r.try_get("occ_name")?,
            skill_level: r.try_get("skill_level")?,
            cert_type: r.try_get("cert_type")?,
            officer_note: r.try_get("officer_note")?,
            fund_code: r.try_get("fund_code")?,
            fund_name: r.try_get("fund_name")?,
            person_id: r.try_get("person_id")?,
            class_id: r.try_get("link_class_id")?,
            class_no: r.try_get("link_class_no")?,
            cert_no: r.try_get("link_cert_no")?,
            institution_id: r.try_get("link_institution_id")?,
            institution_name: r.try_get("link_institution_name")?,
            trace: trace
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| StoreError::Corrupt(format!("决定记录无法读取：{e}")))?
                .unwrap_or_default(),
        })
    }

    /// Streams every claim in claim-number order to `each`.
    pub async fn export_claims(
        &self,
        each: &mut (dyn FnMut(ClaimLine) -> std::io::Result<()> + Send),
    ) -> Result<u64, StoreError> {
        let mut rows = sqlx::query(
            "SELECT claim_no, subsidy_type, status, outcome, amount_fen, flagged_rules, payee_kind, payee_code, basis_year \
             FROM claims ORDER BY claim_no",
        )
        .fetch(self.pool());
        let mut n = 0;
        while let Some(r) = rows.try_next().await? {
            let rules: Option<String> = r.try_get("flagged_rules")?;
            let line = ClaimLine {
                claim_no: r.try_get("claim_no")?,
                subsidy_type: r.try_get("subsidy_type")?,
                status: stored_status(&r.try_get::<String, _>("status")?)?,
                outcome: r.try_get("outcome")?,
                amount_fen: r.try_get::<Option<i64>, _>("amount_fen")?.unwrap_or(0),
                rules: rules
                    .unwrap_or_default()
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                payee: r.try_get("payee_kind")?,
                payee_code: r.try_get("payee_code")?,
                year: r.try_get("basis_year")?,
            };
            each(line)?;
            n += 1;
        }
        Ok(n)
    }

    /// The claim numbers in a status, in order.
    pub async fn claims_with_status(&self, status: ClaimStatus) -> Result<Vec<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT claim_no FROM claims WHERE status = $1 ORDER BY claim_no")
                .bind(status.code())
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// The person's record and standing awards, for `jineng eligibility`.
    pub async fn eligibility_context(
        &self,
        id: &NationalId,
    ) -> Result<EligibilityContext, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let pid: i64 = sqlx::query_scalar("SELECT person_id FROM persons WHERE id_number = $1")
            .bind(id.as_str())
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("实名库中没有 {}", id.masked())))?;
        let mut loaded = facts::load(&mut conn, &[pid], &mut facts::Classes::default()).await?;
        let person = loaded
            .persons
            .remove(&pid)
            .ok_or_else(|| StoreError::NotFound(format!("实名库中没有 {}", id.masked())))?;
        let awards = loaded
            .claims
            .remove(&pid)
            .unwrap_or_default()
            .iter()
            .filter_map(StoredClaim::award)
            .collect();
        Ok(EligibilityContext { person, awards })
    }
}

/// A status read from `claims.status`; an unknown code is corruption.
pub(crate) fn stored_status(code: &str) -> Result<ClaimStatus, StoreError> {
    ClaimStatus::from_code(code)
        .ok_or_else(|| StoreError::Corrupt(format!("申领状态「{code}」无法识别")))
}

/// Rejects an unpaid claim inside the caller's transaction (also closing a
/// case 属实), with the reason; audited.
pub(crate) async fn reject_in(
    conn: &mut sqlx::AnyConnection,
    claim_no: &str,
    reason: &str,
    actor: &Actor,
) -> Result<(), StoreError> {
    let row = sqlx::query("SELECT status FROM claims WHERE claim_no = $1")
        .bind(claim_no)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("没有申领「{claim_no}」")))?;
    let status = stored_status(&row.try_get::<String, _>("status")?)?;
    let to = status.after(ClaimStep::Reject, None).map_err(|why| {
        let why = why.trim_start_matches("申领");
        StoreError::Refused(format!("申领「{claim_no}」{why}"))
    })?;
    sqlx::query(
        "UPDATE claims SET status = $4, amount_fen = 0, officer_note = $1, updated_at = $2 WHERE claim_no = $3",
    )
    .bind(reason)
    .bind(crate::audit::now())
    .bind(claim_no)
    .bind(to.code())
    .execute(&mut *conn)
    .await?;
    crate::audit::write_change(
        conn,
        actor,
        Action::Reject,
        Entity::Claim,
        claim_no.to_string(),
        Some(&serde_json::json!({ "status": status })),
        Some(&serde_json::json!({ "status": to, "reason": reason })),
    )
    .await?;
    Ok(())
}
