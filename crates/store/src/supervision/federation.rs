//! Federation tags in the store: the paid claims a tag file is written
//! from, and other deployments' tags as loaded. Only keyed tags are kept;
//! the ID numbers never leave through here.

use jineng_domain::ClaimStatus;
use jineng_domain::federation::TagRecord;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::audit;
use crate::{Store, StoreError};

/// A paid claim as a tag describes it (the ID number is tagged by the
/// caller with the federation key and then dropped).
#[derive(Debug, Clone)]
pub struct PaidClaim {
    pub id_number: String,
    pub occupation: Option<String>,
    pub level: Option<i64>,
    pub subsidy_type: String,
    pub applied_on: String,
    pub months: Option<i64>,
    pub fund: Option<String>,
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
             COALESCE(t.occupation_code, c.occupation_code) AS occupation, COALESCE(t.skill_level, c.skill_level) AS level \
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
                    id_number: r.try_get("id_number")?,
                    occupation: r.try_get("occupation")?,
                    level: r.try_get("level")?,
                    subsidy_type: r.try_get("subsidy_type")?,
                    applied_on: r.try_get("applied_on")?,
                    months: r.try_get("months")?,
                    fund: r.try_get("fund_code")?,
                })
            })
            .collect()
    }

    /// Stores another deployment's tags; a line loaded before is unchanged.
    pub async fn import_federation_tags(
        &self,
        records: &[TagRecord],
    ) -> Result<TagImport, StoreError> {
        let now = audit::now();
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

    /// The ID numbers of the registry, for matching imported tags (one
    /// HMAC per person).
    pub async fn person_ids(&self) -> Result<Vec<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT id_number FROM persons ORDER BY id_number")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// How many stored tags each of these tags matches.
    pub async fn federation_tags_matching(&self, tags: &[String]) -> Result<u64, StoreError> {
        let mut n = 0u64;
        for chunk in tags.chunks(500) {
            let sql = format!(
                "SELECT COUNT(*) FROM federation_tags WHERE tag IN ({})",
                crate::sql::placeholders(1, chunk.len())
            );
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
            for t in chunk {
                q = q.bind(t.as_str());
            }
            let c: i64 = q.fetch_one(self.pool()).await?;
            n += c as u64;
        }
        Ok(n)
    }
}
