//! The rehearsal of a distributed PostgreSQL (issue 17, docs/scale.md "The
//! national layout"), on the live catalog of both backends after `init`:
//! every table is placed (`jineng_store::distribution::TABLES`); a table
//! distributed by person has a primary key that starts with `person_id`
//! and no unique key without it except the global keys it declares (each a
//! lookup table in Citus), and declares none it does not have.

use crate::common;

use common::backends;
use jineng_store::distribution::{Placement, TABLES, placement};

#[test]
fn every_table_is_placed_and_person_tables_can_be_distributed_by_person() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in backends("schema_distribution") {
        db.ok(&["init"]);
        let b = db.backend;
        let keys = rt.block_on(async {
            let store = jineng_store::Store::connect(&db.url).await.unwrap();
            store.table_keys().await.unwrap()
        });
        let mut problems = Vec::new();
        for t in &keys {
            match placement(&t.table) {
                None => problems.push(format!("{}: not placed in distribution::TABLES", t.table)),
                Some(Placement::Person { global_keys }) => {
                    assert!(
                        t.columns.iter().any(|c| c == "person_id"),
                        "[{b}] {}",
                        t.table
                    );
                    if t.primary_key.first().map(String::as_str) != Some("person_id") {
                        problems.push(format!(
                            "{}: primary key {:?} does not start with person_id",
                            t.table, t.primary_key
                        ));
                    }
                    let mut global: Vec<Vec<String>> = t
                        .unique
                        .iter()
                        .chain(std::iter::once(&t.primary_key))
                        .filter(|k| !k.iter().any(|c| c == "person_id"))
                        .cloned()
                        .collect();
                    global.sort();
                    global.dedup();
                    let mut declared: Vec<Vec<String>> = global_keys
                        .iter()
                        .map(|k| k.iter().map(|c| c.to_string()).collect())
                        .collect();
                    declared.sort();
                    if global != declared {
                        problems.push(format!(
                            "{}: unique keys without person_id {global:?}, declared {declared:?}",
                            t.table
                        ));
                    }
                }
                Some(Placement::Reference | Placement::Coordinator) => {}
            }
        }
        for (table, ..) in TABLES {
            if !keys.iter().any(|t| t.table == *table) {
                problems.push(format!("{table}: placed but not in the schema"));
            }
        }
        assert!(problems.is_empty(), "[{b}]\n{}", problems.join("\n"));
        // The catalog reader itself: persons and claims as docs/scale.md says.
        let claims = keys.iter().find(|t| t.table == "claims").unwrap();
        assert_eq!(claims.primary_key, ["person_id", "claim_no"], "[{b}]");
        let persons = keys.iter().find(|t| t.table == "persons").unwrap();
        assert!(
            persons.unique.contains(&vec!["id_number".to_string()]),
            "[{b}]"
        );
    }
}
