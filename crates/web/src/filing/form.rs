//! Web forms read as one row of the import templates, so a form's fields
//! are validated by the same parser as an uploaded file (ID number check
//! digit, regions, vocabulary, dates …), never by a second set of rules.

use crate::error::AppError;
use chrono::NaiveDate;
use jineng_domain::NationalId;
use jineng_domain::records::{ClaimRecord, PersonRecord};
use jineng_domain::refdata::RefData;
use jineng_ingest::columns::ColumnMap;
use jineng_ingest::parse::{self, ParseCtx};
use jineng_ingest::reader::Row;
use jineng_ingest::report::RowError;
use jineng_ingest::templates::template;

/// The claim number a form's claim carries until the store numbers it.
pub const UNNUMBERED: &str = "待编号";

/// The template `kind` as a header row and the form's cells as its row.
fn row(kind: &str, cells: &[(&str, &str)]) -> Result<(ColumnMap, Row), AppError> {
    let spec = template(kind).ok_or_else(|| AppError::Internal(format!("no template {kind}")))?;
    let headers: Vec<String> = cells.iter().map(|(h, _)| h.to_string()).collect();
    let (map, _) = ColumnMap::resolve(spec, &headers)
        .map_err(|e| AppError::Internal(format!("form columns: {}", e.join("; "))))?;
    let row = Row {
        number: 1,
        cells: cells.iter().map(|(_, v)| v.to_string()).collect(),
    };
    Ok((map, row))
}

fn refused(errors: Vec<RowError>) -> AppError {
    AppError::BadRequest(
        errors
            .iter()
            .map(|e| format!("「{}」：{}", e.column, e.message))
            .collect::<Vec<_>>()
            .join("；"),
    )
}

/// A person of the persons template (人员信息) from form fields, or the
/// row's errors, each naming its column.
pub fn person_checked(
    refdata: &RefData,
    today: NaiveDate,
    cells: &[(&str, &str)],
) -> Result<Result<PersonRecord, Vec<RowError>>, AppError> {
    let (map, row) = row("persons", cells)?;
    Ok(parse::person(ParseCtx { refdata, today }, &map, &row))
}

/// A claim of the claims template (补贴申领) from form fields; its number
/// is [`UNNUMBERED`] until the store files it.
pub fn claim(
    refdata: &RefData,
    today: NaiveDate,
    cells: &[(&str, &str)],
) -> Result<ClaimRecord, AppError> {
    let mut all: Vec<(&str, &str)> = vec![("申领编号", UNNUMBERED)];
    all.extend_from_slice(cells);
    let (map, row) = row("claims", &all)?;
    parse::claim(ParseCtx { refdata, today }, &map, &row).map_err(refused)
}

/// An ID number checked as the templates check it (the domain's parser
/// with the registry's provinces).
pub fn national_id(raw: &str, refdata: &RefData, today: NaiveDate) -> Result<NationalId, AppError> {
    let raw = jineng_domain::normalize_cell(raw);
    if raw.is_empty() {
        return Err(AppError::BadRequest("请填写身份证号码".into()));
    }
    NationalId::parse(&raw, today, &|p| refdata.province_exists(p))
        .map_err(|e| AppError::BadRequest(format!("「身份证号码」：{}", e.message())))
}
