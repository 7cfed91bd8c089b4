//! Jurisdiction (管辖): which loaded policy governs a claim.
//!
//! A policy governs the region its `[policy] region` names and every region
//! inside it. A claim is paid by one region (its paying region, below); the
//! policy for it is the most specific one whose region contains the paying
//! region and that is in force on the claim's event date. Containment
//! follows the regions table (GB/T 2260 parents, and the deployment's own
//! functional zones under the parent they were imported with), falling back
//! to the code's digits for a code the table does not hold.

use std::borrow::Cow;
use std::collections::HashMap;

use jineng_domain::RegionCode;
use jineng_domain::policy::facts::PersonFacts;
use sqlx::Row;

use crate::StoreError;
use crate::claims::facts::StoredClaim;

/// The parent of each region, from the regions table.
#[derive(Debug, Default, Clone)]
pub struct RegionTree {
    parent: HashMap<String, String>,
    /// The chain of every region the table holds, computed once: a batch
    /// asks for it once per claim.
    chains: HashMap<String, Vec<String>>,
}

/// Regions above a county: prefecture, province (and a placeholder level
/// in between for some directly administered counties).
const MAX_DEPTH: usize = 6;

impl RegionTree {
    pub(crate) async fn load(pool: &sqlx::AnyPool) -> Result<RegionTree, StoreError> {
        let mut parent = HashMap::new();
        for r in sqlx::query("SELECT code, parent_code FROM regions WHERE parent_code IS NOT NULL")
            .fetch_all(pool)
            .await?
        {
            parent.insert(r.try_get("code")?, r.try_get("parent_code")?);
        }
        Ok(RegionTree::from_parents(parent))
    }

    fn from_parents(parent: HashMap<String, String>) -> RegionTree {
        let mut tree = RegionTree {
            parent,
            chains: HashMap::new(),
        };
        let codes: Vec<String> = tree.parent.keys().cloned().collect();
        for code in codes {
            let chain = tree.walk(&code);
            tree.chains.insert(code, chain);
        }
        tree
    }

    /// The region itself, then each region containing it, nearest first.
    pub fn chain(&self, region: &RegionCode) -> Cow<'_, [String]> {
        match self.chains.get(region.as_str()) {
            Some(c) => Cow::Borrowed(c),
            None => Cow::Owned(self.walk(region.as_str())),
        }
    }

    fn walk(&self, region: &str) -> Vec<String> {
        let mut out = vec![region.to_string()];
        while out.len() < MAX_DEPTH {
            let last = out.last().expect("never empty");
            let up = match self.parent.get(last) {
                Some(p) => p.clone(),
                None => match structural_parent(last) {
                    Some(p) => p,
                    None => break,
                },
            };
            if out.contains(&up) {
                break;
            }
            out.push(up);
        }
        out
    }
}

/// The enclosing region by the code's digits: a county's prefecture (or
/// its province when digits 3–4 are 00), a prefecture's province.
fn structural_parent(code: &str) -> Option<String> {
    let c = RegionCode::parse(code).ok()?;
    match c.level() {
        jineng_domain::RegionLevel::Province => None,
        jineng_domain::RegionLevel::Prefecture => Some(c.province().as_str().to_string()),
        jineng_domain::RegionLevel::County => Some(
            c.prefecture()
                .unwrap_or_else(|| c.province())
                .as_str()
                .to_string(),
        ),
    }
}

/// Why a region pays a claim, for the record and the docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayingBasis {
    /// 以工代训, 学徒制: the enterprise's registered region.
    Enterprise,
    /// A training subsidy: the class's 培训地.
    ClassSite,
    /// An institution's claim without a class: its 所在地.
    Institution,
    /// Neither class nor claimant: the person's 户籍地.
    Hukou,
}

/// The region whose policy pays a claim (docs/policy.md, Jurisdiction):
/// an enterprise claim (a type priced for an enterprise) by the
/// enterprise's registered region; else by the class's 培训地; else by the
/// claiming institution's 所在地; else by the person's 户籍地.
pub(crate) fn paying_region<'a>(
    c: &'a StoredClaim,
    person: &'a PersonFacts,
    enterprise_claim: bool,
) -> (&'a RegionCode, PayingBasis) {
    if enterprise_claim && let Some(r) = &c.claimant_region {
        return (r, PayingBasis::Enterprise);
    }
    if let Some(class) = &c.facts.class {
        return (&class.site, PayingBasis::ClassSite);
    }
    if let Some(r) = &c.claimant_region {
        return (r, PayingBasis::Institution);
    }
    (&person.hukou, PayingBasis::Hukou)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(pairs: &[(&str, &str)]) -> RegionTree {
        RegionTree::from_parents(
            pairs
                .iter()
                .map(|(c, p)| (c.to_string(), p.to_string()))
                .collect(),
        )
    }

    #[test]
    fn a_county_lies_in_its_city_and_province() {
        let t = tree(&[("371502", "371500"), ("371500", "370000")]);
        let c = RegionCode::parse("371502").unwrap();
        assert_eq!(t.chain(&c).to_vec(), ["371502", "371500", "370000"]);
    }

    #[test]
    fn a_code_missing_from_the_table_follows_its_digits() {
        let t = RegionTree::default();
        let c = RegionCode::parse("620525").unwrap();
        assert_eq!(t.chain(&c).to_vec(), ["620525", "620500", "620000"]);
        let c = RegionCode::parse("110101").unwrap();
        assert_eq!(t.chain(&c).to_vec(), ["110101", "110100", "110000"]);
    }

    #[test]
    fn a_deployment_zone_belongs_to_the_parent_it_was_imported_with() {
        // A zone whose digits name no prefecture of its own.
        let t = tree(&[("379901", "371500"), ("371500", "370000")]);
        let c = RegionCode::parse("379901").unwrap();
        assert_eq!(t.chain(&c).to_vec(), ["379901", "371500", "370000"]);
    }
}
