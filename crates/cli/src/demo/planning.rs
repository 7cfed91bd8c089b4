//! The demo's planning data: indicators, targets, task tables and example
//! statistics, with the aggregates brought up to date.

use jineng_store::{Actor, Store};
use std::path::Path;

/// The planning files of the repository the demo loads: targets (seed 003
/// annex 1 and 一, seed 002 一 and 二, seed 004 专栏1) and task tables
/// (seeds 000, 001, 003 annex 2).
const PLANNING: [(&str, &str); 7] = [
    (
        "liaocheng-2019.csv",
        include_str!("../../../../planning/targets/liaocheng-2019.csv"),
    ),
    (
        "liaocheng-2019-2021.csv",
        include_str!("../../../../planning/targets/liaocheng-2019-2021.csv"),
    ),
    (
        "tianshui-2019-2021.csv",
        include_str!("../../../../planning/targets/tianshui-2019-2021.csv"),
    ),
    (
        "national-2021-2025.csv",
        include_str!("../../../../planning/targets/national-2021-2025.csv"),
    ),
    (
        "liaocheng-annex2.csv",
        include_str!("../../../../planning/tasks/liaocheng-annex2.csv"),
    ),
    (
        "tianjin.csv",
        include_str!("../../../../planning/tasks/tianjin.csv"),
    ),
    (
        "rudong.csv",
        include_str!("../../../../planning/tasks/rudong.csv"),
    ),
];
const STATISTICS: &str = include_str!("../../../../demo/liaocheng/statistics.csv");

/// Loads the indicators, targets, task tables and the demo's example
/// statistics, and brings the aggregates up to date.
pub(crate) async fn load_planning(store: &Store, actor: &Actor, dir: &Path) -> anyhow::Result<()> {
    crate::planning::indicators(store, actor).await?;
    let (mut targets, mut tasks) = (0, 0);
    for (name, text) in PLANNING {
        let path = dir.join(name);
        std::fs::write(&path, text)?;
        if text.starts_with("指标代码") {
            let c = crate::planning::import_targets(store, actor, &path)
                .await?
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            targets += c.inserted + c.updated + c.unchanged;
        } else {
            let known = |_: &str| true;
            let (_, rows) = jineng_ingest::planning::read_tasks(&path, &known)?;
            let c = store.import_tasks(&rows, actor).await?;
            tasks += c.inserted + c.updated + c.unchanged;
        }
    }
    let path = dir.join("statistics.csv");
    std::fs::write(&path, STATISTICS)?;
    let set = store.indicator_set().await?;
    let (_, rows) = jineng_ingest::planning::read_statistics(&path, &set, &|_| true)?;
    store.import_statistics(&rows, actor).await?;
    let refreshed = store.refresh_facts(false).await?;
    println!(
        "  规划：目标 {targets} 条（聊城2019年分解、2019—2021年目标，天水，“十四五”全国指标），重点任务 {tasks} 项{}",
        refreshed
            .map(|r| format!("，汇总数据 {} 行", r.rows))
            .unwrap_or_default()
    );
    Ok(())
}
