//! The streaming scanner of one XML part: counters only, whatever the
//! part holds.

use std::fs::File;
use std::io::{self, BufReader, Read};

use super::names::{attr, cell_ref, column_letters, thousands};
use super::{
    MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROWS, MAX_RUN_CHARS, MAX_TAG_BYTES, MAX_TOTAL_BYTES, Part,
    SHEET, Stop,
};

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
pub(crate) struct Scan {
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
    pub(crate) fn new(part: Part, name: &str, limit: u64) -> Scan {
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

    pub(crate) fn run(
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

    pub(crate) fn byte(&mut self, b: u8) -> Result<(), Stop> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
