//! Reference data in the store: regions, occupations, vocabularies.

pub(crate) mod regions;

use crate::sql::{Val, insert_rows};
use crate::{Store, StoreError};
pub use jineng_domain::refdata::{OccupationRow, RefData, RegionRow};
use serde::Serialize;
use sqlx::Row;

/// How many regions of each level and occupations the store holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RegionCounts {
    pub provinces: i64,
    pub prefectures: i64,
    pub counties: i64,
    pub deployment_regions: i64,
    pub occupations: i64,
    pub vocabulary_terms: i64,
}

/// Writes reference rows in one transaction; rows whose key exists are
/// replaced, so loading twice changes nothing.
async fn replace_all(
    store: &Store,
    table: &str,
    columns: &[&str],
    keys: &[&str],
    rows: &[Vec<Val>],
) -> Result<u64, StoreError> {
    let set: Vec<String> = columns
        .iter()
        .filter(|c| !keys.contains(c))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let suffix = format!(
        "ON CONFLICT ({}) DO UPDATE SET {}",
        keys.join(", "),
        set.join(", ")
    );
    let mut tx = store.begin().await?;
    let n = insert_rows(&mut tx, table, columns, rows, &suffix).await?;
    tx.commit().await?;
    Ok(n)
}

impl Store {
    /// Loads regions (parents before children). Idempotent.
    pub async fn load_regions(&self, rows: &[RegionRow]) -> Result<u64, StoreError> {
        let vals: Vec<Vec<Val>> = rows
            .iter()
            .map(|r| {
                vec![
                    Val::text(&r.code),
                    Val::text(&r.name),
                    Val::opt_text(r.parent.as_ref()),
                    Val::text(r.level),
                    Val::text(r.kind),
                    Val::int(r.national as i64),
                    Val::int(r.county_level as i64),
                ]
            })
            .collect();
        let cols = [
            "code",
            "name",
            "parent_code",
            "level",
            "kind",
            "national",
            "county_level",
        ];
        replace_all(self, "regions", &cols, &["code"], &vals).await
    }

    /// Loads the occupational classification. Idempotent.
    pub async fn load_occupations(&self, rows: &[OccupationRow]) -> Result<u64, StoreError> {
        let vals: Vec<Vec<Val>> = rows
            .iter()
            .map(|r| {
                vec![
                    Val::text(&r.code),
                    Val::int(r.level),
                    Val::text(&r.name),
                    Val::text(&r.mark),
                    Val::text(&r.definition),
                ]
            })
            .collect();
        let cols = ["code", "level", "name", "mark", "definition"];
        replace_all(self, "occupations", &cols, &["code"], &vals).await
    }

    /// Adds vocabulary terms `(kind, term, description)`. Idempotent.
    pub async fn load_vocabulary(
        &self,
        rows: &[(String, String, String)],
    ) -> Result<u64, StoreError> {
        let vals: Vec<Vec<Val>> = rows
            .iter()
            .map(|(k, t, d)| vec![Val::text(k), Val::text(t), Val::text(d)])
            .collect();
        replace_all(
            self,
            "vocabulary",
            &["kind", "term", "description"],
            &["kind", "term"],
            &vals,
        )
        .await
    }

    pub async fn reference_counts(&self) -> Result<RegionCounts, StoreError> {
        let row = sqlx::query(
            "SELECT
               (SELECT COUNT(*) FROM regions WHERE level = 'province' AND national = 1) AS provinces,
               (SELECT COUNT(*) FROM regions WHERE level = 'prefecture' AND national = 1) AS prefectures,
               (SELECT COUNT(*) FROM regions WHERE (level = 'county' OR county_level = 1) AND national = 1) AS counties,
               (SELECT COUNT(*) FROM regions WHERE national = 0) AS deployment_regions,
               (SELECT COUNT(*) FROM occupations WHERE level = 4) AS occupations,
               (SELECT COUNT(*) FROM vocabulary) AS vocabulary_terms",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(RegionCounts {
            provinces: row.try_get("provinces")?,
            prefectures: row.try_get("prefectures")?,
            counties: row.try_get("counties")?,
            deployment_regions: row.try_get("deployment_regions")?,
            occupations: row.try_get("occupations")?,
            vocabulary_terms: row.try_get("vocabulary_terms")?,
        })
    }

    /// The reference data rows are checked against while parsing.
    pub async fn ref_data(&self) -> Result<RefData, StoreError> {
        let mut r = RefData::default();
        for row in sqlx::query("SELECT code, name, level FROM regions")
            .fetch_all(self.pool())
            .await?
        {
            let code: String = row.try_get("code")?;
            if row.try_get::<String, _>("level")? == "province" {
                r.provinces.insert(code[..2].to_string());
            }
            r.regions.insert(code, row.try_get("name")?);
        }
        for row in sqlx::query("SELECT code, name FROM occupations WHERE level = 4")
            .fetch_all(self.pool())
            .await?
        {
            r.occupations
                .insert(row.try_get("code")?, row.try_get("name")?);
        }
        for row in sqlx::query("SELECT kind, term FROM vocabulary ORDER BY kind, term")
            .fetch_all(self.pool())
            .await?
        {
            r.vocab
                .entry(row.try_get("kind")?)
                .or_default()
                .push(row.try_get("term")?);
        }
        if r.provinces.is_empty() {
            return Err(StoreError::NotFound(
                "参考数据尚未载入：请先运行 jineng init".into(),
            ));
        }
        Ok(r)
    }
}
