//! What a dashboard reads: the aggregate facts (`plan_facts`) under a
//! region, its sub-regions, targets and statistics. Readers bring the
//! facts up to date first (`rebuild.rs`), so they never see stale figures.

use crate::{Store, StoreError};
use jineng_domain::planning::{Area, Fact, Measure, NATIONAL, Period, Statistic, Target, prefix};
use sqlx::Row;

/// Everything a region's dashboard needs for a period: the sub-regions, the
/// facts under the region, the targets and statistics.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DashboardData {
    pub region: String,
    pub name: String,
    pub areas: Vec<Area>,
    pub facts: Vec<Fact>,
    pub targets: Vec<Target>,
    pub statistics: Vec<Statistic>,
}

impl Store {
    /// The facts under `region` (a prefix of its code) in `period`, current
    /// as of this call.
    pub async fn facts_under(&self, region: &str, period: Period) -> Result<Vec<Fact>, StoreError> {
        self.refresh_facts(false).await?;
        let p = prefix(region);
        // A range on the key instead of LIKE, which SQLite would not serve
        // from the index: [p, p + 1) as text.
        let upper = match p.parse::<u64>() {
            Ok(n) => format!("{:0width$}", n + 1, width = p.len()),
            Err(_) => "A".to_string(),
        };
        let rows = sqlx::query(
            "SELECT region_code, year, month, measure, training_type, category, fund_code, value FROM plan_facts
             WHERE year >= $1 AND year <= $2 AND region_code >= $3 AND region_code < $4",
        )
        .bind(period.from as i64)
        .bind(period.to as i64)
        .bind(p)
        .bind(upper.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let m: String = r.try_get("measure")?;
                Ok(Fact {
                    region: r.try_get("region_code")?,
                    year: r.try_get::<i64, _>("year")? as i32,
                    month: r.try_get::<i64, _>("month")? as u32,
                    measure: Measure::from_code(&m)
                        .ok_or_else(|| StoreError::Corrupt(format!("未知的统计口径「{m}」")))?,
                    training_type: r.try_get("training_type")?,
                    category: r.try_get("category")?,
                    fund: r.try_get("fund_code")?,
                    value: r.try_get("value")?,
                })
            })
            .collect()
    }

    /// The sub-regions of `region` (provinces for 全国), without the
    /// placeholders (市辖区) that hold no records.
    pub async fn sub_regions(&self, region: &str) -> Result<Vec<Area>, StoreError> {
        let rows = if region == NATIONAL {
            sqlx::query("SELECT code, name FROM regions WHERE parent_code IS NULL ORDER BY code")
                .fetch_all(self.pool())
                .await?
        } else {
            sqlx::query(
                "SELECT code, name FROM regions WHERE parent_code = $1 AND kind <> 'placeholder' ORDER BY code",
            )
            .bind(region)
            .fetch_all(self.pool())
            .await?
        };
        rows.iter()
            .map(|r| {
                Ok(Area {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    own: false,
                })
            })
            .collect()
    }

    /// Statistics of `region` and its sub-regions.
    pub async fn statistics_under(&self, region: &str) -> Result<Vec<Statistic>, StoreError> {
        let p = prefix(region);
        let rows = sqlx::query(
            "SELECT region_code, year, stat_key, value FROM statistics WHERE region_code LIKE $1 OR region_code = $2 ORDER BY region_code, year",
        )
        .bind(format!("{p}%"))
        .bind(region)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Statistic {
                    region: r.try_get("region_code")?,
                    year: r.try_get::<i64, _>("year")? as i32,
                    key: r.try_get("stat_key")?,
                    value: r.try_get("value")?,
                })
            })
            .collect()
    }

    /// Everything `region`'s dashboard shows for `period`: its sub-regions
    /// (with its own share, 本级, when it has a target or records of its
    /// own), the facts under it, the targets, the statistics.
    pub async fn dashboard_data(
        &self,
        region: &str,
        period: Period,
    ) -> Result<DashboardData, StoreError> {
        let name = self
            .region_name(region)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("行政区划代码 {region} 不存在")))?;
        let facts = self.facts_under(region, period).await?;
        let targets = self.targets().await?;
        let mut areas = Vec::new();
        let own_target = targets
            .iter()
            .find(|t| t.region == region && t.parent == region);
        if own_target.is_some() || facts.iter().any(|f| f.region == region) {
            areas.push(Area {
                code: region.to_string(),
                name: own_target.map(|t| t.name.clone()).unwrap_or("本级".into()),
                own: true,
            });
        }
        areas.extend(self.sub_regions(region).await?);
        Ok(DashboardData {
            region: region.to_string(),
            name,
            areas,
            facts,
            targets,
            statistics: self.statistics_under(region).await?,
        })
    }

    /// The fund sources' names by code.
    pub async fn fund_names(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query("SELECT code, name FROM fund_sources ORDER BY code")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("code")?, r.try_get("name")?)))
            .collect()
    }

    /// The terms of an open vocabulary (person_category, training_type …).
    pub async fn vocabulary_terms(&self, kind: &str) -> Result<Vec<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT term FROM vocabulary WHERE kind = $1 ORDER BY term")
                .bind(kind)
                .fetch_all(self.pool())
                .await?,
        )
    }
}
