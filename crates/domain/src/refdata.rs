//! Reference data held in memory while rows are parsed: which regions,
//! occupations and vocabulary terms exist. Loaded from the store, checked
//! here without I/O.

use std::collections::{HashMap, HashSet};

/// A region of the division tree as reference data gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionRow {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
    /// province | prefecture | county
    pub level: &'static str,
    /// administrative | functional | placeholder
    pub kind: &'static str,
    /// false for zones the deployment defines itself (no national code).
    pub national: bool,
    /// A prefecture-level city without counties (东莞市) that is also counted
    /// as a county-level unit under the same code.
    pub county_level: bool,
}

/// An entry of the occupational classification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OccupationRow {
    pub code: String,
    /// 1 大类, 2 中类, 3 小类, 4 职业
    pub level: i64,
    pub name: String,
    /// L, S or L/S (green / digital occupation), or empty.
    pub mark: String,
    pub definition: String,
}

/// Open vocabularies (kept as data so that a term can be added without a code change).
pub mod vocab_kind {
    pub const PERSON_CATEGORY: &str = "person_category";
    pub const TRAINING_TYPE: &str = "training_type";
    pub const INSTITUTION_TYPE: &str = "institution_type";
    pub const SUBSIDY_TYPE: &str = "subsidy_type";
}

#[derive(Debug, Clone, Default)]
pub struct RefData {
    /// code → name, every level.
    pub regions: HashMap<String, String>,
    /// 2-digit province prefixes.
    pub provinces: HashSet<String>,
    /// code → name, occupations (level 4) only.
    pub occupations: HashMap<String, String>,
    /// kind → terms.
    pub vocab: HashMap<String, Vec<String>>,
}

impl RefData {
    pub fn province_exists(&self, prefix: &str) -> bool {
        self.provinces.contains(prefix)
    }
    pub fn region_name(&self, code: &str) -> Option<&str> {
        self.regions.get(code).map(String::as_str)
    }
    pub fn occupation_name(&self, code: &str) -> Option<&str> {
        self.occupations.get(code).map(String::as_str)
    }
    pub fn has_term(&self, kind: &str, term: &str) -> bool {
        self.vocab
            .get(kind)
            .is_some_and(|t| t.iter().any(|x| x == term))
    }
    pub fn terms(&self, kind: &str) -> &[String] {
        self.vocab.get(kind).map(Vec::as_slice).unwrap_or(&[])
    }
}
