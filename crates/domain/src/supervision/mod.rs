//! Supervision (监管核查): the checks S1–S10 of `docs/spec/SUPERVISION.md` that look
//! for 虚报、重复、多头套取 in the records Jineng already holds, the
//! supervision file that configures them per deployment (TOML beside the
//! policy file, read by [`load`]), the comparison-list record
//! ([`watchlist`]) and the case lifecycle ([`case`]).
//!
//! Pure like the policy engine: the store hands the checks typed rows
//! ([`inputs`]) and records what they return. Each check lives in its own
//! module, `s01_overlap` … `s10_online_rate`, with its parameters as the
//! supervision file states them and its evaluation.
//!
//! Every check is incremental: it takes the new or changed rows of an
//! import, filing or decision, plus an [`inputs::Index`] of the stored rows
//! it must compare them with (keyed by person, teacher, class, assessor …,
//! loaded by the store for the keys the new rows touch). It only reports
//! findings that involve at least one new row, so re-checking after an
//! import never rescans the registry. A full scan passes every row as new
//! and an empty index. Either way the same finding has the same
//! [`case::Fingerprint`], so a case is opened once.

pub mod case;
mod file;
pub mod inputs;
mod run;
pub mod s01_overlap;
pub mod s02_daily_hours;
pub mod s03_cert_timing;
pub mod s04_watchlist;
pub mod s05_insured;
pub mod s06_duplicate;
pub mod s07_shared_phone;
pub mod s08_institution;
pub mod s09_teacher;
pub mod s10_online_rate;
pub mod scan;
pub mod session;
pub mod watchlist;

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::national_id::mask_id;
pub use crate::policy::Cite;
use crate::refdata::RefData;
pub use file::{Supervision, SupervisionError, SupervisionMeta, load};
pub use run::{Batch, Stored, Wanted};
pub use scan::{FullScan, Later};

/// The ten checks of `docs/spec/SUPERVISION.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CheckId {
    S1,
    S2,
    S3,
    S4,
    S5,
    S6,
    S7,
    S8,
    S9,
    S10,
}

impl CheckId {
    pub const ALL: [CheckId; 10] = [
        CheckId::S1,
        CheckId::S2,
        CheckId::S3,
        CheckId::S4,
        CheckId::S5,
        CheckId::S6,
        CheckId::S7,
        CheckId::S8,
        CheckId::S9,
        CheckId::S10,
    ];

    pub fn parse(s: &str) -> Option<CheckId> {
        CheckId::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        const IDS: [&str; 10] = ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "S10"];
        IDS[self as usize]
    }

    /// The short Chinese title shown with a case.
    pub fn title_zh(self) -> &'static str {
        const TITLES: [&str; 10] = [
            "同一人培训时间重叠",
            "课时超过每日上限",
            "发证时间异常",
            "比对名单人员参训",
            "在职参保人员参加就业技能培训",
            "重复申领",
            "多名学员共用手机号",
            "机构异常",
            "同一教师同时授课",
            "线上学时异常",
        ];
        TITLES[self as usize]
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How serious a finding is, as the supervision file grades it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    High,
    Medium,
    Low,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "高" => Some(Severity::High),
            "中" => Some(Severity::Medium),
            "低" => Some(Severity::Low),
            _ => None,
        }
    }

    pub fn as_zh(self) -> &'static str {
        match self {
            Severity::High => "高",
            Severity::Medium => "中",
            Severity::Low => "低",
        }
    }
}

/// An enabled check: where it comes from, how serious its hits are, and its
/// thresholds.
#[derive(Debug, Clone)]
pub struct Check<P> {
    pub id: CheckId,
    pub cite: Cite,
    pub severity: Severity,
    pub params: P,
}

impl<P> Check<P> {
    /// A hit of this check, identified by the records it names.
    pub fn hit(&self, keys: RecordKeys, evidence: String) -> Hit {
        let fingerprint = case::Fingerprint::of(self.id, &keys);
        self.hit_with(fingerprint, keys, evidence)
    }

    /// A hit identified by its subject (`kind:value` lines) rather than by
    /// every record it names: for findings whose records grow as data
    /// arrives (the persons on a shared phone, the claims of an anomalous
    /// month), so that the finding keeps one fingerprint.
    pub fn hit_about(&self, subject: &[String], keys: RecordKeys, evidence: String) -> Hit {
        let fingerprint = case::Fingerprint::of_lines(self.id, subject.to_vec());
        self.hit_with(fingerprint, keys, evidence)
    }

    fn hit_with(&self, fingerprint: case::Fingerprint, keys: RecordKeys, evidence: String) -> Hit {
        Hit {
            check: self.id,
            severity: self.severity,
            cite: self.cite.clone(),
            keys,
            evidence,
            fingerprint,
        }
    }
}

/// The checks a supervision file enables; `None`: not applied here.
#[derive(Debug, Clone, Default)]
pub struct Checks {
    pub s1: Option<Check<s01_overlap::Params>>,
    pub s2: Option<Check<s02_daily_hours::Params>>,
    pub s3: Option<Check<s03_cert_timing::Params>>,
    pub s4: Option<Check<s04_watchlist::Params>>,
    pub s5: Option<Check<s05_insured::Params>>,
    pub s6: Option<Check<s06_duplicate::Params>>,
    pub s7: Option<Check<s07_shared_phone::Params>>,
    pub s8: Option<Check<s08_institution::Params>>,
    pub s9: Option<Check<s09_teacher::Params>>,
    pub s10: Option<Check<s10_online_rate::Params>>,
}

macro_rules! each_check {
    ($self:ident, $id:expr, |$c:ident| $body:expr) => {
        match $id {
            CheckId::S1 => $self.s1.as_ref().map(|$c| $body),
            CheckId::S2 => $self.s2.as_ref().map(|$c| $body),
            CheckId::S3 => $self.s3.as_ref().map(|$c| $body),
            CheckId::S4 => $self.s4.as_ref().map(|$c| $body),
            CheckId::S5 => $self.s5.as_ref().map(|$c| $body),
            CheckId::S6 => $self.s6.as_ref().map(|$c| $body),
            CheckId::S7 => $self.s7.as_ref().map(|$c| $body),
            CheckId::S8 => $self.s8.as_ref().map(|$c| $body),
            CheckId::S9 => $self.s9.as_ref().map(|$c| $body),
            CheckId::S10 => $self.s10.as_ref().map(|$c| $body),
        }
    };
}

impl Checks {
    /// The citation of an enabled check.
    pub fn cite(&self, id: CheckId) -> Option<&Cite> {
        each_check!(self, id, |c| &c.cite)
    }

    pub fn severity(&self, id: CheckId) -> Option<Severity> {
        each_check!(self, id, |c| c.severity)
    }

    pub fn enabled(&self) -> Vec<CheckId> {
        CheckId::ALL
            .into_iter()
            .filter(|c| self.cite(*c).is_some())
            .collect()
    }
}

/// The records a hit (and so a case) names. Persons are keyed by their full
/// ID number, for the store to link; every text shown masks them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RecordKeys {
    pub claim_nos: BTreeSet<String>,
    pub class_nos: BTreeSet<String>,
    pub cert_nos: BTreeSet<String>,
    pub institution_codes: BTreeSet<String>,
    #[serde(skip)]
    pub persons: BTreeSet<String>,
}

impl RecordKeys {
    pub fn class(mut self, class_no: &str) -> Self {
        self.class_nos.insert(class_no.to_string());
        self
    }

    pub fn claim(mut self, claim_no: &str) -> Self {
        self.claim_nos.insert(claim_no.to_string());
        self
    }

    pub fn cert(mut self, cert_no: &str) -> Self {
        self.cert_nos.insert(cert_no.to_string());
        self
    }

    pub fn institution(mut self, code: &str) -> Self {
        if !code.is_empty() {
            self.institution_codes.insert(code.to_string());
        }
        self
    }

    pub fn person(mut self, id: &str) -> Self {
        self.persons.insert(id.to_string());
        self
    }

    /// The persons as a case shows them (masked).
    pub fn masked_persons(&self) -> Vec<String> {
        self.persons.iter().map(|p| mask_id(p)).collect()
    }

    /// `kind:key` lines, sorted: what a fingerprint hashes.
    pub fn canonical_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        let sets = [
            ("claim", &self.claim_nos),
            ("class", &self.class_nos),
            ("cert", &self.cert_nos),
            ("institution", &self.institution_codes),
            ("person", &self.persons),
        ];
        for (kind, set) in sets {
            out.extend(set.iter().map(|k| format!("{kind}:{k}")));
        }
        out.sort();
        out
    }
}

/// One finding of a check: what it names and why, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    pub check: CheckId,
    pub severity: Severity,
    pub cite: Cite,
    pub keys: RecordKeys,
    pub evidence: String,
    /// What identifies this finding across runs (see [`case::Fingerprint`]).
    #[serde(skip)]
    pub fingerprint: case::Fingerprint,
}

/// Hits with the same fingerprint, found twice in one run (e.g. a pair seen
/// from both sides), kept once.
pub fn dedup(hits: Vec<Hit>) -> Vec<Hit> {
    let mut seen = BTreeSet::new();
    hits.into_iter()
        .filter(|h| seen.insert(h.fingerprint.clone()))
        .collect()
}

/// What a check's thresholds must satisfy once read; an error names the
/// parameter so the loader can point at it.
pub(crate) trait CheckParams: serde::de::DeserializeOwned {
    /// The severity used when the file does not state one.
    const DEFAULT_SEVERITY: Severity;
    fn check(&self, refdata: &RefData) -> Result<(), (&'static str, String)>;
}

/// Terms of a vocabulary (培训类型, 补贴类型); anything goes when none is
/// loaded (a file read without reference data, as in unit tests).
pub(crate) fn known_terms(
    refdata: &RefData,
    kind: &str,
    key: &'static str,
    terms: &[String],
) -> Result<(), (&'static str, String)> {
    if refdata.terms(kind).is_empty() {
        return Ok(());
    }
    match terms.iter().find(|t| !refdata.has_term(kind, t)) {
        Some(t) => Err((key, format!("{key}：未知的取值「{t}」（见词表 {kind}）"))),
        None => Ok(()),
    }
}

/// A threshold that must be at least 1.
pub(crate) fn at_least_one(key: &'static str, v: u32) -> Result<(), (&'static str, String)> {
    if v == 0 {
        Err((key, format!("{key} 应不小于 1")))
    } else {
        Ok(())
    }
}
