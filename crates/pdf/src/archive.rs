//! The worker's archive as PDF: the holder (name, masked ID), when it was
//! made, then one table per section (categories, trainings with hours,
//! certificates, subsidies, credits), rows wrapped and pages broken as
//! needed, and a QR code of the archive credential's verify address.

use crate::canvas::{BLACK, Canvas, GREY, HEIGHT, MARGIN, WIDTH};
use crate::{Options, PdfError, Rendered, done};

/// One section: a title, column headers with their width shares, rows.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub title: String,
    /// (header, share of the line's width)
    pub columns: Vec<(String, f32)>,
    pub rows: Vec<Vec<String>>,
    /// Shown instead of the table when it has no rows.
    pub empty: String,
    /// A line under the table (totals).
    pub note: Option<String>,
}

/// What the archive states.
#[derive(Debug, Clone, Default)]
pub struct ArchiveSheet {
    pub holder_name: String,
    pub holder_id_masked: String,
    pub bureau: String,
    /// YYYY-MM-DD HH:MM
    pub generated_at: String,
    pub sections: Vec<Table>,
    /// The address that verifies the signed archive, when there is one.
    pub verify_url: Option<String>,
}

const BODY: f32 = 9.5;

fn table(c: &mut Canvas, t: &Table) {
    c.need(60.0);
    c.y += 8.0;
    let y = c.y + 13.0;
    c.text_at(MARGIN, y, 13.0, &t.title, BLACK);
    c.y += 20.0;
    if t.rows.is_empty() {
        c.paragraph(MARGIN, BODY, &t.empty, GREY);
        return;
    }
    let total: f32 = t.columns.iter().map(|(_, s)| s).sum();
    let line = WIDTH - 2.0 * MARGIN;
    let widths: Vec<f32> = t.columns.iter().map(|(_, s)| s / total * line).collect();
    let header: Vec<String> = t.columns.iter().map(|(h, _)| h.clone()).collect();
    row(c, &header, &widths, GREY);
    c.rule();
    for r in &t.rows {
        row(c, r, &widths, BLACK);
    }
    if let Some(n) = &t.note {
        c.y += 2.0;
        c.paragraph(MARGIN, BODY, n, BLACK);
    }
}

/// One table row, each cell wrapped within its column.
fn row(c: &mut Canvas, cells: &[String], widths: &[f32], color: (u8, u8, u8)) {
    let wrapped: Vec<Vec<String>> = cells
        .iter()
        .zip(widths)
        .map(|(s, w)| c.wrap(s, BODY, w - 6.0))
        .collect();
    let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1);
    let lead = BODY * 1.45;
    c.need(lead * lines as f32 + 2.0);
    let mut x = MARGIN;
    for (cell, w) in wrapped.iter().zip(widths) {
        for (i, l) in cell.iter().enumerate() {
            let y = c.y + BODY + i as f32 * lead;
            c.text_at(x, y, BODY, l, color);
        }
        x += w;
    }
    c.y += lead * lines as f32 + 2.0;
}

/// Renders the archive.
pub fn archive(sheet: &ArchiveSheet, options: Options) -> Result<Rendered, PdfError> {
    let footer = format!(
        "{} · {} 的职业技能培训电子档案 · 生成于 {}",
        sheet.bureau, sheet.holder_name, sheet.generated_at
    );
    let mut c = Canvas::new(options.system_fonts, &footer);
    c.centred(20.0, "职业技能培训电子档案", BLACK);
    c.y += 4.0;
    c.field("姓　　名", &sheet.holder_name, 12.0, 80.0);
    c.field("证件号码", &sheet.holder_id_masked, 12.0, 80.0);
    c.field("出具单位", &sheet.bureau, 12.0, 80.0);
    c.field("生成时间", &sheet.generated_at, 12.0, 80.0);
    // The QR of the archive's verify address, top right of the first page.
    if let Some(url) = &sheet.verify_url {
        let side = 96.0;
        c.qr(WIDTH - MARGIN - side, MARGIN + 26.0, side, url);
    }
    c.rule();
    for t in &sheet.sections {
        table(&mut c, t);
    }
    c.y += 10.0;
    c.need(60.0);
    c.rule();
    c.paragraph(
        MARGIN,
        8.5,
        "本档案由平台根据实名制登记数据生成，证件号码已遮盖。同时提供签名的电子凭证包（archive.json，W3C Verifiable Presentation），可离线核验每项内容未被篡改。",
        GREY,
    );
    if let Some(url) = &sheet.verify_url {
        c.paragraph(MARGIN, 8.5, &format!("核验地址：{url}"), GREY);
    }
    debug_assert!(c.y <= HEIGHT);
    done(c, &format!("{} 职业技能培训电子档案", sheet.holder_name))
}
