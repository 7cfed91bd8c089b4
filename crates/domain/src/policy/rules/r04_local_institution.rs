//! R4 — for the listed certificate types (专项职业能力证书, 特种作业操作证书,
//! 培训合格证书) the subsidy is paid only when an institution of the
//! jurisdiction, in its approved catalogue, gave the training. (001 #13)
//! An institution a credit rating removed from the catalogue (000 (九))
//! is out of it for classes starting on or after the removal date.

use serde::Deserialize;

use super::{CompileCx, Ctx, RuleParams};
use crate::CertificateType;
use crate::policy::RuleId;
use crate::policy::de;
use crate::policy::trace::{Detail, Evidence, Verdict};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(deserialize_with = "de::cert_types")]
    pub cert_types: Vec<CertificateType>,
}

impl RuleParams for Params {
    fn check(&mut self, _cx: &mut CompileCx<'_>) -> Result<(), (&'static str, String)> {
        Ok(())
    }
}

pub(crate) fn eval(cx: &mut Ctx<'_>, p: &Params) {
    let Some(cert) = cx.claim.certificate.as_ref() else {
        return;
    };
    if !p.cert_types.contains(&cert.cert_type) {
        return;
    }
    let Some(class) = cx.claim.class.as_ref() else {
        cx.push(RuleId::R4, Verdict::Flag, Detail::Missing(Evidence::Class));
        return;
    };
    if let Some(r) = class.institution.removed_for(class.start) {
        cx.push(RuleId::R4, Verdict::Fail, Detail::removed(r));
        return;
    }
    let ok =
        class.institution.in_catalogue && cx.policy.meta.region.contains(&class.institution.region);
    let verdict = if ok { Verdict::Pass } else { Verdict::Fail };
    cx.push(RuleId::R4, verdict, Detail::LocalInstitution { ok });
}
