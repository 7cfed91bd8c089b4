//! Typed reads of a row's text columns: dates, timestamps and status codes
//! are parsed here, once per type, into the domain's types. A value the
//! database should not hold is a decode error naming the column (a
//! [`StoreError::Db`](crate::StoreError::Db)), never a panic.

use chrono::{NaiveDate, NaiveDateTime};
use jineng_domain::learning::sessions::{read_stored_moment, stored_moment};
use jineng_domain::{NationalId, Stamp, ValueError};
use sqlx::Row;
use sqlx::any::AnyRow;

/// A column's text that does not parse as its type.
fn bad(col: &str, e: impl std::error::Error + Send + Sync + 'static) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: col.to_string(),
        source: Box::new(e),
    }
}

/// A stored ISO date (`YYYY-MM-DD`).
pub(crate) fn parse_day(col: &str, s: &str) -> Result<NaiveDate, sqlx::Error> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| bad(col, e))
}

/// A stored ID number ([`NationalId::from_stored`]).
pub(crate) fn parse_national_id(col: &str, s: &str) -> Result<NationalId, sqlx::Error> {
    NationalId::from_stored(s).map_err(|e| bad(col, e))
}

/// A stored status or kind code, parsed by the domain type's `from_code`.
pub(crate) fn parse_code<T>(
    col: &str,
    s: &str,
    from_code: impl Fn(&str) -> Option<T>,
) -> Result<T, sqlx::Error> {
    from_code(s).ok_or_else(|| bad(col, ValueError::new(format!("未知的代码「{s}」"))))
}

/// Typed getters on a row of the `Any` driver.
pub(crate) trait Typed {
    fn day(&self, col: &str) -> Result<NaiveDate, sqlx::Error>;
    fn opt_day(&self, col: &str) -> Result<Option<NaiveDate>, sqlx::Error>;
    fn stamp(&self, col: &str) -> Result<Stamp, sqlx::Error>;
    fn opt_stamp(&self, col: &str) -> Result<Option<Stamp>, sqlx::Error>;
    fn code<T>(&self, col: &str, from_code: impl Fn(&str) -> Option<T>) -> Result<T, sqlx::Error>;
    fn opt_code<T>(
        &self,
        col: &str,
        from_code: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, sqlx::Error>;
    fn national_id(&self, col: &str) -> Result<NationalId, sqlx::Error>;
    /// A nullable text column (a LEFT JOIN's name), NULL read as empty.
    fn text_or_empty(&self, col: &str) -> Result<String, sqlx::Error>;
    fn moment(&self, col: &str) -> Result<NaiveDateTime, sqlx::Error>;
}

impl Typed for AnyRow {
    fn day(&self, col: &str) -> Result<NaiveDate, sqlx::Error> {
        parse_day(col, &self.try_get::<String, _>(col)?)
    }

    fn opt_day(&self, col: &str) -> Result<Option<NaiveDate>, sqlx::Error> {
        self.try_get::<Option<String>, _>(col)?
            .map(|s| parse_day(col, &s))
            .transpose()
    }

    fn stamp(&self, col: &str) -> Result<Stamp, sqlx::Error> {
        Stamp::parse(&self.try_get::<String, _>(col)?).map_err(|e| bad(col, e))
    }

    fn opt_stamp(&self, col: &str) -> Result<Option<Stamp>, sqlx::Error> {
        self.try_get::<Option<String>, _>(col)?
            .map(|s| Stamp::parse(&s).map_err(|e| bad(col, e)))
            .transpose()
    }

    fn code<T>(&self, col: &str, from_code: impl Fn(&str) -> Option<T>) -> Result<T, sqlx::Error> {
        parse_code(col, &self.try_get::<String, _>(col)?, from_code)
    }

    fn opt_code<T>(
        &self,
        col: &str,
        from_code: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, sqlx::Error> {
        self.try_get::<Option<String>, _>(col)?
            .map(|s| parse_code(col, &s, from_code))
            .transpose()
    }

    fn national_id(&self, col: &str) -> Result<NationalId, sqlx::Error> {
        parse_national_id(col, &self.try_get::<String, _>(col)?)
    }

    fn text_or_empty(&self, col: &str) -> Result<String, sqlx::Error> {
        Ok(self.try_get::<Option<String>, _>(col)?.unwrap_or_default())
    }

    fn moment(&self, col: &str) -> Result<NaiveDateTime, sqlx::Error> {
        let s = self.try_get::<String, _>(col)?;
        read_stored_moment(&s)
            .ok_or_else(|| bad(col, ValueError::new(format!("无法读取的时间「{s}」"))))
    }
}

/// Serializes a local moment as the store keeps it (`YYYY-MM-DD HH:MM:SS`,
/// no `T`), as the API has always shown it.
pub(crate) fn moment_text<S: serde::Serializer>(
    t: &NaiveDateTime,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(&stored_moment(*t))
}

#[cfg(test)]
mod tests {
    use super::{parse_code, parse_day, parse_national_id};
    use jineng_domain::ClassStatus;

    #[test]
    fn bad_stored_values_are_decode_errors_naming_the_column() {
        assert_eq!(
            parse_day("d", "2024-02-29").unwrap().to_string(),
            "2024-02-29"
        );
        for bad in ["2024-02-30", "2024/01/02", ""] {
            let e = parse_day("start_date", bad).unwrap_err();
            assert!(e.to_string().contains("start_date"), "{e}");
        }
        assert_eq!(
            parse_code("status", "closed", ClassStatus::from_code).unwrap(),
            ClassStatus::Closed
        );
        assert!(parse_code("status", "gone", ClassStatus::from_code).is_err());
        let id = parse_national_id("id_number", "110101199003070011").unwrap();
        assert_eq!(id.as_str(), "110101199003070011");
        // A wrong check character is corrupt data, not a pass.
        assert!(parse_national_id("id_number", "110101199003070012").is_err());
    }
}
