//! The typed rows the checks read, as the store loads them (joined where a
//! check needs it, e.g. an enrolment carries its class's dates), and the
//! [`Index`] of stored rows a check compares new rows with. Persons are
//! keyed by their ID number; evidence masks them.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDate, NaiveDateTime};

/// A closed range of days, both ends included (a class's 开班 to 结业).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Span {
    pub fn new(start: NaiveDate, end: NaiveDate) -> Span {
        Span { start, end }
    }

    /// Days covered, both ends included (0 if the span is inverted).
    pub fn days(&self) -> i64 {
        ((self.end - self.start).num_days() + 1).max(0)
    }

    /// The days both spans cover.
    pub fn overlap(&self, other: &Span) -> Option<Span> {
        let s = Span::new(self.start.max(other.start), self.end.min(other.end));
        (s.start <= s.end).then_some(s)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.start == self.end {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}至{}", self.start, self.end)
        }
    }
}

/// A period that may still be running (`to` = None): a pension, a sentence,
/// insurance, a death (from the date of death on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

impl Period {
    /// The days of `span` this period covers.
    pub fn within(&self, span: &Span) -> Option<Span> {
        let to = self.to.unwrap_or(NaiveDate::MAX);
        span.overlap(&Span::new(self.from, to))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to {
            Some(to) => write!(f, "{}至{}", self.from, to),
            None => write!(f, "{}起", self.from),
        }
    }
}

/// A month as `year * 12 + (month - 1)`, for counting person-months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(pub i32);

impl Month {
    pub fn of(date: NaiveDate) -> Month {
        Month(date.year() * 12 + date.month0() as i32)
    }

    pub fn plus(self, months: i32) -> Month {
        Month(self.0 + months)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}年{}月",
            self.0.div_euclid(12),
            self.0.rem_euclid(12) + 1
        )
    }
}

/// A teacher named on a class (授课教师): ID number and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Teacher {
    pub id: String,
    pub name: String,
}

/// 培训班, with its dates, planned hours and teacher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassIn {
    pub class_no: String,
    pub institution: String,
    pub training_type: String,
    pub span: Span,
    pub planned_hours: i64,
    pub teacher: Option<Teacher>,
}

/// A 花名册 row joined with its class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentIn {
    pub person: String,
    pub class_no: String,
    pub institution: String,
    pub training_type: String,
    /// The class's dates.
    pub span: Span,
    pub offline_hours: i64,
    pub online_hours: i64,
    /// The person's phone in the registry.
    pub phone: Option<String>,
    /// The registry says the person draws a pension (人员信息 是否领取养老金).
    pub receives_pension: bool,
}

/// 证书, with the end of the class it names (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateIn {
    pub cert_no: String,
    pub person: String,
    pub issue_date: NaiveDate,
    /// The issuing 评价机构 (or assessor) that S8 counts per day.
    pub assessor: String,
    pub class_no: Option<String>,
    pub class_end: Option<NaiveDate>,
    /// The training institution of that class.
    pub institution: Option<String>,
}

/// Person-months a claim pays for (以工代训, 生活费 …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Months {
    pub first: Month,
    pub count: i32,
}

impl Months {
    pub fn last(&self) -> Month {
        self.first.plus(self.count - 1)
    }

    pub fn overlap(&self, other: &Months) -> Option<(Month, Month)> {
        let first = self.first.max(other.first);
        let last = self.last().min(other.last());
        (first <= last && self.count > 0 && other.count > 0).then_some((first, last))
    }
}

/// A claim that is not refused: submitted, approved or paid, here or (with
/// `deployment`) in another deployment through its federation tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimIn {
    pub claim_no: String,
    /// The ID number here; for another deployment's tag, the local person
    /// the tag matched.
    pub person: String,
    pub subsidy_type: String,
    pub fund: Option<String>,
    /// The occupation and level paid for (what a federation tag carries).
    pub occupation: Option<String>,
    pub level: Option<String>,
    pub cert_no: Option<String>,
    pub class_no: Option<String>,
    pub institution: Option<String>,
    pub applied_on: NaiveDate,
    pub months: Option<Months>,
    /// `None`: this deployment; `Some(code)`: paid in that deployment.
    pub deployment: Option<String>,
}

/// Kinds of comparison list (名单类型), see [`super::watchlist`].
pub use super::watchlist::WatchlistKind;

/// A comparison-list entry as the checks read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchEntry {
    pub person: String,
    pub kind: WatchlistKind,
    pub period: Period,
    pub source: String,
}

/// Social-insurance coverage as an employee (在职参保), from a 在职参保
/// comparison list or an insurance extract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsuranceIn {
    pub person: String,
    pub employer: Option<String>,
    pub period: Period,
    pub source: String,
}

/// One online learning session of a trainee (学习平台日志).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlineSession {
    pub session_id: String,
    pub person: String,
    pub class_no: String,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
}

/// A class's results: trainees and how many passed (结业合格 / 取证).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassOutcome {
    pub class_no: String,
    pub institution: String,
    pub trainees: u32,
    pub passed: u32,
}

/// Stored rows by the key a check compares on (person, teacher, class …),
/// loaded by the store for the keys the new rows touch. Empty for a full
/// scan, where every row is new.
#[derive(Debug, Clone)]
pub struct Index<T> {
    pub by_key: BTreeMap<String, Vec<T>>,
}

impl<T> Default for Index<T> {
    fn default() -> Self {
        Index {
            by_key: BTreeMap::new(),
        }
    }
}

impl<T> Index<T> {
    pub fn get(&self, key: &str) -> &[T] {
        self.by_key.get(key).map_or(&[], Vec::as_slice)
    }

    pub fn insert(&mut self, key: &str, row: T) {
        self.by_key.entry(key.to_string()).or_default().push(row);
    }

    /// Builds an index of `rows` by `key`.
    pub fn from_rows(rows: impl IntoIterator<Item = T>, key: impl Fn(&T) -> &str) -> Self {
        let mut idx = Index::default();
        for r in rows {
            let k = key(&r).to_string();
            idx.by_key.entry(k).or_default().push(r);
        }
        idx
    }
}

/// The new rows grouped by key, each with the stored rows of that key that
/// are not among the new ones (a changed row replaces its stored self;
/// `same` says whether two rows are one record).
pub(crate) fn groups<'a, T>(
    new: &'a [T],
    existing: &'a Index<T>,
    key: impl Fn(&T) -> &str,
    same: impl Fn(&T, &T) -> bool,
) -> Vec<(Vec<&'a T>, Vec<&'a T>)> {
    let mut by_key: BTreeMap<&str, Vec<&T>> = BTreeMap::new();
    for r in new {
        by_key.entry(key(r)).or_default().push(r);
    }
    by_key
        .into_iter()
        .map(|(k, fresh)| {
            let old = existing
                .get(k)
                .iter()
                .filter(|o| !fresh.iter().any(|n| same(n, o)))
                .collect();
            (fresh, old)
        })
        .collect()
}

/// Every pair of rows in a group with at least one new row: new × new
/// (each pair once) and new × stored.
pub(crate) fn pairs_with_new<'a, T>(fresh: &[&'a T], old: &[&'a T]) -> Vec<(&'a T, &'a T)> {
    let mut out = Vec::new();
    for (i, a) in fresh.iter().enumerate() {
        for b in fresh[i + 1..].iter().chain(old) {
            out.push((*a, *b));
        }
    }
    out
}

/// A row in a class for some days: an enrolment (by person) or a class
/// (by teacher).
pub(crate) trait Dated {
    fn class_no(&self) -> &str;
    fn span(&self) -> Span;
}

impl Dated for EnrolmentIn {
    fn class_no(&self) -> &str {
        &self.class_no
    }
    fn span(&self) -> Span {
        self.span
    }
}

impl Dated for ClassIn {
    fn class_no(&self) -> &str {
        &self.class_no
    }
    fn span(&self) -> Span {
        self.span
    }
}

/// Rows of one key (a person, a teacher) in two different classes whose
/// days overlap by at least `min_days`, at least one of them new; each pair
/// once, the smaller 班级编号 first, with the overlap. Only rows `keep`
/// accepts count.
pub(crate) fn overlapping<'a, T: Dated>(
    new: &'a [T],
    stored: &'a Index<T>,
    key: impl Fn(&T) -> &str,
    keep: impl Fn(&T) -> bool,
    min_days: u32,
) -> Vec<(&'a T, &'a T, Span)> {
    let mut out = Vec::new();
    let same = |a: &T, b: &T| a.class_no() == b.class_no();
    for (fresh, old) in groups(new, stored, key, same) {
        let fresh: Vec<&T> = fresh.into_iter().filter(|r| keep(r)).collect();
        let old: Vec<&T> = old.into_iter().filter(|r| keep(r)).collect();
        for (a, b) in pairs_with_new(&fresh, &old) {
            let Some(o) = a.span().overlap(&b.span()) else {
                continue;
            };
            if same(a, b) || o.days() < i64::from(min_days) {
                continue;
            }
            out.push(if a.class_no() <= b.class_no() {
                (a, b, o)
            } else {
                (b, a, o)
            });
        }
    }
    out
}

/// Enrolments paired with a person's periods (on a comparison list, insured
/// …) where at least one of the two is new: new enrolments with the
/// person's new and stored periods, new periods with the person's stored
/// enrolments. Whether the pair matters is the caller's to judge.
pub(crate) fn person_periods<'a, P: PartialEq>(
    enrolments: (&'a [EnrolmentIn], &'a Index<EnrolmentIn>),
    periods: (&'a [P], &'a Index<P>),
    person: impl Fn(&P) -> &str,
) -> Vec<(&'a EnrolmentIn, &'a P)> {
    let mut out = Vec::new();
    let (new_e, stored_e) = enrolments;
    let (new_p, stored_p) = periods;
    // The new periods by person, once: a chunk of a full scan holds
    // thousands of enrolments and list rows.
    let mut by_person: BTreeMap<&str, Vec<&P>> = BTreeMap::new();
    for p in new_p {
        by_person.entry(person(p)).or_default().push(p);
    }
    for e in new_e {
        let fresh = by_person
            .get(e.person.as_str())
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .copied();
        let old = stored_p
            .get(&e.person)
            .iter()
            .filter(|o| !new_p.contains(o));
        out.extend(fresh.chain(old).map(|p| (e, p)));
    }
    for p in new_p {
        let old = stored_e.get(person(p)).iter().filter(|o| {
            !new_e
                .iter()
                .any(|n| n.person == o.person && n.class_no == o.class_no)
        });
        out.extend(old.map(|e| (e, p)));
    }
    out
}

#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    pub fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    pub fn span(a: &str, b: &str) -> Span {
        Span::new(d(a), d(b))
    }

    /// A valid-looking ID number for person `n` (checks do not validate).
    pub fn pid(n: u32) -> String {
        format!("37150219900101{n:04}")
    }

    /// An enabled check citing 003 二十四, with its default severity.
    pub fn check<P>(id: crate::supervision::CheckId, params: P) -> crate::supervision::Check<P> {
        crate::supervision::Check {
            id,
            cite: crate::supervision::Cite {
                doc_no: "聊政办发〔2019〕10号".into(),
                clause: "二十四".into(),
            },
            severity: crate::supervision::Severity::High,
            params,
        }
    }

    pub fn class(no: &str, s: Span, hours: i64) -> ClassIn {
        ClassIn {
            class_no: no.into(),
            institution: "91371500MA3C000001".into(),
            training_type: "就业技能培训".into(),
            span: s,
            planned_hours: hours,
            teacher: None,
        }
    }

    pub fn enrol(person: &str, class_no: &str, s: Span) -> EnrolmentIn {
        EnrolmentIn {
            person: person.into(),
            class_no: class_no.into(),
            institution: "91371500MA3C000001".into(),
            training_type: "就业技能培训".into(),
            span: s,
            offline_hours: 40,
            online_hours: 0,
            phone: None,
            receives_pension: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    #[test]
    fn spans_and_periods_overlap_inclusively() {
        let a = span("2019-03-01", "2019-03-10");
        assert_eq!(a.days(), 10);
        let b = span("2019-03-10", "2019-03-20");
        assert_eq!(a.overlap(&b), Some(span("2019-03-10", "2019-03-10")));
        assert_eq!(a.overlap(&span("2019-03-11", "2019-03-12")), None);
        let open = Period {
            from: d("2019-03-05"),
            to: None,
        };
        assert_eq!(open.within(&a), Some(span("2019-03-05", "2019-03-10")));
        assert_eq!(Month::of(d("2019-12-31")).plus(1).to_string(), "2020年1月");
    }

    #[test]
    fn groups_drop_stored_copies_of_new_rows() {
        let new = vec![enrol("p1", "A", span("2019-01-01", "2019-01-02"))];
        let old = Index::from_rows(
            vec![
                enrol("p1", "A", span("2019-01-01", "2019-01-02")),
                enrol("p1", "B", span("2019-01-01", "2019-01-02")),
            ],
            |e| &e.person,
        );
        let g = groups(&new, &old, |e| &e.person, |a, b| a.class_no == b.class_no);
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].1.len(), 1);
        assert_eq!(g[0].1[0].class_no, "B");
        assert_eq!(pairs_with_new(&g[0].0, &g[0].1).len(), 1);
    }
}
