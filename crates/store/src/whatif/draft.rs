//! A what-if draft made ready to replay, the one way for the command line,
//! the page and the API: the draft text classified (full policy or
//! overlay), its base found among the loaded policies and compiled, the
//! draft merged and compiled as `policy load` would, and the indicators
//! the targets are read with. Every refusal is `StoreError::Refused` with
//! the Chinese message that names the file, line and path.

use jineng_domain::planning::IndicatorSet;
use jineng_domain::planning::indicator::{BUILTIN_FILE, BUILTIN_TEXT};
use jineng_domain::policy::overlay::{self, DraftKind};
use jineng_domain::policy::{self, Policy};

use crate::policy::{PolicySet, StoredPolicy, version_label};
use crate::{Store, StoreError};

/// A draft compiled against its loaded base.
#[derive(Debug)]
pub struct Draft {
    /// The base as stored (its current version).
    pub base_row: StoredPolicy,
    /// Every loaded policy compiled; the base is `set.get(base_row.policy_id)`.
    pub set: PolicySet,
    pub draft: Policy,
    /// The overlay's `title` ("" for a full policy file).
    pub title: String,
    /// The paths the overlay set, in file order (none for a full file).
    pub changes: Vec<String>,
    /// The draft text's SHA-256, for the audit row.
    pub sha256: String,
}

impl Draft {
    /// The base policy, compiled.
    pub fn base(&self) -> &Policy {
        self.set
            .get(self.base_row.policy_id)
            .expect("the base was checked to compile")
    }

    /// 「liaocheng-2019 第 1 版（摘要 …）」
    pub fn base_label(&self) -> String {
        version_label(
            &self.base_row.policy_key,
            self.base_row.version_no,
            &self.base_row.sha256,
        )
    }
}

fn refused(e: impl std::fmt::Display) -> StoreError {
    StoreError::Refused(e.to_string())
}

impl Store {
    /// Reads the draft `text` (file `name`). A full policy file's other
    /// files (`extends`) are read with `read`, else taken from the base's
    /// stored files of the same name; an overlay needs no other file.
    pub async fn whatif_draft(
        &self,
        name: &str,
        text: &str,
        read: &mut (dyn FnMut(&str) -> Result<String, String> + Send),
    ) -> Result<Draft, StoreError> {
        let kind = overlay::kind(name, text).map_err(refused)?;
        let refdata = self.ref_data().await?;
        let stored = self.policies().await?;
        let Some(base_row) = stored.into_iter().find(|p| p.policy_key == kind.base()) else {
            return Err(refused(format!(
                "草案所依据的政策「{}」尚未载入：请先运行 jineng policy load",
                kind.base()
            )));
        };
        let set = self.policy_set().await?;
        if set.get(base_row.policy_id).is_none() {
            return Err(StoreError::Refused(format!(
                "政策「{}」无法编译",
                base_row.policy_key
            )));
        }
        let (draft, title, changes) = match &kind {
            DraftKind::Overlay(_) => {
                let a = overlay::apply(name, text, &base_row.sources, &refdata).map_err(refused)?;
                (a.policy, a.head.title, a.changes)
            }
            DraftKind::Full { .. } => {
                let stored_files = &base_row.sources.files;
                let mut from = |n: &str| -> Result<String, String> {
                    if n == name {
                        return Ok(text.to_string());
                    }
                    read(n).or_else(|e| {
                        let base = |f: &str| f.rsplit(['/', '\\']).next().unwrap_or(f).to_string();
                        stored_files
                            .iter()
                            .find(|(f, _)| f == n || base(f) == base(n))
                            .map(|(_, t)| t.clone())
                            .ok_or(e)
                    })
                };
                let (p, _) = policy::load(name, &mut from, &refdata).map_err(refused)?;
                (p, String::new(), Vec::new())
            }
        };
        Ok(Draft {
            base_row,
            set,
            draft,
            title,
            changes,
            sha256: overlay::digest(text),
        })
    }

    /// The indicators targets are read with: the store's, or the
    /// repository's file when the store was given none.
    pub async fn whatif_indicators(&self) -> Result<IndicatorSet, StoreError> {
        match self.indicator_set().await? {
            s if s.indicators.is_empty() => IndicatorSet::parse(BUILTIN_FILE, BUILTIN_TEXT)
                .map_err(|e| StoreError::Refused(e.to_string())),
            s => Ok(s),
        }
    }
}
