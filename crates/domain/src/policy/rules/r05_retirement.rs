//! R5 — persons over the statutory retirement age who do not draw a monthly
//! pension are eligible; persons who draw one are not.
//! (001 #13; 002 十; 003 二十一)
//!
//! The age is the policy's: one for men, one for women, and for women a
//! higher age where they hold a listed category (女干部 55, 女职工 50). Being
//! over it without a pension is a category the record already proves: with
//! `derived_category`, every rule that matches categories (R1's `eligible`
//! …) finds it held without anyone typing it in.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;

use super::{CompileCx, Ctx, RuleParams};
use crate::Sex;
use crate::policy::RuleId;
use crate::policy::facts::PersonFacts;
use crate::policy::trace::{Detail, Verdict};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub retirement_age_male: i32,
    pub retirement_age_female: i32,
    /// Category → the retirement age of a woman who holds it (干部 → 55).
    #[serde(default)]
    pub retirement_age_female_by_category: BTreeMap<String, i32>,
    /// The category a person over the age without a pension holds by
    /// derivation (e.g. 超过法定退休年龄人员).
    #[serde(default)]
    pub derived_category: Option<String>,
    #[serde(skip)]
    pub derived_id: Option<u16>,
}

impl RuleParams for Params {
    fn check(&mut self, cx: &mut CompileCx<'_>) -> Result<(), (&'static str, String)> {
        let by_category = self
            .retirement_age_female_by_category
            .iter()
            .map(|(c, a)| ("retirement_age_female_by_category", c.as_str(), *a));
        for (key, category, age) in [
            ("retirement_age_male", "", self.retirement_age_male),
            ("retirement_age_female", "", self.retirement_age_female),
        ]
        .into_iter()
        .chain(by_category)
        {
            if !category.is_empty() {
                cx.category(key, category)?;
            }
            if !(40..=80).contains(&age) {
                return Err((key, format!("退休年龄 {age} 不合理（应在 40 到 80 之间）")));
            }
        }
        if let Some(name) = &self.derived_category {
            self.derived_id = Some(cx.category("derived_category", name)?);
        }
        Ok(())
    }
}

impl Params {
    /// The person's statutory retirement age on `date`.
    pub fn retirement_age(&self, person: &PersonFacts, date: NaiveDate) -> i32 {
        match person.sex {
            Sex::Male => self.retirement_age_male,
            Sex::Female => person
                .categories
                .iter()
                .filter(|s| s.holds_on(date))
                .filter_map(|s| self.retirement_age_female_by_category.get(&s.category))
                .copied()
                .max()
                .unwrap_or(self.retirement_age_female),
        }
    }

    /// Over the retirement age on `date` and drawing no pension.
    pub fn over_age_without_pension(&self, person: &PersonFacts, date: NaiveDate) -> bool {
        !person.receives_pension && person.age_on(date) >= self.retirement_age(person, date)
    }
}

pub(crate) fn eval(cx: &mut Ctx<'_>, p: &Params) {
    if cx.person.receives_pension {
        cx.push(RuleId::R5, Verdict::Fail, Detail::Pension);
        return;
    }
    let date = cx.claim.training_date();
    let age = cx.person.age_on(date);
    if age >= p.retirement_age(cx.person, date) {
        cx.push(
            RuleId::R5,
            Verdict::Pass,
            Detail::Age { age, retired: true },
        );
    }
}
