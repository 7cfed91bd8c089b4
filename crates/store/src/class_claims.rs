//! The claims filed on one class, for the clerk's filing page: only that
//! class's claims (not the institution's others), with the trainee each
//! is for, so a trainee already claimed for is not ticked again.

use crate::scoped::{ClaimRow, Subject, filter};
use crate::sql::{Val, bind_all};
use crate::{Store, StoreError};
use jineng_domain::access::Scope;
use jineng_domain::national_id::mask_id;
use sqlx::{AssertSqlSafe, Row};

impl Store {
    /// The claims in scope on class `class_id`, newest first, each with
    /// its trainee's person id; IDs masked.
    pub async fn class_claims(
        &self,
        scope: &Scope,
        class_id: i64,
        limit: i64,
    ) -> Result<Vec<(i64, ClaimRow)>, StoreError> {
        let (cond, val) = filter(scope, Subject::Claim, 1);
        let vals = [val, Val::int(class_id), Val::int(limit)];
        let sql = format!(
            "SELECT c.person_id, c.claim_no, p.name, p.id_number, c.subsidy_type, c.status, c.amount_fen, \
             c.applied_on, c.flagged_rules \
             FROM claims c JOIN persons p ON p.person_id = c.person_id \
             WHERE {cond} AND c.class_id = $2 ORDER BY c.applied_on DESC, c.claim_no LIMIT $3"
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let status = crate::claims::stored_status(&r.try_get::<String, _>("status")?)?;
                Ok((
                    r.try_get("person_id")?,
                    ClaimRow {
                        claim_no: r.try_get("claim_no")?,
                        person_name: r.try_get("name")?,
                        id_number: mask_id(&r.try_get::<String, _>("id_number")?),
                        subsidy_type: r.try_get("subsidy_type")?,
                        status_zh: status.as_zh().to_string(),
                        status,
                        amount_fen: r.try_get("amount_fen")?,
                        applied_on: r.try_get("applied_on")?,
                        flagged_rules: r
                            .try_get::<Option<String>, _>("flagged_rules")?
                            .unwrap_or_default(),
                    },
                ))
            })
            .collect()
    }
}
