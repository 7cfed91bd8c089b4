//! The claims filed on one class, for the clerk's filing page: only that
//! class's claims (not the institution's others), with the trainee each
//! is for, so a trainee already claimed for is not ticked again.

use crate::claims::scoped::{ClaimRow, Subject, filter};
use crate::sql::{Val, bind_all};
use crate::{Store, StoreError};
use jineng_domain::access::Scope;
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
            .map(|r| Ok((r.try_get("person_id")?, crate::claims::list::claim_row(r)?)))
            .collect()
    }
}
