//! What the worker's record and the printed certificate read from the
//! registry (issue 15 items 4–5): a certificate ready to print (its facts,
//! its verify code, its revocation), the public `/verify` lookup (by number
//! and name, or number and verify code), and the worker's whole record
//! (categories, trainings with hours, certificates with their status,
//! subsidies, credits) that `/me`, the archive PDF and the archive
//! credential show.
//!
//! The **verify code** of a certificate is its status entry, `list-index`
//! (`1-87151`): drawn at random when the certificate was first issued or
//! printed, never reused, printed in the QR address. With the number it
//! answers `/verify` without the holder's name; the number alone does not.

use super::Credentials;
use super::revoke::Revocation;
use crate::audit::Actor;
use crate::row::Typed;
use crate::{Archive, ArchiveCertificate, CreditStatement, Store, StoreError, TrainingRecord};
use chrono::NaiveDate;
use jineng_credentials::CertificateFacts;
use jineng_domain::{ClaimStatus, SkillLevel};
use serde::Serialize;
use sqlx::Row;

/// A certificate ready to print.
#[derive(Debug, Clone)]
pub struct PrintableCertificate {
    /// The holder's ID number comes masked.
    pub facts: CertificateFacts,
    pub type_name: String,
    /// Empty when the certificate has no level.
    pub level_name: String,
    /// `list-index`, for the verify address.
    pub verify_code: String,
    pub revocation: Option<Revocation>,
}

impl PrintableCertificate {
    /// `{public_url}/verify?cert=…&code=…`, what the QR code holds.
    pub fn verify_url(&self, creds: &Credentials) -> String {
        verify_url(creds, &self.facts.cert_no, &self.verify_code)
    }
}

/// The public verify address of a certificate.
pub fn verify_url(creds: &Credentials, cert_no: &str, code: &str) -> String {
    format!(
        "{}/verify?cert={}&code={}",
        creds.issuer().public_url(),
        query_escape(cert_no),
        query_escape(code)
    )
}

fn query_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// How a `/verify` query proves it may see a certificate.
#[derive(Debug, Clone)]
pub enum VerifyKey {
    /// The holder's name, as the public lookup asks.
    Name(String),
    /// The verify code printed on the certificate.
    Code(String),
}

/// What `/verify` shows of a certificate.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyHit {
    pub cert_no: String,
    pub type_name: String,
    /// 吴*
    pub holder_name_masked: String,
    pub holder_id_masked: String,
    pub occupation_code: String,
    pub occupation_name: String,
    pub level_name: String,
    pub issuing_body: String,
    pub issue_date: NaiveDate,
    /// `(date, category)`: the reason's category, never its free text.
    pub revoked: Option<(NaiveDate, &'static str)>,
}

/// A name with all but its first character starred: 吴刚 → 吴*.
pub fn mask_name(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        None => String::new(),
        Some(first) => std::iter::once(first).chain(c.map(|_| '*')).collect(),
    }
}

/// The category of a revocation shown to the public.
pub fn revocation_category(r: &Revocation) -> &'static str {
    if r.case_no.is_some() {
        "经监督检查核查属实撤销"
    } else {
        "经发证或登记机构撤销"
    }
}

fn level_name(l: Option<SkillLevel>) -> String {
    l.map(|l| l.as_zh().to_string()).unwrap_or_default()
}

/// A certificate of the worker's record, with where it stands.
#[derive(Debug, Clone, Serialize)]
pub struct RecordCertificate {
    pub cert: ArchiveCertificate,
    pub type_name: String,
    pub level_name: String,
    pub issuing_body: String,
    pub revocation: Option<Revocation>,
}

/// A subsidy claim of the worker and its amount.
#[derive(Debug, Clone, Serialize)]
pub struct Subsidy {
    pub claim_no: String,
    pub subsidy_type: String,
    pub applied_on: NaiveDate,
    /// The amount approved (fen); `None` before a decision.
    pub amount_fen: Option<i64>,
    pub status: ClaimStatus,
}

impl Subsidy {
    /// Whether the money reached the worker (paid, or advanced in part).
    pub fn received(&self) -> bool {
        matches!(self.status, ClaimStatus::Paid | ClaimStatus::Advanced)
    }
}

/// Everything the registry holds of one worker, ID masked.
#[derive(Debug, Clone, Serialize)]
pub struct WorkerRecord {
    pub archive: Archive,
    pub trainings: Vec<TrainingRecord>,
    pub credits: Option<CreditStatement>,
    pub certificates: Vec<RecordCertificate>,
    pub subsidies: Vec<Subsidy>,
}

impl WorkerRecord {
    /// Fen received (paid or advanced claims).
    pub fn received_fen(&self) -> i64 {
        self.subsidies
            .iter()
            .filter(|s| s.received())
            .filter_map(|s| s.amount_fen)
            .sum()
    }
}

impl Store {
    /// The certificate numbered `cert_no`, ready to print; its status entry
    /// (the verify code) is allocated now when it has none (audited as an
    /// issue). Refused when the number is unknown or two types share it.
    pub async fn printable_certificate(
        &self,
        cert_no: &str,
        actor: &Actor,
    ) -> Result<PrintableCertificate, StoreError> {
        let mut rows = self.cert_rows_by_number(cert_no).await?;
        match rows.len() {
            0 => {
                return Err(StoreError::NotFound(format!(
                    "没有编号为「{cert_no}」的证书"
                )));
            }
            1 => {}
            _ => {
                return Err(StoreError::Refused(format!(
                    "证书编号「{cert_no}」对应多种证书类型，无法确定打印哪一本"
                )));
            }
        }
        self.ensure_slots(&mut rows, actor).await?;
        let row = rows.remove(0);
        let slot = row
            .slot
            .ok_or_else(|| StoreError::Corrupt(format!("证书「{cert_no}」未能分配状态序号")))?;
        let revocation = self
            .certificate_status(cert_no)
            .await?
            .into_iter()
            .find_map(|s| s.revocation);
        Ok(PrintableCertificate {
            type_name: row.facts.cert_type.as_zh().to_string(),
            level_name: level_name(row.facts.skill_level),
            verify_code: format!("{}-{}", slot.list, slot.index),
            revocation,
            facts: row.facts,
        })
    }

    /// The `/verify` lookup: the certificate numbered `cert_no` when `key`
    /// matches it (the holder's name, or its verify code); `None`
    /// otherwise, whether the number exists or not.
    pub async fn verify_lookup(
        &self,
        cert_no: &str,
        key: &VerifyKey,
    ) -> Result<Option<VerifyHit>, StoreError> {
        for row in self.cert_rows_by_number(cert_no).await? {
            let f = &row.facts;
            let ok = match key {
                VerifyKey::Name(n) => f.holder_name == n.trim(),
                VerifyKey::Code(c) => row
                    .slot
                    .is_some_and(|s| format!("{}-{}", s.list, s.index) == c.trim()),
            };
            if !ok {
                continue;
            }
            let revoked = if row.revoked {
                self.certificate_status(cert_no)
                    .await?
                    .into_iter()
                    .filter(|s| s.cert_type == f.cert_type.code())
                    .find_map(|s| s.revocation)
                    .map(|r| (r.revoked_at.day(), revocation_category(&r)))
            } else {
                None
            };
            return Ok(Some(VerifyHit {
                cert_no: f.cert_no.clone(),
                type_name: f.cert_type.as_zh().to_string(),
                holder_name_masked: mask_name(&f.holder_name),
                holder_id_masked: f.holder_id.as_str().to_string(),
                occupation_code: f.occupation_code.clone(),
                occupation_name: f.occupation_name.clone(),
                level_name: level_name(f.skill_level),
                issuing_body: f.issuing_body.clone(),
                issue_date: f.issue_date,
                revoked,
            }));
        }
        Ok(None)
    }

    /// The worker's whole record (ID masked; nothing is audited here: the
    /// caller audits a download).
    pub async fn worker_record(&self, person_id: i64) -> Result<Option<WorkerRecord>, StoreError> {
        let row = sqlx::query("SELECT id_number FROM persons WHERE person_id = $1")
            .bind(person_id)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let id = row.national_id("id_number")?;
        let actor = Actor("system".into());
        let Some(archive) = self.archive_of(&id, &actor, false).await? else {
            return Ok(None);
        };
        let (trainings, credits) = match self.learning_record(person_id).await? {
            Some(l) => (l.trainings, Some(l.credits)),
            None => (vec![], None),
        };
        let mut certificates = vec![];
        for c in &archive.certificates {
            let body: Option<String> =
                sqlx::query_scalar("SELECT name FROM institutions WHERE credit_code = $1")
                    .bind(&c.issuer_code)
                    .fetch_optional(self.pool())
                    .await?;
            let revocation = self
                .certificate_status(&c.cert_no)
                .await?
                .into_iter()
                .filter(|s| s.cert_type == c.cert_type)
                .find_map(|s| s.revocation);
            certificates.push(RecordCertificate {
                type_name: crate::certificate_type_name(&c.cert_type).to_string(),
                level_name: level_name(
                    c.skill_level
                        .and_then(|g| u8::try_from(g).ok())
                        .and_then(SkillLevel::from_grade),
                ),
                issuing_body: body.unwrap_or_else(|| c.issuer_code.clone()),
                revocation,
                cert: c.clone(),
            });
        }
        let mut subsidies = vec![];
        for r in sqlx::query(
            "SELECT claim_no, subsidy_type, applied_on, amount_fen, status FROM claims \
             WHERE person_id = $1 ORDER BY applied_on, claim_no",
        )
        .bind(person_id)
        .fetch_all(self.pool())
        .await?
        {
            subsidies.push(Subsidy {
                claim_no: r.try_get("claim_no")?,
                subsidy_type: r.try_get("subsidy_type")?,
                applied_on: r.day("applied_on")?,
                amount_fen: r.try_get("amount_fen")?,
                status: crate::claims::stored_status(&r.try_get::<String, _>("status")?)?,
            });
        }
        Ok(Some(WorkerRecord {
            archive,
            trainings,
            credits,
            certificates,
            subsidies,
        }))
    }

    /// The person id of the certificate numbered `cert_no` (to check a
    /// worker downloads only their own).
    pub async fn certificate_holder(&self, cert_no: &str) -> Result<Vec<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT person_id FROM certificates WHERE cert_no = $1")
                .bind(cert_no)
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// Gives every certificate without one its status entry (and so its
    /// verify code), page by page, audited as issues; nothing is signed.
    /// Returns how many were given one now.
    pub async fn allocate_status_entries(&self, actor: &Actor) -> Result<u64, StoreError> {
        let mut after = (String::new(), String::new());
        let mut given = 0;
        loop {
            let mut page = self.cert_rows_after(&after).await?;
            let Some(last) = page.last() else { break };
            after = (
                last.facts.cert_type.code().to_string(),
                last.facts.cert_no.clone(),
            );
            given += self.ensure_slots(&mut page, actor).await?;
        }
        Ok(given)
    }

    /// The lowest-numbered certificate not held by `person_id` that no
    /// claim names (the one the demo revokes).
    pub async fn certificate_of_another(
        &self,
        person_id: i64,
    ) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT MIN(c.cert_no) FROM certificates c WHERE c.person_id <> $1 \
                 AND NOT EXISTS (SELECT 1 FROM claims k \
                   WHERE k.cert_no = c.cert_no AND k.cert_type = c.cert_type)",
        )
        .bind(person_id)
        .fetch_one(self.pool())
        .await?)
    }
}
