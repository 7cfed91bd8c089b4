//! Claims held by open cases (docs/supervision.md, Cases): while a case is
//! open, the claims it names can be neither approved, paid, advanced,
//! settled nor sent to the bank. A claim is held by an open case that names
//! - the claim itself (kind `claim`, e.g. S6, S8's anomalous month), or
//! - the claim's certificate (kind `cert`, e.g. S3, S6), or
//! - the claim's person together with the claim's class, or the class of
//!   its certificate (kinds `person` + `class`, e.g. S1, S4, S5, S7).
//!
//! A case naming only a class or an institution (S2's planned hours, S8's
//! pass rate, S9's teacher) does not hold every claim of that class: a
//! false alarm would hold a whole class's money. The officer sees the case
//! and can reject claims one by one.
//!
//! The check runs on the caller's connection, inside the transaction that
//! changes the claim's status, after the claim (or its person) is locked.

use std::collections::HashMap;

use sqlx::Row;

use crate::StoreError;
use crate::dialect::Backend;
use crate::sql::{Val, bind_all};

/// Claims looked up per statement.
const CHUNK: usize = 1000;

/// The refusal for a held claim, naming the case.
pub(crate) fn held_message(claim_no: &str, case_no: &str) -> String {
    format!("申领 {claim_no} 被线索 {case_no} 暂停，结案前不得审核或支付")
}

/// Whether any case is open: when none is, nothing is held and the claim
/// batches skip the lookup.
pub(crate) async fn any_open(conn: &mut sqlx::AnyConnection) -> Result<bool, StoreError> {
    let n: Option<i64> =
        sqlx::query_scalar("SELECT case_id FROM supervision_cases WHERE status = 'open' LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    Ok(n.is_some())
}

/// The open case holding each of `claims` that is held (the oldest case
/// when several hold it).
pub(crate) async fn holding_cases(
    conn: &mut sqlx::AnyConnection,
    claims: &[&str],
) -> Result<HashMap<String, String>, StoreError> {
    let mut out: HashMap<String, (i64, String)> = HashMap::new();
    if claims.is_empty() || !any_open(conn).await? {
        return Ok(HashMap::new());
    }
    let keys: Vec<Val> = claims.iter().map(|c| Val::text(*c)).collect();
    for chunk in keys.chunks(CHUNK) {
        let sql = format!(
            "WITH h AS (SELECT c.claim_no, c.cert_no, cl.class_no, p.id_number FROM claims c \
             JOIN persons p ON p.person_id = c.person_id \
             LEFT JOIN certificates ce ON ce.person_id = c.person_id AND ce.cert_no = c.cert_no \
             LEFT JOIN classes cl ON cl.class_id = COALESCE(c.class_id, ce.class_id) \
             WHERE c.claim_no IN ({})) \
             SELECT h.claim_no, sc.case_id, sc.case_no FROM h \
             JOIN supervision_case_records r ON r.kind = 'claim' AND r.record_key = h.claim_no \
             JOIN supervision_cases sc ON sc.case_id = r.case_id AND sc.status = 'open' \
             UNION ALL SELECT h.claim_no, sc.case_id, sc.case_no FROM h \
             JOIN supervision_case_records r ON r.kind = 'cert' AND r.record_key = h.cert_no \
             JOIN supervision_cases sc ON sc.case_id = r.case_id AND sc.status = 'open' \
             UNION ALL SELECT h.claim_no, sc.case_id, sc.case_no FROM h \
             JOIN supervision_case_records r ON r.kind = 'class' AND r.record_key = h.class_no \
             JOIN supervision_case_records rp ON rp.case_id = r.case_id AND rp.kind = 'person' \
             AND rp.record_key = h.id_number \
             JOIN supervision_cases sc ON sc.case_id = r.case_id AND sc.status = 'open'",
            Backend::of(conn).sequential(1, chunk.len())
        );
        let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), chunk)
            .fetch_all(&mut *conn)
            .await?;
        for r in rows {
            let claim: String = r.try_get("claim_no")?;
            let id: i64 = r.try_get("case_id")?;
            let case: String = r.try_get("case_no")?;
            let e = out.entry(claim).or_insert((id, case.clone()));
            if id < e.0 {
                *e = (id, case);
            }
        }
    }
    Ok(out.into_iter().map(|(k, (_, c))| (k, c)).collect())
}

/// The open case holding one claim, if any.
pub(crate) async fn held_by(
    conn: &mut sqlx::AnyConnection,
    claim_no: &str,
) -> Result<Option<String>, StoreError> {
    Ok(holding_cases(conn, &[claim_no]).await?.remove(claim_no))
}

/// Refuses a held claim, naming the case.
pub(crate) async fn refuse_if_held(
    conn: &mut sqlx::AnyConnection,
    claim_no: &str,
) -> Result<(), StoreError> {
    match held_by(conn, claim_no).await? {
        Some(case) => Err(StoreError::Refused(held_message(claim_no, &case))),
        None => Ok(()),
    }
}

impl crate::Store {
    /// The open case holding a claim, if any (for `claims show`).
    pub async fn claim_held_by(&self, claim_no: &str) -> Result<Option<String>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        held_by(&mut conn, claim_no).await
    }
}
