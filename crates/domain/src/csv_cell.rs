//! Cells of every CSV file Jineng writes (error reports, the ledger's
//! postings, the bank's disbursement file, templates): one rule so that no
//! spreadsheet opening them runs a cell as a formula (CSV injection).

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula when
/// they come first: `= + - @`, and tab and carriage return, which some
/// spreadsheets skip before looking at the next character.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `s`, with a leading `'` if it starts like a formula: Excel and WPS
/// show the text as typed and do not evaluate it.
pub fn defuse_formula(s: &str) -> Cow<'_, str> {
    if s.starts_with(FORMULA_START) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// One CSV field: defused, then quoted when it holds a comma, a quote or
/// a line break (RFC 4180).
pub fn csv_field(s: &str) -> String {
    let s = defuse_formula(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_fields_quoted() {
        for f in ["=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\r=x"] {
            assert_eq!(defuse_formula(f), format!("'{f}"));
        }
        assert_eq!(defuse_formula("张三"), "张三");
        assert_eq!(defuse_formula("1-2"), "1-2");
        assert_eq!(
            csv_field("=HYPERLINK(\"x\",\"y\")"),
            "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""
        );
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("12.50"), "12.50");
    }
}
