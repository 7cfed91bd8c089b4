//! Vouchers as the pages show them: an officer's list within the scope
//! (by the holder's 户籍地; searched by number, filtered by status, sorted
//! and paged, ID numbers masked) with the commitments' totals; a worker's
//! own vouchers; the vouchers redeemed at a class.

use chrono::NaiveDate;
use jineng_domain::access::Scope;
use jineng_domain::national_id::mask_id;
use jineng_domain::voucher::VoucherStatus;
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

use crate::claims::scoped::{Subject, filter, has_nul};
use crate::row::Typed;
use crate::sql::{Val, bind_all};
use crate::{Store, StoreError};

/// One voucher in a list.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct VoucherRow {
    pub voucher_no: String,
    pub person_name: String,
    /// Masked.
    pub id_number: String,
    pub kind_name: String,
    pub face_fen: i64,
    pub issued_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub status: VoucherStatus,
    pub fund_code: String,
    /// Where and when it was redeemed.
    pub class_no: Option<String>,
    pub institution: Option<String>,
    pub redeemed_on: Option<NaiveDate>,
    /// The claim whose payment settled it.
    pub claim_no: Option<String>,
}

/// The list's columns to sort by.
pub const VOUCHER_SORTS: [(&str, &str); 5] = [
    ("no", "v.voucher_no"),
    ("issued", "v.issued_on"),
    ("until", "v.valid_until"),
    ("face", "v.face_fen"),
    ("status", "v.status"),
];

/// What the list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VoucherQuery {
    /// Part of a voucher number.
    pub q: String,
    pub status: Option<VoucherStatus>,
    /// A key of [`VOUCHER_SORTS`]; the number when unknown.
    pub sort: String,
    pub descending: bool,
}

/// Counts and face values by where the vouchers stand: issued in all,
/// still committed (未使用, or 已使用 with the claim unpaid), paid through
/// a claim, lapsed.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct VoucherTotals {
    pub issued: i64,
    pub issued_fen: i64,
    pub open: i64,
    pub open_fen: i64,
    pub used: i64,
    pub used_fen: i64,
    pub paid: i64,
    pub paid_fen: i64,
    pub lapsed: i64,
    pub lapsed_fen: i64,
    /// Σ face of the vouchers still committed (open + used, unpaid).
    pub committed_fen: i64,
}

const COLUMNS: &str = "v.voucher_no, p.name, p.id_number, v.kind_name, v.face_fen, v.issued_on, \
     v.valid_until, v.status, v.fund_code, cl.class_no, i.name AS institution, v.redeemed_on, v.claim_no";

const FROM: &str = "FROM vouchers v JOIN persons p ON p.person_id = v.person_id \
     LEFT JOIN classes cl ON cl.class_id = v.class_id \
     LEFT JOIN institutions i ON i.institution_id = cl.institution_id";

fn row(r: &sqlx::any::AnyRow) -> Result<VoucherRow, StoreError> {
    Ok(VoucherRow {
        voucher_no: r.try_get("voucher_no")?,
        person_name: r.try_get("name")?,
        id_number: mask_id(&r.try_get::<String, _>("id_number")?),
        kind_name: r.try_get("kind_name")?,
        face_fen: r.try_get("face_fen")?,
        issued_on: r.day("issued_on")?,
        valid_until: r.day("valid_until")?,
        status: r.code("status", VoucherStatus::from_code)?,
        fund_code: r.try_get("fund_code")?,
        class_no: r.try_get("class_no")?,
        institution: r.try_get("institution")?,
        redeemed_on: r.opt_day("redeemed_on")?,
        claim_no: r.try_get("claim_no")?,
    })
}

/// The WHERE of the list: the scope, the search and the status filter,
/// with their values from `$1`.
fn conditions(scope: &Scope, q: &VoucherQuery) -> (String, Vec<Val>) {
    let (cond, val) = filter(scope, Subject::Person, 1);
    let mut sql = vec![cond];
    let mut vals = vec![val];
    let text: String =
        q.q.chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
    if !text.is_empty() {
        vals.push(Val::text(format!("%{text}%")));
        sql.push(format!("v.voucher_no LIKE ${}", vals.len()));
    }
    if let Some(s) = q.status {
        vals.push(Val::text(s.code()));
        sql.push(format!("v.status = ${}", vals.len()));
    }
    (sql.join(" AND "), vals)
}

impl Store {
    /// How many vouchers the list shows.
    pub async fn scoped_voucher_count(
        &self,
        scope: &Scope,
        q: &VoucherQuery,
    ) -> Result<i64, StoreError> {
        if has_nul(&q.q) {
            return Ok(0);
        }
        let (cond, vals) = conditions(scope, q);
        let sql = format!("SELECT COUNT(*) {FROM} WHERE {cond}");
        Ok(bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_one(self.pool())
            .await?
            .try_get(0)?)
    }

    /// A page of the list.
    pub async fn scoped_vouchers(
        &self,
        scope: &Scope,
        q: &VoucherQuery,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<VoucherRow>, StoreError> {
        if has_nul(&q.q) {
            return Ok(Vec::new());
        }
        let (cond, mut vals) = conditions(scope, q);
        let order = VOUCHER_SORTS
            .iter()
            .find(|(k, _)| *k == q.sort)
            .map_or("v.voucher_no", |(_, c)| c);
        let dir = if q.descending { "DESC" } else { "ASC" };
        vals.push(Val::int(limit));
        vals.push(Val::int(offset.max(0)));
        let sql = format!(
            "SELECT {COLUMNS} {FROM} WHERE {cond} ORDER BY {order} {dir}, v.voucher_no LIMIT ${} OFFSET ${}",
            vals.len() - 1,
            vals.len()
        );
        let rows = self.rows_bound(sql, &vals).await?;
        rows.iter().map(row).collect()
    }

    /// The commitments' totals of the vouchers in scope.
    pub async fn voucher_totals(&self, scope: &Scope) -> Result<VoucherTotals, StoreError> {
        let (cond, val) = filter(scope, Subject::Person, 1);
        let sql = format!(
            "SELECT v.status, CAST(CASE WHEN v.claim_no IS NULL THEN 0 ELSE 1 END AS BIGINT) AS paid, \
             COUNT(*) AS n, CAST(SUM(v.face_fen) AS BIGINT) AS fen \
             FROM vouchers v JOIN persons p ON p.person_id = v.person_id WHERE {cond} \
             GROUP BY v.status, CASE WHEN v.claim_no IS NULL THEN 0 ELSE 1 END"
        );
        let vals = [val];
        let mut t = VoucherTotals::default();
        for r in bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_all(self.pool())
            .await?
        {
            let (n, fen): (i64, i64) = (r.try_get("n")?, r.try_get("fen")?);
            let paid = r.try_get::<i64, _>("paid")? == 1;
            t.issued += n;
            t.issued_fen += fen;
            let status: String = r.try_get("status")?;
            match (VoucherStatus::from_code(&status), paid) {
                (Some(VoucherStatus::Issued), _) => (t.open, t.open_fen) = (n, fen),
                (Some(VoucherStatus::Used), true) => (t.paid, t.paid_fen) = (n, fen),
                (Some(VoucherStatus::Used), false) => (t.used, t.used_fen) = (n, fen),
                (Some(VoucherStatus::Lapsed), _) => (t.lapsed, t.lapsed_fen) = (n, fen),
                (None, _) => {}
            }
        }
        t.committed_fen = t.open_fen + t.used_fen;
        Ok(t)
    }

    /// A person's own vouchers, newest first.
    pub async fn person_vouchers(&self, person_id: i64) -> Result<Vec<VoucherRow>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} {FROM} WHERE v.person_id = $1 ORDER BY v.issued_on DESC, v.voucher_no"
        );
        sqlx::query(AssertSqlSafe(sql))
            .bind(person_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(row)
            .collect()
    }

    /// The vouchers redeemed at a class in scope (nothing outside it).
    pub async fn class_vouchers(
        &self,
        scope: &Scope,
        class_id: i64,
    ) -> Result<Vec<VoucherRow>, StoreError> {
        let (cond, val) = filter(scope, Subject::Class, 2);
        let sql = format!(
            "SELECT {COLUMNS} {FROM} WHERE v.class_id = $1 AND {cond} ORDER BY v.redeemed_on, v.voucher_no"
        );
        let vals = [Val::int(class_id), val];
        let rows = self.rows_bound(sql, &vals).await?;
        rows.iter().map(row).collect()
    }
}
