//! Supervision in the store (docs/supervision.md): loaded supervision
//! files, comparison lists, and the cases the checks open. The checks
//! themselves are the domain's (`jineng_domain::supervision`); this module
//! loads their inputs ([`inputs`]), runs them over the whole registry or
//! over one import batch, and records what they find ([`cases`]). The
//! 监管 pages read cases within a scope ([`case_pages`]) and the published
//! ratings and draws ([`published`]).

mod ahead;
#[cfg(feature = "bench")]
mod bench;
mod case_pages;
mod case_records;
mod cases;
mod close;
pub(crate) mod credit;
mod federation;
pub(crate) mod holds;
mod inputs;
mod inspection;
mod published;
mod rows;
mod scan;
mod sessions;
mod teachers;
mod watchlist;

#[cfg(feature = "bench")]
pub use bench::{BenchCounts, BenchRosterLine, SupervisionShape};
pub use case_pages::{CaseListRow, CaseQuery, CaseSort};
pub use case_records::{CaseCert, CaseClaim, CaseClass, CaseDetail, CaseInstitution, CasePerson};
pub use cases::{CaseRow, CaseStatusFilter, ScanCounts};
pub use close::CloseReport;
pub use credit::RatingRow;
pub use federation::{PaidClaim, TagImport, TagMatch};
pub use inspection::DrawRow;
pub use published::{DrawInspector, DrawInstitution, PublishedDraw, PublishedRating, RatingPoint};
pub use scan::ScanMode;
pub(crate) use teachers::set_class_teachers;

use jineng_domain::audit::{Action, Entity};
use jineng_domain::supervision::{Supervision, load};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::audit::Actor;
use crate::{Store, StoreError};

impl Store {
    /// Saves a supervision file's text under its id (`[supervision] id`);
    /// the same text again changes nothing. Returns whether it changed.
    pub async fn save_supervision(
        &self,
        file_name: &str,
        text: &str,
        sup: &Supervision,
        actor: &Actor,
    ) -> Result<bool, StoreError> {
        let sha: String = Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let m = &sup.meta;
        let mut tx = self.begin().await?;
        let old: Option<String> =
            sqlx::query_scalar("SELECT sha256 FROM supervision_files WHERE file_key = $1")
                .bind(&m.id)
                .fetch_optional(&mut *tx)
                .await?;
        if old.as_deref() == Some(sha.as_str()) {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO supervision_files (file_key, file_name, title, doc_no, region_code, source, sha256, loaded_at, actor) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (file_key) DO UPDATE SET file_name = excluded.file_name, title = excluded.title, \
             doc_no = excluded.doc_no, region_code = excluded.region_code, source = excluded.source, \
             sha256 = excluded.sha256, loaded_at = excluded.loaded_at, actor = excluded.actor",
        )
        .bind(&m.id)
        .bind(file_name)
        .bind(&m.title)
        .bind(&m.doc_no)
        .bind(m.region.as_str())
        .bind(text)
        .bind(&sha)
        .bind(crate::audit::now())
        .bind(&actor.0)
        .execute(&mut *tx)
        .await?;
        let before = old.map(|s| serde_json::json!({ "sha256": s }));
        let after = serde_json::json!({
            "title": m.title, "doc_no": m.doc_no, "region": m.region.as_str(), "sha256": sha,
        });
        crate::audit::write_change(
            &mut tx,
            actor,
            Action::LoadSupervision,
            Entity::SupervisionFile,
            m.id.clone(),
            before.as_ref(),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The supervision rules in force: the file loaded last, compiled
    /// against the store's reference data; `None` when none is loaded.
    pub async fn supervision(&self) -> Result<Option<Supervision>, StoreError> {
        let row = sqlx::query(
            "SELECT file_name, source FROM supervision_files ORDER BY loaded_at DESC, file_id DESC LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let name: String = row.try_get("file_name")?;
        let text: String = row.try_get("source")?;
        let refdata = self.ref_data().await?;
        load(&name, &text, &refdata)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// Runs every enabled check over the whole registry, read in chunks of
    /// whole keys ([`ScanMode`]), and opens a case per new finding.
    pub async fn supervise_scan(&self) -> Result<ScanCounts, StoreError> {
        let Some(sup) = self.supervision().await? else {
            return Err(StoreError::NotFound(
                "尚未载入监管规则文件：请先运行 jineng supervise load 文件".into(),
            ));
        };
        let hits = self.scan_hits(&sup, ScanMode::default()).await?;
        self.record_hits(&sup, hits).await
    }

    /// Checks the rows import batch `batch_id` wrote against the stored
    /// rows they touch; nothing when no supervision file is loaded.
    pub async fn supervise_import(&self, batch_id: i64) -> Result<ScanCounts, StoreError> {
        let Some(sup) = self.supervision().await? else {
            return Ok(ScanCounts::default());
        };
        let (batch, rosters) = inputs::of_import(self, batch_id).await?;
        let wanted = batch.wanted(&sup.checks);
        // The touched classes' rosters are what S7 wants (`Batch::wanted`).
        let rosters = (!wanted.classes.is_empty()).then_some(rosters);
        let stored = inputs::stored(self, &batch, &wanted, rosters).await?;
        let hits = sup.checks.run(&batch, &stored);
        self.record_hits(&sup, hits).await
    }
}
