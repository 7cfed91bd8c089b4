//! `jineng report`: progress against the targets (JSON, xlsx, SVG), the
//! 季报 and 年报 (xlsx, fixed layouts), the public fund use, and the
//! refresh of the aggregates; the evaluation of the standards in force
//! (`report_standards`). The figures come from the same dashboard data
//! and domain functions the web pages use.

use crate::planning::indicators;
use chrono::{Datelike, NaiveDate};
use clap::{Subcommand, ValueEnum};
use jineng_domain::planning::{Period, ProgressRow, cumulative_by_month};
use jineng_report::tables::Months;
use jineng_report::{Table, fund_use, periodic_tables, progress_table, svg, xlsx};
use jineng_store::{Actor, DashboardData, Store};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Xlsx,
    Svg,
    Text,
}

#[derive(Subcommand)]
pub enum ReportCommand {
    /// 目标任务完成进度：各下级区划的目标、完成、序时进度、是否落后
    Progress {
        /// 区划代码（全国 000000）
        #[arg(long)]
        region: String,
        #[arg(long)]
        year: i32,
        /// 统计截止日期（默认今天）
        #[arg(long)]
        as_of: Option<String>,
        /// 输出格式（默认按 --out 的扩展名，否则 json）
        #[arg(long)]
        format: Option<Format>,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 季报（.xlsx：分地区、分人员类别、分培训类型、资金分来源）
    Quarterly {
        #[arg(long)]
        region: String,
        #[arg(long)]
        year: i32,
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=4))]
        quarter: u32,
        #[arg(long)]
        out: PathBuf,
    },
    /// 年报（.xlsx，版式同季报）
    Annual {
        #[arg(long)]
        region: String,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        out: PathBuf,
    },
    /// 资金使用情况公开：各地区按资金来源的补贴支出和培训人次（不含任何个人信息）
    Funds {
        #[arg(long)]
        region: String,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        format: Option<Format>,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 补贴标准评估：按补贴类型、职业、等级、证书类型的申领、核准、支付、每证成本、资金占比、
    /// 不予核准原因，现行标准与公开报道标准对照
    Standards {
        /// 区划代码（含下级区划）
        #[arg(long)]
        region: String,
        #[arg(long)]
        year: i32,
        /// 输出格式（默认按 --out 的扩展名，否则 json）
        #[arg(long)]
        format: Option<Format>,
        #[arg(long)]
        out: Option<PathBuf>,
        /// 公开标准文件（默认为内置的 data/published_amounts.toml）
        #[arg(long)]
        published: Option<PathBuf>,
    },
    /// 重新计算汇总数据（导入和审批后读取时会自动进行）
    Refresh,
}

fn format_of(format: Option<Format>, out: Option<&Path>, default: Format) -> Format {
    format.unwrap_or_else(|| {
        match out
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("xlsx") => Format::Xlsx,
            Some("svg") => Format::Svg,
            Some("json") => Format::Json,
            _ => default,
        }
    })
}

/// The dashboard of `region` for `year`: its data, the progress entries of
/// its sub-regions and its own totals.
pub(crate) async fn dashboard(
    store: &Store,
    actor: &Actor,
    region: &str,
    year: i32,
    as_of: NaiveDate,
) -> anyhow::Result<(DashboardData, Vec<ProgressRow>, Vec<ProgressRow>)> {
    let set = indicators(store, actor).await?;
    let period = jineng_report::dashboard::span(&store.targets().await?, year);
    let data = store.dashboard_data(region, period).await?;
    let (entries, totals) = jineng_report::dashboard::progress(&data, &set, year, as_of);
    Ok((data, entries, totals))
}

fn output(out: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match out {
        Some(p) => std::fs::write(p, text)?,
        None => println!("{text}"),
    }
    Ok(())
}

fn print_table(t: &Table) {
    println!("{}", t.title);
    println!("{}", t.subtitle);
    println!("{}", t.headers.join("\t"));
    for r in t.rows.iter().chain(t.total.iter()) {
        let cells: Vec<String> = r.iter().map(|c| c.display()).collect();
        println!("{}", cells.join("\t"));
    }
}

/// The charts of the first indicator on the dashboard: bars per area and
/// the region's cumulative line against its target.
async fn charts(
    store: &Store,
    actor: &Actor,
    data: &DashboardData,
    entries: &[ProgressRow],
    as_of: NaiveDate,
) -> anyhow::Result<String> {
    let Some(first) = entries.first() else {
        anyhow::bail!("{} 没有 {} 年的目标，无法绘图", data.name, as_of.year());
    };
    let same: Vec<ProgressRow> = entries
        .iter()
        .filter(|e| e.indicator == first.indicator && e.period == first.period)
        .cloned()
        .collect();
    let set = indicators(store, actor).await?;
    let ind = set
        .get(&first.indicator)
        .ok_or_else(|| anyhow::anyhow!("未知指标 {}", first.indicator))?;
    let period = Period {
        from: first.year_from,
        to: first.year_to,
    };
    let whole = jineng_report::dashboard::whole(data);
    let line: Vec<(String, i64)> = cumulative_by_month(ind, &whole, period, as_of, &data.facts)
        .into_iter()
        .map(|(y, m, v)| (format!("{}-{m:02}", y % 100), v))
        .collect();
    let target = data
        .targets
        .iter()
        .find(|t| {
            t.indicator == ind.code
                && t.period == period
                && t.region == data.region
                && t.parent != t.region
        })
        .map(|t| t.value);
    let months = 12 * (period.to - period.from + 1) as usize;
    let title = format!("{} {}{}", data.name, first.period, ind.name);
    let bars = svg::bars(&format!("{title}：各地完成与目标"), &same);
    let line = svg::cumulative(
        &format!("{title}：累计完成"),
        &line,
        target,
        months,
        ind.decimals,
    );
    Ok(svg::stack(&[bars, line]))
}

pub async fn run(db: &str, actor: &Actor, cmd: ReportCommand) -> anyhow::Result<ExitCode> {
    let store = Store::connect(db).await?;
    match cmd {
        ReportCommand::Progress {
            region,
            year,
            as_of,
            format,
            out,
        } => {
            let as_of = match as_of {
                Some(d) => jineng_domain::parse_date(&d).map_err(|e| anyhow::anyhow!("{e}"))?,
                None => crate::claims::today(),
            };
            let (data, entries, totals) = dashboard(&store, actor, &region, year, as_of).await?;
            match format_of(format, out.as_deref(), Format::Json) {
                Format::Json => output(out.as_deref(), &serde_json::to_string_pretty(&entries)?)?,
                Format::Xlsx => {
                    let out = out.ok_or_else(|| anyhow::anyhow!("xlsx 须用 --out 指定文件"))?;
                    let t = progress_table(&data.name, year, &as_of.to_string(), &entries, &totals);
                    xlsx::write(&out, &[t])?;
                    println!("已生成 {}", out.display());
                }
                Format::Svg => {
                    let page = charts(&store, actor, &data, &entries, as_of).await?;
                    output(out.as_deref(), &page)?;
                }
                Format::Text => print_table(&progress_table(
                    &data.name,
                    year,
                    &as_of.to_string(),
                    &entries,
                    &totals,
                )),
            }
        }
        ReportCommand::Quarterly {
            region,
            year,
            quarter,
            out,
        } => periodic(&store, actor, &region, Months::quarter(year, quarter), &out).await?,
        ReportCommand::Annual { region, year, out } => {
            periodic(&store, actor, &region, Months::year(year), &out).await?
        }
        ReportCommand::Funds {
            region,
            year,
            format,
            out,
        } => {
            let set = indicators(&store, actor).await?;
            let data = store.dashboard_data(&region, Period::year(year)).await?;
            let tables = fund_use(&data, &set, year, &store.fund_names().await?);
            match format_of(format, out.as_deref(), Format::Text) {
                Format::Xlsx => {
                    let out = out.ok_or_else(|| anyhow::anyhow!("xlsx 须用 --out 指定文件"))?;
                    xlsx::write(&out, &tables)?;
                    println!("已生成 {}", out.display());
                }
                Format::Json => output(out.as_deref(), &serde_json::to_string_pretty(&tables)?)?,
                _ => tables.iter().for_each(print_table),
            }
        }
        ReportCommand::Standards {
            region,
            year,
            format,
            out,
            published,
        } => {
            let format = format_of(format, out.as_deref(), Format::Json);
            crate::report_standards::run(&store, &region, year, format, out, published).await?
        }
        ReportCommand::Refresh => match store.refresh_facts(true).await? {
            Some(s) => println!("已重新计算汇总数据：{} 行，用时 {} 毫秒", s.rows, s.millis),
            None => println!("汇总数据已是最新"),
        },
    }
    Ok(ExitCode::SUCCESS)
}

async fn periodic(
    store: &Store,
    actor: &Actor,
    region: &str,
    months: Months,
    out: &Path,
) -> anyhow::Result<()> {
    let set = indicators(store, actor).await?;
    let data = store
        .dashboard_data(region, Period::year(months.year))
        .await?;
    let tables = periodic_tables(
        &data,
        &set,
        months,
        &store.vocabulary_terms("person_category").await?,
        &store.vocabulary_terms("training_type").await?,
        &store.fund_names().await?,
    );
    xlsx::write(out, &tables)?;
    println!("已生成 {}（{}）", out.display(), months.label());
    Ok(())
}
