//! Loading the checks' inputs (`jineng_domain::supervision::inputs`) from
//! the registry in bulk: every row (a full scan), the rows one import
//! batch wrote (the incremental check), or the stored rows of the keys a
//! batch touches (`Wanted` → `Stored`). Key lists are bound in chunks so a
//! large roster stays under both backends' parameter limits. Other
//! deployments' tags (`federation`) and online sessions (`sessions`) are
//! loaded by their own modules.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use jineng_domain::ClaimStatus;
use jineng_domain::supervision::inputs::{
    CertificateIn, ClaimIn, ClassIn, ClassOutcome, EnrolmentIn, InsuranceIn, Month, Months, Period,
    Span, Teacher, WatchEntry, WatchlistKind,
};
use jineng_domain::supervision::{Batch, Stored, Wanted, s08_institution, s09_teacher};

#[cfg(feature = "bench")]
pub(crate) use super::rows::count;
use super::rows::{Get, fetch_map};
use crate::{Store, StoreError};

/// Which rows to load.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Filter<'a> {
    All,
    /// Rows written by this import batch (`<table>.batch_id`).
    Batch(&'a str, i64),
    /// Rows whose `column` is one of `keys`.
    Keys(&'a str, &'a [String]),
    /// Rows whose `column` (a surrogate key) is in `lo..hi`.
    Range(&'a str, i64, i64),
    /// Rows whose `column` (a surrogate key) is one of these.
    Ids(&'a str, &'a [i64]),
}

/// The local claims that are not refused, and the paid subsidies of other
/// deployments matched to local persons (S6).
async fn claims_and_tags(store: &Store, f: Filter<'_>) -> Result<Vec<ClaimIn>, StoreError> {
    let mut out = claims(store, f).await?;
    let tags = match f {
        Filter::All => Filter::All,
        Filter::Keys("p.id_number", keys) => Filter::Keys("p.id_number", keys),
        _ => return Ok(out),
    };
    out.extend(super::federation::foreign_claims(store, tags).await?);
    Ok(out)
}

/// `YYYY-MM-DD`, read without a format string: a scan reads millions.
fn ymd(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

fn parse_date(s: &str, col: &str) -> Result<NaiveDate, StoreError> {
    ymd(s).ok_or_else(|| StoreError::Corrupt(format!("日期「{s}」无法读取（{col}）")))
}

fn date(r: &dyn Get, col: &str) -> Result<NaiveDate, StoreError> {
    parse_date(&r.text(col)?, col)
}

fn opt_date(r: &dyn Get, col: &str) -> Result<Option<NaiveDate>, StoreError> {
    r.opt_text(col)?.map(|s| parse_date(&s, col)).transpose()
}

pub(crate) const CLASSES: &str = "SELECT c.class_no, i.credit_code, c.training_type, c.start_date, c.end_date, \
     c.planned_hours, c.teacher_id, c.teacher_name \
     FROM classes c JOIN institutions i ON i.institution_id = c.institution_id WHERE 1 = 1";

pub(crate) async fn classes(store: &Store, f: Filter<'_>) -> Result<Vec<ClassIn>, StoreError> {
    fetch_map(store, CLASSES, f, |r| {
        let teacher_id = r.opt_text("teacher_id")?;
        let teacher_name = r.opt_text("teacher_name")?;
        Ok(ClassIn {
            class_no: r.text("class_no")?,
            institution: r.text("credit_code")?,
            training_type: r.text("training_type")?,
            span: Span::new(date(r, "start_date")?, date(r, "end_date")?),
            planned_hours: r.int("planned_hours")?,
            teacher: teacher_id.map(|id| Teacher {
                id,
                name: teacher_name.unwrap_or_default(),
            }),
        })
    })
    .await
}

pub(crate) const ENROLMENTS: &str = "SELECT p.id_number, p.phone, p.receives_pension, c.class_no, i.credit_code, \
     c.training_type, c.start_date, c.end_date, e.offline_hours, e.online_hours, e.completion \
     FROM enrolments e JOIN persons p ON p.person_id = e.person_id \
     JOIN classes c ON c.class_id = e.class_id \
     JOIN institutions i ON i.institution_id = c.institution_id WHERE 1 = 1";

/// Enrolments joined with their class, and whether each passed.
pub(crate) async fn enrolments(
    store: &Store,
    f: Filter<'_>,
) -> Result<Vec<(EnrolmentIn, bool)>, StoreError> {
    fetch_map(store, ENROLMENTS, f, |r| {
        Ok((
            EnrolmentIn {
                person: r.text("id_number")?,
                class_no: r.text("class_no")?,
                institution: r.text("credit_code")?,
                training_type: r.text("training_type")?,
                span: Span::new(date(r, "start_date")?, date(r, "end_date")?),
                offline_hours: r.int("offline_hours")?,
                online_hours: r.int("online_hours")?,
                phone: r.opt_text("phone")?,
                receives_pension: r.int("receives_pension")? != 0,
            },
            r.text("completion")? == "passed",
        ))
    })
    .await
}

pub(crate) const CERTIFICATES: &str = "SELECT t.cert_no, p.id_number, t.issue_date, t.issuer_code, \
     c.class_no, c.end_date, i.credit_code \
     FROM certificates t JOIN persons p ON p.person_id = t.person_id \
     LEFT JOIN classes c ON c.class_id = t.class_id \
     LEFT JOIN institutions i ON i.institution_id = c.institution_id WHERE 1 = 1";

pub(crate) async fn certificates(
    store: &Store,
    f: Filter<'_>,
) -> Result<Vec<CertificateIn>, StoreError> {
    fetch_map(store, CERTIFICATES, f, |r| {
        Ok(CertificateIn {
            cert_no: r.text("cert_no")?,
            person: r.text("id_number")?,
            issue_date: date(r, "issue_date")?,
            assessor: r.text("issuer_code")?,
            class_no: r.opt_text("class_no")?,
            class_end: opt_date(r, "end_date")?,
            institution: r.opt_text("credit_code")?,
        })
    })
    .await
}

/// Claims that are not refused (a rejected claim pays nothing twice).
pub(crate) fn claims_sql() -> String {
    format!(
        "SELECT k.claim_no, p.id_number, k.subsidy_type, k.cert_no, k.applied_on, \
     k.months, k.period_from, k.period_to, c.class_no, i.credit_code, t.occupation_code, t.skill_level \
     FROM claims k JOIN persons p ON p.person_id = k.person_id \
     LEFT JOIN classes c ON c.class_id = k.class_id \
     LEFT JOIN institutions i ON i.institution_id = c.institution_id \
     LEFT JOIN certificates t ON t.cert_type = k.cert_type AND t.cert_no = k.cert_no \
     WHERE k.status <> '{}'",
        ClaimStatus::Rejected.code()
    )
}

pub(crate) async fn claims(store: &Store, f: Filter<'_>) -> Result<Vec<ClaimIn>, StoreError> {
    fetch_map(store, &claims_sql(), f, |r| {
        let applied_on = date(r, "applied_on")?;
        let months = r.opt_int("months")?;
        // The months claimed: from the period's first month when the
        // claim gives one (as federation tags do), else the application's.
        let month = |col: &str| -> Result<Option<NaiveDate>, StoreError> {
            let m = r.opt_text(col)?;
            Ok(m.and_then(|m| ymd(&format!("{m}-01"))))
        };
        let period = month("period_from")?.zip(month("period_to")?);
        let first = period.map_or(applied_on, |(from, _)| from);
        let months = months
            .or(period
                .map(|(from, to)| jineng_domain::policy::facts::months_of(from, to).len() as i64));
        Ok(ClaimIn {
            claim_no: r.text("claim_no")?,
            person: r.text("id_number")?,
            subsidy_type: r.text("subsidy_type")?,
            fund: None,
            occupation: r.opt_text("occupation_code")?,
            level: r.opt_int("skill_level")?.map(|l| l.to_string()),
            cert_no: r.opt_text("cert_no")?,
            class_no: r.opt_text("class_no")?,
            institution: r.opt_text("credit_code")?,
            applied_on,
            months: months.filter(|m| *m > 0).map(|m| Months {
                first: Month::of(first),
                count: m as i32,
            }),
            deployment: None,
        })
    })
    .await
}

pub(crate) const WATCHLIST: &str = "SELECT w.id_number, w.kind, w.valid_from, w.valid_to, w.source, \
     w.employer_code FROM watchlist_entries w WHERE 1 = 1";

/// List entries of registered persons with their `person_id`: a chunked
/// scan reads them once and hands each chunk its persons' entries.
pub(crate) const WATCHLIST_OF_PERSONS: &str = "SELECT p.person_id, w.id_number, w.kind, w.valid_from, w.valid_to, w.source, \
     w.employer_code FROM watchlist_entries w JOIN persons p ON p.id_number = w.id_number WHERE 1 = 1";

/// A comparison-list row: its person key when read with
/// [`WATCHLIST_OF_PERSONS`], the entry, and the employer of an 在职参保 one.
pub(crate) type WatchRow = (Option<i64>, WatchEntry, Option<String>);

/// Comparison-list entries, and the insurance periods of the 在职参保 ones.
pub(crate) async fn watchlist(
    store: &Store,
    f: Filter<'_>,
) -> Result<(Vec<WatchEntry>, Vec<InsuranceIn>), StoreError> {
    Ok(split_watchlist(watch_rows(store, WATCHLIST, f).await?))
}

/// The rows of `base` (`WATCHLIST` or `WATCHLIST_OF_PERSONS`).
pub(crate) async fn watch_rows(
    store: &Store,
    base: &str,
    f: Filter<'_>,
) -> Result<Vec<WatchRow>, StoreError> {
    let keyed = base == WATCHLIST_OF_PERSONS;
    fetch_map(store, base, f, |r| {
        let kind = r.text("kind")?;
        let kind = WatchlistKind::parse(&kind)
            .map_err(|_| StoreError::Corrupt(format!("未知的名单类型「{kind}」")))?;
        let entry = WatchEntry {
            person: r.text("id_number")?,
            kind,
            period: Period {
                from: date(r, "valid_from")?,
                to: opt_date(r, "valid_to")?,
            },
            source: r.text("source")?,
        };
        let pid = if keyed {
            Some(r.int("person_id")?)
        } else {
            None
        };
        Ok((pid, entry, r.opt_text("employer_code")?))
    })
    .await
}

/// The entries, and the insurance periods of the 在职参保 ones.
pub(crate) fn split_watchlist(
    rows: impl IntoIterator<Item = WatchRow>,
) -> (Vec<WatchEntry>, Vec<InsuranceIn>) {
    let (mut entries, mut insurance) = (Vec::new(), Vec::new());
    for (_, e, employer) in rows {
        if e.kind == WatchlistKind::InsuredEmployee {
            insurance.push(InsuranceIn {
                person: e.person.clone(),
                employer,
                period: e.period,
                source: e.source.clone(),
            });
        }
        entries.push(e);
    }
    (entries, insurance)
}

/// Each class's trainees and how many passed.
pub(crate) fn outcomes(enrolments: &[(EnrolmentIn, bool)]) -> Vec<ClassOutcome> {
    let mut by_class: BTreeMap<(&str, &str), (u32, u32)> = BTreeMap::new();
    for (e, passed) in enrolments {
        let c = by_class
            .entry((e.class_no.as_str(), e.institution.as_str()))
            .or_default();
        c.0 += 1;
        c.1 += u32::from(*passed);
    }
    by_class
        .into_iter()
        .map(|((class_no, inst), (trainees, passed))| ClassOutcome {
            class_no: class_no.to_string(),
            institution: inst.to_string(),
            trainees,
            passed,
        })
        .collect()
}

/// Every row of the registry as one batch (a full scan).
pub(crate) async fn everything(store: &Store) -> Result<Batch, StoreError> {
    let enrolled = enrolments(store, Filter::All).await?;
    let (watchlist, insurance) = watchlist(store, Filter::All).await?;
    Ok(Batch {
        classes: classes(store, Filter::All).await?,
        outcomes: outcomes(&enrolled),
        enrolments: enrolled.into_iter().map(|(e, _)| e).collect(),
        certificates: certificates(store, Filter::All).await?,
        claims: claims_and_tags(store, Filter::All).await?,
        watchlist,
        insurance,
        sessions: super::sessions::sessions(store, Filter::All).await?,
    })
}

/// The rows import batch `id` wrote, as a batch to check, and the whole
/// rosters of the classes it enrolled into (read once: S8 counts them here,
/// S7 compares with them in [`stored`]).
pub(crate) async fn of_import(
    store: &Store,
    id: i64,
) -> Result<(Batch, Vec<EnrolmentIn>), StoreError> {
    let enrolled = enrolments(store, Filter::Batch("e.batch_id", id)).await?;
    let (watchlist, insurance) = watchlist(store, Filter::Batch("w.batch_id", id)).await?;
    // A roster changes its classes' results (S8): the whole class counts.
    let mut touched: Vec<String> = enrolled.iter().map(|(e, _)| e.class_no.clone()).collect();
    touched.sort();
    touched.dedup();
    let whole = enrolments(store, Filter::Keys("c.class_no", &touched)).await?;
    let batch = Batch {
        classes: classes(store, Filter::Batch("c.batch_id", id)).await?,
        outcomes: outcomes(&whole),
        enrolments: enrolled.into_iter().map(|(e, _)| e).collect(),
        certificates: certificates(store, Filter::Batch("t.batch_id", id)).await?,
        claims: claims(store, Filter::Batch("k.batch_id", id)).await?,
        watchlist,
        insurance,
        sessions: super::sessions::sessions(store, Filter::Batch("o.batch_id", id)).await?,
    };
    Ok((batch, whole.into_iter().map(|(e, _)| e).collect()))
}

/// The stored rows a batch is compared with. The batch's own rows are
/// already written; the per-key checks drop them by identity, the S8
/// counts here.
/// `rosters`, when given, are the whole rosters of `w.classes`, already read.
pub(crate) async fn stored(
    store: &Store,
    batch: &Batch,
    w: &Wanted,
    rosters: Option<Vec<EnrolmentIn>>,
) -> Result<Stored, StoreError> {
    let new_certs: std::collections::BTreeSet<&str> = batch
        .certificates
        .iter()
        .map(|c| c.cert_no.as_str())
        .collect();
    let new_claims: std::collections::BTreeSet<&str> =
        batch.claims.iter().map(|c| c.claim_no.as_str()).collect();
    let persons: Vec<String> = w.persons.iter().cloned().collect();
    let classes_wanted: Vec<String> = w.classes.iter().cloned().collect();
    let teachers: Vec<String> = w.teachers.iter().cloned().collect();
    let by_person = enrolments(store, Filter::Keys("p.id_number", &persons)).await?;
    let by_class = match rosters {
        Some(rows) => rows,
        None => enrolments(store, Filter::Keys("c.class_no", &classes_wanted))
            .await?
            .into_iter()
            .map(|(e, _)| e)
            .collect(),
    };
    let (entries, insurance) = watchlist(store, Filter::Keys("w.id_number", &persons)).await?;
    let claims_of = claims_and_tags(store, Filter::Keys("p.id_number", &persons)).await?;
    let sessions_of =
        super::sessions::sessions(store, Filter::Keys("p.id_number", &persons)).await?;
    let taught = classes(store, Filter::Keys("c.teacher_id", &teachers)).await?;
    let assessors: Vec<String> = w.assessor_days.iter().map(|(a, _)| a.clone()).collect();
    let certs = certificates(store, Filter::Keys("t.issuer_code", &assessors)).await?;
    let insts: Vec<String> = w
        .institution_months
        .iter()
        .map(|(i, _)| i.clone())
        .collect();
    let inst_claims = claims(store, Filter::Keys("i.credit_code", &insts)).await?;
    let mut s = Stored {
        enrolments_by_person: index(by_person.into_iter().map(|(e, _)| e), |e| &e.person),
        enrolments_by_class: index(by_class, |e| &e.class_no),
        watchlist_by_person: index(entries, |x| &x.person),
        insurance_by_person: index(insurance, |x| &x.person),
        claims_by_person: index(claims_of, |x| &x.person),
        classes_by_teacher: index(taught, s09_teacher::teacher_key),
        sessions_by_person: index(sessions_of, |x| &x.person),
        ..Stored::default()
    };
    for c in certs {
        if w.assessor_days
            .contains(&(c.assessor.clone(), c.issue_date))
            && !new_certs.contains(c.cert_no.as_str())
        {
            let key = s08_institution::assessor_day(&c.assessor, c.issue_date);
            s.certificates_by_assessor_day.insert(&key, c);
        }
    }
    for c in inst_claims
        .iter()
        .filter(|c| !new_claims.contains(c.claim_no.as_str()))
    {
        let Some(inst) = c.institution.clone() else {
            continue;
        };
        let key = (inst, Month::of(c.applied_on));
        if w.institution_months.contains(&key) {
            *s.monthly_claims.entry(key).or_default() += 1;
        }
    }
    Ok(s)
}

fn index<T>(
    rows: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> &str,
) -> jineng_domain::supervision::inputs::Index<T> {
    jineng_domain::supervision::inputs::Index::from_rows(rows, key)
}

#[cfg(test)]
mod tests {
    use super::ymd;
    use chrono::NaiveDate;

    #[test]
    fn dates_read_as_chrono_reads_them() {
        for s in ["2019-01-31", "2020-02-29", "1999-12-01"] {
            assert_eq!(ymd(s), NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(), "{s}");
        }
        for s in [
            "2019-02-30",
            "2019-13-01",
            "2019-1-01",
            "2019/01/01",
            "20a9-01-01",
            "",
            "2019-01-011",
        ] {
            assert_eq!(ymd(s), None, "{s}");
        }
    }
}
