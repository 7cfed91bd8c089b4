//! Property tests for the identifier and code validators: generated valid
//! values parse and round-trip, and corruptions are rejected.

use chrono::{Days, NaiveDate};
use jineng_domain::{CreditCode, NationalId, OccupationCode, RegionCode, RegionLevel, Sex};
use proptest::prelude::*;
use proptest::sample::select;

const PROVINCES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
}

fn province_exists(p: &str) -> bool {
    PROVINCES.contains(&p)
}

fn parse_id(s: &str) -> Result<NationalId, jineng_domain::ValueError> {
    NationalId::parse(s, today(), &province_exists)
}

/// Birth dates in the accepted range 1900-01-01..=today.
fn birth_date() -> impl Strategy<Value = NaiveDate> {
    let start = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
    let span = (today() - start).num_days() as u64;
    (0..=span).prop_map(move |d| start.checked_add_days(Days::new(d)).unwrap())
}

fn valid_id() -> impl Strategy<Value = (NationalId, NaiveDate, u16)> {
    (
        select(PROVINCES.to_vec()),
        "[0-9]{4}",
        birth_date(),
        0u16..=999,
    )
        .prop_map(|(p, rest, birth, seq)| {
            let region = format!("{p}{rest}");
            (NationalId::from_parts(&region, birth, seq), birth, seq)
        })
}

const CREDIT_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

fn credit_body() -> impl Strategy<Value = String> {
    "[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{9}"
}

fn replace_at(s: &str, pos: usize, c: char) -> String {
    s.chars()
        .enumerate()
        .map(|(i, o)| if i == pos { c } else { o })
        .collect()
}

/// The `k`-th character of `pool` after removing the one at `s[pos]`
/// (`k < pool.len() - 1`), so every substitution is reachable and none is
/// a no-op.
fn other_than(s: &str, pos: usize, pool: &str, k: usize) -> char {
    let original = s.as_bytes()[pos] as char;
    pool.chars().filter(|&c| c != original).nth(k).unwrap()
}

fn non_digit() -> impl Strategy<Value = char> {
    any::<char>().prop_filter("non-digit", |c| !c.is_ascii_digit())
}

proptest! {
    #[test]
    fn national_id_round_trips((id, birth, seq) in valid_id()) {
        let parsed = parse_id(id.as_str()).unwrap();
        prop_assert_eq!(&parsed, &id);
        prop_assert_eq!(parse_id(&id.as_str().to_ascii_lowercase()).unwrap(), id.clone());
        prop_assert_eq!(parsed.birth_date(), birth);
        let sex = if seq % 2 == 1 { Sex::Male } else { Sex::Female };
        prop_assert_eq!(parsed.sex(), sex);
        let masked = parsed.masked();
        prop_assert_eq!(masked.len(), 18);
        prop_assert!(masked.starts_with(&id.as_str()[..4]) && masked.ends_with(&id.as_str()[14..]));
        prop_assert_eq!(masked.matches('*').count(), 10);
    }

    #[test]
    fn national_id_single_substitution_rejected(
        (id, _, _) in valid_id(),
        pos in 0usize..18,
        k in 0usize..10,
    ) {
        // Any of the other 10 characters of "0123456789X" (no rejection sampling).
        let corrupted = replace_at(id.as_str(), pos, other_than(id.as_str(), pos, "0123456789X", k));
        prop_assert_ne!(&corrupted, id.as_str());
        prop_assert!(parse_id(&corrupted).is_err(), "{} accepted", corrupted);
    }

    #[test]
    fn national_id_never_panics(s in any::<String>()) {
        let _ = parse_id(&s);
    }

    #[test]
    fn credit_code_round_trips(body in credit_body()) {
        let code = CreditCode::from_body(&body);
        prop_assert!(code.as_str().starts_with(&body));
        prop_assert_eq!(CreditCode::parse(code.as_str()).unwrap(), code.clone());
        prop_assert_eq!(CreditCode::parse(&code.as_str().to_ascii_lowercase()).unwrap(), code.clone());
        prop_assert_eq!(code.region_prefix(), &body[2..8]);
    }

    #[test]
    fn credit_code_single_substitution_rejected(
        body in credit_body(),
        pos in 0usize..18,
        k in 0usize..35,
    ) {
        // Any other character of the alphabet, or one of the excluded letters.
        let code = CreditCode::from_body(&body);
        let pool = format!("{CREDIT_ALPHABET}IOZSV");
        let corrupted = replace_at(code.as_str(), pos, other_than(code.as_str(), pos, &pool, k));
        prop_assert_ne!(&corrupted, code.as_str());
        prop_assert!(CreditCode::parse(&corrupted).is_err(), "{} accepted", corrupted);
    }

    #[test]
    fn credit_code_never_panics(s in any::<String>()) {
        let _ = CreditCode::parse(&s);
    }

    #[test]
    fn region_code_round_trips(s in "[1-9][0-9]{5}") {
        let code = RegionCode::parse(&s).unwrap();
        prop_assert_eq!(code.as_str(), s.as_str());
        prop_assert_eq!(RegionCode::parse(&code.to_string()).unwrap(), code.clone());
        prop_assert_eq!(code.province().level(), RegionLevel::Province);
        prop_assert_eq!(RegionCode::parse(&s[..2]).unwrap(), code.province());
        match code.prefecture() {
            None => prop_assert!(code.level() == RegionLevel::Province || &s[2..4] == "00"),
            Some(p) => {
                prop_assert_eq!(p.level(), RegionLevel::Prefecture);
                prop_assert_eq!(RegionCode::parse(&s[..4]).unwrap(), p);
            }
        }
    }

    #[test]
    fn region_code_non_digit_rejected(s in "[1-9][0-9]{5}", pos in 0usize..6, c in non_digit()) {
        prop_assert!(RegionCode::parse(&replace_at(&s, pos, c)).is_err());
    }

    #[test]
    fn occupation_code_round_trips(major in 1u8..=8, rest in "[0-9]{6}") {
        let dashed = format!("{major}-{}-{}-{}", &rest[0..2], &rest[2..4], &rest[4..6]);
        let code = OccupationCode::parse(&dashed).unwrap();
        prop_assert_eq!(code.as_str(), dashed.as_str());
        prop_assert_eq!(OccupationCode::parse(&format!("{major}{rest}")).unwrap(), code.clone());
        prop_assert_eq!(code.major(), major);
        prop_assert_eq!(code.is_group(), rest.ends_with("0000"));
    }

    #[test]
    fn occupation_code_non_digit_rejected(
        major in 1u8..=8,
        rest in "[0-9]{6}",
        digit_index in 0usize..7,
        c in non_digit(),
    ) {
        let bare = format!("{major}{rest}");
        prop_assert!(OccupationCode::parse(&replace_at(&bare, digit_index, c)).is_err());
        let dashed = format!("{major}-{}-{}-{}", &rest[0..2], &rest[2..4], &rest[4..6]);
        let pos = [0, 2, 3, 5, 6, 8, 9][digit_index];
        prop_assert!(OccupationCode::parse(&replace_at(&dashed, pos, c)).is_err());
    }

    #[test]
    fn region_and_occupation_never_panic(s in any::<String>()) {
        let _ = RegionCode::parse(&s);
        let _ = OccupationCode::parse(&s);
    }
}
