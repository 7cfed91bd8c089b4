//! Training institutions, their catalogue periods, and their classes.

pub(crate) mod pages;

use crate::imports::batch::{ImportBatch, Rejection, RowOutcome};
use crate::imports::upsert::{Kind, Planned, UpsertTable, upsert};
use crate::persons::bank_accounts::Payee;
use crate::persons::{merge, person_of, resolve_persons};
use crate::sql::{Val, distinct, select_in};
use crate::{Store, StoreError};
use jineng_domain::audit::Entity;
use jineng_domain::records::{ClassRecord, InstitutionRecord};
use jineng_domain::{CreditCode, NationalId};
use sqlx::Row;
use std::collections::HashMap;

const INSTITUTIONS: UpsertTable = UpsertTable {
    name: "institutions",
    entity: Entity::Institution,
    keys: &[("credit_code", Kind::Text)],
    data: &[
        ("name", Kind::Text),
        ("kind", Kind::Text),
        ("region_code", Kind::Text),
    ],
    lookup: "credit_code",
    audit_key: Some("institution_id"),
    key_unique: true,
};

const CATALOGUE: UpsertTable = UpsertTable {
    name: "institution_catalogue",
    entity: Entity::InstitutionCatalogue,
    keys: &[("institution_id", Kind::Int), ("valid_from", Kind::Text)],
    data: &[("valid_to", Kind::Text)],
    lookup: "institution_id",
    audit_key: None,
    key_unique: true,
};

const CLASSES: UpsertTable = UpsertTable {
    name: "classes",
    entity: Entity::Class,
    keys: &[("institution_id", Kind::Int), ("class_no", Kind::Text)],
    data: &[
        ("training_type", Kind::Text),
        ("occupation_code", Kind::Text),
        ("skill_level", Kind::Int),
        ("site_region", Kind::Text),
        ("start_date", Kind::Text),
        ("end_date", Kind::Text),
        ("planned_hours", Kind::Int),
        ("in_plan", Kind::Int),
    ],
    lookup: "institution_id",
    audit_key: Some("class_id"),
    key_unique: true,
};

pub(crate) const UNKNOWN_INSTITUTION: &str =
    "该统一社会信用代码的培训机构尚未登记，请先导入培训机构";

/// Known credit codes → institution_id.
pub(crate) async fn resolve_institutions<'a>(
    conn: &mut sqlx::AnyConnection,
    codes: impl Iterator<Item = &'a CreditCode>,
) -> Result<HashMap<String, i64>, sqlx::Error> {
    let keys = distinct(codes.map(|c| c.as_str()), Val::text);
    let rows = select_in(
        conn,
        "SELECT institution_id, credit_code FROM institutions",
        "credit_code",
        &keys,
    )
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("credit_code")?, r.try_get("institution_id")?)))
        .collect()
}

/// A class as rows that refer to it need it.
#[derive(Debug, Clone)]
pub(crate) struct ClassRef {
    pub class_id: i64,
    pub class_no: String,
    pub planned_hours: i64,
    /// 已结业: its roster, hours and results are final.
    pub closed: bool,
}

/// The class a row names by its institution's credit code and its 班级编号,
/// from the maps [`resolve_institutions`] and [`resolve_classes`] built;
/// when either is unknown, the rejection goes into `errs`.
pub(crate) fn class_named<'c>(
    insts: &HashMap<String, i64>,
    classes: &'c HashMap<(i64, String), ClassRef>,
    institution: &CreditCode,
    class_no: &str,
    errs: &mut Vec<Rejection>,
) -> Option<&'c ClassRef> {
    let Some(iid) = insts.get(institution.as_str()) else {
        errs.push(Rejection::new("统一社会信用代码", UNKNOWN_INSTITUTION));
        return None;
    };
    let c = classes.get(&(*iid, class_no.to_string()));
    if c.is_none() {
        errs.push(Rejection::new(
            "班级编号",
            format!("该机构没有编号为「{class_no}」的培训班，请先导入培训班"),
        ));
    }
    c
}

/// What rows naming a class and a person (花名册, 线上学习) are checked
/// against: the institutions, their classes and the persons they name.
pub(crate) struct Named {
    pub insts: HashMap<String, i64>,
    pub classes: HashMap<(i64, String), ClassRef>,
    pub people: HashMap<String, (i64, String)>,
}

impl Named {
    /// Resolves the institutions and ID numbers rows name, with every
    /// class of those institutions.
    pub(crate) async fn resolve<'a>(
        conn: &mut sqlx::AnyConnection,
        institutions: impl Iterator<Item = &'a CreditCode>,
        ids: impl Iterator<Item = &'a NationalId>,
    ) -> Result<Named, sqlx::Error> {
        let insts = resolve_institutions(conn, institutions).await?;
        let classes = resolve_classes(conn, insts.values().copied()).await?;
        let people = resolve_persons(conn, ids).await?;
        Ok(Named {
            insts,
            classes,
            people,
        })
    }

    /// The class (by institution and 班级编号) and the person (by ID
    /// number, the name checked) a row names; each one unknown leaves its
    /// rejection in `errs`.
    pub(crate) fn class_and_person(
        &self,
        institution: &CreditCode,
        class_no: &str,
        id: &NationalId,
        name: &str,
        errs: &mut Vec<Rejection>,
    ) -> (Option<&ClassRef>, Option<i64>) {
        let class = class_named(&self.insts, &self.classes, institution, class_no, errs);
        let person = person_of(&self.people, id, Some(name))
            .map_err(|e| errs.push(e))
            .ok();
        (class, person)
    }
}

/// (institution_id, class_no) → class, for the given institutions.
pub(crate) async fn resolve_classes(
    conn: &mut sqlx::AnyConnection,
    institution_ids: impl Iterator<Item = i64>,
) -> Result<HashMap<(i64, String), ClassRef>, sqlx::Error> {
    let keys = distinct(institution_ids, Val::int);
    let rows = select_in(
        conn,
        "SELECT class_id, institution_id, class_no, planned_hours, status FROM classes",
        "institution_id",
        &keys,
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                (r.try_get("institution_id")?, r.try_get("class_no")?),
                ClassRef {
                    class_id: r.try_get("class_id")?,
                    class_no: r.try_get("class_no")?,
                    planned_hours: r.try_get("planned_hours")?,
                    closed: r.try_get::<String, _>("status")? == "closed",
                },
            ))
        })
        .collect()
}

impl Store {
    /// 培训机构 rows, with their approved-catalogue period.
    pub async fn import_institutions(
        &self,
        batch: &ImportBatch,
        rows: &[(u64, InstitutionRecord)],
    ) -> Result<Vec<(u64, RowOutcome)>, StoreError> {
        let mut tx = self.begin().await?;
        let planned = rows
            .iter()
            .map(|(n, r)| Planned {
                row: *n,
                key: vec![Val::text(r.credit_code.as_str())],
                data: vec![
                    Val::text(&r.name),
                    Val::text(&r.kind),
                    Val::text(r.region.as_str()),
                ],
            })
            .collect();
        let main = upsert(&mut tx, &INSTITUTIONS, batch, planned, None).await?;
        let accounts = rows
            .iter()
            .map(|(n, r)| (*n, Val::text(r.credit_code.as_str()), r.bank.as_ref()));
        let main = crate::persons::bank_accounts::write(
            &mut tx,
            Payee::Organisation,
            batch,
            accounts,
            main,
        )
        .await?;
        let ids = resolve_institutions(&mut tx, rows.iter().map(|(_, r)| &r.credit_code)).await?;
        let periods: Vec<Planned> = rows
            .iter()
            .filter_map(|(n, r)| {
                let (from, to) = r.catalogue?;
                Some(Planned {
                    row: *n,
                    key: vec![
                        Val::int(ids[r.credit_code.as_str()]),
                        Val::text(from.to_string()),
                    ],
                    data: vec![Val::opt_text(to)],
                })
            })
            .collect();
        let cat: HashMap<u64, RowOutcome> = upsert(&mut tx, &CATALOGUE, batch, periods, None)
            .await?
            .into_iter()
            .collect();
        self.end(tx, batch).await?;
        Ok(main
            .into_iter()
            .map(|(n, o)| match cat.get(&n) {
                Some(c) => (n, RowOutcome::combine([o, c.clone()])),
                None => (n, o),
            })
            .collect())
    }

    /// 培训班 rows (开班备案) of known institutions.
    pub async fn import_classes(
        &self,
        batch: &ImportBatch,
        rows: &[(u64, ClassRecord)],
    ) -> Result<Vec<(u64, RowOutcome)>, StoreError> {
        let mut tx = self.begin().await?;
        let ids = resolve_institutions(&mut tx, rows.iter().map(|(_, r)| &r.institution)).await?;
        let mut rejected = Vec::new();
        let mut planned = Vec::new();
        for (n, r) in rows {
            let Some(&iid) = ids.get(r.institution.as_str()) else {
                rejected.push((
                    *n,
                    RowOutcome::Rejected(vec![Rejection::new(
                        "统一社会信用代码",
                        UNKNOWN_INSTITUTION,
                    )]),
                ));
                continue;
            };
            planned.push(Planned {
                row: *n,
                key: vec![Val::int(iid), Val::text(&r.class_no)],
                data: vec![
                    Val::text(&r.training_type),
                    Val::text(r.occupation.as_str()),
                    Val::I(r.level.map(|l| l.grade() as i64)),
                    Val::text(r.site.as_str()),
                    Val::text(r.start.to_string()),
                    Val::text(r.end.to_string()),
                    Val::int(r.planned_hours),
                    Val::I(r.in_plan.map(i64::from)),
                ],
            });
        }
        let keys: HashMap<u64, (i64, String)> = rows
            .iter()
            .filter_map(|(n, r)| {
                Some((*n, (*ids.get(r.institution.as_str())?, r.class_no.clone())))
            })
            .collect();
        let mut out = upsert(&mut tx, &CLASSES, batch, planned, None).await?;
        crate::supervision::set_class_teachers(&mut tx, batch, rows, &ids, &mut out).await?;
        // A returned class (退回) filed again with changes goes back to review.
        let changed: Vec<(i64, String)> = out
            .iter()
            .filter(|(_, o)| *o == RowOutcome::Updated)
            .filter_map(|(n, _)| keys.get(n).cloned())
            .collect();
        crate::classes::review::refile_returned(&mut tx, &batch.actor, &changed).await?;
        self.end(tx, batch).await?;
        Ok(merge(rejected, out))
    }
}
