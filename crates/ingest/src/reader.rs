//! Streaming reader for uploaded tables (`.csv` and `.xlsx`).
//!
//! Rows come out one at a time with the row number a spreadsheet would show,
//! so that error messages point at the line the user sees. Memory use does
//! not depend on the file size: CSV is decoded chunk by chunk and parsed by a
//! small state machine; XLSX is read with calamine's cell stream on a worker
//! thread (the cell reader borrows the workbook, which a struct cannot hold
//! alongside it without `unsafe`).
//!
//! The CSV parser is our own rather than the `csv` crate's because `csv`
//! silently drops empty lines, and Excel counts them as rows: numbering
//! would drift after the first blank line.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread::{self, JoinHandle};

use calamine::{DataRef, Reader as _, Xlsx};
use encoding_rs::{Decoder, Encoding, GB18030, UTF_8};
use jineng_domain::normalize_cell;

use crate::xlsx_guard::{MAX_COLUMNS, thousands};

/// One data row of an uploaded table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Row number as a spreadsheet shows it: the header is row 1 (when it is
    /// the first line), the first data row 2; blank rows keep their numbers.
    pub number: u64,
    /// Raw text of each cell in file column order, not normalised.
    pub cells: Vec<String>,
}

/// Why a table could not be read. Messages are for users.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("无法读取文件「{file}」：{source}")]
    Io {
        file: String,
        #[source]
        source: io::Error,
    },
    #[error(
        "不支持文件「{file}」的格式：请上传 .xlsx 或 .csv 文件（旧版 .xls 请先在 Excel 中另存为 .xlsx）"
    )]
    UnsupportedFormat { file: String },
    #[error(
        "文件「{file}」是 UTF-16 编码，无法读取：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）”后上传"
    )]
    Utf16 { file: String },
    #[error("文件「{file}」中没有内容，找不到表头行")]
    NoHeader { file: String },
    #[error("文件「{file}」第 {row} 行：{message}")]
    Row {
        file: String,
        row: u64,
        message: String,
    },
    #[error("无法读取 Excel 文件「{file}」：{message}")]
    Xlsx { file: String, message: String },
}

/// The name shown to users for `path`: its file name, not a server path.
pub(crate) fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Lower-cased file extension.
pub(crate) fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// Streams the data rows of a `.csv` or `.xlsx` file after its header row.
///
/// Fully blank rows are skipped. After an error the iterator ends.
pub struct TableReader {
    headers: Vec<String>,
    /// Cells a data row keeps: those under the header (the others have no
    /// column to map to), so a wide sparse row cannot swell memory.
    width: usize,
    encoding: &'static str,
    rows: Rows,
}

enum Rows {
    Csv(CsvRows),
    Xlsx(XlsxRows),
    Done,
}

impl TableReader {
    /// Opens `path` and reads its header row (the first non-blank row). The
    /// format follows the extension; for `.xlsx` the sheet named
    /// `sheet_title` is read, or the first sheet if there is none.
    pub fn open(path: &Path, sheet_title: &str) -> Result<TableReader, ReadError> {
        let file = display_name(path);
        match extension(path).as_deref() {
            Some("csv") => {
                let (mut rows, encoding) = CsvRows::open(path, file.clone())?;
                let header = rows.next_row();
                TableReader::with_header(file, header, encoding, Rows::Csv(rows))
            }
            Some("xlsx") => {
                crate::xlsx_guard::check(path, &file)?;
                let mut rows = XlsxRows::spawn(path, sheet_title, file.clone())?;
                let header = rows.next_row();
                TableReader::with_header(file, header, "xlsx", Rows::Xlsx(rows))
            }
            _ => Err(ReadError::UnsupportedFormat { file }),
        }
    }

    fn with_header(
        file: String,
        header: Option<Result<Row, ReadError>>,
        encoding: &'static str,
        rows: Rows,
    ) -> Result<TableReader, ReadError> {
        let mut header = match header {
            Some(Ok(h)) => h,
            Some(Err(e)) => return Err(e),
            None => return Err(ReadError::NoHeader { file }),
        };
        while header
            .cells
            .last()
            .is_some_and(|c| normalize_cell(c).is_empty())
        {
            header.cells.pop();
        }
        let width = header.cells.len();
        if width as u64 > MAX_COLUMNS {
            return Err(ReadError::Row {
                file,
                row: header.number,
                message: format!(
                    "表头有 {} 列，超过 Excel 的最大列数 {}（XFD 列），无法导入，也无法生成错误报告：请删去多余的列后重新上传",
                    thousands(width as u64),
                    thousands(MAX_COLUMNS)
                ),
            });
        }
        Ok(TableReader {
            headers: header.cells,
            width,
            encoding,
            rows,
        })
    }

    /// Raw header cells of the header row.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// `"UTF-8"`, `"UTF-8 (BOM)"`, `"GB18030"` for CSV, `"xlsx"` otherwise.
    pub fn encoding(&self) -> &'static str {
        self.encoding
    }
}

impl Iterator for TableReader {
    type Item = Result<Row, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut item = match &mut self.rows {
            Rows::Csv(rows) => rows.next_row(),
            Rows::Xlsx(rows) => rows.next_row(),
            Rows::Done => None,
        };
        if let Some(Ok(row)) = item.as_mut() {
            row.cells.truncate(self.width);
        }
        if !matches!(item, Some(Ok(_))) {
            // Stop after an error: the stream position is unreliable.
            self.rows = Rows::Done;
        }
        item
    }
}

fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(|c| normalize_cell(c).is_empty())
}

// ---------------------------------------------------------------- CSV ----

/// How much of a CSV file is inspected to choose between UTF-8 and GB18030.
const SNIFF_BYTES: u64 = 64 * 1024;
const CHUNK_BYTES: usize = 64 * 1024;
/// One CSV record may not exceed this: an unclosed quote would otherwise
/// pull the rest of the file into one cell.
const MAX_RECORD_BYTES: usize = 1024 * 1024;
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

struct CsvRows {
    file: String,
    parser: CsvParser<File>,
    /// Spreadsheet number of the next physical record.
    next_number: u64,
    record: Vec<String>,
}

impl CsvRows {
    fn open(path: &Path, file: String) -> Result<(CsvRows, &'static str), ReadError> {
        let io_err = |source| ReadError::Io {
            file: file.clone(),
            source,
        };
        let mut f = File::open(path).map_err(io_err)?;
        let mut head = Vec::new();
        (&mut f)
            .take(SNIFF_BYTES)
            .read_to_end(&mut head)
            .map_err(io_err)?;
        let (encoding, label, skip): (&'static Encoding, _, u64) = if head.starts_with(UTF8_BOM) {
            (UTF_8, "UTF-8 (BOM)", 3)
        } else if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
            return Err(ReadError::Utf16 { file });
        } else if looks_like_utf8(&head, head.len() as u64 == SNIFF_BYTES) {
            (UTF_8, "UTF-8", 0)
        } else {
            // What Chinese Excel writes; GBK and GB2312 are subsets.
            (GB18030, "GB18030", 0)
        };
        f.seek(SeekFrom::Start(skip)).map_err(io_err)?;
        let rows = CsvRows {
            file,
            parser: CsvParser::new(f, encoding.new_decoder_without_bom_handling()),
            next_number: 1,
            record: Vec::new(),
        };
        Ok((rows, label))
    }

    fn next_row(&mut self) -> Option<Result<Row, ReadError>> {
        loop {
            let number = self.next_number;
            match self.parser.read_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {}
                Err(e) => {
                    let message = match e {
                        CsvError::Io(e) => format!("读取失败：{e}"),
                        CsvError::TooLong => "这一行超过 1 MB，可能有未闭合的引号（\"）".to_owned(),
                    };
                    return Some(Err(ReadError::Row {
                        file: self.file.clone(),
                        row: number,
                        message,
                    }));
                }
            }
            self.next_number += 1;
            if !is_blank(&self.record) {
                let cells = std::mem::take(&mut self.record);
                return Some(Ok(Row { number, cells }));
            }
        }
    }
}

/// Valid UTF-8, allowing a multi-byte sequence cut off by the end of a
/// `truncated` sample.
fn looks_like_utf8(sample: &[u8], truncated: bool) -> bool {
    match std::str::from_utf8(sample) {
        Ok(_) => true,
        Err(e) => truncated && e.error_len().is_none(),
    }
}

#[derive(Debug)]
enum CsvError {
    Io(io::Error),
    TooLong,
}

#[derive(Clone, Copy)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    /// A `"` inside a quoted field: either an escaped quote or the close.
    QuoteInQuoted,
}

/// RFC 4180 reader that, unlike `csv`, reports empty lines as records and
/// accepts `\n`, `\r\n` and `\r` line ends. Like Excel, it is lenient: text
/// after a closing quote is kept, and a quote inside an unquoted field is
/// literal.
struct CsvParser<R> {
    source: R,
    decoder: Decoder,
    raw: Vec<u8>,
    /// Decoded UTF-8 text; `pos` is the next unread byte.
    text: String,
    pos: usize,
    eof: bool,
    /// The previous record ended with `\r`; a following `\n` belongs to it.
    skip_lf: bool,
    field: Vec<u8>,
}

impl<R: Read> CsvParser<R> {
    fn new(source: R, decoder: Decoder) -> Self {
        CsvParser {
            source,
            decoder,
            raw: vec![0; CHUNK_BYTES],
            text: String::new(),
            pos: 0,
            eof: false,
            skip_lf: false,
            field: Vec::new(),
        }
    }

    /// Decodes the next chunk into `text`; false once the input is used up.
    fn refill(&mut self) -> io::Result<bool> {
        self.text.clear();
        self.pos = 0;
        while self.text.is_empty() && !self.eof {
            let n = loop {
                match self.source.read(&mut self.raw) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    other => break other?,
                }
            };
            self.eof = n == 0;
            let needed = self
                .decoder
                .max_utf8_buffer_length(n)
                .unwrap_or(n.saturating_mul(3).saturating_add(16));
            self.text.reserve(needed);
            // With the reserve above the decoder consumes the whole input.
            let _ = self
                .decoder
                .decode_to_string(&self.raw[..n], &mut self.text, self.eof);
        }
        Ok(!self.text.is_empty())
    }

    /// Reads one physical record into `fields`; false at end of input. An
    /// empty line gives one empty field.
    fn read_record(&mut self, fields: &mut Vec<String>) -> Result<bool, CsvError> {
        fields.clear();
        self.field.clear();
        let mut state = State::FieldStart;
        let mut started = false;
        let mut size = 0usize;
        loop {
            if self.pos == self.text.len() && !self.refill().map_err(CsvError::Io)? {
                if !started {
                    return Ok(false);
                }
                fields.push(take_field(&mut self.field));
                return Ok(true);
            }
            let bytes = self.text.as_bytes();
            while self.pos < bytes.len() {
                let b = bytes[self.pos];
                self.pos += 1;
                if std::mem::take(&mut self.skip_lf) && b == b'\n' {
                    continue;
                }
                started = true;
                size += 1;
                if size > MAX_RECORD_BYTES {
                    return Err(CsvError::TooLong);
                }
                let end_of_line = match (state, b) {
                    (State::Quoted, b'"') => {
                        state = State::QuoteInQuoted;
                        false
                    }
                    (State::Quoted, _) => {
                        self.field.push(b);
                        false
                    }
                    (State::FieldStart, b'"') => {
                        state = State::Quoted;
                        false
                    }
                    (State::QuoteInQuoted, b'"') => {
                        self.field.push(b'"');
                        state = State::Quoted;
                        false
                    }
                    (_, b',') => {
                        fields.push(take_field(&mut self.field));
                        state = State::FieldStart;
                        false
                    }
                    (_, b'\r') => {
                        self.skip_lf = true;
                        true
                    }
                    (_, b'\n') => true,
                    (_, _) => {
                        self.field.push(b);
                        state = State::Unquoted;
                        false
                    }
                };
                if end_of_line {
                    fields.push(take_field(&mut self.field));
                    return Ok(true);
                }
            }
        }
    }
}

fn take_field(field: &mut Vec<u8>) -> String {
    // Always valid: fields split the decoder's UTF-8 output at ASCII bytes.
    match String::from_utf8(std::mem::take(field)) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

// --------------------------------------------------------------- XLSX ----

/// Rows buffered between the worker thread and the consumer.
const XLSX_CHANNEL_ROWS: usize = 256;

struct XlsxRows {
    file: String,
    rx: Receiver<Result<Row, ReadError>>,
    worker: Option<JoinHandle<()>>,
}

impl XlsxRows {
    fn spawn(path: &Path, sheet_title: &str, file: String) -> Result<XlsxRows, ReadError> {
        let (tx, rx) = mpsc::sync_channel(XLSX_CHANNEL_ROWS);
        let (path, sheet, name) = (path.to_owned(), sheet_title.to_owned(), file.clone());
        let worker = thread::Builder::new()
            .name("xlsx-reader".into())
            .spawn(move || {
                if let Err(e) = stream_xlsx(&path, &sheet, &name, &tx) {
                    let _ = tx.send(Err(e));
                }
            })
            .map_err(|source| ReadError::Io {
                file: file.clone(),
                source,
            })?;
        Ok(XlsxRows {
            file,
            rx,
            worker: Some(worker),
        })
    }

    fn next_row(&mut self) -> Option<Result<Row, ReadError>> {
        match self.rx.recv() {
            Ok(item) => Some(item),
            // The worker is gone: normal end, unless it panicked, which must
            // not pass for a complete file.
            Err(_) => match self.worker.take().map(JoinHandle::join) {
                Some(Err(_)) => Some(Err(ReadError::Xlsx {
                    file: self.file.clone(),
                    message: "解析时发生内部错误".to_owned(),
                })),
                _ => None,
            },
        }
    }
}

/// Sends the non-blank rows of the chosen sheet; returns early (Ok) once the
/// consumer has hung up.
fn stream_xlsx(
    path: &Path,
    sheet_title: &str,
    file: &str,
    tx: &SyncSender<Result<Row, ReadError>>,
) -> Result<(), ReadError> {
    let fail = |message: String| ReadError::Xlsx {
        file: file.to_owned(),
        message,
    };
    let mut book: Xlsx<_> =
        calamine::open_workbook(path).map_err(|e| fail(format!("不是有效的 .xlsx 文件（{e}）")))?;
    let names = book.sheet_names();
    let sheet = names
        .iter()
        .find(|n| n.as_str() == sheet_title)
        .or(names.first())
        .cloned()
        .ok_or_else(|| fail("工作簿中没有工作表".to_owned()))?;
    let mut cells = book
        .worksheet_cells_reader(&sheet)
        .map_err(|e| fail(format!("无法打开工作表「{sheet}」（{e}）")))?;

    let mut row_index: Option<u32> = None;
    let mut row: Vec<String> = Vec::new();
    // Once the header is sent, cells right of it are skipped: they have no
    // column, and a sparse far-right cell would otherwise widen every row.
    let mut width: Option<usize> = None;
    let send = |index: Option<u32>, row: &mut Vec<String>, width: &mut Option<usize>| -> bool {
        let cells = std::mem::take(row);
        match index {
            Some(i) if !is_blank(&cells) => {
                width.get_or_insert(cells.len());
                tx.send(Ok(Row {
                    number: u64::from(i) + 1,
                    cells,
                }))
                .is_ok()
            }
            _ => true,
        }
    };
    loop {
        let cell = match cells.next_cell() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(e) => {
                let at = row_index.map_or(String::new(), |r| format!("第 {} 行附近", r + 1));
                return Err(fail(format!("工作表「{sheet}」{at}解析失败（{e}）")));
            }
        };
        let (r, c) = cell.get_position();
        if row_index != Some(r) {
            if !send(row_index, &mut row, &mut width) {
                return Ok(());
            }
            row_index = Some(r);
        }
        if width.is_some_and(|w| c as usize >= w) {
            continue;
        }
        let text = cell_text(cell.get_value());
        if !text.is_empty() {
            let c = c as usize;
            if row.len() <= c {
                row.resize(c + 1, String::new());
            }
            row[c] = text;
        }
    }
    send(row_index, &mut row, &mut width);
    Ok(())
}

/// Text of a cell as the user sees it in Excel.
fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        // Time-only values (< 1 day) are not dates; leave them as numbers
        // so the date parser rejects them instead of reading 1899-12-31.
        DataRef::DateTime(dt) if dt.is_datetime() && dt.as_f64() >= 1.0 => {
            // to_ymd_hms_milli honours the workbook's 1900/1904 date system.
            // A time of day is kept (线上学习记录); the date parser ignores it.
            let (y, m, d, h, mi, sec, _) = dt.to_ymd_hms_milli();
            if (h, mi, sec) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{sec:02}")
            }
        }
        DataRef::DateTime(dt) => number_text(dt.as_f64()),
        DataRef::DateTimeIso(s) => {
            match chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S") {
                Ok(t) if t.time() != chrono::NaiveTime::MIN => {
                    t.format("%Y-%m-%d %H:%M:%S").to_string()
                }
                _ => s
                    .get(..10)
                    .filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok())
                    .unwrap_or(s)
                    .to_owned(),
            }
        }
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(_) | DataRef::Empty => String::new(),
    }
}

/// 40 → "40", 1.5 → "1.5"; non-integers are rounded to the 15 significant
/// digits Excel displays, dropping binary noise such as 0.30000000000000004.
fn number_text(v: f64) -> String {
    if v == 0.0 {
        return "0".to_owned();
    }
    if v.fract() == 0.0 {
        return format!("{v}");
    }
    let rounded: f64 = format!("{v:.14e}").parse().unwrap_or(v);
    format!("{rounded}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(input: &str) -> Vec<Vec<String>> {
        let mut p = CsvParser::new(input.as_bytes(), UTF_8.new_decoder_without_bom_handling());
        let mut out = Vec::new();
        let mut rec = Vec::new();
        while p.read_record(&mut rec).unwrap() {
            out.push(rec.clone());
        }
        out
    }

    #[test]
    fn parser_keeps_blank_lines_and_line_ends() {
        let recs = parse("a,b\r\n\r\n\"x\ny\",\"q\"\"\"\rlast");
        assert_eq!(
            recs,
            vec![
                vec!["a".to_owned(), "b".to_owned()],
                vec![String::new()],
                vec!["x\ny".to_owned(), "q\"".to_owned()],
                vec!["last".to_owned()],
            ]
        );
        assert_eq!(parse("a\n"), vec![vec!["a".to_owned()]]);
        assert_eq!(parse(""), Vec::<Vec<String>>::new());
        assert_eq!(parse("a,\n"), vec![vec!["a".to_owned(), String::new()]]);
    }

    #[test]
    fn parser_is_lenient_like_excel() {
        assert_eq!(
            parse("a\"b,\"c\"d\n"),
            vec![vec!["a\"b".to_owned(), "cd".to_owned()]]
        );
        // An unclosed quote runs to the end of the file.
        assert_eq!(parse("\"a\nb"), vec![vec!["a\nb".to_owned()]]);
    }

    #[test]
    fn number_text_like_excel() {
        assert_eq!(number_text(40.0), "40");
        assert_eq!(number_text(1.5), "1.5");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(123_456_789_012.0), "123456789012");
    }

    #[test]
    fn sniffing() {
        let s = "姓名".as_bytes();
        assert!(looks_like_utf8(s, false));
        assert!(looks_like_utf8(&s[..4], true));
        assert!(!looks_like_utf8(&s[..4], false));
        let (gb, _, _) = GB18030.encode("姓名");
        assert!(!looks_like_utf8(&gb, true));
    }

    /// Hands out one byte per read, to split multi-byte characters and
    /// `\r\n` across chunks.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let Some((first, rest)) = self.0.split_first() else {
                return Ok(0);
            };
            buf[0] = *first;
            self.0 = rest;
            Ok(1)
        }
    }

    #[test]
    fn parser_across_chunk_boundaries() {
        let (gb, _, _) = GB18030.encode("姓名,\"张\r\n三\"\r\n\r\n李四\r\n");
        let mut p = CsvParser::new(Trickle(&gb), GB18030.new_decoder_without_bom_handling());
        let mut recs = Vec::new();
        let mut rec = Vec::new();
        while p.read_record(&mut rec).unwrap() {
            recs.push(rec.clone());
        }
        assert_eq!(
            recs,
            vec![
                vec!["姓名".to_owned(), "张\r\n三".to_owned()],
                vec![String::new()],
                vec!["李四".to_owned()],
            ]
        );
    }

    proptest! {
        // Whatever the csv crate writes, we read back the same records
        // (its writer never emits an empty line for a record).
        #[test]
        fn parser_matches_csv_writer(
            records in prop::collection::vec(
                prop::collection::vec("[a-z\",\r\n 中]{0,6}", 1..5), 1..8)
        ) {
            let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
            for r in &records {
                w.write_record(r).unwrap();
            }
            let bytes = w.into_inner().unwrap();
            let text = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(parse(&text), records);
        }
    }
}
