//! The evaluation of the standards in force (标准评估): one read-only
//! aggregation of a region's claims of a year by policy × subsidy type ×
//! occupation × level × certificate type, with the reasons of the refused
//! ones read from their stored traces, handed to
//! `jineng_domain::standards::evaluate` with the loaded policies and the
//! published amounts.
//!
//! - A claim belongs to the region that pays it (docs/policy.md,
//!   Jurisdiction): an enterprise claim (a type some policy pays to an
//!   enterprise) to the enterprise's registered region, else the class's
//!   培训地, else the claiming institution's 所在地, else the person's
//!   户籍地; the region's subtree is its code prefix, as the reports'.
//! - Its year is the year its decision counts it in (`basis_year`, R2's
//!   year basis), or for an undecided claim the year of its application:
//!   the `year` of `jineng claims export`.
//! - Occupation, level and certificate type are the certificate's, else
//!   the class's (the class the claim names, else its certificate's).
//! - A row is also the policy that decided its claims; claims not decided
//!   yet join the policy governing the region at the year's end.
//! - Paid is the money that reached the payee: the claim's postings to
//!   补贴支出 and 预付款 (pay, advance, settle), less recoveries.

use std::collections::{BTreeMap, HashMap};

use jineng_domain::access::Scope;
use jineng_domain::planning::{NATIONAL, prefix};
use jineng_domain::policy::trace::TraceLine;
use jineng_domain::standards::{
    Counts, EntryGrades, Evaluation, PolicyRef, Published, Reason, Tally, evaluate,
};
use jineng_domain::{CertificateType, ClaimStatus, OccupationCode, RegionCode, SkillLevel};
use sqlx::{AssertSqlSafe, Row};

use crate::sql::{Val, bind_all};
use crate::{Store, StoreError};

/// Statuses a claim stands approved in (approved … paid).
const APPROVED: [ClaimStatus; 5] = [
    ClaimStatus::Approved,
    ClaimStatus::Advanced,
    ClaimStatus::InTransit,
    ClaimStatus::Failed,
    ClaimStatus::Paid,
];

/// `'a', 'b'` of the statuses' stored codes (fixed words, safe inline).
fn codes(statuses: &[ClaimStatus]) -> String {
    statuses
        .iter()
        .map(|s| format!("'{}'", s.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The claims of year `$1` with their row key, paying region and money;
/// `$3…` are the enterprise subsidy types.
fn claims_sql(enterprise_types: usize) -> String {
    let enterprise = if enterprise_types == 0 {
        "1 = 0".to_string()
    } else {
        format!(
            "c.subsidy_type IN ({})",
            crate::dialect::placeholders(3, enterprise_types)
        )
    };
    format!(
        "SELECT c.policy_id, c.subsidy_type, c.status, c.outcome, c.trace, c.amount_fen, \
         COALESCE(ce.occupation_code, cl.occupation_code) AS occupation, \
         CASE WHEN ce.cert_no IS NOT NULL THEN ce.skill_level ELSE cl.skill_level END AS level, \
         COALESCE(ce.cert_type, c.cert_type) AS cert_type, \
         ce.cert_type || ':' || ce.cert_no AS cert_key, \
         COALESCE(lp.paid, 0) AS paid, \
         CASE WHEN {enterprise} AND ci.region_code IS NOT NULL THEN ci.region_code \
              WHEN cl.site_region IS NOT NULL THEN cl.site_region \
              WHEN ci.region_code IS NOT NULL THEN ci.region_code \
              ELSE p.hukou_region END AS paying_region \
         FROM claims c JOIN persons p ON p.person_id = c.person_id \
         LEFT JOIN certificates ce ON ce.person_id = c.person_id AND ce.cert_no = c.cert_no \
           AND (c.cert_type IS NULL OR ce.cert_type = c.cert_type) \
         LEFT JOIN classes cl ON cl.class_id = COALESCE(c.class_id, ce.class_id) \
         LEFT JOIN institutions ci ON ci.credit_code = c.claimant_code \
         LEFT JOIN (SELECT t.claim_no, SUM(e.debit_fen - e.credit_fen) AS paid FROM ledger_tx t \
                    JOIN ledger_entries e ON e.tx_id = t.tx_id \
                    WHERE t.claim_no IS NOT NULL AND (e.account LIKE 'expense:%' OR e.account LIKE 'advances:%') \
                    GROUP BY t.claim_no) lp ON lp.claim_no = c.claim_no \
         WHERE COALESCE(c.basis_year, CAST(substr(c.applied_on, 1, 4) AS BIGINT)) = $1"
    )
}

/// The row key a query groups by, and how a row reads it.
const KEY: &str = "k.policy_id, k.subsidy_type, k.occupation, k.level, k.cert_type";

type Key = (
    Option<i64>,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
);

fn key_of(r: &sqlx::any::AnyRow) -> Result<Key, StoreError> {
    Ok((
        r.try_get("policy_id")?,
        r.try_get("subsidy_type")?,
        r.try_get("occupation")?,
        r.try_get("level")?,
        r.try_get("cert_type")?,
    ))
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}「{value}」无法识别"))
}

fn tally_of(key: &Key, occupation_name: String, counts: Counts) -> Result<Tally, StoreError> {
    let (policy_id, subsidy, occ, level, cert) = key;
    Ok(Tally {
        policy_id: *policy_id,
        subsidy_type: subsidy.clone(),
        occupation: occ
            .as_deref()
            .map(|o| OccupationCode::parse(o).map_err(|_| corrupt("职业编码", o)))
            .transpose()?,
        occupation_name,
        level: level
            .map(|l| {
                u8::try_from(l)
                    .ok()
                    .and_then(SkillLevel::from_grade)
                    .ok_or_else(|| corrupt("技能等级", &l.to_string()))
            })
            .transpose()?,
        cert_type: cert
            .as_deref()
            .map(|c| CertificateType::from_code(c).ok_or_else(|| corrupt("证书类型", c)))
            .transpose()?,
        counts,
        reasons: BTreeMap::new(),
    })
}

/// Gives the rows without a policy `governing`, adding each to the row of
/// the same key that has it.
fn merge_undecided(tallies: Vec<Tally>, governing: Option<i64>) -> Vec<Tally> {
    let mut out: Vec<Tally> = Vec::with_capacity(tallies.len());
    let mut at: HashMap<Key, usize> = HashMap::new();
    for mut t in tallies {
        if t.policy_id.is_none() {
            t.policy_id = governing;
        }
        match at.entry(key_of_tally(&t)) {
            std::collections::hash_map::Entry::Occupied(e) => {
                let o = &mut out[*e.get()];
                o.counts += t.counts;
                for (r, n) in t.reasons {
                    *o.reasons.entry(r).or_default() += n;
                }
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(out.len());
                out.push(t);
            }
        }
    }
    out
}

/// A tally's row key as the queries read it.
fn key_of_tally(t: &Tally) -> Key {
    (
        t.policy_id,
        t.subsidy_type.clone(),
        t.occupation.as_ref().map(|o| o.as_str().to_string()),
        t.level.map(|l| i64::from(l.grade())),
        t.cert_type.map(|c| c.code().to_string()),
    )
}

impl Store {
    /// The evaluation of `region`'s standards for `year` (any region, or
    /// 000000 for the whole deployment), with `published` beside them.
    pub async fn standards(
        &self,
        region: &str,
        year: i32,
        published: &Published,
    ) -> Result<Evaluation, StoreError> {
        let name = self
            .region_name(region)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("没有地区「{region}」")))?;
        let policies = self.policy_set().await?;
        let enterprise: Vec<String> = policies
            .items
            .iter()
            .flat_map(|(_, p)| p.amount_rules.keys())
            .filter(|t| policies.pays_enterprise(t))
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut vals = vec![
            Val::int(i64::from(year)),
            Val::text(format!("{}%", prefix(region))),
        ];
        vals.extend(enterprise.iter().map(Val::text));
        let inner = claims_sql(enterprise.len());
        let tallies = self.tallies(&inner, &vals).await?;
        let tallies = self.reasons(&inner, &vals, tallies).await?;
        // Undecided claims (no policy yet) go with the policy that governs
        // the region at the year's end, when one does.
        let governing = RegionCode::parse(region).ok().and_then(|r| {
            let day = chrono::NaiveDate::from_ymd_opt(year, 12, 31)?;
            policies.for_region(&r, day).map(|c| c.version.policy_id)
        });
        let tallies = merge_undecided(tallies, governing);
        let stored = self.policies().await?;
        let grades: HashMap<i64, EntryGrades> = stored
            .iter()
            .map(|p| (p.policy_id, EntryGrades::read(&p.sources)))
            .collect();
        let refs: HashMap<i64, PolicyRef<'_>> = stored
            .iter()
            .filter_map(|p| {
                Some((
                    p.policy_id,
                    PolicyRef {
                        key: &p.policy_key,
                        policy: policies.get(p.policy_id)?,
                        grades: grades.get(&p.policy_id)?,
                    },
                ))
            })
            .collect();
        Ok(evaluate((region, &name, year), tallies, &refs, published))
    }

    /// [`Store::standards`] for a region inside `scope`; any other region,
    /// and one that does not exist, is refused alike.
    pub async fn scoped_standards(
        &self,
        scope: &Scope,
        region: &str,
        year: i32,
        published: &Published,
    ) -> Result<Evaluation, StoreError> {
        let refused =
            || StoreError::OutOfScope(format!("地区「{region}」不存在或不在您的管理范围内"));
        let inside = region != NATIONAL
            && RegionCode::parse(region)
                .is_ok_and(|c| region.len() == 6 && scope.contains_region(&c));
        if !inside {
            return Err(refused());
        }
        match self.standards(region, year, published).await {
            Err(StoreError::NotFound(_)) => Err(refused()),
            other => other,
        }
    }

    /// What a standards page offers for `region`: the region itself and
    /// the regions directly under it, (code, name) by code.
    pub async fn region_and_parts(
        &self,
        region: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut out = Vec::new();
        if let Some(name) = self.region_name(region).await? {
            out.push((region.to_string(), name));
        }
        let rows =
            sqlx::query("SELECT code, name FROM regions WHERE parent_code = $1 ORDER BY code")
                .bind(region)
                .fetch_all(self.pool())
                .await?;
        for r in rows {
            out.push((r.try_get("code")?, r.try_get("name")?));
        }
        Ok(out)
    }

    /// The years claims count in (their `basis_year`, else the year of
    /// application), latest first.
    pub async fn claim_years(&self) -> Result<Vec<i32>, StoreError> {
        let years: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT COALESCE(basis_year, CAST(substr(applied_on, 1, 4) AS BIGINT)) AS y \
             FROM claims ORDER BY y DESC",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(years
            .into_iter()
            .filter_map(|y| i32::try_from(y).ok())
            .collect())
    }

    /// The counts and sums of each row.
    async fn tallies(&self, inner: &str, vals: &[Val]) -> Result<Vec<Tally>, StoreError> {
        let (approved, rejected, review, recovered) = (
            codes(&APPROVED),
            codes(&[ClaimStatus::Rejected]),
            codes(&[ClaimStatus::Review]),
            codes(&[ClaimStatus::Recovered]),
        );
        let pending = codes(&[ClaimStatus::Submitted, ClaimStatus::Eligible]);
        let n = |set: &str| {
            format!(
                "CAST(COALESCE(SUM(CASE WHEN k.status IN ({set}) THEN 1 ELSE 0 END), 0) AS BIGINT)"
            )
        };
        let sql = format!(
            "SELECT {KEY}, MAX(o.name) AS occupation_name, COUNT(*) AS claims, \
             {} AS approved, {} AS rejected, {} AS review, {} AS pending, {} AS recovered, \
             CAST(COALESCE(SUM(CASE WHEN k.status IN ({approved}) THEN k.amount_fen ELSE 0 END), 0) AS BIGINT) AS approved_fen, \
             CAST(COALESCE(SUM(k.paid), 0) AS BIGINT) AS paid_fen, \
             COUNT(DISTINCT CASE WHEN k.status IN ({approved}) THEN k.cert_key END) AS certificates \
             FROM ({inner}) k LEFT JOIN occupations o ON o.code = k.occupation \
             WHERE k.paying_region LIKE $2 GROUP BY {KEY}",
            n(&approved),
            n(&rejected),
            n(&review),
            n(&pending),
            n(&recovered),
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), vals)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let counts = Counts {
                    claims: r.try_get("claims")?,
                    approved: r.try_get("approved")?,
                    rejected: r.try_get("rejected")?,
                    review: r.try_get("review")?,
                    pending: r.try_get("pending")?,
                    recovered: r.try_get("recovered")?,
                    approved_fen: r.try_get("approved_fen")?,
                    paid_fen: r.try_get("paid_fen")?,
                    certificates: r.try_get("certificates")?,
                };
                let name: Option<String> = r.try_get("occupation_name")?;
                tally_of(&key_of(r)?, name.unwrap_or_default(), counts)
            })
            .collect()
    }

    /// Adds to each row the reasons its rejected claims were refused for,
    /// read from their stored decisions.
    async fn reasons(
        &self,
        inner: &str,
        vals: &[Val],
        tallies: Vec<Tally>,
    ) -> Result<Vec<Tally>, StoreError> {
        let sql = format!(
            "SELECT {KEY}, k.outcome, k.trace FROM ({inner}) k \
             WHERE k.paying_region LIKE $2 AND k.status = '{}'",
            ClaimStatus::Rejected.code()
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), vals)
            .fetch_all(self.pool())
            .await?;
        let mut by_key: HashMap<Key, Tally> = HashMap::new();
        let mut order: Vec<Key> = Vec::new();
        for t in tallies {
            let key = key_of_tally(&t);
            order.push(key.clone());
            by_key.insert(key, t);
        }
        for r in &rows {
            let outcome: Option<String> = r.try_get("outcome")?;
            let trace: Option<String> = r.try_get("trace")?;
            let lines: Vec<TraceLine> = match trace.as_deref() {
                Some(t) if !t.is_empty() => serde_json::from_str(t)
                    .map_err(|e| StoreError::Corrupt(format!("决定记录无法读取：{e}")))?,
                _ => Vec::new(),
            };
            if let Some(t) = by_key.get_mut(&key_of(r)?) {
                for reason in Reason::of(outcome.as_deref(), &lines) {
                    *t.reasons.entry(reason).or_default() += 1;
                }
            }
        }
        Ok(order
            .into_iter()
            .filter_map(|k| by_key.remove(&k))
            .collect())
    }
}
