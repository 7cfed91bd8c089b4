//! What-if (政策测算): a period's decided claims replayed under the base
//! policy and under a draft, with the same facts, in the same order and
//! with the same caps history, and the comparison of the two: totals,
//! flips, breakdowns and, per changed claim, the rules whose verdict
//! changed. Pure: the store reads the claims (`PersonClaims`) and the
//! figures the report sets the cost against; nothing is written.
//!
//! A person's claims are walked in the engine's order (`engine::order_key`).
//! A replayed claim is decided under each policy against that policy's own
//! history; one that is not replayed (before the period, or under another
//! policy) adds the award it stands for, if any, to both histories alike.
//! As in `claims decide`, a claim that stands — approved, or held for
//! review, which an officer may approve — joins the history the later
//! claims see.

mod report;

pub use report::{
    BudgetRow, CategoryRow, Figures, FundBalance, FundRow, InstitutionRow, Names, OccupationRow,
    RegionRow, Report, TargetRow, TypeRow,
};

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::engine::{self, Decision, DecisionOutcome};
use super::facts::{Award, ClaimFacts, PersonFacts};
use super::{Policy, RuleId};
use crate::ledger::FundCode;
use crate::planning::Measure;
use crate::{CertificateType, Fen, RegionCode};

/// A person's claims as the replay takes them.
#[derive(Debug, Clone)]
pub struct PersonClaims {
    pub person: PersonFacts,
    pub claims: Vec<ReplayClaim>,
}

/// One claim of a person.
#[derive(Debug, Clone)]
pub struct ReplayClaim {
    pub facts: ClaimFacts,
    /// Replayed under both policies; otherwise `award`, the subsidy it
    /// stands for as recorded, counts for both alike.
    pub replay: bool,
    pub award: Option<Award>,
    /// Where the claim is counted: its paying region (jurisdiction) and
    /// the institution (the class's, else the claimant's credit code).
    pub region: RegionCode,
    pub institution: Option<String>,
}

/// A replayed claim decided under both policies.
#[derive(Debug, Clone)]
pub struct Compared {
    /// The claim's place in `PersonClaims::claims`.
    pub index: usize,
    pub base: Decision,
    pub draft: Decision,
}

/// Decides a person's replayed claims under `base` and under `draft`.
pub fn replay(base: &Policy, draft: &Policy, p: &PersonClaims, today: NaiveDate) -> Vec<Compared> {
    let mut order: Vec<usize> = (0..p.claims.len()).collect();
    order.sort_by(|&a, &b| {
        engine::order_key(&p.claims[a].facts).cmp(&engine::order_key(&p.claims[b].facts))
    });
    let (mut base_h, mut draft_h): (Vec<Award>, Vec<Award>) = (Vec::new(), Vec::new());
    let mut out = Vec::new();
    for i in order {
        let c = &p.claims[i];
        if !c.replay {
            if let Some(a) = &c.award {
                base_h.push(a.clone());
                draft_h.push(a.clone());
            }
            continue;
        }
        let mut b = engine::decide(base, &p.person, &c.facts, &base_h, today);
        let mut d = engine::decide(draft, &p.person, &c.facts, &draft_h, today);
        // The award joins the history; the comparison needs the rest.
        for (dec, hist) in [(&mut b, &mut base_h), (&mut d, &mut draft_h)] {
            if dec.outcome != DecisionOutcome::Rejected
                && let Some(a) = dec.award.take()
            {
                hist.push(a);
            }
        }
        out.push(Compared {
            index: i,
            base: b,
            draft: d,
        });
    }
    out
}

/// One side of a changed claim, as `--claims-out` writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Side {
    pub outcome: DecisionOutcome,
    pub amount_fen: i64,
}

impl Side {
    fn of(d: &Decision) -> Side {
        Side {
            outcome: d.outcome,
            amount_fen: stands(d).0,
        }
    }
}

/// A claim whose outcome or amount the draft changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedClaim {
    pub claim_no: String,
    pub base: Side,
    pub draft: Side,
    /// The rules whose verdict changed, and the rule that prices the claim
    /// when its amount changed.
    pub rules_changed: Vec<RuleId>,
}

/// What a decision pays: its amount unless it is rejected.
fn stands(d: &Decision) -> Fen {
    if d.outcome == DecisionOutcome::Rejected {
        Fen::ZERO
    } else {
        d.amount
    }
}

/// Both decisions stand, at different amounts: the pricing rule changed.
fn priced_differently(base: &Decision, draft: &Decision) -> bool {
    base.outcome != DecisionOutcome::Rejected
        && draft.outcome != DecisionOutcome::Rejected
        && base.amount != draft.amount
}

fn rules_changed(base: &Decision, draft: &Decision, pricing: Option<RuleId>) -> Vec<RuleId> {
    let verdicts = |d: &Decision, r: RuleId| {
        d.trace
            .iter()
            .filter(|l| l.rule == Some(r))
            .map(|l| l.verdict)
            .collect::<Vec<_>>()
    };
    RuleId::ALL
        .into_iter()
        .filter(|&r| {
            verdicts(base, r) != verdicts(draft, r)
                || (Some(r) == pricing && priced_differently(base, draft))
        })
        .collect()
}

/// A subsidised unit a target counts that the draft gains or loses: a
/// person's training (class) or certificate, in the year of its event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reached {
    pub year: i32,
    pub measure: Measure,
    pub gained: bool,
    /// The person's categories on the event date.
    pub categories: Vec<String>,
    pub training_type: Option<String>,
}

/// The comparison accumulated over every replayed claim.
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    pub claims: u64,
    pub changed: u64,
    pub base_fen: i64,
    pub draft_fen: i64,
    pub flips: Flips,
    pub(crate) by_region: BTreeMap<String, Figures>,
    pub(crate) by_type: BTreeMap<String, Figures>,
    /// Occupation code ("" for none) → level grade (0 for none).
    pub(crate) by_occupation: BTreeMap<String, BTreeMap<u8, Figures>>,
    pub(crate) by_category: BTreeMap<String, Figures>,
    pub(crate) by_institution: BTreeMap<String, Figures>,
    pub(crate) by_fund: BTreeMap<String, Figures>,
    /// Net amount change by application year (the `paid` measure's year).
    pub(crate) paid_by_year: BTreeMap<i32, i64>,
    pub reached: Vec<Reached>,
    /// Years of the replayed claims' events.
    pub years: BTreeSet<i32>,
}

/// Claims that changed side: standing (approved or in review) or not, and
/// standing on both sides with a higher or lower amount.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Flips {
    pub approved_to_rejected: u64,
    pub rejected_to_approved: u64,
    pub amount_up: u64,
    pub amount_down: u64,
}

/// The first fund source a policy routes a subsidy type to (R16), "" when
/// it routes none.
fn fund_of<'p>(p: &'p Policy, subsidy_type: &str) -> &'p str {
    p.rules
        .r16
        .as_ref()
        .and_then(|r| r.params.routing.get(subsidy_type))
        .and_then(|f| f.first())
        .map_or("", FundCode::as_str)
}

impl Comparison {
    /// Adds a person's compared claims; returns those the draft changes.
    pub fn add(
        &mut self,
        base: &Policy,
        draft: &Policy,
        p: &PersonClaims,
        compared: &[Compared],
    ) -> Vec<ChangedClaim> {
        let mut out = Vec::new();
        for c in compared {
            let claim = &p.claims[c.index];
            let f = &claim.facts;
            let (b, d) = (stands(&c.base), stands(&c.draft));
            let changed = c.base.outcome != c.draft.outcome || b != d;
            let fig = Figures::one(changed, b.0, d.0);
            self.claims += 1;
            self.base_fen += b.0;
            self.draft_fen += d.0;
            self.years.insert(f.event_date().year());
            let (base_fund, draft_fund) = (
                fund_of(base, &f.subsidy_type),
                fund_of(draft, &f.subsidy_type),
            );
            let occupation = f.occupation().map_or("", |o| o.as_str());
            let grade = f.level().map_or(0, |l| l.grade());
            let on = f.event_date();
            let mut categories: Vec<&str> = p
                .person
                .categories
                .iter()
                .filter(|s| s.holds_on(on))
                .map(|s| s.category.as_str())
                .collect();
            categories.sort_unstable();
            categories.dedup();
            add(&mut self.by_region, claim.region.as_str(), fig);
            add(&mut self.by_type, &f.subsidy_type, fig);
            match self.by_occupation.get_mut(occupation) {
                Some(levels) => *levels.entry(grade).or_default() += fig,
                None => {
                    let levels = BTreeMap::from([(grade, fig)]);
                    self.by_occupation.insert(occupation.to_string(), levels);
                }
            }
            if categories.is_empty() {
                add(&mut self.by_category, "", fig);
            }
            for cat in &categories {
                add(&mut self.by_category, cat, fig);
            }
            add(
                &mut self.by_institution,
                claim.institution.as_deref().unwrap_or_default(),
                fig,
            );
            if base_fund == draft_fund {
                add(&mut self.by_fund, base_fund, fig);
            } else {
                add(&mut self.by_fund, base_fund, Figures::one(changed, b.0, 0));
                let moved = Figures {
                    claims: 0,
                    ..Figures::one(changed, 0, d.0)
                };
                add(&mut self.by_fund, draft_fund, moved);
            }
            *self.paid_by_year.entry(f.applied_on.year()).or_default() += d.0 - b.0;
            if !changed {
                continue;
            }
            self.changed += 1;
            let (bs, ds) = (
                c.base.outcome != DecisionOutcome::Rejected,
                c.draft.outcome != DecisionOutcome::Rejected,
            );
            match (bs, ds) {
                (true, false) => self.flips.approved_to_rejected += 1,
                (false, true) => self.flips.rejected_to_approved += 1,
                (true, true) if d > b => self.flips.amount_up += 1,
                (true, true) if d < b => self.flips.amount_down += 1,
                _ => {}
            }
            let pricing = draft
                .amount_rules
                .get(&f.subsidy_type)
                .or_else(|| base.amount_rules.get(&f.subsidy_type))
                .copied();
            out.push(ChangedClaim {
                claim_no: f.claim_no.clone(),
                base: Side::of(&c.base),
                draft: Side::of(&c.draft),
                rules_changed: rules_changed(&c.base, &c.draft, pricing),
            });
        }
        self.reach(p, compared);
        out
    }

    /// The trainings and certificates of the person that stand under one
    /// policy and not the other.
    fn reach(&mut self, p: &PersonClaims, compared: &[Compared]) {
        let standing = |d: &Decision| d.outcome != DecisionOutcome::Rejected;
        if compared
            .iter()
            .all(|c| standing(&c.base) == standing(&c.draft))
        {
            return;
        }
        type Unit = (i32, Measure, String);
        let mut units: [BTreeMap<Unit, usize>; 2] = [BTreeMap::new(), BTreeMap::new()];
        let mut put = |side: usize, i: usize| {
            let f = &p.claims[i].facts;
            let year = f.event_date().year();
            if let Some(class) = &f.class {
                units[side].insert((year, Measure::Training, class.key.to_string()), i);
            }
            if let Some(cert) = &f.certificate
                && matches!(
                    cert.cert_type,
                    CertificateType::Qualification | CertificateType::SkillLevel
                )
            {
                units[side].insert((year, Measure::Certificate, cert.cert_no.clone()), i);
                if cert.level.is_some_and(|l| l.is_high_skilled()) {
                    units[side].insert((year, Measure::HighCertificate, cert.cert_no.clone()), i);
                }
            }
        };
        for (i, c) in p.claims.iter().enumerate() {
            if !c.replay && c.award.is_some() {
                put(0, i);
                put(1, i);
            }
        }
        for c in compared {
            if standing(&c.base) {
                put(0, c.index);
            }
            if standing(&c.draft) {
                put(1, c.index);
            }
        }
        for (side, gained) in [(1usize, true), (0, false)] {
            for ((year, measure, key), &i) in &units[side] {
                if units[1 - side].contains_key(&(*year, *measure, key.clone())) {
                    continue;
                }
                let f = &p.claims[i].facts;
                let on = f.event_date();
                self.reached.push(Reached {
                    year: *year,
                    measure: *measure,
                    gained,
                    categories: p
                        .person
                        .categories
                        .iter()
                        .filter(|s| s.holds_on(on))
                        .map(|s| s.category.clone())
                        .collect(),
                    training_type: f.class.as_ref().map(|c| c.training_type.clone()),
                });
            }
        }
    }
}

fn add(map: &mut BTreeMap<String, Figures>, key: &str, fig: Figures) {
    match map.get_mut(key) {
        Some(f) => *f += fig,
        None => {
            map.insert(key.to_string(), fig);
        }
    }
}
