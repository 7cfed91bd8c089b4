//! Institution credit in the store: the inputs of a year's rating (cases
//! found true, trainees and passes, inspection results) and the ratings
//! as computed by `jineng_domain::credit::rate`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use jineng_domain::credit::{CaseFound, InspectionResult, InstitutionKind, Rating, RatingInputs};
use jineng_domain::supervision::{CheckId, Severity};
use serde::Serialize;
use sqlx::Row;

use crate::row::Typed;
use crate::{Store, StoreError};

/// A stored rating.
#[derive(Debug, Clone, Serialize)]
pub struct RatingRow {
    pub institution_code: String,
    pub year: i64,
    pub kind: String,
    pub score: i64,
    pub grade: String,
    pub points: serde_json::Value,
    pub removed_from: Option<NaiveDate>,
    pub no_advances: bool,
    pub rated_on: NaiveDate,
}

/// The 评价机构 type of the institutions vocabulary.
const ASSESSMENT: &str = "评价机构";

impl Store {
    /// What each institution's rating for `year` is computed from.
    pub async fn rating_inputs(&self, year: i32) -> Result<Vec<RatingInputs>, StoreError> {
        let y = year.to_string();
        let mut by: BTreeMap<String, RatingInputs> = BTreeMap::new();
        for r in sqlx::query("SELECT credit_code, kind FROM institutions ORDER BY credit_code")
            .fetch_all(self.pool())
            .await?
        {
            let code: String = r.try_get("credit_code")?;
            let kind: String = r.try_get("kind")?;
            by.insert(
                code.clone(),
                RatingInputs {
                    institution: code,
                    kind: if kind == ASSESSMENT {
                        InstitutionKind::Assessment
                    } else {
                        InstitutionKind::Training
                    },
                    year,
                    cases_true: Vec::new(),
                    complaints_upheld: 0,
                    inspections: Vec::new(),
                    trainees: 0,
                    passed: 0,
                },
            );
        }
        let cases = sqlx::query(
            "SELECT c.case_no, c.check_id, c.severity, r.record_key FROM supervision_cases c \
             JOIN supervision_case_records r ON r.case_id = c.case_id AND r.kind = 'institution' \
             WHERE c.status = 'closed_true' AND SUBSTR(c.closed_at, 1, 4) = $1 ORDER BY c.case_no",
        )
        .bind(&y)
        .fetch_all(self.pool())
        .await?;
        for r in cases {
            let key: String = r.try_get("record_key")?;
            let check: String = r.try_get("check_id")?;
            let severity: String = r.try_get("severity")?;
            if let (Some(i), Some(check), Some(severity)) = (
                by.get_mut(&key),
                CheckId::parse(&check),
                Severity::parse(&severity),
            ) {
                i.cases_true.push(CaseFound {
                    case_no: r.try_get("case_no")?,
                    check,
                    severity,
                });
            }
        }
        let results = sqlx::query(
            "SELECT d.draw_no, r.institution_code, r.result FROM inspection_results r \
             JOIN inspection_draws d ON d.draw_id = r.draw_id WHERE d.year = $1 ORDER BY d.draw_no",
        )
        .bind(i64::from(year))
        .fetch_all(self.pool())
        .await?;
        for r in results {
            let key: String = r.try_get("institution_code")?;
            if let Some(i) = by.get_mut(&key) {
                i.inspections.push(InspectionResult {
                    draw_no: r.try_get("draw_no")?,
                    result: r.try_get("result")?,
                });
            }
        }
        // Trainees of the classes that ended in the year, and who passed.
        let outcomes = sqlx::query(
            "SELECT i.credit_code, COUNT(*) AS trainees, \
             SUM(CASE WHEN e.completion = 'passed' THEN 1 ELSE 0 END) AS passed \
             FROM enrolments e JOIN classes c ON c.class_id = e.class_id \
             JOIN institutions i ON i.institution_id = c.institution_id \
             WHERE SUBSTR(c.end_date, 1, 4) = $1 GROUP BY i.credit_code",
        )
        .bind(&y)
        .fetch_all(self.pool())
        .await?;
        for r in outcomes {
            let key: String = r.try_get("credit_code")?;
            let trainees: i64 = r.try_get("trainees")?;
            let passed: i64 = r.try_get("passed")?;
            if let Some(i) = by.get_mut(&key) {
                i.trainees = trainees as u32;
                i.passed = passed as u32;
            }
        }
        Ok(by.into_values().collect())
    }

    /// Stores ratings (a year rated again replaces its ratings).
    pub async fn save_ratings(&self, ratings: &[Rating]) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        for r in ratings {
            sqlx::query(
                "INSERT INTO credit_ratings (institution_code, year, kind, score, grade, points, removed_from, no_advances, rated_on) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (institution_code, year) DO UPDATE SET kind = excluded.kind, score = excluded.score, \
                 grade = excluded.grade, points = excluded.points, removed_from = excluded.removed_from, \
                 no_advances = excluded.no_advances, rated_on = excluded.rated_on",
            )
            .bind(&r.institution)
            .bind(i64::from(r.year))
            .bind(r.kind.as_zh())
            .bind(i64::from(r.score))
            .bind(r.grade.as_str())
            .bind(serde_json::to_string(&r.points).unwrap_or_default())
            .bind(r.consequences.removed_from.map(|d| d.to_string()))
            .bind(i64::from(r.consequences.no_advances))
            .bind(r.rated_on.to_string())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every stored rating, latest year first.
    pub async fn ratings(&self) -> Result<Vec<RatingRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT institution_code, year, kind, score, grade, points, removed_from, no_advances, rated_on \
             FROM credit_ratings ORDER BY year DESC, institution_code",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(rating_row).collect()
    }
}

/// A row of `credit_ratings` (its columns under their own names).
pub(crate) fn rating_row(r: &sqlx::any::AnyRow) -> Result<RatingRow, StoreError> {
    let points: String = r.try_get("points")?;
    Ok(RatingRow {
        institution_code: r.try_get("institution_code")?,
        year: r.try_get("year")?,
        kind: r.try_get("kind")?,
        score: r.try_get("score")?,
        grade: r.try_get("grade")?,
        points: serde_json::from_str(&points).unwrap_or_default(),
        removed_from: r.opt_day("removed_from")?,
        no_advances: r.try_get::<i64, _>("no_advances")? != 0,
        rated_on: r.day("rated_on")?,
    })
}

/// Why a claim may not be advanced (先行拨付) because of credit: the latest
/// rating of the institution that trains (the class's, or the
/// certificate's class's) or that claims or is paid says `no_advances`
/// (e.g. grade C). A later year's better rating lifts it.
pub(crate) async fn no_advances(
    conn: &mut sqlx::AnyConnection,
    claim_no: &str,
) -> Result<Option<String>, StoreError> {
    let r = sqlx::query(
        "SELECT i.credit_code, c.payee_code, c.claimant_code FROM claims c \
         LEFT JOIN certificates ce ON ce.person_id = c.person_id AND ce.cert_no = c.cert_no \
         LEFT JOIN classes cl ON cl.class_id = COALESCE(c.class_id, ce.class_id) \
         LEFT JOIN institutions i ON i.institution_id = cl.institution_id \
         WHERE c.claim_no = $1",
    )
    .bind(claim_no)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = r else { return Ok(None) };
    let mut codes: Vec<String> = ["credit_code", "payee_code", "claimant_code"]
        .iter()
        .filter_map(|c| r.try_get::<Option<String>, _>(*c).ok().flatten())
        .collect();
    codes.sort();
    codes.dedup();
    for code in codes {
        let latest = sqlx::query(
            "SELECT year, grade, no_advances FROM credit_ratings WHERE institution_code = $1 \
             ORDER BY year DESC LIMIT 1",
        )
        .bind(&code)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(l) = latest
            && l.try_get::<i64, _>("no_advances")? != 0
        {
            let year: i64 = l.try_get("year")?;
            let grade: String = l.try_get("grade")?;
            return Ok(Some(format!(
                "机构 {code} 在 {year} 年度信用评定为 {grade} 级，不得先行拨付"
            )));
        }
    }
    Ok(None)
}
