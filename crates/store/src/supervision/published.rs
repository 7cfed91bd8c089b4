//! What the 监管 pages and the public pages (一公开) read of credit and
//! 双随机: ratings with their institution's name, paged and filtered by
//! year; draws with the picked institutions and inspectors named and the
//! results recorded; and recording a result within an account's scope.
//! None of it carries a person's data: ratings and draws are about
//! institutions and the inspectors of a published list.

use chrono::NaiveDate;
use jineng_domain::Stamp;
use jineng_domain::access::Scope;
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

use crate::audit::Actor;
use crate::claims::scoped::{Subject, filter, has_nul};
use crate::row::Typed;
use crate::sql::{Val, bind_all};
use crate::supervision::DrawRow;
use crate::{Store, StoreError};

/// A point of a rating: its delta and reason.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct RatingPoint {
    pub delta: i64,
    pub reason: String,
}

/// A rating with its institution.
#[derive(Debug, Clone, Serialize)]
pub struct PublishedRating {
    pub institution_code: String,
    pub institution_name: String,
    pub year: i64,
    /// 培训机构 | 评价机构
    pub kind: String,
    pub score: i64,
    pub grade: String,
    pub points: Vec<RatingPoint>,
    pub removed_from: Option<NaiveDate>,
    pub no_advances: bool,
    pub rated_on: NaiveDate,
}

/// A picked institution of a draw, with its result when recorded.
#[derive(Debug, Clone, Serialize)]
pub struct DrawInstitution {
    pub credit_code: String,
    pub name: String,
    pub region_code: String,
    pub result: Option<String>,
    pub recorded_at: Option<Stamp>,
}

/// A picked inspector (检查人员), from the published list.
#[derive(Debug, Clone, Serialize)]
pub struct DrawInspector {
    pub code: String,
    pub name: String,
    pub unit: String,
}

/// A draw as published: what re-runs it, whom it picked, the results.
#[derive(Debug, Clone, Serialize)]
pub struct PublishedDraw {
    pub draw_no: String,
    pub year: i64,
    pub seed: String,
    pub algorithm: String,
    pub institutions_digest: String,
    pub inspectors_digest: String,
    pub drawn_at: Stamp,
    pub institutions: Vec<DrawInstitution>,
    pub inspectors: Vec<DrawInspector>,
}

impl PublishedDraw {
    /// How many picked institutions have a result.
    pub fn recorded(&self) -> usize {
        self.institutions
            .iter()
            .filter(|i| i.result.is_some())
            .count()
    }

    /// The stored draw (as `inspect draw --json` prints it).
    pub fn as_row(&self) -> DrawRow {
        DrawRow {
            draw_no: self.draw_no.clone(),
            year: self.year,
            seed: self.seed.clone(),
            algorithm: self.algorithm.clone(),
            institutions: self
                .institutions
                .iter()
                .map(|i| i.credit_code.clone())
                .collect(),
            inspectors: self.inspectors.iter().map(|i| i.code.clone()).collect(),
            institutions_digest: self.institutions_digest.clone(),
            inspectors_digest: self.inspectors_digest.clone(),
        }
    }
}

fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

impl Store {
    /// The years rated, latest first.
    pub async fn rating_years(&self) -> Result<Vec<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT DISTINCT year FROM credit_ratings ORDER BY year DESC")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// How many ratings of `year` (all years when `None`).
    pub async fn rating_count(&self, year: Option<i64>) -> Result<i64, StoreError> {
        let (cond, vals) = year_cond(year);
        Ok(bind_all(
            sqlx::query(AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM credit_ratings r {cond}"
            ))),
            &vals,
        )
        .fetch_one(self.pool())
        .await?
        .try_get(0)?)
    }

    /// Ratings with their institution's name: latest year first, then by
    /// grade (D first: the consequences matter most) and name.
    pub async fn published_ratings(
        &self,
        year: Option<i64>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<PublishedRating>, StoreError> {
        let (cond, vals) = year_cond(year);
        let sql = format!(
            "SELECT r.institution_code, COALESCE(i.name, r.institution_code) AS name, r.year, r.kind, r.score, \
             r.grade, r.points, r.removed_from, r.no_advances, r.rated_on \
             FROM credit_ratings r LEFT JOIN institutions i ON i.credit_code = r.institution_code {cond} \
             ORDER BY r.year DESC, r.grade DESC, r.score, name LIMIT {} OFFSET {}",
            limit.max(0),
            offset.max(0)
        );
        let rows = self.rows_bound(sql, &vals).await?;
        rows.iter()
            .map(|r| {
                let rating = crate::supervision::credit::rating_row(r)?;
                Ok(PublishedRating {
                    institution_name: r.try_get("name")?,
                    // Stored JSON that is no list of points shows none.
                    points: serde_json::from_value(rating.points).unwrap_or_default(),
                    institution_code: rating.institution_code,
                    year: rating.year,
                    kind: rating.kind,
                    score: rating.score,
                    grade: rating.grade,
                    removed_from: rating.removed_from,
                    no_advances: rating.no_advances,
                    rated_on: rating.rated_on,
                })
            })
            .collect()
    }

    pub async fn draw_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM inspection_draws")
            .fetch_one(self.pool())
            .await?)
    }

    /// Draws, latest first, with the picked institutions and inspectors
    /// named and the results recorded.
    pub async fn published_draws(
        &self,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<PublishedDraw>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT draw_id, draw_no, year, seed, algorithm, institutions, inspectors, institutions_digest, \
             inspectors_digest, drawn_at FROM inspection_draws ORDER BY drawn_at DESC, draw_id DESC \
             LIMIT {} OFFSET {}",
            limit.max(0),
            offset.max(0)
        )))
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(self.published_draw_of(&r).await?);
        }
        Ok(out)
    }

    /// One draw by number.
    pub async fn published_draw(&self, draw_no: &str) -> Result<PublishedDraw, StoreError> {
        let missing = || StoreError::NotFound(format!("没有编号为「{draw_no}」的抽查"));
        if has_nul(draw_no) {
            return Err(missing());
        }
        let r = sqlx::query(
            "SELECT draw_id, draw_no, year, seed, algorithm, institutions, inspectors, institutions_digest, \
             inspectors_digest, drawn_at FROM inspection_draws WHERE draw_no = $1",
        )
        .bind(draw_no)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(missing)?;
        self.published_draw_of(&r).await
    }

    async fn published_draw_of(&self, r: &sqlx::any::AnyRow) -> Result<PublishedDraw, StoreError> {
        let draw_id: i64 = r.try_get("draw_id")?;
        let mut institutions = Vec::new();
        for code in json_list(&r.try_get::<String, _>("institutions")?) {
            let i =
                sqlx::query("SELECT name, region_code FROM institutions WHERE credit_code = $1")
                    .bind(&code)
                    .fetch_optional(self.pool())
                    .await?;
            let res = sqlx::query(
                "SELECT result, recorded_at FROM inspection_results WHERE draw_id = $1 AND institution_code = $2",
            )
            .bind(draw_id)
            .bind(&code)
            .fetch_optional(self.pool())
            .await?;
            institutions.push(DrawInstitution {
                name: match &i {
                    Some(i) => i.try_get("name")?,
                    None => code.clone(),
                },
                region_code: match &i {
                    Some(i) => i.try_get("region_code")?,
                    None => String::new(),
                },
                result: res.as_ref().map(|x| x.try_get("result")).transpose()?,
                recorded_at: res.as_ref().map(|x| x.stamp("recorded_at")).transpose()?,
                credit_code: code,
            });
        }
        let mut inspectors = Vec::new();
        for code in json_list(&r.try_get::<String, _>("inspectors")?) {
            let i = sqlx::query("SELECT name, unit FROM inspectors WHERE inspector_code = $1")
                .bind(&code)
                .fetch_optional(self.pool())
                .await?;
            inspectors.push(DrawInspector {
                name: match &i {
                    Some(i) => i.try_get("name")?,
                    None => String::new(),
                },
                unit: match &i {
                    Some(i) => i.try_get("unit")?,
                    None => String::new(),
                },
                code,
            });
        }
        Ok(PublishedDraw {
            draw_no: r.try_get("draw_no")?,
            year: r.try_get("year")?,
            seed: r.try_get("seed")?,
            algorithm: r.try_get("algorithm")?,
            institutions_digest: r.try_get("institutions_digest")?,
            inspectors_digest: r.try_get("inspectors_digest")?,
            drawn_at: r.stamp("drawn_at")?,
            institutions,
            inspectors,
        })
    }

    /// Whether an institution (by credit code) lies in the scope.
    pub async fn institution_in_scope(
        &self,
        scope: &Scope,
        credit_code: &str,
    ) -> Result<bool, StoreError> {
        if has_nul(credit_code) {
            return Ok(false);
        }
        let (cond, val) = filter(scope, Subject::Institution, 1);
        let vals = [val, Val::text(credit_code)];
        let sql =
            format!("SELECT COUNT(*) FROM institutions i WHERE i.credit_code = $2 AND {cond}");
        let n: i64 = bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_one(self.pool())
            .await?
            .try_get(0)?;
        Ok(n > 0)
    }

    /// Records an inspection result for a drawn institution in the scope
    /// (audited by `record_inspection`).
    pub async fn scoped_record_inspection(
        &self,
        scope: &Scope,
        draw_no: &str,
        institution: &str,
        result: &str,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        if !self.institution_in_scope(scope, institution).await? {
            return Err(StoreError::OutOfScope(format!(
                "机构「{institution}」不存在或不在您的管理范围内"
            )));
        }
        if has_nul(result) {
            return Err(StoreError::Refused(
                "抽查结果含有无法保存的控制字符（NUL），请删除后重试".into(),
            ));
        }
        self.record_inspection(draw_no, institution, result, actor)
            .await
    }
}

fn year_cond(year: Option<i64>) -> (String, Vec<Val>) {
    match year {
        Some(y) => ("WHERE r.year = $1".into(), vec![Val::int(y)]),
        None => (String::new(), Vec::new()),
    }
}
