//! The rules R1–R17, one module each: the parameters a policy file gives the
//! rule (`[rules.Rn]`) and what the rule does with a claim. Shared here: the
//! evaluation context and how categories are matched on a date, including
//! the family extension of R6.

pub mod r01_certificate;
pub mod r02_yearly_cap;
pub mod r03_no_repeat;
pub mod r04_local_institution;
pub mod r05_retirement;
pub mod r06_family;
pub mod r07_free_training;
pub mod r08_living_allowance;
pub mod r09_apprenticeship;
pub mod r10_work_training;
pub mod r11_project;
pub mod r12_skill_upgrade;
pub mod r13_veteran;
pub mod r14_startup;
pub mod r15_same_standard;
pub mod r16_dedicated_account;
pub mod r17_no_duplicate;

use chrono::NaiveDate;
use serde::de::DeserializeOwned;

use super::facts::{Award, CategorySpan, CertificateFacts, ClaimFacts, ClassFacts, PersonFacts};
use super::trace::{Detail, Evidence, TraceLine, Verdict};
use super::{Cite, Policy, RuleId};
use crate::refdata::{RefData, vocab_kind};
use crate::{CertificateType, RelationKind};

/// An enabled rule: its parameters and where it comes from.
#[derive(Debug, Clone)]
pub struct Active<P> {
    pub cite: Cite,
    pub params: P,
    /// Parameter → where its value comes from (`sources` in the file).
    pub sources: Vec<(String, String)>,
}

/// The rules a policy enables; `None` means the jurisdiction does not apply it.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub r1: Option<Active<r01_certificate::Params>>,
    pub r2: Option<Active<r02_yearly_cap::Params>>,
    pub r3: Option<Active<r03_no_repeat::Params>>,
    pub r4: Option<Active<r04_local_institution::Params>>,
    pub r5: Option<Active<r05_retirement::Params>>,
    pub r6: Option<Active<r06_family::Params>>,
    pub r7: Option<Active<r07_free_training::Params>>,
    pub r8: Option<Active<r08_living_allowance::Params>>,
    pub r9: Option<Active<r09_apprenticeship::Params>>,
    pub r10: Option<Active<r10_work_training::Params>>,
    pub r11: Option<Active<r11_project::Params>>,
    pub r12: Option<Active<r12_skill_upgrade::Params>>,
    pub r13: Option<Active<r13_veteran::Params>>,
    pub r14: Option<Active<r14_startup::Params>>,
    pub r15: Option<Active<r15_same_standard::Params>>,
    pub r16: Option<Active<r16_dedicated_account::Params>>,
    pub r17: Option<Active<r17_no_duplicate::Params>>,
}

macro_rules! cite_of {
    ($self:ident, $rule:expr, $($id:ident => $field:ident),+) => {
        match $rule { $(RuleId::$id => $self.$field.as_ref().map(|a| &a.cite),)+ }
    };
}

impl Rules {
    pub fn cite(&self, rule: RuleId) -> Option<&Cite> {
        cite_of!(self, rule, R1 => r1, R2 => r2, R3 => r3, R4 => r4, R5 => r5, R6 => r6,
            R7 => r7, R8 => r8, R9 => r9, R10 => r10, R11 => r11, R12 => r12, R13 => r13,
            R14 => r14, R15 => r15, R16 => r16, R17 => r17)
    }

    /// The parameters of an enabled rule that name their own source.
    pub fn sources(&self, rule: RuleId) -> &[(String, String)] {
        macro_rules! of {
            ($($id:ident => $field:ident),+) => {
                match rule { $(RuleId::$id => self.$field.as_ref().map(|a| a.sources.as_slice()),)+ }
            };
        }
        of!(R1 => r1, R2 => r2, R3 => r3, R4 => r4, R5 => r5, R6 => r6, R7 => r7, R8 => r8,
            R9 => r9, R10 => r10, R11 => r11, R12 => r12, R13 => r13, R14 => r14, R15 => r15,
            R16 => r16, R17 => r17)
        .unwrap_or(&[])
    }

    pub fn enabled(&self) -> Vec<RuleId> {
        RuleId::ALL
            .into_iter()
            .filter(|r| self.cite(*r).is_some())
            .collect()
    }
}

/// What a rule's parameters must satisfy once read: names that exist in the
/// vocabularies, categories interned for fast matching. An error names the
/// parameter it is about, so the loader can point at its line.
pub(crate) trait RuleParams: DeserializeOwned {
    fn check(&mut self, cx: &mut CompileCx<'_>) -> Result<(), (&'static str, String)>;
}

/// Compile-time services for `RuleParams::check`.
pub(crate) struct CompileCx<'a> {
    pub refdata: &'a RefData,
    pub categories: Vec<String>,
}

impl CompileCx<'_> {
    /// A term of the vocabulary; anything goes when none is loaded (a
    /// policy read without reference data, as in unit tests).
    fn known(&self, kind: &str, term: &str) -> bool {
        self.refdata.terms(kind).is_empty() || self.refdata.has_term(kind, term)
    }

    pub fn category(
        &mut self,
        key: &'static str,
        name: &str,
    ) -> Result<u16, (&'static str, String)> {
        if !self.known(vocab_kind::PERSON_CATEGORY, name) {
            return Err((
                key,
                format!("未知的人员类别「{name}」（见词表 person_category）"),
            ));
        }
        if let Some(i) = self.categories.iter().position(|c| c == name) {
            return Ok(i as u16);
        }
        self.categories.push(name.to_string());
        Ok((self.categories.len() - 1) as u16)
    }

    pub fn categories(
        &mut self,
        key: &'static str,
        names: &[String],
    ) -> Result<Vec<u16>, (&'static str, String)> {
        names.iter().map(|n| self.category(key, n)).collect()
    }

    pub fn sets(
        &mut self,
        key: &'static str,
        sets: &[Vec<String>],
    ) -> Result<Vec<Vec<u16>>, (&'static str, String)> {
        sets.iter().map(|s| self.categories(key, s)).collect()
    }

    pub fn subsidy_type(
        &self,
        key: &'static str,
        name: &str,
    ) -> Result<(), (&'static str, String)> {
        if self.known(vocab_kind::SUBSIDY_TYPE, name) {
            Ok(())
        } else {
            Err((
                key,
                format!("未知的补贴类型「{name}」（见词表 subsidy_type）"),
            ))
        }
    }

    pub fn training_types(
        &self,
        key: &'static str,
        names: &[String],
    ) -> Result<(), (&'static str, String)> {
        match names
            .iter()
            .find(|n| !self.known(vocab_kind::TRAINING_TYPE, n))
        {
            Some(n) => Err((
                key,
                format!("未知的培训类型「{n}」（见词表 training_type）"),
            )),
            None => Ok(()),
        }
    }
}

/// Everything a rule may look at while deciding one claim.
pub(crate) struct Ctx<'a> {
    pub policy: &'a Policy,
    pub person: &'a PersonFacts,
    pub claim: &'a ClaimFacts,
    pub history: &'a [Award],
    pub year: i32,
    pub trace: Vec<TraceLine>,
}

/// A category found: which one (interned) and, when it is a relative's
/// that R6 extends to the person, through which relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CategoryHit {
    pub category: u16,
    pub via: Option<RelationKind>,
}

impl<'a> Ctx<'a> {
    /// The claim's certificate when it is of one of `types`; otherwise the
    /// refusal of `rule`.
    pub fn certificate(
        &mut self,
        rule: RuleId,
        types: &[CertificateType],
    ) -> Option<&'a CertificateFacts> {
        let claim: &'a ClaimFacts = self.claim;
        let Some(cert) = claim.certificate.as_ref() else {
            self.push(rule, Verdict::Fail, Detail::Missing(Evidence::Certificate));
            return None;
        };
        if !types.contains(&cert.cert_type) {
            self.push(rule, Verdict::Fail, Detail::CertTypeNotCovered);
            return None;
        }
        if let Some(on) = cert.revoked_on {
            self.push(rule, Verdict::Fail, Detail::CertificateRevoked { on });
            return None;
        }
        Some(cert)
    }

    /// The claim's class, or a refusal of `rule` for its absence.
    pub fn class(&mut self, rule: RuleId) -> Option<&'a ClassFacts> {
        let claim: &'a ClaimFacts = self.claim;
        if claim.class.is_none() {
            self.push(rule, Verdict::Fail, Detail::Missing(Evidence::Class));
        }
        claim.class.as_ref()
    }

    pub fn push(&mut self, rule: RuleId, verdict: Verdict, detail: Detail) {
        self.trace.push(TraceLine {
            rule: Some(rule),
            verdict,
            detail,
        });
    }

    pub fn failed(&self) -> bool {
        self.trace.iter().any(|l| l.verdict == Verdict::Fail)
    }

    /// The first category set the person satisfies on `date`, each member
    /// held by the person or, for R6's categories, by an immediate relative.
    pub fn find_category(&self, sets: &[Vec<u16>], date: NaiveDate) -> Option<CategoryHit> {
        self.find_category_except(sets, date, None)
    }

    pub fn find_category_except(
        &self,
        sets: &[Vec<u16>],
        date: NaiveDate,
        except: Option<u16>,
    ) -> Option<CategoryHit> {
        'sets: for set in sets {
            let mut hit = None;
            for &c in set {
                if Some(c) == except {
                    continue 'sets;
                }
                match self.holds(c, date) {
                    Some(h) => hit = hit.or(Some(h)),
                    None => continue 'sets,
                }
            }
            if hit.is_some() {
                return hit;
            }
        }
        None
    }

    fn holds(&self, category: u16, date: NaiveDate) -> Option<CategoryHit> {
        let name = self.policy.category(category);
        let held =
            |spans: &[CategorySpan]| spans.iter().any(|s| s.category == name && s.holds_on(date));
        let derived = self.policy.rules.r5.as_ref().is_some_and(|r5| {
            r5.params.derived_id == Some(category)
                && r5.params.over_age_without_pension(self.person, date)
        });
        if derived || held(&self.person.categories) {
            return Some(CategoryHit {
                category,
                via: None,
            });
        }
        let r6 = self.policy.rules.r6.as_ref()?;
        if !r6.params.category_ids.contains(&category) {
            return None;
        }
        self.person
            .family
            .iter()
            .find(|r| r6.params.relation_kinds.contains(&r.relation) && held(&r.categories))
            .map(|r| CategoryHit {
                category,
                via: Some(r.relation),
            })
    }

    /// Pushes R6's line when a hit holds through a relative.
    pub fn note_family(&mut self, hit: CategoryHit) {
        if let Some(relation) = hit.via {
            self.push(
                RuleId::R6,
                Verdict::Info,
                Detail::Family {
                    relation,
                    category: hit.category,
                },
            );
        }
    }

    /// Pushes the category line for a hit (after R6's when through a relative).
    pub fn note_category(&mut self, rule: RuleId, hit: CategoryHit) {
        self.note_family(hit);
        self.push(
            rule,
            Verdict::Pass,
            Detail::Category {
                category: hit.category,
            },
        );
    }
}

impl Ctx<'_> {
    /// The catalogue's standard with its uplift, as a trace line of `rule`
    /// (`pass_as` for the amount line), or a refusal when the catalogue has
    /// no entry in force on `on`.
    pub fn priced(
        &mut self,
        rule: RuleId,
        pass_as: RuleId,
        found: Option<super::catalogue::Found>,
        on: NaiveDate,
    ) -> Option<crate::Fen> {
        match found {
            Some(f) => {
                let amount = super::catalogue::uplifted(f.base, f.uplift_pct);
                self.push(
                    pass_as,
                    Verdict::Pass,
                    Detail::Standard {
                        base: f.base,
                        uplift_pct: f.uplift_pct,
                        amount,
                        entry: Some(f.entry),
                    },
                );
                Some(amount)
            }
            None => {
                self.push(rule, Verdict::Fail, Detail::NoStandard { on });
                None
            }
        }
    }
}

/// Whole months from `from` to `to` (negative when `to` is earlier).
pub(crate) fn months_between(from: NaiveDate, to: NaiveDate) -> i64 {
    use chrono::Datelike;
    let mut m =
        i64::from(to.year() - from.year()) * 12 + i64::from(to.month()) - i64::from(from.month());
    if to.day() < from.day() {
        m -= 1;
    }
    m
}
