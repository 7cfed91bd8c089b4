//! The person's e-archive (电子档案): identity, categories, trainings,
//! certificates and claims, read in one place.

use crate::audit::{Actor, AuditEntry};
use crate::row::Typed;
use crate::{Store, StoreError};
use chrono::NaiveDate;
use jineng_domain::NationalId;
use jineng_domain::audit::{Action, Entity};
use jineng_domain::national_id::mask_id;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Serialize)]
pub struct Archive {
    pub person_id: i64,
    /// Masked unless the caller revealed it (an audited act).
    pub id_number: String,
    pub name: String,
    pub sex: String,
    pub birth_date: NaiveDate,
    pub hukou_region: String,
    pub hukou_region_name: String,
    pub phone: Option<String>,
    /// The 社保卡 bank account: masked unless revealed, like the ID number.
    pub bank_account: Option<String>,
    pub bank_name: Option<String>,
    pub categories: Vec<ArchiveCategory>,
    pub enrolments: Vec<ArchiveEnrolment>,
    pub certificates: Vec<ArchiveCertificate>,
    pub claims: Vec<ArchiveClaim>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArchiveCategory {
    pub category: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArchiveEnrolment {
    pub class_no: String,
    pub institution: String,
    pub training_type: String,
    pub occupation_code: String,
    pub occupation_name: String,
    pub skill_level: Option<i64>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub offline_hours: i64,
    pub online_hours: i64,
    pub completion: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArchiveCertificate {
    pub cert_type: String,
    pub cert_no: String,
    pub occupation_code: String,
    pub occupation_name: String,
    pub skill_level: Option<i64>,
    pub issue_date: NaiveDate,
    pub issuer_code: String,
    /// Marked revoked by a case closed 属实 (date and reason), until
    /// revocation proper lands with the certificate issue.
    pub revoked_on: Option<NaiveDate>,
    pub revoked_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArchiveClaim {
    pub claim_no: String,
    pub subsidy_type: String,
    pub applied_on: NaiveDate,
    pub amount_asked_fen: Option<i64>,
    /// The amount approved (fen), once decided.
    pub amount_fen: Option<i64>,
    pub status: jineng_domain::ClaimStatus,
}

impl Store {
    /// Which person holds this ID number.
    pub async fn person_id_of(&self, id: &NationalId) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT person_id FROM persons WHERE id_number = $1")
                .bind(id.as_str())
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// The e-archive of one person (no scope: callers check it). With
    /// `reveal`, the full ID number is returned and the act is written to
    /// the audit trail first.
    pub(crate) async fn archive_of(
        &self,
        id: &NationalId,
        actor: &Actor,
        reveal: bool,
    ) -> Result<Option<Archive>, StoreError> {
        let Some(p) = sqlx::query(
            "SELECT p.person_id, p.name, p.sex, p.birth_date, p.hukou_region, p.phone, p.bank_account, p.bank_name, r.name AS region_name
             FROM persons p LEFT JOIN regions r ON r.code = p.hukou_region WHERE p.id_number = $1",
        )
        .bind(id.as_str())
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        let pid: i64 = p.try_get("person_id")?;
        if reveal {
            self.audit_reveal(pid, actor).await?;
        }
        let mut a = Archive {
            person_id: pid,
            id_number: if reveal {
                id.as_str().to_string()
            } else {
                id.masked()
            },
            name: p.try_get("name")?,
            sex: p.try_get("sex")?,
            birth_date: p.day("birth_date")?,
            hukou_region: p.try_get("hukou_region")?,
            hukou_region_name: p.text_or_empty("region_name")?,
            phone: p.try_get("phone")?,
            bank_account: crate::shown_account(
                p.try_get::<Option<String>, _>("bank_account")?.as_deref(),
                reveal,
            ),
            bank_name: p.try_get("bank_name")?,
            categories: vec![],
            enrolments: vec![],
            certificates: vec![],
            claims: vec![],
        };
        a.categories = self.person_rows(CATEGORIES_SQL, pid, category_row).await?;
        a.enrolments = self.person_rows(ENROLMENTS_SQL, pid, enrolment_row).await?;
        a.certificates = self
            .person_rows(CERTIFICATES_SQL, pid, certificate_row)
            .await?;
        a.claims = self.person_rows(CLAIMS_SQL, pid, claim_row).await?;
        Ok(Some(a))
    }

    /// Writes the audit row of revealing person `pid`'s full ID number,
    /// in its own transaction before anything is shown.
    async fn audit_reveal(&self, pid: i64, actor: &Actor) -> Result<(), StoreError> {
        let entry =
            AuditEntry::change::<()>(Action::Reveal, Entity::Person, pid.to_string(), None, None);
        self.audit_alone(actor, &[entry]).await
    }

    /// The rows of `sql` (its `$1` the person id), each read by `read`, in
    /// the query's order.
    async fn person_rows<T>(
        &self,
        sql: &'static str,
        pid: i64,
        read: fn(&AnyRow) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        sqlx::query(sql)
            .bind(pid)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(read)
            .collect()
    }

    /// Counts rows of a registry table, for reports and tests.
    pub async fn count(&self, table: RegistryTable) -> Result<i64, StoreError> {
        let sql = match table {
            RegistryTable::Persons => "SELECT COUNT(*) FROM persons",
            RegistryTable::Categories => "SELECT COUNT(*) FROM person_categories",
            RegistryTable::Relations => "SELECT COUNT(*) FROM family_relations",
            RegistryTable::Institutions => "SELECT COUNT(*) FROM institutions",
            RegistryTable::Classes => "SELECT COUNT(*) FROM classes",
            RegistryTable::Enrolments => "SELECT COUNT(*) FROM enrolments",
            RegistryTable::Certificates => "SELECT COUNT(*) FROM certificates",
            RegistryTable::Claims => "SELECT COUNT(*) FROM claims",
            RegistryTable::Audit => "SELECT COUNT(*) FROM audit_log",
        };
        Ok(sqlx::query_scalar(sql).fetch_one(self.pool()).await?)
    }
}

/// The registry tables `count` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistryTable {
    Persons,
    Categories,
    Relations,
    Institutions,
    Classes,
    Enrolments,
    Certificates,
    Claims,
    Audit,
}

impl Store {
    /// SQLite's `PRAGMA integrity_check` (PostgreSQL needs none: true).
    pub async fn integrity_check(&self) -> Result<bool, StoreError> {
        if self.backend() == crate::Backend::Postgres {
            return Ok(true);
        }
        let r: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(self.pool())
            .await?;
        Ok(r == "ok")
    }
}

/// A search hit: enough to tell namesakes apart.
#[derive(Debug, Clone, Serialize)]
pub struct PersonHit {
    pub person_id: i64,
    /// Masked unless revealed (audited).
    pub id_number: String,
    pub name: String,
    pub sex: String,
    pub birth_date: NaiveDate,
    pub hukou_region: String,
    pub hukou_region_name: String,
}

impl Store {
    /// Persons with exactly this name, at most `limit`. With `reveal` the
    /// full ID numbers are returned and each reveal is audited.
    pub async fn find_persons(
        &self,
        name: &str,
        limit: i64,
        actor: &Actor,
        reveal: bool,
    ) -> Result<Vec<PersonHit>, StoreError> {
        let sql =
            format!("{HIT_SELECT} WHERE p.name = $1 ORDER BY p.birth_date, p.person_id LIMIT $2");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(name)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        let mut hits = Vec::with_capacity(rows.len());
        let mut audits = Vec::new();
        for r in rows {
            let id: String = r.try_get("id_number")?;
            let person_id: i64 = r.try_get("person_id")?;
            if reveal {
                audits.push(AuditEntry::change::<()>(
                    Action::Reveal,
                    Entity::Person,
                    person_id.to_string(),
                    None,
                    None,
                ));
            }
            hits.push(person_hit(&r, if reveal { id } else { mask_id(&id) })?);
        }
        if !audits.is_empty() {
            self.audit_alone(actor, &audits).await?;
        }
        Ok(hits)
    }
}

/// The columns [`person_hit`] reads: persons `p` with their 户籍地's name.
pub(crate) const HIT_SELECT: &str = "SELECT p.person_id, p.id_number, p.name, p.sex, p.birth_date, p.hukou_region, \
     r.name AS region_name FROM persons p LEFT JOIN regions r ON r.code = p.hukou_region";

/// A search hit from a row of [`HIT_SELECT`], its ID number shown as
/// `id_number` (masked or revealed by the caller).
pub(crate) fn person_hit(r: &AnyRow, id_number: String) -> Result<PersonHit, StoreError> {
    Ok(PersonHit {
        person_id: r.try_get("person_id")?,
        id_number,
        name: r.try_get("name")?,
        sex: r.try_get("sex")?,
        birth_date: r.day("birth_date")?,
        hukou_region: r.try_get("hukou_region")?,
        hukou_region_name: r.text_or_empty("region_name")?,
    })
}

/// A person's categories, by start date.
const CATEGORIES_SQL: &str = "SELECT category, valid_from, valid_to, evidence FROM person_categories WHERE person_id = $1 ORDER BY valid_from, category";

/// One row of [`CATEGORIES_SQL`].
fn category_row(r: &AnyRow) -> Result<ArchiveCategory, StoreError> {
    Ok(ArchiveCategory {
        category: r.try_get("category")?,
        valid_from: r.day("valid_from")?,
        valid_to: r.opt_day("valid_to")?,
        evidence: r.try_get("evidence")?,
    })
}

/// A person's enrolments with their class, institution and occupation, by start date.
const ENROLMENTS_SQL: &str = "SELECT c.class_no, i.name AS institution, c.training_type, c.occupation_code, o.name AS occupation_name,
                    c.skill_level, c.start_date, c.end_date, e.offline_hours, e.online_hours, e.completion
             FROM enrolments e JOIN classes c ON c.class_id = e.class_id
             JOIN institutions i ON i.institution_id = c.institution_id
             LEFT JOIN occupations o ON o.code = c.occupation_code
             WHERE e.person_id = $1 ORDER BY c.start_date, c.class_no";

/// One row of [`ENROLMENTS_SQL`].
fn enrolment_row(r: &AnyRow) -> Result<ArchiveEnrolment, StoreError> {
    Ok(ArchiveEnrolment {
        class_no: r.try_get("class_no")?,
        institution: r.try_get("institution")?,
        training_type: r.try_get("training_type")?,
        occupation_code: r.try_get("occupation_code")?,
        occupation_name: r.text_or_empty("occupation_name")?,
        skill_level: r.try_get("skill_level")?,
        start_date: r.day("start_date")?,
        end_date: r.day("end_date")?,
        offline_hours: r.try_get("offline_hours")?,
        online_hours: r.try_get("online_hours")?,
        completion: r.try_get("completion")?,
    })
}

/// A person's certificates with their occupation, by issue date.
const CERTIFICATES_SQL: &str = "SELECT c.cert_type, c.cert_no, c.occupation_code, o.name AS occupation_name, c.skill_level, c.issue_date, c.issuer_code, c.revoked_on, c.revoked_reason
             FROM certificates c LEFT JOIN occupations o ON o.code = c.occupation_code
             WHERE c.person_id = $1 ORDER BY c.issue_date, c.cert_no";

/// One row of [`CERTIFICATES_SQL`].
fn certificate_row(r: &AnyRow) -> Result<ArchiveCertificate, StoreError> {
    Ok(ArchiveCertificate {
        cert_type: r.try_get("cert_type")?,
        cert_no: r.try_get("cert_no")?,
        occupation_code: r.try_get("occupation_code")?,
        occupation_name: r.text_or_empty("occupation_name")?,
        skill_level: r.try_get("skill_level")?,
        issue_date: r.day("issue_date")?,
        revoked_on: r.opt_day("revoked_on")?,
        revoked_reason: r.try_get("revoked_reason")?,
        issuer_code: r.try_get("issuer_code")?,
    })
}

/// A person's claims, by application date.
const CLAIMS_SQL: &str = "SELECT claim_no, subsidy_type, applied_on, amount_asked_fen, amount_fen, status FROM claims WHERE person_id = $1 ORDER BY applied_on, claim_no";

/// One row of [`CLAIMS_SQL`].
fn claim_row(r: &AnyRow) -> Result<ArchiveClaim, StoreError> {
    Ok(ArchiveClaim {
        claim_no: r.try_get("claim_no")?,
        subsidy_type: r.try_get("subsidy_type")?,
        applied_on: r.day("applied_on")?,
        amount_asked_fen: r.try_get("amount_asked_fen")?,
        amount_fen: r.try_get("amount_fen")?,
        status: crate::claims::stored_status(&r.try_get::<String, _>("status")?)?,
    })
}
