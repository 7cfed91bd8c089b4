//! The reported session's reading and checks: each refusal with its reason,
//! times with and without an offset, and (proptest) that sessions accepted
//! one after another never overlap nor fill a day past 24 hours.

use super::*;
use proptest::prelude::*;

fn at(s: &str) -> NaiveDateTime {
    parse_datetime(s).unwrap()
}

fn raw<'a>(start: &'a str, end: &'a str, minutes: i64) -> RawSession<'a> {
    RawSession {
        person: "371502199001010011",
        class_no: "LC-01",
        institution: None,
        start,
        end,
        minutes,
        session_ref: "S-1",
    }
}

fn any_province(_: &str) -> bool {
    true
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()
}

fn valid_id() -> String {
    NationalId::from_parts("371502", NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(), 1)
        .as_str()
        .to_string()
}

#[test]
fn times_with_an_offset_become_beijing_time_and_times_without_are_taken_as_they_are() {
    assert_eq!(
        parse_moment("2024-03-02T00:30:00Z").unwrap(),
        at("2024-03-02 08:30")
    );
    assert_eq!(
        parse_moment("2024-03-02T08:30:00+08:00").unwrap(),
        at("2024-03-02 08:30")
    );
    assert_eq!(
        parse_moment("2024-03-02T08:30:15.75+08:00").unwrap(),
        at("2024-03-02 08:30:15")
    );
    assert_eq!(
        parse_moment("2024-03-02 08:30").unwrap(),
        at("2024-03-02 08:30")
    );
    let e = parse_moment("2024-03-02T08:30:00+0800").unwrap_err();
    assert!(e.message().contains("RFC 3339"), "{}", e.message());
    assert!(parse_moment("明天").is_err());
}

#[test]
fn a_session_that_reads_is_returned_whole() {
    let id = valid_id();
    let r = RawSession {
        person: &id,
        institution: Some(" "),
        ..raw("2024-03-02 08:00", "2024-03-02 09:30", 80)
    };
    let s = read(&r, today(), &any_province).unwrap();
    assert_eq!(s.minutes, 80);
    assert_eq!(s.institution, None);
    assert_eq!(s.class_no, "LC-01");
}

#[test]
fn each_field_that_does_not_read_is_named() {
    let r = RawSession {
        person: "12345",
        class_no: "   ",
        institution: Some("bad"),
        start: "soon",
        end: "2024-03-02 09:00",
        minutes: 10,
        session_ref: "a\u{0}b",
    };
    let refusals = read(&r, today(), &any_province).unwrap_err();
    let fields: Vec<&str> = refusals.iter().map(|r| r.field().key()).collect();
    assert_eq!(
        fields,
        ["person", "class", "institution", "start", "session_id"]
    );
    assert!(refusals.iter().all(|r| r.code() == "invalid"));
    assert!(refusals[4].message().contains("控制字符"));
}

#[test]
fn the_span_and_the_minutes_must_agree() {
    assert_eq!(
        check_span(at("2024-03-02 09:00"), at("2024-03-02 09:00"), 1),
        [Refusal::EndNotAfterStart]
    );
    let r = check_span(at("2024-03-02 08:00"), at("2024-03-02 09:00"), 61);
    assert_eq!(r[0].code(), "minutes");
    assert!(
        r[0].message().contains("学习时长应为 1 至 60 分钟"),
        "{}",
        r[0].message()
    );
    assert_eq!(
        check_span(at("2024-03-02 08:00"), at("2024-03-02 09:00"), 0)[0].code(),
        "minutes"
    );
    assert!(check_span(at("2024-03-02 08:00"), at("2024-03-02 09:00"), 60).is_empty());
    // A started minute counts whole.
    assert!(check_span(at("2024-03-02 08:00:00"), at("2024-03-02 08:00:20"), 1).is_empty());
    let long = check_span(at("2024-03-02 08:00"), at("2024-03-03 08:01"), 100);
    assert_eq!(long[0].code(), "day_limit");
    assert!(long[0].message().contains("超过 24 小时"));
}

#[test]
fn a_session_must_lie_in_its_class_period_last_day_included() {
    let id = valid_id();
    let s = |from: &str, to: &str| {
        read(
            &RawSession {
                person: &id,
                ..raw(from, to, 5)
            },
            today(),
            &any_province,
        )
        .unwrap()
    };
    let (from, to) = (
        NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
        NaiveDate::from_ymd_opt(2024, 3, 10).unwrap(),
    );
    assert!(check_period(&s("2024-03-01 00:00", "2024-03-01 01:00"), from, to).is_ok());
    assert!(check_period(&s("2024-03-10 23:00", "2024-03-11 00:00"), from, to).is_ok());
    let e = check_period(&s("2024-02-29 23:00", "2024-03-01 01:00"), from, to).unwrap_err();
    assert_eq!(e.code(), "outside_period");
    assert!(
        e.message().contains("2024-03-01 至 2024-03-10"),
        "{}",
        e.message()
    );
    assert!(check_period(&s("2024-03-10 23:00", "2024-03-11 00:01"), from, to).is_err());
}

fn occ(from: &str, to: &str) -> Occupied {
    Occupied {
        start: at(from),
        end: at(to),
        class_no: "LC-01".into(),
    }
}

#[test]
fn overlaps_are_refused_and_back_to_back_sessions_are_not() {
    let others = [occ("2024-03-02 08:00", "2024-03-02 10:00")];
    let r = check_against(at("2024-03-02 09:30"), at("2024-03-02 11:00"), &others);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].code(), "overlap");
    assert!(
        r[0].message().contains("重叠 30 分钟"),
        "{}",
        r[0].message()
    );
    assert!(
        r[0].message()
            .contains("2024-03-02 08:00 至 2024-03-02 10:00")
    );
    assert!(check_against(at("2024-03-02 10:00"), at("2024-03-02 11:00"), &others).is_empty());
}

#[test]
fn a_day_past_24_hours_is_refused_across_overlapping_stored_sessions() {
    // Stored sessions (from the template import, which S10 only flags)
    // may overlap each other; a new one must not push their day past 24 h.
    let others = [
        occ("2024-03-02 00:00", "2024-03-02 12:00"),
        occ("2024-03-02 06:00", "2024-03-02 18:00"),
    ];
    let r = check_against(at("2024-03-02 20:00"), at("2024-03-02 21:00"), &others);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].code(), "day_limit");
    assert!(
        r[0].message()
            .contains("2024-03-02 的线上学习合计 25小时0分"),
        "{}",
        r[0].message()
    );
}

fn moment() -> impl Strategy<Value = NaiveDateTime> {
    // Minutes over three days.
    (0i64..3 * 1440).prop_map(|m| at("2024-03-01 00:00") + chrono::TimeDelta::minutes(m))
}

proptest! {
    /// Whatever is offered, what is accepted one by one never overlaps and
    /// never holds more than 24 hours in a day.
    #[test]
    fn accepted_sessions_never_overlap_nor_overfill_a_day(
        offered in proptest::collection::vec((moment(), 1i64..600), 0..40)
    ) {
        let mut kept: Vec<Occupied> = Vec::new();
        for (start, len) in offered {
            let end = start + chrono::TimeDelta::minutes(len);
            if check_span(start, end, len).is_empty() && check_against(start, end, &kept).is_empty() {
                kept.push(Occupied { start, end, class_no: "A".into() });
            }
        }
        for (i, a) in kept.iter().enumerate() {
            for b in &kept[i + 1..] {
                prop_assert!(a.end <= b.start || b.end <= a.start, "{a:?} {b:?}");
            }
        }
        let mut days = std::collections::BTreeMap::new();
        for k in &kept {
            for (d, m) in per_day(k.start, k.end) {
                *days.entry(d).or_insert(0i64) += m;
            }
        }
        prop_assert!(days.values().all(|m| *m <= DAY_MINUTES));
    }

    /// A UTC time and the same moment written in Beijing time read alike.
    #[test]
    fn offsets_are_converted(minutes in 0i64..(366 * 1440)) {
        let utc = at("2024-01-01 00:00") + chrono::TimeDelta::minutes(minutes);
        let z = format!("{}Z", utc.format("%Y-%m-%dT%H:%M:%S"));
        let local = utc + chrono::TimeDelta::hours(8);
        prop_assert_eq!(parse_moment(&z).unwrap(), local);
        prop_assert_eq!(parse_moment(&stored_moment(local)).unwrap(), local);
    }

    /// Per-day minutes add up to the span.
    #[test]
    fn per_day_adds_up(start in moment(), len in 1i64..5000) {
        let end = start + chrono::TimeDelta::minutes(len);
        let total: i64 = per_day(start, end).iter().map(|(_, m)| m).sum();
        prop_assert_eq!(total, len);
    }
}
