//! Cell-text clean-up shared by all importers, and validation of person
//! names.

use crate::ValueError;

/// Maps full-width ASCII variants (U+FF01–U+FF5E) to ASCII and the
/// ideographic space and NBSP to a plain space, drops invisible zero-width
/// characters, the BOM and control characters other than tab and line
/// breaks anywhere (they silently break ID and code parsing when pasted from
/// web pages), then trims.
pub fn normalize_cell(s: &str) -> String {
    // Most cells need only the trim: one check, one copy, instead of
    // rebuilding the cell a char at a time.
    if s.chars().all(|c| cell_char(c) == Some(c)) {
        return s.trim().to_owned();
    }
    let mapped: String = s.chars().filter_map(cell_char).collect();
    mapped.trim().to_owned()
}

/// What `normalize_cell` makes of `c`: itself, another char, or nothing.
fn cell_char(c: char) -> Option<char> {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0),
        '\u{3000}' | '\u{00A0}' => Some(' '),
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => None,
        // Invisible control characters pasted along with a value; the
        // store also uses 0x1D–0x1F to pack rows.
        '\t' | '\n' | '\r' => Some(c),
        c if c.is_control() => None,
        c => Some(c),
    }
}

const MAX_NAME_CHARS: usize = 50;

/// Validates and normalises a person's name. Allowed: CJK ideographs, letters
/// of any script, the middle dot `·` of minority and foreign names (`•`,
/// `・`, `‧`, `･` are normalised to it) and single spaces between the words
/// of a non-Chinese name.
///
/// Spaces next to a CJK character or a dot are removed rather than rejected:
/// spreadsheets commonly pad two-character names ("张  三") for alignment.
pub fn validate_person_name(raw: &str) -> Result<String, ValueError> {
    let s = raw.trim();
    let mut chars = Vec::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            '·' | '•' | '・' | '‧' | '･' => '·',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c.is_numeric() {
            return Err(ValueError::new(format!("姓名「{s}」不应包含数字「{c}」")));
        }
        if c != '·' && c != ' ' && !c.is_alphabetic() {
            return Err(ValueError::new(format!(
                "姓名「{s}」含有不允许的字符「{c}」，只能包含汉字、字母、间隔号「·」和外文姓名中的空格"
            )));
        }
        chars.push(c);
    }

    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if c != ' ' {
            out.push(c);
            continue;
        }
        let prev = out.chars().next_back();
        let next = chars[i + 1..].iter().copied().find(|&n| n != ' ');
        let is_word_char = |x: char| x != ' ' && x != '·' && !is_cjk(x);
        if prev.is_some_and(is_word_char) && next.is_some_and(is_word_char) {
            out.push(' ');
        }
    }

    let count = out.chars().count();
    if count == 0 {
        return Err(ValueError::new("姓名不能为空"));
    }
    if count > MAX_NAME_CHARS {
        return Err(ValueError::new(format!(
            "姓名过长：最多{MAX_NAME_CHARS}个字符，实为{count}个"
        )));
    }
    if out.starts_with('·') || out.ends_with('·') {
        return Err(ValueError::new(format!(
            "姓名「{out}」不能以间隔号「·」开头或结尾"
        )));
    }
    if out.contains("··") {
        return Err(ValueError::new(format!("姓名「{out}」含有连续的间隔号")));
    }
    Ok(out)
}

/// CJK unified ideographs (all extensions), compatibility ideographs and 〇.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3007}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}'
        | '\u{30000}'..='\u{323AF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_cells() {
        assert_eq!(
            normalize_cell("\u{FEFF}　１１０１０５ＡＢｃ，（）\u{00A0}"),
            "110105ABc,()"
        );
        assert_eq!(normalize_cell("37\u{200B}15"), "3715");
        assert_eq!(normalize_cell("C2019\u{1f}001\u{0}\u{7f}"), "C2019001");
        assert_eq!(normalize_cell("第一行\n第二行"), "第一行\n第二行");
        assert_eq!(normalize_cell("张　三"), "张 三");
        assert_eq!(normalize_cell(""), "");
        assert_eq!(normalize_cell("  张三 \t"), "张三");
    }

    fn ok(s: &str) -> String {
        validate_person_name(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn accepted_names() {
        assert_eq!(ok("张三"), "张三");
        assert_eq!(ok(" 张  三 "), "张三");
        assert_eq!(ok("阿依古丽•买买提"), "阿依古丽·买买提");
        assert_eq!(ok("阿依古丽 ・ 买买提"), "阿依古丽·买买提");
        assert_eq!(ok("John  Smith"), "John Smith");
        assert_eq!(ok("𠀀"), "𠀀");
        assert_eq!(ok(&"王".repeat(50)).chars().count(), 50);
    }

    #[test]
    fn rejected_names() {
        let e = |s: &str| validate_person_name(s).unwrap_err().0;
        assert_eq!(e(""), "姓名不能为空");
        assert_eq!(e("   "), "姓名不能为空");
        assert_eq!(e("张3"), "姓名「张3」不应包含数字「3」");
        assert!(e("阿依古丽.买买提").contains("不允许的字符「.」"));
        assert!(e("张三(女)").contains("不允许的字符「(」"));
        assert_eq!(e("·张三"), "姓名「·张三」不能以间隔号「·」开头或结尾");
        assert_eq!(e("张三 ·"), "姓名「张三·」不能以间隔号「·」开头或结尾");
        assert_eq!(e("阿依··买买提"), "姓名「阿依··买买提」含有连续的间隔号");
        assert_eq!(e(&"王".repeat(51)), "姓名过长：最多50个字符，实为51个");
    }
}
