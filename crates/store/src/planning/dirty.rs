//! The queue of stale cells of the aggregate facts (`plan_facts_dirty`)
//! and the triggers that fill it.
//!
//! A cell is a county-level region × month × family of measures
//! (`training`; `certificate` for both certificate measures; `paid`). A
//! write to a table the figures are computed from queues, in the writer's
//! own transaction, the cells its rows fall in before and after it. The
//! triggers live in the database, so no write path can forget them (an
//! import, a form, a decision, a payment, a migration, a `psql` session).
//! `facts.rs` drains the queue before the next read.
//!
//! SQLite: row triggers; a cell already queued is not queued again.
//! PostgreSQL: statement triggers over the transition tables, one
//! set-based INSERT per statement and no uniqueness, so writers never wait
//! on each other's queued cells (the refresh reads the cells DISTINCT).
//!
//! A migration that rebuilds a watched table (SQLite drops a table's
//! triggers with it) must call [`install`] again in its hook.

use crate::Backend;
use sqlx::{AssertSqlSafe, Executor};

/// A watched table: the columns its cell queries read (a change of any of
/// them moves the row's cells; other columns, such as a class's review
/// status, move none) and the queries from a row source `{r}` to
/// `(region_code, d, family)`, `d` an ISO date or timestamp.
struct Watch {
    table: &'static str,
    cols: &'static [&'static str],
    /// Whether an insert can move a figure (a new class or claim cannot:
    /// nothing refers to it yet).
    insert: bool,
    sources: &'static [&'static str],
}

/// The cell of a certificate or a claim without a class is its holder's
/// 户籍地, as in the rebuild (facts.rs).
const WATCHED: &[Watch] = &[
    Watch {
        table: "enrolments",
        cols: &["person_id", "class_id", "completion"],
        insert: true,
        sources: &["SELECT c.site_region AS region_code, c.end_date AS d, 'training' AS family
                    FROM {r} r JOIN classes c ON c.class_id = r.class_id"],
    },
    Watch {
        table: "classes",
        cols: &["class_id", "site_region", "end_date", "training_type"],
        insert: false,
        sources: &[
            "SELECT r.site_region AS region_code, r.end_date AS d, 'training' AS family FROM {r} r",
            "SELECT r.site_region, k.issue_date, 'certificate' FROM {r} r JOIN certificates k ON k.class_id = r.class_id",
            "SELECT r.site_region, k.applied_on, 'paid' FROM {r} r JOIN claims k ON k.class_id = r.class_id",
        ],
    },
    Watch {
        table: "certificates",
        cols: &[
            "person_id",
            "cert_type",
            "cert_no",
            "skill_level",
            "issue_date",
            "class_id",
        ],
        insert: true,
        sources: &[
            "SELECT COALESCE(c.site_region, p.hukou_region) AS region_code, r.issue_date AS d, 'certificate' AS family
             FROM {r} r JOIN persons p ON p.person_id = r.person_id LEFT JOIN classes c ON c.class_id = r.class_id",
        ],
    },
    // A category held on a date moves the breakdown of the person's
    // enrolments and certificates, past ones included.
    Watch {
        table: "person_categories",
        cols: &["person_id", "category", "valid_from", "valid_to"],
        insert: true,
        sources: &[
            "SELECT c.site_region AS region_code, c.end_date AS d, 'training' AS family
             FROM {r} r JOIN enrolments e ON e.person_id = r.person_id JOIN classes c ON c.class_id = e.class_id",
            "SELECT COALESCE(c.site_region, p.hukou_region), k.issue_date, 'certificate'
             FROM {r} r JOIN certificates k ON k.person_id = r.person_id
             JOIN persons p ON p.person_id = k.person_id LEFT JOIN classes c ON c.class_id = k.class_id",
        ],
    },
    Watch {
        table: "persons",
        cols: &["person_id", "hukou_region"],
        insert: false,
        sources: &[
            "SELECT r.hukou_region AS region_code, k.issue_date AS d, 'certificate' AS family
             FROM {r} r JOIN certificates k ON k.person_id = r.person_id WHERE k.class_id IS NULL",
            "SELECT r.hukou_region, k.applied_on, 'paid' FROM {r} r JOIN claims k ON k.person_id = r.person_id WHERE k.class_id IS NULL",
        ],
    },
    // A claim's status moves no figure; its date, class or person does
    // once money was booked for it.
    Watch {
        table: "claims",
        cols: &["person_id", "claim_no", "class_id", "applied_on"],
        insert: false,
        sources: &[
            "SELECT COALESCE(c.site_region, p.hukou_region) AS region_code, r.applied_on AS d, 'paid' AS family
             FROM {r} r JOIN persons p ON p.person_id = r.person_id LEFT JOIN classes c ON c.class_id = r.class_id",
        ],
    },
    Watch {
        table: "ledger_entries",
        cols: &["tx_id", "line", "account", "debit_fen", "credit_fen"],
        insert: true,
        sources: &[
            "SELECT COALESCE(c.site_region, p.hukou_region) AS region_code, k.applied_on AS d, 'paid' AS family
             FROM {r} r JOIN ledger_tx t ON t.tx_id = r.tx_id JOIN claims k ON k.claim_no = t.claim_no
             JOIN persons p ON p.person_id = k.person_id LEFT JOIN classes c ON c.class_id = k.class_id",
        ],
    },
];

/// The INSERT that queues the cells of the rows in `rows` (a
/// parenthesised row source). SQLite skips cells already queued.
fn queue(w: &Watch, rows: &str, backend: Backend) -> String {
    let union = w
        .sources
        .iter()
        .map(|s| s.replace("{r}", rows))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let (y, m) = (
        "CAST(substr(x.d, 1, 4) AS BIGINT)",
        "CAST(substr(x.d, 6, 2) AS BIGINT)",
    );
    // [lo, hi) bounds the month's ISO dates and timestamps as text.
    let mut sql = format!(
        "INSERT INTO plan_facts_dirty (region_code, year, month, family, lo, hi)
         SELECT DISTINCT x.region_code, {y}, {m}, x.family, substr(x.d, 1, 7) || '-01', substr(x.d, 1, 7) || '-32'
         FROM ({union}) x"
    );
    if backend == Backend::Sqlite {
        sql.push_str(&format!(
            " WHERE NOT EXISTS (SELECT 1 FROM plan_facts_dirty q WHERE q.region_code = x.region_code
               AND q.year = {y} AND q.month = {m} AND q.family = x.family)"
        ));
    }
    sql
}

fn name(w: &Watch, event: &str) -> String {
    format!("plan_facts_dirty_{}_{event}", w.table)
}

fn sqlite_triggers(w: &Watch) -> Vec<String> {
    let row = |side: &str| {
        let cols: Vec<String> = w
            .cols
            .iter()
            .map(|c| format!("{side}.{c} AS {c}"))
            .collect();
        format!("(SELECT {})", cols.join(", "))
    };
    let changed: Vec<String> = w
        .cols
        .iter()
        .map(|c| format!("OLD.{c} IS NOT NEW.{c}"))
        .collect();
    let (old, new) = (
        queue(w, &row("OLD"), Backend::Sqlite),
        queue(w, &row("NEW"), Backend::Sqlite),
    );
    let mut out = vec![
        format!(
            "CREATE TRIGGER {} AFTER UPDATE ON {} WHEN {} BEGIN {old}; {new}; END",
            name(w, "u"),
            w.table,
            changed.join(" OR ")
        ),
        format!(
            "CREATE TRIGGER {} AFTER DELETE ON {} BEGIN {old}; END",
            name(w, "d"),
            w.table
        ),
    ];
    if w.insert {
        out.push(format!(
            "CREATE TRIGGER {} AFTER INSERT ON {} BEGIN {new}; END",
            name(w, "i"),
            w.table
        ));
    }
    out
}

fn postgres_triggers(w: &Watch) -> Vec<String> {
    let cols = w.cols.join(", ");
    let all = |t: &str| format!("(SELECT {cols} FROM {t})");
    // An update queues the rows whose watched columns changed, as they
    // were and as they are.
    let changed = format!(
        "((SELECT {cols} FROM new_rows EXCEPT SELECT {cols} FROM old_rows)
          UNION ALL (SELECT {cols} FROM old_rows EXCEPT SELECT {cols} FROM new_rows))"
    );
    let function = format!("plan_facts_dirty_{}", w.table);
    let mut out = vec![format!(
        "CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $body$
         BEGIN
           IF TG_OP = 'INSERT' THEN {};
           ELSIF TG_OP = 'DELETE' THEN {};
           ELSE {};
           END IF;
           RETURN NULL;
         END $body$",
        queue(w, &all("new_rows"), Backend::Postgres),
        queue(w, &all("old_rows"), Backend::Postgres),
        queue(w, &changed, Backend::Postgres),
    )];
    let mut events = vec![
        ("u", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("d", "DELETE", "OLD TABLE AS old_rows"),
    ];
    if w.insert {
        events.push(("i", "INSERT", "NEW TABLE AS new_rows"));
    }
    for (short, event, tables) in events {
        out.push(format!(
            "CREATE TRIGGER {} AFTER {event} ON {} REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
            name(w, short),
            w.table
        ));
    }
    out
}

/// Drops the queue's triggers (a bench's bulk fill runs without them and
/// queues a whole rebuild instead).
pub(crate) async fn uninstall(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<(), sqlx::Error> {
    for w in WATCHED {
        for event in ["i", "u", "d"] {
            let sql = match backend {
                Backend::Sqlite => format!("DROP TRIGGER IF EXISTS {}", name(w, event)),
                Backend::Postgres => {
                    format!("DROP TRIGGER IF EXISTS {} ON {}", name(w, event), w.table)
                }
            };
            conn.execute(AssertSqlSafe(sql)).await?;
        }
    }
    Ok(())
}

/// (Re)creates the queue's triggers on every watched table.
pub(crate) async fn install(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<(), sqlx::Error> {
    uninstall(conn, backend).await?;
    for w in WATCHED {
        let statements = match backend {
            Backend::Sqlite => sqlite_triggers(w),
            Backend::Postgres => postgres_triggers(w),
        };
        for sql in statements {
            conn.execute(AssertSqlSafe(sql)).await?;
        }
    }
    Ok(())
}

/// Queues a whole rebuild: for writes that cannot name their cells.
#[cfg(feature = "bench")]
pub(crate) async fn queue_full(conn: &mut sqlx::AnyConnection) -> Result<(), crate::StoreError> {
    conn.execute(
        "INSERT INTO plan_facts_dirty (region_code, year, month, family, lo, hi) VALUES ('*', 0, 0, '*', '', '')",
    )
    .await?;
    Ok(())
}
