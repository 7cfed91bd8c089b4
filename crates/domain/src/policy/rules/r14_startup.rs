//! R14 — start-up training (创业培训) subsidy, which covers owners of
//! individual businesses registered within the last N years and legal
//! persons of small and micro enterprises, beside the usual groups. (003 九)

use chrono::Months;
use serde::Deserialize;

use super::{CompileCx, Ctx, RuleParams};
use crate::Fen;
use crate::policy::trace::{Detail, Verdict};
use crate::policy::{RuleId, de};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub subsidy_type: String,
    pub training_types: Vec<String>,
    /// Categories that count only within `within_years` of their start
    /// (business registration).
    pub registered: Vec<String>,
    pub within_years: u32,
    /// Other eligible groups (category sets).
    #[serde(default, deserialize_with = "de::category_sets")]
    pub also: Vec<Vec<String>>,
    #[serde(skip)]
    pub registered_ids: Vec<u16>,
    #[serde(skip)]
    pub also_ids: Vec<Vec<u16>>,
}

impl RuleParams for Params {
    fn check(&mut self, cx: &mut CompileCx<'_>) -> Result<(), (&'static str, String)> {
        cx.subsidy_type("subsidy_type", &self.subsidy_type)?;
        cx.training_types("training_types", &self.training_types)?;
        self.registered_ids = cx.categories("registered", &self.registered)?;
        self.also_ids = cx.sets("also", &self.also)?;
        Ok(())
    }
}

pub(crate) fn eval(cx: &mut Ctx<'_>, p: &Params) -> Option<Fen> {
    const R: RuleId = RuleId::R14;
    let class = cx.class(R)?;
    if !p.training_types.contains(&class.training_type) {
        cx.push(R, Verdict::Fail, Detail::NotTrainingType);
        return None;
    }
    let start = class.start;
    let earliest = start
        .checked_sub_months(Months::new(12 * p.within_years))
        .unwrap_or(start);
    let registered = p.registered_ids.iter().find_map(|&id| {
        let name = cx.policy.category(id);
        cx.person
            .categories
            .iter()
            .find(|s| s.category == name && s.holds_on(start) && s.from >= earliest)
            .map(|s| (id, s.from))
    });
    match registered {
        Some((category, since)) => cx.push(
            R,
            Verdict::Pass,
            Detail::Startup {
                category,
                since,
                years: i64::from(p.within_years),
            },
        ),
        None => match cx.find_category(&p.also_ids, start) {
            Some(hit) => cx.note_category(R, hit),
            None => {
                cx.push(R, Verdict::Fail, Detail::NoCategory);
                return None;
            }
        },
    }
    let cert = cx.claim.certificate.as_ref().map(|c| c.cert_type);
    let found =
        cx.policy
            .catalogue
            .find(&p.subsidy_type, Some(&class.occupation), None, cert, start);
    cx.priced(R, RuleId::R1, found, start)
}
