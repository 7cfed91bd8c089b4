//! The standard in force for a row of the evaluation: what the policy pays
//! for a subsidy type × occupation × level × certificate type on a day —
//! the catalogue's standard for the types a catalogue prices (R1, R11, R12,
//! R14, looked up as the rule looks it up), the rule's own unit amount for
//! the others (R8 a day, R9 a year, R10 a month).

use chrono::NaiveDate;

use super::grades::EntryGrades;
use super::published::Unit;
use crate::policy::{Policy, RuleId};
use crate::{CertificateType, Fen, OccupationCode, SkillLevel};

/// A standard in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standard {
    /// The base amount (before any shortage uplift).
    pub amount: Fen,
    /// The shortage uplift in force on the day (紧缺职业上浮), percent.
    pub uplift_pct: u16,
    pub unit: Unit,
    /// The catalogue's subsidy type that priced it (R11: its `standard`).
    pub catalogue_subsidy: String,
    /// The class (标准分类) of the catalogue entry, if written with one.
    pub grade: Option<String>,
}

/// What a row is: its subsidy type, occupation, level and certificate type.
#[derive(Debug, Clone, Copy)]
pub struct RowKey<'a> {
    pub subsidy: &'a str,
    pub occupation: Option<&'a OccupationCode>,
    pub level: Option<SkillLevel>,
    pub cert: Option<CertificateType>,
}

/// The day a year's standard is read on: the year's last day, or the
/// policy's last (first) day when it ends before (begins after) it.
pub fn evaluation_day(policy: &Policy, year: i32) -> Option<NaiveDate> {
    let last = NaiveDate::from_ymd_opt(year, 12, 31)?;
    let first = NaiveDate::from_ymd_opt(year, 1, 1)?;
    let mut day = last;
    if let Some(to) = policy.meta.valid_to {
        day = day.min(to);
    }
    day = day.max(policy.meta.valid_from);
    (first..=last).contains(&day).then_some(day)
}

/// The standard the policy gives `row` on `on`; `None` when the type is
/// not priced by the policy, or the catalogue has no entry for the row.
pub fn in_force(
    policy: &Policy,
    grades: &EntryGrades,
    row: RowKey<'_>,
    on: NaiveDate,
) -> Option<Standard> {
    let rule = *policy.amount_rules.get(row.subsidy)?;
    let per = |amount: Fen, unit: Unit| Standard {
        amount,
        uplift_pct: 0,
        unit,
        catalogue_subsidy: row.subsidy.to_string(),
        grade: None,
    };
    let r = &policy.rules;
    let (subsidy, level) = match rule {
        RuleId::R8 => return r.r8.as_ref().map(|a| per(a.params.daily, Unit::PerDay)),
        RuleId::R9 => return r.r9.as_ref().map(|a| per(a.params.per_year, Unit::PerYear)),
        RuleId::R10 => {
            return r
                .r10
                .as_ref()
                .map(|a| per(a.params.monthly, Unit::PerMonth));
        }
        RuleId::R11 => (r.r11.as_ref()?.params.standard.as_str(), row.level),
        // Start-up training is priced without a level.
        RuleId::R14 => (row.subsidy, None),
        _ => (row.subsidy, row.level),
    };
    let found = policy
        .catalogue
        .find(subsidy, row.occupation, level, row.cert, on)?;
    let entry = policy.catalogue.entries.get(found.entry as usize)?;
    Some(Standard {
        amount: found.base,
        uplift_pct: found.uplift_pct,
        unit: Unit::PerClaim,
        catalogue_subsidy: subsidy.to_string(),
        grade: grades.of(entry).map(str::to_string),
    })
}
