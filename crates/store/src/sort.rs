//! The sort columns of a paged list, declared once per list: the enum (its
//! first column the default), `ALL`, the `code` a page's address carries,
//! and the SQL it orders by. Only these texts ever reach ORDER BY: a
//! column is chosen from the whitelist, never spliced from the request.

/// `sort_columns!(/// doc
/// Name { First => ("code", "sql"), Other => ("code", "sql", "sql"), … })`:
/// a column may order by several expressions, each in the asked direction.
macro_rules! sort_columns {
    ($(#[$meta:meta])* $name:ident {
        $first:ident => ($first_code:literal $(, $first_sql:literal)+)
        $(, $v:ident => ($code:literal $(, $sql:literal)+))* $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub enum $name {
            #[default]
            $first,
            $($v),*
        }

        impl $name {
            pub const ALL: [$name; 1 + [$(stringify!($v)),*].len()] =
                [$name::$first, $($name::$v),*];

            pub fn code(self) -> &'static str {
                match self {
                    $name::$first => $first_code,
                    $($name::$v => $code),*
                }
            }

            pub fn from_code(s: &str) -> Option<$name> {
                $name::ALL.into_iter().find(|c| c.code() == s)
            }

            /// The ORDER BY expressions (whitelisted).
            fn order_by(self) -> &'static [&'static str] {
                match self {
                    $name::$first => &[$($first_sql),+],
                    $($name::$v => &[$($sql),+]),*
                }
            }
        }
    };
}

pub(crate) use sort_columns;

/// The `ORDER BY … LIMIT … OFFSET …` tail of a page: the sort's
/// expressions, then the tie-breaking `ties` (which make the order total),
/// all in one direction; a negative offset or limit reads as 0.
pub(crate) fn order_page(
    sort: &[&str],
    ties: &[&str],
    descending: bool,
    offset: i64,
    limit: i64,
) -> String {
    let dir = if descending { "DESC" } else { "ASC" };
    let order: Vec<String> = sort
        .iter()
        .chain(ties)
        .map(|c| format!("{c} {dir}"))
        .collect();
    format!(
        "ORDER BY {} LIMIT {} OFFSET {}",
        order.join(", "),
        limit.max(0),
        offset.max(0)
    )
}
