//! `jineng indicators`, `jineng targets`, `jineng stats`, `jineng tasks`:
//! the planning data — indicator definitions, targets and their breakdowns,
//! statistics per region and year, the task tables and their progress.

use clap::{Subcommand, ValueEnum};
use jineng_domain::planning::{
    ExistingTarget, IndicatorSet, NATIONAL, Period, TaskStatus, check_breakdowns, format_value,
};
use jineng_ingest::planning::{FileErrors, read_statistics, read_targets, read_tasks};
use jineng_store::{Actor, PlanCounts, Store};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub(crate) const INDICATORS_FILE: &str = jineng_domain::planning::indicator::BUILTIN_FILE;
pub(crate) const INDICATORS: &str = jineng_domain::planning::indicator::BUILTIN_TEXT;

#[derive(Subcommand)]
pub enum IndicatorsCommand {
    /// 列出指标及其定义
    List {
        #[arg(long)]
        json: bool,
    },
    /// 载入指标定义文件（TOML，格式见 planning/indicators.toml）
    Load { file: PathBuf },
}

#[derive(Subcommand)]
pub enum TargetsCommand {
    /// 导入目标任务文件（.csv 或 .xlsx）：分解合计与上级目标不符的，整个文件不予导入
    Import {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// 列出已导入的目标
    List {
        /// 只列出该区划及其下级的目标
        #[arg(long)]
        region: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum StatsCommand {
    /// 导入统计数据（区划代码、年度、统计项、数值、来源），如就业人员、技能劳动者
    Import { file: PathBuf },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum TaskStatusArg {
    #[value(name = "未开始", alias = "not_started")]
    NotStarted,
    #[value(name = "进行中", alias = "in_progress")]
    InProgress,
    #[value(name = "已完成", alias = "done")]
    Done,
}

impl TaskStatusArg {
    fn status(self) -> TaskStatus {
        match self {
            TaskStatusArg::NotStarted => TaskStatus::NotStarted,
            TaskStatusArg::InProgress => TaskStatus::InProgress,
            TaskStatusArg::Done => TaskStatus::Done,
        }
    }
}

#[derive(Subcommand)]
pub enum TasksCommand {
    /// 导入任务分工表（文件、序号、区划代码、工作任务、工作要求、责任单位、完成时限）
    Import { file: PathBuf },
    /// 列出任务、牵头单位、配合单位、各单位最新进展；逾期未完成的标注「逾期」
    List {
        /// 只列出该文件的任务
        #[arg(long)]
        doc: Option<String>,
        /// 只列出逾期未完成的任务
        #[arg(long)]
        overdue: bool,
        /// 判断逾期的日期（默认今天）
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// 责任单位报送任务进展
    Report {
        #[arg(long)]
        doc: String,
        #[arg(long)]
        no: i64,
        /// 报送单位（须为该任务的牵头或配合单位）
        #[arg(long)]
        unit: String,
        #[arg(long)]
        status: TaskStatusArg,
        #[arg(long, default_value = "")]
        note: String,
        /// 报送日期（默认今天）
        #[arg(long)]
        date: Option<String>,
    },
}

/// The indicator set in the store, loading the repository's
/// `planning/indicators.toml` into a store that has none yet.
pub(crate) async fn indicators(store: &Store, actor: &Actor) -> anyhow::Result<IndicatorSet> {
    let set = store.indicator_set().await?;
    if !set.indicators.is_empty() {
        return Ok(set);
    }
    let file = IndicatorSet::parse(INDICATORS_FILE, INDICATORS)?;
    store.load_indicators(&file, actor).await?;
    Ok(store.indicator_set().await?)
}

/// Region codes the store knows, and 全国.
async fn known_regions(store: &Store) -> anyhow::Result<HashSet<String>> {
    let mut set: HashSet<String> = store.ref_data().await?.regions.into_keys().collect();
    set.insert(NATIONAL.to_string());
    Ok(set)
}

fn date_arg(s: Option<&str>) -> anyhow::Result<chrono::NaiveDate> {
    match s {
        Some(s) => jineng_domain::parse_date(s).map_err(|e| anyhow::anyhow!("{e}")),
        None => Ok(crate::claims::today()),
    }
}

fn counts_line(what: &str, c: PlanCounts) -> String {
    let mut s = format!(
        "{what}：新增 {}，更新 {}，未变 {}",
        c.inserted, c.updated, c.unchanged
    );
    if c.removed > 0 {
        s.push_str(&format!("，删除不再分解的 {}", c.removed));
    }
    s
}

fn refused(e: &FileErrors) -> ExitCode {
    eprintln!("{e}");
    ExitCode::from(1)
}

/// Reads, checks and writes a targets file; a bad row or a breakdown that
/// does not satisfy its parent refuses the whole file.
pub(crate) async fn import_targets(
    store: &Store,
    actor: &Actor,
    path: &Path,
) -> anyhow::Result<Result<PlanCounts, FileErrors>> {
    let set = indicators(store, actor).await?;
    let known = known_regions(store).await?;
    let (file, rows) = match read_targets(path, &set, &|c| known.contains(c)) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    // Parents the file refers to without giving them: look them up first.
    let mut stored: HashMap<(String, Period, String), Option<ExistingTarget>> = HashMap::new();
    for r in rows.iter().filter(|r| !r.parent.is_empty()) {
        let given = rows.iter().any(|p| {
            p.indicator == r.indicator
                && p.period == r.period
                && p.region == r.parent
                && !p.is_own_share()
        });
        let key = (r.indicator.clone(), r.period, r.parent.clone());
        if !given && !stored.contains_key(&key) {
            let found = store
                .parent_target(&r.indicator, r.period, &r.parent)
                .await?;
            stored.insert(key, found);
        }
    }
    let existing = |i: &str, p: Period, region: &str| {
        stored
            .get(&(i.to_string(), p, region.to_string()))
            .cloned()
            .flatten()
    };
    let describe = |code: &str| {
        set.get(code)
            .map(|i| (i.name.clone(), i.unit.clone(), i.decimals))
            .unwrap_or_default()
    };
    let problems = check_breakdowns(&rows, &existing, &describe);
    if !problems.is_empty() {
        return Ok(Err(FileErrors {
            file,
            errors: problems
                .into_iter()
                .map(|p| (p.row.unwrap_or(0), "目标值".to_string(), p.message))
                .collect(),
        }));
    }
    Ok(Ok(store.import_targets(&file, &rows, actor).await?))
}

pub async fn run_indicators(
    db: &str,
    actor: &Actor,
    cmd: IndicatorsCommand,
) -> anyhow::Result<ExitCode> {
    let store = Store::connect(db).await?;
    match cmd {
        IndicatorsCommand::List { json } => {
            let set = indicators(&store, actor).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&set)?);
            } else {
                for i in &set.indicators {
                    println!("{} {}（{}）", i.code, i.name, i.unit);
                    println!("  定义：{}", i.definition);
                    println!("  依据：{}", i.source);
                }
                for s in &set.statistics {
                    println!("统计项 {} {}（{}）", s.key, s.name, s.unit);
                }
            }
        }
        IndicatorsCommand::Load { file } => {
            let text = std::fs::read_to_string(&file)?;
            let set = IndicatorSet::parse(&file.display().to_string(), &text)?;
            let c = store.load_indicators(&set, actor).await?;
            println!("{}", counts_line("指标", c));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn run_targets(db: &str, actor: &Actor, cmd: TargetsCommand) -> anyhow::Result<ExitCode> {
    let store = Store::connect(db).await?;
    match cmd {
        TargetsCommand::Import { file, json } => {
            match import_targets(&store, actor, &file).await? {
                Ok(c) if json => println!("{}", serde_json::to_string(&c)?),
                Ok(c) => println!("{}", counts_line("目标", c)),
                Err(e) if json => {
                    let errors: Vec<_> = e
                    .errors
                    .iter()
                    .map(|(row, column, message)| {
                        serde_json::json!({"row": row, "column": column, "message": message})
                    })
                    .collect();
                    println!("{}", serde_json::json!({"file": e.file, "errors": errors}));
                    return Ok(ExitCode::from(1));
                }
                Err(e) => return Ok(refused(&e)),
            }
        }
        TargetsCommand::List { region } => {
            let set = indicators(&store, actor).await?;
            for t in store.targets().await? {
                if let Some(r) = &region {
                    let p = jineng_domain::planning::prefix(r);
                    if !t.region.starts_with(p) && t.region != *r {
                        continue;
                    }
                }
                let (name, unit, d) = set
                    .get(&t.indicator)
                    .map(|i| (i.name.as_str(), i.unit.as_str(), i.decimals))
                    .unwrap_or((t.indicator.as_str(), "", 0));
                let part = if t.parent.is_empty() {
                    String::new()
                } else {
                    format!("（{} 的分解）", t.parent)
                };
                println!(
                    "{} {} {} {}：{} {unit}{part}",
                    t.period.label(),
                    t.region,
                    t.name,
                    name,
                    format_value(t.value, d)
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn run_stats(db: &str, actor: &Actor, cmd: StatsCommand) -> anyhow::Result<ExitCode> {
    let store = Store::connect(db).await?;
    let StatsCommand::Import { file } = cmd;
    let set = indicators(&store, actor).await?;
    let known = known_regions(&store).await?;
    match read_statistics(&file, &set, &|c| known.contains(c)) {
        Ok((_, rows)) => {
            let c = store.import_statistics(&rows, actor).await?;
            println!("{}", counts_line("统计数据", c));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Ok(refused(&e)),
    }
}

pub async fn run_tasks(db: &str, actor: &Actor, cmd: TasksCommand) -> anyhow::Result<ExitCode> {
    let store = Store::connect(db).await?;
    match cmd {
        TasksCommand::Import { file } => {
            let known = known_regions(&store).await?;
            match read_tasks(&file, &|c| known.contains(c)) {
                Ok((_, rows)) => {
                    let c = store.import_tasks(&rows, actor).await?;
                    println!("{}", counts_line("任务", c));
                }
                Err(e) => return Ok(refused(&e)),
            }
        }
        TasksCommand::List {
            doc,
            overdue,
            as_of,
            json,
        } => {
            let as_of = date_arg(as_of.as_deref())?;
            let mut out = Vec::new();
            for t in store.tasks(doc.as_deref()).await? {
                // Done when the lead unit reports it done.
                let done = t
                    .reports
                    .iter()
                    .any(|r| r.unit == t.lead_unit && r.status == TaskStatus::Done);
                let late = !done && t.due.is_some_and(|d| d < as_of);
                if overdue && !late {
                    continue;
                }
                out.push((t, done, late));
            }
            if json {
                let v: Vec<_> = out
                    .iter()
                    .map(|(t, done, late)| {
                        let mut v = serde_json::to_value(t).unwrap_or_default();
                        v["done"] = (*done).into();
                        v["overdue"] = (*late).into();
                        v
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                for (t, _, late) in &out {
                    println!(
                        "{} 第{}项{}［{}］{}",
                        t.doc,
                        t.no,
                        if *late { "【逾期】" } else { "" },
                        t.heading,
                        t.requirement.chars().take(40).collect::<String>()
                    );
                    println!(
                        "  牵头：{}；配合：{}；完成时限：{}",
                        t.lead_unit,
                        if t.co_units.is_empty() {
                            "无".to_string()
                        } else {
                            t.co_units.join("、")
                        },
                        t.due.map_or("未规定".into(), |d| d.to_string())
                    );
                    for r in &t.reports {
                        println!(
                            "  {} {} {}{}",
                            r.reported_on,
                            r.unit,
                            r.status.as_zh(),
                            if r.note.is_empty() {
                                String::new()
                            } else {
                                format!("：{}", r.note)
                            }
                        );
                    }
                }
                println!("共 {} 项", out.len());
            }
        }
        TasksCommand::Report {
            doc,
            no,
            unit,
            status,
            note,
            date,
        } => {
            let date = date_arg(date.as_deref())?;
            let status = status.status();
            store
                .report_task(&doc, no, &unit, date, status, &note, actor)
                .await?;
            let zh = status.as_zh();
            println!("已记录 {unit} 于 {date} 报送的「{doc}」第 {no} 项进展：{zh}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
