//! A strict JSON reader for documents that are to be canonicalised (RFC
//! 8785 § 3.1 asks for I-JSON, RFC 7493): duplicate member names, lone
//! surrogates and numbers beyond IEEE 754 double range are errors, and a
//! number literal becomes the double nearest to it (Rust's `f64` parsing is
//! correctly rounded; serde_json's default float reader is not always, and
//! its exact mode is a workspace-wide feature). Integers within ±2^53 stay
//! integers, so re-serialising a credential keeps `"statusListIndex"`-like
//! values as written.
//!
//! Errors name the line and column, in Chinese, for the verifier's message.

use serde_json::{Map, Number, Value};

/// Nesting deeper than this is refused (a credential is a few levels deep).
const MAX_DEPTH: usize = 128;

/// The largest integer every double represents exactly (2^53).
const EXACT_INT: i64 = 1 << 53;

/// Why a text is not acceptable JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("第 {line} 行第 {column} 列：{message}")]
pub struct JsonError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Parses one JSON text (a leading byte-order mark is ignored).
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        i: 0,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i < p.s.len() {
        return Err(p.err("JSON 值之后还有多余内容"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn err(&self, message: &str) -> JsonError {
        let upto = &self.text[..self.i.min(self.text.len())];
        let line = upto.matches('\n').count() + 1;
        let column = upto.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        JsonError {
            line,
            column,
            message: message.to_string(),
        }
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.s.get(self.i) == Some(&b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err("嵌套层数过多"));
        }
        match self.s.get(self.i) {
            None => Err(self.err("内容意外结束")),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => self.literal(),
        }
    }

    fn literal(&mut self) -> Result<Value, JsonError> {
        for (word, v) in [
            ("true", Value::Bool(true)),
            ("false", Value::Bool(false)),
            ("null", Value::Null),
        ] {
            if self.s[self.i..].starts_with(word.as_bytes()) {
                self.i += word.len();
                return Ok(v);
            }
        }
        Err(self.err("此处应为 JSON 值"))
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.i += 1;
        let mut map = Map::new();
        self.ws();
        if self.eat(b'}') {
            return Ok(Value::Object(map));
        }
        loop {
            self.ws();
            if self.s.get(self.i) != Some(&b'"') {
                return Err(self.err("此处应为用引号括起的成员名"));
            }
            let at = self.i;
            let key = self.string()?;
            self.ws();
            if !self.eat(b':') {
                return Err(self.err("成员名之后应为冒号"));
            }
            self.ws();
            let v = self.value(depth + 1)?;
            if map.insert(key.clone(), v).is_some() {
                self.i = at;
                return Err(self.err(&format!("成员名「{key}」重复")));
            }
            self.ws();
            if self.eat(b',') {
                continue;
            }
            if self.eat(b'}') {
                return Ok(Value::Object(map));
            }
            return Err(self.err("此处应为逗号或右花括号"));
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.eat(b']') {
            return Ok(Value::Array(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth + 1)?);
            self.ws();
            if self.eat(b',') {
                continue;
            }
            if self.eat(b']') {
                return Ok(Value::Array(items));
            }
            return Err(self.err("此处应为逗号或右方括号"));
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let h = self
            .s
            .get(self.i..self.i + 4)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .ok_or_else(|| self.err("\\u 之后应为 4 位十六进制数"))?;
        let v = u32::from_str_radix(std::str::from_utf8(h).unwrap_or("0"), 16).unwrap_or(0);
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(&b) = self.s.get(self.i) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.push_str(&self.text[start..self.i]);
            match self.s.get(self.i) {
                None => return Err(self.err("字符串缺少结束引号")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = self.escape()?;
                    out.push(c);
                }
                Some(_) => return Err(self.err("字符串中有未转义的控制字符")),
            }
        }
    }

    fn escape(&mut self) -> Result<char, JsonError> {
        let Some(&e) = self.s.get(self.i) else {
            return Err(self.err("转义序列不完整"));
        };
        self.i += 1;
        Ok(match e {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&hi) {
                    if !(self.eat(b'\\') && self.eat(b'u')) {
                        return Err(self.err("孤立的高位代理项（I-JSON 不允许）"));
                    }
                    let lo = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(self.err("高位代理项之后应为低位代理项"));
                    }
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else if (0xDC00..0xE000).contains(&hi) {
                    return Err(self.err("孤立的低位代理项（I-JSON 不允许）"));
                } else {
                    hi
                };
                char::from_u32(code).ok_or_else(|| self.err("无效的 Unicode 码位"))?
            }
            _ => return Err(self.err("无效的转义序列")),
        })
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.i;
        self.eat(b'-');
        let int_start = self.i;
        let n = self.digits();
        if n == 0 {
            return Err(self.err("数值格式有误"));
        }
        if n > 1 && self.s[int_start] == b'0' {
            return Err(self.err("数值不能以 0 开头"));
        }
        let mut integer = true;
        if self.eat(b'.') {
            integer = false;
            if self.digits() == 0 {
                return Err(self.err("小数点之后应有数字"));
            }
        }
        if self.eat(b'e') || self.eat(b'E') {
            integer = false;
            let _ = self.eat(b'+') || self.eat(b'-');
            if self.digits() == 0 {
                return Err(self.err("指数部分应有数字"));
            }
        }
        let lit = &self.text[start..self.i];
        if integer
            && let Ok(v) = lit.parse::<i64>()
            && (-EXACT_INT..=EXACT_INT).contains(&v)
        {
            return Ok(Value::Number(Number::from(v)));
        }
        let f: f64 = lit.parse().map_err(|_| self.err("数值格式有误"))?;
        Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| self.err("数值超出双精度浮点数范围"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_reader_refuses_what_i_json_forbids() {
        for (text, needle) in [
            (r#"{"a":1,"a":2}"#, "重复"),
            (r#""\ud800""#, "孤立"),
            (r#""\udc00x""#, "孤立"),
            ("1e400", "超出"),
            ("01", "0 开头"),
            ("[1,]", "JSON 值"),
            ("{\"a\":1} x", "多余"),
            ("\"a\u{1}\"", "控制字符"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.message.contains(needle), "{text}: {e}");
        }
    }

    #[test]
    fn numbers_become_the_nearest_double() {
        let v = parse("[333333333.33333329, 1E30, 9007199254740993, -0, 5e-324]").unwrap();
        let a: Vec<f64> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_f64().unwrap())
            .collect();
        assert_eq!(a[0], 333_333_333.333_333_3);
        assert_eq!(a[1], 1e30);
        assert_eq!(a[2], 9_007_199_254_740_992.0);
        assert_eq!(a[3], 0.0);
        assert_eq!(a[4], 5e-324);
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = parse("{\n  \"a\": tru\n}").unwrap_err();
        assert_eq!((e.line, e.column), (2, 8), "{e}");
    }
}
