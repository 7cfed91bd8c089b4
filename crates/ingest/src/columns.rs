//! Matching a file's header row to a template's columns.
//!
//! Users' spreadsheets carry the template headers with small variations:
//! full-width letters, stray spaces, the `*` of our own template, notes such
//! as "（必填）" or "(元)". Those are normalised away; anything else must
//! match the column name exactly.

use jineng_domain::normalize_cell;

use crate::reader::Row;
use crate::templates::TemplateSpec;

/// Columns that our error report adds; ignored without a warning because
/// users re-upload the fixed report as is.
pub const REPORT_COLUMNS: [&str; 2] = ["原行号", "错误说明"];

/// Where each template column sits in the file.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    /// Template column name → index into `Row::cells`, in template order.
    columns: Vec<(&'static str, Option<usize>)>,
}

impl ColumnMap {
    /// Maps `headers` onto `spec`. Errors (missing required or duplicate
    /// columns) reject the file; warnings (unknown columns) do not.
    pub fn resolve(
        spec: &TemplateSpec,
        headers: &[String],
    ) -> Result<(ColumnMap, Vec<String>), Vec<String>> {
        let mut columns: Vec<(&'static str, Option<usize>)> =
            spec.columns.iter().map(|c| (c.name, None)).collect();
        let mut warnings = Vec::new();
        let mut errors = Vec::new();

        for (index, raw) in headers.iter().enumerate() {
            let name = normalize_header(raw);
            if name.is_empty() || REPORT_COLUMNS.contains(&name.as_str()) {
                continue;
            }
            match columns.iter_mut().find(|(n, _)| *n == name) {
                Some((_, slot @ None)) => *slot = Some(index),
                Some((n, Some(first))) => errors.push(format!(
                    "列「{n}」重复出现（第 {} 列和第 {} 列），请只保留一列",
                    *first + 1,
                    index + 1
                )),
                None => warnings.push(format!("忽略未知列「{}」", normalize_cell(raw))),
            }
        }
        for (column, (_, index)) in spec.columns.iter().zip(&columns) {
            if column.required && index.is_none() {
                errors.push(format!("缺少必填列「{}」", column.name));
            }
        }
        if errors.is_empty() {
            Ok((ColumnMap { columns }, warnings))
        } else {
            Err(errors)
        }
    }

    /// Raw text of `column` in `row`: "" when the file has no such column or
    /// the row is shorter.
    ///
    /// # Panics
    /// If `column` is not a column of the template (a programming error).
    pub fn get<'a>(&self, row: &'a Row, column: &str) -> &'a str {
        self.index(column)
            .and_then(|i| row.cells.get(i))
            .map_or("", String::as_str)
    }

    /// Whether the file has `column`.
    ///
    /// # Panics
    /// If `column` is not a column of the template (a programming error).
    pub fn has(&self, column: &str) -> bool {
        self.index(column).is_some()
    }

    fn index(&self, column: &str) -> Option<usize> {
        match self.columns.iter().find(|(n, _)| *n == column) {
            Some((_, index)) => *index,
            None => panic!("column 「{column}」 is not in the template"),
        }
    }
}

/// Header text reduced for matching: `normalize_cell`, no whitespace, no
/// leading/trailing `*`, no trailing parenthesised note.
pub fn normalize_header(raw: &str) -> String {
    let mut s: String = normalize_cell(raw)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    // Repeat: "申请金额(元)*" and "*姓名（必填）" mix both decorations.
    loop {
        let stripped = strip_note(s.trim_matches(['*', '＊']));
        if stripped.len() == s.len() {
            return s;
        }
        s = stripped.to_owned();
    }
}

/// "申请金额(元)" → "申请金额"; a header that is only a note is kept.
fn strip_note(s: &str) -> &str {
    if !s.ends_with([')', '）']) {
        return s;
    }
    match s.rfind(['(', '（']) {
        Some(open) if open > 0 => &s[..open],
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::template;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn header_normalisation() {
        assert_eq!(normalize_header(" 身份证号码* "), "身份证号码");
        assert_eq!(normalize_header("＊姓 名（必填）"), "姓名");
        assert_eq!(normalize_header("申请金额(元)*"), "申请金额");
        assert_eq!(normalize_header("申请金额\n（元）"), "申请金额");
        assert_eq!(normalize_header("\u{FEFF}姓名"), "姓名");
        assert_eq!(normalize_header("(备注)"), "(备注)");
    }

    #[test]
    fn resolves_in_any_order() {
        let spec = template("relations").unwrap();
        let (map, warnings) =
            ColumnMap::resolve(spec, &headers(&["关系", "身份证号码*", "亲属身份证号码"])).unwrap();
        assert!(warnings.is_empty());
        let row = Row {
            number: 2,
            cells: headers(&["父母", "A", "B"]),
        };
        assert_eq!(map.get(&row, "身份证号码"), "A");
        assert_eq!(map.get(&row, "关系"), "父母");
        assert!(map.has("亲属身份证号码"));
    }

    #[test]
    fn missing_optional_and_short_rows() {
        let spec = template("persons").unwrap();
        let (map, _) =
            ColumnMap::resolve(spec, &headers(&["姓名", "身份证号码", "户籍地"])).unwrap();
        let row = Row {
            number: 2,
            cells: headers(&["张三"]),
        };
        assert!(!map.has("性别"));
        assert_eq!(map.get(&row, "性别"), "");
        assert_eq!(map.get(&row, "户籍地"), "");
    }

    #[test]
    fn errors_and_warnings() {
        let spec = template("relations").unwrap();
        let errors = ColumnMap::resolve(
            spec,
            &headers(&["身份证号码", "关系", "身份证号码 ", "备注"]),
        )
        .unwrap_err();
        assert_eq!(
            errors,
            [
                "列「身份证号码」重复出现（第 1 列和第 3 列），请只保留一列",
                "缺少必填列「亲属身份证号码」"
            ]
        );
        let (_, warnings) = ColumnMap::resolve(
            spec,
            &headers(&[
                "身份证号码",
                "亲属身份证号码",
                "关系",
                "备注",
                "",
                "原行号",
                "错误说明",
            ]),
        )
        .unwrap();
        assert_eq!(warnings, ["忽略未知列「备注」"]);
    }

    #[test]
    #[should_panic(expected = "not in the template")]
    fn unknown_column_name_panics() {
        let spec = template("relations").unwrap();
        let (map, _) =
            ColumnMap::resolve(spec, &headers(&["身份证号码", "亲属身份证号码", "关系"])).unwrap();
        map.has("姓名");
    }
}
