//! Cases (线索): opening one per new evidence fingerprint, adding newly
//! named records to an open case, listing, and closing with a finding.
//! A case closed either way is never reopened by the same evidence.
//! Closing, and what a finding does, is [`super::close`].

use jineng_domain::audit::{Action, Entity};
use std::collections::BTreeMap;

use jineng_domain::national_id::mask_id;
use jineng_domain::supervision::case::CaseStatus;
use jineng_domain::supervision::{CheckId, Hit, Supervision};
use serde::Serialize;
use sqlx::Row;

use crate::audit::{Actor, AuditEntry};
use crate::row::Typed;
use crate::{Store, StoreError};

/// What a scan found, per check.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ScanCounts {
    /// Enabled checks in order, with (hits, new cases).
    pub checks: Vec<CheckCount>,
    pub hits: u64,
    pub opened: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckCount {
    pub check: String,
    pub title: String,
    pub hits: u64,
    pub opened: u64,
}

/// Which cases to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseStatusFilter {
    Open,
    Closed,
    All,
}

/// A case as listed: persons masked.
#[derive(Debug, Clone, Serialize)]
pub struct CaseRow {
    pub case_no: String,
    pub check: String,
    pub severity: String,
    /// Serialized as its code (`open`, `closed_true`, `closed_not_true`).
    #[serde(serialize_with = "as_code")]
    pub status: CaseStatus,
    pub claim_nos: Vec<String>,
    pub class_nos: Vec<String>,
    pub cert_nos: Vec<String>,
    pub institution_codes: Vec<String>,
    pub persons: Vec<String>,
    pub evidence: String,
    pub clause: String,
}

fn as_code<S: serde::Serializer>(s: &CaseStatus, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.code())
}

/// The records of a hit as (kind, key) rows.
fn record_rows(hit: &Hit) -> Vec<(&'static str, &str)> {
    let k = &hit.keys;
    let sets = [
        ("claim", &k.claim_nos),
        ("class", &k.class_nos),
        ("cert", &k.cert_nos),
        ("institution", &k.institution_codes),
        ("person", &k.persons),
    ];
    sets.into_iter()
        .flat_map(|(kind, set)| set.iter().map(move |v| (kind, v.as_str())))
        .collect()
}

impl Store {
    /// Opens a case per hit whose fingerprint is new; adds the newly named
    /// records to a still open case; leaves closed cases as closed.
    pub(crate) async fn record_hits(
        &self,
        sup: &Supervision,
        hits: Vec<Hit>,
    ) -> Result<ScanCounts, StoreError> {
        let mut per: BTreeMap<CheckId, (u64, u64)> = sup
            .checks
            .enabled()
            .into_iter()
            .map(|c| (c, (0, 0)))
            .collect();
        let now = crate::audit::now();
        let year = &now[..4];
        let mut tx = self.begin().await?;
        let mut seq: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM supervision_cases WHERE case_no LIKE $1")
                .bind(format!("XS-{year}-%"))
                .fetch_one(&mut *tx)
                .await?;
        let mut opened = Vec::new();
        for hit in &hits {
            per.entry(hit.check).or_default().0 += 1;
            let existing =
                sqlx::query("SELECT case_id, status FROM supervision_cases WHERE fingerprint = $1")
                    .bind(hit.fingerprint.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            let case_id: i64 = match existing {
                Some(r) => {
                    let status: String = r.try_get("status")?;
                    if status != CaseStatus::Open.code() {
                        continue;
                    }
                    r.try_get("case_id")?
                }
                None => {
                    seq += 1;
                    let case_no = format!("XS-{year}-{seq:04}");
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO supervision_cases (case_no, check_id, severity, status, fingerprint, evidence, doc_no, clause, opened_at) \
                         VALUES ($1, $2, $3, 'open', $4, $5, $6, $7, $8) RETURNING case_id",
                    )
                    .bind(&case_no)
                    .bind(hit.check.as_str())
                    .bind(hit.severity.as_zh())
                    .bind(hit.fingerprint.as_str())
                    .bind(&hit.evidence)
                    .bind(&hit.cite.doc_no)
                    .bind(&hit.cite.clause)
                    .bind(&now)
                    .fetch_one(&mut *tx)
                    .await?;
                    per.entry(hit.check).or_default().1 += 1;
                    opened.push(AuditEntry::change(
                        Action::OpenCase,
                        Entity::SupervisionCase,
                        case_no,
                        None,
                        Some(&serde_json::json!({
                            "check": hit.check.as_str(), "severity": hit.severity.as_zh(),
                            "evidence": hit.evidence,
                        })),
                    ));
                    id
                }
            };
            for (kind, key) in record_rows(hit) {
                sqlx::query(
                    "INSERT INTO supervision_case_records (case_id, kind, record_key) VALUES ($1, $2, $3) \
                     ON CONFLICT (case_id, kind, record_key) DO NOTHING",
                )
                .bind(case_id)
                .bind(kind)
                .bind(key)
                .execute(&mut *tx)
                .await?;
            }
        }
        crate::audit::write(&mut tx, &Actor("system:supervision".into()), None, &opened).await?;
        tx.commit().await?;
        let checks: Vec<CheckCount> = per
            .into_iter()
            .map(|(c, (hits, opened))| CheckCount {
                check: c.as_str().to_string(),
                title: c.title_zh().to_string(),
                hits,
                opened,
            })
            .collect();
        Ok(ScanCounts {
            hits: checks.iter().map(|c| c.hits).sum(),
            opened: checks.iter().map(|c| c.opened).sum(),
            checks,
        })
    }

    /// Cases by status, oldest first, persons masked.
    pub async fn supervision_cases(
        &self,
        filter: CaseStatusFilter,
    ) -> Result<Vec<CaseRow>, StoreError> {
        let cond = match filter {
            CaseStatusFilter::Open => "WHERE status = 'open'",
            CaseStatusFilter::Closed => "WHERE status <> 'open'",
            CaseStatusFilter::All => "",
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT case_id, case_no, check_id, severity, status, evidence, doc_no, clause \
             FROM supervision_cases {cond} ORDER BY case_id"
        )))
        .fetch_all(self.pool())
        .await?;
        let records = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT case_id, kind, record_key FROM supervision_case_records \
             WHERE case_id IN (SELECT case_id FROM supervision_cases {cond}) \
             ORDER BY case_id, kind, record_key"
        )))
        .fetch_all(self.pool())
        .await?;
        let mut by_case: BTreeMap<i64, Vec<(String, String)>> = BTreeMap::new();
        for r in records {
            by_case
                .entry(r.try_get("case_id")?)
                .or_default()
                .push((r.try_get("kind")?, r.try_get("record_key")?));
        }
        rows.into_iter()
            .map(|r| {
                let id: i64 = r.try_get("case_id")?;
                let of = |kind: &str| -> Vec<String> {
                    by_case
                        .get(&id)
                        .into_iter()
                        .flatten()
                        .filter(|(k, _)| k == kind)
                        .map(|(_, v)| v.clone())
                        .collect()
                };
                let doc_no: String = r.try_get("doc_no")?;
                let clause: String = r.try_get("clause")?;
                Ok(CaseRow {
                    case_no: r.try_get("case_no")?,
                    check: r.try_get("check_id")?,
                    severity: r.try_get("severity")?,
                    status: r.code("status", CaseStatus::from_code)?,
                    claim_nos: of("claim"),
                    class_nos: of("class"),
                    cert_nos: of("cert"),
                    institution_codes: of("institution"),
                    persons: of("person").iter().map(|p| mask_id(p)).collect(),
                    evidence: r.try_get("evidence")?,
                    clause: format!("{doc_no} {clause}"),
                })
            })
            .collect()
    }
}
