//! Revoking a certificate: one call ([`revoke_in`]) for `jineng cert
//! revoke` and for a supervision case closed 属实 that revokes the
//! certificates it names. It records the revocation (reason, when, who,
//! the case), keeps the older mark on the certificate row
//! (`certificates.revoked_on`, `revoked_reason`, migration 0018) in step,
//! touches the certificate's status list so its signed form changes (and
//! with it the list's ETag), and writes the audit row. The status bit
//! itself is derived: a list's bits are its entries that have a
//! revocation.

use super::status::slot_of;
use crate::audit::Actor;
use crate::row::Typed;
use crate::{Store, StoreError};
use jineng_domain::Stamp;
use jineng_domain::audit::{Action, Entity};
use serde::Serialize;
use sqlx::Row;

/// The longest reason kept.
const MAX_REASON: usize = 500;

/// A revocation as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revocation {
    pub cert_type: String,
    pub cert_no: String,
    pub reason: String,
    pub revoked_at: Stamp,
    pub revoked_by: String,
    pub case_no: Option<String>,
}

/// Where a certificate stands: its status entry (once a credential was
/// issued) and its revocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateStatus {
    pub cert_type: String,
    pub cert_no: String,
    /// `(list, index)` of its status entry.
    pub entry: Option<(i64, i64)>,
    pub revocation: Option<Revocation>,
}

/// Revokes `(cert_type, cert_no)` in the caller's transaction; `false`
/// when it was revoked already (nothing is written then).
pub(crate) async fn revoke_in(
    conn: &mut sqlx::AnyConnection,
    cert_type: &str,
    cert_no: &str,
    reason: &str,
    case_no: Option<&str>,
    actor: &Actor,
) -> Result<bool, StoreError> {
    let now = crate::audit::now();
    let done = sqlx::query(
        "INSERT INTO certificate_revocations (cert_type, cert_no, reason, revoked_at, revoked_by, case_no) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (cert_type, cert_no) DO NOTHING",
    )
    .bind(cert_type)
    .bind(cert_no)
    .bind(reason)
    .bind(&now)
    .bind(&actor.0)
    .bind(case_no)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE certificates SET revoked_on = $1, revoked_reason = $2 \
         WHERE cert_type = $3 AND cert_no = $4",
    )
    .bind(&now[..10])
    .bind(reason)
    .bind(cert_type)
    .bind(cert_no)
    .execute(&mut *conn)
    .await?;
    let slot = slot_of(conn, cert_type, cert_no).await?;
    if let Some(s) = slot {
        sqlx::query("UPDATE credential_status_lists SET updated_at = $1 WHERE list_id = $2")
            .bind(&now)
            .bind(s.list)
            .execute(&mut *conn)
            .await?;
    }
    crate::audit::write_change(
        conn,
        actor,
        Action::RevokeCertificate,
        Entity::Certificate,
        cert_no.to_string(),
        None,
        Some(&serde_json::json!({
            "cert_type": cert_type, "revoked_on": &now[..10], "reason": reason,
            "case_no": case_no, "status_list": slot.map(|s| s.list),
            "status_index": slot.map(|s| s.index),
        })),
    )
    .await?;
    Ok(true)
}

/// The certificate types that carry number `cert_no`.
async fn types_of(
    conn: &mut sqlx::AnyConnection,
    cert_no: &str,
) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT cert_type FROM certificates WHERE cert_no = $1 ORDER BY cert_type",
    )
    .bind(cert_no)
    .fetch_all(&mut *conn)
    .await?)
}

/// The one certificate of number `cert_no`: not found, or a number that
/// two types share, is refused (naming the types).
pub(crate) async fn one_type(
    conn: &mut sqlx::AnyConnection,
    cert_no: &str,
) -> Result<String, StoreError> {
    let types = types_of(conn, cert_no).await?;
    match types.as_slice() {
        [] => Err(StoreError::NotFound(format!(
            "没有编号为「{cert_no}」的证书"
        ))),
        [t] => Ok(t.clone()),
        many => Err(StoreError::Refused(format!(
            "编号「{cert_no}」对应 {} 本不同类型的证书（{}），无法确定是哪一本",
            many.len(),
            many.iter()
                .map(|t| crate::certificate_type_name(t))
                .collect::<Vec<_>>()
                .join("、")
        ))),
    }
}

async fn revocation_of(
    conn: &mut sqlx::AnyConnection,
    cert_type: &str,
    cert_no: &str,
) -> Result<Option<Revocation>, StoreError> {
    let r = sqlx::query(
        "SELECT reason, revoked_at, revoked_by, case_no FROM certificate_revocations \
         WHERE cert_type = $1 AND cert_no = $2",
    )
    .bind(cert_type)
    .bind(cert_no)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match r {
        None => None,
        Some(r) => Some(Revocation {
            cert_type: cert_type.to_string(),
            cert_no: cert_no.to_string(),
            reason: r.try_get("reason")?,
            revoked_at: r.stamp("revoked_at")?,
            revoked_by: r.try_get("revoked_by")?,
            case_no: r.try_get("case_no")?,
        }),
    })
}

impl Store {
    /// Revokes the certificate of number `cert_no` for `reason` (audited);
    /// refused when it is revoked already or the reason is empty.
    pub async fn revoke_certificate(
        &self,
        cert_no: &str,
        reason: &str,
        actor: &Actor,
    ) -> Result<Revocation, StoreError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Refused("撤销原因不能为空".into()));
        }
        if reason.chars().count() > MAX_REASON {
            return Err(StoreError::Refused(format!(
                "撤销原因过长（最多 {MAX_REASON} 字）"
            )));
        }
        let mut tx = self.begin().await?;
        let cert_type = one_type(&mut tx, cert_no).await?;
        if let Some(r) = revocation_of(&mut tx, &cert_type, cert_no).await? {
            return Err(StoreError::Refused(format!(
                "证书「{cert_no}」已于 {} 撤销（{}），不能重复撤销",
                r.revoked_at.day(),
                r.reason
            )));
        }
        revoke_in(&mut tx, &cert_type, cert_no, reason, None, actor).await?;
        let r = revocation_of(&mut tx, &cert_type, cert_no)
            .await?
            .ok_or_else(|| StoreError::Corrupt("撤销记录未写入".into()))?;
        tx.commit().await?;
        Ok(r)
    }

    /// The status of every certificate of number `cert_no` (one, unless
    /// two types share the number); empty when there is none.
    pub async fn certificate_status(
        &self,
        cert_no: &str,
    ) -> Result<Vec<CertificateStatus>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let mut out = Vec::new();
        for cert_type in types_of(&mut conn, cert_no).await? {
            let slot = slot_of(&mut conn, &cert_type, cert_no).await?;
            out.push(CertificateStatus {
                entry: slot.map(|s| (s.list, s.index)),
                revocation: revocation_of(&mut conn, &cert_type, cert_no).await?,
                cert_no: cert_no.to_string(),
                cert_type,
            });
        }
        Ok(out)
    }
}

/// Used by `supervision::close`: the revocations a case closed 属实
/// makes, for every certificate of each named number.
pub(crate) async fn revoke_case_certificates(
    conn: &mut sqlx::AnyConnection,
    case_no: &str,
    cert_nos: &[String],
    actor: &Actor,
) -> Result<Vec<String>, StoreError> {
    let reason = format!("线索 {case_no} 核查属实");
    let mut revoked = Vec::new();
    for cert_no in cert_nos {
        for cert_type in types_of(conn, cert_no).await? {
            if revoke_in(conn, &cert_type, cert_no, &reason, Some(case_no), actor).await?
                && revoked.last() != Some(cert_no)
            {
                revoked.push(cert_no.clone());
            }
        }
    }
    Ok(revoked)
}
