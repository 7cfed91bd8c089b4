//! R3 — never twice for the same occupation at the same level, for the
//! person's whole life (同一职业同一等级不可重复享受). (001 #13; 002 十; 003 二十一)
//!
//! Subsidies paid in other deployments count too (their federation tags
//! carry occupation and level): the refusal names the deployment. A tag
//! without a level (专项职业能力 …) is not matched, because it carries no
//! certificate type to tell the items apart.

use serde::Deserialize;

use super::{CompileCx, Ctx, RuleParams};
use crate::policy::RuleId;
use crate::policy::trace::{Detail, Verdict};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The subsidy types that share the once-per-occupation-and-level limit.
    pub subsidy_types: Vec<String>,
}

impl RuleParams for Params {
    fn check(&mut self, cx: &mut CompileCx<'_>) -> Result<(), (&'static str, String)> {
        for t in &self.subsidy_types {
            cx.subsidy_type("subsidy_types", t)?;
        }
        Ok(())
    }
}

pub(crate) fn eval(cx: &mut Ctx<'_>, p: &Params) {
    if !p.subsidy_types.contains(&cx.claim.subsidy_type) {
        return;
    }
    let Some(occupation) = cx.claim.occupation() else {
        return;
    };
    let level = cx.claim.level();
    let cert_type = cx.claim.certificate.as_ref().map(|c| c.cert_type);
    let earlier = cx.history.iter().find(|a| {
        p.subsidy_types.contains(&a.subsidy_type)
            && a.occupation.as_ref() == Some(occupation)
            && a.level == level
            // Items without a level (专项职业能力, 特种作业 …) differ by
            // certificate type: a 培训合格证书 does not use up a 特种作业操作证书.
            && (level.is_some() || a.cert.as_ref().map(|c| c.0) == cert_type)
    });
    if let Some(a) = earlier {
        let claim_no = a.claim_no.clone();
        cx.push(RuleId::R3, Verdict::Fail, Detail::Repeat { claim_no });
        return;
    }
    let elsewhere = cx.person.paid_elsewhere.iter().find(|a| {
        p.subsidy_types.contains(&a.subsidy_type)
            && a.occupation.as_ref() == Some(occupation)
            && level.is_some()
            && a.level == level
    });
    match elsewhere {
        Some(a) => {
            let detail = Detail::RepeatElsewhere {
                deployment: a.deployment.clone(),
                year: a.year,
                subsidy_type: a.subsidy_type.clone(),
            };
            cx.push(RuleId::R3, Verdict::Fail, detail);
        }
        None => cx.push(RuleId::R3, Verdict::Pass, Detail::FirstTime),
    }
}
