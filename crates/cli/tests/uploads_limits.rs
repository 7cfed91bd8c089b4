//! Hostile files through the real `jineng import`, on SQLite and
//! PostgreSQL: an .xlsx zip bomb (1 MB on disk, one cell of 1 GiB) is
//! refused in Chinese naming the sheet, row and column while the process
//! stays small; a CSV wider than Excel is refused before anything is
//! written; cells that a spreadsheet would run as formulas reach the
//! error report defused.

use crate::common;

use common::fixtures::count;
use common::{id, initialised};
use jineng_store::RegistryTable;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GIB: u64 = 1 << 30;

/// Raw deflate of `data` from a fresh compressor, ending on a byte
/// boundary (full flush) or, with `last`, closing the stream. Pieces made
/// so can be concatenated: none refers back into another.
fn deflate_piece(data: &[u8], last: bool) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress, Status};
    let mut c = Compress::new(Compression::best(), false);
    let flush = if last {
        FlushCompress::Finish
    } else {
        FlushCompress::Full
    };
    let (mut out, mut buf, mut input) = (Vec::new(), vec![0u8; 1 << 16], data);
    loop {
        let (before_in, before_out) = (c.total_in(), c.total_out());
        let status = c.compress(input, &mut buf, flush).unwrap();
        input = &input[(c.total_in() - before_in) as usize..];
        let produced = (c.total_out() - before_out) as usize;
        out.extend_from_slice(&buf[..produced]);
        let done = if last {
            status == Status::StreamEnd
        } else {
            input.is_empty() && produced < buf.len()
        };
        if done {
            return out;
        }
    }
}

/// A zip entry: name, deflated bytes, CRC-32 and size of the content.
struct Entry {
    name: &'static str,
    deflated: Vec<u8>,
    crc: u32,
    size: u64,
}

fn small(name: &'static str, text: &str) -> Entry {
    Entry {
        name,
        deflated: deflate_piece(text.as_bytes(), true),
        crc: crc32fast::hash(text.as_bytes()),
        size: text.len() as u64,
    }
}

/// `prefix`, `repeat` MiB of `A`, then `suffix`, deflated without ever
/// holding the content.
fn bomb(name: &'static str, prefix: &str, repeat: u32, suffix: &str) -> Entry {
    let mib = vec![b'A'; 1 << 20];
    let piece = deflate_piece(&mib, false);
    let mut deflated = deflate_piece(prefix.as_bytes(), false);
    for _ in 0..repeat {
        deflated.extend_from_slice(&piece);
    }
    deflated.extend(deflate_piece(suffix.as_bytes(), true));
    let mut crc = crc32fast::Hasher::new();
    crc.update(prefix.as_bytes());
    let mut one = crc32fast::Hasher::new();
    one.update(&mib);
    for _ in 0..repeat {
        crc.combine(&one);
    }
    crc.update(suffix.as_bytes());
    Entry {
        name,
        deflated,
        crc: crc.finalize(),
        size: prefix.len() as u64 + u64::from(repeat) * (1 << 20) + suffix.len() as u64,
    }
}

/// A zip file of `entries` (deflate, no zip64: every size < 4 GiB).
fn write_zip(path: &Path, entries: &[Entry]) {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let size = u32::try_from(e.size).unwrap();
        let header = |sig: u32, central_dir: bool| {
            let mut h = Vec::new();
            h.extend(sig.to_le_bytes());
            if central_dir {
                h.extend(20u16.to_le_bytes()); // made by
            }
            h.extend(20u16.to_le_bytes()); // needed
            h.extend(0u16.to_le_bytes()); // flags
            h.extend(8u16.to_le_bytes()); // deflate
            h.extend(0u16.to_le_bytes()); // time
            h.extend(0x21u16.to_le_bytes()); // 1980-01-01
            h.extend(e.crc.to_le_bytes());
            h.extend((e.deflated.len() as u32).to_le_bytes());
            h.extend(size.to_le_bytes());
            h.extend((e.name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes()); // extra
            if central_dir {
                h.extend([0u8; 6]); // comment, disk, internal attributes
                h.extend(0u32.to_le_bytes()); // external attributes
                h.extend(offset.to_le_bytes());
            }
            h.extend(e.name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(&e.deflated);
        central.extend(header(0x0201_4b50, true));
    }
    let cd_offset = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    std::fs::File::create(path)
        .unwrap()
        .write_all(&out)
        .unwrap();
}

/// A persons workbook (sheet 人员) whose cell A2 is the 4th shared string:
/// 1 GiB of `A`.
fn zip_bomb(path: &Path) {
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let entries = vec![
        small(
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#,
        ),
        small(
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        small(
            "xl/workbook.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="人员" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        small(
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
        ),
        small(
            "xl/worksheets/sheet1.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row><row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="inlineStr"><is><t>{}</t></is></c><c r="C2"><v>371502</v></c></row></sheetData></worksheet>"#,
                id("371502", 1990, 1, 1, 1)
            ),
        ),
        bomb(
            "xl/sharedStrings.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}" count="4" uniqueCount="4"><si><t>姓名</t></si><si><t>身份证号码</t></si><si><t>户籍地</t></si><si><t>"#
            ),
            1024,
            "</t></si></sst>",
        ),
    ];
    write_zip(path, &entries);
}

/// Peak resident memory (VmHWM) of a process, in KiB, while it lives.
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[test]
fn an_xlsx_zip_bomb_is_refused_in_little_memory() {
    for db in initialised("zip_bomb") {
        let b = db.backend;
        let file = db.path("人员.xlsx");
        zip_bomb(&file);
        let on_disk = std::fs::metadata(&file).unwrap().len();
        assert!(on_disk < 4 << 20, "[{b}] a small file: {on_disk} bytes");

        let mut child = Command::new(env!("CARGO_BIN_EXE_jineng"))
            .arg("--db")
            .arg(&db.url)
            .args(["import", "persons", file.to_str().unwrap()])
            .env("JINENG_ACTOR", "tester")
            .current_dir(db.dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (mut peak, mut samples) = (0u64, 0u32);
        let t = Instant::now();
        let status = loop {
            if let Some(kib) = peak_kib(child.id()) {
                peak = peak.max(kib);
                samples += 1;
            }
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if peak >= 300 * 1024 || t.elapsed() > Duration::from_secs(120) {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "[{b}] killed after {:.1} s at a peak RSS of {} MB",
                    t.elapsed().as_secs_f64(),
                    peak / 1024
                );
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!status.success(), "[{b}] the bomb was imported");
        assert!(samples > 0, "[{b}] memory never sampled");
        assert!(
            peak < 300 * 1024,
            "[{b}] peak RSS {} MB (limit 300 MB)",
            peak / 1024
        );
        assert!(
            stderr.contains("人员.xlsx")
                && stderr.contains("工作表「人员」第 2 行第 1 列（A2）")
                && stderr.contains("超过 32,767 个字符"),
            "[{b}] {stderr}"
        );
        eprintln!(
            "[{b}] bomb of {} MB ({} GiB in one cell): refused in {:.1} s, peak RSS {} MB",
            on_disk >> 20,
            GIB >> 30,
            t.elapsed().as_secs_f64(),
            peak / 1024
        );
        assert_eq!(
            count(&db, RegistryTable::Persons),
            0,
            "[{b}] nothing written"
        );
    }
}

/// `import persons FILE --errors REPORT`, as it ran.
fn import_persons(
    db: &common::TestDb,
    file: &std::path::Path,
    report: &std::path::Path,
) -> std::process::Output {
    let (file, report) = (file.to_str().unwrap(), report.to_str().unwrap());
    db.run(&["import", "persons", file, "--errors", report])
}

#[test]
fn a_csv_wider_than_excel_is_refused_up_front() {
    for db in initialised("wide_csv") {
        let b = db.backend;
        let mut header = vec!["姓名".to_string(), "身份证号码".into(), "户籍地".into()];
        header.extend((4..=16_385).map(|i| format!("列{i}")));
        let row = format!("张三,{},371502", id("371502", 1990, 1, 1, 1));
        let file = db.csv("宽表.csv", &format!("{}\n{row}\n", header.join(",")));
        let report = db.path("宽表-错误报告.xlsx");
        let out = import_persons(&db, &file, &report);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "[{b}]");
        assert!(
            stderr.contains("宽表.csv")
                && stderr.contains("第 1 行")
                && stderr.contains("表头有 16,385 列，超过 Excel 的最大列数 16,384"),
            "[{b}] {stderr}"
        );
        assert!(!stderr.contains("Xlsx"), "[{b}] no English error: {stderr}");
        assert!(!report.exists(), "[{b}] refused before any report");
        assert_eq!(count(&db, RegistryTable::Persons), 0, "[{b}]");

        // Exactly 16,384 columns is still a table.
        header.pop();
        let file = db.csv("宽表2.csv", &format!("{}\n{row}\n", header.join(",")));
        let (r, code) = db.import("persons", &file, &[]);
        assert_eq!((code, r["accepted"].as_u64()), (0, Some(1)), "[{b}] {r}");
    }
}

#[test]
fn formulas_reach_the_error_report_defused() {
    for db in initialised("formula_report") {
        let b = db.backend;
        let bad_id = {
            let good = id("371502", 1990, 1, 1, 1);
            let last = if good.ends_with('1') { '2' } else { '1' };
            format!("{}{last}", &good[..17])
        };
        let file = db.csv(
            "人员.csv",
            &format!(
                "姓名,身份证号码,户籍地,民族\n\
                 \"=HYPERLINK(\"\"http://evil.example\"\",\"\"点我\"\")\",{bad_id},+371502,@SUM(A1)\n\
                 \"\tx\",-{bad_id},371502,\"\r=1\"\n"
            ),
        );
        let report = db.path("errors.csv");
        let out = import_persons(&db, &file, &report);
        assert!(!out.status.success(), "[{b}] rows rejected");
        let text = std::fs::read_to_string(&report).unwrap();
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let records: Vec<Vec<String>> = r
            .records()
            .map(|x| x.unwrap().iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(records.len(), 3, "[{b}] header and two rows: {text}");
        for cell in records.iter().flatten() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "[{b}] a live formula cell {cell:?} in {text}"
            );
        }
        let row = &records[1];
        assert_eq!(
            row[0], "'=HYPERLINK(\"http://evil.example\",\"点我\")",
            "[{b}] shown as typed, not run"
        );
        assert_eq!(row[2], "'+371502", "[{b}]");
        assert_eq!(row[3], "'@SUM(A1)", "[{b}]");
        assert_eq!(records[2][1], format!("'-{bad_id}"), "[{b}]");
        assert_eq!(records[2][0], "'\tx", "[{b}]");
    }
}
