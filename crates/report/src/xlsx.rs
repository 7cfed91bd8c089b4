//! Report tables as `.xlsx`, one sheet per table, in a fixed layout: the
//! title in row 1, the period in row 2, the headers in row 3, the rows from
//! row 4, the total last. Numbers are written as numbers (a scaled value
//! as its decimal), so that the sheet adds up in Excel.

use crate::tables::{Cell, Table};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};
use std::path::Path;

pub fn write(path: &Path, tables: &[Table]) -> Result<(), XlsxError> {
    workbook(tables)?.save(path)
}

/// The same workbook as bytes, for a download.
pub fn bytes(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    workbook(tables)?.save_to_buffer()
}

fn workbook(tables: &[Table]) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_border(rust_xlsxwriter::FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let cell = Format::new().set_border(rust_xlsxwriter::FormatBorder::Thin);
    let bold = cell.clone().set_bold();
    let int = cell.clone().set_num_format("#,##0");
    let money = cell.clone().set_num_format("#,##0.00");
    let share = cell.clone().set_num_format("0.00%");
    for t in tables {
        let ws = wb.add_worksheet();
        ws.set_name(&t.sheet)?;
        ws.write_string_with_format(0, 0, &t.title, &title)?;
        ws.write_string(1, 0, &t.subtitle)?;
        for (c, h) in t.headers.iter().enumerate() {
            ws.write_string_with_format(2, c as u16, h, &head)?;
            ws.set_column_width(c as u16, if c == 0 { 14 } else { 16 })?;
        }
        let rows = t.rows.iter().map(|r| (r, false));
        let total = t.total.iter().map(|r| (r, true));
        for (i, (row, is_total)) in rows.chain(total).enumerate() {
            let r = 3 + i as u32;
            for (c, v) in row.iter().enumerate() {
                let c = c as u16;
                match v {
                    Cell::Text(s) => {
                        ws.write_string_with_format(r, c, s, if is_total { &bold } else { &cell })?
                    }
                    Cell::Int(n) => ws.write_number_with_format(r, c, *n as f64, &int)?,
                    Cell::Scaled(n, d) => ws.write_number_with_format(
                        r,
                        c,
                        *n as f64 / 10f64.powi(*d as i32),
                        &money,
                    )?,
                    Cell::Share(s) => ws.write_number_with_format(r, c, *s, &share)?,
                    Cell::Empty => ws.write_blank(r, c, &cell)?,
                };
            }
        }
    }
    Ok(wb)
}
