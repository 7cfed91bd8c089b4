//! Progress of an actual against its target.
//!
//! For an indicator that accumulates (person-times, certificates, money),
//! the expected value at a date is the target times the share of the
//! period elapsed (序时进度: days elapsed through the as-of date over the
//! period's days); the target is behind schedule (落后于序时进度) when the
//! actual is below that. For a level (a ratio to be reached by the period's
//! end) there is no schedule: it is behind only once the period is over and
//! the level was not reached.

use super::Period;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    /// Share of the period elapsed through the as-of date, 0–1.
    pub elapsed: f64,
    /// What the schedule expects by the as-of date (the target for a level).
    pub expected: i64,
    /// actual / target, 0 when there is no target.
    pub completion: f64,
    pub behind: bool,
    /// 已完成 | 进度正常 | 落后于序时进度 | 未完成 | 未达到 | 统计期未到
    pub status: &'static str,
}

/// Days of `period` elapsed through `as_of` (inclusive), and its days.
pub fn elapsed_days(period: Period, as_of: NaiveDate) -> (i64, i64) {
    let start = NaiveDate::from_ymd_opt(period.from, 1, 1).unwrap_or(NaiveDate::MIN);
    let end = NaiveDate::from_ymd_opt(period.to, 12, 31).unwrap_or(NaiveDate::MAX);
    let total = (end - start).num_days() + 1;
    let done = ((as_of - start).num_days() + 1).clamp(0, total);
    (done, total)
}

/// The progress of `actual` against `target` over `period` as of `as_of`.
pub fn progress(
    period: Period,
    target: i64,
    actual: i64,
    cumulative: bool,
    as_of: NaiveDate,
) -> Progress {
    let (done, total) = elapsed_days(period, as_of);
    let elapsed = done as f64 / total as f64;
    let completion = if target > 0 {
        actual as f64 / target as f64
    } else {
        0.0
    };
    let over = as_of.year() > period.to;
    let (expected, behind, status) = if actual >= target {
        (target, false, "已完成")
    } else if cumulative {
        // In integers, rounded up: 40,100 over 365 days expects 110 on
        // 1 January.
        let expected = ((target as i128 * done as i128 + total as i128 - 1) / total as i128) as i64;
        if done == 0 {
            (0, false, "统计期未到")
        } else if done == total {
            (expected, true, "未完成")
        } else if actual < expected {
            (expected, true, "落后于序时进度")
        } else {
            (expected, false, "进度正常")
        }
    } else if over || elapsed >= 1.0 {
        (target, true, "未达到")
    } else {
        (target, false, "进度正常")
    };
    Progress {
        elapsed: (elapsed * 10_000.0).round() / 10_000.0,
        expected,
        completion: (completion * 10_000.0).round() / 10_000.0,
        behind,
        status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn behind_is_below_the_share_of_the_period_elapsed() {
        let y = Period::year(2019);
        // 30 June 2019: 181 of 365 days.
        let p = progress(y, 40100, 19_000, true, d(2019, 6, 30));
        assert_eq!(p.elapsed, 0.4959);
        assert_eq!(p.expected, 19_886);
        assert!(p.behind);
        assert_eq!(p.status, "落后于序时进度");
        let p = progress(y, 40100, 19_886, true, d(2019, 6, 30));
        assert!(!p.behind);
        assert_eq!(p.status, "进度正常");
        let p = progress(y, 40100, 40_100, true, d(2019, 3, 1));
        assert_eq!((p.behind, p.status, p.completion), (false, "已完成", 1.0));
        let p = progress(y, 40100, 0, true, d(2018, 12, 31));
        assert_eq!((p.behind, p.status), (false, "统计期未到"));
        let p = progress(y, 40100, 40_000, true, d(2020, 1, 5));
        assert_eq!((p.elapsed, p.behind, p.status), (1.0, true, "未完成"));
    }

    #[test]
    fn a_three_year_period_and_a_level() {
        let p = Period {
            from: 2019,
            to: 2021,
        };
        // End of 2019: 365 of 1,096 days.
        let r = progress(p, 140_000, 46_000, true, d(2019, 12, 31));
        assert_eq!(r.expected, 46_625);
        assert!(r.behind);
        let level = progress(p, 2500, 2000, false, d(2020, 6, 1));
        assert!(!level.behind);
        let level = progress(p, 2500, 2000, false, d(2022, 1, 1));
        assert_eq!((level.behind, level.status), (true, "未达到"));
    }
}
