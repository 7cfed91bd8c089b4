//! R12 — the skill-upgrade subsidy (技能提升补贴) for insured employees who
//! obtain a certificate, instead of R1: the catalogue's amount per level,
//! after enough months of insurance, applied for within a time limit. (002 九)

use serde::Deserialize;

use super::{CompileCx, Ctx, RuleParams, months_between};
use crate::policy::RuleId;
use crate::policy::de;
use crate::policy::trace::{Detail, Verdict};
use crate::{CertificateType, Fen};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub subsidy_type: String,
    /// The category of insured employees (参保职工); its start is the
    /// start of insurance.
    pub insured_category: String,
    pub min_insured_months: i64,
    pub apply_within_months: i64,
    #[serde(deserialize_with = "de::cert_types")]
    pub cert_types: Vec<CertificateType>,
    #[serde(skip)]
    pub insured_id: u16,
}

impl RuleParams for Params {
    fn check(&mut self, cx: &mut CompileCx<'_>) -> Result<(), (&'static str, String)> {
        cx.subsidy_type("subsidy_type", &self.subsidy_type)?;
        self.insured_id = cx.category("insured_category", &self.insured_category)?;
        Ok(())
    }
}

pub(crate) fn eval(cx: &mut Ctx<'_>, p: &Params) -> Option<Fen> {
    const R: RuleId = RuleId::R12;
    let cert = cx.certificate(R, &p.cert_types)?;
    let name = cx.policy.category(p.insured_id);
    let since = cx
        .person
        .categories
        .iter()
        .filter(|s| s.category == name && s.holds_on(cert.issue_date))
        .map(|s| s.from)
        .min();
    let Some(since) = since else {
        cx.push(R, Verdict::Fail, Detail::NoCategory);
        return None;
    };
    let months = months_between(since, cert.issue_date);
    let insured_ok = months >= p.min_insured_months;
    let v = if insured_ok {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    cx.push(
        R,
        v,
        Detail::Insured {
            months,
            min: p.min_insured_months,
        },
    );
    if !insured_ok {
        return None;
    }
    let late = months_between(cert.issue_date, cx.claim.applied_on);
    if late > p.apply_within_months {
        cx.push(
            R,
            Verdict::Fail,
            Detail::LateApplication {
                months: late,
                limit: p.apply_within_months,
            },
        );
        return None;
    }
    let found = cx.policy.catalogue.find(
        &p.subsidy_type,
        Some(&cert.occupation),
        cert.level,
        Some(cert.cert_type),
        cert.issue_date,
    );
    cx.priced(R, R, found, cert.issue_date)
}
