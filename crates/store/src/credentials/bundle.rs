//! The worker's archive as a signed bundle (docs/credentials.md, "The
//! worker's archive"): a Verifiable Presentation of the archive credential
//! — bureau-signed (`eddsa-jcs-2022`), type `JinengArchiveCredential`,
//! its subject the record of [`WorkerRecord`] with the ID masked — and
//! each certificate's own credential (revoked ones are not issued; the
//! archive credential lists them as revoked). Downloads are audited here.

use super::Credentials;
use super::issue::Selection;
use super::record::{WorkerRecord, mask_name};
use crate::audit::{Actor, AuditEntry};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use jineng_credentials::credential::VC_CONTEXT;
use jineng_credentials::presentation::{ARCHIVE_TYPE, presentation};
use jineng_credentials::xsd;
use jineng_domain::Fen;
use jineng_domain::audit::{Action, Entity};
use serde_json::{Value, json};

fn yuan(fen: i64) -> String {
    format!("{} 元", Fen(fen).grouped())
}

/// The archive credential's subject: the record, as a verifier reads it.
pub fn archive_subject(r: &WorkerRecord) -> Value {
    let a = &r.archive;
    let categories: Vec<Value> = a
        .categories
        .iter()
        .map(
            |c| json!({ "category": c.category, "validFrom": c.valid_from, "validTo": c.valid_to }),
        )
        .collect();
    let trainings: Vec<Value> = r
        .trainings
        .iter()
        .map(|t| {
            json!({
                "classNo": t.class_no, "institution": t.institution,
                "trainingType": t.training_type,
                "occupationCode": t.occupation_code, "occupationName": t.occupation_name,
                "startDate": t.start_date.to_string(), "endDate": t.end_date.to_string(),
                "completion": t.completion.as_zh(),
                "inPersonHours": t.hours.offline, "onlineHours": t.hours.online.hours,
                "onlineSource": t.hours.online.source.as_zh(),
                "countedHours": t.hours.counted,
            })
        })
        .collect();
    let certificates: Vec<Value> = r
        .certificates
        .iter()
        .map(|c| {
            json!({
                "type": c.cert.cert_type, "typeName": c.type_name, "number": c.cert.cert_no,
                "occupationCode": c.cert.occupation_code, "occupationName": c.cert.occupation_name,
                "levelName": c.level_name, "issuingBody": c.issuing_body,
                "issueDate": c.cert.issue_date,
                "status": if c.revocation.is_some() { "已撤销" } else { "有效" },
                "revokedOn": c.revocation.as_ref().map(|x| x.revoked_at.day().to_string()),
            })
        })
        .collect();
    let subsidies: Vec<Value> = r
        .subsidies
        .iter()
        .map(|s| {
            json!({
                "claimNo": s.claim_no, "subsidyType": s.subsidy_type, "appliedOn": s.applied_on,
                "amountFen": s.amount_fen, "amount": s.amount_fen.map(yuan),
                "status": s.status.as_zh(), "received": s.received(),
            })
        })
        .collect();
    let credits = r.credits.as_ref().map(|st| {
        json!({
            "total": st.total.to_string(),
            "lines": st.lines.iter().map(|l| json!({
                "date": l.date.to_string(), "source": l.source.reference(),
                "credits": l.credits.to_string(), "reason": l.reason,
            })).collect::<Vec<_>>(),
        })
    });
    json!({
        "type": ["JinengWorkerArchive"],
        "name": a.name,
        "nameMasked": mask_name(&a.name),
        "maskedNationalIdentityNumber": a.id_number,
        "categories": categories,
        "trainings": trainings,
        "certificates": certificates,
        "subsidies": subsidies,
        "subsidiesReceivedFen": r.received_fen(),
        "credits": credits,
    })
}

impl Store {
    /// The archive bundle of `record` at `now`: the presentation, every
    /// credential in it signed by the current key. Issuing the
    /// certificates' credentials allocates their status entries on first
    /// issue (audited as issues).
    pub async fn archive_bundle(
        &self,
        creds: &Credentials,
        record: &WorkerRecord,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Value, StoreError> {
        let issuer = creds.issuer();
        let doc = json!({
            "@context": [VC_CONTEXT],
            "type": ["VerifiableCredential", ARCHIVE_TYPE],
            "name": "职业技能培训电子档案",
            "issuer": issuer.did(),
            "validFrom": xsd(now),
            "credentialSubject": archive_subject(record),
        });
        let keys = creds.keys()?;
        let archive = issuer
            .sign(&doc, &keys, now)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let numbers: Vec<String> = record
            .certificates
            .iter()
            .filter(|c| c.revocation.is_none())
            .map(|c| c.cert.cert_no.clone())
            .collect();
        let mut certs = vec![];
        if !numbers.is_empty() {
            let holder = record.archive.person_id;
            let mine = self.person_cert_types(holder).await?;
            self.issue_credentials(creds, &Selection::Numbers(numbers), actor, |_, vc| {
                // A number another person's certificate shares stays out.
                let t = vc["credentialSubject"]["certificate"]["type"].as_str();
                let n = vc["credentialSubject"]["certificate"]["number"].as_str();
                if let (Some(t), Some(n)) = (t, n)
                    && mine.contains(&(t.to_string(), n.to_string()))
                {
                    certs.push(vc);
                }
                Ok(())
            })
            .await?;
        }
        Ok(presentation(archive, certs))
    }

    async fn person_cert_types(&self, person_id: i64) -> Result<Vec<(String, String)>, StoreError> {
        use sqlx::Row;
        let rows = sqlx::query("SELECT cert_type, cert_no FROM certificates WHERE person_id = $1")
            .bind(person_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("cert_type")?, r.try_get("cert_no")?)))
            .collect()
    }

    /// Writes the audit row of an archive download: the person's masked ID
    /// as key, the format (`pdf` / `json`) and who took it (the actor).
    pub async fn record_archive_export(
        &self,
        record: &WorkerRecord,
        format: &str,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let entry = AuditEntry::change(
            Action::ExportArchive,
            Entity::Person,
            record.archive.id_number.clone(),
            None,
            Some(&json!({ "format": format, "person_id": record.archive.person_id })),
        );
        self.audit_alone(actor, &[entry]).await
    }
}
