//! One online session as a learning platform reports it through the API
//! (`POST /api/v1/learning-sessions`), and the checks that refuse what
//! cannot have happened: a field that does not read, an end not after the
//! start, minutes the start and end cannot hold, a session outside its
//! class's period, one that overlaps another session of the same person,
//! and more than 24 hours of sessions in one calendar day. What is merely
//! suspicious (a long day below 24 hours) is accepted and left to check
//! S10 (`supervision::s10_online_rate`). Whether the person, the class and
//! the enrolment exist is the store's to find; it reports those with the
//! same [`Refusal`] type.
//!
//! Times are Beijing time (UTC+8, China's one zone): a time with an offset
//! (RFC 3339, `2024-03-02T08:00:00+08:00` or `…Z`) is converted to it, a
//! time without one (`2024-03-02 08:00:00`, `2024-03-02T08:00`) is taken
//! as it is. Seconds are kept, fractions of a second dropped.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

pub use super::refusal::{Field, Refusal};
use crate::national_id::mask_id;
use crate::{CreditCode, NationalId, ValueError, parse_datetime};

/// The most characters of a class number (班级编号), as in the templates.
pub const MAX_CLASS_NO: usize = 50;
/// The most characters of a platform's own session id.
pub const MAX_SESSION_REF: usize = 64;
/// Minutes in a calendar day: no one studies more than that in one.
pub const DAY_MINUTES: i64 = 24 * 60;

/// China Standard Time, the zone stored times are in.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// A session as the platform sent it, before it is read.
#[derive(Debug, Clone, Copy)]
pub struct RawSession<'a> {
    pub person: &'a str,
    pub class_no: &'a str,
    pub institution: Option<&'a str>,
    pub start: &'a str,
    pub end: &'a str,
    pub minutes: i64,
    pub session_ref: &'a str,
}

/// A reported session that reads: times in Beijing time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedSession {
    pub person: NationalId,
    pub class_no: String,
    pub institution: Option<CreditCode>,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub minutes: i64,
    pub session_ref: String,
}

/// Reads a time: RFC 3339 with an offset, converted to Beijing time, or
/// a date and time of day without one, taken as Beijing time.
pub fn parse_moment(raw: &str) -> Result<NaiveDateTime, ValueError> {
    let s = raw.trim();
    let t = match DateTime::parse_from_rfc3339(s) {
        Ok(t) => t.with_timezone(&beijing()).naive_local(),
        Err(_) => parse_datetime(s).map_err(|_| {
            ValueError::new(format!(
                "无法识别的时间「{}」，应为带时区的 RFC 3339 时间（如 2024-03-02T08:00:00+08:00）或北京时间（如 2024-03-02 08:00:00）",
                shown(s)
            ))
        })?,
    };
    Ok(t.with_nanosecond(0).unwrap_or(t))
}

/// Text as it may be quoted back in a message: at most 40 characters,
/// control characters shown as `?`.
fn shown(s: &str) -> String {
    s.chars()
        .take(40)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// A short identifier (class number, session id): trimmed, not empty, at
/// most `max` characters, no control characters.
fn short_text(raw: &str, max: usize) -> Result<String, ValueError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(ValueError::new("不能为空"));
    }
    if s.chars().any(char::is_control) {
        return Err(ValueError::new("含有控制字符"));
    }
    let n = s.chars().count();
    if n > max {
        return Err(ValueError::new(format!("最多 {max} 个字符，实为 {n} 个")));
    }
    Ok(s.to_string())
}

/// The minutes from `start` to `end`, a started minute counted whole.
pub fn span_minutes(start: NaiveDateTime, end: NaiveDateTime) -> i64 {
    let secs = (end - start).num_seconds();
    (secs + 59).div_euclid(60)
}

/// Reads a reported session and checks it on its own: every field that
/// does not read, then the span and the minutes.
pub fn read(
    raw: &RawSession<'_>,
    today: NaiveDate,
    province_exists: &dyn Fn(&str) -> bool,
) -> Result<ReportedSession, Vec<Refusal>> {
    fn field<T>(out: &mut Vec<Refusal>, field: Field, r: Result<T, ValueError>) -> Option<T> {
        r.map_err(|e| {
            out.push(Refusal::Invalid {
                field,
                message: e.message().to_string(),
            })
        })
        .ok()
    }
    let mut out = Vec::new();
    let o = &mut out;
    let person = field(
        o,
        Field::Person,
        NationalId::parse(raw.person, today, province_exists),
    );
    let class_no = field(o, Field::Class, short_text(raw.class_no, MAX_CLASS_NO));
    let institution = match raw.institution.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(code) => field(o, Field::Institution, CreditCode::parse(code).map(Some)),
    };
    let start = field(o, Field::Start, parse_moment(raw.start));
    let end = field(o, Field::End, parse_moment(raw.end));
    let session_ref = field(
        o,
        Field::SessionId,
        short_text(raw.session_ref, MAX_SESSION_REF),
    );
    if let (Some(s), Some(e)) = (start, end) {
        out.extend(check_span(s, e, raw.minutes));
    }
    match (person, class_no, institution, start, end, session_ref) {
        (Some(person), Some(class_no), Some(institution), Some(start), Some(end), Some(r))
            if out.is_empty() =>
        {
            Ok(ReportedSession {
                person,
                class_no,
                institution,
                start,
                end,
                minutes: raw.minutes,
                session_ref: r,
            })
        }
        _ => Err(out),
    }
}

/// The end after the start, a session of at most a day, and minutes from
/// 1 to the span (a platform may count less than the span: idle time).
pub fn check_span(start: NaiveDateTime, end: NaiveDateTime, minutes: i64) -> Vec<Refusal> {
    if end <= start {
        return vec![Refusal::EndNotAfterStart];
    }
    let span = span_minutes(start, end);
    let mut out = Vec::new();
    if span > DAY_MINUTES {
        out.push(Refusal::TooLong { minutes: span });
    }
    if !(1..=span).contains(&minutes) {
        out.push(Refusal::Minutes { minutes, span });
    }
    out
}

/// The session within the class's period: from the first day's start to
/// the end of its last day.
pub fn check_period(s: &ReportedSession, from: NaiveDate, to: NaiveDate) -> Result<(), Refusal> {
    let opens = from.and_time(NaiveTime::MIN);
    let closes = to
        .succ_opt()
        .map_or(NaiveDateTime::MAX, |d| d.and_time(NaiveTime::MIN));
    if s.start >= opens && s.end <= closes {
        Ok(())
    } else {
        Err(Refusal::OutsidePeriod {
            class_no: s.class_no.clone(),
            from,
            to,
        })
    }
}

/// Another session of the same person (stored, or accepted earlier in the
/// same request), as the overlap and day checks see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occupied {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub class_no: String,
}

impl Occupied {
    fn describe(&self) -> String {
        format!(
            "{} 至 {}，培训班「{}」",
            self.start.format("%Y-%m-%d %H:%M"),
            self.end.format("%Y-%m-%d %H:%M"),
            self.class_no
        )
    }
}

/// Minutes of `[start, end)` on each calendar day it touches.
pub fn per_day(start: NaiveDateTime, end: NaiveDateTime) -> Vec<(NaiveDate, i64)> {
    let mut out = Vec::new();
    let mut at = start;
    while at < end {
        let next = at
            .date()
            .succ_opt()
            .map_or(NaiveDateTime::MAX, |d| d.and_time(NaiveTime::MIN));
        let until = end.min(next);
        out.push((at.date(), span_minutes(at, until)));
        at = until;
    }
    out
}

/// Refuses a session that overlaps one of `others` (the first, by start)
/// or brings a calendar day past 24 hours of sessions.
pub fn check_against(
    start: NaiveDateTime,
    end: NaiveDateTime,
    others: &[Occupied],
) -> Vec<Refusal> {
    let mut out = Vec::new();
    let mut sorted: Vec<&Occupied> = others.iter().collect();
    sorted.sort_by_key(|o| (o.start, o.end));
    if let Some(o) = sorted.iter().find(|o| o.start < end && start < o.end) {
        let minutes = span_minutes(start.max(o.start), end.min(o.end));
        out.push(Refusal::Overlap {
            other: o.describe(),
            minutes,
        });
    }
    for (day, mine) in per_day(start, end) {
        let opens = day.and_time(NaiveTime::MIN);
        let closes = day
            .succ_opt()
            .map_or(NaiveDateTime::MAX, |d| d.and_time(NaiveTime::MIN));
        let theirs: i64 = others
            .iter()
            .filter(|o| o.start < closes && opens < o.end)
            .map(|o| span_minutes(o.start.max(opens), o.end.min(closes)))
            .sum();
        if mine + theirs > DAY_MINUTES {
            out.push(Refusal::DayLimit {
                day,
                minutes: mine + theirs,
            });
            break;
        }
    }
    out
}

/// The masked ID number of a refusal about an unknown person.
pub fn unknown_person(id: &NationalId) -> Refusal {
    Refusal::UnknownPerson {
        masked: mask_id(id.as_str()),
    }
}

/// One time as the store keeps it.
pub fn stored_moment(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Reads a time the store kept.
pub fn read_stored_moment(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").ok()
}

#[cfg(test)]
#[path = "sessions_tests.rs"]
mod tests;
