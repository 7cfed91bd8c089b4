//! Generated registry for `jineng bench supervise`: institutions, classes,
//! persons (valid ID numbers, computed in SQL), enrolments, certificates,
//! claims and comparison-list rows inserted in bulk with INSERT … SELECT
//! over a generated series, with a few planted findings; and the roster
//! the incremental check is measured on. Only for a benchmark store.
//!
//! Shape: classes of 30–60 (a cycle of 31 sizes, 1,395 trainees), one
//! class a month per institution over 2019–2021 (so no month is anomalous),
//! each person in one class and every tenth in a second one 18 months
//! away; 60 % certified by one of the assessors, 30 % claimed; one person
//! in a hundred on a comparison list from 2023 (read, never overlapping).

use jineng_domain::CreditCode;
use sqlx::{AssertSqlSafe, Executor, Row};

use crate::{Store, StoreError};

/// What to generate.
#[derive(Debug, Clone)]
pub struct SupervisionShape<'a> {
    /// Enrolments wanted (the generator rounds up to whole blocks of classes).
    pub enrolments: i64,
    /// County-level regions the persons and classes are in.
    pub counties: &'a [String],
    /// Training types the classes cycle through; the first is one S5 reads.
    pub training_types: &'a [String],
    pub occupation: &'a str,
    /// Classes left empty for the measured roster import (50 trainees each).
    pub roster_classes: i64,
}

/// What was generated (or found).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BenchCounts {
    pub persons: i64,
    pub institutions: i64,
    pub classes: i64,
    pub enrolments: i64,
    pub certificates: i64,
    pub claims: i64,
    pub watchlist: i64,
}

/// One line of the measured roster: 班级编号, 统一社会信用代码, 姓名, 身份证号码.
pub type BenchRosterLine = [String; 4];

const NOW: &str = "2026-01-01T00:00:00Z";
const ID_WEIGHTS: [i64; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Trainees of the 31 class sizes 30..=60.
const BLOCK: i64 = 1395;

/// `CASE expr % n WHEN 0 THEN 'a' …`.
fn case(expr: &str, values: &[String]) -> String {
    let mut s = format!("CASE ({expr}) % {}", values.len());
    for (i, v) in values.iter().enumerate() {
        s.push_str(&format!(" WHEN {i} THEN '{}'", v.replace('\'', "''")));
    }
    s.push_str(" END");
    s
}

/// Σ digit × weight of the `width` decimal digits of `expr`, placed at
/// `pos` of an ID number.
fn weighted(expr: &str, pos: usize, width: u32) -> String {
    (0..width)
        .map(|t| {
            let div = 10_i64.pow(width - 1 - t);
            format!("(({expr}) / {div} % 10) * {}", ID_WEIGHTS[pos + t as usize])
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// `'YYYY-MM-DD'` of integer expressions.
fn date(y: &str, m: &str, d: &str) -> String {
    format!(
        "CAST({y} AS TEXT) || '-' || substr(CAST(100 + ({m}) AS TEXT), 2) || '-' || substr(CAST(100 + ({d}) AS TEXT), 2)"
    )
}

/// Month index `mi` (0 = 2019-01) as year and month expressions.
fn month(mi: &str) -> (String, String) {
    (
        format!("(2019 + ({mi}) / 12)"),
        format!("(1 + ({mi}) % 12)"),
    )
}

/// `r0 → (r, pos)` for the places of a block: class r of the block
/// (sizes 30 + r) and the place in it; read by a join, not a 31-way CASE
/// per row.
fn block_table(series: &str) -> [String; 2] {
    let mut r = String::from("CASE");
    let mut t = 0;
    for k in 0..31 {
        t += 30 + k;
        r.push_str(&format!(" WHEN i < {t} THEN {k}"));
    }
    r.push_str(" END");
    [
        "CREATE TABLE bench_block_places (r0 BIGINT PRIMARY KEY, r BIGINT NOT NULL, pos BIGINT NOT NULL)".into(),
        format!(
            "{series} INSERT INTO bench_block_places (r0, r, pos) \
             SELECT i, {r}, i - (30 * ({r}) + ({r}) * (({r}) - 1) / 2) FROM n"
        ),
    ]
}

/// The persons series with each person's class `k` (0-based) and place `pos`.
fn with_places(series: &str) -> String {
    format!(
        "{series}, q AS (SELECT n.i AS i, n.i / {BLOCK} * 31 + b.r AS k, b.pos AS pos \
         FROM n JOIN bench_block_places b ON b.r0 = n.i % {BLOCK})"
    )
}

/// How many of each the shape comes to.
struct Sizes {
    classes: i64,
    persons: i64,
    insts: i64,
    assessors: i64,
}

impl Sizes {
    /// Persons in whole blocks of 31 classes; about 1.1 enrolments each.
    fn of(s: &SupervisionShape<'_>) -> Sizes {
        let blocks = ((s.enrolments * 10 / 11 + BLOCK - 1) / BLOCK).max(2);
        let classes = blocks * 31;
        let mut assessors = (s.enrolments / 20_000).max(5) | 1;
        if assessors % 7 == 0 {
            assessors += 2;
        }
        Sizes {
            classes,
            persons: blocks * BLOCK,
            insts: (classes + 35) / 36,
            assessors,
        }
    }
}

/// The INSERTs of the institutions, 500 rows a statement.
fn institution_inserts(insts: i64, counties: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for chunk in (0..insts).collect::<Vec<_>>().chunks(500) {
        let mut sql = String::from(
            "INSERT INTO institutions (institution_id, credit_code, name, kind, region_code, updated_at) VALUES ",
        );
        let rows: Vec<String> = chunk
            .iter()
            .map(|j| {
                let code = CreditCode::from_body(&format!("52371500{j:09}"));
                let county = &counties[*j as usize % counties.len()];
                format!(
                    "({}, '{code}', '基准培训机构{j}', '技工院校', '{county}', '{NOW}')",
                    j + 1
                )
            })
            .collect();
        sql.push_str(&rows.join(", "));
        out.push(sql);
    }
    out
}

/// SQL expressions, over the series index `i`, of a generated person's ID
/// number and its parts: sequence, birth year, month and day, county index.
struct IdSql {
    id: String,
    seq: String,
    y: String,
    m: String,
    d: String,
    county: String,
}

/// The ID number expressions for persons spread over `counties`.
fn id_number_sql(counties: &[String]) -> IdSql {
    let nc = counties.len() as i64;
    // ID numbers: county, birth 1960–1999, sequence; check digit in SQL.
    let county = "i % {nc}".replace("{nc}", &nc.to_string());
    let j = format!("(i / {nc})");
    let (seq, y, m, d) = (
        format!("({j} % 1000)"),
        format!("(1960 + {j} / 1000 % 40)"),
        format!("(1 + {j} / 40000 % 12)"),
        format!("(1 + {j} / 480000 % 28)"),
    );
    let region_sum: Vec<String> = counties
        .iter()
        .map(|c| {
            c.bytes()
                .zip(ID_WEIGHTS)
                .map(|(b, w)| i64::from(b - b'0') * w)
                .sum::<i64>()
                .to_string()
        })
        .collect();
    let sum = format!(
        "({} + {} + {} + {} + {})",
        case(&county, &region_sum).replace('\'', ""),
        weighted(&y, 6, 4),
        weighted(&m, 10, 2),
        weighted(&d, 12, 2),
        weighted(&seq, 14, 3)
    );
    let check: Vec<String> = "10X98765432".chars().map(String::from).collect();
    let id = format!(
        "{} || CAST({y} AS TEXT) || substr(CAST(100 + {m} AS TEXT), 2) || substr(CAST(100 + {d} AS TEXT), 2) || substr(CAST(1000 + {seq} AS TEXT), 2) || {}",
        case(&county, counties),
        case(&sum, &check)
    );
    IdSql {
        id,
        seq,
        y,
        m,
        d,
        county,
    }
}

impl Store {
    /// Counts of the generated tables.
    pub async fn bench_supervision_counts(&self) -> Result<BenchCounts, StoreError> {
        let n = |t: &str| format!("SELECT COUNT(*) FROM {t}");
        let mut c = BenchCounts::default();
        for (slot, table) in [
            (&mut c.persons, "persons"),
            (&mut c.institutions, "institutions"),
            (&mut c.classes, "classes"),
            (&mut c.enrolments, "enrolments"),
            (&mut c.certificates, "certificates"),
            (&mut c.claims, "claims"),
            (&mut c.watchlist, "watchlist_entries"),
        ] {
            *slot = sqlx::query_scalar(AssertSqlSafe(n(table)))
                .fetch_one(self.pool())
                .await?;
        }
        Ok(c)
    }

    /// Fills a fresh store (reference data loaded) with the shape's rows.
    pub async fn bench_fill_supervision(&self, s: &SupervisionShape<'_>) -> Result<(), StoreError> {
        let n = Sizes::of(s);
        let mut tx = self.begin().await?;
        for sql in block_table(&self.series(BLOCK)) {
            tx.execute(AssertSqlSafe(sql)).await?;
        }
        for sql in institution_inserts(n.insts, s.counties) {
            tx.execute(AssertSqlSafe(sql)).await?;
        }
        let stmts = self.class_inserts(s, &n).into_iter();
        for sql in stmts.chain(self.person_inserts(s, &n)) {
            tx.execute(AssertSqlSafe(sql)).await?;
        }
        for sql in plants(n.classes) {
            tx.execute(AssertSqlSafe(sql)).await?;
        }
        tx.execute("DROP TABLE bench_block_places").await?;
        if self.backend() == crate::Backend::Postgres {
            tx.execute(
                "SELECT setval(pg_get_serial_sequence('import_batches', 'batch_id'), \
                 (SELECT MAX(batch_id) FROM import_batches))",
            )
            .await?;
        }
        tx.commit().await?;
        self.pool().execute("ANALYZE").await?;
        Ok(())
    }

    /// The statements generating the taught classes, the empty roster
    /// classes and one roster import a class.
    fn class_inserts(&self, s: &SupervisionShape<'_>, n: &Sizes) -> [String; 3] {
        let (classes, insts) = (n.classes, n.insts);
        let (cy, cm) = month("i % 36");
        let start = date(&cy, &cm, "1 + (i / 36) % 8");
        let end = date(&cy, &cm, "20 + (i / 36) % 8");
        let (ry, rm) = month("38");
        [
            format!(
                "{} INSERT INTO classes (class_id, institution_id, class_no, training_type, occupation_code, skill_level, site_region, start_date, end_date, planned_hours, status, updated_at, teacher_id, teacher_name)
                 SELECT i + 1, i / 36 + 1, 'B' || CAST(i AS TEXT), {}, '{}', 5, {}, {start}, {end}, 80, 'closed', '{NOW}', 'T' || CAST(i / 36 AS TEXT), '教师' FROM n",
                self.series(classes),
                case("i", s.training_types),
                s.occupation,
                case("i", s.counties),
            ),
            format!(
                "{} INSERT INTO classes (class_id, institution_id, class_no, training_type, occupation_code, skill_level, site_region, start_date, end_date, planned_hours, status, updated_at)
                 SELECT {classes} + i + 1, i % {insts} + 1, 'R' || CAST(i AS TEXT), '{}', '{}', 5, '{}', {}, {}, 80, 'registered', '{NOW}' FROM n",
                self.series(s.roster_classes.max(1)),
                s.training_types[0],
                s.occupation,
                s.counties[0],
                date(&ry, &rm, "1"),
                date(&ry, &rm, "20"),
            ),
            // One roster import a class, as a county loads its registry:
            // the rows carry their batch, so the planner reads one batch by
            // its index as it would in a real store.
            format!(
                "INSERT INTO import_batches (batch_id, kind, file_name, file_sha256, actor, started_at, finished_at, status)
                 SELECT class_id, 'roster', 'bench-' || CAST(class_id AS TEXT) || '.csv', '', 'bench', '{NOW}', '{NOW}', 'finished' FROM classes"
            ),
        ]
    }

    /// The statements generating the persons, their enrolments,
    /// certificates and claims, and the comparison-list rows.
    fn person_inserts(&self, s: &SupervisionShape<'_>, n: &Sizes) -> [String; 6] {
        let (classes, persons, assessors) = (n.classes, n.persons, n.assessors);
        let IdSql {
            id,
            seq,
            y,
            m,
            d,
            county,
        } = id_number_sql(s.counties);
        let (k, pos) = ("k", "pos");
        let (iy, im) = month("k % 36 + 1");
        let issue = date(&iy, &im, "1 + i % 28");
        [
            format!(
                "{} INSERT INTO persons (person_id, id_number, name, sex, birth_date, phone, hukou_region, receives_pension, updated_at)
                 SELECT i + 1, {id}, '测试', CASE {seq} % 2 WHEN 1 THEN '男' ELSE '女' END, {}, '13' || substr(CAST(1000000000 + i AS TEXT), 2), {}, 0, '{NOW}' FROM n",
                self.series(persons),
                date(&y, &m, &d),
                case(&county, s.counties),
            ),
            format!(
                "{} INSERT INTO enrolments (person_id, class_id, offline_hours, online_hours, completion, updated_at, batch_id)
                 SELECT i + 1, {k} + 1, 80, 0, CASE {pos} % 10 WHEN 8 THEN 'failed' WHEN 9 THEN 'not_finished' ELSE 'passed' END, '{NOW}', {k} + 1 FROM q",
                with_places(&self.series(persons)),
            ),
            // Every tenth person again, 18 months away from the first class.
            format!(
                "{} INSERT INTO enrolments (person_id, class_id, offline_hours, online_hours, completion, updated_at, batch_id)
                 SELECT i + 1, c, 80, 0, 'passed', '{NOW}', c FROM (SELECT i, CASE WHEN {k} + 18 < {classes} THEN {k} + 18 ELSE {k} - 18 END + 1 AS c FROM q WHERE i % 10 = 0) again",
                with_places(&self.series(persons)),
            ),
            format!(
                "{} INSERT INTO certificates (person_id, cert_type, cert_no, occupation_code, skill_level, issue_date, issuer_code, class_id, updated_at, batch_id)
                 SELECT i + 1, 'skill_level', 'K' || CAST(i AS TEXT), '{}', 5, {issue}, 'PJ' || CAST(i % {assessors} AS TEXT), {k} + 1, '{NOW}', {k} + 1 FROM q WHERE {pos} % 10 < 6",
                with_places(&self.series(persons)),
                s.occupation,
            ),
            format!(
                "{} INSERT INTO claims (person_id, claim_no, subsidy_type, cert_type, cert_no, class_id, applied_on, status, updated_at, batch_id)
                 SELECT i + 1, 'Q' || CAST(i AS TEXT), '职业培训补贴', 'skill_level', 'K' || CAST(i AS TEXT), {k} + 1, {issue}, 'submitted', '{NOW}', {k} + 1 FROM q WHERE {pos} % 10 < 3",
                with_places(&self.series(persons)),
            ),
            format!(
                "INSERT INTO watchlist_entries (id_number, name, kind, valid_from, source, employer_code, updated_at)
                 SELECT id_number, name, {}, '2023-01-01', '市社保中心 2023-01', NULL, '{NOW}' FROM persons WHERE person_id % 100 = 8",
                case(
                    "person_id / 100",
                    &["死亡", "财政供养", "服刑", "在校学生", "领取养老金", "在职参保"].map(String::from)
                ),
            ),
        ]
    }

    /// `rows` lines of a roster into the empty classes (50 a class), of
    /// registered persons spread over the registry; the enrolments a
    /// previous run left in those classes are removed first.
    pub async fn bench_supervision_roster(
        &self,
        rows: i64,
    ) -> Result<Vec<BenchRosterLine>, StoreError> {
        let mut tx = self.begin().await?;
        tx.execute(
            "DELETE FROM enrolments WHERE class_id IN (SELECT class_id FROM classes WHERE class_no LIKE 'R%')",
        )
        .await?;
        tx.commit().await?;
        let classes = sqlx::query(
            "SELECT c.class_no, i.credit_code FROM classes c JOIN institutions i ON i.institution_id = c.institution_id \
             WHERE c.class_no LIKE 'R%' ORDER BY c.class_id",
        )
        .fetch_all(self.pool())
        .await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM persons")
            .fetch_one(self.pool())
            .await?;
        let step = (total / rows.max(1)).max(1);
        let persons = sqlx::query(
            "SELECT name, id_number FROM persons WHERE person_id % $1 = 1 ORDER BY person_id LIMIT $2",
        )
        .bind(step)
        .bind(rows)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(persons.len());
        for (n, p) in persons.iter().enumerate() {
            let Some(c) = classes.get(n / 50) else { break };
            out.push([
                c.try_get("class_no")?,
                c.try_get("credit_code")?,
                p.try_get("name")?,
                p.try_get("id_number")?,
            ]);
        }
        Ok(out)
    }
}

/// A few planted findings (when the registry is large enough): S1, S2,
/// S3, S4, S5, S6, S7, S8 (a class all passed; an assessor's busy day), S9.
fn plants(classes: i64) -> Vec<String> {
    let mut out = vec![
        // S7: three trainees of class B0 on one phone.
        "UPDATE persons SET phone = '13900000000' WHERE person_id IN (4, 5, 6)".to_string(),
        // S8: everyone in class B1 passed.
        "UPDATE enrolments SET completion = 'passed' WHERE class_id = 2".into(),
        // S2: 200 planned hours in 20 days.
        "UPDATE classes SET planned_hours = 200 WHERE class_id = 3".into(),
        // S3: a certificate before its class ended.
        "UPDATE certificates SET issue_date = '2018-12-01' WHERE person_id = 3".into(),
        // S6: a second claim for the same training.
        format!(
            "INSERT INTO claims (person_id, claim_no, subsidy_type, class_id, applied_on, status, updated_at) \
             VALUES (1, 'QDUP', '职业培训补贴', 1, '2019-03-01', 'submitted', '{NOW}')"
        ),
        // S4: dead before class B0; S5: insured while in it (就业技能培训).
        format!(
            "INSERT INTO watchlist_entries (id_number, name, kind, valid_from, source, updated_at) \
             SELECT id_number, name, '死亡', '2018-06-01', '市民政局 2019-01', '{NOW}' FROM persons WHERE person_id = 12"
        ),
        format!(
            "INSERT INTO watchlist_entries (id_number, name, kind, valid_from, source, updated_at) \
             SELECT id_number, name, '在职参保', '2018-01-01', '市社保中心 2019-01', '{NOW}' FROM persons WHERE person_id = 22"
        ),
    ];
    if classes > 109 {
        // S1: person 2 also in B36, the same month as B0.
        out.push(format!(
            "INSERT INTO enrolments (person_id, class_id, offline_hours, online_hours, completion, updated_at) \
             VALUES (2, 37, 80, 0, 'passed', '{NOW}')"
        ));
        // S9: B0's teacher also teaches B36 at the same time.
        out.push("UPDATE classes SET teacher_id = 'T0' WHERE class_id = 37".into());
        // S8: one assessor certifies three classes of January on one day.
        out.push(
            "UPDATE certificates SET issuer_code = 'PJX', issue_date = '2019-02-10' WHERE class_id IN (37, 73, 109)"
                .into(),
        );
    }
    out
}
