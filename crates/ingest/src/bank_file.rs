//! The bank's files (004 十九): the disbursement file (代发文件) Jineng
//! writes for a batch, and the return file (回盘文件) the bank sends back.
//! Both are `.xlsx` or `.csv` (UTF-8 with a BOM, so that Excel opens it).
//!
//! 代发文件: one line per payment — 批次行号, 申领编号, 收款人, 银行账号,
//! 开户银行, 金额（元）, 资金来源 — then a 合计 line with the count and the
//! sum. Text cells that a spreadsheet would take for a formula (leading
//! `= + - @`) are written with a leading `'`.
//!
//! 回盘文件: the same columns the bank needs to name a payment (申领编号
//! or 批次行号, 银行账号, 金额（元）) plus 处理结果 (成功/失败) and 失败原因.
//! The bank may return the disbursement file with these two columns added.

use std::io::Write;
use std::path::Path;

use jineng_domain::{BankResult, Fen};
use jineng_store::{Disbursement, ReturnLine};

use crate::reader::{ReadError, TableReader, display_name, extension};

/// The disbursement file's columns.
pub const DISBURSEMENT_HEADERS: [&str; 7] = [
    "批次行号",
    "申领编号",
    "收款人",
    "银行账号",
    "开户银行",
    "金额（元）",
    "资金来源",
];

/// A cell a spreadsheet must not evaluate: a leading = + - @ (or tab, CR)
/// is defused, as in every CSV Jineng writes.
pub fn neutral(s: &str) -> String {
    jineng_domain::defuse_formula(s).into_owned()
}

/// The rows of the file: the lines, then the total.
fn rows(d: &Disbursement) -> Vec<[String; 7]> {
    let mut out: Vec<[String; 7]> = d
        .lines
        .iter()
        .map(|l| {
            [
                l.line_id.clone(),
                l.claim_no.clone(),
                l.payee_name.clone(),
                l.account.clone(),
                l.bank_name.clone(),
                l.amount.yuan_string(),
                l.fund.clone(),
            ]
        })
        .collect();
    out.push([
        "合计".into(),
        format!("{} 笔", d.lines.len()),
        String::new(),
        String::new(),
        String::new(),
        d.total.yuan_string(),
        String::new(),
    ]);
    out
}

/// Writes the disbursement file; the format follows the extension.
pub fn write_disbursement(path: &Path, d: &Disbursement) -> Result<(), String> {
    let file = display_name(path);
    match extension(path).as_deref() {
        Some("csv") => {
            let mut text = String::from("\u{feff}");
            text.push_str(&DISBURSEMENT_HEADERS.join(","));
            text.push_str("\r\n");
            for r in rows(d) {
                let cells: Vec<String> = r.iter().map(|c| jineng_domain::csv_field(c)).collect();
                text.push_str(&cells.join(","));
                text.push_str("\r\n");
            }
            std::fs::File::create(path)
                .and_then(|mut f| f.write_all(text.as_bytes()))
                .map_err(|e| format!("无法写入文件「{file}」：{e}"))
        }
        Some("xlsx") => write_xlsx(path, d).map_err(|e| format!("无法写入文件「{file}」：{e}")),
        _ => Err(format!(
            "不支持的代发文件格式「{file}」：请用 .xlsx 或 .csv"
        )),
    }
}

fn write_xlsx(path: &Path, d: &Disbursement) -> Result<(), rust_xlsxwriter::XlsxError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("代发文件")?;
    for (c, h) in DISBURSEMENT_HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
        ws.set_column_width(c as u16, if c == 3 { 24 } else { 14 })?;
    }
    let money = rust_xlsxwriter::Format::new().set_num_format("#,##0.00");
    for (i, r) in rows(d).iter().enumerate() {
        let row = 1 + i as u32;
        for (c, v) in r.iter().enumerate() {
            if c == 5 {
                // The amount as a number, so that the sheet adds up.
                let fen = Fen::parse_yuan(v).map(|f| f.0).unwrap_or(0);
                ws.write_number_with_format(row, 5, fen as f64 / 100.0, &money)?;
            } else {
                // Accounts stay text: 19 digits do not survive as a number.
                ws.write_string(row, c as u16, neutral(v))?;
            }
        }
    }
    wb.save(path)
}

/// What was wrong with a return file's row; the row is not booked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnError {
    pub row: u64,
    pub message: String,
}

/// Reads the bank's return file. Rows that cannot be read are returned as
/// errors beside the lines that can; the 合计 line is skipped.
pub fn read_return(path: &Path) -> Result<(Vec<ReturnLine>, Vec<ReturnError>), ReadError> {
    let file = display_name(path);
    let reader = TableReader::open(path, "回盘文件")?;
    let headers: Vec<String> = reader
        .headers()
        .iter()
        .map(|h| crate::columns::normalize_header(h))
        .collect();
    let col = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let claim = col(&["申领编号"]);
    let line_id = col(&["批次行号"]);
    let account = col(&["银行账号", "收款账号", "账号"]);
    let amount = col(&["金额（元）", "金额(元)", "金额"]);
    let result = col(&["处理结果", "结果"]);
    let reason = col(&["失败原因", "原因"]);
    let missing: Vec<&str> = [
        (account, "银行账号"),
        (amount, "金额（元）"),
        (result, "处理结果"),
    ]
    .iter()
    .filter(|(c, _)| c.is_none())
    .map(|(_, n)| *n)
    .collect();
    if !missing.is_empty() || (claim.is_none() && line_id.is_none()) {
        let mut need: Vec<&str> = missing;
        if claim.is_none() && line_id.is_none() {
            need.push("申领编号或批次行号");
        }
        return Err(ReadError::Row {
            file,
            row: 1,
            message: format!("回盘文件缺少列：{}", need.join("、")),
        });
    }
    let (mut lines, mut errors) = (Vec::new(), Vec::new());
    for row in reader {
        let row = row?;
        let cell = |c: Option<usize>| -> String {
            c.and_then(|i| row.cells.get(i))
                .map(|s| {
                    jineng_domain::normalize_cell(s)
                        .trim_start_matches('\'')
                        .to_string()
                })
                .unwrap_or_default()
        };
        if cell(line_id) == "合计" || cell(claim) == "合计" {
            continue;
        }
        let mut err = |message: String| {
            errors.push(ReturnError {
                row: row.number,
                message,
            })
        };
        let answer = cell(result);
        let success = match BankResult::from_zh(&answer) {
            Some(r) => r == BankResult::Success,
            None => {
                err(format!("「处理结果」应为 成功 或 失败，实为「{answer}」"));
                continue;
            }
        };
        let amount = match Fen::parse_yuan(&cell(amount)) {
            Ok(a) => a,
            Err(e) => {
                err(format!("「金额（元）」{e}"));
                continue;
            }
        };
        let opt = |s: String| (!s.is_empty()).then_some(s);
        lines.push(ReturnLine {
            row: row.number,
            claim_no: opt(cell(claim)),
            line_id: opt(cell(line_id)),
            account: cell(account),
            amount,
            success,
            reason: cell(reason),
        });
    }
    Ok((lines, errors))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jineng_store::DisbursementLine;

    fn batch() -> Disbursement {
        let line = |n: i64, name: &str, fen: i64| DisbursementLine {
            line_id: format!("B7-{n}"),
            claim_no: format!("C{n}"),
            payee_name: name.into(),
            account: "6222021600000000010".into(),
            account_masked: "6222***********0010".into(),
            bank_name: "工行".into(),
            amount: Fen(fen),
            fund: "ES".into(),
        };
        Disbursement {
            batch_id: Some(7),
            lines: vec![line(1, "=HYPERLINK(\"x\")", 100_000), line(2, "钱二", 50)],
            total: Fen(100_050),
            left_out: vec![],
        }
    }

    #[test]
    fn the_csv_defuses_formulas_and_ends_with_the_totals() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.csv");
        write_disbursement(&path, &batch()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(
            lines[1],
            "B7-1,C1,\"'=HYPERLINK(\"\"x\"\")\",6222021600000000010,工行,1000.00,ES"
        );
        assert_eq!(lines[3], "合计,2 笔,,,,1000.50,");
        assert!(write_disbursement(&dir.path().join("b.txt"), &batch()).is_err());
    }

    #[test]
    fn a_return_file_is_read_by_header_and_bad_rows_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        std::fs::write(
            &path,
            "批次行号,申领编号,银行账号,金额（元）,处理结果,失败原因\n\
             B7-1,C1,6222 0216 0000 0000 010,1000,成功,\n\
             B7-2,C2,6222021600000000010,0.50,失败,户名不符\n\
             B7-3,C3,6222021600000000010,1.00,退票,\n\
             合计,,,,,\n",
        )
        .unwrap();
        let (lines, errors) = read_return(&path).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].line_id.as_deref(), Some("B7-1"));
        assert_eq!((lines[0].amount, lines[0].success), (Fen(100_000), true));
        assert_eq!(
            (lines[1].success, lines[1].reason.as_str()),
            (false, "户名不符")
        );
        assert_eq!(
            errors,
            vec![ReturnError {
                row: 4,
                message: "「处理结果」应为 成功 或 失败，实为「退票」".into()
            }]
        );
        std::fs::write(&path, "申领编号,金额（元）\nC1,1\n").unwrap();
        let e = read_return(&path).unwrap_err().to_string();
        assert!(e.contains("回盘文件缺少列：银行账号、处理结果"), "{e}");
    }
}
