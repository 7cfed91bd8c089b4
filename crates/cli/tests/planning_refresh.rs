//! The aggregate facts are rebuilt when the records behind them change and
//! only then: an ID reveal, a target import or a claim's decision leaves
//! them current (no rebuild), an import of certificates or a payment makes
//! the next reader rebuild them, and the figures follow. On both backends.

use crate::common;
use common::fixtures::{base, base_rows, fx, load};
use common::{TestDb, backends};
use jineng_store::Store;

fn repo(p: &str) -> String {
    format!("{}/../../{p}", env!("CARGO_MANIFEST_DIR"))
}

/// Rebuilds if needed; true when it did.
async fn rebuilt(store: &Store) -> bool {
    store.refresh_facts(false).await.unwrap().is_some()
}

async fn certificates_counted(store: &Store) -> i64 {
    let facts = store
        .facts_under(
            "371500",
            jineng_domain::planning::Period {
                from: 2024,
                to: 2024,
            },
        )
        .await
        .unwrap();
    facts
        .iter()
        .filter(|f| {
            f.measure == jineng_domain::planning::Measure::Certificate && f.category.is_empty()
        })
        .map(|f| f.value)
        .sum()
}

#[test]
fn facts_rebuild_only_when_their_records_change() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in backends("plan_refresh") {
        rt.block_on(check(&db));
    }
}

async fn check(db: &TestDb) {
    let b = db.backend;
    let f = fx();
    db.ok(&["init"]);
    base(db, &f, "roster");
    let store = Store::connect(&db.url).await.unwrap();
    assert!(rebuilt(&store).await, "[{b}] the imports are seen");
    assert!(!rebuilt(&store).await, "[{b}] nothing new: no rebuild");
    assert_eq!(certificates_counted(&store).await, 0, "[{b}]");

    // Writes that move no figure.
    db.ok(&["person", "show", &f.zhang, "--reveal"]);
    db.ok(&[
        "targets",
        "import",
        &repo("planning/targets/national-2021-2025.csv"),
    ]);
    assert!(
        !rebuilt(&store).await,
        "[{b}] a reveal and a target change no fact"
    );

    // A change of the records does.
    let (header, rows) = base_rows("certificates", &f);
    load(db, "certificates", header, &rows);
    assert!(rebuilt(&store).await, "[{b}] new certificates are seen");
    assert!(certificates_counted(&store).await > 0, "[{b}]");
    db.ok(&["audit", "verify"]);
}
