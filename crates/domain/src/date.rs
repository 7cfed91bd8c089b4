//! Calendar dates as they appear in spreadsheets: the textual formats in
//! common use in China, and Excel's 1900-system serial numbers.

use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime};

use crate::ValueError;

/// Parses `2019-10-21`, `2019/10/21`, `2019.10.21`, `20191021`,
/// `2019年10月21日` (month and day may have one digit, e.g. `2019-1-5`).
/// A trailing time of day (`2019-10-21 00:00:00`, as exported by many
/// spreadsheet tools) is ignored.
pub fn parse_date(raw: &str) -> Result<NaiveDate, ValueError> {
    let s = raw.trim();
    let unrecognised = || {
        ValueError::new(format!(
            "无法识别的日期格式「{s}」，应为 2019-10-21、2019/10/21、20191021 或 2019年10月21日"
        ))
    };
    let date_part = strip_time(s);
    let (y, m, d) = split_ymd(date_part).ok_or_else(unrecognised)?;
    let digits =
        |t: &str, lens: &[usize]| lens.contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(y, &[4]) || !digits(m, &[1, 2]) || !digits(d, &[1, 2]) {
        return Err(unrecognised());
    }
    // All parts are at most 4 ASCII digits, so these cannot fail.
    let (y, m, d): (i32, u32, u32) = (
        y.parse().map_err(|_| unrecognised())?,
        m.parse().map_err(|_| unrecognised())?,
        d.parse().map_err(|_| unrecognised())?,
    );
    NaiveDate::from_ymd_opt(y, m, d)
        .ok_or_else(|| ValueError::new(format!("日期 {y:04}-{m:02}-{d:02} 不存在")))
}

/// Parses a calendar month: `2019-03`, `2019/3`, `2019.03`, `201903`,
/// `2019年3月`, or a whole date (its month). Returns the month's first day.
pub fn parse_month(raw: &str) -> Result<NaiveDate, ValueError> {
    let s = raw.trim();
    if let Ok(d) = parse_date(s) {
        return Ok(NaiveDate::from_ymd_opt(
            chrono::Datelike::year(&d),
            chrono::Datelike::month(&d),
            1,
        )
        .unwrap_or(d));
    }
    let unrecognised = || {
        ValueError::new(format!(
            "无法识别的月份「{s}」，应为 2019-03、2019/3、201903 或 2019年3月"
        ))
    };
    let (y, m) = if let Some((y, rest)) = s.split_once('年') {
        (y, rest.strip_suffix('月').unwrap_or(rest))
    } else if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        (&s[0..4], &s[4..6])
    } else {
        s.split_once(['-', '/', '.']).ok_or_else(unrecognised)?
    };
    let ok =
        |t: &str, lens: &[usize]| lens.contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit());
    if !ok(y, &[4]) || !ok(m, &[1, 2]) {
        return Err(unrecognised());
    }
    let (y, m): (i32, u32) = (
        y.parse().map_err(|_| unrecognised())?,
        m.parse().map_err(|_| unrecognised())?,
    );
    NaiveDate::from_ymd_opt(y, m, 1)
        .ok_or_else(|| ValueError::new(format!("月份 {y:04}-{m:02} 不存在")))
}

/// Parses a moment: a date as [`parse_date`] reads it, then a space (or
/// `T`) and the time of day `H:MM` or `H:MM:SS`, e.g. `2024-03-02 08:05`.
pub fn parse_datetime(raw: &str) -> Result<NaiveDateTime, ValueError> {
    let s = raw.trim();
    let unrecognised = || {
        ValueError::new(format!(
            "无法识别的时间「{s}」，应为日期加时刻，如 2024-03-02 08:05 或 2024/3/2 8:05:00"
        ))
    };
    let (date, time) = s.split_once([' ', 'T']).ok_or_else(unrecognised)?;
    let date = parse_date(date).map_err(|_| unrecognised())?;
    let parts: Vec<&str> = time.trim().split(':').collect();
    let ok = (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    if !ok {
        return Err(unrecognised());
    }
    let n = |i: usize| parts.get(i).map_or(Some(0), |p| p.parse::<u32>().ok());
    let (Some(h), Some(m), Some(sec)) = (n(0), n(1), n(2)) else {
        return Err(unrecognised());
    };
    let t = NaiveTime::from_hms_opt(h, m, sec)
        .ok_or_else(|| ValueError::new(format!("时刻「{}」不存在", time.trim())))?;
    Ok(date.and_time(t))
}

/// Drops a `H:MM[:SS]` time after a space or `T`; anything else is kept so
/// the caller reports the whole text as unrecognised.
fn strip_time(s: &str) -> &str {
    if let Some((date, time)) = s.split_once([' ', 'T']) {
        let parts: Vec<&str> = time.trim().split(':').collect();
        let is_time = (2..=3).contains(&parts.len())
            && parts
                .iter()
                .all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
        if is_time {
            return date.trim_end();
        }
    }
    s
}

fn split_ymd(s: &str) -> Option<(&str, &str, &str)> {
    if s.contains('年') {
        let (y, rest) = s.split_once('年')?;
        let (m, d) = rest.split_once('月')?;
        return Some((y, m, d.strip_suffix('日').unwrap_or(d)));
    }
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return Some((&s[0..4], &s[4..6], &s[6..8]));
    }
    // One separator kind throughout, so "2019-10/21" is rejected.
    for sep in ['-', '/', '.'] {
        let mut it = s.split(sep);
        if let (Some(y), Some(m), Some(d), None) = (it.next(), it.next(), it.next(), it.next()) {
            return Some((y, m, d));
        }
    }
    None
}

/// Converts an Excel serial date (1900 date system) to a date, ignoring any
/// time-of-day fraction. Excel counts the non-existent 1900-02-29 as serial
/// 60, so serials after it are offset by one day; serial 60 itself and
/// serials below 1 or beyond 9999-12-31 give `None`.
pub fn excel_serial_to_date(serial: f64) -> Option<NaiveDate> {
    // 2_958_465 is 9999-12-31, Excel's last representable date.
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let day = serial.floor() as u64;
    let (epoch, offset) = match day {
        60 => return None,
        1..60 => (NaiveDate::from_ymd_opt(1899, 12, 31)?, day),
        _ => (NaiveDate::from_ymd_opt(1899, 12, 30)?, day),
    };
    epoch.checked_add_days(Days::new(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn moments_need_a_time_of_day() {
        let at = |s: &str| parse_datetime(s).map(|t| t.to_string());
        assert_eq!(at("2024-03-02 08:05").unwrap(), "2024-03-02 08:05:00");
        assert_eq!(at("2024/3/2 8:05:30").unwrap(), "2024-03-02 08:05:30");
        assert_eq!(at("2024-03-02T23:59:59").unwrap(), "2024-03-02 23:59:59");
        for bad in ["2024-03-02", "2024-03-02 25:00", "2024-02-30 08:00", "8:00"] {
            assert!(at(bad).is_err(), "{bad}");
        }
        assert!(
            at("2024-03-02 25:00")
                .unwrap_err()
                .message()
                .contains("时刻「25:00」不存在")
        );
    }

    #[test]
    fn accepted_formats() {
        for s in [
            "2019-10-21",
            "2019/10/21",
            "2019.10.21",
            "20191021",
            "2019年10月21日",
            " 2019-10-21 ",
            "2019-10-21 00:00:00",
            "2019/10/21 8:30",
            "2019-10-21T00:00:00",
            "2019年10月21",
        ] {
            assert_eq!(parse_date(s), Ok(d(2019, 10, 21)), "{s}");
        }
        assert_eq!(parse_date("2019-1-5"), Ok(d(2019, 1, 5)));
        assert_eq!(parse_date("2019年1月5日"), Ok(d(2019, 1, 5)));
    }

    #[test]
    fn rejected() {
        let e = |s: &str| parse_date(s).unwrap_err().0;
        assert_eq!(e("2019-02-30"), "日期 2019-02-30 不存在");
        assert_eq!(e("2019年2月30日"), "日期 2019-02-30 不存在");
        assert_eq!(e("20190230"), "日期 2019-02-30 不存在");
        assert_eq!(e("2019-13-01"), "日期 2019-13-01 不存在");
        let bad = "无法识别的日期格式「19-10-21」，应为 2019-10-21、2019/10/21、20191021 或 2019年10月21日";
        assert_eq!(e("19-10-21"), bad);
        for s in [
            "2019-10/21",
            "2019-10-21-1",
            "",
            "2019-010-21",
            "abc",
            "2019-10-21 foo",
        ] {
            assert!(e(s).starts_with("无法识别的日期格式"), "{s}");
        }
    }

    #[test]
    fn excel_serials() {
        assert_eq!(excel_serial_to_date(1.0), Some(d(1900, 1, 1)));
        assert_eq!(excel_serial_to_date(59.0), Some(d(1900, 2, 28)));
        assert_eq!(excel_serial_to_date(60.0), None);
        assert_eq!(excel_serial_to_date(61.0), Some(d(1900, 3, 1)));
        assert_eq!(excel_serial_to_date(43759.0), Some(d(2019, 10, 21)));
        assert_eq!(excel_serial_to_date(43759.75), Some(d(2019, 10, 21)));
        assert_eq!(excel_serial_to_date(2_958_465.0), Some(d(9999, 12, 31)));
        assert_eq!(excel_serial_to_date(2_958_466.0), None);
        assert_eq!(excel_serial_to_date(0.0), None);
        assert_eq!(excel_serial_to_date(f64::NAN), None);
    }

    #[test]
    fn months_in_the_forms_in_use() {
        for raw in [
            "2020-03",
            "2020/3",
            "2020.03",
            "202003",
            "2020年3月",
            "2020-03-17",
        ] {
            assert_eq!(parse_month(raw).unwrap(), d(2020, 3, 1), "{raw}");
        }
        assert_eq!(parse_month("2020-13").unwrap_err().0, "月份 2020-13 不存在");
        assert!(
            parse_month("三月")
                .unwrap_err()
                .0
                .contains("无法识别的月份「三月」")
        );
        assert!(parse_month("20-3").is_err());
    }
}
