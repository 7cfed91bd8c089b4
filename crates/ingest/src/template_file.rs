//! Blank import templates for users to download and fill in.
//!
//! The `.xlsx` template formats the data area as text so Excel does not turn
//! 18-digit IDs into 1.10101E+17 or drop the leading zeros of codes, and
//! carries a 填写说明 sheet generated from the column help.

use std::path::Path;

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, XlsxError};

use crate::reader::{display_name, extension};
use crate::report::{ReportError, column_width, create_csv};
use crate::templates::{ColumnSpec, TemplateSpec};

/// Data rows pre-formatted as text below the header.
const TEXT_ROWS: u32 = 1000;

const NOTES_SHEET: &str = "填写说明";

/// Writes the blank template for `spec` to `path` (`.xlsx` or `.csv`).
pub fn write_template(spec: &TemplateSpec, path: &Path) -> Result<(), ReportError> {
    match extension(path).as_deref() {
        Some("xlsx") => write_xlsx(spec, path).map_err(|e| ReportError::write(path, e)),
        Some("csv") => {
            let headers: Vec<String> = spec.columns.iter().map(header_text).collect();
            let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
            let mut w = create_csv(path, &headers)?;
            w.flush().map_err(|e| ReportError::write(path, e))
        }
        _ => Err(ReportError::UnsupportedFormat {
            file: display_name(path),
        }),
    }
}

/// "姓名*" for required columns; ColumnMap strips the `*` again.
fn header_text(column: &ColumnSpec) -> String {
    if column.required {
        format!("{}*", column.name)
    } else {
        column.name.to_owned()
    }
}

fn general_notes(spec: &TemplateSpec) -> [String; 7] {
    [
        "带 * 的列为必填列。表头文字须与模板一致，列的顺序可以调整，模板以外的列会被忽略。".to_owned(),
        "日期可写作 2019-10-21、2019/10/21、20191021 或 2019年10月21日，也可以使用 Excel 的日期单元格。".to_owned(),
        "“是/否”类的列请填写“是”或“否”。".to_owned(),
        "身份证号码、统一社会信用代码、编码等请按文本填写（本模板的数据区域已设为文本格式），避免被 Excel 转成科学计数法。".to_owned(),
        "也可以上传 CSV 文件，编码为 UTF-8（可带 BOM）或 GB18030/GBK（Excel 另存为“CSV（逗号分隔）”即为此编码）。".to_owned(),
        format!(
            "上传 Excel 文件时读取名为「{}」的工作表，没有该工作表时读取第一个工作表。",
            spec.title
        ),
        "导入出错时可下载错误报告，在报告中直接修改后重新上传；报告中的「原行号」「错误说明」两列会被自动忽略。".to_owned(),
    ]
}

fn write_xlsx(spec: &TemplateSpec, path: &Path) -> Result<(), XlsxError> {
    let mut workbook = Workbook::new();
    let text = Format::new().set_num_format("@");
    let header = Format::new()
        .set_bold()
        .set_num_format("@")
        .set_background_color(Color::RGB(0x00DD_EBF7))
        .set_border(FormatBorder::Thin);

    let sheet = workbook.add_worksheet();
    sheet.set_name(spec.title)?;
    for (i, column) in spec.columns.iter().enumerate() {
        let col = u16::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)?;
        sheet.set_column_width(col, column_width(column.name))?;
        // The column format covers rows typed beyond the pre-formatted block.
        sheet.set_column_format(col, &text)?;
        sheet.write_string_with_format(0, col, header_text(column), &header)?;
        for row in 1..=TEXT_ROWS {
            sheet.write_blank(row, col, &text)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;

    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let notes = workbook.add_worksheet();
    notes.set_name(NOTES_SHEET)?;
    notes.set_column_width(0, 18)?;
    notes.set_column_width(1, 10)?;
    notes.set_column_width(2, 80)?;
    for (col, title) in (0u16..).zip(["列名", "是否必填", "填写要求"]) {
        notes.write_string_with_format(0, col, title, &header)?;
    }
    let mut row = 1u32;
    for column in spec.columns {
        notes.write_string(row, 0, column.name)?;
        notes.write_string(row, 1, if column.required { "是" } else { "否" })?;
        notes.write_string_with_format(row, 2, column.help, &wrap)?;
        row += 1;
    }
    row += 1;
    notes.write_string_with_format(row, 0, "通用说明", &bold)?;
    for (n, note) in (1u32..).zip(general_notes(spec)) {
        notes.write_string(row + n, 0, format!("{n}. {note}"))?;
    }
    workbook.save(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::template;

    #[test]
    fn header_marks_required() {
        let spec = template("persons").unwrap();
        assert_eq!(header_text(&spec.columns[0]), "姓名*");
        assert_eq!(header_text(&spec.columns[2]), "性别");
    }

    #[test]
    fn rejects_other_extensions() {
        let dir = tempfile::tempdir().unwrap();
        let spec = template("persons").unwrap();
        assert!(write_template(spec, &dir.path().join("t.xls")).is_err());
    }
}
