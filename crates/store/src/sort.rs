//! The sort columns of a paged list, declared once per list: the enum (its
//! first column the default), `ALL`, the `code` a page's address carries,
//! and the SQL it orders by. Only these texts ever reach ORDER BY: a
//! column is chosen from the whitelist, never spliced from the request.

/// `sort_columns!(/// doc
/// Name { First => ("code", "sql"), Other => ("code", "sql"), … })`.
macro_rules! sort_columns {
    ($(#[$meta:meta])* $name:ident {
        $first:ident => ($first_code:literal, $first_sql:literal)
        $(, $v:ident => ($code:literal, $sql:literal))* $(,)?
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

            /// The ORDER BY expression (whitelisted).
            fn order_by(self) -> &'static str {
                match self {
                    $name::$first => $first_sql,
                    $($name::$v => $sql),*
                }
            }
        }
    };
}

pub(crate) use sort_columns;
