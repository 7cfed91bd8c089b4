//! R17 — no false, duplicate or multi-source claims: one certificate, one
//! training, one person-month is paid once, from one fund, in one region.
//! Here: a certificate already paid under any subsidy type, or a training
//! already paid under the same type, refuses the claim. (The months of
//! 以工代训 are counted by R10; one payment per claim from one fund is kept
//! by the ledger.) (002 十二; 003 二十四)
//!
//! In another region (多头): a subsidy of the same type for the same
//! occupation and level that another deployment paid (its federation tag)
//! refuses the claim, naming the deployment. Tags carry no certificate or
//! class number, so occupation and level stand for them; a tag without a
//! level is not matched. Months paid elsewhere are R10's (per person-month).

use serde::Deserialize;

use super::{CompileCx, Ctx, RuleParams};
use crate::policy::RuleId;
use crate::policy::trace::{Detail, Verdict};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {}

impl RuleParams for Params {
    fn check(&mut self, _cx: &mut CompileCx<'_>) -> Result<(), (&'static str, String)> {
        Ok(())
    }
}

pub(crate) fn eval(cx: &mut Ctx<'_>, _p: &Params) {
    let claim = cx.claim;
    let cert = claim.certificate.as_ref();
    let class_key = claim.class.as_ref().map(|c| c.key);
    let dup = cx.history.iter().find(|a| {
        let same_cert = cert.is_some_and(|c| {
            a.cert
                .as_ref()
                .is_some_and(|(t, n)| *t == c.cert_type && *n == c.cert_no)
        });
        let same_class = a.subsidy_type == claim.subsidy_type
            && claim.certificate.is_none()
            && class_key.is_some()
            && a.class_key == class_key
            && claim.months.is_none();
        same_cert || same_class
    });
    if let Some(a) = dup {
        let claim_no = a.claim_no.clone();
        cx.push(RuleId::R17, Verdict::Fail, Detail::Duplicate { claim_no });
        return;
    }
    let occupation = claim.occupation();
    let level = claim.level();
    let elsewhere = cx.person.paid_elsewhere.iter().find(|a| {
        a.subsidy_type == claim.subsidy_type
            && claim.months.is_none()
            && claim.period.is_none()
            && occupation.is_some()
            && a.occupation.as_ref() == occupation
            && level.is_some()
            && a.level == level
    });
    match elsewhere {
        Some(a) => {
            let detail = Detail::DuplicateElsewhere {
                deployment: a.deployment.clone(),
                year: a.year,
                subsidy_type: a.subsidy_type.clone(),
            };
            cx.push(RuleId::R17, Verdict::Fail, detail);
        }
        None => cx.push(RuleId::R17, Verdict::Pass, Detail::Unique),
    }
}
