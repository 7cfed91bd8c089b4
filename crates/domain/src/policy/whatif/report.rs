//! The what-if comparison as it is reported (`jineng policy whatif
//! --json`, the web page, the xlsx): totals, flips, the breakdowns with
//! names, and the draft's cost set against the fund sources and the year's
//! targets.

use std::collections::{BTreeMap, HashMap};
use std::ops::AddAssign;

use serde::Serialize;

use super::{Comparison, Flips};
use crate::SkillLevel;
use crate::planning::dashboard::Target;
use crate::planning::{Indicator, IndicatorKind, Measure};

/// The figures of a row: claims replayed, claims changed, and what they
/// pay under the base and under the draft (fen).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub claims: u64,
    pub changed: u64,
    pub base_fen: i64,
    pub draft_fen: i64,
}

impl Figures {
    pub(crate) fn one(changed: bool, base_fen: i64, draft_fen: i64) -> Figures {
        Figures {
            claims: 1,
            changed: u64::from(changed),
            base_fen,
            draft_fen,
        }
    }
}

impl AddAssign for Figures {
    fn add_assign(&mut self, o: Figures) {
        self.claims += o.claims;
        self.changed += o.changed;
        self.base_fen += o.base_fen;
        self.draft_fen += o.draft_fen;
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionRow {
    pub region: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeRow {
    pub subsidy_type: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OccupationRow {
    /// Occupation code, "" for a claim with none (以工代训).
    pub occupation: String,
    pub name: String,
    /// 五级 … 一级, or 无.
    pub level: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryRow {
    /// A category the person held on the claim's event date ("" for none).
    /// A person of two categories counts in both rows.
    pub category: String,
    #[serde(flatten)]
    pub figures: Figures,
}

impl CategoryRow {
    /// The category as the reports name it: （无类别） for none.
    pub fn label(&self) -> &str {
        if self.category.is_empty() {
            "（无类别）"
        } else {
            &self.category
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstitutionRow {
    /// Credit code, "" for a claim with neither class nor claimant.
    pub institution: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FundRow {
    /// The first fund source R16 routes the subsidy type to ("" for none).
    pub fund: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// A fund source as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundBalance {
    pub code: String,
    pub name: String,
    pub allocated_fen: i64,
    pub balance_fen: i64,
}

/// The draft's extra cost against a fund source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetRow {
    pub fund: String,
    pub name: String,
    pub allocated_fen: i64,
    pub balance_fen: i64,
    pub base_fen: i64,
    pub draft_fen: i64,
    /// draft − base: what the fund would pay more (negative: less).
    pub extra_fen: i64,
    /// The balance had the draft been in force.
    pub balance_after_fen: i64,
    /// extra ÷ allocated, in percent, two decimals (none when nothing is
    /// allocated).
    pub extra_pct_of_allocated: Option<f64>,
}

/// What the changed eligibility reaches of a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetRow {
    pub indicator: String,
    pub name: String,
    pub unit: String,
    pub decimals: u32,
    pub region: String,
    pub year_from: i32,
    pub year_to: i32,
    /// In the indicator's unit, scaled by `decimals`.
    pub target: i64,
    /// Units (trainings, certificates; fen for money) subsidised under
    /// the draft and not under the base, and the other way round.
    pub gained: i64,
    pub lost: i64,
    pub net: i64,
    /// net ÷ target, in percent (four decimals).
    pub net_pct_of_target: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Budget {
    pub funds: Vec<BudgetRow>,
    pub targets: Vec<TargetRow>,
}

/// The comparison as reported. The field names are those `jineng policy
/// whatif --json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub base_policy: String,
    pub claims: u64,
    pub changed: u64,
    pub base_fen: i64,
    pub draft_fen: i64,
    pub flips: Flips,
    pub by_region: Vec<RegionRow>,
    pub by_subsidy_type: Vec<TypeRow>,
    pub by_occupation: Vec<OccupationRow>,
    pub by_category: Vec<CategoryRow>,
    pub by_institution: Vec<InstitutionRow>,
    pub by_fund: Vec<FundRow>,
    pub budget: Budget,
}

/// Names of what the rows are keyed by.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub regions: HashMap<String, String>,
    pub occupations: HashMap<String, String>,
    pub institutions: HashMap<String, String>,
    pub funds: HashMap<String, String>,
}

fn name(map: &HashMap<String, String>, key: &str, none: &str) -> String {
    if key.is_empty() {
        return none.to_string();
    }
    map.get(key).cloned().unwrap_or_default()
}

/// A breakdown's rows as (key, figures).
fn rows(m: &BTreeMap<String, Figures>) -> impl Iterator<Item = (String, Figures)> + '_ {
    m.iter().map(|(k, f)| (k.clone(), *f))
}

/// part ÷ whole in percent, to `decimals` places (no negative zero).
fn pct(part: i64, whole: i64, decimals: i32) -> Option<f64> {
    let scale = 10f64.powi(decimals);
    (whole != 0).then(|| (part as f64 * 100.0 * scale / whole as f64).round() / scale + 0.0)
}

impl Comparison {
    /// The report: rows named, the cost set against `funds` and the
    /// targets of `region` whose years meet the replayed claims'.
    pub fn report(
        &self,
        base_policy: &str,
        names: &Names,
        funds: &[FundBalance],
        targets: &[(Indicator, Target)],
    ) -> Report {
        Report {
            base_policy: base_policy.to_string(),
            claims: self.claims,
            changed: self.changed,
            base_fen: self.base_fen,
            draft_fen: self.draft_fen,
            flips: self.flips,
            by_region: rows(&self.by_region)
                .map(|(k, figures)| RegionRow {
                    name: name(&names.regions, &k, ""),
                    region: k,
                    figures,
                })
                .collect(),
            by_subsidy_type: rows(&self.by_type)
                .map(|(subsidy_type, figures)| TypeRow {
                    subsidy_type,
                    figures,
                })
                .collect(),
            by_occupation: self
                .by_occupation
                .iter()
                .flat_map(|(code, levels)| levels.iter().map(move |(g, f)| (code, g, f)))
                .map(|(code, grade, figures)| OccupationRow {
                    name: name(&names.occupations, code, "（无职业）"),
                    occupation: code.clone(),
                    level: SkillLevel::from_grade(*grade)
                        .map_or("无", |l| l.as_zh().split('/').next().unwrap_or("无"))
                        .to_string(),
                    figures: *figures,
                })
                .collect(),
            by_category: rows(&self.by_category)
                .map(|(category, figures)| CategoryRow { category, figures })
                .collect(),
            by_institution: rows(&self.by_institution)
                .map(|(k, figures)| InstitutionRow {
                    name: name(&names.institutions, &k, "（无培训机构）"),
                    institution: k,
                    figures,
                })
                .collect(),
            by_fund: rows(&self.by_fund)
                .map(|(k, figures)| FundRow {
                    name: name(&names.funds, &k, "（未指定资金来源）"),
                    fund: k,
                    figures,
                })
                .collect(),
            budget: Budget {
                funds: self.budget(funds),
                targets: targets
                    .iter()
                    .filter_map(|(i, t)| self.target(i, t))
                    .collect(),
            },
        }
    }

    fn budget(&self, funds: &[FundBalance]) -> Vec<BudgetRow> {
        let mut out: Vec<BudgetRow> = funds
            .iter()
            .map(|f| {
                let fig = self.by_fund.get(&f.code).copied().unwrap_or_default();
                let extra = fig.draft_fen - fig.base_fen;
                BudgetRow {
                    fund: f.code.clone(),
                    name: f.name.clone(),
                    allocated_fen: f.allocated_fen,
                    balance_fen: f.balance_fen,
                    base_fen: fig.base_fen,
                    draft_fen: fig.draft_fen,
                    extra_fen: extra,
                    balance_after_fen: f.balance_fen - extra,
                    extra_pct_of_allocated: pct(extra, f.allocated_fen, 2),
                }
            })
            .collect();
        // Money routed to no fund the ledger knows still costs something.
        for (code, fig) in &self.by_fund {
            if !funds.iter().any(|f| &f.code == code) && fig.draft_fen != fig.base_fen {
                let extra = fig.draft_fen - fig.base_fen;
                out.push(BudgetRow {
                    fund: code.clone(),
                    name: String::new(),
                    allocated_fen: 0,
                    balance_fen: 0,
                    base_fen: fig.base_fen,
                    draft_fen: fig.draft_fen,
                    extra_fen: extra,
                    balance_after_fen: -extra,
                    extra_pct_of_allocated: None,
                });
            }
        }
        out
    }

    /// What the changed eligibility reaches of one target, when the
    /// indicator counts what claims subsidise and its years meet the
    /// replayed claims'.
    fn target(&self, ind: &Indicator, t: &Target) -> Option<TargetRow> {
        let IndicatorKind::Count {
            measure,
            category,
            training_type,
        } = &ind.kind
        else {
            return None;
        };
        let years = t.period.from..=t.period.to;
        if !self.years.iter().any(|y| years.contains(y)) {
            return None;
        }
        let (gained, lost) = if *measure == Measure::Paid {
            let net: i64 = self
                .paid_by_year
                .iter()
                .filter(|(y, _)| years.contains(y))
                .map(|(_, n)| n)
                .sum();
            (net.max(0), (-net).max(0))
        } else {
            let hits = |gained: bool| {
                self.reached
                    .iter()
                    .filter(|r| r.gained == gained && r.measure == *measure)
                    .filter(|r| years.contains(&r.year))
                    .filter(|r| category.as_ref().is_none_or(|c| r.categories.contains(c)))
                    .filter(|r| {
                        training_type
                            .as_ref()
                            .is_none_or(|tt| r.training_type.as_ref() == Some(tt))
                    })
                    .count() as i64
            };
            (hits(true), hits(false))
        };
        Some(TargetRow {
            indicator: ind.code.clone(),
            name: ind.name.clone(),
            unit: ind.unit.clone(),
            decimals: ind.decimals,
            region: t.region.clone(),
            year_from: t.period.from,
            year_to: t.period.to,
            target: t.value,
            gained,
            lost,
            net: gained - lost,
            net_pct_of_target: pct(gained - lost, t.value, 4),
        })
    }
}
