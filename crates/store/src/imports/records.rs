//! Per-person training records: enrolments (花名册), certificates and
//! subsidy claims as submitted.

use crate::claims::stored_status;
use crate::imports::batch::{ImportBatch, Rejection, RowOutcome};
use crate::imports::upsert::{Kind, Planned, UpsertTable, upsert};
use crate::institutions::{
    ClassRef, Named, UNKNOWN_INSTITUTION, resolve_classes, resolve_institutions,
};
use crate::persons::{merge, person_of, resolve_persons};
use crate::sql::{Val, select_in};
use crate::{Store, StoreError};
use jineng_domain::audit::Entity;
use jineng_domain::records::{CertificateRecord, ClaimRecord, RosterRecord};
use jineng_domain::{CertificateType, ClaimStatus};
use sqlx::Row;
use std::collections::{HashMap, HashSet};

const ENROLMENTS: UpsertTable = UpsertTable {
    name: "enrolments",
    entity: Entity::Enrolment,
    keys: &[("person_id", Kind::Int), ("class_id", Kind::Int)],
    data: &[
        ("offline_hours", Kind::Int),
        ("online_hours", Kind::Int),
        ("completion", Kind::Text),
    ],
    // By person, the key's first column: a chunk reads only its own
    // persons' enrolments. By class it read every enrolment of the chunk's
    // classes, which grows with the roster (a city's few classes hold all).
    lookup: "person_id",
    audit_key: None,
    key_unique: true,
};

const CERTIFICATES: UpsertTable = UpsertTable {
    name: "certificates",
    entity: Entity::Certificate,
    keys: &[("cert_type", Kind::Text), ("cert_no", Kind::Text)],
    data: &[
        ("person_id", Kind::Int),
        ("occupation_code", Kind::Text),
        ("skill_level", Kind::Int),
        ("issue_date", Kind::Text),
        ("issuer_code", Kind::Text),
        ("class_id", Kind::Int),
    ],
    lookup: "cert_no",
    audit_key: None,
    key_unique: true,
};

const CLAIMS: UpsertTable = UpsertTable {
    name: "claims",
    entity: Entity::Claim,
    keys: &[("claim_no", Kind::Text)],
    data: &[
        ("person_id", Kind::Int),
        ("subsidy_type", Kind::Text),
        ("cert_type", Kind::Text),
        ("cert_no", Kind::Text),
        ("class_id", Kind::Int),
        ("claimant_code", Kind::Text),
        ("applied_on", Kind::Text),
        ("months", Kind::Int),
        ("amount_asked_fen", Kind::Int),
        ("period_from", Kind::Text),
        ("period_to", Kind::Text),
    ],
    lookup: "claim_no",
    audit_key: None,
    key_unique: true,
};

/// A record keyed by number may not move to another person.
fn same_person(
    column: &'static str,
    message: &'static str,
) -> impl Fn(&[Val], &[Val], &[Val]) -> Option<Rejection> {
    move |_, old, new| (old[0] != new[0]).then(|| Rejection::new(column, message))
}

/// The template column of each data column of [`CLAIMS`].
const CLAIM_COLUMNS: [&str; 9] = [
    "身份证号码",
    "补贴类型",
    "证书编号",
    "证书编号",
    "班级编号",
    "申领单位",
    "申请日期",
    "月数",
    "申请金额",
];

/// A decided claim is final as imported (docs/templates.md): the same row
/// again is unchanged, a changed row refused, naming the first column that
/// changed. `statuses`: claim number → status, of the claims stored.
fn decided_claim_unchanged(
    statuses: &HashMap<String, ClaimStatus>,
) -> impl Fn(&[Val], &[Val], &[Val]) -> Option<Rejection> + '_ {
    move |key, old, new| {
        let Val::T(Some(no)) = &key[0] else {
            return None;
        };
        let status = statuses.get(no)?;
        if *status == ClaimStatus::Submitted || old == new {
            return None;
        }
        let column = old
            .iter()
            .zip(new)
            .position(|(a, b)| a != b)
            .map_or("申领编号", |i| CLAIM_COLUMNS[i]);
        Some(Rejection::new(
            column,
            format!(
                "申领「{no}」已决定（{}），不能再修改「{column}」；内容相同的行重新导入视为无变化，\
                 如需更正，请经办人员驳回后以新的申领编号申领",
                status.as_zh()
            ),
        ))
    }
}

/// (person_id, class_no) → class ids the person is enrolled in.
async fn enrolled_classes(
    conn: &mut sqlx::AnyConnection,
    person_ids: impl Iterator<Item = i64>,
) -> Result<HashMap<(i64, String), Vec<i64>>, sqlx::Error> {
    let keys: Vec<Val> = person_ids.map(Val::int).collect();
    let rows = select_in(
        conn,
        "SELECT e.person_id, e.class_id, c.class_no FROM enrolments e JOIN classes c ON c.class_id = e.class_id",
        "e.person_id",
        &keys,
    )
    .await?;
    let mut map: HashMap<(i64, String), Vec<i64>> = HashMap::new();
    for r in rows {
        map.entry((r.try_get("person_id")?, r.try_get("class_no")?))
            .or_default()
            .push(r.try_get("class_id")?);
    }
    Ok(map)
}

fn one_class(found: Option<&Vec<i64>>, class_no: &str) -> Result<i64, Rejection> {
    match found.map(Vec::as_slice) {
        Some([id]) => Ok(*id),
        Some([_, _, ..]) => Err(Rejection::new(
            "班级编号",
            format!("该人员参加了多个编号为「{class_no}」的班级，请同时填写统一社会信用代码"),
        )),
        _ => Err(Rejection::new(
            "班级编号",
            format!("该人员没有班级编号为「{class_no}」的参训记录"),
        )),
    }
}

/// The stored enrolments of these persons in the closed classes among
/// `classes`: (person_id, class_id) → (offline, online, completion).
async fn closed_enrolments(
    conn: &mut sqlx::AnyConnection,
    classes: &HashMap<(i64, String), ClassRef>,
    persons: impl Iterator<Item = i64>,
) -> Result<HashMap<(i64, i64), (i64, i64, String)>, StoreError> {
    let closed: HashSet<i64> = classes
        .values()
        .filter(|c| c.closed)
        .map(|c| c.class_id)
        .collect();
    if closed.is_empty() {
        return Ok(HashMap::new());
    }
    let mut ids: Vec<i64> = persons.collect();
    ids.sort_unstable();
    ids.dedup();
    let keys: Vec<Val> = ids.into_iter().map(Val::int).collect();
    let rows = select_in(
        conn,
        "SELECT person_id, class_id, offline_hours, online_hours, completion FROM enrolments",
        "person_id",
        &keys,
    )
    .await?;
    let mut out = HashMap::new();
    for r in &rows {
        let class_id: i64 = r.try_get("class_id")?;
        if closed.contains(&class_id) {
            out.insert(
                (r.try_get("person_id")?, class_id),
                (
                    r.try_get("offline_hours")?,
                    r.try_get("online_hours")?,
                    r.try_get("completion")?,
                ),
            );
        }
    }
    Ok(out)
}

impl Store {
    /// 花名册 rows: enrolment and attendance of known persons in known
    /// classes; a closed (已结业) class takes no new or changed row.
    pub async fn import_roster(
        &self,
        batch: &ImportBatch,
        rows: &[(u64, RosterRecord)],
    ) -> Result<Vec<(u64, RowOutcome)>, StoreError> {
        let mut tx = self.begin().await?;
        let named = Named::resolve(
            &mut tx,
            rows.iter().map(|(_, r)| &r.institution),
            rows.iter().map(|(_, r)| &r.id),
        )
        .await?;
        let people = named.people.values().map(|p| p.0);
        let frozen = closed_enrolments(&mut tx, &named.classes, people).await?;
        let mut rejected = Vec::new();
        let mut planned = Vec::new();
        for (n, r) in rows {
            let mut errs = Vec::new();
            let (class, person) =
                named.class_and_person(&r.institution, &r.class_no, &r.id, &r.name, &mut errs);
            if let Some(c) = class {
                if r.offline_hours > c.planned_hours {
                    errs.push(Rejection::new(
                        "线下课时",
                        format!(
                            "线下课时 {} 超过该班计划课时 {}",
                            r.offline_hours, c.planned_hours
                        ),
                    ));
                }
                if r.online_hours > c.planned_hours {
                    errs.push(Rejection::new(
                        "线上课时",
                        format!(
                            "线上课时 {} 超过该班计划课时 {}",
                            r.online_hours, c.planned_hours
                        ),
                    ));
                } else if r.offline_hours + r.online_hours > c.planned_hours
                    && r.offline_hours <= c.planned_hours
                {
                    errs.push(Rejection::new(
                        "线上课时",
                        format!(
                            "线下与线上课时合计 {} 超过该班计划课时 {}",
                            r.offline_hours + r.online_hours,
                            c.planned_hours
                        ),
                    ));
                }
            }
            if let (Some(c), Some(pid)) = (class, person)
                && c.closed
            {
                // A closed class's roster is final: the same row again (a
                // re-run of the file) is unchanged, anything else refused.
                let row = (
                    r.offline_hours,
                    r.online_hours,
                    r.completion.code().to_string(),
                );
                let what = match frozen.get(&(pid, c.class_id)) {
                    None => Some("不能再增加学员"),
                    Some(stored) if *stored != row => Some("课时和结业结果不能再修改"),
                    Some(_) => None,
                };
                if let Some(what) = what {
                    errs.push(Rejection::new(
                        "班级编号",
                        format!("培训班「{}」已结业，{what}", c.class_no),
                    ));
                }
            }
            match (class, person) {
                (Some(c), Some(pid)) if errs.is_empty() => planned.push(Planned {
                    row: *n,
                    key: vec![Val::int(pid), Val::int(c.class_id)],
                    data: vec![
                        Val::int(r.offline_hours),
                        Val::int(r.online_hours),
                        Val::text(r.completion.code()),
                    ],
                }),
                _ => rejected.push((*n, RowOutcome::Rejected(errs))),
            }
        }
        let out = upsert(&mut tx, &ENROLMENTS, batch, planned, None).await?;
        self.end(tx, batch).await?;
        Ok(merge(rejected, out))
    }

    /// 证书 rows of known persons.
    pub async fn import_certificates(
        &self,
        batch: &ImportBatch,
        rows: &[(u64, CertificateRecord)],
    ) -> Result<Vec<(u64, RowOutcome)>, StoreError> {
        let mut tx = self.begin().await?;
        let people = resolve_persons(&mut tx, rows.iter().map(|(_, r)| &r.id)).await?;
        let enrolled = enrolled_classes(&mut tx, people.values().map(|(pid, _)| *pid)).await?;
        let mut rejected = Vec::new();
        let mut planned = Vec::new();
        for (n, r) in rows {
            let person = person_of(&people, &r.id, Some(&r.name));
            let class = match (&person, &r.class_no) {
                (Ok(pid), Some(no)) => one_class(enrolled.get(&(*pid, no.clone())), no).map(Some),
                _ => Ok(None),
            };
            match (person, class) {
                (Ok(pid), Ok(class_id)) => planned.push(Planned {
                    row: *n,
                    key: vec![Val::text(r.cert_type.code()), Val::text(&r.cert_no)],
                    data: vec![
                        Val::int(pid),
                        Val::text(r.occupation.as_str()),
                        Val::I(r.level.map(|l| l.grade() as i64)),
                        Val::text(r.issue_date.to_string()),
                        Val::text(r.issuer.as_str()),
                        Val::I(class_id),
                    ],
                }),
                (p, c) => rejected.push((
                    *n,
                    RowOutcome::Rejected(p.err().into_iter().chain(c.err()).collect()),
                )),
            }
        }
        let guard = same_person("证书编号", "该证书编号已登记在其他人员名下");
        let out = upsert(&mut tx, &CERTIFICATES, batch, planned, Some(&guard)).await?;
        self.end(tx, batch).await?;
        Ok(merge(rejected, out))
    }

    /// 补贴申领 rows, recorded as submitted.
    pub async fn import_claims(
        &self,
        batch: &ImportBatch,
        rows: &[(u64, ClaimRecord)],
    ) -> Result<Vec<(u64, RowOutcome)>, StoreError> {
        let mut tx = self.begin().await?;
        let people = resolve_persons(&mut tx, rows.iter().map(|(_, r)| &r.id)).await?;
        let insts = resolve_institutions(
            &mut tx,
            rows.iter().filter_map(|(_, r)| r.institution.as_ref()),
        )
        .await?;
        let classes = resolve_classes(&mut tx, insts.values().copied()).await?;
        let enrolled = enrolled_classes(&mut tx, people.values().map(|(pid, _)| *pid)).await?;
        let certs = certs_by_person(&mut tx, rows).await?;
        let mut rejected = Vec::new();
        let mut planned = Vec::new();
        for (n, r) in rows {
            let mut errs = Vec::new();
            let pid = person_of(&people, &r.id, None)
                .map_err(|e| errs.push(e))
                .ok();
            let mut cert_type = None;
            if let (Some(pid), Some(no)) = (pid, &r.cert_no) {
                match cert_type_of(&certs, pid, no) {
                    Ok(t) => cert_type = Some(t),
                    Err(e) => errs.push(e),
                }
            }
            let mut class_id = None;
            if let (Some(pid), Some(no)) = (pid, &r.class_no) {
                let found = claim_class(r, pid, no, &insts, &classes, &enrolled);
                match found {
                    Ok(id) => class_id = Some(id),
                    Err(e) => errs.push(e),
                }
            }
            match pid {
                Some(pid) if errs.is_empty() => planned.push(Planned {
                    row: *n,
                    key: vec![Val::text(&r.claim_no)],
                    data: vec![
                        Val::int(pid),
                        Val::text(&r.subsidy_type),
                        Val::T(cert_type),
                        Val::opt_text(r.cert_no.as_ref()),
                        Val::I(class_id),
                        Val::opt_text(r.claimant.as_ref().map(|c| c.as_str())),
                        Val::text(r.applied_on.to_string()),
                        Val::I(r.months),
                        Val::I(r.amount_asked.map(|f| f.0)),
                        Val::T(r.period.map(|(from, _)| month_text(from))),
                        Val::T(r.period.map(|(_, to)| month_text(to))),
                    ],
                }),
                _ => rejected.push((*n, RowOutcome::Rejected(errs))),
            }
        }
        let statuses = stored_statuses(&mut tx, rows).await?;
        let person = same_person("申领编号", "该申领编号已用于其他人员的申领");
        let decided = decided_claim_unchanged(&statuses);
        let guard = |key: &[Val], old: &[Val], new: &[Val]| {
            person(key, old, new).or_else(|| decided(key, old, new))
        };
        let out = upsert(&mut tx, &CLAIMS, batch, planned, Some(&guard)).await?;
        self.end(tx, batch).await?;
        Ok(merge(rejected, out))
    }
}

/// The certificate types stored under each (person, certificate number)
/// the rows name.
async fn certs_by_person(
    conn: &mut sqlx::AnyConnection,
    rows: &[(u64, ClaimRecord)],
) -> Result<HashMap<(i64, String), Vec<String>>, StoreError> {
    let cert_keys: Vec<Val> = rows
        .iter()
        .filter_map(|(_, r)| r.cert_no.clone())
        .map(Val::text)
        .collect();
    let mut certs: HashMap<(i64, String), Vec<String>> = HashMap::new();
    for c in select_in(
        conn,
        "SELECT person_id, cert_type, cert_no FROM certificates",
        "cert_no",
        &cert_keys,
    )
    .await?
    {
        certs
            .entry((c.try_get("person_id")?, c.try_get("cert_no")?))
            .or_default()
            .push(c.try_get("cert_type")?);
    }
    Ok(certs)
}

/// The type of the certificate `no` the claim names, which must be the
/// person's one certificate of that number.
fn cert_type_of(
    certs: &HashMap<(i64, String), Vec<String>>,
    pid: i64,
    no: &str,
) -> Result<String, Rejection> {
    match certs.get(&(pid, no.to_string())).map(Vec::as_slice) {
        Some([t]) => Ok(t.clone()),
        Some([_, _, ..]) => Err(Rejection::new(
            "证书编号",
            "该人员有多张同编号的证书，无法确定证书类型",
        )),
        _ => Err(Rejection::new(
            "证书编号",
            "该人员名下没有此编号的证书，请先导入证书",
        )),
    }
}

/// The class `no` the claim names: the institution's class of that number
/// (which the person must be enrolled in), or without an institution the
/// one class of that number the person was enrolled in.
fn claim_class(
    r: &ClaimRecord,
    pid: i64,
    no: &str,
    insts: &HashMap<String, i64>,
    classes: &HashMap<(i64, String), ClassRef>,
    enrolled: &HashMap<(i64, String), Vec<i64>>,
) -> Result<i64, Rejection> {
    match &r.institution {
        Some(code) => match insts.get(code.as_str()) {
            None => Err(Rejection::new("统一社会信用代码", UNKNOWN_INSTITUTION)),
            Some(iid) => match classes.get(&(*iid, no.to_string())) {
                None => Err(Rejection::new(
                    "班级编号",
                    format!("该机构没有编号为「{no}」的培训班"),
                )),
                // The claim's class must be one the person was enrolled in.
                Some(c)
                    if !enrolled
                        .get(&(pid, no.to_string()))
                        .is_some_and(|ids| ids.contains(&c.class_id)) =>
                {
                    Err(Rejection::new(
                        "班级编号",
                        format!(
                            "该人员不在培训班「{no}」的花名册中（没有参训记录），不能以此班申领"
                        ),
                    ))
                }
                Some(c) => Ok(c.class_id),
            },
        },
        None => one_class(enrolled.get(&(pid, no.to_string())), no),
    }
}

/// The stored status of each claim number the rows give.
async fn stored_statuses(
    conn: &mut sqlx::AnyConnection,
    rows: &[(u64, ClaimRecord)],
) -> Result<HashMap<String, ClaimStatus>, StoreError> {
    let mut statuses: HashMap<String, ClaimStatus> = HashMap::new();
    let claim_keys: Vec<Val> = rows.iter().map(|(_, r)| Val::text(&r.claim_no)).collect();
    for c in select_in(
        conn,
        "SELECT claim_no, status FROM claims",
        "claim_no",
        &claim_keys,
    )
    .await?
    {
        statuses.insert(
            c.try_get("claim_no")?,
            stored_status(&c.try_get::<String, _>("status")?)?,
        );
    }
    Ok(statuses)
}

/// A calendar month as stored: 'YYYY-MM'.
pub(crate) fn month_text(first_day: chrono::NaiveDate) -> String {
    first_day.format("%Y-%m").to_string()
}

/// The certificate type codes the store keeps, for readers.
pub fn certificate_type_name(code: &str) -> &'static str {
    CertificateType::from_code(code)
        .map(|t| t.as_zh())
        .unwrap_or("未知证书类型")
}
