//! Reference data in the store: regions, occupations, vocabularies.

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

impl Store {
    /// Loads regions (parents before children), replacing names and flags of
    /// existing codes. Idempotent.
    pub async fn load_regions(&self, rows: &[RegionRow]) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
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
        let n = insert_rows(
            &mut tx,
            "regions",
            &["code", "name", "parent_code", "level", "kind", "national", "county_level"],
            &vals,
            "ON CONFLICT (code) DO UPDATE SET name = excluded.name, parent_code = excluded.parent_code,
             level = excluded.level, kind = excluded.kind, national = excluded.national,
             county_level = excluded.county_level",
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Marks deep-poverty counties (深度贫困县); other regions keep their flag.
    pub async fn set_deep_poverty(&self, codes: &[String], flag: bool) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        for c in codes {
            sqlx::query("UPDATE regions SET deep_poverty = $1 WHERE code = $2")
                .bind(flag as i64)
                .bind(c.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn load_occupations(&self, rows: &[OccupationRow]) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
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
        let n = insert_rows(
            &mut tx,
            "occupations",
            &["code", "level", "name", "mark", "definition"],
            &vals,
            "ON CONFLICT (code) DO UPDATE SET level = excluded.level, name = excluded.name,
             mark = excluded.mark, definition = excluded.definition",
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Adds vocabulary terms `(kind, term, description)`.
    pub async fn load_vocabulary(
        &self,
        rows: &[(String, String, String)],
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let vals: Vec<Vec<Val>> = rows
            .iter()
            .map(|(k, t, d)| vec![Val::text(k), Val::text(t), Val::text(d)])
            .collect();
        let n = insert_rows(
            &mut tx,
            "vocabulary",
            &["kind", "term", "description"],
            &vals,
            "ON CONFLICT (kind, term) DO UPDATE SET description = excluded.description",
        )
        .await?;
        tx.commit().await?;
        Ok(n)
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
