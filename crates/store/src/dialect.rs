//! The SQL dialect: the one place that knows which database is behind the
//! `Any` pool and what differs between SQLite and PostgreSQL. Everything
//! else writes one query text with `$n` placeholders and asks here for the
//! few fragments that differ: row locks, list aggregates, placeholder
//! lists, the transaction's first statement.

/// Which database is behind the `Any` pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a database URL names (`sqlite:…`, `postgres://…` or
    /// `postgresql://…`); `None` for any other.
    pub fn from_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    /// `sqlite` or `postgres`, as benchmarks and backup manifests name it.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// The backend of a connection of the `Any` pool (for code that holds
    /// a connection but not the store).
    pub(crate) fn of(conn: &sqlx::AnyConnection) -> Backend {
        if conn.backend_name().eq_ignore_ascii_case("sqlite") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }

    /// The statement that starts a write transaction: on SQLite it takes
    /// the write lock at once (`BEGIN IMMEDIATE`), so two writers never
    /// deadlock on lock upgrade; `None` for the driver's plain `BEGIN`.
    pub(crate) fn begin_write(self) -> Option<&'static str> {
        match self {
            Backend::Sqlite => Some("BEGIN IMMEDIATE"),
            Backend::Postgres => None,
        }
    }

    /// ` FOR UPDATE` on PostgreSQL. SQLite has no row locks: a write
    /// transaction already holds the database's write lock.
    pub(crate) fn for_update(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    /// ` FOR UPDATE OF alias` on PostgreSQL (lock one table of a join).
    pub(crate) fn for_update_of(self, alias: &str) -> String {
        match self {
            Backend::Sqlite => String::new(),
            Backend::Postgres => format!(" FOR UPDATE OF {alias}"),
        }
    }

    /// `expr` of every row of a group joined by `sep`, or NULL for none.
    pub(crate) fn agg(self, expr: &str, sep: char) -> String {
        match self {
            Backend::Sqlite => format!("group_concat({expr}, '{sep}')"),
            Backend::Postgres => format!("string_agg({expr}, '{sep}')"),
        }
    }

    /// Placeholders for a statement whose parameters are all bound in
    /// order. SQLite gets anonymous `?`: it looks numbered and named
    /// parameters up in a list, which makes binding thousands of them
    /// quadratic.
    pub(crate) fn sequential(self, start: usize, count: usize) -> String {
        match self {
            Backend::Sqlite => vec!["?"; count].join(", "),
            Backend::Postgres => placeholders(start, count),
        }
    }
}

/// `$start, $start+1, …` (count of them), for either backend.
pub(crate) fn placeholders(start: usize, count: usize) -> String {
    (start..start + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_backend() {
        assert_eq!(Backend::from_url("sqlite://a.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("sqlite::memory:"), Some(Backend::Sqlite));
        assert_eq!(
            Backend::from_url("postgres://h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::from_url("postgresql://h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::from_url("mysql://h/db"), None);
    }

    #[test]
    fn placeholders_are_numbered_or_anonymous() {
        assert_eq!(placeholders(3, 2), "$3, $4");
        assert_eq!(Backend::Postgres.sequential(1, 3), "$1, $2, $3");
        assert_eq!(Backend::Sqlite.sequential(1, 3), "?, ?, ?");
        assert_eq!(Backend::Sqlite.for_update(), "");
        assert_eq!(Backend::Postgres.for_update_of("v"), " FOR UPDATE OF v");
    }
}
