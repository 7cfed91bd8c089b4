//! Generated data for `jineng bench report`: enrolments, classes, persons,
//! categories and certificates inserted in bulk with INSERT … SELECT over a
//! generated series, and the plain GROUP BY the dashboard is measured
//! against. Only for a fresh benchmark store.

use crate::{Backend, Store, StoreError};
use sqlx::{AssertSqlSafe, Executor};

/// What to generate: `enrolments` rows over `classes` classes sited in
/// `counties`, four enrolments per person.
#[derive(Debug, Clone)]
pub struct BenchShape<'a> {
    pub enrolments: i64,
    pub counties: &'a [String],
    pub training_types: &'a [String],
    pub categories: &'a [String],
    pub occupation: &'a str,
    /// ISO end dates the classes cycle through.
    pub end_dates: &'a [String],
}

fn case(expr: &str, values: &[String]) -> String {
    let mut s = format!("CASE {expr} % {}", values.len());
    for (i, v) in values.iter().enumerate() {
        s.push_str(&format!(" WHEN {i} THEN '{}'", v.replace('\'', "''")));
    }
    s.push_str(" END");
    s
}

impl Store {
    /// `WITH … n(i)` of 0..count: generate_series on PostgreSQL, a
    /// recursive CTE on SQLite.
    pub(crate) fn series(&self, count: i64) -> String {
        match self.backend() {
            Backend::Postgres => {
                format!("WITH n(i) AS (SELECT generate_series(0, {count} - 1)::BIGINT)")
            }
            Backend::Sqlite => format!(
                "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {count} - 1)"
            ),
        }
    }

    /// Fills a fresh store (reference data loaded) with the shape's rows.
    pub async fn bench_fill_enrolments(&self, shape: &BenchShape<'_>) -> Result<(), StoreError> {
        let n = shape.enrolments.max(4);
        let persons = n / 4;
        // About 50 trainees a class; never a divisor of 7919·k (k ≤ 3), so
        // a person's four classes differ.
        let mut classes = (n / 50).max(37);
        if classes % 7919 == 0 || classes <= 3 {
            classes += 1;
        }
        let mut tx = self.begin().await?;
        let now = "2019-01-01T00:00:00Z";
        let stmts = [
            format!(
                "INSERT INTO institutions (institution_id, credit_code, name, kind, region_code, updated_at)
                 VALUES (1, 'BENCH', '基准测试培训机构', '技工院校', '{}', '{now}')",
                shape.counties[0]
            ),
            format!(
                "{} INSERT INTO classes (class_id, institution_id, class_no, training_type, occupation_code, skill_level, site_region, start_date, end_date, planned_hours, updated_at)
                 SELECT i + 1, 1, 'C' || i, {}, '{}', i % 5 + 1, {}, {}, {}, 80, '{now}' FROM n",
                self.series(classes),
                case("i", shape.training_types),
                shape.occupation,
                case("i", shape.counties),
                case("i", shape.end_dates),
                case("i", shape.end_dates),
            ),
            format!(
                "{} INSERT INTO persons (person_id, id_number, name, sex, birth_date, hukou_region, updated_at)
                 SELECT i + 1, 'B' || i, '测试', '男', '1990-01-01', {}, '{now}' FROM n",
                self.series(persons),
                case("i", shape.counties),
            ),
            format!(
                "{} INSERT INTO person_categories (person_id, category, valid_from, updated_at)
                 SELECT i + 1, {}, '2018-01-01', '{now}' FROM n WHERE i % 10 < 4",
                self.series(persons),
                case("i", shape.categories),
            ),
            format!(
                "{} INSERT INTO enrolments (person_id, class_id, offline_hours, completion, updated_at)
                 SELECT i / 4 + 1, (i * 7919) % {classes} + 1, 80,
                        CASE i % 10 WHEN 0 THEN 'not_finished' WHEN 1 THEN 'failed' ELSE 'passed' END, '{now}'
                 FROM n",
                self.series(n),
            ),
            format!(
                "{} INSERT INTO certificates (person_id, cert_type, cert_no, occupation_code, skill_level, issue_date, issuer_code, class_id, updated_at)
                 SELECT i + 1, 'skill_level', 'K' || i, '{}', ((4 * i * 7919) % {classes}) % 5 + 1, {}, 'BENCH', (4 * i * 7919) % {classes} + 1, '{now}' FROM n",
                self.series(persons),
                shape.occupation,
                case(&format!("((4 * i * 7919) % {classes})"), shape.end_dates),
            ),
        ];
        // The fill queues a whole rebuild instead of its cells, row by row.
        super::dirty::uninstall(&mut tx, self.backend()).await?;
        for sql in stmts {
            tx.execute(AssertSqlSafe(sql)).await?;
        }
        if self.backend() == Backend::Postgres {
            // The rows carry their ids: identities go on after them, so
            // imports into the filled store (the incremental part) work.
            for (table, id) in [
                ("institutions", "institution_id"),
                ("classes", "class_id"),
                ("persons", "person_id"),
            ] {
                tx.execute(AssertSqlSafe(format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', '{id}'), (SELECT MAX({id}) FROM {table}))"
                )))
                .await?;
            }
        }
        super::dirty::install(&mut tx, self.backend()).await?;
        super::dirty::queue_full(&mut tx).await?;
        tx.commit().await?;
        // Fresh statistics for the planner, as a running system would have.
        self.pool().execute("ANALYZE").await?;
        Ok(())
    }

    /// The plain query the dashboard is compared with: completed
    /// enrolments per county of `prefix` in `year`, straight from the rows.
    pub async fn bench_plain_group_by(
        &self,
        prefix: &str,
        year: i32,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT c.site_region, COUNT(*) FROM enrolments e JOIN classes c ON c.class_id = e.class_id
             WHERE e.completion <> 'not_finished' AND c.site_region LIKE $1
               AND c.end_date >= $2 AND c.end_date <= $3
             GROUP BY c.site_region ORDER BY c.site_region",
        )
        .bind(format!("{prefix}%"))
        .bind(format!("{year}-01-01"))
        .bind(format!("{year}-12-31"))
        .fetch_all(self.pool())
        .await?)
    }
}
