//! `jineng inspect` (双随机、一公开) and `jineng credit` (信用等级评定):
//! the published-seed draw over the stored lists, inspection results, and
//! the yearly ratings from the supervision file's `[credit]` rules.

use anyhow::Context;
use clap::Subcommand;
use jineng_store::{Actor, Store};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum InspectCommand {
    /// 双随机抽查：用事先公布的随机种子抽取机构和检查人员
    Draw {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        seed: String,
        #[arg(long)]
        institutions: usize,
        #[arg(long)]
        inspectors: usize,
        #[arg(long)]
        json: bool,
    },
    /// 登记抽查结果（如 合格、基本合格、不合格）
    Record {
        draw: String,
        #[arg(long)]
        institution: String,
        #[arg(long)]
        result: String,
    },
}

#[derive(Subcommand)]
pub enum CreditCommand {
    /// 评定某年度全部培训机构和评价机构的信用等级
    Rate {
        #[arg(long)]
        year: i32,
        /// 评定日期（YYYY-MM-DD），移出目录等后果自该日起算；默认今天
        #[arg(long)]
        on: Option<chrono::NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// 已评定的信用等级
    List {
        #[arg(long)]
        json: bool,
    },
}

pub async fn run_inspect(db: &str, actor: &Actor, cmd: InspectCommand) -> anyhow::Result<ExitCode> {
    let store = Store::connect(db).await?;
    match cmd {
        InspectCommand::Draw {
            year,
            seed,
            institutions,
            inspectors,
            json,
        } => {
            let (inst, insp) = store.draw_candidates().await?;
            let d = jineng_domain::inspection::draw(&seed, &inst, institutions, &insp, inspectors)
                .map_err(|e| anyhow::anyhow!("{}", e.0))?;
            let row = store.save_draw(year, &d, actor).await?;
            if json {
                println!("{}", serde_json::to_string(&row)?);
            } else {
                println!(
                    "抽查 {}（{}，种子「{}」）：机构 {}；检查人员 {}",
                    row.draw_no,
                    row.algorithm,
                    row.seed,
                    row.institutions.join("、"),
                    row.inspectors.join("、")
                );
                println!(
                    "候选名单摘要：机构 {}，检查人员 {}",
                    row.institutions_digest, row.inspectors_digest
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        InspectCommand::Record {
            draw,
            institution,
            result,
        } => {
            store
                .record_inspection(&draw, &institution, &result, actor)
                .await?;
            println!("已登记抽查 {draw} 机构 {institution} 的结果：{result}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Rates every institution for `year` with the `[credit]` rules of the
/// supervision file in force, and stores the ratings (also the demo's).
pub(crate) async fn rate_year(
    store: &Store,
    year: i32,
    on: Option<chrono::NaiveDate>,
) -> anyhow::Result<Vec<jineng_domain::credit::Rating>> {
    let sup = store
        .supervision()
        .await?
        .context("尚未载入监管规则文件：请先运行 jineng supervise load 文件")?;
    let rules = sup
        .credit
        .context("监管规则文件没有 [credit] 信用评级规则")?;
    let today = on.unwrap_or_else(|| chrono::Local::now().date_naive());
    let ratings: Vec<_> = store
        .rating_inputs(year)
        .await?
        .iter()
        .map(|i| jineng_domain::credit::rate(&rules, i, today))
        .collect();
    store.save_ratings(&ratings).await?;
    Ok(ratings)
}

pub async fn run_credit(db: &str, cmd: CreditCommand) -> anyhow::Result<ExitCode> {
    let store = Store::connect(db).await?;
    match cmd {
        CreditCommand::Rate { year, on, json } => {
            let ratings = rate_year(&store, year, on).await?;
            if json {
                for r in &ratings {
                    println!("{}", serde_json::to_string(r)?);
                }
            } else {
                for r in &ratings {
                    let reasons: Vec<&str> = r.points.iter().map(|p| p.reason.as_str()).collect();
                    println!(
                        "{} {} {} 年：{} 分，{} 级（{}）",
                        r.institution,
                        r.kind.as_zh(),
                        r.year,
                        r.score,
                        r.grade.as_str(),
                        reasons.join("；")
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        CreditCommand::List { json } => {
            for r in store.ratings().await? {
                if json {
                    println!("{}", serde_json::to_string(&r)?);
                } else {
                    println!(
                        "{} {} {} 年：{} 分，{} 级",
                        r.institution_code, r.kind, r.year, r.score, r.grade
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
