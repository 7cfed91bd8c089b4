//! Checks an uploaded `.xlsx` before calamine opens it: a zip bomb (a
//! 1 MB file whose one cell holds 1 GiB) must be refused without ever
//! holding the cell in memory. calamine loads the shared-string table whole
//! when it opens a workbook and buffers each XML text node, so the limits
//! are checked here, on the bytes actually decompressed (the sizes a zip
//! header declares are not trusted), by a small streaming scanner that keeps
//! nothing but counters.
//!
//! Limits: a cell may hold at most [`MAX_CELL_CHARS`] characters (Excel's
//! own limit), a sheet at most Excel's 1,048,576 rows and 16,384 columns,
//! an XML part at most [`MAX_PART_BYTES`] and the workbook at most
//! [`MAX_TOTAL_BYTES`] once decompressed, the shared-string table at most
//! [`MAX_SHARED_BYTES`].

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use crate::reader::ReadError;

/// Characters in one cell: what Excel itself allows.
pub const MAX_CELL_CHARS: u64 = 32_767;
/// Rows and columns of a sheet: Excel's limits.
pub const MAX_ROWS: u64 = 1_048_576;
pub const MAX_COLUMNS: u64 = 16_384;
/// One XML part (a sheet), decompressed.
pub const MAX_PART_BYTES: u64 = 1 << 30;
/// The shared-string table, decompressed (calamine holds it in memory).
pub const MAX_SHARED_BYTES: u64 = 256 << 20;
/// All XML parts together, decompressed.
pub const MAX_TOTAL_BYTES: u64 = 2 << 30;
/// A tag (name and attributes) and a text run outside cells.
const MAX_TAG_BYTES: usize = 64 * 1024;
const MAX_RUN_CHARS: u64 = 1 << 20;

/// Why the scan stopped early.
enum Stop {
    /// A limit was passed; the message says which, for the user.
    Refused(String),
    /// The first shared string over the cell limit (its index).
    SharedTooLong(u64),
    Io(io::Error),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        Stop::Io(e)
    }
}

/// Refuses `path` (shown to users as `file`) if it breaks a limit; a file
/// that is not a zip at all is left for calamine to reject.
pub(crate) fn check(path: &Path, file: &str) -> Result<(), ReadError> {
    let fail = |message: String| ReadError::Xlsx {
        file: file.to_owned(),
        message,
    };
    let io_fail = |source: io::Error| ReadError::Io {
        file: file.to_owned(),
        source,
    };
    let f = File::open(path).map_err(io_fail)?;
    let Ok(mut zip) = zip::ZipArchive::new(BufReader::new(f)) else {
        return Ok(());
    };
    let names: Vec<String> = zip
        .file_names()
        .filter_map(Result::ok)
        .map(|n| n.into_owned())
        .collect();
    let mut total = 0u64;
    // The shared strings first: a sheet's cell may point at a long one.
    let mut long_shared: Option<u64> = None;
    for name in names
        .iter()
        .filter(|n| lower(n).ends_with("sharedstrings.xml"))
    {
        let mut part = Scan::new(Part::Shared, name, MAX_SHARED_BYTES);
        match part.run(&mut zip, name, &mut total) {
            Ok(()) => {}
            Err(Stop::SharedTooLong(i)) => long_shared = Some(i),
            Err(Stop::Refused(m)) => return Err(fail(m)),
            Err(Stop::Io(e)) => return Err(fail(format!("文件内容已损坏（{e}）"))),
        }
    }
    let mut sheet_names: Option<HashMap<String, String>> = None;
    for name in names.iter().filter(|n| is_xml(n)) {
        let l = lower(name);
        if l.ends_with("sharedstrings.xml") {
            continue;
        }
        let kind = if l.starts_with("xl/worksheets/") {
            Part::Sheet(long_shared)
        } else {
            Part::Other
        };
        let mut part = Scan::new(kind, name, MAX_PART_BYTES);
        match part.run(&mut zip, name, &mut total) {
            Ok(()) => {}
            Err(Stop::Refused(m)) => {
                let names = sheet_names.get_or_insert_with(|| sheet_titles(&mut zip));
                let sheet = names.get(name).cloned().unwrap_or_else(|| name.clone());
                return Err(fail(m.replace(SHEET, &sheet)));
            }
            Err(Stop::SharedTooLong(_)) => unreachable!("only the shared strings stop so"),
            Err(Stop::Io(e)) => return Err(fail(format!("文件内容已损坏（{e}）"))),
        }
    }
    match long_shared {
        Some(i) => Err(fail(format!(
            "共享字符串表第 {} 项超过 {} 个字符（Excel 单元格的上限），文件可能已损坏或被恶意构造，已拒绝读取",
            i + 1,
            thousands(MAX_CELL_CHARS)
        ))),
        None => Ok(()),
    }
}

fn lower(n: &str) -> String {
    n.to_ascii_lowercase()
}

fn is_xml(n: &str) -> bool {
    let l = lower(n);
    l.ends_with(".xml") || l.ends_with(".rels")
}

/// Stands for the sheet's name in messages until it is known.
const SHEET: &str = "\u{0}SHEET\u{0}";

#[derive(Clone, Copy)]
enum Part {
    Shared,
    /// A worksheet; the index of a shared string over the limit, if any.
    Sheet(Option<u64>),
    Other,
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    Text,
    Entity(u8),
    Tag,
    Comment,
    Cdata,
    Pi,
}

/// The streaming scanner of one XML part.
struct Scan {
    part: Part,
    /// The part's name inside the zip, for messages about other parts.
    name: String,
    limit: u64,
    state: State,
    tag: Vec<u8>,
    quote: Option<u8>,
    /// The last bytes seen, to find `-->`, `]]>` and `?>`.
    tail: [u8; 2],
    run_chars: u64,
    /// Inside a cell (`c`) or a shared string (`si`): its characters.
    cell: Option<u64>,
    /// Sheet: the current row and the last cell's column.
    row: u64,
    col: u64,
    cell_ref: (u64, u64),
    cell_shared: bool,
    in_v: bool,
    v: Vec<u8>,
    /// Shared strings: the index of the next `si`.
    index: u64,
}

impl Scan {
    fn new(part: Part, name: &str, limit: u64) -> Scan {
        Scan {
            part,
            name: name.to_owned(),
            limit,
            state: State::Text,
            tag: Vec::new(),
            quote: None,
            tail: [0; 2],
            run_chars: 0,
            cell: None,
            row: 0,
            col: 0,
            cell_ref: (0, 0),
            cell_shared: false,
            in_v: false,
            v: Vec::new(),
            index: 0,
        }
    }

    fn run(
        &mut self,
        zip: &mut zip::ZipArchive<BufReader<File>>,
        name: &str,
        total: &mut u64,
    ) -> Result<(), Stop> {
        let mut entry = zip.by_name(name).map_err(io::Error::other)?;
        let mut buf = vec![0u8; 64 * 1024];
        let mut read = 0u64;
        loop {
            let n = match entry.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            read += n as u64;
            *total += n as u64;
            if read > self.limit {
                return Err(self.too_big());
            }
            if *total > MAX_TOTAL_BYTES {
                return Err(Stop::Refused(format!(
                    "解压后的内容超过 {} MiB 上限，文件可能被恶意构造，已拒绝读取",
                    MAX_TOTAL_BYTES >> 20
                )));
            }
            for &b in &buf[..n] {
                self.byte(b)?;
            }
        }
    }

    fn too_big(&self) -> Stop {
        let mib = self.limit >> 20;
        Stop::Refused(match self.part {
            Part::Sheet(_) => format!(
                "工作表「{SHEET}」解压后超过 {mib} MiB 上限，文件可能被恶意构造，已拒绝读取（请拆分成几个文件后分别上传）"
            ),
            Part::Shared => {
                format!("共享字符串表解压后超过 {mib} MiB 上限，文件可能被恶意构造，已拒绝读取")
            }
            Part::Other => format!(
                "文件内部的「{}」解压后超过 {mib} MiB 上限，文件可能被恶意构造，已拒绝读取",
                self.name
            ),
        })
    }

    fn byte(&mut self, b: u8) -> Result<(), Stop> {
        match self.state {
            State::Text => {
                if b == b'<' {
                    self.state = State::Tag;
                    self.tag.clear();
                    self.quote = None;
                    self.run_chars = 0;
                } else {
                    if b == b'&' {
                        self.state = State::Entity(0);
                    }
                    self.text(b)?;
                }
            }
            // An entity (`&amp;`) is one character.
            State::Entity(n) => {
                if b == b';' || n > 10 {
                    self.state = State::Text;
                } else if b == b'<' {
                    self.state = State::Text;
                    return self.byte(b);
                } else {
                    self.state = State::Entity(n + 1);
                }
            }
            State::Tag => self.tag_byte(b)?,
            State::Comment => {
                if self.tail == *b"--" && b == b'>' {
                    self.state = State::Text;
                }
            }
            State::Pi => {
                if self.tail[1] == b'?' && b == b'>' {
                    self.state = State::Text;
                }
            }
            State::Cdata => {
                if self.tail == *b"]]" && b == b'>' {
                    self.state = State::Text;
                } else {
                    self.text(b)?;
                }
            }
        }
        self.tail = [self.tail[1], b];
        Ok(())
    }

    /// Counts one byte of text: a character unless a UTF-8 continuation.
    fn text(&mut self, b: u8) -> Result<(), Stop> {
        if self.in_v && self.v.len() < 24 {
            self.v.push(b);
        }
        if b & 0xC0 == 0x80 {
            return Ok(());
        }
        self.run_chars += 1;
        if let Some(chars) = self.cell.as_mut() {
            *chars += 1;
            if *chars > MAX_CELL_CHARS {
                return Err(match self.part {
                    Part::Shared => Stop::SharedTooLong(self.index.saturating_sub(1)),
                    _ => Stop::Refused(self.cell_too_long()),
                });
            }
        } else if self.run_chars > MAX_RUN_CHARS {
            return Err(Stop::Refused(format!(
                "文件内部的「{}」有一段超过 {} 个字符的文本，文件可能被恶意构造，已拒绝读取",
                self.name,
                thousands(MAX_RUN_CHARS)
            )));
        }
        Ok(())
    }

    fn cell_too_long(&self) -> String {
        let (row, col) = self.cell_ref;
        format!(
            "工作表「{SHEET}」第 {row} 行第 {} 列（{}{row}）的单元格超过 {} 个字符（Excel 单元格的上限），文件可能已损坏或被恶意构造，已拒绝读取",
            col,
            column_letters(col),
            thousands(MAX_CELL_CHARS)
        )
    }

    fn tag_byte(&mut self, b: u8) -> Result<(), Stop> {
        match self.quote {
            Some(q) if b == q => self.quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => self.quote = Some(b),
            None if b == b'>' => {
                self.state = State::Text;
                return self.end_tag();
            }
            None => {}
        }
        self.tag.push(b);
        if self.tag == b"!--" {
            self.state = State::Comment;
            self.tail = [0; 2];
        } else if self.tag == b"![CDATA[" {
            self.state = State::Cdata;
        } else if self.tag == b"?" {
            self.state = State::Pi;
        } else if self.tag.len() > MAX_TAG_BYTES {
            return Err(Stop::Refused(format!(
                "文件内部的「{}」有一个超过 64 KiB 的标签，文件可能被恶意构造，已拒绝读取",
                self.name
            )));
        }
        Ok(())
    }

    /// A complete tag: `self.tag` holds what was between `<` and `>`.
    fn end_tag(&mut self) -> Result<(), Stop> {
        let tag = std::mem::take(&mut self.tag);
        let closing = tag.first() == Some(&b'/');
        let empty = tag.last() == Some(&b'/');
        let body = if closing { &tag[1..] } else { &tag[..] };
        let end = body
            .iter()
            .position(|c| c.is_ascii_whitespace() || *c == b'/')
            .unwrap_or(body.len());
        let qname = &body[..end];
        let name = qname
            .iter()
            .position(|c| *c == b':')
            .map_or(qname, |i| &qname[i + 1..]);
        let result = match (self.part, name) {
            (Part::Shared, b"si") => {
                if closing {
                    self.cell = None;
                } else {
                    self.index += 1;
                    self.cell = (!empty).then_some(0);
                }
                Ok(())
            }
            (Part::Sheet(_), b"row") if !closing => {
                self.row = attr(body, b"r")
                    .and_then(|r| std::str::from_utf8(r).ok()?.parse().ok())
                    .unwrap_or(self.row + 1);
                self.col = 0;
                self.check_position(self.row, 1)
            }
            (Part::Sheet(_), b"c") if closing => self.end_cell(),
            (Part::Sheet(_), b"c") => {
                let (row, col) = attr(body, b"r")
                    .and_then(cell_ref)
                    .unwrap_or((self.row.max(1), self.col + 1));
                self.col = col;
                self.cell_ref = (row, col);
                self.cell_shared = attr(body, b"t") == Some(b"s");
                self.v.clear();
                self.cell = Some(0);
                self.check_position(row, col)?;
                if empty { self.end_cell() } else { Ok(()) }
            }
            (Part::Sheet(_), b"v") => {
                self.in_v = !closing && !empty;
                Ok(())
            }
            _ => Ok(()),
        };
        self.tag = tag;
        result
    }

    fn end_cell(&mut self) -> Result<(), Stop> {
        self.cell = None;
        self.in_v = false;
        if let Part::Sheet(Some(long)) = self.part
            && self.cell_shared
            && std::str::from_utf8(&self.v)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                == Some(long)
        {
            return Err(Stop::Refused(self.cell_too_long()));
        }
        Ok(())
    }

    fn check_position(&self, row: u64, col: u64) -> Result<(), Stop> {
        if row > MAX_ROWS {
            return Err(Stop::Refused(format!(
                "工作表「{SHEET}」第 {} 行超出 Excel 的最大行数 {}，文件可能被恶意构造，已拒绝读取",
                thousands(row),
                thousands(MAX_ROWS)
            )));
        }
        if col > MAX_COLUMNS {
            return Err(Stop::Refused(format!(
                "工作表「{SHEET}」第 {} 行第 {} 列超出 Excel 的最大列数 {}（XFD 列），文件可能被恶意构造，已拒绝读取",
                row,
                thousands(col),
                thousands(MAX_COLUMNS)
            )));
        }
        Ok(())
    }
}

/// The value of attribute `name` in a tag's text, without its quotes.
fn attr<'a>(tag: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let mut i = 0;
    while i < tag.len() {
        // An attribute name starts after whitespace.
        if tag[i].is_ascii_whitespace() {
            let start = i + 1;
            if tag[start..].starts_with(name) {
                let rest = &tag[start + name.len()..];
                let rest = rest.trim_ascii_start();
                if let Some(rest) = rest.strip_prefix(b"=") {
                    let rest = rest.trim_ascii_start();
                    let q = *rest.first()?;
                    if q == b'"' || q == b'\'' {
                        let end = rest[1..].iter().position(|c| *c == q)?;
                        return Some(&rest[1..1 + end]);
                    }
                }
            }
        }
        // Skip quoted values so that their contents never match.
        if tag[i] == b'"' || tag[i] == b'\'' {
            let q = tag[i];
            i += 1 + tag[i + 1..]
                .iter()
                .position(|c| *c == q)
                .unwrap_or(tag.len());
        }
        i += 1;
    }
    None
}

/// "B12" → (12, 2).
fn cell_ref(r: &[u8]) -> Option<(u64, u64)> {
    let letters = r.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    if letters == 0 || letters > 4 {
        return None;
    }
    let col = r[..letters].iter().fold(0u64, |acc, c| {
        acc * 26 + u64::from(c.to_ascii_uppercase() - b'A' + 1)
    });
    let row = std::str::from_utf8(&r[letters..]).ok()?.parse().ok()?;
    Some((row, col))
}

/// 2 → "B", 27 → "AA".
pub(crate) fn column_letters(mut col: u64) -> String {
    let mut out = Vec::new();
    while col > 0 {
        let d = (col - 1) % 26;
        out.push(b'A' + d as u8);
        col = (col - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// 1048576 → "1,048,576".
pub(crate) fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The workbook's sheet names by part path (`xl/worksheets/sheet1.xml` →
/// `Sheet1`), read from the workbook and its relationships, both capped.
fn sheet_titles(zip: &mut zip::ZipArchive<BufReader<File>>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let (Some(book), Some(rels)) = (
        small_part(zip, "xl/workbook.xml"),
        small_part(zip, "xl/_rels/workbook.xml.rels"),
    ) else {
        return out;
    };
    let targets: HashMap<Vec<u8>, Vec<u8>> = tags(&rels, b"Relationship")
        .filter_map(|t| Some((attr(t, b"Id")?.to_vec(), attr(t, b"Target")?.to_vec())))
        .collect();
    for t in tags(&book, b"sheet") {
        let (Some(name), Some(id)) = (attr(t, b"name"), attr(t, b"r:id")) else {
            continue;
        };
        let Some(target) = targets.get(id) else {
            continue;
        };
        let target = String::from_utf8_lossy(target);
        let path = match target.strip_prefix('/') {
            Some(abs) => abs.to_owned(),
            None => format!("xl/{target}"),
        };
        out.insert(path, unescape(&String::from_utf8_lossy(name)));
    }
    out
}

/// A part of at most 4 MiB, decompressed.
fn small_part(zip: &mut zip::ZipArchive<BufReader<File>>, name: &str) -> Option<Vec<u8>> {
    let entry = zip.by_name(name).ok()?;
    let mut out = Vec::new();
    entry.take(4 << 20).read_to_end(&mut out).ok()?;
    Some(out)
}

/// The texts of the `<name …>` tags in `xml` (from after `<` to before `>`).
fn tags<'a>(xml: &'a [u8], name: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
    xml.split(|c| *c == b'<').filter_map(move |t| {
        let t = &t[..t.iter().position(|c| *c == b'>')?];
        let rest = t.strip_prefix(name)?;
        rest.first()
            .is_some_and(|c| c.is_ascii_whitespace())
            .then_some(t)
    })
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_numbers() {
        assert_eq!(cell_ref(b"B12"), Some((12, 2)));
        assert_eq!(cell_ref(b"XFD1048576"), Some((1_048_576, 16_384)));
        assert_eq!(column_letters(16_384), "XFD");
        assert_eq!(column_letters(27), "AA");
        assert_eq!(thousands(1_048_576), "1,048,576");
        assert_eq!(thousands(999), "999");
        assert_eq!(attr(b"c r=\"A1\" t=\"s\"", b"t"), Some(&b"s"[..]));
        assert_eq!(attr(b"c x=\" t='no'\" t='s'", b"t"), Some(&b"s"[..]));
        assert_eq!(attr(b"c rt=\"x\"", b"t"), None);
    }

    fn scan(part: Part, xml: &str) -> Result<(), Stop> {
        let mut s = Scan::new(part, "x.xml", u64::MAX);
        xml.bytes().try_for_each(|b| s.byte(b))
    }

    #[test]
    fn long_cells_are_found() {
        let ok = format!(
            "<c r=\"B2\" t=\"inlineStr\"><is><t>{}</t></is></c>",
            "甲".repeat(32_767)
        );
        assert!(scan(Part::Sheet(None), &ok).is_ok());
        let long = format!(
            "<c r=\"B2\"><is><t>{}&amp;</t></is></c>",
            "a".repeat(32_767)
        );
        match scan(Part::Sheet(None), &long) {
            Err(Stop::Refused(m)) => assert!(m.contains("第 2 行第 2 列（B2）"), "{m}"),
            _ => panic!("not refused"),
        }
        // Rich text runs add up; the 2nd shared string is the long one.
        let runs = format!(
            "<sst><si><t>x</t></si><si>{}</si></sst>",
            "<r><t>aaaa</t></r>".repeat(9000)
        );
        assert!(matches!(
            scan(Part::Shared, &runs),
            Err(Stop::SharedTooLong(1))
        ));
        let uses = "<row r=\"3\"><c r=\"A3\" t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c></row>";
        match scan(Part::Sheet(Some(1)), uses) {
            Err(Stop::Refused(m)) => assert!(m.contains("（B3）"), "{m}"),
            _ => panic!("not refused"),
        }
        let far = "<row r=\"1\"><c r=\"XFE1\"/></row>";
        assert!(matches!(
            scan(Part::Sheet(None), far),
            Err(Stop::Refused(_))
        ));
        // Comments and CDATA do not confuse the scanner.
        let mixed = "<!-- <c> --><c r=\"A1\"><v><![CDATA[1<2]]></v></c>";
        assert!(scan(Part::Sheet(None), mixed).is_ok());
    }
}
