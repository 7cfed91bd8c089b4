//! Moments as the store records them: RFC 3339 text (UTC, milliseconds, as
//! written by the store; whole seconds for credentials), or an older
//! `YYYY-MM-DD HH:MM:SS`. A [`Stamp`] keeps the instant and the layout it was
//! written in, so that pages and exports print it exactly as stored.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

use crate::ValueError;

/// An instant with the layout of its stored text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stamp {
    at: DateTime<FixedOffset>,
    form: Form,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Form {
    /// RFC 3339 with these fractional digits; `z` when UTC is written `Z`.
    Rfc3339 { digits: SecondsFormat, z: bool },
    /// `YYYY-MM-DD HH:MM:SS` (or without seconds), no zone: read as UTC.
    Naive { seconds: bool },
}

const DIGITS: [SecondsFormat; 4] = [
    SecondsFormat::Secs,
    SecondsFormat::Millis,
    SecondsFormat::Micros,
    SecondsFormat::Nanos,
];

impl Stamp {
    /// Now, as the store writes it (UTC, milliseconds, `Z`).
    pub fn now() -> Stamp {
        Stamp::from_utc(Utc::now())
    }

    /// An instant written as the store writes it.
    pub fn from_utc(t: DateTime<Utc>) -> Stamp {
        Stamp {
            at: t.fixed_offset(),
            form: Form::Rfc3339 {
                digits: SecondsFormat::Millis,
                z: true,
            },
        }
    }

    /// Reads stored text; the layout is kept for [`Display`](fmt::Display).
    pub fn parse(raw: &str) -> Result<Stamp, ValueError> {
        let bad = || ValueError::new(format!("无法识别的时间戳「{raw}」"));
        if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
            for digits in DIGITS {
                for z in [true, false] {
                    if at.to_rfc3339_opts(digits, z) == raw {
                        let form = Form::Rfc3339 { digits, z };
                        return Ok(Stamp { at, form });
                    }
                }
            }
            return Err(bad());
        }
        for (layout, seconds) in [("%Y-%m-%d %H:%M:%S", true), ("%Y-%m-%d %H:%M", false)] {
            if let Ok(t) = NaiveDateTime::parse_from_str(raw, layout) {
                let at = t.and_utc().fixed_offset();
                return Ok(Stamp {
                    at,
                    form: Form::Naive { seconds },
                });
            }
        }
        Err(bad())
    }

    /// The instant.
    pub fn instant(&self) -> DateTime<Utc> {
        self.at.to_utc()
    }

    /// The instant in the zone it was written in.
    pub fn as_written(&self) -> DateTime<FixedOffset> {
        self.at
    }

    /// The calendar day as written (the text's first ten characters).
    pub fn day(&self) -> NaiveDate {
        self.at.date_naive()
    }
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.form {
            Form::Rfc3339 { digits, z } => f.write_str(&self.at.to_rfc3339_opts(digits, z)),
            Form::Naive { seconds: true } => write!(f, "{}", self.at.format("%Y-%m-%d %H:%M:%S")),
            Form::Naive { seconds: false } => write!(f, "{}", self.at.format("%Y-%m-%d %H:%M")),
        }
    }
}

impl Serialize for Stamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Stamp;

    #[test]
    fn prints_as_stored() {
        for raw in [
            "2026-12-07T16:38:06.120Z",
            "2026-12-07T16:38:06.000Z",
            "2026-12-07T16:38:06Z",
            "2026-12-07T16:38:06+08:00",
            "2026-12-07T16:38:06.123456+00:00",
            "2024-03-02 08:05:00",
            "2024-03-02 08:05",
        ] {
            let s = Stamp::parse(raw).unwrap();
            assert_eq!(s.to_string(), raw);
            assert_eq!(s.day().to_string(), raw[..10]);
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{raw}\""));
        }
        assert!(Stamp::parse("yesterday").is_err());
        assert!(Stamp::parse("").is_err());
    }
}
