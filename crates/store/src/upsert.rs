//! The generic row writer behind every import: prefetch what exists for a
//! chunk of rows, decide insert / update / unchanged / rejected per row in
//! memory, then write inserts as multi-row statements, updates one by one,
//! and an audit row per update. Re-running the same rows is a no-op.

use crate::audit::{self, AuditEntry};
use crate::batch::{ImportBatch, Outcome, Rejection};
use crate::sql::{Val, insert_rows, select_in};
use sqlx::{AssertSqlSafe, Row};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Int,
}

/// How one table is upserted.
pub(crate) struct Table {
    pub name: &'static str,
    /// The audit trail's name for the entity.
    pub entity: &'static str,
    pub keys: &'static [(&'static str, Kind)],
    pub data: &'static [(&'static str, Kind)],
    /// The key column used to prefetch a chunk's existing rows.
    pub lookup: &'static str,
    /// A column fetched to name the record in the audit trail instead of its
    /// key (persons are named by person_id, never by ID number).
    pub audit_key: Option<&'static str>,
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

/// Writes `planned` rows of `table` inside the caller's transaction and
/// returns each row's outcome (in the order given).
pub(crate) async fn upsert(
    conn: &mut sqlx::AnyConnection,
    table: &Table,
    batch: &ImportBatch,
    planned: Vec<Planned>,
    guard: Option<Guard<'_>>,
) -> Result<Vec<(u64, Outcome)>, sqlx::Error> {
    let lookup_idx = table
        .keys
        .iter()
        .position(|(c, _)| *c == table.lookup)
        .expect("lookup is a key column");
    let mut seen = std::collections::HashSet::new();
    let lookups: Vec<Val> = planned
        .iter()
        .map(|p| p.key[lookup_idx].clone())
        .filter(|v| seen.insert(key_string(std::slice::from_ref(v))))
        .collect();

    let mut cols: Vec<&str> = table
        .keys
        .iter()
        .chain(table.data)
        .map(|(c, _)| *c)
        .collect();
    if let Some(a) = table.audit_key {
        cols.push(a);
    }
    let select = format!("SELECT {} FROM {}", cols.join(", "), table.name);
    // Current state per key: (data, audit name, stored before this chunk?)
    let mut current: HashMap<String, (Vec<Val>, String, bool)> = HashMap::new();
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
        current.insert(key_string(&key), (data, name, true));
    }

    let mut outcomes = Vec::with_capacity(planned.len());
    let mut inserts: Vec<(String, Vec<Val>)> = Vec::new();
    let mut insert_at: HashMap<String, usize> = HashMap::new();
    let mut updates: Vec<(Vec<Val>, Vec<Val>)> = Vec::new();
    let mut audits = Vec::new();
    for p in planned {
        let ks = key_string(&p.key);
        let outcome = match current.get_mut(&ks) {
            Some((old, name, stored)) => {
                if let Some(rej) = guard.and_then(|g| g(&p.key, old, &p.data)) {
                    Outcome::Rejected(vec![rej])
                } else if *old == p.data {
                    Outcome::Unchanged
                } else {
                    audits.push(AuditEntry {
                        action: "update",
                        entity: table.entity,
                        key: name.clone(),
                        before: Some(to_json(table.data, old)),
                        after: Some(to_json(table.data, &p.data)),
                    });
                    if *stored {
                        updates.push((p.key.clone(), p.data.clone()));
                    } else {
                        // Same key twice in one chunk: the later row wins the insert.
                        let i = insert_at[&ks];
                        inserts[i].1 = p.key.iter().chain(&p.data).cloned().collect();
                    }
                    *old = p.data;
                    Outcome::Updated
                }
            }
            None => {
                insert_at.insert(ks.clone(), inserts.len());
                inserts.push((ks.clone(), p.key.iter().chain(&p.data).cloned().collect()));
                // A row inserted by this chunk is named by its key (its
                // generated id, when the audit uses one, is not known yet).
                let name = match table.audit_key {
                    Some(_) => String::new(),
                    None => key_name(&p.key),
                };
                current.insert(ks, (p.data, name, false));
                Outcome::Inserted
            }
        };
        outcomes.push((p.row, outcome));
    }

    let stamp = audit::now();
    // Key order keeps each index insert near the previous one.
    inserts.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let inserts: Vec<Vec<Val>> = inserts.into_iter().map(|(_, vals)| vals).collect();
    match &batch.stager {
        Some(stager) if crate::stage::fits(table) => {
            let updates = last_per_key(updates);
            crate::stage::merge(conn, stager, table, batch.id, &stamp, &inserts, &updates).await?
        }
        _ => write_rows(conn, table, batch.id, &stamp, inserts, updates).await?,
    }
    audit::write(conn, &batch.actor, batch.id, &audits).await?;
    Ok(outcomes)
}

/// The updates of a chunk, the last one per key (a key updated twice in a
/// chunk takes its last row's data, as one statement per row did).
fn last_per_key(updates: Vec<(Vec<Val>, Vec<Val>)>) -> Vec<(Vec<Val>, Vec<Val>)> {
    let mut at: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<(Vec<Val>, Vec<Val>)> = Vec::with_capacity(updates.len());
    for (key, data) in updates {
        match at.get(&key_string(&key)) {
            Some(&i) => out[i].1 = data,
            None => {
                at.insert(key_string(&key), out.len());
                out.push((key, data));
            }
        }
    }
    out
}

/// Writes a chunk's inserts as multi-row statements and its updates one by
/// one (SQLite; PostgreSQL stages them instead, `stage`).
async fn write_rows(
    conn: &mut sqlx::AnyConnection,
    table: &Table,
    batch_id: Option<i64>,
    stamp: &str,
    inserts: Vec<Vec<Val>>,
    updates: Vec<(Vec<Val>, Vec<Val>)>,
) -> Result<(), sqlx::Error> {
    let mut insert_cols: Vec<&str> = table
        .keys
        .iter()
        .chain(table.data)
        .map(|(c, _)| *c)
        .collect();
    insert_cols.extend(["batch_id", "updated_at"]);
    let rows: Vec<Vec<Val>> = inserts
        .into_iter()
        .map(|mut vals| {
            vals.push(Val::I(batch_id));
            vals.push(Val::text(stamp));
            vals
        })
        .collect();
    insert_rows(conn, table.name, &insert_cols, &rows, "").await?;
    if updates.is_empty() {
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
    for (key, data) in updates {
        let mut vals = data;
        vals.push(Val::I(batch_id));
        vals.push(Val::text(stamp));
        vals.extend(key);
        crate::sql::bind_all(sqlx::query(AssertSqlSafe(sql.clone())), &vals)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
