//! A refused form shown again: the input as typed, and each field in
//! error marked (`aria-invalid`, the message beside it, linked by
//! `aria-describedby`).

/// The fields in error of one form, in order.
#[derive(Debug, Clone, Default)]
pub struct FieldErrors(Vec<(String, String)>);

/// HTML-escapes text for markup built in Rust.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A field name as an id: letters, digits, `_` and `-` only.
fn id_of(field: &str) -> String {
    field
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl FieldErrors {
    pub fn one(field: &str, message: impl Into<String>) -> FieldErrors {
        let mut e = FieldErrors::default();
        e.add(field, message);
        e
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push((field.to_string(), message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// Every message, for a summary above the form.
    pub fn messages(&self) -> Vec<&str> {
        self.0.iter().map(|(_, m)| m.as_str()).collect()
    }

    /// The attributes of an input in error (`|safe` in templates).
    pub fn attr(&self, field: &str) -> String {
        match self.get(field) {
            Some(_) => format!(
                " aria-invalid=\"true\" aria-describedby=\"err-{}\"",
                id_of(field)
            ),
            None => String::new(),
        }
    }

    /// The message beside a field in error (`|safe` in templates).
    pub fn note(&self, field: &str) -> String {
        match self.get(field) {
            Some(m) => format!(
                "<span class=\"field-error\" id=\"err-{}\">{}</span>",
                id_of(field),
                escape(m)
            ),
            None => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FieldErrors;

    #[test]
    fn a_field_in_error_is_marked_and_escaped() {
        let e = FieldErrors::one("off_7", "<b>不是整数</b>");
        assert_eq!(
            e.attr("off_7"),
            " aria-invalid=\"true\" aria-describedby=\"err-off_7\""
        );
        assert!(e.note("off_7").contains("&lt;b&gt;"));
        assert_eq!(e.attr("on_7"), "");
    }
}
