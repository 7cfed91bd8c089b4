//! Redeeming a voucher (核验使用) at an institution when the person
//! enrols: the class must lie in the clerk's scope, the voucher must be
//! the person's, unused and valid, the person on the class's roster, the
//! class's occupation and level the ones the voucher's face value is for.
//! Refusals are `StoreError::Refused` with the reason in Chinese.

use crate::audit::Actor;
use crate::claims::scoped::{Subject, filter};
use crate::row::Typed;
use crate::sql::{Val, bind_all};
use crate::{Store, StoreError};
use chrono::NaiveDate;
use jineng_domain::access::Scope;
use jineng_domain::audit::{Action, Entity};
use jineng_domain::national_id::mask_id;
use jineng_domain::voucher::{
    EnrolmentAt, FaceRule, VoucherFacts, VoucherNo, VoucherStatus, check_redemption,
};
use jineng_domain::{Fen, OccupationCode, SkillLevel};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

/// A voucher redeemed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Redeemed {
    pub voucher_no: String,
    pub kind_name: String,
    pub face_fen: i64,
    pub person_name: String,
    pub class_no: String,
    pub redeemed_on: NaiveDate,
}

fn level(v: Option<i64>) -> Option<SkillLevel> {
    v.and_then(|g| u8::try_from(g).ok())
        .and_then(SkillLevel::from_grade)
}

/// The person's ($1) claims for the class ($2) that voucher $3 would
/// settle (its subsidy type), already decided.
const DECIDED: &str = "LEFT JOIN certificates ce ON ce.person_id = c.person_id AND ce.cert_no = c.cert_no \
     AND (c.cert_type IS NULL OR ce.cert_type = c.cert_type) \
     WHERE c.person_id = $1 AND COALESCE(c.class_id, ce.class_id) = $2 AND c.status <> 'submitted' \
     AND c.subsidy_type = (SELECT v.subsidy_type FROM vouchers v WHERE v.voucher_no = $3)";

fn refused(m: impl Into<String>) -> StoreError {
    StoreError::Refused(m.into())
}

/// The class in scope, as the check needs it (without the person's place).
async fn class_in_scope(
    conn: &mut sqlx::AnyConnection,
    scope: &Scope,
    class_id: i64,
) -> Result<EnrolmentAt, StoreError> {
    let (cond, val) = filter(scope, Subject::Class, 2);
    let sql = format!(
        "SELECT cl.class_no, cl.occupation_code, COALESCE(o.name, cl.occupation_code) AS occ, \
         cl.skill_level, cl.end_date FROM classes cl LEFT JOIN occupations o ON o.code = cl.occupation_code \
         WHERE cl.class_id = $1 AND {cond}"
    );
    let vals = [Val::int(class_id), val];
    let r = bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::OutOfScope("该培训班不存在或不在您的管理范围内".into()))?;
    let code: String = r.try_get("occupation_code")?;
    Ok(EnrolmentAt {
        class_no: r.try_get("class_no")?,
        occupation: OccupationCode::parse(&code)
            .map_err(|e| StoreError::Corrupt(e.message().to_string()))?,
        occupation_name: r.try_get("occ")?,
        level: level(r.try_get("skill_level")?),
        end: r.day("end_date")?,
        enrolled: false,
        other_voucher: None,
        decided_claim: None,
    })
}

/// The voucher, its row locked until the transaction ends.
async fn voucher_facts(
    conn: &mut sqlx::AnyConnection,
    backend: crate::Backend,
    no: &VoucherNo,
) -> Result<Option<VoucherFacts>, StoreError> {
    let lock = backend.for_update_of("v");
    let sql = format!(
        "SELECT v.person_id, v.status, v.issued_on, v.valid_until, v.kind_code, v.kind_name, v.occupations, \
         v.skill_level, v.face_fen, v.redeemed_on, cl.class_no FROM vouchers v \
         LEFT JOIN classes cl ON cl.class_id = v.class_id WHERE v.voucher_no = $1{lock}"
    );
    let Some(r) = sqlx::query(AssertSqlSafe(sql))
        .bind(no.as_str())
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let status: String = r.try_get("status")?;
    let corrupt = |m: &str| StoreError::Corrupt(format!("培训券 {no}：{m}"));
    let occupations: String = r.try_get("occupations")?;
    let redeemed = match (
        r.try_get::<Option<String>, _>("class_no")?,
        r.opt_day("redeemed_on")?,
    ) {
        (Some(c), Some(d)) => Some((c, d)),
        _ => None,
    };
    Ok(Some(VoucherFacts {
        no: no.clone(),
        person_id: r.try_get("person_id")?,
        status: VoucherStatus::from_code(&status).ok_or_else(|| corrupt("状态未知"))?,
        issued_on: r.day("issued_on")?,
        valid_until: r.day("valid_until")?,
        rule: FaceRule {
            kind_code: r.try_get("kind_code")?,
            kind_name: r.try_get("kind_name")?,
            occupations: FaceRule::parse_occupations(&occupations)
                .map_err(|e| corrupt(e.message()))?,
            level: level(r.try_get("skill_level")?),
            face: Fen(r.try_get("face_fen")?),
        },
        redeemed,
    }))
}

/// The voucher's occupations by name, for a refusal: 「家政服务员、养老护理员」.
async fn occupation_names(
    conn: &mut sqlx::AnyConnection,
    rule: &FaceRule,
) -> Result<String, StoreError> {
    if rule.occupations.is_empty() {
        return Ok("任意职业".into());
    }
    let mut names = Vec::new();
    for o in &rule.occupations {
        let name: Option<String> =
            sqlx::query_scalar("SELECT name FROM occupations WHERE code = $1")
                .bind(o.as_str())
                .fetch_optional(&mut *conn)
                .await?;
        names.push(name.unwrap_or_else(|| o.to_string()));
    }
    Ok(names.join("、"))
}

impl Store {
    /// Redeems `voucher` for the person with `id_number` at class
    /// `class_id` (in `scope`) on `on`: the voucher becomes 已使用 for that
    /// class, and the claim for the training will settle at its face value.
    pub async fn redeem_voucher(
        &self,
        scope: &Scope,
        class_id: i64,
        voucher: &str,
        id_number: &str,
        on: NaiveDate,
        actor: &Actor,
    ) -> Result<Redeemed, StoreError> {
        let no = VoucherNo::parse(voucher).map_err(|e| refused(e.message()))?;
        let id = id_number.trim().to_ascii_uppercase();
        if id.is_empty() || crate::claims::scoped::has_nul(&id) {
            return Err(refused("请填写学员的身份证号码"));
        }
        let mut tx = self.begin().await?;
        let mut class = class_in_scope(&mut tx, scope, class_id).await?;
        let person: Option<(i64, String)> =
            sqlx::query("SELECT person_id, name FROM persons WHERE id_number = $1")
                .bind(&id)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| Ok::<_, sqlx::Error>((r.try_get("person_id")?, r.try_get("name")?)))
                .transpose()?;
        let Some((person_id, name)) = person else {
            return Err(refused(format!(
                "身份证号码 {} 未在实名库中登记",
                mask_id(&id)
            )));
        };
        let v = voucher_facts(&mut tx, self.backend(), &no)
            .await?
            .ok_or_else(|| refused(format!("培训券编号 {no} 不存在")))?;
        class.enrolled = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM enrolments WHERE person_id = $1 AND class_id = $2",
        )
        .bind(person_id)
        .bind(class_id)
        .fetch_one(&mut *tx)
        .await?
            > 0;
        class.other_voucher = sqlx::query_scalar(
            "SELECT voucher_no FROM vouchers WHERE person_id = $1 AND class_id = $2 AND status = 'used'",
        )
        .bind(person_id)
        .bind(class_id)
        .fetch_optional(&mut *tx)
        .await?;
        class.decided_claim = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT c.claim_no FROM claims c {DECIDED} ORDER BY c.claim_no LIMIT 1"
        )))
        .bind(person_id)
        .bind(class_id)
        .bind(v.no.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let names = occupation_names(&mut tx, &v.rule).await?;
        check_redemption(&v, person_id, &class, on, &names).map_err(|r| refused(r.to_string()))?;
        let n = sqlx::query(
            "UPDATE vouchers SET status = 'used', class_id = $1, redeemed_on = $2, redeemed_by = $3 \
             WHERE voucher_no = $4 AND status = 'issued'",
        )
        .bind(class_id)
        .bind(on.to_string())
        .bind(&actor.0)
        .bind(no.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(refused(format!("培训券 {no} 正由他人同时核验，请重试")));
        }
        crate::audit::write_change(&mut tx, actor,
                Action::Redeem,
                Entity::Voucher,
                no.to_string(),
                Some(&serde_json::json!({ "status": "issued" })),
                Some(&serde_json::json!({
                    "status": "used", "class_id": class_id, "class_no": class.class_no, "redeemed_on": on,
                })),
            )
        .await?;
        tx.commit().await?;
        Ok(Redeemed {
            voucher_no: no.to_string(),
            kind_name: v.rule.kind_name,
            face_fen: v.rule.face.0,
            person_name: name,
            class_no: class.class_no,
            redeemed_on: on,
        })
    }
}

impl Store {
    /// The class `class_no` of the institution `credit_code`: (class id,
    /// institution id), for redeeming from the command line.
    pub async fn class_of_institution(
        &self,
        credit_code: &str,
        class_no: &str,
    ) -> Result<Option<(i64, i64)>, StoreError> {
        let row = sqlx::query(
            "SELECT cl.class_id, cl.institution_id FROM classes cl \
             JOIN institutions i ON i.institution_id = cl.institution_id \
             WHERE i.credit_code = $1 AND cl.class_no = $2",
        )
        .bind(credit_code.trim().to_ascii_uppercase())
        .bind(class_no.trim())
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok((r.try_get("class_id")?, r.try_get("institution_id")?)))
            .transpose()
    }
}

/// An unused voucher whose holder is on the roster of a class it fits
/// (occupation and level), starting within its validity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redeemable {
    pub voucher_no: String,
    pub id_number: String,
    pub class_id: i64,
    pub institution_id: i64,
    pub start_date: NaiveDate,
    /// A claim of the voucher's subsidy type names the class (or the
    /// certificate it gave).
    pub claimed: bool,
}

impl Store {
    /// The unused vouchers of holders in `region` (户籍地) that fit a class
    /// the holder is enrolled in, starting within the voucher's validity:
    /// what a back office redeeming after the fact (the demo) goes through,
    /// one class per voucher (the earliest).
    pub async fn redeemable_vouchers(&self, region: &str) -> Result<Vec<Redeemable>, StoreError> {
        let rows = sqlx::query(
            "SELECT v.voucher_no, p.id_number, cl.class_id, cl.institution_id, cl.start_date, \
             CAST(CASE WHEN EXISTS (SELECT 1 FROM claims c LEFT JOIN certificates ce ON ce.person_id = c.person_id \
                 AND ce.cert_no = c.cert_no AND (c.cert_type IS NULL OR ce.cert_type = c.cert_type) \
                 WHERE c.person_id = v.person_id AND c.subsidy_type = v.subsidy_type \
                 AND COALESCE(c.class_id, ce.class_id) = cl.class_id) THEN 1 ELSE 0 END AS BIGINT) AS claimed \
             FROM vouchers v JOIN persons p ON p.person_id = v.person_id \
             JOIN enrolments e ON e.person_id = v.person_id JOIN classes cl ON cl.class_id = e.class_id \
             WHERE v.status = 'issued' AND p.hukou_region LIKE $1 \
               AND cl.start_date >= v.issued_on AND cl.start_date <= v.valid_until \
               AND (v.occupations = '*' OR (',' || v.occupations || ',') LIKE ('%,' || cl.occupation_code || ',%')) \
               AND ((v.skill_level IS NULL AND cl.skill_level IS NULL) OR v.skill_level = cl.skill_level) \
               AND NOT EXISTS (SELECT 1 FROM vouchers o WHERE o.person_id = v.person_id AND o.class_id = cl.class_id) \
               AND NOT EXISTS (SELECT 1 FROM claims c LEFT JOIN certificates ce ON ce.person_id = c.person_id \
                 AND ce.cert_no = c.cert_no AND (c.cert_type IS NULL OR ce.cert_type = c.cert_type) \
                 WHERE c.person_id = v.person_id AND c.subsidy_type = v.subsidy_type \
                 AND COALESCE(c.class_id, ce.class_id) = cl.class_id AND c.status <> 'submitted') \
             ORDER BY v.voucher_no, cl.start_date, cl.class_id",
        )
        .bind(format!("{}%", region.trim()))
        .fetch_all(self.pool())
        .await?;
        let mut out: Vec<Redeemable> = Vec::new();
        for r in rows {
            let no: String = r.try_get("voucher_no")?;
            if out.last().is_some_and(|l| l.voucher_no == no) {
                continue;
            }
            out.push(Redeemable {
                voucher_no: no,
                id_number: r.try_get("id_number")?,
                class_id: r.try_get("class_id")?,
                institution_id: r.try_get("institution_id")?,
                start_date: r.day("start_date")?,
                claimed: r.try_get::<i64, _>("claimed")? == 1,
            });
        }
        Ok(out)
    }
}
