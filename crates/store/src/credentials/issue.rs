//! Issuing certificates' credentials: the registry's facts of each
//! certificate (holder, masked ID number, occupation, level, issuing
//! body), its status entry (allocated on first issue, audited), and the
//! signed document from `jineng-credentials`.
//!
//! `--all` walks the registry in pages by (type, number), each page's
//! allocations in one transaction, and hands every credential to the
//! caller's sink as it is signed, so memory stays flat at any size.
//! Revoked certificates are not issued: named, they are refused; under
//! `--all` they are skipped and counted.

use super::Credentials;
use super::status::{Slot, allocate};
use crate::audit::{Actor, AuditEntry};
use crate::row::Typed;
use crate::{Store, StoreError};
use jineng_credentials::{CertificateFacts, MaskedId};
use jineng_domain::audit::{Action, Entity};
use jineng_domain::{CertificateType, SkillLevel};
use serde::Serialize;
use serde_json::Value;
use sqlx::{AssertSqlSafe, Row};

/// Certificates per page of `--all`.
const PAGE: i64 = 1000;

/// Which certificates to issue.
#[derive(Debug, Clone)]
pub enum Selection {
    All,
    Numbers(Vec<String>),
}

/// What an issue run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IssueReport {
    /// Credentials signed and handed to the sink.
    pub issued: u64,
    /// Of those, the ones whose status entry was allocated now.
    pub first_issued: u64,
    /// Revoked certificates left out (`--all`).
    pub skipped_revoked: Vec<String>,
}

/// A certificate's row with everything its credential states.
pub(super) struct CertRow {
    pub(super) facts: CertificateFacts,
    pub(super) slot: Option<Slot>,
    pub(super) revoked: bool,
}

const SELECT: &str = "SELECT ce.cert_type, ce.cert_no, ce.occupation_code, COALESCE(o.name, '') AS occ, \
     ce.skill_level, ce.issue_date, ce.issuer_code, COALESCE(i.name, ce.issuer_code) AS body, \
     p.name, p.id_number, s.list_id, s.status_index, \
     CASE WHEN r.cert_no IS NULL THEN 0 ELSE 1 END AS revoked \
     FROM certificates ce JOIN persons p ON p.person_id = ce.person_id \
     LEFT JOIN occupations o ON o.code = ce.occupation_code \
     LEFT JOIN institutions i ON i.credit_code = ce.issuer_code \
     LEFT JOIN credential_status s ON s.cert_type = ce.cert_type AND s.cert_no = ce.cert_no \
     LEFT JOIN certificate_revocations r ON r.cert_type = ce.cert_type AND r.cert_no = ce.cert_no";

fn row(r: &sqlx::any::AnyRow) -> Result<CertRow, StoreError> {
    let t: String = r.try_get("cert_type")?;
    let no: String = r.try_get("cert_no")?;
    let corrupt = |what: &str| StoreError::Corrupt(format!("证书「{no}」的{what}无法识别"));
    let cert_type = CertificateType::from_code(&t).ok_or_else(|| corrupt("证书类型"))?;
    let level: Option<i64> = r.try_get("skill_level")?;
    let skill_level = match level {
        None => None,
        Some(g) => Some(
            u8::try_from(g)
                .ok()
                .and_then(SkillLevel::from_grade)
                .ok_or_else(|| corrupt("技能等级"))?,
        ),
    };
    let issue_date = r.day("issue_date")?;
    let id_number: String = r.try_get("id_number")?;
    let list: Option<i64> = r.try_get("list_id")?;
    let index: Option<i64> = r.try_get("status_index")?;
    Ok(CertRow {
        facts: CertificateFacts {
            cert_type,
            occupation_code: r.try_get("occupation_code")?,
            occupation_name: r.try_get("occ")?,
            skill_level,
            issue_date,
            issuing_body: r.try_get("body")?,
            issuing_body_code: r.try_get("issuer_code")?,
            holder_name: r.try_get("name")?,
            holder_id: MaskedId::of(&id_number),
            cert_no: no,
        },
        slot: list.zip(index).map(|(list, index)| Slot { list, index }),
        revoked: r.try_get::<i64, _>("revoked")? != 0,
    })
}

impl Store {
    pub(super) async fn cert_rows_by_number(
        &self,
        cert_no: &str,
    ) -> Result<Vec<CertRow>, StoreError> {
        sqlx::query(AssertSqlSafe(format!(
            "{SELECT} WHERE ce.cert_no = $1 ORDER BY ce.cert_type"
        )))
        .bind(cert_no)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(row)
        .collect()
    }

    pub(super) async fn cert_rows_after(
        &self,
        after: &(String, String),
    ) -> Result<Vec<CertRow>, StoreError> {
        sqlx::query(AssertSqlSafe(format!(
            "{SELECT} WHERE ce.cert_type > $1 OR (ce.cert_type = $1 AND ce.cert_no > $2) \
             ORDER BY ce.cert_type, ce.cert_no LIMIT {PAGE}"
        )))
        .bind(&after.0)
        .bind(&after.1)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(row)
        .collect()
    }

    /// Allocates the missing status entries of `rows` (one transaction,
    /// audited per certificate) and fills them in.
    pub(super) async fn ensure_slots(
        &self,
        rows: &mut [CertRow],
        actor: &Actor,
    ) -> Result<u64, StoreError> {
        let missing: Vec<(String, String)> = rows
            .iter()
            .filter(|r| r.slot.is_none())
            .map(|r| {
                (
                    r.facts.cert_type.code().to_string(),
                    r.facts.cert_no.clone(),
                )
            })
            .collect();
        if missing.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin().await?;
        let now = crate::audit::now();
        let given = allocate(&mut tx, self.backend(), &missing, &now).await?;
        let entries: Vec<AuditEntry> = given
            .iter()
            .map(|((t, no), s)| {
                AuditEntry::change(
                    Action::IssueCredential,
                    Entity::Certificate,
                    no.clone(),
                    None,
                    Some(&serde_json::json!({
                        "cert_type": t, "status_list": s.list, "status_index": s.index,
                    })),
                )
            })
            .collect();
        crate::audit::write(&mut tx, actor, None, &entries).await?;
        // Entries another issuer made meanwhile are read back.
        let fresh: std::collections::HashMap<&(String, String), Slot> =
            given.iter().map(|(k, s)| (k, *s)).collect();
        let mut slots = Vec::new();
        for key in &missing {
            slots.push(match fresh.get(key) {
                Some(s) => Some(*s),
                None => super::status::slot_of(&mut tx, &key.0, &key.1).await?,
            });
        }
        tx.commit().await?;
        for (r, slot) in rows.iter_mut().filter(|r| r.slot.is_none()).zip(slots) {
            r.slot = slot;
        }
        Ok(given.len() as u64)
    }

    /// The signed credential of the certificate numbered `cert_no`
    /// (allocating its status entry on first issue). Refused when the
    /// certificate is revoked or its number is shared by two types.
    pub async fn issue_credential(
        &self,
        creds: &Credentials,
        cert_no: &str,
        actor: &Actor,
    ) -> Result<Value, StoreError> {
        let mut out = None;
        self.issue_credentials(
            creds,
            &Selection::Numbers(vec![cert_no.into()]),
            actor,
            |_, v| {
                out = Some(v);
                Ok(())
            },
        )
        .await?;
        out.ok_or_else(|| StoreError::NotFound(format!("没有编号为「{cert_no}」的证书")))
    }

    /// Signs the credentials of `selection`, handing each to `sink` with
    /// its certificate number as it is made.
    pub async fn issue_credentials(
        &self,
        creds: &Credentials,
        selection: &Selection,
        actor: &Actor,
        mut sink: impl FnMut(&str, Value) -> Result<(), StoreError>,
    ) -> Result<IssueReport, StoreError> {
        let keys = creds.keys()?;
        let mut report = IssueReport::default();
        let mut sign = |rows: Vec<CertRow>, report: &mut IssueReport| {
            let now = chrono::Utc::now();
            for r in rows {
                let slot = r
                    .slot
                    .ok_or_else(|| StoreError::Corrupt("状态条目未分配".into()))?;
                let vc = creds
                    .issuer()
                    .certificate(&r.facts, slot.list, slot.index as u64, &keys, now)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                sink(&r.facts.cert_no, vc)?;
                report.issued += 1;
            }
            Ok::<(), StoreError>(())
        };
        match selection {
            Selection::Numbers(nos) => {
                let mut rows = Vec::new();
                let mut seen = std::collections::HashSet::new();
                for no in nos.iter().filter(|n| seen.insert(n.as_str())) {
                    let mut found = self.cert_rows_by_number(no).await?;
                    match found.len() {
                        0 => {
                            return Err(StoreError::NotFound(format!("没有编号为「{no}」的证书")));
                        }
                        1 => {}
                        _ => {
                            let mut c = self.pool().acquire().await?;
                            super::revoke::one_type(&mut c, no).await?;
                        }
                    }
                    if found[0].revoked {
                        return Err(StoreError::Refused(format!(
                            "证书「{no}」已撤销，不再签发可验证证书"
                        )));
                    }
                    rows.push(found.remove(0));
                }
                report.first_issued += self.ensure_slots(&mut rows, actor).await?;
                sign(rows, &mut report)?;
            }
            Selection::All => {
                let mut after = (String::new(), String::new());
                loop {
                    let page = self.cert_rows_after(&after).await?;
                    let Some(last) = page.last() else { break };
                    after = (
                        last.facts.cert_type.code().to_string(),
                        last.facts.cert_no.clone(),
                    );
                    let (revoked, mut rows): (Vec<CertRow>, Vec<CertRow>) =
                        page.into_iter().partition(|r| r.revoked);
                    report
                        .skipped_revoked
                        .extend(revoked.into_iter().map(|r| r.facts.cert_no));
                    report.first_issued += self.ensure_slots(&mut rows, actor).await?;
                    sign(rows, &mut report)?;
                }
            }
        }
        Ok(report)
    }
}
