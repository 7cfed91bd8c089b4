//! The what-if replay's reads (`Store::replay_feed`) on a SQLite file go
//! through rusqlite on the store's own read connections; on an in-memory
//! SQLite and on PostgreSQL through the pool (sqlx). Both must hand the
//! replay the same persons with the same facts and claims: the demo,
//! decided, read from its file and from an in-memory copy of the same
//! database, feed for feed. (PostgreSQL's replay is checked against the
//! database itself by `policy_whatif`.)

use crate::common;

use jineng_store::{ReplayScope, Store};
use sqlx::Connection;

/// Every person the feed hands over, as the replay receives them.
async fn feed(store: &Store) -> (usize, Vec<String>) {
    let set = store.policy_set().await.unwrap();
    let (base_id, _) = set
        .items
        .iter()
        .find(|(_, p)| p.meta.id == "liaocheng-2019")
        .expect("the demo's policy");
    let mut feed = store
        .replay_feed(ReplayScope {
            policy_id: *base_id,
            from: None,
            to: None,
            enterprise_types: set.enterprise_types().clone(),
        })
        .await
        .unwrap();
    let mut out = Vec::new();
    while let Some(chunk) = feed.next().await {
        out.extend(chunk.unwrap().iter().map(|p| format!("{p:?}")));
    }
    (feed.persons, out)
}

#[test]
fn the_direct_sqlite_read_feeds_the_replay_what_the_pool_does() {
    let db = common::backends("whatif_direct")
        .into_iter()
        .find(|d| d.backend == "sqlite")
        .unwrap();
    db.demo(&["--persons", "300"]);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let file = db.store().await;
        assert!(file.sqlite_file().is_some(), "the file is read directly");
        let direct = feed(&file).await;
        file.close().await;

        // A named in-memory database shared by the connections of this
        // process, held open (empty) while the file is copied into it. The
        // name is a `file:` URI so that the copy's ATTACH names the same.
        let name = format!("whatif_direct_{}", std::process::id());
        let memory = format!("sqlite:file:{name}?mode=memory");
        sqlx::any::install_default_drivers();
        let keep = sqlx::AnyConnection::connect(&memory).await.unwrap();
        let mut source = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "VACUUM INTO 'file:{name}?mode=memory&cache=shared'"
        )))
        .execute(&mut source)
        .await
        .unwrap();
        source.close().await.unwrap();
        let copy = Store::connect(&memory).await.unwrap();
        assert!(
            copy.sqlite_file().is_none(),
            "the copy is read through the pool"
        );
        let pooled = feed(&copy).await;
        copy.close().await;
        keep.close().await.unwrap();

        assert!(direct.0 > 100, "persons with a decided claim: {}", direct.0);
        assert!(
            direct.1.iter().any(|p| p.contains("replay: true")),
            "claims to replay"
        );
        assert!(
            direct.1.iter().any(|p| p.contains("family: [Relative")),
            "relatives' categories read"
        );
        assert_eq!(direct.0, pooled.0, "persons");
        assert_eq!(direct.1.len(), pooled.1.len(), "persons fed");
        for (a, b) in direct.1.iter().zip(&pooled.1) {
            assert_eq!(a, b);
        }
    });
}
