//! A worker's trainings with their hours as the policy counts them: in
//! person (the roster), online (the platforms' minutes when any platform
//! reported for the enrolment, else the roster's column — never both) and
//! counted, under the online share and cap of the policy that governs the
//! class (its 培训地, on its last day: `PolicySet::for_region`).

use chrono::NaiveDate;
use jineng_domain::learning::hours::{OnlineRule, TrainingHours, online_hours};
use jineng_domain::{CompletionResult, RegionCode};
use serde::Serialize;
use sqlx::Row;

use crate::policy::{PolicySet, version_label};
use crate::row::Typed;
use crate::{Store, StoreError};

/// One training of a worker, with its hours.
#[derive(Debug, Clone, Serialize)]
pub struct TrainingRecord {
    pub class_no: String,
    pub institution: String,
    pub training_type: String,
    pub occupation_code: String,
    pub occupation_name: String,
    pub skill_level: Option<i64>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// The class's 培训地.
    pub site_region: String,
    pub planned_hours: i64,
    pub completion: CompletionResult,
    /// The roster's 线上课时 column (not counted when a platform reported).
    pub roster_online_hours: i64,
    /// The minutes platforms reported for the enrolment; `None`: none did.
    pub platform_minutes: Option<i64>,
    /// How many sessions platforms reported for it.
    pub platform_sessions: i64,
    /// In person, online with its source, and counted.
    pub hours: TrainingHours,
    /// The online share and cap the counted hours used.
    pub rule: OnlineRule,
    /// The policy version whose rule that is; `None`: no policy governs
    /// the class (online hours then count for nothing).
    pub policy: Option<String>,
}

fn date(s: &str) -> Result<NaiveDate, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("日期「{s}」格式不对（classes）")))
}

/// The online rule of the policy governing `site` on `on`, and its label.
pub(super) fn rule_for(
    policies: &PolicySet,
    site: &str,
    on: NaiveDate,
) -> (OnlineRule, Option<String>) {
    let chosen = RegionCode::parse(site)
        .ok()
        .and_then(|r| policies.for_region(&r, on));
    match chosen {
        Some(c) => (
            OnlineRule::of(c.policy),
            Some(version_label(
                &c.version.policy_key,
                c.version.number,
                &c.version.sha256,
            )),
        ),
        None => (OnlineRule::default(), None),
    }
}

impl Store {
    /// A worker's trainings with in-person, online and counted hours,
    /// by start date.
    pub async fn training_hours(&self, person_id: i64) -> Result<Vec<TrainingRecord>, StoreError> {
        let policies = self.policy_set().await?;
        self.training_hours_under(person_id, &policies).await
    }

    pub(super) async fn training_hours_under(
        &self,
        person_id: i64,
        policies: &PolicySet,
    ) -> Result<Vec<TrainingRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.class_no, i.name AS institution, c.training_type, c.occupation_code, \
             o.name AS occupation_name, c.skill_level, c.start_date, c.end_date, c.site_region, \
             c.planned_hours, e.offline_hours, e.online_hours, e.platform_minutes, e.completion, \
             (SELECT COUNT(*) FROM online_sessions s WHERE s.person_id = e.person_id \
              AND s.class_id = e.class_id AND s.account_id IS NOT NULL) AS platform_sessions \
             FROM enrolments e JOIN classes c ON c.class_id = e.class_id \
             JOIN institutions i ON i.institution_id = c.institution_id \
             LEFT JOIN occupations o ON o.code = c.occupation_code \
             WHERE e.person_id = $1 ORDER BY c.start_date, c.class_no",
        )
        .bind(person_id)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let end = date(&r.try_get::<String, _>("end_date")?)?;
            let site: String = r.try_get("site_region")?;
            let (rule, policy) = rule_for(policies, &site, end);
            let roster_online: i64 = r.try_get("online_hours")?;
            let platform_minutes: Option<i64> = r.try_get("platform_minutes")?;
            let offline: i64 = r.try_get("offline_hours")?;
            let completion: String = r.try_get("completion")?;
            out.push(TrainingRecord {
                class_no: r.try_get("class_no")?,
                institution: r.try_get("institution")?,
                training_type: r.try_get("training_type")?,
                occupation_code: r.try_get("occupation_code")?,
                occupation_name: r.text_or_empty("occupation_name")?,
                skill_level: r.try_get("skill_level")?,
                start_date: date(&r.try_get::<String, _>("start_date")?)?,
                end_date: end,
                site_region: site,
                planned_hours: r.try_get("planned_hours")?,
                completion: CompletionResult::from_code(&completion)
                    .unwrap_or(CompletionResult::NotFinished),
                roster_online_hours: roster_online,
                platform_minutes,
                platform_sessions: r.try_get("platform_sessions")?,
                hours: TrainingHours::new(
                    offline,
                    online_hours(roster_online, platform_minutes),
                    rule,
                ),
                rule,
                policy,
            });
        }
        Ok(out)
    }
}
