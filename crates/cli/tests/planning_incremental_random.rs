//! Property-style check of the facts' queue: random sequences of writes to
//! the records behind the figures (completions, enrolments removed, classes
//! moved in place and time, overlapping category periods added and
//! removed, certificates and claims re-dated, 户籍地 changed), written as
//! plain SQL so that only the database's triggers can see them; after each
//! few writes the incrementally kept facts equal a full rebuild's. Called
//! by `planning_incremental` on its loaded registry, on both backends.

use crate::common::TestDb;
use jineng_store::Store;
use sqlx::Connection;

/// A small deterministic generator (xorshift64*), so a failure repeats.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }

    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const REGIONS: [&str; 3] = ["371502", "371521", "371503"];
const DATES: [&str; 5] = [
    "2019-02-10",
    "2019-03-20",
    "2019-05-25",
    "2019-06-10",
    "2019-11-30",
];
const COMPLETIONS: [&str; 3] = ["passed", "failed", "not_finished"];
const CATEGORIES: [&str; 2] = ["登记失业人员", "农村转移就业劳动者"];

/// One random write, as SQL.
fn write(rng: &mut Rng, persons: &[i64], classes: &[i64]) -> String {
    let person = persons[rng.below(persons.len())];
    let class = classes[rng.below(classes.len())];
    let (region, date) = (rng.pick(&REGIONS), rng.pick(&DATES));
    match rng.below(9) {
        0 | 1 => format!(
            "UPDATE enrolments SET completion = '{}' WHERE person_id = {person}",
            rng.pick(&COMPLETIONS)
        ),
        2 => format!("UPDATE classes SET site_region = '{region}', end_date = '{date}' WHERE class_id = {class}"),
        // Overlapping periods of one category count once.
        3 => format!(
            "INSERT INTO person_categories (person_id, category, valid_from, valid_to, updated_at)
             SELECT {person}, '{}', '{date}', {}, 'x' WHERE NOT EXISTS (SELECT 1 FROM person_categories
               WHERE person_id = {person} AND category = '{}' AND valid_from = '{date}')",
            CATEGORIES[0],
            if rng.below(2) == 0 { "NULL".to_string() } else { "'2019-06-01'".to_string() },
            CATEGORIES[0]
        ),
        4 => format!(
            "DELETE FROM person_categories WHERE person_id = {person} AND category = '{}'",
            rng.pick(&CATEGORIES)
        ),
        5 => format!(
            "UPDATE certificates SET issue_date = '{date}', class_id = {} WHERE person_id = {person}",
            if rng.below(2) == 0 { "NULL".to_string() } else { class.to_string() }
        ),
        6 => format!("UPDATE persons SET hukou_region = '{region}' WHERE person_id = {person}"),
        7 => format!("UPDATE claims SET applied_on = '{date}' WHERE person_id = {person}"),
        _ => format!("DELETE FROM enrolments WHERE person_id = {person} AND class_id = {class}"),
    }
}

pub async fn random_sequences(db: &TestDb, store: &Store, b: &str) {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    let persons: Vec<i64> = sqlx::query_scalar("SELECT person_id FROM persons ORDER BY person_id")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    let classes: Vec<i64> = sqlx::query_scalar("SELECT class_id FROM classes ORDER BY class_id")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    for seed in [7_u64, 1_234_567, 987_654_321] {
        let mut rng = Rng(seed);
        let mut done = Vec::new();
        for _ in 0..6 {
            for _ in 0..1 + rng.below(3) {
                let sql = write(&mut rng, &persons, &classes);
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                done.push(sql);
            }
            store.refresh_facts(false).await.unwrap();
            let kept = store.all_facts().await.unwrap();
            store.refresh_facts(true).await.unwrap();
            let rebuilt = store.all_facts().await.unwrap();
            assert_eq!(
                kept,
                rebuilt,
                "[{b}] seed {seed}, after:\n{}",
                done.join(";\n")
            );
        }
    }
}
