//! `jineng bench report`: the dashboard of a city with N generated
//! enrolments, beside a plain GROUP BY over the same rows in the same run,
//! on a fresh store of the `--db` kind; then the time until 10,000 newly
//! imported enrolments show (`bench_report_incremental.rs`).

use crate::planning::import_targets;
use jineng_domain::planning::prefix;
use jineng_store::{Actor, BenchShape, Store, fresh_postgres_database};
use serde_json::json;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

const ANNEX1: &str = include_str!("../../../planning/targets/liaocheng-2019.csv");

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn ms(t: Instant) -> f64 {
    (t.elapsed().as_secs_f64() * 1e6).round() / 1e3
}

pub async fn run(
    db: &str,
    actor: &Actor,
    enrolments: i64,
    city: &str,
    json_out: bool,
) -> anyhow::Result<ExitCode> {
    let dir = std::env::temp_dir().join(format!("jineng-bench-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = measure(db, actor, enrolments, city, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    let out = result?;
    if json_out {
        println!("{out}");
    } else {
        println!(
            "后端 {}，{} 的补贴性培训记录 {} 条：",
            out["backend"].as_str().unwrap_or(""),
            city,
            enrolments
        );
        println!(
            "  生成数据：{} 秒；汇总重算：{} 秒（{} 行）",
            out["generate_seconds"], out["refresh_seconds"], out["facts_rows"]
        );
        println!(
            "  看板查询（{} 个地区，含新鲜度检查）：中位数 {} 毫秒（首次 {} 毫秒）",
            out["areas"], out["dashboard_ms"], out["dashboard_first_ms"]
        );
        println!(
            "  对照：同一批记录直接 GROUP BY：中位数 {} 毫秒",
            out["plain_group_by_ms"]
        );
        println!(
            "  比值（直接查询 ÷ 看板）：{}；两者各县数字一致：{}",
            out["ratio"], out["agree"]
        );
        let inc = &out["incremental"];
        println!(
            "  增量：导入 {} 条新培训记录 {} 毫秒；其后首次看板查询（含增量重算）{} 毫秒；与全量重算一致：{}；全量重算（修复命令）{} 秒",
            inc["new_enrolments"],
            inc["roster_import_ms"],
            inc["incremental_ms"],
            inc["incremental_equals_full"],
            inc["full_rebuild_seconds"]
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A fresh store with the zones, indicators and Liaocheng's targets;
/// returns `city`'s counties.
async fn prepare(
    store: &Store,
    actor: &Actor,
    city: &str,
    dir: &Path,
) -> anyhow::Result<Vec<String>> {
    crate::init(store).await?;
    crate::demo::load_zones(store, actor, dir).await?;
    crate::planning::indicators(store, actor).await?;
    let annex = dir.join("liaocheng-2019.csv");
    std::fs::write(&annex, ANNEX1)?;
    import_targets(store, actor, &annex)
        .await?
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    let counties: Vec<String> = store
        .sub_regions(city)
        .await?
        .into_iter()
        .map(|a| a.code)
        .collect();
    anyhow::ensure!(!counties.is_empty(), "{city} 没有下级区划");
    Ok(counties)
}

/// The training types, three person categories and one occupation the
/// generated enrolments use.
async fn shape_terms(store: &Store) -> anyhow::Result<(Vec<String>, Vec<String>, String)> {
    let types = store.vocabulary_terms("training_type").await?;
    let categories: Vec<String> = store
        .vocabulary_terms("person_category")
        .await?
        .into_iter()
        .take(3)
        .collect();
    let occupation = jineng_ingest::reference::occupations()
        .into_iter()
        .find(|o| o.level == 4)
        .map(|o| o.code)
        .ok_or_else(|| anyhow::anyhow!("没有职业分类"))?;
    Ok((types, categories, occupation))
}

async fn measure(
    db: &str,
    actor: &Actor,
    enrolments: i64,
    city: &str,
    dir: &Path,
) -> anyhow::Result<serde_json::Value> {
    let store = if db.starts_with("postgres") {
        Store::connect(&fresh_postgres_database(db, "jineng_bench_report").await?).await?
    } else {
        Store::connect(&format!("sqlite://{}", dir.join("report.db").display())).await?
    };
    let counties = prepare(&store, actor, city, dir).await?;
    let (types, categories, occupation) = shape_terms(&store).await?;
    let end_dates: Vec<String> = (2019..=2021)
        .flat_map(|y| (1..=12).map(move |m| format!("{y}-{m:02}-15")))
        .collect();
    eprintln!("生成 {enrolments} 条培训记录……");
    let t = Instant::now();
    store
        .bench_fill_enrolments(&BenchShape {
            enrolments,
            counties: &counties,
            training_types: &types,
            categories: &categories,
            occupation: &occupation,
            end_dates: &end_dates,
        })
        .await?;
    let generate = t.elapsed().as_secs_f64();
    eprintln!("重算汇总……");
    let t = Instant::now();
    let refreshed = store.refresh_facts(true).await?;
    let refresh = t.elapsed().as_secs_f64();

    let as_of = chrono::NaiveDate::from_ymd_opt(2019, 12, 31).unwrap_or_default();
    let mut dashboard = Vec::new();
    let mut entries = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        let (_, e, _) = crate::report::dashboard(&store, actor, city, 2019, as_of).await?;
        dashboard.push(ms(t));
        entries = e;
    }
    let mut plain = Vec::new();
    let mut rows = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        rows = store.bench_plain_group_by(prefix(city), 2019).await?;
        plain.push(ms(t));
    }
    // The dashboard's training figures must be the plain query's.
    let agree = rows.iter().all(|(region, n)| {
        entries
            .iter()
            .any(|e| e.indicator == "training" && &e.region == region && e.actual == Some(*n))
    }) && !rows.is_empty();
    eprintln!("增量导入……");
    let incremental =
        crate::bench_report_incremental::measure(&store, actor, city, &counties[0], dir).await?;
    let first = dashboard[0];
    let (d, p) = (median(dashboard), median(plain));
    Ok(json!({
        "backend": store.backend().name(),
        "enrolments": enrolments,
        "city": city,
        "areas": entries.len(),
        "generate_seconds": (generate * 10.0).round() / 10.0,
        "refresh_seconds": (refresh * 100.0).round() / 100.0,
        "facts_rows": refreshed.map(|r| r.rows),
        "dashboard_ms": d,
        "dashboard_first_ms": first,
        "plain_group_by_ms": p,
        "ratio": ((p / d) * 10.0).round() / 10.0,
        "agree": agree,
        "incremental_ms": incremental["incremental_ms"],
        "incremental": incremental,
    }))
}
