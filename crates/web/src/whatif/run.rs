//! A what-if replay for an account, the page's and the API's alike: the
//! dates checked, the draft read against its loaded base (the store's
//! `whatif_draft`, as `jineng policy whatif` reads a file), and the replay
//! narrowed to the account's region (`WhatIfRun::region`), with the
//! account's login in the audit row.

use super::runs::{MAX_CHANGED, Run};
use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use chrono::NaiveDate;
use jineng_domain::access::{Action, Scope};
use jineng_domain::policy::whatif::ChangedClaim;
use jineng_store::{StoreError, WhatIfRun};

/// The largest draft accepted (a whole policy file is about 12 KB).
pub const MAX_DRAFT_KB: usize = 256;

/// What to replay: the draft's file name and text, and the period.
#[derive(Debug, Clone, Default)]
pub struct Ask {
    pub name: String,
    pub text: String,
    pub from: String,
    pub to: String,
}

/// Why a run did not happen: the draft or the dates (shown beside the
/// form, naming the file, line and path), or anything else.
#[derive(Debug)]
pub enum Refusal {
    Draft(String),
    From(String),
    To(String),
    Other(AppError),
}

impl Refusal {
    pub fn message(&self) -> String {
        match self {
            Refusal::Draft(m) | Refusal::From(m) | Refusal::To(m) => m.clone(),
            Refusal::Other(e) => e.message(),
        }
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> AppError {
        match r {
            Refusal::Other(e) => e,
            r => AppError::BadRequest(r.message()),
        }
    }
}

impl From<AppError> for Refusal {
    fn from(e: AppError) -> Refusal {
        Refusal::Other(e)
    }
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Refusal {
        Refusal::Other(e.into())
    }
}

/// The draft's file name as messages and the audit row name it: without
/// a directory or control characters, at most 80 characters.
pub fn clean_name(raw: &str) -> String {
    let name: String = raw
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(80)
        .collect();
    match name.trim() {
        "" => "草案.toml".into(),
        n => n.to_string(),
    }
}

fn date(label: &str, raw: &str) -> Result<Option<NaiveDate>, String> {
    match raw.trim() {
        "" => Ok(None),
        s => jineng_domain::parse_date(s)
            .map(Some)
            .map_err(|e| format!("{label}「{s}」：{}", e.message())),
    }
}

/// The account's region: only region accounts that may read the
/// standards may run a draft.
pub fn region_of(user: &User) -> Result<jineng_domain::RegionCode, AppError> {
    user.require(Action::ViewProgress)?;
    match user.scope() {
        Scope::Region(r) => Ok(r.clone()),
        _ => Err(AppError::forbidden()),
    }
}

/// Replays `ask` for `user`. With `keep_changed`, the changed claims are
/// kept (in claim-number order, at most [`MAX_CHANGED`]).
pub async fn replay(
    state: &AppState,
    user: &User,
    ask: &Ask,
    keep_changed: bool,
) -> Result<Run, Refusal> {
    let region = region_of(user)?;
    let from = date("测算期起", &ask.from).map_err(Refusal::From)?;
    let to = date("测算期止", &ask.to).map_err(Refusal::To)?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(Refusal::To(format!("测算期起 {f} 晚于测算期止 {t}")));
    }
    if ask.text.trim().is_empty() {
        return Err(Refusal::Draft("请选择政策草案文件（.toml）".into()));
    }
    // A draft is a file name for the messages only: nothing is read from
    // disk, a full policy's `extends` comes from the base's stored files.
    let mut no_disk = |n: &str| Err(format!("「{n}」须为已载入的基础政策的文件"));
    let d = match state
        .store
        .whatif_draft(&ask.name, &ask.text, &mut no_disk)
        .await
    {
        Ok(d) => d,
        Err(StoreError::Refused(why)) => return Err(Refusal::Draft(why)),
        Err(e) => return Err(e.into()),
    };
    let indicators = state.store.whatif_indicators().await?;
    let actor = user.actor();
    let run = WhatIfRun {
        base_id: d.base_row.policy_id,
        base: d.base(),
        draft: &d.draft,
        from,
        to,
        today: chrono::Local::now().date_naive(),
        draft_name: &ask.name,
        draft_sha256: &d.sha256,
        indicators: &indicators,
        region: Some(&region),
    };
    let mut changed: Vec<ChangedClaim> = Vec::new();
    let mut keep = |v: Vec<ChangedClaim>| {
        if keep_changed {
            let room = MAX_CHANGED.saturating_sub(changed.len());
            changed.extend(v.into_iter().take(room));
        }
    };
    let report = state
        .store
        .policy_whatif(&run, &d.set, &actor, &mut keep)
        .await?;
    changed.sort_by(|a, b| a.claim_no.cmp(&b.claim_no));
    let refdata = state.store.ref_data().await?;
    Ok(Run {
        id: 0,
        account_id: user.account.account_id,
        at: chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string(),
        draft_name: ask.name.clone(),
        changes: d.changes.clone(),
        about: jineng_report::whatif::about(&ask.name, &d.title, &d.base_label(), from, to),
        region_name: refdata
            .regions
            .get(region.as_str())
            .cloned()
            .unwrap_or_default(),
        region: region.as_str().to_string(),
        report,
        changed,
    })
}
