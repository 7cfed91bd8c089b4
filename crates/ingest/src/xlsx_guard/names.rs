//! Cell references, attributes and the workbook's sheet names, read from
//! small capped parts.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};

/// The value of attribute `name` in a tag's text, without its quotes.
pub(crate) fn attr<'a>(tag: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
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
pub(crate) fn cell_ref(r: &[u8]) -> Option<(u64, u64)> {
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
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The workbook's sheet names by part path (`xl/worksheets/sheet1.xml` →
/// `Sheet1`), read from the workbook and its relationships, both capped.
pub(crate) fn sheet_titles(zip: &mut zip::ZipArchive<BufReader<File>>) -> HashMap<String, String> {
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
}
