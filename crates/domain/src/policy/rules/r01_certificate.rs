//! R1 — the certificate training subsidy (职业培训补贴): a person who completes
//! subsidised training and obtains one of the listed certificates receives
//! the catalogue's standard for occupation × level × certificate type on the
//! certificate's date, when the training took place where the person is
//! registered, lives or seeks work. (002 十; 003 二十一; 001 #13)

use serde::Deserialize;

use super::{CompileCx, Ctx, RuleParams};
use crate::policy::RuleId;
use crate::policy::de;
use crate::policy::trace::{Detail, Verdict};
use crate::{CertificateType, Fen, RegionCode};

/// A place a person may train in (培训地).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Place {
    #[serde(rename = "户籍地")]
    Hukou,
    #[serde(rename = "常住地")]
    Residence,
    #[serde(rename = "求职就业地")]
    Job,
}

/// How closely the training site must match the place: same province, city
/// or county.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum PlaceLevel {
    #[serde(rename = "省")]
    Province,
    #[serde(rename = "市")]
    Prefecture,
    #[serde(rename = "县")]
    County,
}

impl PlaceLevel {
    fn digits(self) -> usize {
        match self {
            PlaceLevel::Province => 2,
            PlaceLevel::Prefecture => 4,
            PlaceLevel::County => 6,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The subsidy type this rule pays (e.g. 职业培训补贴).
    pub subsidy_type: String,
    #[serde(deserialize_with = "de::cert_types")]
    pub cert_types: Vec<CertificateType>,
    /// Where the training must take place; empty: anywhere.
    #[serde(default)]
    pub training_place: Vec<Place>,
    pub place_level: PlaceLevel,
    /// Who may receive it (category sets); empty: any worker.
    #[serde(default, deserialize_with = "de::category_sets")]
    pub eligible: Vec<Vec<String>>,
    #[serde(skip)]
    pub eligible_ids: Vec<Vec<u16>>,
}

impl RuleParams for Params {
    fn check(&mut self, cx: &mut CompileCx<'_>) -> Result<(), (&'static str, String)> {
        cx.subsidy_type("subsidy_type", &self.subsidy_type)?;
        self.eligible_ids = cx.sets("eligible", &self.eligible)?;
        Ok(())
    }
}

pub(crate) fn same_place(a: &RegionCode, b: &RegionCode, level: PlaceLevel) -> bool {
    let n = level.digits();
    a.as_str()[..n] == b.as_str()[..n]
}

/// The standard amount, or `None` when the rule refuses the claim.
pub(crate) fn eval(cx: &mut Ctx<'_>, p: &Params) -> Option<Fen> {
    const R: RuleId = RuleId::R1;
    let cert = cx.certificate(R, &p.cert_types)?;
    if !p.eligible_ids.is_empty() {
        match cx.find_category(&p.eligible_ids, cx.claim.training_date()) {
            Some(hit) => cx.note_category(R, hit),
            None => {
                cx.push(R, Verdict::Fail, Detail::NoCategory);
                return None;
            }
        }
    }
    if !p.training_place.is_empty() {
        match cx.claim.class.as_ref() {
            Some(class) => {
                let person = cx.person;
                let ok = p.training_place.iter().any(|place| {
                    let region = match place {
                        Place::Hukou => Some(&person.hukou),
                        Place::Residence => person.residence.as_ref(),
                        Place::Job => person.job.as_ref(),
                    };
                    region.is_some_and(|r| same_place(r, &class.site, p.place_level))
                });
                cx.push(
                    R,
                    if ok { Verdict::Pass } else { Verdict::Fail },
                    Detail::Place { ok },
                );
                if !ok {
                    return None;
                }
            }
            None => cx.push(R, Verdict::Flag, Detail::PlaceUnknown),
        }
    }
    if let Some(class) = cx.claim.class.as_ref()
        && cert.issue_date < class.end
    {
        cx.push(
            R,
            Verdict::Flag,
            Detail::CertBeforeTrainingEnd { end: class.end },
        );
    }
    let found = cx.policy.catalogue.lookup(
        &p.subsidy_type,
        Some(&cert.occupation),
        cert.level,
        Some(cert.cert_type),
        cert.issue_date,
    );
    cx.priced(R, R, found, cert.issue_date)
}
