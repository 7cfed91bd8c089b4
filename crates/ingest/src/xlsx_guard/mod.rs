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
use std::io::{self, BufReader};
use std::path::Path;

use crate::reader::ReadError;

mod names;
mod scan;

use names::sheet_titles;
pub(crate) use names::thousands;
use scan::Scan;

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
pub(crate) const MAX_TAG_BYTES: usize = 64 * 1024;
pub(crate) const MAX_RUN_CHARS: u64 = 1 << 20;

/// Why the scan stopped early.
pub(crate) enum Stop {
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
pub(crate) const SHEET: &str = "\u{0}SHEET\u{0}";

#[derive(Clone, Copy)]
pub(crate) enum Part {
    Shared,
    /// A worksheet; the index of a shared string over the limit, if any.
    Sheet(Option<u64>),
    Other,
}
