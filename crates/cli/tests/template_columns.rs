//! Column matching, spellings and file formats across the templates: codes,
//! levels and dates normalised, columns in any order, missing required
//! columns, GB18030, BOM and xlsx, on both backends.

use crate::common;
use common::fixtures::*;
use common::{assert_error, errors};
use serde_json::json;

// ----------------------------------------------------------- spellings ----
/// 职业编码 bare or hyphenated, 等级 as grade, title or both, and the four
/// textual date formats all land as the same values.
#[test]
fn occupation_codes_levels_and_dates_are_normalised() {
    let f = fx();
    let sc = &f.school;
    let classes = [
        format!("D1,{sc},就业技能培训,6310103,电工,五级,371502,2019-10-21,2019/10/31,40"),
        format!("D2,{sc},就业技能培训,6-31-01-03,,初级工,371502,2019/10/21,20191031,40"),
        format!(
            "D3,{sc},就业技能培训,4100106,家政服务员,五级/初级工,371502,20191021,2019年10月31日,40"
        ),
        format!("D4,{sc},专项职业能力培训,4-03-02-01,,,371502,2019年10月21日,2019-10-31,40"),
    ];
    for db in common::initialised("tpl_spellings") {
        base(&db, &f, "institutions");
        load(&db, "persons", PERSONS, &base_rows("persons", &f).1);
        load(&db, "classes", CLASSES, &classes);
        let roster: Vec<String> = ["D1", "D2", "D3", "D4"]
            .iter()
            .map(|c| format!("{c},{sc},张三,{},40,0,合格", f.zhang))
            .collect();
        load(&db, "roster", ROSTER, &roster);
        load(
            &db,
            "certificates",
            CERTIFICATES,
            &[
                format!(
                    "C1,职业技能等级证书,张三,{},6310103,初级工,2019年11月5日,{sc},D1",
                    f.zhang
                ),
                format!(
                    "C2,职业技能等级证书,张三,{},4-10-01-06,五级,20191106,{sc},D3",
                    f.zhang
                ),
                format!(
                    "C3,职业资格证书,张三,{},6-31-01-03,五级/初级工,2019/11/07,{sc},",
                    f.zhang
                ),
            ],
        );
        let a = db.archive(&f.zhang);
        let enrolments: Vec<(&str, &str, Option<i64>, &str, &str)> = a["enrolments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["class_no"].as_str().unwrap(),
                    e["occupation_code"].as_str().unwrap(),
                    e["skill_level"].as_i64(),
                    e["start_date"].as_str().unwrap(),
                    e["end_date"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            enrolments,
            [
                ("D1", "6-31-01-03", Some(5), "2019-10-21", "2019-10-31"),
                ("D2", "6-31-01-03", Some(5), "2019-10-21", "2019-10-31"),
                ("D3", "4-10-01-06", Some(5), "2019-10-21", "2019-10-31"),
                ("D4", "4-03-02-01", None, "2019-10-21", "2019-10-31"),
            ],
            "[{}]",
            db.backend
        );
        let certs: Vec<(&str, &str, Option<i64>, &str)> = a["certificates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["cert_no"].as_str().unwrap(),
                    c["occupation_code"].as_str().unwrap(),
                    c["skill_level"].as_i64(),
                    c["issue_date"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            certs,
            [
                ("C1", "6-31-01-03", Some(5), "2019-11-05"),
                ("C2", "4-10-01-06", Some(5), "2019-11-06"),
                ("C3", "6-31-01-03", Some(5), "2019-11-07"),
            ],
            "[{}]",
            db.backend
        );
    }
}

// ------------------------------------------------------------- columns ----

/// Every template with its columns in reverse order, headers marked `*`
/// and padded, an unknown column in the middle, and every value full-width
/// and padded: accepted, with one warning per file naming the ignored column.
#[test]
fn columns_in_any_order_unknown_ignored_with_warning_values_normalised() {
    let f = fx();
    let shuffle = |header: &str, rows: &[String]| -> String {
        let arrange = |cells: Vec<String>, extra: &str| {
            let mut cells: Vec<String> = cells.into_iter().rev().collect();
            cells.insert(2, extra.to_string());
            cells.join(",")
        };
        let mut out = vec![arrange(
            header.split(',').map(|h| format!(" {h}* ")).collect(),
            "备注",
        )];
        for row in rows {
            let cells = row
                .split(',')
                .map(|c| {
                    if c.is_empty() {
                        String::new()
                    } else {
                        format!(" {}\u{3000}", fullwidth(c))
                    }
                })
                .collect();
            out.push(arrange(cells, "随便写"));
        }
        out.join("\n") + "\n"
    };
    for db in common::initialised("tpl_columns") {
        for kind in STAGES {
            let (header, rows) = base_rows(kind, &f);
            let file = db.csv(&format!("{kind}_shuffled.csv"), &shuffle(header, &rows));
            let (r, code) = db.import(kind, &file, &[]);
            assert_eq!(
                (code, r["accepted"].as_u64()),
                (0, Some(rows.len() as u64)),
                "[{}] {kind}: {r:#}",
                db.backend
            );
            assert_eq!(
                r["warnings"],
                json!(["忽略未知列「备注」"]),
                "[{}] {kind}",
                db.backend
            );
        }
        let a = db.archive(&f.zhang);
        assert_eq!(
            a["enrolments"].as_array().unwrap().len(),
            2,
            "[{}] {a:#}",
            db.backend
        );
        assert_eq!(a["enrolments"][0]["offline_hours"], 60);
        assert_eq!(a["certificates"][0]["cert_no"], "S000001");
        assert_eq!(a["claims"][0]["amount_asked_fen"], 120_000);
        // The same rows written plainly are already there.
        for kind in STAGES {
            let (header, rows) = base_rows(kind, &f);
            let file = db.csv(&format!("{kind}_plain.csv"), &csv_text(header, &rows));
            let (r, code) = db.import(kind, &file, &[]);
            assert_eq!(
                (code, counts(&r)),
                (0, (0, 0, rows.len() as u64)),
                "[{}] {kind}: {r:#}",
                db.backend
            );
            assert!(r["warnings"].as_array().unwrap().is_empty());
        }
    }
}

/// Each template's required columns (docs/spec/TEMPLATES.md `*`).
const REQUIRED: [(&str, &str, &[&str]); 7] = [
    (
        "categories",
        CATEGORIES,
        &["身份证号码", "人员类别", "起始日期"],
    ),
    (
        "relations",
        RELATIONS,
        &["身份证号码", "亲属身份证号码", "关系"],
    ),
    (
        "institutions",
        INSTITUTIONS,
        &["机构名称", "统一社会信用代码", "机构类型", "所在地"],
    ),
    (
        "classes",
        CLASSES,
        &[
            "班级编号",
            "统一社会信用代码",
            "培训类型",
            "职业编码",
            "培训地",
            "开班日期",
            "结业日期",
            "计划课时",
        ],
    ),
    (
        "roster",
        ROSTER,
        &["班级编号", "统一社会信用代码", "姓名", "身份证号码"],
    ),
    (
        "certificates",
        CERTIFICATES,
        &[
            "证书编号",
            "证书类型",
            "姓名",
            "身份证号码",
            "职业编码",
            "发证日期",
            "发证机构",
        ],
    ),
    (
        "claims",
        CLAIMS,
        &["申领编号", "补贴类型", "身份证号码", "申请日期"],
    ),
];

#[test]
fn a_missing_required_column_refuses_the_file() {
    let f = fx();
    for db in common::initialised("tpl_required") {
        base(&db, &f, "certificates");
        for (kind, header, required) in REQUIRED {
            let stage_rows = if kind == "categories" || kind == "relations" {
                None
            } else {
                Some(base_rows(kind, &f).1)
            };
            let all: Vec<&str> = header.split(',').collect();
            for column in all.iter().copied() {
                let keep: Vec<usize> = (0..all.len()).filter(|&i| all[i] != column).collect();
                let head: Vec<&str> = keep.iter().map(|&i| all[i]).collect();
                let rows: Vec<String> = stage_rows
                    .iter()
                    .flatten()
                    .map(|r| {
                        let cells: Vec<&str> = r.split(',').collect();
                        keep.iter().map(|&i| cells[i]).collect::<Vec<_>>().join(",")
                    })
                    .collect();
                let file = db.csv(
                    &format!("{kind}_without.csv"),
                    &csv_text(&head.join(","), &rows),
                );
                let (r, code) = db.import(kind, &file, &[]);
                if required.contains(&column) {
                    eprintln!("[{}] {kind} without {column}: {r}", db.backend);
                    assert_eq!(
                        (code, r["accepted"].as_u64()),
                        (1, Some(0)),
                        "[{}] {kind} without {column}",
                        db.backend
                    );
                    assert_error(&r, 1, "", &format!("缺少必填列「{column}」"));
                } else if stage_rows.is_some() {
                    // An optional column may be left out (the rows then change, but are accepted or
                    // rejected row by row, never for the header).
                    assert!(
                        errors(&r).iter().all(|(n, ..)| *n > 1),
                        "[{}] {kind} without {column}: {r:#}",
                        db.backend
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------- files ----

/// CSV in GB18030 (what Chinese Excel writes) and with a UTF-8 BOM, and
/// `.xlsx` read from the sheet named after the template, with Excel dates
/// and numbers.
#[test]
fn gb18030_bom_and_xlsx_files_are_read() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let f = fx();
    for db in common::initialised("tpl_files") {
        base(&db, &f, "institutions");

        // 人员类别 in GB18030.
        let text = csv_text(
            CATEGORIES,
            &[format!("{},高校毕业生,2024年7月1日,,毕业证", f.zhang)],
        );
        let (bytes, _, lossy) = encoding_rs::GB18030.encode(&text);
        assert!(!lossy);
        let gb = db.path("categories_gb.csv");
        std::fs::write(&gb, &bytes).unwrap();
        let (r, code) = db.import("categories", &gb, &[]);
        assert_eq!(
            (code, r["accepted"].as_u64(), r["encoding"].as_str()),
            (0, Some(1), Some("GB18030")),
            "[{}] {r:#}",
            db.backend
        );
        assert_eq!(
            db.archive(&f.zhang)["categories"][0]["category"],
            "高校毕业生"
        );

        // 家庭关系 with a BOM.
        let bom = db.path("relations_bom.csv");
        std::fs::write(
            &bom,
            format!(
                "\u{FEFF}{}",
                csv_text(RELATIONS, &[format!("{},{},配偶", f.zhang, f.li)])
            ),
        )
        .unwrap();
        let (r, code) = db.import("relations", &bom, &[]);
        assert_eq!(
            (code, r["accepted"].as_u64(), r["encoding"].as_str()),
            (0, Some(1), Some("UTF-8 (BOM)")),
            "[{}] {r:#}",
            db.backend
        );

        // 培训班 and 花名册 as workbooks whose first sheet is notes.
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let mut book = Workbook::new();
        book.add_worksheet()
            .set_name("填写说明")
            .unwrap()
            .write_string(0, 0, "请勿修改表头")
            .unwrap();
        let sheet = book.add_worksheet().set_name("培训班").unwrap();
        for (c, h) in CLASSES.split(',').enumerate() {
            sheet.write_string(0, c as u16, h).unwrap();
        }
        for (c, v) in [
            "X1",
            f.school.as_str(),
            "就业技能培训",
            "6-31-01-03",
            "电工",
            "五级/初级工",
            "371502",
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string(1, c as u16, *v).unwrap();
        }
        sheet
            .write_datetime_with_format(1, 7, ExcelDateTime::from_ymd(2024, 9, 2).unwrap(), &date)
            .unwrap();
        sheet
            .write_datetime_with_format(1, 8, ExcelDateTime::from_ymd(2024, 9, 27).unwrap(), &date)
            .unwrap();
        sheet.write_number(1, 9, 72).unwrap();
        let xlsx = db.path("classes.xlsx");
        book.save(&xlsx).unwrap();
        let (r, code) = db.import("classes", &xlsx, &[]);
        assert_eq!(
            (code, r["accepted"].as_u64()),
            (0, Some(1)),
            "[{}] {r:#}",
            db.backend
        );

        let mut book = Workbook::new();
        let sheet = book.add_worksheet().set_name("花名册").unwrap();
        for (c, h) in ROSTER.split(',').enumerate() {
            sheet.write_string(0, c as u16, h).unwrap();
        }
        for (c, v) in ["X1", f.school.as_str(), "张三", f.zhang.as_str()]
            .iter()
            .enumerate()
        {
            sheet.write_string(1, c as u16, *v).unwrap();
        }
        sheet.write_number(1, 4, 64).unwrap();
        sheet.write_number(1, 5, 8).unwrap();
        sheet.write_string(1, 6, "合格").unwrap();
        // A second trainee over the plan: rejected on spreadsheet row 3.
        for (c, v) in ["X1", f.school.as_str(), "李四", f.li.as_str()]
            .iter()
            .enumerate()
        {
            sheet.write_string(2, c as u16, *v).unwrap();
        }
        sheet.write_number(2, 4, 73).unwrap();
        let xlsx = db.path("roster.xlsx");
        book.save(&xlsx).unwrap();
        let (r, code) = db.import("roster", &xlsx, &[]);
        assert_eq!(
            (code, r["accepted"].as_u64()),
            (1, Some(1)),
            "[{}] {r:#}",
            db.backend
        );
        assert_error(&r, 3, "线下课时", "超过该班计划课时 72");

        let e = &db.archive(&f.zhang)["enrolments"][0];
        assert_eq!(
            (
                &e["class_no"],
                &e["start_date"],
                &e["end_date"],
                &e["offline_hours"],
                &e["online_hours"],
                &e["completion"]
            ),
            (
                &json!("X1"),
                &json!("2024-09-02"),
                &json!("2024-09-27"),
                &json!(64),
                &json!(8),
                &json!("passed")
            ),
            "[{}] {e:#}",
            db.backend
        );
    }
}
