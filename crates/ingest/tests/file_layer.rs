//! The file layer end to end: templates, reading CSV/XLSX in all accepted
//! encodings, header matching and the re-uploadable error report.

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use calamine::Reader as _;
use jineng_ingest::columns::ColumnMap;
use jineng_ingest::reader::{ReadError, Row, TableReader};
use jineng_ingest::report::{ReportWriter, RowError};
use jineng_ingest::template_file::write_template;
use jineng_ingest::templates::{TEMPLATES, TemplateSpec, template};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

type Mapped = Vec<(u64, BTreeMap<&'static str, String>)>;

fn persons() -> &'static TemplateSpec {
    template("persons").unwrap()
}

/// Every row as (number, template column → raw cell).
fn read_mapped(path: &Path, spec: &'static TemplateSpec) -> (Mapped, Vec<String>) {
    let reader = TableReader::open(path, spec.title).unwrap();
    let (map, warnings) = ColumnMap::resolve(spec, reader.headers()).unwrap();
    let rows = reader
        .map(|row| {
            let row = row.unwrap();
            let cells = spec
                .columns
                .iter()
                .map(|c| (c.name, map.get(&row, c.name).to_owned()))
                .collect();
            (row.number, cells)
        })
        .collect();
    (rows, warnings)
}

const PERSONS_CSV: &str = "姓名,身份证号码,性别,出生日期,户籍地,联系电话\r\n\
张三,11010519491231002X,女,1949-12-31,110105,13800138000\r\n\
,,,,,\r\n\
李四,110101199003071234,男,1990-03-07,110101,\r\n";

fn expected_persons() -> Mapped {
    let row = |number, values: [(&'static str, &str); 6]| {
        let mut m: BTreeMap<&'static str, String> = persons()
            .columns
            .iter()
            .map(|c| (c.name, String::new()))
            .collect();
        for (k, v) in values {
            m.insert(k, v.to_owned());
        }
        (number, m)
    };
    vec![
        row(
            2,
            [
                ("姓名", "张三"),
                ("身份证号码", "11010519491231002X"),
                ("性别", "女"),
                ("出生日期", "1949-12-31"),
                ("户籍地", "110105"),
                ("联系电话", "13800138000"),
            ],
        ),
        row(
            4,
            [
                ("姓名", "李四"),
                ("身份证号码", "110101199003071234"),
                ("性别", "男"),
                ("出生日期", "1990-03-07"),
                ("户籍地", "110101"),
                ("联系电话", ""),
            ],
        ),
    ]
}

fn write_bytes(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The persons table in another column order, with date and number cells,
/// on a sheet that is not the first.
fn write_persons_xlsx(path: &Path) {
    let mut book = Workbook::new();
    book.add_worksheet()
        .set_name("说明")
        .unwrap()
        .write_string(0, 0, "不是数据")
        .unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("人员信息").unwrap();
    let date = Format::new().set_num_format("yyyy/m/d");
    let headers = [
        "户籍地",
        "出生日期",
        "姓名",
        "联系电话",
        "身份证号码*",
        "性别",
    ];
    for (c, h) in (0u16..).zip(headers) {
        sheet.write_string(0, c, h).unwrap();
    }
    sheet.write_number(1, 0, 110105).unwrap();
    sheet
        .write_datetime_with_format(1, 1, ExcelDateTime::from_ymd(1949, 12, 31).unwrap(), &date)
        .unwrap();
    sheet.write_string(1, 2, "张三").unwrap();
    sheet.write_number(1, 3, 13_800_138_000_f64).unwrap();
    sheet.write_string(1, 4, "11010519491231002X").unwrap();
    sheet.write_string(1, 5, "女").unwrap();
    // Row 3 stays blank.
    sheet.write_number(3, 0, 110101).unwrap();
    sheet
        .write_datetime_with_format(3, 1, ExcelDateTime::from_ymd(1990, 3, 7).unwrap(), &date)
        .unwrap();
    sheet.write_string(3, 2, "李四").unwrap();
    sheet.write_string(3, 4, "110101199003071234").unwrap();
    sheet.write_string(3, 5, "男").unwrap();
    book.save(path).unwrap();
}

#[test]
fn same_table_in_every_format_reads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let utf8 = write_bytes(dir.path(), "utf8.csv", PERSONS_CSV.as_bytes());
    let bom = write_bytes(
        dir.path(),
        "bom.CSV",
        &[b"\xEF\xBB\xBF", PERSONS_CSV.as_bytes()].concat(),
    );
    let (gb, _, unmappable) = encoding_rs::GB18030.encode(PERSONS_CSV);
    assert!(!unmappable);
    let gb = write_bytes(dir.path(), "gb.csv", &gb);
    let xlsx = dir.path().join("persons.XLSX");
    write_persons_xlsx(&xlsx);

    for (path, encoding) in [
        (&utf8, "UTF-8"),
        (&bom, "UTF-8 (BOM)"),
        (&gb, "GB18030"),
        (&xlsx, "xlsx"),
    ] {
        assert_eq!(
            TableReader::open(path, "人员信息").unwrap().encoding(),
            encoding
        );
        let (rows, warnings) = read_mapped(path, persons());
        assert!(warnings.is_empty(), "{path:?}: {warnings:?}");
        assert_eq!(rows, expected_persons(), "{path:?}");
    }
}

#[test]
fn xlsx_first_sheet_when_title_absent_and_value_types() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    // Header on row 3: data rows keep their sheet numbers.
    sheet.write_string(2, 0, "a").unwrap();
    sheet.write_string(2, 1, "b").unwrap();
    sheet.write_number(3, 0, 1.5).unwrap();
    sheet.write_boolean(3, 1, true).unwrap();
    sheet.write_number(5, 1, 0.1 + 0.2).unwrap();
    sheet.write_boolean(5, 0, false).unwrap();
    book.save(&path).unwrap();

    let mut reader = TableReader::open(&path, "不存在").unwrap();
    assert_eq!(reader.headers(), ["a", "b"]);
    let rows: Vec<Row> = reader.by_ref().map(Result::unwrap).collect();
    assert_eq!(
        rows,
        [
            Row {
                number: 4,
                cells: vec!["1.5".into(), "是".into()]
            },
            Row {
                number: 6,
                cells: vec!["否".into(), "0.3".into()]
            },
        ]
    );
    assert!(reader.next().is_none());
}

#[test]
fn csv_row_numbers_follow_the_spreadsheet() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "\r\n姓名,身份证号码,户籍地\r\n\
\"张\r\n三\",id1,110105\r\n\
\r\n\
   ,\u{3000},\r\n\
李四,id2,110101\r\n\
\"王\n\n五\",\"id\"\"3\"\n\
赵六,id4";
    let path = write_bytes(dir.path(), "lines.csv", csv.as_bytes());
    let reader = TableReader::open(&path, "人员信息").unwrap();
    assert_eq!(reader.headers(), ["姓名", "身份证号码", "户籍地"]);
    let rows: Vec<Row> = reader.map(Result::unwrap).collect();
    let numbers: Vec<u64> = rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [3, 6, 7, 8]);
    assert_eq!(rows[0].cells[0], "张\r\n三");
    assert_eq!(rows[2].cells, ["王\n\n五", "id\"3"]);
    assert_eq!(rows[3].cells, ["赵六", "id4"]);
}

#[test]
fn utf8_sequence_cut_by_the_sniff_window_is_still_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("姓名,身份证号码,户籍地\n");
    let pad = 65_535 - text.len();
    text.push_str(&"a".repeat(pad));
    text.push_str("张,1,2\n");
    assert!(!text.is_char_boundary(65_536));
    let path = write_bytes(dir.path(), "cut.csv", text.as_bytes());
    let reader = TableReader::open(&path, "").unwrap();
    assert_eq!(reader.encoding(), "UTF-8");
    let rows: Vec<Row> = reader.map(Result::unwrap).collect();
    assert!(rows[0].cells[0].ends_with("a张"));
}

#[test]
fn header_problems() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_bytes(
        dir.path(),
        "h.csv",
        "\u{3000}姓名＊,身份证号码（必填）,户籍地 ,备注,原行号,错误说明\n张三,1,2,x,9,y\n"
            .as_bytes(),
    );
    let (rows, warnings) = read_mapped(&path, persons());
    assert_eq!(warnings, ["忽略未知列「备注」"]);
    assert_eq!(rows[0].1["姓名"], "张三");
    assert_eq!(rows[0].1["户籍地"], "2");

    let path = write_bytes(dir.path(), "m.csv", "姓名,户籍地\n".as_bytes());
    let reader = TableReader::open(&path, "").unwrap();
    let errors = ColumnMap::resolve(persons(), reader.headers()).unwrap_err();
    assert_eq!(errors, ["缺少必填列「身份证号码」"]);
}

#[test]
fn read_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let err = |name: &str, bytes: &[u8]| -> String {
        let path = write_bytes(dir.path(), name, bytes);
        TableReader::open(&path, "").err().unwrap().to_string()
    };
    assert!(err("old.xls", b"x").contains("old.xls"));
    assert!(err("empty.csv", b"\n\n ,\n").contains("empty.csv"));
    assert!(err("fake.xlsx", b"not a zip").contains("fake.xlsx"));
    assert!(err("u16.csv", b"\xFF\xFEa\x00").contains("UTF-16"));
    assert!(matches!(
        TableReader::open(&dir.path().join("missing.csv"), ""),
        Err(ReadError::Io { .. })
    ));
}

fn write_report(path: &Path) -> Vec<String> {
    let source = write_bytes(path.parent().unwrap(), "source.csv", PERSONS_CSV.as_bytes());
    let reader = TableReader::open(&source, "").unwrap();
    let headers = reader.headers().to_vec();
    let mut report = ReportWriter::create(path, &headers).unwrap();
    for row in reader {
        let row = row.unwrap();
        let errors = [
            RowError {
                row: row.number,
                column: "身份证号码".into(),
                message: "校验码错误".into(),
            },
            RowError {
                row: row.number,
                column: String::new(),
                message: "与已有记录冲突".into(),
            },
        ];
        report.add(&row, &errors).unwrap();
    }
    report.finish().unwrap();
    headers
}

#[test]
fn report_reads_back_as_an_upload() {
    for name in ["report.csv", "report.xlsx"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        let headers = write_report(&path);

        let (rows, warnings) = read_mapped(&path, persons());
        assert!(warnings.is_empty(), "{name}: {warnings:?}");
        assert_eq!(rows.len(), 2);
        for ((_, got), (_, want)) in rows.iter().zip(expected_persons()) {
            assert_eq!(*got, want, "{name}");
        }

        let reader = TableReader::open(&path, "人员信息").unwrap();
        let mut expected_headers = headers.clone();
        expected_headers.extend(["原行号".to_owned(), "错误说明".to_owned()]);
        assert_eq!(reader.headers(), expected_headers);
        let rows: Vec<Row> = reader.map(Result::unwrap).collect();
        assert_eq!(rows[1].cells[6], "4");
        assert_eq!(rows[1].cells[7], "「身份证号码」校验码错误；与已有记录冲突");
        assert_eq!(rows[1].number, 3, "{name}: report rows are consecutive");

        // A report of the report does not grow a second 原行号 column.
        let again = dir.path().join(format!("again-{name}"));
        let reader = TableReader::open(&path, "").unwrap();
        let mut report = ReportWriter::create(&again, reader.headers()).unwrap();
        for row in reader {
            report.add(&row.unwrap(), &[]).unwrap();
        }
        report.finish().unwrap();
        let reader = TableReader::open(&again, "").unwrap();
        assert_eq!(reader.headers(), expected_headers);
        let rows: Vec<Row> = reader.map(Result::unwrap).collect();
        assert_eq!(rows[1].cells[6], "3");
        // Blank trailing cells may be absent (xlsx): rows are ragged.
        assert_eq!(rows[1].cells.get(7).map_or("", String::as_str), "");
    }
}

#[test]
fn csv_report_has_bom_and_xlsx_report_has_its_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("r.csv");
    write_report(&csv);
    assert!(std::fs::read(&csv).unwrap().starts_with(b"\xEF\xBB\xBF"));

    let xlsx = dir.path().join("r.xlsx");
    write_report(&xlsx);
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    assert_eq!(book.sheet_names(), ["错误报告"]);
    let range = book.worksheet_range("错误报告").unwrap();
    // IDs stay text, not numbers.
    assert_eq!(
        range.get_value((2, 1)),
        Some(&calamine::Data::String("110101199003071234".into()))
    );
}

#[test]
fn templates_read_back_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    for spec in TEMPLATES {
        for ext in ["xlsx", "csv"] {
            let path = dir.path().join(format!("{}.{ext}", spec.kind));
            write_template(spec, &path).unwrap();
            let reader = TableReader::open(&path, spec.title).unwrap();
            assert_eq!(reader.headers().len(), spec.columns.len());
            let (map, warnings) = ColumnMap::resolve(spec, reader.headers()).unwrap();
            assert!(warnings.is_empty(), "{}: {warnings:?}", spec.kind);
            assert!(spec.columns.iter().all(|c| map.has(c.name)));
            assert_eq!(reader.count(), 0, "{}.{ext} has data rows", spec.kind);
        }
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook(dir.path().join(format!("{}.xlsx", spec.kind))).unwrap();
        assert_eq!(book.sheet_names(), [spec.title, "填写说明"]);
        let notes = book.worksheet_range("填写说明").unwrap();
        assert_eq!(
            notes.get_value((1, 2)),
            Some(&calamine::Data::String(spec.columns[0].help.into()))
        );
    }
}

#[test]
fn large_csv_streams() {
    const ROWS: u64 = 200_000;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    let mut w = BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(w, "姓名,身份证号码,户籍地").unwrap();
    for i in 0..ROWS {
        writeln!(w, "张{i},1101011990{i:08},110101").unwrap();
    }
    w.into_inner().unwrap();

    let mut last = 0;
    let mut count = 0;
    for row in TableReader::open(&path, "").unwrap() {
        last = row.unwrap().number;
        count += 1;
    }
    assert_eq!(count, ROWS);
    assert_eq!(last, ROWS + 1);
}
