//! Claims filed on the web (补贴申领) by the three kinds of claimant, each
//! within its scope: an institution for the trainees of its own classes,
//! an enterprise for its employees (申领单位 = its credit code), a worker
//! for themself. The claims go through the import's validation and write
//! path ([`Store::import_claims`], dry run first, so a refused row writes
//! nothing) and are decided at once by the policy engine
//! ([`Store::decide_claims`]), so the filer sees the decision.
//!
//! Claim numbers are made here: `W` (web), the claimant's letter (`J`
//! 机构, `Q` 企业, `G` 个人), the filing date `YYYYMMDD`, `-`, the import
//! batch number (at least 6 digits), `-`, the row (3 digits), e.g.
//! `WQ20261202-000123-001`. Batch numbers are unique, so claim numbers
//! are too, also under concurrent filings.

use crate::audit::Actor;
use crate::imports::batch::{BatchSummary, RowOutcome};
use crate::persons::{person_of, resolve_persons};
use crate::{PolicySet, Store, StoreError};
use chrono::NaiveDate;
use jineng_domain::ClaimStatus;
use jineng_domain::access::Scope;
use jineng_domain::policy::claimants::Claimant;
use jineng_domain::policy::{Policy, PolicyMeta};
use jineng_domain::records::ClaimRecord;
use jineng_domain::{CreditCode, RegionCode};
use serde::Serialize;

/// One claim to file; `name` is checked against the registry (实名) when
/// the filer typed the person in.
#[derive(Debug, Clone)]
pub struct ClaimRequest {
    pub record: ClaimRecord,
    pub name: Option<String>,
}

/// A filed claim with the engine's decision.
#[derive(Debug, Clone, Serialize)]
pub struct Filed {
    pub claim_no: String,
    pub status: ClaimStatus,
    pub status_zh: &'static str,
    /// Decided under no policy (无适用政策: its date is outside every
    /// policy's validity), so held for review rather than priced.
    pub no_policy: bool,
}

/// The kind of claimant a scope files as.
pub fn claimant_of(scope: &Scope) -> Option<Claimant> {
    match scope {
        Scope::Institution(_) => Some(Claimant::Institution),
        Scope::Enterprise(_) => Some(Claimant::Enterprise),
        Scope::Person(_) => Some(Claimant::Worker),
        Scope::Region(_) | Scope::Jurisdiction => None,
    }
}

fn refused(m: impl Into<String>) -> StoreError {
    StoreError::Refused(m.into())
}

/// The enterprise form's answer when an ID number and a name do not name
/// one registered person, whichever is the case.
pub const NO_SUCH_PAIR: &str =
    "未找到姓名与身份证号码相符的登记人员，请核对；尚未登记的人员须先由培训机构或人社部门登记";

impl Store {
    /// The subsidy types a scope's claimant kind may file under the policy
    /// of its region in force `today` (else the one in force, or the latest
    /// loaded), read from the policy.
    pub async fn fileable_subsidy_types(
        &self,
        scope: &Scope,
        today: NaiveDate,
    ) -> Result<Vec<String>, StoreError> {
        let Some(who) = claimant_of(scope) else {
            return Ok(Vec::new());
        };
        let set = self.policy_set().await?;
        Ok(self
            .claimant_policy(&set, scope, today)
            .await?
            .map(|p| p.subsidy_types_for(who))
            .unwrap_or_default())
    }

    /// The policy a scope's claims are filed and decided under `today`:
    /// its title, 文号 and validity, so a form can warn before filing.
    pub async fn filing_policy(
        &self,
        scope: &Scope,
        today: NaiveDate,
    ) -> Result<Option<PolicyMeta>, StoreError> {
        let set = self.policy_set().await?;
        Ok(self
            .claimant_policy(&set, scope, today)
            .await?
            .map(|p| p.meta.clone()))
    }

    /// The policy of the claimant's own region (docs/policy.md,
    /// Jurisdiction), else the one in force `today`.
    async fn claimant_policy<'a>(
        &self,
        set: &'a PolicySet,
        scope: &Scope,
        today: NaiveDate,
    ) -> Result<Option<&'a Policy>, StoreError> {
        let chosen = match self.scope_region(scope).await? {
            Some(region) => set.for_region(&region, today).map(|c| c.policy),
            None => None,
        };
        Ok(chosen.or_else(|| set.pick(today).map(|(_, p)| p)))
    }

    /// Where a claimant is registered: an institution's or enterprise's
    /// 所在地, a worker's 户籍地.
    async fn scope_region(&self, scope: &Scope) -> Result<Option<RegionCode>, StoreError> {
        let code: Option<String> = match scope {
            Scope::Institution(id) => {
                sqlx::query_scalar("SELECT region_code FROM institutions WHERE institution_id = $1")
                    .bind(*id)
                    .fetch_optional(self.pool())
                    .await?
            }
            Scope::Enterprise(code) => {
                sqlx::query_scalar("SELECT region_code FROM institutions WHERE credit_code = $1")
                    .bind(code.as_str())
                    .fetch_optional(self.pool())
                    .await?
            }
            Scope::Person(id) => {
                sqlx::query_scalar("SELECT hukou_region FROM persons WHERE person_id = $1")
                    .bind(*id)
                    .fetch_optional(self.pool())
                    .await?
            }
            Scope::Region(r) => Some(r.as_str().to_string()),
            Scope::Jurisdiction => None,
        };
        Ok(code.and_then(|c| RegionCode::parse(&c).ok()))
    }

    /// Files claims as the scope's claimant and decides them. All or
    /// nothing: any refused claim (type not fileable, person outside the
    /// scope, unknown certificate …) refuses the whole filing.
    pub async fn file_claims(
        &self,
        scope: &Scope,
        mut requests: Vec<ClaimRequest>,
        today: NaiveDate,
        actor: &Actor,
    ) -> Result<Vec<Filed>, StoreError> {
        let who = claimant_of(scope).ok_or_else(|| refused("您的账号不能申领补贴"))?;
        if requests.is_empty() {
            return Err(refused("请至少选择一名人员"));
        }
        let allowed = self.fileable_subsidy_types(scope, today).await?;
        let policies = self.policy_set().await?;
        let policy = self.claimant_policy(&policies, scope, today).await?;
        for (i, r) in requests.iter_mut().enumerate() {
            let row = i + 1;
            let t = &r.record.subsidy_type.clone();
            if !allowed.contains(t) {
                return Err(refused(format!(
                    "第 {row} 条：「{t}」不是您可以申领的补贴类型（可申领：{}）",
                    allowed.join("、")
                )));
            }
            let needs = policy.map(|p| p.needs(t)).unwrap_or_default();
            self.confine(scope, &mut r.record, row, &allowed).await?;
            if let Some(name) = &r.name {
                let mut conn = self.pool().acquire().await?;
                let known = resolve_persons(&mut conn, std::iter::once(&r.record.id)).await?;
                // One answer for an unregistered ID and a wrong name, so
                // the form tells nobody who is registered.
                person_of(&known, &r.record.id, Some(name))
                    .map_err(|_| refused(format!("第 {row} 条：{NO_SUCH_PAIR}")))?;
            }
            if needs.class && r.record.class_no.is_none() {
                return Err(refused(format!("第 {row} 条：「{t}」须选择培训班")));
            }
            if needs.months && r.record.months.is_none() {
                return Err(refused(format!("第 {row} 条：「{t}」须填写月数")));
            }
            if needs.certificate && r.record.cert_no.is_none() {
                r.record.cert_no = self.class_certificate(&r.record).await?;
                if r.record.cert_no.is_none() {
                    // In scope by now (confined above): the clerk may see the name.
                    let name: String =
                        sqlx::query_scalar("SELECT name FROM persons WHERE id_number = $1")
                            .bind(r.record.id.as_str())
                            .fetch_one(self.pool())
                            .await?;
                    return Err(refused(format!(
                        "第 {row} 条（{name}）：「{t}」须凭证书申领，该人员尚无证书"
                    )));
                }
            }
        }
        self.write_claims(who, requests, today, actor).await
    }

    /// Keeps a claim inside the filer's scope: an institution's claim is on
    /// its own class and an enrolled trainee; an enterprise is the
    /// claimant; a worker files only for themself.
    async fn confine(
        &self,
        scope: &Scope,
        r: &mut ClaimRecord,
        row: usize,
        fileable: &[String],
    ) -> Result<(), StoreError> {
        let outside = || StoreError::OutOfScope(format!("第 {row} 条：该人员不在您的管理范围内"));
        match scope {
            Scope::Institution(iid) => {
                let code: String = sqlx::query_scalar(
                    "SELECT credit_code FROM institutions WHERE institution_id = $1",
                )
                .bind(*iid)
                .fetch_one(self.pool())
                .await?;
                let class_no = r
                    .class_no
                    .clone()
                    .ok_or_else(|| refused(format!("第 {row} 条：请选择培训班")))?;
                let enrolled: Option<i64> = sqlx::query_scalar(
                    "SELECT e.person_id FROM enrolments e JOIN classes k ON k.class_id = e.class_id \
                     JOIN persons p ON p.person_id = e.person_id \
                     WHERE k.institution_id = $1 AND k.class_no = $2 AND p.id_number = $3",
                )
                .bind(*iid)
                .bind(&class_no)
                .bind(r.id.as_str())
                .fetch_optional(self.pool())
                .await?;
                let person = enrolled.ok_or_else(outside)?;
                // One claim per trainee and class: a trainee the
                // institution already claimed for on this class (any type
                // it files) cannot be filed again.
                let claimed: Vec<(String, String)> = sqlx::query_as(
                    "SELECT c.claim_no, c.subsidy_type FROM claims c JOIN classes k ON k.class_id = c.class_id \
                     WHERE k.institution_id = $1 AND k.class_no = $2 AND c.person_id = $3 \
                     ORDER BY c.claim_no",
                )
                .bind(*iid)
                .bind(&class_no)
                .bind(person)
                .fetch_all(self.pool())
                .await?;
                let already = claimed.into_iter().find(|(_, t)| fileable.contains(t));
                if let Some((no, kind)) = already {
                    let name: String =
                        sqlx::query_scalar("SELECT name FROM persons WHERE person_id = $1")
                            .bind(person)
                            .fetch_one(self.pool())
                            .await?;
                    return Err(refused(format!(
                        "第 {row} 条（{name}）：本班已为其申领「{kind}」（申领编号 {no}），不能重复申领"
                    )));
                }
                r.institution = Some(
                    CreditCode::parse(&code)
                        .map_err(|e| StoreError::Corrupt(e.message().into()))?,
                );
                r.claimant = None;
            }
            Scope::Enterprise(code) => r.claimant = Some(code.clone()),
            Scope::Person(pid) => {
                let own: Option<i64> =
                    sqlx::query_scalar("SELECT person_id FROM persons WHERE id_number = $1")
                        .bind(r.id.as_str())
                        .fetch_optional(self.pool())
                        .await?;
                if own != Some(*pid) {
                    return Err(outside());
                }
                r.claimant = None;
            }
            Scope::Region(_) | Scope::Jurisdiction => return Err(outside()),
        }
        Ok(())
    }

    /// The newest certificate a trainee earned in the claim's class.
    async fn class_certificate(&self, r: &ClaimRecord) -> Result<Option<String>, StoreError> {
        let (Some(class_no), Some(inst)) = (&r.class_no, &r.institution) else {
            return Ok(None);
        };
        Ok(sqlx::query_scalar(
            "SELECT ce.cert_no FROM certificates ce JOIN persons p ON p.person_id = ce.person_id \
             JOIN classes k ON k.class_id = ce.class_id JOIN institutions i ON i.institution_id = k.institution_id \
             WHERE p.id_number = $1 AND k.class_no = $2 AND i.credit_code = $3 \
             ORDER BY ce.issue_date DESC, ce.cert_no DESC LIMIT 1",
        )
        .bind(r.id.as_str())
        .bind(class_no)
        .bind(inst.as_str())
        .fetch_optional(self.pool())
        .await?)
    }

    /// Numbers, imports (dry run first) and decides the claims.
    async fn write_claims(
        &self,
        who: Claimant,
        requests: Vec<ClaimRequest>,
        today: NaiveDate,
        actor: &Actor,
    ) -> Result<Vec<Filed>, StoreError> {
        let letter = match who {
            Claimant::Institution => 'J',
            Claimant::Enterprise => 'Q',
            Claimant::Worker => 'G',
        };
        let file = format!("网页申领：{} 件", requests.len());
        let number = |batch: i64, rows: &mut Vec<(u64, ClaimRecord)>| {
            for (n, r) in rows.iter_mut() {
                r.claim_no = format!("W{letter}{}-{batch:06}-{n:03}", today.format("%Y%m%d"));
            }
        };
        let mut rows: Vec<(u64, ClaimRecord)> = requests
            .into_iter()
            .enumerate()
            .map(|(i, r)| (i as u64 + 1, r.record))
            .collect();
        let dry = self.start_batch("claims", &file, "", actor, true).await?;
        number(0, &mut rows);
        let report = |out: &[(u64, RowOutcome)]| -> Option<String> {
            let lines: Vec<String> = out
                .iter()
                .filter_map(|(n, o)| match o {
                    RowOutcome::Rejected(errs) => Some(
                        errs.iter()
                            .map(|e| format!("第 {n} 条「{}」：{}", e.column, e.message))
                            .collect::<Vec<_>>()
                            .join("；"),
                    ),
                    _ => None,
                })
                .collect();
            (!lines.is_empty()).then(|| lines.join("；"))
        };
        if let Some(why) = report(&self.import_claims(&dry, &rows).await?) {
            return Err(refused(why));
        }
        let batch = self.start_batch("claims", &file, "", actor, false).await?;
        number(batch.id.unwrap_or_default(), &mut rows);
        let out = self.import_claims(&batch, &rows).await?;
        let mut summary = BatchSummary::default();
        out.iter().for_each(|(_, o)| summary.count(o));
        self.finish_batch(&batch, &summary).await?;
        if let Some(why) = report(&out) {
            return Err(refused(why));
        }
        let nos: Vec<String> = rows.iter().map(|(_, r)| r.claim_no.clone()).collect();
        let policies = self.policy_set().await?;
        self.decide_claims(&policies, Some(&nos), today, actor, &|_| {})
            .await?;
        let statuses = self.claims_named(&nos).await?;
        let mut filed = Vec::new();
        for no in nos {
            // Every row was written above, so each has a status.
            let status = statuses.get(&no).copied().unwrap_or(ClaimStatus::Submitted);
            let policy: Option<i64> =
                sqlx::query_scalar("SELECT policy_id FROM claims WHERE claim_no = $1")
                    .bind(&no)
                    .fetch_one(self.pool())
                    .await?;
            filed.push(Filed {
                status_zh: status.as_zh(),
                status,
                no_policy: policy.is_none() && status != ClaimStatus::Submitted,
                claim_no: no,
            });
        }
        Ok(filed)
    }
}
