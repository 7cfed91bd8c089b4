//! The generic row writer behind every import: prefetch what exists for a
//! chunk of rows, decide insert / update / unchanged / rejected per row in
//! memory, then write inserts as multi-row statements, updates one by one,
//! and an audit row per update. Re-running the same rows is a no-op.
//!
//! On SQLite a chunk is first written as if none of its keys were stored,
//! under a savepoint, without the lookup: every table written here has its
//! key UNIQUE, so when that INSERT succeeds the lookup would have found
//! nothing and the outcomes are the ones it would have given. When it fails
//! (a key is stored, or any other refusal) the savepoint is rolled back and
//! the chunk takes the lookup, which reports the refusal as before. A
//! chunk of new keys, the bulk of a first import, then costs about what a
//! bare insert of its rows costs (docs/scale.md, "Import speed").

use crate::audit::AuditEntry;
use crate::dialect::Backend;
use crate::imports::batch::{ImportBatch, Rejection, RowOutcome};
use crate::sql::{Val, insert_with, select_in};
use jineng_domain::audit::{Action, Entity};
use sqlx::{AssertSqlSafe, Row};
use std::borrow::Cow;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Int,
}

/// How one table is upserted.
pub(crate) struct UpsertTable {
    pub name: &'static str,
    /// The audit trail's name for the entity.
    pub entity: Entity,
    pub keys: &'static [(&'static str, Kind)],
    pub data: &'static [(&'static str, Kind)],
    /// The key column used to prefetch a chunk's existing rows.
    pub lookup: &'static str,
    /// A column fetched to name the record in the audit trail instead of its
    /// key (persons are named by person_id, never by ID number).
    pub audit_key: Option<&'static str>,
    /// The key is UNIQUE in the schema and new keys are inserted, so an
    /// INSERT that succeeds proves every key of the chunk new (SQLite then
    /// skips the lookup). False for tables only ever updated here (the bank
    /// accounts, written onto their payee's row).
    pub key_unique: bool,
}

impl UpsertTable {
    /// The key columns, then the data columns.
    pub(crate) fn columns(&self) -> Vec<&'static str> {
        self.keys.iter().chain(self.data).map(|(c, _)| *c).collect()
    }
}

/// A row ready to be written.
pub(crate) struct Planned {
    pub row: u64,
    pub key: Vec<Val>,
    pub data: Vec<Val>,
}

/// A check of a new row against the stored one (e.g. 冒名: same ID, other
/// name): called with the key, the stored data and the new data.
// Sync, so that an import can run inside a web handler's (Send) future.
pub(crate) type Guard<'a> = &'a (dyn Fn(&[Val], &[Val], &[Val]) -> Option<Rejection> + Sync);

fn key_string(key: &[Val]) -> String {
    let mut s = String::new();
    for v in key {
        match v {
            Val::T(t) => s.push_str(t.as_deref().unwrap_or("\u{0}")),
            Val::I(i) => s.push_str(&i.map(|i| i.to_string()).unwrap_or_else(|| "\u{0}".into())),
        }
        s.push('\u{1f}');
    }
    s
}

/// The audit trail's name of a record named by its key: `a/b`.
fn key_name(key: &[Val]) -> String {
    key_string(key)
        .replace('\u{1f}', "/")
        .trim_end_matches('/')
        .to_string()
}

fn decode(row: &sqlx::any::AnyRow, col: &str, kind: Kind) -> Result<Val, sqlx::Error> {
    Ok(match kind {
        Kind::Text => Val::T(row.try_get::<Option<String>, _>(col)?),
        Kind::Int => Val::I(row.try_get::<Option<i64>, _>(col)?),
    })
}

/// Columns the audit trail shows masked: bank accounts are sensitive.
const MASKED: &[&str] = &["bank_account"];

fn to_json(cols: &[(&str, Kind)], vals: &[Val]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = cols
        .iter()
        .zip(vals)
        .map(|((c, _), v)| {
            let j = match v {
                Val::T(Some(t)) if MASKED.contains(c) => {
                    serde_json::Value::String(jineng_domain::bank_account::mask_account(t))
                }
                Val::T(Some(t)) => serde_json::Value::String(t.clone()),
                Val::I(Some(i)) => serde_json::Value::from(*i),
                _ => serde_json::Value::Null,
            };
            ((*c).to_string(), j)
        })
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// What a key of the chunk holds so far.
enum Current {
    /// Stored before this chunk and not yet changed by it: its data and
    /// its name in the audit trail.
    Stored(Vec<Val>, String),
    /// Last written by planned row `row`; `slot` is its place among the
    /// inserts when the chunk inserts the key.
    Planned {
        row: usize,
        slot: Option<usize>,
        name: String,
    },
}

/// The keys stored before the chunk, by key.
type Known<'p> = HashMap<Cow<'p, [Val]>, Current>;

/// A chunk's rows decided, by index into the planned rows (their values
/// are bound from there, never copied).
struct Decided {
    outcomes: Vec<(u64, RowOutcome)>,
    /// The row that inserts each new key (the last of its rows), in key
    /// order: each index insert then lands near the previous one.
    inserts: Vec<usize>,
    /// The rows that update a stored row, in row order.
    updates: Vec<usize>,
    audits: Vec<AuditEntry>,
}

/// Decides every planned row against `current` (what is stored).
fn decide<'p>(
    table: &UpsertTable,
    planned: &'p [Planned],
    mut current: Known<'p>,
    guard: Option<Guard<'_>>,
) -> Decided {
    let mut d = Decided {
        outcomes: Vec::with_capacity(planned.len()),
        inserts: Vec::new(),
        updates: Vec::new(),
        audits: Vec::new(),
    };
    current.reserve(planned.len());
    for (i, p) in planned.iter().enumerate() {
        let outcome = match current.get_mut(p.key.as_slice()) {
            Some(cur) => {
                let (old, name) = match &*cur {
                    Current::Stored(data, name) => (data.as_slice(), name),
                    Current::Planned { row, name, .. } => (planned[*row].data.as_slice(), name),
                };
                if let Some(rej) = guard.and_then(|g| g(&p.key, old, &p.data)) {
                    RowOutcome::Rejected(vec![rej])
                } else if old == p.data.as_slice() {
                    RowOutcome::Unchanged
                } else {
                    d.audits.push(AuditEntry {
                        action: Action::Update,
                        entity: table.entity,
                        key: name.clone(),
                        before: Some(to_json(table.data, old)),
                        after: Some(to_json(table.data, &p.data)),
                    });
                    match cur {
                        Current::Stored(_, name) => {
                            d.updates.push(i);
                            let name = std::mem::take(name);
                            *cur = Current::Planned {
                                row: i,
                                slot: None,
                                name,
                            };
                        }
                        Current::Planned { row, slot, .. } => {
                            *row = i;
                            match slot {
                                // Same new key twice in one chunk: the
                                // later row wins the insert.
                                Some(s) => d.inserts[*s] = i,
                                None => d.updates.push(i),
                            }
                        }
                    }
                    RowOutcome::Updated
                }
            }
            None => {
                // A row inserted by this chunk is named by its key (its
                // generated id, when the audit uses one, is not known yet).
                let name = match table.audit_key {
                    Some(_) => String::new(),
                    None => key_name(&p.key),
                };
                let slot = Some(d.inserts.len());
                current.insert(
                    Cow::Borrowed(&p.key),
                    Current::Planned { row: i, slot, name },
                );
                d.inserts.push(i);
                RowOutcome::Inserted
            }
        };
        d.outcomes.push((p.row, outcome));
    }
    d.inserts
        .sort_by_cached_key(|&i| key_string(&planned[i].key));
    d
}

/// Writes `planned` rows of `table` inside the caller's transaction and
/// returns each row's outcome (in the order given).
pub(crate) async fn upsert(
    conn: &mut sqlx::AnyConnection,
    table: &UpsertTable,
    batch: &ImportBatch,
    mut planned: Vec<Planned>,
    guard: Option<Guard<'_>>,
) -> Result<Vec<(u64, RowOutcome)>, sqlx::Error> {
    let stamp = crate::audit::now();
    if table.key_unique
        && Backend::of(conn) == Backend::Sqlite
        && let Some(d) = insert_if_all_new(conn, table, batch.id, &stamp, &planned, guard).await?
    {
        crate::audit::write(conn, &batch.actor, batch.id, &d.audits).await?;
        return Ok(d.outcomes);
    }
    let current = look_up(conn, table, &planned).await?;
    let Decided {
        outcomes,
        inserts,
        updates,
        audits,
    } = decide(table, &planned, current, guard);
    match &batch.stager {
        Some(stager) if crate::imports::stage::fits(table) => {
            // COPY takes owned rows: move them out of the planned ones.
            let mut take = |i: usize| {
                let p = &mut planned[i];
                (std::mem::take(&mut p.key), std::mem::take(&mut p.data))
            };
            let inserts: Vec<Vec<Val>> = inserts
                .iter()
                .map(|&i| {
                    let (mut key, data) = take(i);
                    key.extend(data);
                    key
                })
                .collect();
            let updates = last_per_key(updates.iter().map(|&i| take(i)).collect());
            crate::imports::stage::merge(conn, stager, table, batch.id, &stamp, &inserts, &updates)
                .await?
        }
        _ => {
            insert_planned(conn, table, batch.id, &stamp, &planned, &inserts).await?;
            update_planned(conn, table, batch.id, &stamp, &planned, &updates).await?
        }
    }
    crate::audit::write(conn, &batch.actor, batch.id, &audits).await?;
    Ok(outcomes)
}

/// SQLite: writes the chunk as if none of its keys were stored, under a
/// savepoint. `None` (and nothing written) when the insert is refused.
async fn insert_if_all_new(
    conn: &mut sqlx::AnyConnection,
    table: &UpsertTable,
    batch_id: Option<i64>,
    stamp: &str,
    planned: &[Planned],
    guard: Option<Guard<'_>>,
) -> Result<Option<Decided>, sqlx::Error> {
    let d = decide(table, planned, HashMap::new(), guard);
    debug_assert!(d.updates.is_empty(), "nothing stored, nothing updated");
    sqlx::query("SAVEPOINT upsert_new")
        .execute(&mut *conn)
        .await?;
    match insert_planned(conn, table, batch_id, stamp, planned, &d.inserts).await {
        Ok(()) => {
            sqlx::query("RELEASE upsert_new")
                .execute(&mut *conn)
                .await?;
            Ok(Some(d))
        }
        // Any refusal by the database: the lookup path meets it again and
        // reports it as it always did (a stored key is not one).
        Err(sqlx::Error::Database(_)) => {
            sqlx::query("ROLLBACK TO upsert_new")
                .execute(&mut *conn)
                .await?;
            sqlx::query("RELEASE upsert_new")
                .execute(&mut *conn)
                .await?;
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// What is stored of the chunk's keys (one lookup by `table.lookup`).
async fn look_up<'p>(
    conn: &mut sqlx::AnyConnection,
    table: &UpsertTable,
    planned: &'p [Planned],
) -> Result<Known<'p>, sqlx::Error> {
    let lookup_idx = table
        .keys
        .iter()
        .position(|(c, _)| *c == table.lookup)
        .expect("lookup is a key column");
    let mut seen = std::collections::HashSet::new();
    let lookups: Vec<Val> = planned
        .iter()
        .map(|p| &p.key[lookup_idx])
        .filter(|v| seen.insert(*v))
        .cloned()
        .collect();
    let mut cols = table.columns();
    if let Some(a) = table.audit_key {
        cols.push(a);
    }
    let select = format!("SELECT {} FROM {}", cols.join(", "), table.name);
    let mut current = Known::new();
    for row in select_in(conn, &select, table.lookup, &lookups).await? {
        let key: Vec<Val> = table
            .keys
            .iter()
            .map(|(c, k)| decode(&row, c, *k))
            .collect::<Result<_, _>>()?;
        let data: Vec<Val> = table
            .data
            .iter()
            .map(|(c, k)| decode(&row, c, *k))
            .collect::<Result<_, _>>()?;
        let name = match table.audit_key {
            Some(a) => match decode(&row, a, Kind::Int)? {
                Val::I(Some(i)) => i.to_string(),
                _ => String::new(),
            },
            None => key_name(&key),
        };
        current.insert(Cow::Owned(key), Current::Stored(data, name));
    }
    Ok(current)
}

/// The updates of a chunk, the last one per key (a key updated twice in a
/// chunk takes its last row's data, as one statement per row did).
fn last_per_key(updates: Vec<(Vec<Val>, Vec<Val>)>) -> Vec<(Vec<Val>, Vec<Val>)> {
    let mut at: HashMap<Vec<Val>, usize> = HashMap::new();
    let mut out: Vec<(Vec<Val>, Vec<Val>)> = Vec::with_capacity(updates.len());
    for (key, data) in updates {
        match at.get(&key) {
            Some(&i) => out[i].1 = data,
            None => {
                at.insert(key.clone(), out.len());
                out.push((key, data));
            }
        }
    }
    out
}

/// Inserts the planned rows `rows` (key, data, then `batch_id` and
/// `stamp`) as multi-row statements.
async fn insert_planned(
    conn: &mut sqlx::AnyConnection,
    table: &UpsertTable,
    batch_id: Option<i64>,
    stamp: &str,
    planned: &[Planned],
    rows: &[usize],
) -> Result<(), sqlx::Error> {
    let mut cols = table.columns();
    cols.extend(["batch_id", "updated_at"]);
    let extra = [Val::I(batch_id), Val::text(stamp)];
    let extra = &extra;
    insert_with(conn, table.name, &cols, rows.len(), "", move |i| {
        let p = &planned[rows[i]];
        p.key.iter().chain(&p.data).chain(extra)
    })
    .await?;
    Ok(())
}

/// Updates the stored rows of the planned rows `rows` one by one (SQLite;
/// PostgreSQL stages them instead, `stage`).
async fn update_planned(
    conn: &mut sqlx::AnyConnection,
    table: &UpsertTable,
    batch_id: Option<i64>,
    stamp: &str,
    planned: &[Planned],
    rows: &[usize],
) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut set: Vec<String> = table
        .data
        .iter()
        .enumerate()
        .map(|(i, (c, _))| format!("{c} = ${}", i + 1))
        .collect();
    let n = table.data.len();
    set.push(format!("batch_id = ${}", n + 1));
    set.push(format!("updated_at = ${}", n + 2));
    let cond: Vec<String> = table
        .keys
        .iter()
        .enumerate()
        .map(|(i, (c, _))| format!("{c} = ${}", n + 3 + i))
        .collect();
    let sql = format!(
        "UPDATE {} SET {} WHERE {}",
        table.name,
        set.join(", "),
        cond.join(" AND ")
    );
    let extra = [Val::I(batch_id), Val::text(stamp)];
    for &i in rows {
        let p = &planned[i];
        let vals = p.data.iter().chain(&extra).chain(&p.key);
        crate::sql::bind_iter(sqlx::query(AssertSqlSafe(sql.clone())), vals)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
