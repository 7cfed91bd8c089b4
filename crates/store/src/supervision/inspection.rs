//! 双随机 in the store: the inspectors list, the published draws with
//! what re-runs them, and the inspection results.

use jineng_domain::audit::{Action, Entity};
use jineng_domain::inspection::{Draw, InspectorRecord};
use serde::Serialize;
use sqlx::Row;

use crate::audit::Actor;
use crate::imports::batch::{ImportBatch, RowOutcome};
use crate::{Store, StoreError};

/// A stored draw.
#[derive(Debug, Clone, Serialize)]
pub struct DrawRow {
    pub draw_no: String,
    pub year: i64,
    pub seed: String,
    pub algorithm: String,
    pub institutions: Vec<String>,
    pub inspectors: Vec<String>,
    pub institutions_digest: String,
    pub inspectors_digest: String,
}

impl Store {
    /// 检查人员 rows; the same row again is unchanged.
    pub async fn import_inspectors(
        &self,
        batch: &ImportBatch,
        rows: &[(u64, InspectorRecord)],
    ) -> Result<Vec<(u64, RowOutcome)>, StoreError> {
        let mut tx = self.begin().await?;
        let now = crate::audit::now();
        let mut out = Vec::with_capacity(rows.len());
        for (n, r) in rows {
            let old: Option<(String, String)> =
                sqlx::query_as("SELECT name, unit FROM inspectors WHERE inspector_code = $1")
                    .bind(&r.code)
                    .fetch_optional(&mut *tx)
                    .await?;
            let outcome = RowOutcome::compared(old.as_ref(), &(r.name.clone(), r.unit.clone()));
            if outcome != RowOutcome::Unchanged && !batch.dry_run() {
                sqlx::query(
                    "INSERT INTO inspectors (inspector_code, name, unit, batch_id, updated_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (inspector_code) DO UPDATE SET name = excluded.name, unit = excluded.unit, \
                     batch_id = excluded.batch_id, updated_at = excluded.updated_at",
                )
                .bind(&r.code)
                .bind(&r.name)
                .bind(&r.unit)
                .bind(batch.id)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
            out.push((*n, outcome));
        }
        tx.commit().await?;
        Ok(out)
    }

    /// The published candidate lists: active institutions' credit codes
    /// and the inspectors' numbers.
    pub async fn draw_candidates(&self) -> Result<(Vec<String>, Vec<String>), StoreError> {
        let inst = sqlx::query_scalar(
            "SELECT credit_code FROM institutions WHERE status = 'active' ORDER BY credit_code",
        )
        .fetch_all(self.pool())
        .await?;
        let insp =
            sqlx::query_scalar("SELECT inspector_code FROM inspectors ORDER BY inspector_code")
                .fetch_all(self.pool())
                .await?;
        Ok((inst, insp))
    }

    /// Records a draw under the next number of its year (audited).
    pub async fn save_draw(
        &self,
        year: i32,
        d: &Draw,
        actor: &Actor,
    ) -> Result<DrawRow, StoreError> {
        let mut tx = self.begin().await?;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inspection_draws WHERE year = $1")
            .bind(i64::from(year))
            .fetch_one(&mut *tx)
            .await?;
        let row = DrawRow {
            draw_no: format!("CJ-{year}-{:03}", n + 1),
            year: i64::from(year),
            seed: d.seed.clone(),
            algorithm: d.algorithm.to_string(),
            institutions: d.institutions.clone(),
            inspectors: d.inspectors.clone(),
            institutions_digest: d.institutions_digest.clone(),
            inspectors_digest: d.inspectors_digest.clone(),
        };
        sqlx::query(
            "INSERT INTO inspection_draws (draw_no, year, seed, algorithm, institutions, inspectors, institutions_digest, inspectors_digest, drawn_at, actor) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&row.draw_no)
        .bind(row.year)
        .bind(&row.seed)
        .bind(&row.algorithm)
        .bind(serde_json::to_string(&row.institutions).unwrap_or_default())
        .bind(serde_json::to_string(&row.inspectors).unwrap_or_default())
        .bind(&row.institutions_digest)
        .bind(&row.inspectors_digest)
        .bind(crate::audit::now())
        .bind(&actor.0)
        .execute(&mut *tx)
        .await?;
        let after = serde_json::to_value(&row).unwrap_or_default();
        crate::audit::write_change(
            &mut tx,
            actor,
            Action::Draw,
            Entity::InspectionDraw,
            row.draw_no.clone(),
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Records the result of inspecting a drawn institution.
    pub async fn record_inspection(
        &self,
        draw_no: &str,
        institution: &str,
        result: &str,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let row =
            sqlx::query("SELECT draw_id, institutions FROM inspection_draws WHERE draw_no = $1")
                .bind(draw_no)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("没有编号为「{draw_no}」的抽查")))?;
        let picked: Vec<String> =
            serde_json::from_str(&row.try_get::<String, _>("institutions")?).unwrap_or_default();
        if !picked.iter().any(|p| p == institution) {
            return Err(StoreError::Refused(format!(
                "机构「{institution}」不在抽查「{draw_no}」的抽中名单中"
            )));
        }
        if result.trim().is_empty() {
            return Err(StoreError::Refused("抽查结果不能为空".into()));
        }
        let draw_id: i64 = row.try_get("draw_id")?;
        sqlx::query(
            "INSERT INTO inspection_results (draw_id, institution_code, result, recorded_at, actor) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (draw_id, institution_code) DO UPDATE SET result = excluded.result, \
             recorded_at = excluded.recorded_at, actor = excluded.actor",
        )
        .bind(draw_id)
        .bind(institution)
        .bind(result.trim())
        .bind(crate::audit::now())
        .bind(&actor.0)
        .execute(&mut *tx)
        .await?;
        crate::audit::write_change(
            &mut tx,
            actor,
            Action::InspectionResult,
            Entity::InspectionDraw,
            format!("{draw_no}/{institution}"),
            None,
            Some(&serde_json::json!({ "result": result.trim() })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
