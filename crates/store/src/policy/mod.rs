//! Loaded policies: the text of each policy's files, version by version,
//! so a policy compiles again exactly as it was loaded; the refusal of two
//! policies for one region and period; and the choice of policy for a
//! claim by jurisdiction (`crate::policy::jurisdiction`).

pub(crate) mod jurisdiction;

use jineng_domain::audit::{Action, Entity};
use std::collections::{HashMap, HashSet};

use crate::audit::Actor;
use crate::policy::jurisdiction::RegionTree;
use crate::row::Typed;
use crate::{Store, StoreError};
use chrono::NaiveDate;
use jineng_domain::policy::{Policy, PolicySources, RuleId};
use jineng_domain::{RegionCode, Stamp};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// A policy as stored: its key facts and its files (the current version).
#[derive(Debug, Clone, Serialize)]
pub struct StoredPolicy {
    pub policy_id: i64,
    pub policy_key: String,
    pub title: String,
    pub doc_no: String,
    pub region_code: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub loaded_at: Stamp,
    /// The current version's number (1, 2, …) and the SHA-256 of its files.
    pub version_no: i64,
    pub sha256: String,
    #[serde(skip)]
    pub sources: PolicySources,
}

/// One version of a policy: what a decision records it used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyVersion {
    pub version_id: i64,
    pub policy_id: i64,
    pub policy_key: String,
    /// 1, 2, … per policy.
    pub number: i64,
    pub sha256: String,
}

/// How a decision names a policy version: 「liaocheng-2019 第 2 版（摘要
/// 1a2b3c4d5e6f）」, the digest's first 12 hex digits.
pub fn version_label(key: &str, number: i64, sha256: &str) -> String {
    format!(
        "{key} 第 {number} 版（摘要 {}）",
        &sha256[..sha256.len().min(12)]
    )
}

/// A policy chosen for a claim.
#[derive(Debug, Clone, Copy)]
pub struct Chosen<'a> {
    pub version: &'a PolicyVersion,
    pub policy: &'a Policy,
}

/// The compiled policies of a deployment: the current version of each, by
/// policy id, and the earlier versions that decisions still name.
#[derive(Debug, Default)]
pub struct PolicySet {
    /// Current versions, in the order they were loaded.
    pub items: Vec<(i64, Policy)>,
    /// The version of each of `items`, in the same order.
    current: Vec<PolicyVersion>,
    /// Earlier versions.
    older: Vec<(PolicyVersion, Policy)>,
    regions: RegionTree,
    /// Subsidy types some policy pays to an enterprise (以工代训, 学徒制).
    enterprise_types: HashSet<String>,
}

impl PolicySet {
    /// The policy in force on `date` (the latest loaded among several);
    /// else the latest loaded, whose engine then refuses the date. For
    /// what names no region (a filing form's subsidy types); a claim's
    /// policy is [`PolicySet::for_region`].
    pub fn pick(&self, date: NaiveDate) -> Option<(i64, &Policy)> {
        self.items
            .iter()
            .rev()
            .find(|(_, p)| p.in_force(date))
            .or(self.items.last())
            .map(|(id, p)| (*id, p))
    }

    /// The current version of a policy.
    pub fn get(&self, id: i64) -> Option<&Policy> {
        self.items.iter().find(|(i, _)| *i == id).map(|(_, p)| p)
    }

    /// The current version of a policy, as a choice.
    pub fn current(&self, policy_id: i64) -> Option<Chosen<'_>> {
        self.current
            .iter()
            .zip(&self.items)
            .find(|(v, _)| v.policy_id == policy_id)
            .map(|(version, (_, policy))| Chosen { version, policy })
    }

    /// A version by its id, current or earlier.
    pub fn version(&self, version_id: i64) -> Option<Chosen<'_>> {
        self.current
            .iter()
            .zip(&self.items)
            .map(|(v, (_, p))| (v, p))
            .chain(self.older.iter().map(|(v, p)| (v, p)))
            .find(|(v, _)| v.version_id == version_id)
            .map(|(version, policy)| Chosen { version, policy })
    }

    /// The policy for a claim paid by `region` on `date`: the most specific
    /// one whose region contains `region` and that is in force on `date`
    /// (among two for one region, which `policy load` refuses, the later
    /// loaded). None: no policy applies (无适用政策).
    pub fn for_region(&self, region: &RegionCode, date: NaiveDate) -> Option<Chosen<'_>> {
        self.regions.chain(region).iter().find_map(|r| {
            self.current
                .iter()
                .zip(&self.items)
                .rev()
                .find(|(_, (_, p))| p.meta.region.as_str() == r && p.in_force(date))
                .map(|(version, (_, policy))| Chosen { version, policy })
        })
    }

    /// Whether some policy pays claims of this type to an enterprise.
    pub fn pays_enterprise(&self, subsidy_type: &str) -> bool {
        self.enterprise_types.contains(subsidy_type)
    }

    /// The subsidy types some policy pays to an enterprise.
    pub fn enterprise_types(&self) -> &HashSet<String> {
        &self.enterprise_types
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

fn sha_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn period(from: &str, to: Option<&str>) -> String {
    format!("{from} 至 {}", to.unwrap_or("长期"))
}

/// What `save_policy` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SavedPolicy {
    pub policy_id: i64,
    /// The version now current.
    pub version_no: i64,
    /// False when the file was the current version already.
    pub changed: bool,
}

impl Store {
    /// Saves a compiled policy's files under its id (`[policy] id`). Loading
    /// the current files again changes nothing; changed files become a new
    /// version, the earlier ones kept. Refused (Chinese, naming both) when
    /// another policy governs the same region over an overlapping period.
    pub async fn save_policy(
        &self,
        policy: &Policy,
        sources: &PolicySources,
        actor: &Actor,
    ) -> Result<SavedPolicy, StoreError> {
        let text = serde_json::to_string(&sources.files).unwrap_or_default();
        let sha = sha_hex(&text);
        let m = &policy.meta;
        let mut tx = self.begin().await?;
        let old = sqlx::query(
            "SELECT p.policy_id, p.sha256, (SELECT MAX(v.version_no) FROM policy_versions v \
             WHERE v.policy_id = p.policy_id) AS version_no FROM policies p WHERE p.policy_key = $1",
        )
        .bind(&m.id)
        .fetch_optional(&mut *tx)
        .await?;
        let mut version_no = 1;
        let before = match old {
            Some(row) => {
                let old_sha: String = row.try_get("sha256")?;
                let no: Option<i64> = row.try_get("version_no")?;
                if old_sha == sha {
                    return Ok(SavedPolicy {
                        policy_id: row.try_get("policy_id")?,
                        version_no: no.unwrap_or(1),
                        changed: false,
                    });
                }
                version_no = no.unwrap_or(0) + 1;
                Some(serde_json::json!({ "sha256": old_sha, "version": no }))
            }
            None => None,
        };
        refuse_overlap(&mut tx, policy).await?;
        let summary = serde_json::json!({
            "title": m.title, "doc_no": m.doc_no, "region": m.region.as_str(),
            "valid_from": m.valid_from.to_string(), "valid_to": m.valid_to.map(|d| d.to_string()),
            "sha256": sha, "version": version_no,
        });
        let now = crate::audit::now();
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
        // The policy's row as just written is its new version.
        sqlx::query(
            "INSERT INTO policy_versions (policy_id, version_no, sha256, title, doc_no, region_code, valid_from, valid_to, sources, loaded_at, actor) \
             SELECT policy_id, $1, sha256, title, doc_no, region_code, valid_from, valid_to, sources, loaded_at, actor \
             FROM policies WHERE policy_id = $2",
        )
        .bind(version_no)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        crate::audit::write_change(
            &mut tx,
            actor,
            Action::LoadPolicy,
            Entity::Policy,
            m.id.clone(),
            before.as_ref(),
            Some(&summary),
        )
        .await?;
        tx.commit().await?;
        Ok(SavedPolicy {
            policy_id: id,
            version_no,
            changed: true,
        })
    }

    /// Every loaded policy, oldest first, as its current version.
    pub async fn policies(&self) -> Result<Vec<StoredPolicy>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.policy_id, p.policy_key, p.title, p.doc_no, p.region_code, p.valid_from, p.valid_to, \
             p.loaded_at, p.sources, p.sha256, \
             (SELECT MAX(v.version_no) FROM policy_versions v WHERE v.policy_id = p.policy_id) AS version_no \
             FROM policies p ORDER BY p.policy_id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                let sources: String = r.try_get("sources")?;
                Ok(StoredPolicy {
                    policy_id: r.try_get("policy_id")?,
                    policy_key: r.try_get("policy_key")?,
                    title: r.try_get("title")?,
                    doc_no: r.try_get("doc_no")?,
                    region_code: r.try_get("region_code")?,
                    valid_from: r.day("valid_from")?,
                    valid_to: r.opt_day("valid_to")?,
                    loaded_at: r.stamp("loaded_at")?,
                    version_no: r.try_get::<Option<i64>, _>("version_no")?.unwrap_or(1),
                    sha256: r.try_get("sha256")?,
                    sources: PolicySources {
                        files: files_of(&sources)?,
                    },
                })
            })
            .collect()
    }

    /// Every version of every policy: (version, files), by version id.
    async fn policy_versions(&self) -> Result<Vec<(PolicyVersion, PolicySources)>, StoreError> {
        let rows = sqlx::query(
            "SELECT v.version_id, v.policy_id, p.policy_key, v.version_no, v.sha256, v.sources \
             FROM policy_versions v JOIN policies p ON p.policy_id = v.policy_id ORDER BY v.version_id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                let sources: String = r.try_get("sources")?;
                Ok((
                    PolicyVersion {
                        version_id: r.try_get("version_id")?,
                        policy_id: r.try_get("policy_id")?,
                        policy_key: r.try_get("policy_key")?,
                        number: r.try_get("version_no")?,
                        sha256: r.try_get("sha256")?,
                    },
                    PolicySources {
                        files: files_of(&sources)?,
                    },
                ))
            })
            .collect()
    }
}

fn files_of(sources: &str) -> Result<Vec<(String, String)>, StoreError> {
    serde_json::from_str(sources)
        .map_err(|e| StoreError::Corrupt(format!("政策文件内容无法读取：{e}")))
}

/// Refuses a policy whose region another policy already governs over an
/// overlapping period, naming both (the same id is a new version, not an
/// overlap).
async fn refuse_overlap(conn: &mut sqlx::AnyConnection, policy: &Policy) -> Result<(), StoreError> {
    let m = &policy.meta;
    let rows = sqlx::query(
        "SELECT p.policy_key, p.title, p.valid_from, p.valid_to, COALESCE(r.name, '') AS region_name \
         FROM policies p LEFT JOIN regions r ON r.code = p.region_code \
         WHERE p.region_code = $1 AND p.policy_key <> $2 ORDER BY p.policy_id",
    )
    .bind(m.region.as_str())
    .bind(&m.id)
    .fetch_all(&mut *conn)
    .await?;
    let from = m.valid_from.to_string();
    let to = m.valid_to.map(|d| d.to_string());
    for r in rows {
        let (o_from, o_to): (String, Option<String>) =
            (r.try_get("valid_from")?, r.try_get("valid_to")?);
        // ISO dates compare as text; no end date is open-ended.
        let overlaps =
            to.as_ref().is_none_or(|t| o_from <= *t) && o_to.as_ref().is_none_or(|t| from <= *t);
        if overlaps {
            let key: String = r.try_get("policy_key")?;
            let title: String = r.try_get("title")?;
            let name: String = r.try_get("region_name")?;
            return Err(StoreError::Refused(format!(
                "政策「{}」（{}，{}）与已载入的政策「{key}」（{title}，{}）管辖同一地区 {}{name}，有效期重叠：\
                 同一地区同一时间只能有一项政策，未载入。请调整有效期（valid_from/valid_to），或以相同的政策编号载入以更新该政策",
                m.id,
                m.title,
                period(&from, to.as_deref()),
                period(&o_from, o_to.as_deref()),
                m.region,
            )));
        }
    }
    Ok(())
}

impl Store {
    /// Compiles every loaded policy, each version that decisions may name,
    /// against the store's reference data, with the region tree that
    /// places claims in jurisdictions.
    pub async fn policy_set(&self) -> Result<PolicySet, StoreError> {
        let refdata = self.ref_data().await?;
        let current: HashMap<i64, i64> = self
            .policies()
            .await?
            .iter()
            .map(|p| (p.policy_id, p.version_no))
            .collect();
        let mut set = PolicySet {
            regions: RegionTree::load(self.pool()).await?,
            ..PolicySet::default()
        };
        for (version, sources) in self.policy_versions().await? {
            let is_current = current.get(&version.policy_id) == Some(&version.number);
            let policy = match compile(&sources, &refdata) {
                Ok(p) => p,
                Err(e) if is_current => return Err(e),
                // An earlier version the reference data no longer compiles:
                // its decisions are shown without their rule lines.
                Err(e) => {
                    tracing::warn!(version = version.version_id, "earlier policy version: {e}");
                    continue;
                }
            };
            if is_current {
                for (t, rule) in &policy.amount_rules {
                    if matches!(rule, RuleId::R9 | RuleId::R10) {
                        set.enterprise_types.insert(t.clone());
                    }
                }
                set.items.push((version.policy_id, policy));
                set.current.push(version);
            } else {
                set.older.push((version, policy));
            }
        }
        Ok(set)
    }
}

fn compile(
    sources: &PolicySources,
    refdata: &jineng_domain::refdata::RefData,
) -> Result<Policy, StoreError> {
    let files = &sources.files;
    let main = files.first().map(|(n, _)| n.clone()).unwrap_or_default();
    let mut read = |name: &str| {
        files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.clone())
            .ok_or_else(|| format!("库中没有政策文件「{name}」"))
    };
    jineng_domain::policy::load(&main, &mut read, refdata)
        .map(|(p, _)| p)
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}
