//! Who may file which subsidy type, read from a compiled policy rather than
//! from a list in code: the rule that prices a type says who it pays
//! (R9/R10 the enterprise, R8/R12 the person, R11 the institution, R1/R14
//! the institution for the free-training groups of R7 and otherwise the
//! person) and what the claim must carry (a certificate, a class, months).

use super::{Policy, RuleId};
use crate::policy::engine::PayeeKind;

/// The three kinds of claimant that file on the web.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claimant {
    /// 培训机构: for the trainees of its classes.
    Institution,
    /// 企业: for its employees (新型学徒制, 以工代训).
    Enterprise,
    /// 劳动者: for themself, on their own certificate.
    Worker,
}

/// What a claim of one subsidy type must carry, by its pricing rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Needs {
    pub certificate: bool,
    pub class: bool,
    pub months: bool,
    pub claimant: bool,
}

impl Policy {
    /// Who a claim of `subsidy_type` may pay under this policy.
    pub fn payees(&self, subsidy_type: &str) -> Vec<PayeeKind> {
        let Some(rule) = self.amount_rules.get(subsidy_type) else {
            return Vec::new();
        };
        let free = self
            .rules
            .r7
            .as_ref()
            .is_some_and(|r7| r7.params.subsidy_types.iter().any(|t| t == subsidy_type));
        match rule {
            RuleId::R8 | RuleId::R12 => vec![PayeeKind::Person],
            RuleId::R9 | RuleId::R10 => vec![PayeeKind::Enterprise],
            RuleId::R11 => vec![PayeeKind::Institution],
            RuleId::R1 | RuleId::R14 if free => vec![PayeeKind::Institution, PayeeKind::Person],
            RuleId::R1 | RuleId::R14 => vec![PayeeKind::Person],
            _ => Vec::new(),
        }
    }

    /// What a claim of `subsidy_type` must carry (its pricing rule's inputs).
    pub fn needs(&self, subsidy_type: &str) -> Needs {
        let rule = self.amount_rules.get(subsidy_type);
        Needs {
            certificate: matches!(rule, Some(RuleId::R1 | RuleId::R12)),
            class: matches!(
                rule,
                Some(RuleId::R8 | RuleId::R9 | RuleId::R11 | RuleId::R14)
            ),
            months: matches!(rule, Some(RuleId::R10)),
            claimant: matches!(rule, Some(RuleId::R9 | RuleId::R10)),
        }
    }

    /// The subsidy types this kind of claimant files, in the policy's
    /// order: an institution those that may pay an institution, an
    /// enterprise those paid to the enterprise, a worker those paid to a
    /// person on their own certificate.
    pub fn subsidy_types_for(&self, who: Claimant) -> Vec<String> {
        self.amount_rules
            .keys()
            .filter(|t| {
                let payees = self.payees(t);
                match who {
                    Claimant::Institution => payees.contains(&PayeeKind::Institution),
                    Claimant::Enterprise => payees.contains(&PayeeKind::Enterprise),
                    Claimant::Worker => {
                        payees.contains(&PayeeKind::Person) && self.needs(t).certificate
                    }
                }
            })
            .cloned()
            .collect()
    }
}
