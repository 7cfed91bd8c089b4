//! `jineng bench supervise`: the full supervision scan of a generated
//! registry of N enrolments, beside a plain read of the same rows by the
//! same statements; and the incremental check of a roster import through
//! the real pipeline, beside a plain read of the rows that check reads.
//! On a fresh store of the `--db` kind, or with `--keep` the one a previous
//! run left if it holds at least N enrolments.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use jineng_ingest::pipeline::import_file;
use jineng_store::{Actor, ScanMode, Store, SupervisionShape};
use serde_json::{Value, json};

const SUPERVISION: &str = include_str!("../../../policies/liaocheng-2019.supervision.toml");

/// What to measure.
pub struct Options {
    pub enrolments: i64,
    pub roster: i64,
    pub keep: bool,
}

fn secs(t: Instant) -> f64 {
    (t.elapsed().as_secs_f64() * 1000.0).round() / 1000.0
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        (a / b * 10.0).round() / 10.0
    } else {
        0.0
    }
}

/// The store: fresh, or with `keep` the one a previous run left when it
/// holds at least `enrolments`; whether it was reused.
async fn bench_store(db: &str, o: &Options) -> anyhow::Result<(Store, PathBuf, bool)> {
    crate::bench::kept_store(db, "supervise", o.keep, |_, loaded| {
        loaded.parse::<i64>().is_ok_and(|n| n >= o.enrolments)
    })
    .await
}

/// Generates the registry; seconds taken.
async fn generate(store: &Store, o: &Options) -> anyhow::Result<f64> {
    crate::init(store).await?;
    let counties: Vec<String> = store
        .sub_regions("371500")
        .await?
        .into_iter()
        .map(|a| a.code)
        .filter(|c| !c.ends_with("00"))
        .collect();
    anyhow::ensure!(!counties.is_empty(), "371500 没有下级区划");
    let known = store.vocabulary_terms("training_type").await?;
    let types: Vec<String> = ["就业技能培训", "岗位技能提升培训", "创业培训"]
        .into_iter()
        .filter(|t| known.iter().any(|k| k == t))
        .map(String::from)
        .collect();
    anyhow::ensure!(!types.is_empty(), "词表中没有培训类型");
    let occupation = jineng_ingest::reference::occupations()
        .into_iter()
        .find(|o| o.level == 4)
        .map(|o| o.code)
        .ok_or_else(|| anyhow::anyhow!("没有职业分类"))?;
    eprintln!("生成约 {} 条培训记录……", o.enrolments);
    let t = Instant::now();
    store
        .bench_fill_supervision(&SupervisionShape {
            enrolments: o.enrolments,
            counties: &counties,
            training_types: &types,
            occupation: &occupation,
            roster_classes: (o.roster + 49) / 50,
        })
        .await?;
    Ok(secs(t))
}

fn write_roster(path: &Path, lines: &[jineng_store::BenchRosterLine]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        w,
        "班级编号,统一社会信用代码,姓名,身份证号码,线下课时,线上课时,结业结果"
    )?;
    for [class, inst, name, id] in lines {
        writeln!(w, "{class},{inst},{name},{id},40,0,未结业")?;
    }
    Ok(w.flush()?)
}

async fn measure(
    store: &Store,
    actor: &Actor,
    o: &Options,
    dir: &Path,
    reused: bool,
) -> anyhow::Result<Value> {
    let generate_s = if reused {
        None
    } else {
        Some(generate(store, o).await?)
    };
    if store.supervision().await?.is_none() {
        crate::supervise::load_text(store, actor, "liaocheng-2019.supervision.toml", SUPERVISION)
            .await?;
    }
    let counts = store.bench_supervision_counts().await?;
    store.checkpoint().await?;

    eprintln!("对照：按全面扫描的语句读出同样的行……");
    let t = Instant::now();
    let plain_rows = store.bench_plain_scan(ScanMode::default()).await?;
    let plain_s = secs(t);
    eprintln!("全面扫描（分块）……");
    let t = Instant::now();
    let scan = store.supervise_scan().await?;
    let scan_s = secs(t);
    let peak = crate::bench::peak_rss_mb();

    eprintln!("导入 {} 行花名册……", o.roster);
    let lines = store.bench_supervision_roster(o.roster).await?;
    let csv = dir.join("roster.csv");
    write_roster(&csv, &lines)?;
    let t = Instant::now();
    let report = import_file(
        store,
        "roster",
        &csv,
        &crate::import::options(actor, false, None, 5000),
        &|_| {},
    )
    .await?;
    let import_s = secs(t);
    anyhow::ensure!(
        report.accepted as usize == lines.len(),
        "花名册应接受 {} 行，实际 {}：{:?}",
        lines.len(),
        report.accepted,
        report.errors.iter().take(3).collect::<Vec<_>>()
    );
    let check_s = report.supervision_seconds.unwrap_or(0.0);
    let batch = store
        .bench_last_batch()
        .await?
        .ok_or_else(|| anyhow::anyhow!("没有导入批次"))?;
    let t = Instant::now();
    let plain_inc_rows = store.bench_plain_incremental(batch).await?;
    let plain_inc_s = secs(t);
    let inc = report.supervision.unwrap_or_default();
    Ok(json!({
        "backend": store.backend().name(),
        "registry": counts,
        "reused": reused,
        "generate_seconds": generate_s,
        "plain_scan_rows": plain_rows,
        "plain_scan_seconds": plain_s,
        "full_scan_seconds": scan_s,
        "ratio_scan_to_plain": ratio(scan_s, plain_s),
        "scan_hits": scan.hits,
        "scan_opened": scan.opened,
        "scan_checks": scan.checks,
        "peak_rss_mb_after_scan": peak.map(f64::round),
        "roster_rows": lines.len(),
        "import_seconds": import_s,
        "incremental_seconds": (check_s * 1000.0).round() / 1000.0,
        "incremental_hits": inc.hits,
        "plain_incremental_rows": plain_inc_rows,
        "plain_incremental_seconds": plain_inc_s,
        "ratio_incremental_to_plain": ratio(check_s, plain_inc_s),
    }))
}

pub async fn run(db: &str, actor: &Actor, o: Options, json_out: bool) -> anyhow::Result<ExitCode> {
    let (store, dir, reused) = bench_store(db, &o).await?;
    let result = measure(&store, actor, &o, &dir, reused).await;
    if o.keep && result.is_ok() && !reused {
        std::fs::write(dir.join("loaded"), o.enrolments.to_string())?;
    }
    crate::bench::keep_or_remove(&dir, o.keep);
    let out = result?;
    if json_out {
        println!("{out}");
        return Ok(ExitCode::SUCCESS);
    }
    let r = &out["registry"];
    println!(
        "后端 {}：培训记录 {} 条（{} 人，{} 个培训班，{} 家机构），证书 {} 本，申领 {} 件，比对名单 {} 条{}",
        out["backend"].as_str().unwrap_or(""),
        r["enrolments"],
        r["persons"],
        r["classes"],
        r["institutions"],
        r["certificates"],
        r["claims"],
        r["watchlist"],
        if reused {
            "（沿用）".to_string()
        } else {
            format!("，生成用时 {} 秒", out["generate_seconds"])
        }
    );
    println!("| 测量 | 秒 | 对照（直接读出同样的行） | 比值 |");
    println!("|---|---|---|---|");
    println!(
        "| 全面扫描（全部启用的核查，{} 条线索，新立 {} 件） | {} | {} 秒（{} 行） | {} |",
        out["scan_hits"],
        out["scan_opened"],
        out["full_scan_seconds"],
        out["plain_scan_seconds"],
        out["plain_scan_rows"],
        out["ratio_scan_to_plain"]
    );
    println!(
        "| 导入 {} 行花名册后的增量核查（导入共 {} 秒） | {} | {} 秒（{} 行） | {} |",
        out["roster_rows"],
        out["import_seconds"],
        out["incremental_seconds"],
        out["plain_incremental_seconds"],
        out["plain_incremental_rows"],
        out["ratio_incremental_to_plain"]
    );
    if let Some(p) = out["peak_rss_mb_after_scan"].as_f64() {
        println!("扫描后进程峰值内存：{p} MB");
    }
    Ok(ExitCode::SUCCESS)
}
