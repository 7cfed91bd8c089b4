//! Property tests for the value validators: dates, money, skill levels,
//! phones, text and vocabularies.

use chrono::{Datelike, Days, NaiveDate};
use jineng_domain::{
    CertificateType, CompletionResult, Fen, Phone, RelationKind, SkillLevel, excel_serial_to_date,
    normalize_cell, parse_date, parse_yes_no, validate_person_name,
};
use proptest::prelude::*;
use proptest::sample::select;

fn date_in(from: (i32, u32, u32), days: u64) -> impl Strategy<Value = NaiveDate> {
    let start = NaiveDate::from_ymd_opt(from.0, from.1, from.2).unwrap();
    (0..days).prop_map(move |d| start.checked_add_days(Days::new(d)).unwrap())
}

fn days_in_month(y: i32, m: u32) -> u32 {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)
        .unwrap()
        .pred_opt()
        .unwrap()
        .day()
}

fn with_commas(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn to_full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            ' ' => '\u{3000}',
            '!'..='~' => char::from_u32(u32::from(c) + 0xFEE0).unwrap(),
            c => c,
        })
        .collect()
}

proptest! {
    #[test]
    fn parse_date_all_formats(date in date_in((1900, 1, 1), 200 * 366)) {
        let (y, m, d) = (date.year(), date.month(), date.day());
        for s in [
            format!("{y}-{m:02}-{d:02}"),
            format!("{y}-{m}-{d}"),
            format!("{y}/{m:02}/{d:02}"),
            format!("{y}/{m}/{d}"),
            format!("{y}.{m:02}.{d:02}"),
            format!("{y}{m:02}{d:02}"),
            format!("{y}年{m}月{d}日"),
            format!("{y}年{m:02}月{d:02}日"),
            format!(" {y}-{m:02}-{d:02} 00:00:00 "),
        ] {
            prop_assert_eq!(parse_date(&s), Ok(date), "{}", s);
        }
    }

    #[test]
    fn parse_date_rejects_invalid_day(y in 1900i32..=2100, m in 1u32..=12, extra in 1u32..=68) {
        let d = days_in_month(y, m) + extra;
        for s in [format!("{y}-{m:02}-{d:02}"), format!("{y}年{m}月{d}日"), format!("{y}{m:02}{d:02}")] {
            let err = parse_date(&s).unwrap_err();
            prop_assert!(err.0.contains("不存在"), "{}: {}", s, err);
        }
    }

    #[test]
    fn parse_date_rejects_invalid_month(y in 1900i32..=2100, m in 13u32..=99, d in 1u32..=28) {
        let s = format!("{y}-{m}-{d}");
        prop_assert!(parse_date(&s).unwrap_err().0.contains("不存在"));
    }

    #[test]
    fn parse_date_never_panics(s in any::<String>()) {
        let _ = parse_date(&s);
    }

    #[test]
    fn excel_serial_matches_calendar(date in date_in((1900, 3, 1), 100 * 366), frac in 0.0f64..0.999) {
        let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
        let serial = (date - epoch).num_days() as f64;
        prop_assert_eq!(excel_serial_to_date(serial), Some(date));
        prop_assert_eq!(excel_serial_to_date(serial + frac), Some(date));
    }

    #[test]
    fn fen_round_trips(fen in 0i64..=i64::MAX) {
        let f = Fen(fen);
        prop_assert_eq!(Fen::parse_yuan(&f.to_string()), Ok(f));
        prop_assert_eq!(Fen::parse_yuan(&f.yuan_string()), Ok(f));
        let (yuan, cents) = (fen as u64 / 100, fen % 100);
        prop_assert_eq!(Fen::parse_yuan(&format!("￥{}.{cents:02}", with_commas(yuan))), Ok(f));
        if cents == 0 {
            prop_assert_eq!(Fen::parse_yuan(&yuan.to_string()), Ok(f));
        }
    }

    #[test]
    fn fen_rejects_three_decimals(yuan in 0u64..1_000_000, frac in 0u32..1000) {
        let s = format!("{yuan}.{frac:03}");
        prop_assert!(Fen::parse_yuan(&s).is_err());
    }

    #[test]
    fn fen_never_panics(s in any::<String>()) {
        let _ = Fen::parse_yuan(&s);
    }

    #[test]
    fn skill_level_round_trips(level in select(SkillLevel::ALL.to_vec())) {
        prop_assert_eq!(SkillLevel::parse(level.as_zh()), Ok(level));
        prop_assert_eq!(SkillLevel::parse(&level.to_string()), Ok(level));
        prop_assert_eq!(SkillLevel::parse(&level.grade().to_string()), Ok(level));
        prop_assert_eq!(SkillLevel::from_grade(level.grade()), Some(level));
        prop_assert_eq!(level.is_high_skilled(), level.grade() <= 3);
    }

    #[test]
    fn skill_level_never_panics(s in any::<String>()) {
        let _ = SkillLevel::parse(&s);
    }

    #[test]
    fn mobile_formats(n in "1[3-9][0-9]{9}") {
        let spaced = format!("{} {} {}", &n[..3], &n[3..7], &n[7..]);
        let dashed = format!("{}-{}-{}", &n[..3], &n[3..7], &n[7..]);
        for s in [n.clone(), format!("+86 {n}"), format!("86{n}"), spaced, dashed] {
            let p = Phone::parse(&s).unwrap();
            prop_assert_eq!(p.as_str(), n.as_str());
            prop_assert!(p.is_mobile());
        }
    }

    #[test]
    fn landline_formats(
        area in prop_oneof!["0[12][0-9]", "0[3-9][0-9]{2}"],
        sub in "[2-9][0-9]{6,7}",
        ext in proptest::option::of("[0-9]{1,6}"),
    ) {
        let want = match &ext {
            Some(e) => format!("{area}-{sub}-{e}"),
            None => format!("{area}-{sub}"),
        };
        let suffix = ext.as_ref().map(|e| format!("转{e}")).unwrap_or_default();
        for s in [
            format!("{area}-{sub}{suffix}"),
            format!("{area} {sub}{suffix}"),
            format!("({area}){sub}{suffix}"),
            format!("{area}{sub}{suffix}"),
            want.clone(),
        ] {
            let p = Phone::parse(&s).unwrap();
            prop_assert_eq!(p.as_str(), want.as_str(), "{}", s);
            prop_assert_eq!(Phone::parse(p.as_str()).unwrap(), p.clone());
        }
    }

    #[test]
    fn phone_never_panics(s in any::<String>()) {
        let _ = Phone::parse(&s);
    }

    #[test]
    fn normalize_cell_undoes_full_width(s in "[ -~]{0,40}") {
        prop_assert_eq!(normalize_cell(&to_full_width(&s)), s.trim());
        prop_assert_eq!(normalize_cell(&format!("\u{FEFF}{s}\u{200B}")), s.trim());
    }

    #[test]
    fn chinese_names_accepted(name in "[\u{4e00}-\u{9fa5}]{1,20}") {
        prop_assert_eq!(validate_person_name(&name), Ok(name.clone()));
    }

    #[test]
    fn minority_names_normalise_dot(
        a in "[\u{4e00}-\u{9fa5}]{1,8}",
        b in "[\u{4e00}-\u{9fa5}]{1,8}",
        dot in select(vec!['·', '•', '・']),
    ) {
        prop_assert_eq!(validate_person_name(&format!("{a}{dot}{b}")), Ok(format!("{a}·{b}")));
    }

    #[test]
    fn names_with_digits_rejected(name in "[\u{4e00}-\u{9fa5}]{1,20}", pos in 0usize..=20, d in 0u8..=9) {
        let mut chars: Vec<char> = name.chars().collect();
        chars.insert(pos.min(chars.len()), char::from(b'0' + d));
        let with_digit: String = chars.into_iter().collect();
        prop_assert!(validate_person_name(&with_digit).is_err());
    }

    #[test]
    fn name_validation_never_panics(s in any::<String>()) {
        if let Ok(n) = validate_person_name(&s) {
            prop_assert_eq!(validate_person_name(&n), Ok(n.clone()));
        }
    }

    #[test]
    fn vocabularies_round_trip(
        c in select(CertificateType::ALL.to_vec()),
        r in select(CompletionResult::ALL.to_vec()),
        k in select(RelationKind::ALL.to_vec()),
    ) {
        prop_assert_eq!(CertificateType::parse(c.as_zh()), Ok(c));
        prop_assert_eq!(CertificateType::parse(c.code()), Ok(c));
        prop_assert_eq!(CertificateType::from_code(c.code()), Some(c));
        prop_assert_eq!(CompletionResult::parse(r.as_zh()), Ok(r));
        prop_assert_eq!(CompletionResult::from_code(r.code()), Some(r));
        prop_assert_eq!(RelationKind::parse(k.as_zh()), Ok(k));
        prop_assert_eq!(RelationKind::from_code(k.code()), Some(k));
        prop_assert_eq!(k.inverse().inverse(), k);
    }

    #[test]
    fn yes_no_values(v in any::<bool>(), form in 0usize..5, upper in any::<bool>()) {
        let forms = if v { ["是", "y", "yes", "1", "true"] } else { ["否", "n", "no", "0", "false"] };
        let s = if upper { forms[form].to_ascii_uppercase() } else { forms[form].to_owned() };
        prop_assert_eq!(parse_yes_no(&s), Ok(v));
    }

    #[test]
    fn vocab_never_panics(s in any::<String>()) {
        let _ = CertificateType::parse(&s);
        let _ = CompletionResult::parse(&s);
        let _ = RelationKind::parse(&s);
        let _ = parse_yes_no(&s);
    }
}
