//! R5 — persons over the statutory retirement age who do not draw a monthly
//! pension are eligible; persons who draw one are not.
//! (001 #13; 002 十; 003 二十一)

use serde::Deserialize;

use super::{CompileCx, Ctx, RuleParams};
use crate::Sex;
use crate::policy::RuleId;
use crate::policy::trace::{Detail, Verdict};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub retirement_age_male: i32,
    pub retirement_age_female: i32,
}

impl RuleParams for Params {
    fn check(&mut self, _cx: &mut CompileCx<'_>) -> Result<(), (&'static str, String)> {
        for (key, age) in [
            ("retirement_age_male", self.retirement_age_male),
            ("retirement_age_female", self.retirement_age_female),
        ] {
            if !(40..=80).contains(&age) {
                return Err((key, format!("退休年龄 {age} 不合理（应在 40 到 80 之间）")));
            }
        }
        Ok(())
    }
}

pub(crate) fn eval(cx: &mut Ctx<'_>, p: &Params) {
    if cx.person.receives_pension {
        cx.push(RuleId::R5, Verdict::Fail, Detail::Pension);
        return;
    }
    let age = cx.person.age_on(cx.claim.training_date());
    let limit = match cx.person.sex {
        Sex::Male => p.retirement_age_male,
        Sex::Female => p.retirement_age_female,
    };
    if age >= limit {
        cx.push(
            RuleId::R5,
            Verdict::Pass,
            Detail::Age { age, retired: true },
        );
    }
}
