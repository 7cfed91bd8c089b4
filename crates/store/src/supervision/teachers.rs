//! The 授课教师 of a class (optional template columns), read by check S9.
//! Written beside the class upsert rather than in it: the upsert audits its
//! data columns, and a teacher's ID number must not enter the audit trail.

use std::collections::HashMap;

use jineng_domain::records::ClassRecord;

use crate::imports::batch::{ImportBatch, RowOutcome};

/// Sets the teacher of each written class whose teacher changed; a row
/// whose only change is its teacher becomes `Updated`, and the class
/// carries this batch (so the import's checks see it).
pub(crate) async fn set_class_teachers(
    conn: &mut sqlx::AnyConnection,
    batch: &ImportBatch,
    rows: &[(u64, ClassRecord)],
    institutions: &HashMap<String, i64>,
    out: &mut [(u64, RowOutcome)],
) -> Result<(), sqlx::Error> {
    let Some(batch_id) = batch.id else {
        return Ok(());
    };
    let by_row: HashMap<u64, &ClassRecord> = rows.iter().map(|(n, r)| (*n, r)).collect();
    for (n, outcome) in out.iter_mut() {
        if matches!(outcome, RowOutcome::Rejected(_)) {
            continue;
        }
        let Some(r) = by_row.get(n) else { continue };
        let Some(&iid) = institutions.get(r.institution.as_str()) else {
            continue;
        };
        let (name, id) = match &r.teacher {
            Some((name, id)) => (Some(name.as_str()), Some(id.as_str())),
            None => (None, None),
        };
        let changed = sqlx::query(
            "UPDATE classes SET teacher_name = $1, teacher_id = $2, batch_id = $3 \
             WHERE institution_id = $4 AND class_no = $5 \
             AND (COALESCE(teacher_name, '') <> $6 OR COALESCE(teacher_id, '') <> $7)",
        )
        .bind(name)
        .bind(id)
        .bind(batch_id)
        .bind(iid)
        .bind(&r.class_no)
        .bind(name.unwrap_or(""))
        .bind(id.unwrap_or(""))
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if changed > 0 && *outcome == RowOutcome::Unchanged {
            *outcome = RowOutcome::Updated;
        }
    }
    Ok(())
}
