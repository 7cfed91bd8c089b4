//! A worker's credit account (学分银行): one line per certificate and per
//! training, each converted by the `[credits]` table of the policy that
//! governs it — a certificate where its class was held (else the person's
//! 户籍地) on its issue date, a training where it was held on its last
//! day — with the total.
//!
//! The statement is derived from the registry each time, not kept in a
//! ledger of its own (docs/learning.md, "Why derived"): its sources are
//! already records (certificates, rosters, sessions), so a certificate
//! revoked or hours corrected change it at once, and each line names the
//! policy version that priced it, so an earlier statement can be
//! explained. Nothing is paid out of credits, so no balance must stay put.

use chrono::NaiveDate;
use jineng_domain::audit::{Action, Entity};
use jineng_domain::learning::credit_bank::{
    CreditOutcome, Credits, certificate_outcome, training_outcome,
};
use jineng_domain::learning::hours::OnlineSource;
use jineng_domain::{CertificateType, NationalId, RegionCode, SkillLevel};
use serde::Serialize;
use sqlx::Row;

use super::hours::TrainingRecord;
use super::listed::SessionLine;
use crate::audit::{Actor, AuditEntry};
use crate::policy::{PolicySet, version_label};
use crate::row::Typed;
use crate::{Store, StoreError};

/// What a credit line rests on.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CreditSource {
    Certificate {
        cert_no: String,
        cert_type: CertificateType,
        skill_level: Option<SkillLevel>,
        occupation_code: String,
        occupation_name: String,
    },
    Training {
        class_no: String,
        institution: String,
        occupation_name: String,
        offline_hours: i64,
        online_hours: i64,
        online_source: OnlineSource,
        counted_hours: i64,
    },
}

impl CreditSource {
    /// The line's reference as the statement shows it: 证书 N / 培训班 N.
    pub fn reference(&self) -> String {
        match self {
            CreditSource::Certificate { cert_no, .. } => format!("证书 {cert_no}"),
            CreditSource::Training { class_no, .. } => format!("培训班 {class_no}"),
        }
    }
}

/// One line of the statement.
#[derive(Debug, Clone, Serialize)]
pub struct CreditLine {
    pub source: CreditSource,
    /// The certificate's issue date, or the training's last day.
    pub date: NaiveDate,
    pub outcome: CreditOutcome,
    pub credits: Credits,
    /// The outcome in Chinese.
    pub reason: String,
    /// The policy version whose table applied, e.g. 「rudong-2019 第 1 版（摘要 …）」.
    pub policy: Option<String>,
    /// The clause the table rests on.
    pub clause: Option<String>,
}

/// A worker's online learning and credits, as the archive shows them.
#[derive(Debug, Clone, Serialize)]
pub struct LearningRecord {
    pub trainings: Vec<TrainingRecord>,
    pub sessions: Vec<SessionLine>,
    pub credits: CreditStatement,
}

/// A worker's credit account.
#[derive(Debug, Clone, Serialize)]
pub struct CreditStatement {
    pub person_id: i64,
    pub name: String,
    /// Masked unless revealed (audited).
    pub id_number: String,
    pub lines: Vec<CreditLine>,
    pub total: Credits,
    /// Whether any credited line used example (示例) numbers.
    pub example: bool,
}

fn date(s: &str) -> Result<NaiveDate, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("日期「{s}」格式不对")))
}

/// The table, version label and clause of the policy governing `region`
/// on `on`.
fn governing<'p>(
    policies: &'p PolicySet,
    region: &str,
    on: NaiveDate,
) -> (
    Option<&'p jineng_domain::learning::credit_bank::CreditTable>,
    Option<String>,
    Option<String>,
) {
    let Some(c) = RegionCode::parse(region)
        .ok()
        .and_then(|r| policies.for_region(&r, on))
    else {
        return (None, None, None);
    };
    let label = version_label(&c.version.policy_key, c.version.number, &c.version.sha256);
    let table = c.policy.credits.as_ref();
    let clause = table.map(|t| format!("{} {}", c.policy.meta.doc_no, t.clause));
    (table, Some(label), clause)
}

impl Store {
    /// The credit statement of a person by id, unaudited: for pages that
    /// already checked the scope (the worker's /me, an officer's archive)
    /// and for the archive export.
    pub async fn credit_statement(
        &self,
        person_id: i64,
    ) -> Result<Option<CreditStatement>, StoreError> {
        let policies = self.policy_set().await?;
        let trainings = self.training_hours_under(person_id, &policies).await?;
        self.statement_under(person_id, &policies, &trainings).await
    }

    /// A worker's online learning and credits in one read, for the
    /// archive: trainings with their hours, online sessions of every
    /// source, and the credit statement.
    pub async fn learning_record(
        &self,
        person_id: i64,
    ) -> Result<Option<LearningRecord>, StoreError> {
        let policies = self.policy_set().await?;
        let trainings = self.training_hours_under(person_id, &policies).await?;
        let Some(credits) = self
            .statement_under(person_id, &policies, &trainings)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(LearningRecord {
            sessions: self.sessions_of_person(person_id).await?,
            trainings,
            credits,
        }))
    }

    async fn statement_under(
        &self,
        person_id: i64,
        policies: &PolicySet,
        trainings: &[TrainingRecord],
    ) -> Result<Option<CreditStatement>, StoreError> {
        let Some(p) =
            sqlx::query("SELECT name, id_number, hukou_region FROM persons WHERE person_id = $1")
                .bind(person_id)
                .fetch_optional(self.pool())
                .await?
        else {
            return Ok(None);
        };
        let hukou: String = p.try_get("hukou_region")?;
        let mut lines = self.certificate_lines(person_id, &hukou, policies).await?;
        lines.extend(trainings.iter().map(|t| training_line(t, policies)));
        lines.sort_by(|a, b| {
            a.date
                .cmp(&b.date)
                .then_with(|| a.source.reference().cmp(&b.source.reference()))
        });
        let total = lines.iter().map(|l| l.credits).sum();
        let example = lines
            .iter()
            .any(|l| matches!(l.outcome, CreditOutcome::Credited { example: true, .. }));
        Ok(Some(CreditStatement {
            person_id,
            name: p.try_get("name")?,
            id_number: jineng_domain::national_id::mask_id(&p.try_get::<String, _>("id_number")?),
            lines,
            total,
            example,
        }))
    }

    /// The statement of the person with this ID number, as `jineng person
    /// credits` prints it: the reading is audited, and with `reveal` the
    /// full ID number is shown (audited as a reveal).
    pub async fn audited_credit_statement(
        &self,
        id: &NationalId,
        actor: &Actor,
        reveal: bool,
    ) -> Result<Option<CreditStatement>, StoreError> {
        let pid: Option<i64> =
            sqlx::query_scalar("SELECT person_id FROM persons WHERE id_number = $1")
                .bind(id.as_str())
                .fetch_optional(self.pool())
                .await?;
        let Some(pid) = pid else { return Ok(None) };
        let mut entries = vec![AuditEntry::change::<()>(
            Action::CreditStatement,
            Entity::Person,
            pid.to_string(),
            None,
            None,
        )];
        if reveal {
            entries.push(AuditEntry::change::<()>(
                Action::Reveal,
                Entity::Person,
                pid.to_string(),
                None,
                None,
            ));
        }
        self.audit_alone(actor, &entries).await?;
        let mut s = self.credit_statement(pid).await?;
        if let Some(s) = s.as_mut().filter(|_| reveal) {
            s.id_number = id.as_str().to_string();
        }
        Ok(s)
    }

    async fn certificate_lines(
        &self,
        person_id: i64,
        hukou: &str,
        policies: &PolicySet,
    ) -> Result<Vec<CreditLine>, StoreError> {
        let rows = sqlx::query(
            "SELECT t.cert_type, t.cert_no, t.occupation_code, o.name AS occupation_name, t.skill_level, \
             t.issue_date, t.revoked_on, c.site_region FROM certificates t \
             LEFT JOIN occupations o ON o.code = t.occupation_code \
             LEFT JOIN classes c ON c.class_id = t.class_id \
             WHERE t.person_id = $1 ORDER BY t.issue_date, t.cert_no",
        )
        .bind(person_id)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let code: String = r.try_get("cert_type")?;
            let cert_type = CertificateType::from_code(&code)
                .ok_or_else(|| StoreError::Corrupt(format!("证书类型「{code}」")))?;
            let level = r
                .try_get::<Option<i64>, _>("skill_level")?
                .and_then(|g| u8::try_from(g).ok())
                .and_then(SkillLevel::from_grade);
            let issued = date(&r.try_get::<String, _>("issue_date")?)?;
            let site: Option<String> = r.try_get("site_region")?;
            let (table, policy, clause) =
                governing(policies, site.as_deref().unwrap_or(hukou), issued);
            let revoked = r.try_get::<Option<String>, _>("revoked_on")?.is_some();
            let outcome = certificate_outcome(table, cert_type, level, revoked);
            out.push(CreditLine {
                source: CreditSource::Certificate {
                    cert_no: r.try_get("cert_no")?,
                    cert_type,
                    skill_level: level,
                    occupation_code: r.try_get("occupation_code")?,
                    occupation_name: r.text_or_empty("occupation_name")?,
                },
                date: issued,
                credits: outcome.credits(),
                reason: outcome.explain(),
                outcome,
                policy,
                clause,
            });
        }
        Ok(out)
    }
}

fn training_line(t: &TrainingRecord, policies: &PolicySet) -> CreditLine {
    let (table, policy, clause) = governing(policies, &t.site_region, t.end_date);
    let outcome = training_outcome(table, &t.hours, t.completion);
    CreditLine {
        source: CreditSource::Training {
            class_no: t.class_no.clone(),
            institution: t.institution.clone(),
            occupation_name: t.occupation_name.clone(),
            offline_hours: t.hours.offline,
            online_hours: t.hours.online.hours,
            online_source: t.hours.online.source,
            counted_hours: t.hours.counted,
        },
        date: t.end_date,
        credits: outcome.credits(),
        reason: outcome.explain(),
        outcome,
        policy,
        clause,
    }
}
