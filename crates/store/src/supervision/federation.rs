//! Federation tags in the store: the paid claims a tag file is written
//! from, and other deployments' tags as loaded. Only keyed tags are kept;
//! the ID numbers never leave through here.

use std::collections::HashMap;

use jineng_domain::federation::TagRecord;
use jineng_domain::supervision::Batch;
use jineng_domain::supervision::inputs::ClaimIn;
use jineng_domain::{ClaimStatus, NationalId};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::ScanCounts;
use super::inputs::Filter;
use super::rows::fetch_map;
use crate::row::Typed;
use crate::{Store, StoreError};

/// A paid claim as a tag describes it (the ID number is tagged by the
/// caller with the federation key and then dropped).
#[derive(Debug, Clone)]
pub struct PaidClaim {
    pub id_number: NationalId,
    pub occupation: Option<String>,
    pub level: Option<i64>,
    pub subsidy_type: String,
    pub applied_on: chrono::NaiveDate,
    pub months: Option<i64>,
    pub fund: Option<String>,
    /// The calendar months the decision paid (以工代训), first days.
    pub paid_months: Vec<chrono::NaiveDate>,
    /// The first month of the claim's period (its first day), when it
    /// gave one.
    pub period_from: Option<chrono::NaiveDate>,
}

/// A stored list of paid months (`YYYY-MM,YYYY-MM`) as first days.
fn paid_months(list: Option<String>) -> Result<Vec<chrono::NaiveDate>, StoreError> {
    list.iter()
        .flat_map(|l| l.split(','))
        .filter(|m| !m.is_empty())
        .map(|m| {
            chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
                .map_err(|_| StoreError::Corrupt(format!("月份「{m}」无法读取（paid_months）")))
        })
        .collect()
}

/// What a tag import stored.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TagImport {
    pub tags: u64,
    pub inserted: u64,
    pub unchanged: u64,
}

impl Store {
    /// Every paid claim, with what its tag carries.
    pub async fn paid_claims_for_tags(&self) -> Result<Vec<PaidClaim>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.id_number, k.subsidy_type, k.applied_on, COALESCE(k.months_paid, k.months) AS months, k.fund_code, \
             COALESCE(t.occupation_code, c.occupation_code) AS occupation, COALESCE(t.skill_level, c.skill_level) AS level, k.paid_months, k.period_from \
             FROM claims k JOIN persons p ON p.person_id = k.person_id \
             LEFT JOIN certificates t ON t.cert_type = k.cert_type AND t.cert_no = k.cert_no \
             LEFT JOIN classes c ON c.class_id = k.class_id \
             WHERE k.status = $1 ORDER BY k.claim_no",
        )
        .bind(ClaimStatus::Paid.code())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PaidClaim {
                    id_number: r.national_id("id_number")?,
                    occupation: r.try_get("occupation")?,
                    level: r.try_get("level")?,
                    subsidy_type: r.try_get("subsidy_type")?,
                    applied_on: r.day("applied_on")?,
                    months: r.try_get("months")?,
                    fund: r.try_get("fund_code")?,
                    paid_months: paid_months(r.try_get("paid_months")?)?,
                    period_from: r
                        .try_get::<Option<String>, _>("period_from")?
                        .map(|m| crate::row::parse_day("period_from", &format!("{m}-01")))
                        .transpose()?,
                })
            })
            .collect()
    }

    /// Stores another deployment's tags; a line loaded before is unchanged.
    pub async fn import_federation_tags(
        &self,
        records: &[TagRecord],
    ) -> Result<TagImport, StoreError> {
        let now = crate::audit::now();
        let mut out = TagImport {
            tags: records.len() as u64,
            ..TagImport::default()
        };
        let mut tx = self.begin().await?;
        for r in records {
            let line = r.to_line();
            let sha: String = Sha256::digest(line.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let n = sqlx::query(
                "INSERT INTO federation_tags (line_sha256, tag, deployment, occupation, level, subsidy_type, year, first_month, months, fund, imported_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (line_sha256) DO NOTHING",
            )
            .bind(&sha)
            .bind(&r.tag)
            .bind(&r.deployment)
            .bind(r.occupation.as_deref())
            .bind(r.level.as_deref())
            .bind(&r.subsidy_type)
            .bind(i64::from(r.year))
            .bind(r.first_month.as_deref())
            .bind(r.months.map(i64::from))
            .bind(&r.fund)
            .bind(&now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n > 0 {
                out.inserted += 1;
            } else {
                out.unchanged += 1;
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Every person's key and ID number, for matching imported tags (one
    /// HMAC per person, computed by the caller with the key from its file).
    pub async fn persons_for_tags(&self) -> Result<Vec<(i64, NationalId)>, StoreError> {
        let rows = sqlx::query("SELECT person_id, id_number FROM persons ORDER BY person_id")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("person_id")?, r.national_id("id_number")?)))
            .collect()
    }

    /// Writes which local person each stored tag is: `local` maps the tag
    /// of every local person to the person. Every tag is resolved again
    /// (also those loaded earlier, for persons imported since). Returns how
    /// many tag lines match a local person, and those persons' ID numbers.
    pub async fn match_federation_tags(
        &self,
        local: &HashMap<String, i64>,
    ) -> Result<TagMatch, StoreError> {
        let mut tx = self.begin().await?;
        let tags: Vec<String> = sqlx::query_scalar("SELECT DISTINCT tag FROM federation_tags")
            .fetch_all(&mut *tx)
            .await?;
        sqlx::query("UPDATE federation_tags SET person_id = NULL WHERE person_id IS NOT NULL")
            .execute(&mut *tx)
            .await?;
        let mut out = TagMatch::default();
        let mut persons = Vec::new();
        for t in &tags {
            let Some(pid) = local.get(t) else { continue };
            out.matched += sqlx::query("UPDATE federation_tags SET person_id = $1 WHERE tag = $2")
                .bind(*pid)
                .bind(t.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            persons.push(*pid);
        }
        for chunk in persons.chunks(500) {
            let sql = format!(
                "SELECT id_number FROM persons WHERE person_id IN ({})",
                crate::dialect::placeholders(1, chunk.len())
            );
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
            for p in chunk {
                q = q.bind(*p);
            }
            out.persons.extend(q.fetch_all(&mut *tx).await?);
        }
        tx.commit().await?;
        out.persons.sort();
        Ok(out)
    }

    /// Runs the checks over the matched tags of these persons against
    /// their local claims (S6 across deployments); opens a case per new
    /// finding. Nothing when no supervision file is loaded.
    pub async fn supervise_federation(&self, persons: &[String]) -> Result<ScanCounts, StoreError> {
        let Some(sup) = self.supervision().await? else {
            return Ok(ScanCounts::default());
        };
        let batch = Batch {
            claims: foreign_claims(self, Filter::Keys("p.id_number", persons)).await?,
            ..Batch::default()
        };
        let wanted = batch.wanted(&sup.checks);
        let stored = super::inputs::stored(self, &batch, &wanted, None).await?;
        let hits = sup.checks.run(&batch, &stored);
        self.record_hits(&sup, hits).await
    }
}

/// What `match_federation_tags` found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TagMatch {
    /// Tag lines that are a local person's.
    pub matched: u64,
    /// Those persons' ID numbers (for the checks; never printed).
    #[serde(skip)]
    pub persons: Vec<String>,
}

const FOREIGN: &str = "SELECT ft.line_sha256, ft.deployment, ft.subsidy_type, ft.year, ft.occupation, \
     ft.level, ft.first_month, ft.months, ft.fund, p.id_number \
     FROM federation_tags ft JOIN persons p ON p.person_id = ft.person_id WHERE 1 = 1";

/// Other deployments' paid subsidies matched to local persons, as check S6
/// reads claims; each is named by its deployment and line digest.
pub(crate) async fn foreign_claims(
    store: &Store,
    f: Filter<'_>,
) -> Result<Vec<ClaimIn>, StoreError> {
    fetch_map(store, FOREIGN, f, |r| {
        let sha = r.text("line_sha256")?;
        let rec = TagRecord {
            tag: String::new(),
            occupation: r.opt_text("occupation")?,
            level: r.opt_text("level")?,
            subsidy_type: r.text("subsidy_type")?,
            year: r.int("year")? as i32,
            first_month: r.opt_text("first_month")?,
            months: r.opt_int("months")?.and_then(|m| u32::try_from(m).ok()),
            fund: r.text("fund")?,
            deployment: r.text("deployment")?,
        };
        let mut c = rec.as_claim(&r.text("id_number")?, 0);
        c.claim_no = format!("{}#{}", rec.deployment, sha.get(..16).unwrap_or(&sha));
        Ok(c)
    })
    .await
}
