//! A deployment's own regions: functional zones that statistics count as
//! county-level units but that have no national code (聊城 经济技术开发区 …),
//! and flags on national regions (深度贫困县).

use crate::audit::AuditEntry;
use crate::imports::batch::{ImportBatch, Rejection, RowOutcome};
use crate::sql::{Val, insert_rows, select_in};
use crate::{Store, StoreError};
use jineng_domain::RegionCode;
use jineng_domain::audit::{Action, Entity};
use jineng_domain::records::RegionRecord;
use sqlx::Row;
use std::collections::HashMap;

struct Stored {
    name: String,
    level: String,
    national: bool,
    deep_poverty: bool,
}

impl Store {
    /// 行政区划 rows: new codes become deployment-defined county-level zones
    /// under their parent; national regions may only have their flags set.
    pub async fn import_regions(
        &self,
        batch: &ImportBatch,
        rows: &[(u64, RegionRecord)],
    ) -> Result<Vec<(u64, RowOutcome)>, StoreError> {
        let mut tx = self.begin().await?;
        let mut known = known_regions(&mut tx, rows).await?;
        let stamp = crate::audit::now();
        let mut out = Vec::with_capacity(rows.len());
        let mut audits = Vec::new();
        for (n, r) in rows {
            let code = r.code.as_str();
            let outcome = match known.get_mut(code) {
                Some(s) if s.national && s.name != r.name => {
                    RowOutcome::Rejected(vec![Rejection::new(
                        "名称",
                        format!(
                            "国家区划代码 {code} 的名称为「{}」，不能改为「{}」",
                            s.name, r.name
                        ),
                    )])
                }
                Some(s) => {
                    let poverty = r.deep_poverty.unwrap_or(s.deep_poverty);
                    update_region(&mut tx, r, s, poverty, &mut audits).await?
                }
                None => match r.parent.as_ref().map(|p| (p, known.get(p.as_str()))) {
                    None => RowOutcome::Rejected(vec![Rejection::new(
                        "上级区划代码",
                        "新增区划须填写上级区划代码",
                    )]),
                    Some((p, Some(parent)))
                        if parent.level != "county" && p.as_str()[..2] == code[..2] =>
                    {
                        let stored = insert_zone(&mut tx, r, p, &stamp, &mut audits).await?;
                        known.insert(code.to_string(), stored);
                        RowOutcome::Inserted
                    }
                    Some((p, _)) => RowOutcome::Rejected(vec![Rejection::new(
                        "上级区划代码",
                        format!("上级区划 {p} 须为与 {code} 同省的地级市或省"),
                    )]),
                },
            };
            out.push((*n, outcome));
        }
        crate::audit::write(&mut tx, &batch.actor, batch.id, &audits).await?;
        self.end(tx, batch).await?;
        Ok(out)
    }
}

/// The stored regions among the rows' codes and parents, by code.
async fn known_regions(
    conn: &mut sqlx::AnyConnection,
    rows: &[(u64, RegionRecord)],
) -> Result<HashMap<String, Stored>, StoreError> {
    let keys: Vec<Val> = rows
        .iter()
        .flat_map(|(_, r)| [Some(&r.code), r.parent.as_ref()])
        .flatten()
        .map(|c| Val::text(c.as_str()))
        .collect();
    let mut known: HashMap<String, Stored> = HashMap::new();
    for r in select_in(
        conn,
        "SELECT code, name, level, national, deep_poverty FROM regions",
        "code",
        &keys,
    )
    .await?
    {
        known.insert(
            r.try_get("code")?,
            Stored {
                name: r.try_get("name")?,
                level: r.try_get("level")?,
                national: r.try_get::<i64, _>("national")? == 1,
                deep_poverty: r.try_get::<i64, _>("deep_poverty")? == 1,
            },
        );
    }
    Ok(known)
}

/// Sets a stored region's name and deep-poverty flag when the row changes
/// them, audited; `s` follows.
async fn update_region(
    conn: &mut sqlx::AnyConnection,
    r: &RegionRecord,
    s: &mut Stored,
    poverty: bool,
    audits: &mut Vec<AuditEntry>,
) -> Result<RowOutcome, StoreError> {
    let code = r.code.as_str();
    if s.name == r.name && poverty == s.deep_poverty {
        return Ok(RowOutcome::Unchanged);
    }
    sqlx::query("UPDATE regions SET name = $1, deep_poverty = $2 WHERE code = $3")
        .bind(r.name.as_str())
        .bind(poverty as i64)
        .bind(code)
        .execute(&mut *conn)
        .await?;
    let json =
        |name: &str, p: bool| serde_json::json!({"name": name, "deep_poverty": p}).to_string();
    audits.push(AuditEntry {
        action: Action::Update,
        entity: Entity::Region,
        key: code.to_string(),
        before: Some(json(&s.name, s.deep_poverty)),
        after: Some(json(&r.name, poverty)),
    });
    s.name = r.name.clone();
    s.deep_poverty = poverty;
    Ok(RowOutcome::Updated)
}

/// Inserts a deployment-defined county-level zone under `p`, audited;
/// returns it as stored.
async fn insert_zone(
    conn: &mut sqlx::AnyConnection,
    r: &RegionRecord,
    p: &RegionCode,
    stamp: &str,
    audits: &mut Vec<AuditEntry>,
) -> Result<Stored, StoreError> {
    let code = r.code.as_str();
    let row = vec![
        Val::text(code),
        Val::text(&r.name),
        Val::text(p.as_str()),
        Val::text("county"),
        Val::text("functional"),
        Val::int(0),
        Val::int(r.deep_poverty.unwrap_or(false) as i64),
    ];
    let cols = [
        "code",
        "name",
        "parent_code",
        "level",
        "kind",
        "national",
        "deep_poverty",
    ];
    insert_rows(conn, "regions", &cols, &[row], "").await?;
    let stored = Stored {
        name: r.name.clone(),
        level: "county".into(),
        national: false,
        deep_poverty: r.deep_poverty.unwrap_or(false),
    };
    audits.push(AuditEntry {
        action: Action::Insert,
        entity: Entity::Region,
        key: code.to_string(),
        before: None,
        after: Some(
            serde_json::json!({"name": r.name, "parent": p.as_str(), "at": stamp}).to_string(),
        ),
    });
    Ok(stored)
}
