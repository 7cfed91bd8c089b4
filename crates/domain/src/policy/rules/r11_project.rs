//! R11 — project-based training (项目制培训) bought by the government: the
//! institution is paid the catalogue standard for the class's occupation and
//! level, and up to a share of it may be advanced. (002 十)

use serde::Deserialize;

use super::{CompileCx, Ctx, RuleParams};
use crate::Fen;
use crate::policy::RuleId;
use crate::policy::de;
use crate::policy::trace::{Detail, Evidence, Verdict};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub subsidy_type: String,
    pub training_types: Vec<String>,
    #[serde(deserialize_with = "de::pct")]
    pub advance_pct: u16,
    /// The catalogue's subsidy type whose standard the project pays.
    pub standard: String,
}

impl RuleParams for Params {
    fn check(&mut self, cx: &mut CompileCx<'_>) -> Result<(), (&'static str, String)> {
        cx.subsidy_type("subsidy_type", &self.subsidy_type)?;
        cx.subsidy_type("standard", &self.standard)?;
        cx.training_types("training_types", &self.training_types)
    }
}

pub(crate) fn eval(cx: &mut Ctx<'_>, p: &Params) -> Option<(Fen, u16)> {
    const R: RuleId = RuleId::R11;
    let class = cx.class(R)?;
    if !p.training_types.contains(&class.training_type) {
        cx.push(R, Verdict::Fail, Detail::NotTrainingType);
        return None;
    }
    if class.enrolment.is_none() {
        cx.push(R, Verdict::Fail, Detail::Missing(Evidence::Enrolment));
        return None;
    }
    let cert = cx.claim.certificate.as_ref().map(|c| c.cert_type);
    let found = cx.policy.catalogue.find(
        &p.standard,
        Some(&class.occupation),
        class.level,
        cert,
        class.start,
    );
    let amount = cx.priced(R, RuleId::R1, found, class.start)?;
    cx.push(R, Verdict::Info, Detail::Advance { pct: p.advance_pct });
    Some((amount, p.advance_pct))
}
