//! The error report: the rejected rows of an upload, as the user sent them,
//! plus 原行号 and 错误说明, so the user can fix the rows in place and
//! upload the report itself again (ColumnMap ignores the two extra columns).
//!
//! Both formats stream: CSV through the `csv` writer, XLSX through
//! rust_xlsxwriter's constant-memory mode (rows go to a temp file).

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use jineng_domain::defuse_formula;
use rust_xlsxwriter::{Color, Format, Workbook};

use crate::columns::{REPORT_COLUMNS, normalize_header};
use crate::reader::{Row, display_name, extension};

/// One problem found in a row. Serializable for API responses.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RowError {
    pub row: u64,
    /// Template column name; "" when the error concerns the whole row.
    pub column: String,
    pub message: String,
}

/// Why a report or template could not be written. Messages are for users.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("不支持文件「{file}」的格式：只能生成 .xlsx 或 .csv 文件")]
    UnsupportedFormat { file: String },
    #[error("写入文件「{file}」失败：{source}")]
    Write {
        file: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl ReportError {
    pub(crate) fn write(
        path: &Path,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        ReportError::Write {
            file: display_name(path),
            source: source.into(),
        }
    }
}

pub(crate) const SHEET_NAME: &str = "错误报告";

/// Writes an error report row by row.
pub struct ReportWriter {
    path: PathBuf,
    /// Indices of the original columns copied to the report: all but a
    /// previous report's 原行号/错误说明, which would otherwise pile up.
    keep: Vec<usize>,
    sink: Sink,
}

// One sink per report: the size difference between variants is irrelevant.
#[allow(clippy::large_enum_variant)]
enum Sink {
    Csv(csv::Writer<File>),
    Xlsx(XlsxSink),
}

struct XlsxSink {
    workbook: Workbook,
    text: Format,
    error: Format,
    next_row: u32,
}

impl ReportWriter {
    /// Creates the report at `path` (`.xlsx` or `.csv`) with the uploaded
    /// file's `headers` followed by 原行号 and 错误说明.
    pub fn create(path: &Path, headers: &[String]) -> Result<ReportWriter, ReportError> {
        let keep: Vec<usize> = (0..headers.len())
            .filter(|&i| !REPORT_COLUMNS.contains(&normalize_header(&headers[i]).as_str()))
            .collect();
        let mut line: Vec<&str> = keep.iter().map(|&i| headers[i].as_str()).collect();
        line.extend(REPORT_COLUMNS);

        let sink = match extension(path).as_deref() {
            Some("csv") => Sink::Csv(create_csv(path, &line)?),
            Some("xlsx") => {
                let sink =
                    XlsxSink::create(path, &line).map_err(|e| ReportError::write(path, e))?;
                Sink::Xlsx(sink)
            }
            _ => {
                return Err(ReportError::UnsupportedFormat {
                    file: display_name(path),
                });
            }
        };
        Ok(ReportWriter {
            path: path.to_owned(),
            keep,
            sink,
        })
    }

    /// Adds `original` with its `errors`.
    pub fn add(&mut self, original: &Row, errors: &[RowError]) -> Result<(), ReportError> {
        let mut line: Vec<&str> = self
            .keep
            .iter()
            .map(|&i| original.cells.get(i).map_or("", String::as_str))
            .collect();
        let number = original.number.to_string();
        let message = describe(errors);
        line.push(&number);
        line.push(&message);
        match &mut self.sink {
            Sink::Csv(w) => w
                .write_record(line.iter().map(|c| defuse_formula(c).into_owned()))
                .map_err(|e| ReportError::write(&self.path, e)),
            Sink::Xlsx(x) => x.add(&line).map_err(|e| ReportError::write(&self.path, e)),
        }
    }

    /// Flushes and closes the report. Without it an `.xlsx` report is never
    /// written.
    pub fn finish(self) -> Result<(), ReportError> {
        let path = self.path;
        match self.sink {
            Sink::Csv(mut w) => w.flush().map_err(|e| ReportError::write(&path, e)),
            Sink::Xlsx(mut x) => {
                let file = create_private(&path).map_err(|e| ReportError::write(&path, e))?;
                x.workbook
                    .save_to_writer(std::io::BufWriter::new(file))
                    .map_err(|e| ReportError::write(&path, e))
            }
        }
    }
}

/// "「身份证号码」校验码错误；「性别」与身份证号码不一致".
fn describe(errors: &[RowError]) -> String {
    errors
        .iter()
        .map(|e| {
            if e.column.is_empty() {
                e.message.clone()
            } else {
                format!("「{}」{}", e.column, e.message)
            }
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// Creates (or truncates) `path` for writing; a new file is readable by
/// its owner only (0600): reports hold uploaded rows with ID numbers.
pub fn create_private(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// A CSV with a UTF-8 BOM (without it Excel assumes the ANSI code page and
/// shows mojibake) and `header` as its first record.
pub(crate) fn create_csv(path: &Path, header: &[&str]) -> Result<csv::Writer<File>, ReportError> {
    let fail = |e: std::io::Error| ReportError::write(path, e);
    let mut file = create_private(path).map_err(fail)?;
    file.write_all(b"\xEF\xBB\xBF").map_err(fail)?;
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(file);
    w.write_record(header.iter().map(|c| defuse_formula(c).into_owned()))
        .map_err(|e| ReportError::write(path, e))?;
    Ok(w)
}

impl XlsxSink {
    fn create(path: &Path, header: &[&str]) -> Result<XlsxSink, rust_xlsxwriter::XlsxError> {
        let mut workbook = Workbook::new();
        // The rows buffered on disk stay beside the report, not in /tmp.
        if let Some(dir) = path.parent().filter(|d| d.is_dir()) {
            workbook.set_tempdir(dir)?;
        }
        // Text format keeps 18-digit IDs as typed when the user edits a cell.
        let text = Format::new().set_num_format("@");
        let error = text.clone().set_font_color(Color::Red);
        let bold = Format::new().set_bold();
        let bold_error = bold.clone().set_font_color(Color::Red);

        let sheet = workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name(SHEET_NAME)?;
        let last = header.len() - 1;
        for (i, name) in header.iter().enumerate() {
            let col = column_index(i)?;
            let width = match i {
                i if i == last => 60.0,
                i if i + 1 == last => 8.0,
                _ => column_width(name),
            };
            sheet.set_column_width(col, width)?;
            let format = if i == last { &bold_error } else { &bold };
            sheet.write_string_with_format(0, col, *name, format)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        Ok(XlsxSink {
            workbook,
            text,
            error,
            next_row: 1,
        })
    }

    fn add(&mut self, line: &[&str]) -> Result<(), rust_xlsxwriter::XlsxError> {
        let sheet = self.workbook.worksheet_from_index(0)?;
        let last = line.len() - 1;
        for (i, value) in line.iter().enumerate() {
            let format = if i == last { &self.error } else { &self.text };
            sheet.write_string_with_format(self.next_row, column_index(i)?, *value, format)?;
        }
        self.next_row += 1;
        Ok(())
    }
}

fn column_index(i: usize) -> Result<u16, rust_xlsxwriter::XlsxError> {
    u16::try_from(i).map_err(|_| rust_xlsxwriter::XlsxError::RowColumnLimitError)
}

/// A column width (in Excel character units) that fits the header and,
/// for ID and code columns, an 18-character value.
pub(crate) fn column_width(header: &str) -> f64 {
    // CJK characters take two character widths.
    let chars: usize = header
        .chars()
        .map(|c| if c.is_ascii() { 1 } else { 2 })
        .sum();
    let width = (chars + 4).max(10);
    let long_value = ["身份证", "信用代码", "编号", "发证机构", "申领单位"]
        .iter()
        .any(|k| header.contains(k));
    let width = if long_value { width.max(22) } else { width };
    width as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_errors() {
        let errors = [
            RowError {
                row: 2,
                column: "身份证号码".into(),
                message: "校验码错误".into(),
            },
            RowError {
                row: 2,
                column: String::new(),
                message: "与第 3 行重复".into(),
            },
        ];
        assert_eq!(describe(&errors), "「身份证号码」校验码错误；与第 3 行重复");
    }

    #[test]
    fn rejects_other_extensions() {
        let dir = tempfile::tempdir().unwrap();
        let err = ReportWriter::create(&dir.path().join("r.txt"), &[])
            .err()
            .unwrap();
        assert!(err.to_string().contains("r.txt"));
    }
}
