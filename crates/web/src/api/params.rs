//! What the API's query parameters accept, stated once for the document
//! and the server alike: a parameter the document gives as one of a list
//! is checked against that list exactly (no trimming, no empty value), so
//! a client generated from `/api/openapi.json` meets no surprise.

use crate::error::AppError;
use jineng_domain::supervision::CheckId;
use jineng_domain::supervision::case::{CaseStatus, Finding};
use jineng_domain::{ClaimStatus, ClassStatus};
use jineng_store::CaseSort;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Schema};

/// The codes of a claim status filter.
pub fn claim_statuses() -> Vec<&'static str> {
    ClaimStatus::ALL.iter().map(|s| s.code()).collect()
}

pub fn class_statuses() -> Vec<&'static str> {
    ClassStatus::ALL.iter().map(|s| s.code()).collect()
}

pub fn case_statuses() -> Vec<&'static str> {
    [
        CaseStatus::Open,
        CaseStatus::Closed(Finding::True),
        CaseStatus::Closed(Finding::NotTrue),
    ]
    .iter()
    .map(|s| s.code())
    .collect()
}

pub fn checks() -> Vec<&'static str> {
    CheckId::ALL.iter().map(|c| c.as_str()).collect()
}

pub const SEVERITIES: [&str; 3] = ["高", "中", "低"];
pub const DIRECTIONS: [&str; 2] = ["asc", "desc"];
pub const FINDINGS: [&str; 2] = ["属实", "不属实"];

pub fn case_sorts() -> Vec<&'static str> {
    CaseSort::ALL.iter().map(|s| s.code()).collect()
}

pub fn template_kinds() -> Vec<&'static str> {
    jineng_ingest::templates::TEMPLATES
        .iter()
        .map(|t| t.kind)
        .collect()
}

/// A string that is one of `values`.
pub fn enum_of(values: Vec<&'static str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .into()
}

/// Declares a marker type whose schema is a string enum, for
/// `#[param(value_type = Option<Marker>, inline)]` (which, unlike
/// `schema_with`, keeps a parameter's description and required flag).
macro_rules! enum_param {
    ($($name:ident => $values:expr;)*) => {$(
        pub struct $name;
        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                enum_of($values)
            }
        }
        impl utoipa::ToSchema for $name {}
    )*};
}

enum_param! {
    ClaimStatusCode => claim_statuses();
    ClassStatusCode => class_statuses();
    CaseStatusCode => case_statuses();
    CheckCode => checks();
    SeverityCode => SEVERITIES.to_vec();
    CaseSortCode => case_sorts();
    DirectionCode => DIRECTIONS.to_vec();
    FindingCode => FINDINGS.to_vec();
    TemplateKind => template_kinds();
}

/// Refuses a value the document does not list; absent is "any".
pub fn one_of(what: &str, value: Option<&str>, allowed: &[&'static str]) -> Result<(), AppError> {
    match value {
        Some(v) if !allowed.contains(&v) => Err(AppError::BadRequest(format!(
            "{what}「{v}」无效，应为 {} 之一",
            allowed.join("、")
        ))),
        _ => Ok(()),
    }
}

/// A text the document requires to hold something besides spaces. The
/// pattern and [`blank`] agree on what a space is.
pub const NOT_BLANK: &str = r"[^\s\x1c-\x1f]";

/// True when `s` holds nothing but white space (Unicode's, and the ASCII
/// separators \x1c–\x1f that regular expressions count as space).
pub fn blank(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// A required, not blank text.
pub fn text() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .pattern(Some(NOT_BLANK))
}

/// Refuses a region code that is not six ASCII digits; `national`
/// allows the country's own code, 000000 (planning targets), where
/// otherwise a code may not start with 0.
pub fn check_region(value: Option<&str>, national: bool) -> Result<(), AppError> {
    match value {
        Some(r)
            if r.len() != 6
                || !r.bytes().all(|b| b.is_ascii_digit())
                || (r.starts_with('0') && !(national && r == "000000")) =>
        {
            Err(AppError::BadRequest(format!(
                "行政区划代码「{r}」无效，应为 6 位数字"
            )))
        }
        _ => Ok(()),
    }
}

/// A full date as RFC 3339 writes it (`format: date`): YYYY-MM-DD.
pub fn check_date(what: &str, value: Option<&str>) -> Result<(), AppError> {
    match value {
        Some(d)
            if d.len() != 10
                || !d.is_char_boundary(10)
                || chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err()
                || !d.bytes().enumerate().all(|(i, b)| match i {
                    4 | 7 => b == b'-',
                    _ => b.is_ascii_digit(),
                }) =>
        {
            Err(AppError::BadRequest(format!(
                "{what}「{d}」无效，应为 YYYY-MM-DD"
            )))
        }
        _ => Ok(()),
    }
}
