//! The same rows as UTF-8 CSV, UTF-8 CSV with BOM, GB18030 CSV and an xlsx
//! with its columns in another order import the same; the error report can
//! be fixed and uploaded again; `jineng template` writes an importable file.

use crate::common;
use common::{assert_error, id};
use serde_json::Value;

fn rows() -> Vec<Vec<String>> {
    vec![
        vec![
            "张三".into(),
            id("371502", 1990, 5, 17, 123),
            "男".into(),
            "1990-05-17".into(),
            "371502".into(),
            "13812345678".into(),
        ],
        vec![
            "欧阳·娜娜".into(),
            id("371581", 1988, 11, 2, 64),
            "女".into(),
            "1988年11月2日".into(),
            "371581".into(),
            "".into(),
        ],
        // A full-width ID number and region code, as pasted from a web page.
        vec![
            "李四".into(),
            to_full_width(&id("371522", 1979, 1, 30, 7)),
            "".into(),
            "".into(),
            "３７１５２２".into(),
            "".into(),
        ],
        // Bad: hukou region missing.
        vec![
            "王五".into(),
            id("371522", 1979, 1, 30, 9),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
        ],
    ]
}

const HEADER: [&str; 6] = [
    "姓名",
    "身份证号码",
    "性别",
    "出生日期",
    "户籍地",
    "联系电话",
];

fn to_full_width(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                char::from_u32(c as u32 + 0xFEE0).unwrap()
            } else {
                c
            }
        })
        .collect()
}

fn csv_text() -> String {
    let mut t = HEADER.join(",") + "\n";
    for r in rows() {
        t += &(r.join(",") + "\n");
    }
    t
}

/// The xlsx: columns reversed, the date as a real date cell.
fn write_xlsx(path: &std::path::Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("人员信息").unwrap();
    let order: Vec<usize> = (0..HEADER.len()).rev().collect();
    let date_fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (c, &i) in order.iter().enumerate() {
        ws.write_string(0, c as u16, HEADER[i]).unwrap();
        for (r, row) in rows().iter().enumerate() {
            let v = &row[i];
            if HEADER[i] == "出生日期" && v == "1990-05-17" {
                let d = rust_xlsxwriter::ExcelDateTime::from_ymd(1990, 5, 17).unwrap();
                ws.write_datetime_with_format(r as u32 + 1, c as u16, &d, &date_fmt)
                    .unwrap();
            } else {
                ws.write_string(r as u32 + 1, c as u16, v).unwrap();
            }
        }
    }
    wb.save(path).unwrap();
}

fn summary(r: &Value) -> (u64, u64, Vec<(u64, String)>) {
    let errs = common::errors(r)
        .into_iter()
        .map(|(row, col, _)| (row, col))
        .collect();
    (
        r["accepted"].as_u64().unwrap(),
        r["rejected"].as_u64().unwrap(),
        errs,
    )
}

#[test]
fn utf8_bom_gb18030_and_reordered_xlsx_import_the_same() {
    let ids: Vec<String> = rows()
        .iter()
        .take(3)
        .map(|r| {
            r[1].chars()
                .map(|c| {
                    if c as u32 > 0xFF00 {
                        char::from_u32(c as u32 - 0xFEE0).unwrap()
                    } else {
                        c
                    }
                })
                .collect()
        })
        .collect();
    let mut results = Vec::new();
    for (label, write) in [
        (
            "utf8",
            Box::new(|p: &std::path::Path| std::fs::write(p, csv_text()).unwrap())
                as Box<dyn Fn(&std::path::Path)>,
        ),
        (
            "bom",
            Box::new(|p: &std::path::Path| {
                std::fs::write(p, format!("\u{feff}{}", csv_text())).unwrap()
            }),
        ),
        (
            "gb18030",
            Box::new(|p: &std::path::Path| {
                std::fs::write(p, encoding_rs::GB18030.encode(&csv_text()).0).unwrap()
            }),
        ),
        ("xlsx", Box::new(write_xlsx)),
    ] {
        for db in common::initialised(&format!("formats_{label}")) {
            let file = db.path(if label == "xlsx" { "p.xlsx" } else { "p.csv" });
            write(&file);
            let (r, code) = db.import("persons", &file, &[]);
            assert_eq!(code, 1, "[{label}/{}] {r}", db.backend);
            assert_error(&r, 5, "户籍地", "必填");
            let archives: Vec<Value> = ids.iter().map(|i| db.archive(i)).collect();
            results.push((label, db.backend, summary(&r), archives));
        }
    }
    let (_, _, s0, a0) = &results[0];
    assert_eq!(s0.0, 3);
    assert_eq!(a0[1]["name"], "欧阳·娜娜");
    assert_eq!(a0[1]["birth_date"], "1988-11-02");
    for (label, backend, s, a) in &results {
        assert_eq!(s, s0, "[{label}/{backend}] report differs");
        let strip = |v: &Value| {
            let mut v = v.clone();
            v["person_id"] = Value::Null;
            v
        };
        assert_eq!(
            a.iter().map(strip).collect::<Vec<_>>(),
            a0.iter().map(strip).collect::<Vec<_>>(),
            "[{label}/{backend}] archives differ"
        );
    }
}

#[test]
fn error_report_lists_rejected_rows_and_fixed_report_reuploads() {
    for ext in ["csv", "xlsx"] {
        for db in common::initialised(&format!("report_{ext}")) {
            let file = db.csv("p.csv", &csv_text());
            let report = db.path(&format!("errors.{ext}"));
            let (r, _) = db.import("persons", &file, &["--errors", report.to_str().unwrap()]);
            assert_eq!(r["rejected"], 1);
            // The report holds the rejected row with its original row number and the reason.
            let fixed = db.path(&format!("fixed.{ext}"));
            let (headers, lines) = read_table(&report);
            assert!(
                headers.contains(&"原行号".to_string())
                    && headers.contains(&"错误说明".to_string()),
                "{headers:?}"
            );
            assert_eq!(lines.len(), 1);
            let col = |name: &str| {
                headers
                    .iter()
                    .position(|h| h.trim_end_matches('*') == name)
                    .unwrap()
            };
            assert_eq!(lines[0][col("原行号")], "5");
            assert!(
                lines[0][col("错误说明")].contains("户籍地"),
                "{:?}",
                lines[0]
            );
            // The user fills in the missing region and uploads the report itself.
            let mut fixed_rows = lines.clone();
            fixed_rows[0][col("户籍地")] = "371522".into();
            write_table(&fixed, &headers, &fixed_rows);
            let (r2, code) = db.import("persons", &fixed, &[]);
            assert_eq!(
                (r2["accepted"].as_u64(), code),
                (Some(1), 0),
                "[{ext}/{}] {r2}",
                db.backend
            );
            assert!(common::errors(&r2).is_empty());
            let warnings = r2["warnings"].as_array().unwrap();
            assert!(
                warnings.is_empty(),
                "report columns are ignored silently: {warnings:?}"
            );
        }
    }
}

fn read_table(path: &std::path::Path) -> (Vec<String>, Vec<Vec<String>>) {
    if path.extension().unwrap() == "csv" {
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let headers = rdr.headers().unwrap().iter().map(String::from).collect();
        let rows = rdr
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        (headers, rows)
    } else {
        use calamine::{Reader, open_workbook_auto};
        let mut wb = open_workbook_auto(path).unwrap();
        let range = wb.worksheet_range_at(0).unwrap().unwrap();
        let mut rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        let headers = rows.remove(0);
        (headers, rows)
    }
}

fn write_table(path: &std::path::Path, headers: &[String], rows: &[Vec<String>]) {
    if path.extension().unwrap() == "csv" {
        let mut w = csv::Writer::from_path(path).unwrap();
        w.write_record(headers).unwrap();
        for r in rows {
            w.write_record(r).unwrap();
        }
        w.flush().unwrap();
    } else {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in headers.iter().enumerate() {
            ws.write_string(0, c as u16, h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32 + 1, c as u16, v).unwrap();
            }
        }
        wb.save(path).unwrap();
    }
}

#[test]
fn every_template_is_written_with_instructions_and_imports_empty() {
    let db = &common::initialised("template")[0];
    for kind in common::fixtures::KINDS {
        let out = db.path(&format!("{kind}.xlsx"));
        db.ok(&["template", kind, "--out", out.to_str().unwrap()]);
        use calamine::{Reader, open_workbook_auto};
        let wb = open_workbook_auto(&out).unwrap();
        let names = wb.sheet_names();
        assert!(names.iter().any(|n| n == "填写说明"), "{kind}: {names:?}");
        let (r, code) = db.import(kind, &out, &[]);
        assert_eq!(
            (r["accepted"].as_u64(), r["rejected"].as_u64(), code),
            (Some(0), Some(0), 0),
            "{kind}: {r}"
        );
        assert!(r["warnings"].as_array().unwrap().is_empty(), "{kind}: {r}");
    }
    let out = db.run(&["template", "nonsense"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("未知的模板类型"));
}
