//! Loaded policies: the text of each policy's files, so a policy compiles
//! again exactly as it was loaded, and the choice of policy for a claim.

use crate::audit::{self, Actor, AuditEntry};
use crate::{Store, StoreError};
use chrono::NaiveDate;
use jineng_domain::policy::{Policy, PolicySources};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// A policy as stored: its key facts and its files.
#[derive(Debug, Clone, Serialize)]
pub struct StoredPolicy {
    pub policy_id: i64,
    pub policy_key: String,
    pub title: String,
    pub doc_no: String,
    pub region_code: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub loaded_at: String,
    #[serde(skip)]
    pub sources: PolicySources,
}

/// The compiled policies of a deployment, by id.
#[derive(Debug, Default)]
pub struct PolicySet {
    pub items: Vec<(i64, Policy)>,
}

impl PolicySet {
    /// The policy in force on `date` (the latest loaded among several);
    /// else the latest loaded, whose engine then refuses the date.
    pub fn pick(&self, date: NaiveDate) -> Option<(i64, &Policy)> {
        self.items
            .iter()
            .rev()
            .find(|(_, p)| p.in_force(date))
            .or(self.items.last())
            .map(|(id, p)| (*id, p))
    }

    pub fn get(&self, id: i64) -> Option<&Policy> {
        self.items.iter().find(|(i, _)| *i == id).map(|(_, p)| p)
    }
}

impl Store {
    /// Saves a compiled policy's files under its id (`[policy] id`);
    /// loading the same files again changes nothing. Returns the policy id
    /// and whether anything changed.
    pub async fn save_policy(
        &self,
        policy: &Policy,
        sources: &PolicySources,
        actor: &Actor,
    ) -> Result<(i64, bool), StoreError> {
        let text = serde_json::to_string(&sources.files).unwrap_or_default();
        let sha: String = Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let m = &policy.meta;
        let mut tx = self.begin().await?;
        let old = sqlx::query("SELECT policy_id, sha256 FROM policies WHERE policy_key = $1")
            .bind(&m.id)
            .fetch_optional(&mut *tx)
            .await?;
        let summary = serde_json::json!({
            "title": m.title, "doc_no": m.doc_no, "region": m.region.as_str(),
            "valid_from": m.valid_from.to_string(), "valid_to": m.valid_to.map(|d| d.to_string()),
            "sha256": sha,
        });
        let now = audit::now();
        let before = match old {
            Some(row) => {
                let old_sha: String = row.try_get("sha256")?;
                if old_sha == sha {
                    return Ok((row.try_get("policy_id")?, false));
                }
                Some(serde_json::json!({ "sha256": old_sha }))
            }
            None => None,
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO policies (policy_key, title, doc_no, region_code, valid_from, valid_to, sources, sha256, loaded_at, actor) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (policy_key) DO UPDATE SET title = excluded.title, doc_no = excluded.doc_no, \
             region_code = excluded.region_code, valid_from = excluded.valid_from, valid_to = excluded.valid_to, \
             sources = excluded.sources, sha256 = excluded.sha256, loaded_at = excluded.loaded_at, actor = excluded.actor \
             RETURNING policy_id",
        )
        .bind(&m.id)
        .bind(&m.title)
        .bind(&m.doc_no)
        .bind(m.region.as_str())
        .bind(m.valid_from.to_string())
        .bind(m.valid_to.map(|d| d.to_string()))
        .bind(&text)
        .bind(&sha)
        .bind(&now)
        .bind(&actor.0)
        .fetch_one(&mut *tx)
        .await?;
        audit::write(
            &mut tx,
            actor,
            None,
            &[AuditEntry::change(
                "load_policy",
                "policy",
                m.id.clone(),
                before.as_ref(),
                Some(&summary),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok((id, true))
    }

    /// Every loaded policy, oldest first.
    pub async fn policies(&self) -> Result<Vec<StoredPolicy>, StoreError> {
        let rows = sqlx::query(
            "SELECT policy_id, policy_key, title, doc_no, region_code, valid_from, valid_to, loaded_at, sources FROM policies ORDER BY policy_id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                let sources: String = r.try_get("sources")?;
                let files: Vec<(String, String)> = serde_json::from_str(&sources)
                    .map_err(|e| StoreError::Corrupt(format!("政策文件内容无法读取：{e}")))?;
                Ok(StoredPolicy {
                    policy_id: r.try_get("policy_id")?,
                    policy_key: r.try_get("policy_key")?,
                    title: r.try_get("title")?,
                    doc_no: r.try_get("doc_no")?,
                    region_code: r.try_get("region_code")?,
                    valid_from: r.try_get("valid_from")?,
                    valid_to: r.try_get("valid_to")?,
                    loaded_at: r.try_get("loaded_at")?,
                    sources: PolicySources { files },
                })
            })
            .collect()
    }
}

impl Store {
    /// Compiles every loaded policy against the store's reference data.
    pub async fn policy_set(&self) -> Result<PolicySet, StoreError> {
        let refdata = self.ref_data().await?;
        let mut items = Vec::new();
        for p in self.policies().await? {
            let files = p.sources.files;
            let main = files.first().map(|(n, _)| n.clone()).unwrap_or_default();
            let mut read = |name: &str| {
                files
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, t)| t.clone())
                    .ok_or_else(|| format!("库中没有政策文件「{name}」"))
            };
            let (policy, _) = jineng_domain::policy::load(&main, &mut read, &refdata)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            items.push((p.policy_id, policy));
        }
        Ok(PolicySet { items })
    }
}
