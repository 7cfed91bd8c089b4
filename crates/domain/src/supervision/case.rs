//! Cases (线索 → 核查 → 结论): a hit opens a case; an officer closes it with
//! a finding. While open, the claims it names are held (neither approved
//! nor paid). 属实 rejects the unpaid claims, recovers (追回) the paid ones,
//! counts against the institution's credit and may revoke certificates;
//! 不属实 releases the claims. Either way the same evidence never opens a
//! case again: a case is keyed by the [`Fingerprint`] of its evidence.

use std::fmt;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{CheckId, RecordKeys};

/// The finding a case is closed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Finding {
    /// 属实
    True,
    /// 不属实
    NotTrue,
}

impl Finding {
    pub fn parse(s: &str) -> Option<Finding> {
        match s.trim() {
            "属实" => Some(Finding::True),
            "不属实" => Some(Finding::NotTrue),
            _ => None,
        }
    }

    pub fn as_zh(self) -> &'static str {
        match self {
            Finding::True => "属实",
            Finding::NotTrue => "不属实",
        }
    }
}

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum CaseStatus {
    Open,
    Closed(Finding),
}

/// A transition refused, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CaseError(pub String);

impl CaseStatus {
    /// The stored code: `open`, `closed_true`, `closed_not_true`.
    pub fn code(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Closed(Finding::True) => "closed_true",
            CaseStatus::Closed(Finding::NotTrue) => "closed_not_true",
        }
    }

    pub fn from_code(s: &str) -> Option<CaseStatus> {
        [
            CaseStatus::Open,
            CaseStatus::Closed(Finding::True),
            CaseStatus::Closed(Finding::NotTrue),
        ]
        .into_iter()
        .find(|c| c.code() == s)
    }

    pub fn as_zh(self) -> &'static str {
        match self {
            CaseStatus::Open => "待核查",
            CaseStatus::Closed(Finding::True) => "已结案（属实）",
            CaseStatus::Closed(Finding::NotTrue) => "已结案（不属实）",
        }
    }

    /// Whether the claims the case names are held.
    pub fn holds_claims(self) -> bool {
        self == CaseStatus::Open
    }

    /// Closing: only an open case can be closed, once.
    pub fn close(self, finding: Finding, note: &str) -> Result<CaseStatus, CaseError> {
        match self {
            CaseStatus::Closed(f) => Err(CaseError(format!(
                "线索已结案（{}），不能再次结案",
                f.as_zh()
            ))),
            CaseStatus::Open if note.trim().is_empty() => {
                Err(CaseError("结案须填写核查说明".into()))
            }
            CaseStatus::Open => Ok(CaseStatus::Closed(finding)),
        }
    }
}

/// What closing with a finding does to the records a case names; the store
/// carries it out in one transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Effects {
    /// Unpaid claims are rejected (属实) or released (不属实).
    pub reject_unpaid: bool,
    /// Paid claims are recovered (追回) through the ledger.
    pub recover_paid: bool,
    /// The case counts against the institutions' credit rating.
    pub counts_against_credit: bool,
    /// The officer may mark the certificates revoked.
    pub may_revoke_certificates: bool,
}

impl Finding {
    pub fn effects(self) -> Effects {
        let t = self == Finding::True;
        Effects {
            reject_unpaid: t,
            recover_paid: t,
            counts_against_credit: t,
            may_revoke_certificates: t,
        }
    }
}

/// A stable hash of a finding's evidence: lowercase hex SHA-256 of the
/// UTF-8 text `check id` + `\n` + the sorted lines `kind:key` (kinds
/// `claim`, `class`, `cert`, `institution`, `person`; persons by full ID
/// number), each followed by `\n`. The same check naming the same records
/// gives the same fingerprint whatever the order or the run; the evidence
/// text (which may word figures differently as data grows) is not hashed.
/// Findings whose named records grow as data arrives (S7's persons on a
/// phone, S8's claims of a month or certificates of a day, S10's sessions of
/// a day) hash their subject instead (class and phone, institution and
/// month, …; see [`super::Check::hit_about`]); S4 adds the list kind.
/// It is stored with the case and never shown or exported (it is an
/// unkeyed hash over ID numbers).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Fingerprint(String);

impl Fingerprint {
    pub fn of(check: CheckId, keys: &RecordKeys) -> Fingerprint {
        Fingerprint::of_lines(check, keys.canonical_lines())
    }

    /// The same hash over given `kind:value` lines (sorted here), for a
    /// finding identified by its subject (see [`super::Check::hit_about`]).
    pub fn of_lines(check: CheckId, mut lines: Vec<String>) -> Fingerprint {
        lines.sort();
        lines.dedup();
        let mut h = Sha256::new();
        h.update(check.as_str().as_bytes());
        h.update(b"\n");
        for line in lines {
            h.update(line.as_bytes());
            h.update(b"\n");
        }
        Fingerprint(crate::hex::encode(&h.finalize()))
    }

    /// A fingerprint as stored.
    pub fn from_stored(s: &str) -> Option<Fingerprint> {
        (s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| Fingerprint(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether a hit opens a case: not when any case, open or closed, already
/// has its fingerprint (`known` asks the store). When the case with that
/// fingerprint is still open, the store adds the records the new hit names
/// (a fourth person on a shared phone, more claims of an anomalous month)
/// to it; a closed case stays as it was closed.
pub fn opens_case(fp: &Fingerprint, known: impl Fn(&Fingerprint) -> bool) -> bool {
    !known(fp)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn keys(classes: &[&str]) -> RecordKeys {
        let mut k = RecordKeys::default().person("371502199001010001");
        for c in classes {
            k = k.class(c);
        }
        k
    }

    #[test]
    fn an_open_case_closes_once_and_holds_claims_until_then() {
        let open = CaseStatus::Open;
        assert!(open.holds_claims());
        let closed = open.close(Finding::NotTrue, "核实为同名不同人").unwrap();
        assert!(!closed.holds_claims());
        assert_eq!(closed.code(), "closed_not_true");
        assert_eq!(CaseStatus::from_code("closed_not_true"), Some(closed));
        let e = closed.close(Finding::True, "再查").unwrap_err();
        assert!(e.0.contains("不能再次结案"));
        assert!(CaseStatus::Open.close(Finding::True, " ").is_err());
        assert!(Finding::True.effects().recover_paid);
        assert!(!Finding::NotTrue.effects().reject_unpaid);
        assert_eq!(Finding::parse("属实"), Some(Finding::True));
    }

    #[test]
    fn the_fingerprint_ignores_order_and_tells_checks_and_records_apart() {
        let a = Fingerprint::of(CheckId::S1, &keys(&["A", "B"]));
        let b = Fingerprint::of(CheckId::S1, &keys(&["B", "A"]));
        assert_eq!(a, b);
        assert_eq!(a.as_str().len(), 64);
        assert_ne!(a, Fingerprint::of(CheckId::S9, &keys(&["A", "B"])));
        assert_ne!(a, Fingerprint::of(CheckId::S1, &keys(&["A", "C"])));
        // A class named "A" is not a claim named "A".
        let claim = RecordKeys::default()
            .person("371502199001010001")
            .claim("A")
            .class("B");
        assert_ne!(a, Fingerprint::of(CheckId::S1, &claim));
        assert_eq!(Fingerprint::from_stored(a.as_str()), Some(a.clone()));
        // Closed 不属实, the same evidence found again opens nothing.
        let closed: BTreeSet<Fingerprint> = [a.clone()].into();
        assert!(!opens_case(&b, |f| closed.contains(f)));
        let other = Fingerprint::of(CheckId::S1, &keys(&["A", "C"]));
        assert!(opens_case(&other, |f| closed.contains(f)));
    }

    #[test]
    fn the_fingerprint_is_the_documented_hash() {
        // SHA-256("S2\nclass:A\n"), computed with another tool.
        let fp = Fingerprint::of(CheckId::S2, &RecordKeys::default().class("A"));
        assert_eq!(
            fp.as_str(),
            "52b548ff6f9f3d44a42ac04eae299f388bb1e7ad2fa8dabea5efd816a8a0d54e"
        );
    }
}
