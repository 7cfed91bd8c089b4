//! The subsidy-standard catalogue (补贴标准目录): subsidy type × occupation ×
//! level × certificate type → amount, each entry with its effective dates and
//! the department that published it, plus shortage-occupation uplifts
//! (紧缺职业上浮). Overlapping entries are refused on load, and so are two
//! departments' different amounts for the same item (R15, 同类工种、同一等级、
//! 同等补贴).

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::{CertificateType, Fen, OccupationCode, SkillLevel};

/// `None` in `occupation` or `cert` means any; `level` matches exactly
/// (`None` for items without a level, such as 专项职业能力).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueEntry {
    pub subsidy: String,
    pub occupation: Option<OccupationCode>,
    pub level: Option<SkillLevel>,
    pub cert: Option<CertificateType>,
    pub amount: Fen,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub dept: String,
    /// Prices a training before any certificate exists (`cert = "未取证"`):
    /// R11's advance on the class's occupation and level.
    pub uncertified: bool,
    /// Where the amount comes from (文号 and clause), cited by the trace;
    /// empty when the entry does not say.
    pub source: String,
    /// Where the entry was written, for error messages.
    pub file: String,
    pub line: usize,
}

impl CatalogueEntry {
    fn in_force(&self, date: NaiveDate) -> bool {
        self.from <= date && self.to.is_none_or(|to| date <= to)
    }

    fn overlaps(&self, other: &CatalogueEntry) -> bool {
        let ends_before =
            |a: &CatalogueEntry, b: &CatalogueEntry| a.to.is_some_and(|to| to < b.from);
        !ends_before(self, other) && !ends_before(other, self)
    }

    fn same_item(&self, other: &CatalogueEntry) -> bool {
        self.subsidy == other.subsidy
            && self.occupation == other.occupation
            && self.level == other.level
            && self.cert == other.cert
            && self.uncertified == other.uncertified
    }

    /// "电工 四级/中级工 职业技能等级证书 (职业培训补贴)"
    pub fn describe(&self) -> String {
        let mut s = self
            .occupation
            .as_ref()
            .map_or("任意职业".to_string(), ToString::to_string);
        if let Some(l) = self.level {
            s.push(' ');
            s.push_str(l.as_zh());
        }
        s.push(' ');
        s.push_str(match self.cert {
            _ if self.uncertified => "未取证",
            Some(c) => c.as_zh(),
            None => "任意证书",
        });
        s.push_str(&format!("（{}）", self.subsidy));
        s
    }
}

/// A standard found in the catalogue: the base amount, the shortage uplift
/// in force, and the entry (index into [`Catalogue::entries`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub base: Fen,
    pub uplift_pct: u16,
    pub entry: u32,
}

/// A shortage occupation's uplift over its period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortage {
    pub occupation: OccupationCode,
    pub pct: u16,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub note: String,
    /// The amounts are examples (the documents say 按规定).
    pub example: bool,
    pub entries: Vec<CatalogueEntry>,
    pub shortage: Vec<Shortage>,
    /// subsidy → occupation code ("*" for any) → entry indices.
    index: HashMap<String, HashMap<String, Vec<usize>>>,
}

/// An overlap found on load: the later entry and the one it collides with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collision {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl Catalogue {
    /// Builds the catalogue, refusing overlapping entries and R15 breaches.
    pub fn new(
        note: String,
        example: bool,
        entries: Vec<CatalogueEntry>,
        shortage: Vec<Shortage>,
    ) -> Result<Catalogue, Collision> {
        let mut index: HashMap<String, HashMap<String, Vec<usize>>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            let occ = e.occupation.as_ref().map_or("*", OccupationCode::as_str);
            let slot = index
                .entry(e.subsidy.clone())
                .or_default()
                .entry(occ.to_string())
                .or_default();
            for &j in slot.iter() {
                let other: &CatalogueEntry = &entries[j];
                if !other.same_item(e) || !other.overlaps(e) {
                    continue;
                }
                let message = if other.dept != e.dept && other.amount != e.amount {
                    format!(
                        "违反 R15 同类工种、同一等级、同等补贴：{} 在「{}」为 {}元，在「{}」（第 {} 行）为 {}元",
                        e.describe(),
                        e.dept,
                        e.amount,
                        other.dept,
                        other.line,
                        other.amount
                    )
                } else if other.dept != e.dept {
                    continue;
                } else {
                    format!(
                        "目录条目重叠：{} 的有效期与第 {} 行的条目重叠",
                        e.describe(),
                        other.line
                    )
                };
                return Err(Collision {
                    file: e.file.clone(),
                    line: e.line,
                    message,
                });
            }
            slot.push(i);
        }
        Ok(Catalogue {
            note,
            example,
            entries,
            shortage,
            index,
        })
    }

    /// The standard in force on `date` for the item, with the shortage
    /// uplift and the entry that gave it; `None` when the catalogue has no
    /// such entry. `cert = None` means "no certificate yet": an entry marked 未取证 is
    /// the exact match, then an entry for any certificate type.
    pub fn find(
        &self,
        subsidy: &str,
        occupation: Option<&OccupationCode>,
        level: Option<SkillLevel>,
        cert: Option<CertificateType>,
        date: NaiveDate,
    ) -> Option<Found> {
        let by_occ = self.index.get(subsidy)?;
        let candidates = occupation
            .and_then(|o| by_occ.get(o.as_str()))
            .into_iter()
            .chain(by_occ.get("*"));
        let found = |i: usize| Found {
            base: self.entries[i].amount,
            uplift_pct: self.uplift(occupation, date),
            entry: i as u32,
        };
        for slot in candidates {
            // An entry for the exact certificate type beats one for any type.
            let mut any_cert = None;
            for &i in slot {
                let e = &self.entries[i];
                if e.level != level || !e.in_force(date) {
                    continue;
                }
                match (e.uncertified, e.cert) {
                    (true, _) if cert.is_none() => return Some(found(i)),
                    (true, _) => {}
                    (false, Some(c)) if Some(c) == cert => return Some(found(i)),
                    (false, None) => any_cert = any_cert.or(Some(i)),
                    (false, Some(_)) => {}
                }
            }
            if let Some(i) = any_cert {
                return Some(found(i));
            }
        }
        None
    }

    fn uplift(&self, occupation: Option<&OccupationCode>, date: NaiveDate) -> u16 {
        let Some(occ) = occupation else { return 0 };
        self.shortage
            .iter()
            .filter(|s| &s.occupation == occ && s.from <= date && s.to.is_none_or(|t| date <= t))
            .map(|s| s.pct)
            .max()
            .unwrap_or(0)
    }
}

/// `base × (100 + pct) / 100`, rounded half up to the fen.
pub fn uplifted(base: Fen, pct: u16) -> Fen {
    let scaled = i128::from(base.0) * i128::from(100 + pct);
    Fen(i64::try_from((scaled + 50) / 100).unwrap_or(i64::MAX))
}
