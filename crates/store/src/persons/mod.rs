//! The real-name registry (实名制): persons, their categories and family
//! relations.

pub(crate) mod archive;
pub(crate) mod bank_accounts;
pub(crate) mod search;

use crate::imports::batch::{ImportBatch, Rejection, RowOutcome};
use crate::imports::upsert::{Kind, Planned, UpsertTable, upsert};
use crate::persons::bank_accounts::Payee;
use crate::sql::{Val, distinct, select_in};
use crate::{Store, StoreError};
use jineng_domain::NationalId;
use jineng_domain::audit::Entity;
use jineng_domain::records::{CategoryRecord, PersonRecord, RelationRecord};
use sqlx::Row;
use std::collections::HashMap;

const PERSONS: UpsertTable = UpsertTable {
    name: "persons",
    entity: Entity::Person,
    keys: &[("id_number", Kind::Text)],
    data: &[
        ("name", Kind::Text),
        ("sex", Kind::Text),
        ("birth_date", Kind::Text),
        ("ethnicity", Kind::Text),
        ("education", Kind::Text),
        ("phone", Kind::Text),
        ("hukou_region", Kind::Text),
        ("residence_region", Kind::Text),
        ("job_region", Kind::Text),
        ("receives_pension", Kind::Int),
    ],
    lookup: "id_number",
    audit_key: Some("person_id"),
    key_unique: true,
};

const CATEGORIES: UpsertTable = UpsertTable {
    name: "person_categories",
    entity: Entity::PersonCategory,
    keys: &[
        ("person_id", Kind::Int),
        ("category", Kind::Text),
        ("valid_from", Kind::Text),
    ],
    data: &[("valid_to", Kind::Text), ("evidence", Kind::Text)],
    lookup: "person_id",
    audit_key: None,
    key_unique: true,
};

const RELATIONS: UpsertTable = UpsertTable {
    name: "family_relations",
    entity: Entity::FamilyRelation,
    keys: &[("person_id", Kind::Int), ("relative_id", Kind::Int)],
    data: &[("relation", Kind::Text)],
    lookup: "person_id",
    audit_key: None,
    key_unique: true,
};

pub(crate) const UNKNOWN_PERSON: &str = "该身份证号码尚未登记人员信息，请先导入人员信息";

/// A known ID number → (person_id, name).
pub(crate) async fn resolve_persons(
    conn: &mut sqlx::AnyConnection,
    ids: impl Iterator<Item = &NationalId>,
) -> Result<HashMap<String, (i64, String)>, sqlx::Error> {
    let keys = distinct(ids.map(|i| i.as_str()), Val::text);
    let rows = select_in(
        conn,
        "SELECT person_id, id_number, name FROM persons",
        "id_number",
        &keys,
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id_number")?,
                (r.try_get("person_id")?, r.try_get("name")?),
            ))
        })
        .collect()
}

/// The 冒名 check for rows that name a person: the name must agree.
pub(crate) fn person_of(
    known: &HashMap<String, (i64, String)>,
    id: &NationalId,
    name: Option<&str>,
) -> Result<i64, Rejection> {
    match known.get(id.as_str()) {
        None => Err(Rejection::new("身份证号码", UNKNOWN_PERSON)),
        Some((_, stored)) if name.is_some_and(|n| n != stored) => {
            Err(Rejection::new("姓名", IMPERSONATION))
        }
        Some((pid, _)) => Ok(*pid),
    }
}

pub(crate) const IMPERSONATION: &str =
    "姓名与该身份证号码已登记的姓名不一致（疑似冒名），请核对后重新上传";

fn person_data(r: &PersonRecord) -> Vec<Val> {
    vec![
        Val::text(&r.name),
        Val::text(r.sex.as_zh()),
        Val::text(r.birth_date.to_string()),
        Val::opt_text(r.ethnicity.as_ref()),
        Val::opt_text(r.education.as_ref()),
        Val::opt_text(r.phone.as_ref().map(|p| p.as_str())),
        Val::text(r.hukou_region.as_str()),
        Val::opt_text(r.residence_region.as_ref().map(|c| c.as_str())),
        Val::opt_text(r.job_region.as_ref().map(|c| c.as_str())),
        Val::int(r.receives_pension as i64),
    ]
}

/// Rejected rows first, then the written ones, in row order.
pub(crate) fn merge(
    mut a: Vec<(u64, RowOutcome)>,
    b: Vec<(u64, RowOutcome)>,
) -> Vec<(u64, RowOutcome)> {
    a.extend(b);
    a.sort_by_key(|(r, _)| *r);
    a
}

impl Store {
    /// 人员信息 rows: new IDs are inserted, known IDs updated; a known ID
    /// under another name is refused (冒名), never renamed.
    pub async fn import_persons(
        &self,
        batch: &ImportBatch,
        rows: &[(u64, PersonRecord)],
    ) -> Result<Vec<(u64, RowOutcome)>, StoreError> {
        let mut tx = self.begin().await?;
        let planned = rows
            .iter()
            .map(|(n, r)| Planned {
                row: *n,
                key: vec![Val::text(r.id.as_str())],
                data: person_data(r),
            })
            .collect();
        let guard = |_: &[Val], old: &[Val], new: &[Val]| {
            (old[0] != new[0]).then(|| Rejection::new("姓名", IMPERSONATION))
        };
        let out = upsert(&mut tx, &PERSONS, batch, planned, Some(&guard)).await?;
        let accounts = rows
            .iter()
            .filter(|(_, r)| r.bank.is_some())
            .map(|(n, r)| (*n, Val::text(r.id.as_str()), r.bank.as_ref()));
        let out =
            crate::persons::bank_accounts::write(&mut tx, Payee::Person, batch, accounts, out)
                .await?;
        self.end(tx, batch).await?;
        Ok(out)
    }

    /// 人员类别 rows for known persons.
    pub async fn import_categories(
        &self,
        batch: &ImportBatch,
        rows: &[(u64, CategoryRecord)],
    ) -> Result<Vec<(u64, RowOutcome)>, StoreError> {
        let mut tx = self.begin().await?;
        let known = resolve_persons(&mut tx, rows.iter().map(|(_, r)| &r.id)).await?;
        let mut rejected = Vec::new();
        let mut planned = Vec::new();
        for (n, r) in rows {
            match person_of(&known, &r.id, None) {
                Err(e) => rejected.push((*n, RowOutcome::Rejected(vec![e]))),
                Ok(pid) => planned.push(Planned {
                    row: *n,
                    key: vec![
                        Val::int(pid),
                        Val::text(&r.category),
                        Val::text(r.valid_from.to_string()),
                    ],
                    data: vec![
                        Val::opt_text(r.valid_to),
                        Val::opt_text(r.evidence.as_ref()),
                    ],
                }),
            }
        }
        let out = upsert(&mut tx, &CATEGORIES, batch, planned, None).await?;
        self.end(tx, batch).await?;
        Ok(merge(rejected, out))
    }

    /// 家庭关系 rows; each is stored in both directions.
    pub async fn import_relations(
        &self,
        batch: &ImportBatch,
        rows: &[(u64, RelationRecord)],
    ) -> Result<Vec<(u64, RowOutcome)>, StoreError> {
        let mut tx = self.begin().await?;
        let known =
            resolve_persons(&mut tx, rows.iter().flat_map(|(_, r)| [&r.id, &r.relative])).await?;
        let mut rejected = Vec::new();
        let mut planned = Vec::new();
        for (n, r) in rows {
            let a = person_of(&known, &r.id, None);
            let b = person_of(&known, &r.relative, None)
                .map_err(|_| Rejection::new("亲属身份证号码", UNKNOWN_PERSON));
            match (a, b) {
                (Ok(a), Ok(b)) => {
                    planned.push(Planned {
                        row: *n,
                        key: vec![Val::int(a), Val::int(b)],
                        data: vec![Val::text(r.relation.code())],
                    });
                    planned.push(Planned {
                        row: *n,
                        key: vec![Val::int(b), Val::int(a)],
                        data: vec![Val::text(r.relation.inverse().code())],
                    });
                }
                (a, b) => rejected.push((
                    *n,
                    RowOutcome::Rejected(a.err().into_iter().chain(b.err()).collect()),
                )),
            }
        }
        let out = upsert(&mut tx, &RELATIONS, batch, planned, None).await?;
        self.end(tx, batch).await?;
        let pairs = out
            .chunks(2)
            .map(|p| {
                (
                    p[0].0,
                    RowOutcome::combine(p.iter().map(|(_, o)| o.clone())),
                )
            })
            .collect();
        Ok(merge(rejected, pairs))
    }

    /// Commits a chunk, or rolls it back on a dry run.
    pub(crate) async fn end(
        &self,
        tx: sqlx::Transaction<'static, sqlx::Any>,
        batch: &ImportBatch,
    ) -> Result<(), StoreError> {
        if batch.dry_run() {
            tx.rollback().await?
        } else {
            tx.commit().await?
        }
        Ok(())
    }
}

impl Store {
    /// The baseline of `jineng bench import` on SQLite: the same rows
    /// inserted as the import inserts a chunk of new rows (in key order,
    /// multi-row statements bound from the rows' own values), without
    /// parsing, lookups, checks or savepoint.
    #[cfg(feature = "bench")]
    pub async fn bench_bare_insert_persons(&self, rows: &[PersonRecord]) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let vals = bench_person_rows(in_key_order(rows));
        let mut cols = PERSONS.columns();
        cols.extend(["batch_id", "updated_at"]);
        let extra = [Val::I(None), Val::text(crate::audit::now())];
        let (vals, extra) = (&vals, &extra);
        crate::sql::insert_with(&mut tx, "persons", &cols, vals.len(), "", move |i| {
            vals[i].iter().chain(extra)
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A reference beside the SQLite baseline of `jineng bench import`: the
    /// same values inserted through rusqlite on a connection of its own, one
    /// cached single-row statement per row, so the figure shows what the
    /// `Any` driver's binding costs. `None` on PostgreSQL or in memory.
    #[cfg(feature = "bench")]
    pub async fn bench_rusqlite_insert_persons(
        &self,
        rows: &[PersonRecord],
    ) -> Result<Option<()>, StoreError> {
        let Some(reader) = self.reader() else {
            return Ok(None);
        };
        let vals = bench_person_rows(in_key_order(rows));
        let mut cols = PERSONS.columns();
        cols.extend(["batch_id", "updated_at"]);
        let sql = format!(
            "INSERT INTO persons ({}) VALUES ({})",
            cols.join(", "),
            vec!["?"; cols.len()].join(", ")
        );
        let stamp = crate::audit::now();
        let lite = |e: rusqlite::Error| StoreError::Corrupt(format!("rusqlite：{e}"));
        let mut conn = rusqlite::Connection::open(reader.path()).map_err(lite)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(lite)?;
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(lite)?;
        {
            let mut stmt = tx.prepare_cached(&sql).map_err(lite)?;
            for row in &vals {
                for (i, v) in row.iter().enumerate() {
                    stmt.raw_bind_parameter(i + 1, v).map_err(lite)?;
                }
                stmt.raw_bind_parameter(row.len() + 1, None::<i64>)
                    .map_err(lite)?;
                stmt.raw_bind_parameter(row.len() + 2, &stamp)
                    .map_err(lite)?;
                stmt.raw_execute().map_err(lite)?;
            }
        }
        tx.commit().map_err(lite)?;
        Ok(Some(()))
    }

    /// The baseline of `jineng bench import` on PostgreSQL: the same rows
    /// copied straight into `persons` (COPY, one transaction). `None` on
    /// SQLite, which has no COPY.
    #[cfg(feature = "bench")]
    pub async fn bench_bare_copy_persons(
        &self,
        rows: &[PersonRecord],
    ) -> Result<Option<()>, StoreError> {
        let Some(stager) = &self.stager else {
            return Ok(None);
        };
        let stamp = crate::audit::now();
        let mut vals = bench_person_rows(rows.iter());
        for v in &mut vals {
            v.push(Val::text(&stamp));
        }
        let mut cols = PERSONS.columns();
        cols.push("updated_at");
        stager.copy_into("persons", &cols, &vals).await?;
        Ok(Some(()))
    }
}

/// The rows in key order, as the import inserts a chunk of new rows.
#[cfg(feature = "bench")]
fn in_key_order(rows: &[PersonRecord]) -> Vec<&PersonRecord> {
    let mut sorted: Vec<&PersonRecord> = rows.iter().collect();
    sorted.sort_unstable_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    sorted
}

/// The key and data values of rows, as the import plans them.
#[cfg(feature = "bench")]
fn bench_person_rows<'r>(rows: impl IntoIterator<Item = &'r PersonRecord>) -> Vec<Vec<Val>> {
    rows.into_iter()
        .map(|r| {
            let mut v = vec![Val::text(r.id.as_str())];
            v.extend(person_data(r));
            v
        })
        .collect()
}
