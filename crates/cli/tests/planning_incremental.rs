//! The dashboard's aggregate kept cell by cell: after each kind of write
//! that moves a figure (new enrolments and a completion change, a
//! certificate, a category held on a past date, a payment, a class moved
//! to another county and month) the next reader recomputes only the
//! queued cells, and the whole `plan_facts` table then equals a full
//! rebuild's. On both backends, through the binary's imports and commands.

use crate::common;
use common::fixtures::{
    CATEGORIES, CERTIFICATES, CLAIMS, CLASSES, INSTITUTIONS, PERSONS, ROSTER, load, policy_file,
};
use common::{TestDb, credit, id};
use jineng_store::{FactRow, RefreshStats, Store};

/// Refreshes as a reader would, then checks the facts against a full
/// rebuild of the same records. Returns what the refresh did.
async fn same_as_rebuild(store: &Store, what: &str, b: &str) -> (RefreshStats, Vec<FactRow>) {
    let stats = store
        .refresh_facts(false)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("[{b}] {what}: nothing was queued"));
    let kept = store.all_facts().await.unwrap();
    assert!(
        store.refresh_facts(false).await.unwrap().is_none(),
        "[{b}] {what}: the queue is drained"
    );
    store.refresh_facts(true).await.unwrap();
    let rebuilt = store.all_facts().await.unwrap();
    assert_eq!(kept, rebuilt, "[{b}] {what}: incremental ≠ full rebuild");
    (stats, kept)
}

/// Σ of the facts of `measure` (every person: category '') in `region`
/// and `month` of 2019, and the same for `category`.
fn value(facts: &[FactRow], region: &str, month: i64, measure: &str, category: &str) -> i64 {
    facts
        .iter()
        .filter(|f| f.0 == region && f.1 == 2019 && f.2 == month && f.3 == measure)
        .filter(|f| f.5 == category)
        .map(|f| f.7)
        .sum()
}

#[test]
fn each_write_recomputes_its_cells_and_equals_a_rebuild() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in common::initialised("plan_incremental") {
        rt.block_on(check(&db));
    }
}

async fn check(db: &TestDb) {
    let b = db.backend.to_string();
    let b = b.as_str();
    let p: Vec<String> = [
        ("371502", 1985, 11),
        ("371502", 1990, 12),
        ("371521", 1988, 13),
        ("371521", 1992, 14),
    ]
    .iter()
    .map(|(r, y, s)| id(r, *y, 3, 12, *s))
    .collect();
    let school = credit("371502", "1");
    let centre = credit("371502", "5");
    let names = ["甲一", "乙二", "丙三", "丁四"];
    let hukou = ["371502", "371502", "371521", "371521"];
    let persons: Vec<String> = (0..4)
        .map(|i| format!("{},{},{}", names[i], p[i], hukou[i]))
        .collect();
    load(db, "persons", PERSONS, &persons);
    let held = [format!("{},农村转移就业劳动者,2018-01-01,,", p[0])];
    load(db, "categories", CATEGORIES, &held);
    let institutions = [
        format!("聊城市技工学校,{school},技工院校,371502,是,2018-01-01,"),
        format!("聊城市职业技能鉴定中心,{centre},评价机构,371502,否,,"),
    ];
    load(db, "institutions", INSTITUTIONS, &institutions);
    let class = |site: &str, end: &str| {
        vec![
            format!("A,{school},就业技能培训,6-31-01-03,电工,五级,{site},2019-03-01,{end},80"),
            format!(
                "B,{school},岗位技能提升培训,6-18-02-04,焊工,三级,371521,2019-05-01,2019-06-10,80"
            ),
        ]
    };
    load(db, "classes", CLASSES, &class("371502", "2019-03-20"));
    let roster = |rows: &[String]| load(db, "roster", ROSTER, rows);
    roster(&[
        format!("A,{school},甲一,{},80,0,合格", p[0]),
        format!("A,{school},乙二,{},20,0,未结业", p[1]),
    ]);
    let store = Store::connect(&db.url).await.unwrap();
    // The migration queues one whole rebuild.
    let (stats, facts) = same_as_rebuild(&store, "first read", b).await;
    assert!(stats.full, "[{b}] {stats:?}");
    assert_eq!(value(&facts, "371502", 3, "training", ""), 1, "[{b}]");

    // New enrolments, and a completion that changes (未结业 → 合格).
    roster(&[
        format!("A,{school},乙二,{},80,0,合格", p[1]),
        format!("B,{school},甲一,{},80,0,合格", p[0]),
        format!("B,{school},丙三,{},80,0,不合格", p[2]),
    ]);
    let (stats, facts) = same_as_rebuild(&store, "roster import", b).await;
    assert!(!stats.full && stats.cells == 2, "[{b}] {stats:?}");
    assert_eq!(value(&facts, "371502", 3, "training", ""), 2, "[{b}]");
    assert_eq!(value(&facts, "371521", 6, "training", ""), 2, "[{b}]");

    // A certificate of a class, and one without (at the holder's 户籍地).
    let certificates = [
        format!(
            "K1,职业技能等级证书,甲一,{},6-31-01-03,五级,2019-04-10,{centre},A",
            p[0]
        ),
        format!(
            "K2,职业资格证书,丙三,{},6-18-02-04,三级,2019-09-01,{centre},",
            p[2]
        ),
    ];
    load(db, "certificates", CERTIFICATES, &certificates);
    let (stats, facts) = same_as_rebuild(&store, "certificates", b).await;
    assert!(!stats.full && stats.cells == 2, "[{b}] {stats:?}");
    assert_eq!(value(&facts, "371502", 4, "certificate", ""), 1, "[{b}]");
    assert_eq!(
        value(&facts, "371521", 9, "high_certificate", ""),
        1,
        "[{b}]"
    );

    // A category held since 2018 moves the breakdown of 丙三's past
    // enrolment (B, June) and certificate (K2, September).
    let newly = [format!("{},登记失业人员,2018-01-01,,", p[2])];
    load(db, "categories", CATEGORIES, &newly);
    let (stats, facts) = same_as_rebuild(&store, "category", b).await;
    assert!(!stats.full, "[{b}] {stats:?}");
    assert_eq!(
        value(&facts, "371521", 6, "training", "登记失业人员"),
        1,
        "[{b}]"
    );
    assert_eq!(
        value(&facts, "371521", 9, "certificate", "登记失业人员"),
        1,
        "[{b}]"
    );

    // Decided and approved: no figure moves, nothing is queued. Paid: the
    // claim's cell.
    load(
        db,
        "claims",
        CLAIMS,
        &[format!("SL-1,职业培训补贴,{},K1,,,,2019-04-20,,", p[0])],
    );
    db.ok(&["policy", "load", &policy_file("liaocheng-2019.toml")]);
    db.ok(&["claims", "decide", "--all"]);
    db.ok(&["claims", "approve", "--all"]);
    db.ok(&["ledger", "allocate", "--fund", "ES", "--amount", "100000"]);
    db.ok(&["ledger", "allocate", "--fund", "UI", "--amount", "100000"]);
    assert!(
        store.refresh_facts(false).await.unwrap().is_none(),
        "[{b}] a decision, an approval and an allocation move no figure"
    );
    db.ok(&["claims", "pay", "--all"]);
    let (stats, facts) = same_as_rebuild(&store, "payment", b).await;
    assert!(!stats.full && stats.cells == 1, "[{b}] {stats:?}");
    assert!(value(&facts, "371502", 4, "paid", "") > 0, "[{b}]");

    // Class A moves to 阳谷县 and ends in May: its enrolments and its
    // certificate leave 东昌府区.
    load(db, "classes", CLASSES, &class("371521", "2019-05-25"));
    let (stats, facts) = same_as_rebuild(&store, "class edit", b).await;
    assert!(!stats.full, "[{b}] {stats:?}");
    assert_eq!(value(&facts, "371502", 3, "training", ""), 0, "[{b}]");
    assert_eq!(value(&facts, "371521", 5, "training", ""), 2, "[{b}]");
    assert_eq!(value(&facts, "371502", 4, "certificate", ""), 0, "[{b}]");
    assert_eq!(value(&facts, "371521", 4, "certificate", ""), 1, "[{b}]");
    // The claim names no class: it stays at the holder's 户籍地.
    assert!(value(&facts, "371502", 4, "paid", "") > 0, "[{b}]");
    db.ok(&["audit", "verify"]);
    committed_behind_a_refresh(db, &store, b).await;
    crate::planning_incremental_random::random_sequences(db, &store, b).await;
}

/// A write in flight when a reader refreshes is not lost: with a cell
/// queued by an earlier write, the refresh waits for the write in flight
/// (PostgreSQL: the queue's lock; SQLite: the write lock), so once both are
/// done the facts hold it without another refresh.
async fn committed_behind_a_refresh(db: &TestDb, store: &Store, b: &str) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut writer = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    // Committed: 甲一 fails class B (still counted), queueing its cell.
    sqlx::raw_sql(
        "UPDATE enrolments SET completion = 'failed' WHERE completion = 'passed'
           AND class_id IN (SELECT class_id FROM classes WHERE class_no = 'B')",
    )
    .execute(&mut writer)
    .await
    .unwrap();
    // In flight: every other completion is undone.
    let begin = if b == "sqlite" {
        "BEGIN IMMEDIATE"
    } else {
        "BEGIN"
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "{begin}; UPDATE enrolments SET completion = 'not_finished' WHERE completion = 'passed'"
    )))
    .execute(&mut writer)
    .await
    .unwrap();
    let reader = store.clone();
    let refresh = tokio::spawn(async move { reader.refresh_facts(false).await });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    sqlx::raw_sql("COMMIT").execute(&mut writer).await.unwrap();
    refresh.await.unwrap().unwrap();
    let kept = store.all_facts().await.unwrap();
    assert_eq!(
        value(&kept, "371521", 5, "training", ""),
        0,
        "[{b}] the refresh saw the write committed behind it"
    );
    assert_eq!(value(&kept, "371521", 6, "training", ""), 2, "[{b}]");
    store.refresh_facts(true).await.unwrap();
    assert_eq!(kept, store.all_facts().await.unwrap(), "[{b}]");
}
