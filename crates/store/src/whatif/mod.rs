//! 政策测算 (what-if) in the store: a policy's decided claims replayed
//! under it and under a draft (read-only, `claims::replay`), the rows
//! named, the draft's cost set against the ledger's fund sources and the
//! targets of the policy's region, and the one audit row that notes the
//! run. Nothing else is written.
//!
//! A run may be narrowed to a region (a county officer's page): every claim
//! is still replayed, so that caps see the same history as a run over the
//! whole policy, but only the claims paid by a region inside it
//! (`by_region`'s key) are counted, listed and set against the targets of
//! that region. Its totals are then that region's rows of the whole run.

pub(crate) mod draft;

use jineng_domain::audit::{Action, Entity};
use std::collections::HashMap;

use chrono::NaiveDate;
use jineng_domain::RegionCode;
use jineng_domain::national_id::mask_id;
use jineng_domain::planning::IndicatorSet;
use jineng_domain::planning::dashboard::Target;
use jineng_domain::policy::Policy;
use jineng_domain::policy::whatif::{self, ChangedClaim, Comparison, FundBalance, Names, Report};
use serde_json::json;
use sqlx::Row;

use crate::audit::{Actor, AuditEntry};
use crate::claims::ReplayScope;
use crate::policy::PolicySet;
use crate::sql::{Val, select_in};
use crate::{Store, StoreError};

/// A what-if run: the base policy as loaded, the draft compiled, the
/// period and the draft file for the audit trail.
#[derive(Debug)]
pub struct WhatIfRun<'a> {
    /// `policies.policy_id` of the base.
    pub base_id: i64,
    pub base: &'a Policy,
    pub draft: &'a Policy,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// The decision date the engine uses (R2 `决定日期`).
    pub today: NaiveDate,
    /// The draft file's name and SHA-256, for the audit row.
    pub draft_name: &'a str,
    pub draft_sha256: &'a str,
    /// Indicators to read the targets with (the store's, or the
    /// repository's when the store has none).
    pub indicators: &'a IndicatorSet,
    /// Count only the claims paid by a region inside this one (`None`:
    /// every claim).
    pub region: Option<&'a RegionCode>,
}

/// Who a changed claim is, for the page: the name and the masked ID
/// number, and the claim's subsidy type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatIfPerson {
    pub name: String,
    pub id_masked: String,
    pub subsidy_type: String,
}

impl Store {
    /// Replays the base policy's decided claims of the period under the base
    /// and the draft; `changed` receives the claims the draft changes, chunk
    /// by chunk. Notes the run in the audit trail.
    pub async fn policy_whatif(
        &self,
        run: &WhatIfRun<'_>,
        set: &PolicySet,
        actor: &Actor,
        changed: &mut (dyn FnMut(Vec<ChangedClaim>) + Send),
    ) -> Result<Report, StoreError> {
        let mut feed = self
            .replay_feed(ReplayScope {
                policy_id: run.base_id,
                from: run.from,
                to: run.to,
                enterprise_types: set.enterprise_types().clone(),
            })
            .await?;
        let mut cmp = Comparison::default();
        while let Some(chunk) = feed.next().await {
            for p in chunk? {
                let mut compared = whatif::replay(run.base, run.draft, &p, run.today);
                if let Some(r) = run.region {
                    compared.retain(|c| r.contains(&p.claims[c.index].region));
                }
                let out = cmp.add(run.base, run.draft, &p, &compared);
                if !out.is_empty() {
                    changed(out);
                }
            }
        }
        let report = self.whatif_report(run, &cmp).await?;
        self.note_whatif(run, &report, actor).await?;
        Ok(report)
    }

    async fn whatif_report(
        &self,
        run: &WhatIfRun<'_>,
        cmp: &Comparison,
    ) -> Result<Report, StoreError> {
        let refdata = self.ref_data().await?;
        let ledger = self.ledger_report().await?;
        let mut names = Names {
            regions: refdata.regions,
            occupations: refdata.occupations,
            ..Names::default()
        };
        for p in [run.base, run.draft] {
            if let Some(r16) = &p.rules.r16 {
                names.funds.extend(r16.params.funds.clone());
            }
        }
        names
            .funds
            .extend(ledger.iter().map(|f| (f.code.clone(), f.name.clone())));
        let funds: Vec<FundBalance> = ledger
            .iter()
            .map(|f| FundBalance {
                code: f.code.clone(),
                name: f.name.clone(),
                allocated_fen: f.allocated.0,
                balance_fen: f.bank.0,
            })
            .collect();
        // The targets of the narrowed region, unless it holds the policy's.
        let region = match run.region {
            Some(r) if !r.contains(&run.base.meta.region) => r.as_str(),
            _ => run.base.meta.region.as_str(),
        };
        let targets: Vec<_> = self
            .targets()
            .await?
            .into_iter()
            .filter(|t| t.region == region && t.parent != t.region)
            .filter_map(|t: Target| {
                let ind = run
                    .indicators
                    .indicators
                    .iter()
                    .find(|i| i.code == t.indicator)?;
                Some((ind.clone(), t))
            })
            .collect();
        let mut report = cmp.report(&run.base.meta.id, &names, &funds, &targets);
        let codes: Vec<String> = report
            .by_institution
            .iter()
            .map(|r| r.institution.clone())
            .filter(|c| !c.is_empty())
            .collect();
        let known = self.institution_names(&codes).await?;
        for row in &mut report.by_institution {
            if let Some(n) = known.get(&row.institution) {
                row.name = n.clone();
            }
        }
        Ok(report)
    }

    /// Names of institutions (and enterprises) by credit code.
    pub async fn institution_names(
        &self,
        codes: &[String],
    ) -> Result<HashMap<String, String>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let keys: Vec<Val> = codes.iter().map(Val::text).collect();
        select_in(
            &mut conn,
            "SELECT credit_code, name FROM institutions",
            "credit_code",
            &keys,
        )
        .await?
        .iter()
        .map(|r| Ok((r.try_get("credit_code")?, r.try_get("name")?)))
        .collect()
    }

    /// The persons of claims (name, masked ID number) and the claims'
    /// subsidy types, by claim number.
    pub async fn whatif_persons(
        &self,
        claim_nos: &[String],
    ) -> Result<HashMap<String, WhatIfPerson>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let keys: Vec<Val> = claim_nos.iter().map(Val::text).collect();
        select_in(
            &mut conn,
            "SELECT c.claim_no, c.subsidy_type, p.name, p.id_number FROM claims c \
             JOIN persons p ON p.person_id = c.person_id",
            "c.claim_no",
            &keys,
        )
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("claim_no")?,
                WhatIfPerson {
                    name: r.try_get("name")?,
                    id_masked: mask_id(&r.try_get::<String, _>("id_number")?),
                    subsidy_type: r.try_get("subsidy_type")?,
                },
            ))
        })
        .collect()
    }

    /// The audit row of a run: who, the draft's digest, the period, the
    /// totals.
    async fn note_whatif(
        &self,
        run: &WhatIfRun<'_>,
        r: &Report,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let entry = AuditEntry::change(
            Action::Whatif,
            Entity::Policy,
            run.base.meta.id.clone(),
            None,
            Some(&json!({
                "draft": run.draft_name,
                "draft_sha256": run.draft_sha256,
                "from": run.from,
                "to": run.to,
                "region": run.region.map(RegionCode::as_str),
                "claims": r.claims,
                "changed": r.changed,
                "base_fen": r.base_fen,
                "draft_fen": r.draft_fen,
            })),
        );
        self.audit_alone(actor, &[entry]).await
    }
}
