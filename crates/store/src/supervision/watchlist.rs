//! 比对名单 rows (template `watchlist`). A row whose person is not in the
//! registry is kept: it is evidence for later imports. A row whose person
//! is known must carry the registry's name (冒名 otherwise).

use crate::imports::batch::{ImportBatch, Rejection, RowOutcome};
use crate::persons::resolve_persons;
use crate::{Store, StoreError};
use jineng_domain::supervision::watchlist::WatchlistRecord;

impl Store {
    /// Writes comparison-list rows; the same row again is unchanged.
    pub async fn import_watchlist(
        &self,
        batch: &ImportBatch,
        rows: &[(u64, WatchlistRecord)],
    ) -> Result<Vec<(u64, RowOutcome)>, StoreError> {
        let mut tx = self.begin().await?;
        let names = resolve_persons(&mut tx, rows.iter().map(|(_, r)| &r.id)).await?;
        let now = crate::audit::now();
        let mut out = Vec::with_capacity(rows.len());
        for (n, r) in rows {
            if let Some((_, known)) = names.get(r.id.as_str())
                && *known != r.name
            {
                out.push((
                    *n,
                    RowOutcome::Rejected(vec![Rejection::new(
                        "姓名",
                        format!(
                            "姓名「{}」与人员信息中该身份证号码的姓名不一致（疑似冒名），请核对",
                            r.name
                        ),
                    )]),
                ));
                continue;
            }
            let old: Option<(String, Option<String>, Option<String>)> = sqlx::query_as(
                "SELECT name, valid_to, employer_code FROM watchlist_entries \
                 WHERE id_number = $1 AND kind = $2 AND valid_from = $3 AND source = $4",
            )
            .bind(r.id.as_str())
            .bind(r.kind.as_zh())
            .bind(r.from.to_string())
            .bind(&r.source)
            .fetch_optional(&mut *tx)
            .await?;
            let to = r.to.map(|d| d.to_string());
            let employer = r.employer.as_ref().map(|c| c.as_str().to_string());
            let new = (r.name.clone(), to.clone(), employer.clone());
            let outcome = RowOutcome::compared(old.as_ref(), &new);
            if outcome == RowOutcome::Unchanged || batch.dry_run() {
                out.push((*n, outcome));
                continue;
            }
            sqlx::query(
                "INSERT INTO watchlist_entries (id_number, name, kind, valid_from, valid_to, source, employer_code, batch_id, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (id_number, kind, valid_from, source) DO UPDATE SET name = excluded.name, \
                 valid_to = excluded.valid_to, employer_code = excluded.employer_code, \
                 batch_id = excluded.batch_id, updated_at = excluded.updated_at",
            )
            .bind(r.id.as_str())
            .bind(&r.name)
            .bind(r.kind.as_zh())
            .bind(r.from.to_string())
            .bind(to)
            .bind(&r.source)
            .bind(employer)
            .bind(batch.id)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            out.push((*n, outcome));
        }
        tx.commit().await?;
        Ok(out)
    }
}
