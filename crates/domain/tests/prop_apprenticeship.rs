//! Property tests of R9's calendar years: a span of exactly N calendar
//! years is N years (29 February or not), and what is left after the whole
//! years counts by month or rounds up, as the policy says.

use crate::common;

use chrono::{Datelike, Days, Months, NaiveDate};
use jineng_domain::Fen;
use jineng_domain::policy::rules::r09_apprenticeship::{PartialYear, amount, span_years};
use proptest::prelude::*;

fn day(offset: u64) -> NaiveDate {
    // 2015-01-01 … 2034: many leap days on the way.
    NaiveDate::from_ymd_opt(2015, 1, 1).unwrap() + Days::new(offset)
}

/// The last day of a span of `months` calendar months from `start`.
fn end_after(start: NaiveDate, months: u32) -> NaiveDate {
    start.checked_add_months(Months::new(months)).unwrap() - Days::new(1)
}

fn params(partial: PartialYear) -> jineng_domain::policy::rules::r09_apprenticeship::Params {
    let text = common::policy_text("liaocheng-2019.toml");
    let p = common::load_text(&[("liaocheng-2019.toml", &text)]).unwrap();
    let mut r9 = p.rules.r9.unwrap().params;
    r9.partial_year = partial;
    r9
}

proptest! {
    #[test]
    fn whole_years_are_whole(offset in 0u64..(365 * 15), years in 1u32..5) {
        let start = day(offset);
        let end = end_after(start, 12 * years);
        prop_assert_eq!(span_years(start, end), (i64::from(years), 0));
        for partial in [PartialYear::ByMonth, PartialYear::RoundUp] {
            let (fen, y, m) = amount(&params(partial), i64::from(years), 0);
            prop_assert_eq!(fen, Fen(400_000 * i64::from(years)));
            prop_assert_eq!((y, m), (i64::from(years), 0));
        }
    }

    #[test]
    fn a_leap_day_adds_no_year(year in 2016i32..2030) {
        // Every span from 1 March of one year to the last day of February
        // of the next is one year, whether it ends on the 28th or the 29th.
        let start = NaiveDate::from_ymd_opt(year, 3, 1).unwrap();
        let end = NaiveDate::from_ymd_opt(year + 1, 3, 1).unwrap() - Days::new(1);
        prop_assert_eq!(span_years(start, end), (1, 0));
        prop_assert!(end.month() == 2);
    }

    #[test]
    fn partial_years_by_month_or_rounded_up(
        offset in 0u64..(365 * 15),
        years in 0u32..4,
        months in 1u32..12,
        extra_days in 0u64..20,
    ) {
        let start = day(offset);
        let whole = end_after(start, 12 * years + months - 1);
        // Some days into the next month: that month is started and counts.
        let end = if extra_days == 0 { end_after(start, 12 * years + months) } else { whole + Days::new(extra_days) };
        let (y, m) = span_years(start, end);
        prop_assert_eq!((y, m), (i64::from(years), i64::from(months)));
        let (fen, ry, _) = amount(&params(PartialYear::RoundUp), y, m);
        prop_assert_eq!(ry, y + 1);
        prop_assert_eq!(fen, Fen(400_000 * (y + 1)));
        let (fen, by, bm) = amount(&params(PartialYear::ByMonth), y, m);
        prop_assert_eq!((by, bm), (y, m));
        // 4000元 a year: 333.33元 a month, rounded half up to the fen.
        let part = (400_000 * m * 2 + 12) / 24;
        prop_assert_eq!(fen, Fen(400_000 * y + part));
        // Never more than rounding up, never less than the whole years.
        prop_assert!(fen.0 <= 400_000 * (y + 1) && fen.0 >= 400_000 * y);
    }

    #[test]
    fn longer_never_pays_less(offset in 0u64..(365 * 15), len in 0u64..1500, more in 1u64..400) {
        let start = day(offset);
        for partial in [PartialYear::ByMonth, PartialYear::RoundUp] {
            let p = params(partial);
            let pay = |end: NaiveDate| {
                let (y, m) = span_years(start, end);
                amount(&p, y, m).0
            };
            prop_assert!(pay(start + Days::new(len)) <= pay(start + Days::new(len + more)));
        }
    }
}
