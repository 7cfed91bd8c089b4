//! `jineng supervise`: load a supervision file, scan the registry with its
//! checks, list cases, close a case with a finding (docs/supervision.md).

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use jineng_domain::supervision::case::Finding;
use jineng_store::{Actor, CaseStatusFilter, CloseReport, ScanCounts, Store};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum SuperviseCommand {
    /// 载入监管规则文件（.supervision.toml）
    Load { file: PathBuf },
    /// 用全部已启用的核查规则核查全部数据，发现新线索即立案
    Scan {
        #[arg(long)]
        json: bool,
    },
    /// 列出线索：每行一个 JSON（--format jsonl）或文字
    Cases {
        #[arg(long, value_enum, default_value_t = StatusArg::Open)]
        status: StatusArg,
        #[arg(long, value_enum, default_value_t = FormatArg::Jsonl)]
        format: FormatArg,
    },
    /// 结案：核查结论 属实 或 不属实，并填写核查说明。属实：驳回未支付的申领、
    /// 追回已支付（预拨）的申领；不属实：解除暂停
    Close {
        case: String,
        #[arg(long)]
        finding: String,
        #[arg(long)]
        note: String,
        /// 属实时撤销线索涉及的证书（与 jineng cert revoke 相同：状态列表中的位随之置 1；默认不撤销）
        #[arg(long)]
        revoke_certs: bool,
        /// 以 JSON 输出结案结果
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum StatusArg {
    Open,
    Closed,
    All,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Jsonl,
    Text,
}

pub async fn run(db: &str, actor: &Actor, cmd: SuperviseCommand) -> anyhow::Result<ExitCode> {
    let store = Store::connect(db).await?;
    match cmd {
        SuperviseCommand::Load { file } => load(&store, actor, &file).await,
        SuperviseCommand::Scan { json } => {
            let counts = store.supervise_scan().await?;
            print_counts(&counts, json)?;
            Ok(ExitCode::SUCCESS)
        }
        SuperviseCommand::Cases { status, format } => {
            let filter = match status {
                StatusArg::Open => CaseStatusFilter::Open,
                StatusArg::Closed => CaseStatusFilter::Closed,
                StatusArg::All => CaseStatusFilter::All,
            };
            for c in store.supervision_cases(filter).await? {
                match format {
                    FormatArg::Jsonl => println!("{}", serde_json::to_string(&c)?),
                    FormatArg::Text => println!(
                        "{} {} {} {}：{}（{}）",
                        c.case_no,
                        c.check,
                        c.severity,
                        c.status.code(),
                        c.evidence,
                        c.clause
                    ),
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        SuperviseCommand::Close {
            case,
            finding,
            note,
            revoke_certs,
            json,
        } => {
            let f = Finding::parse(&finding)
                .with_context(|| format!("核查结论「{finding}」无法识别：应为 属实 或 不属实"))?;
            let r = store
                .close_case(&case, f, &note, revoke_certs, actor)
                .await?;
            if json {
                println!("{}", serde_json::to_string(&r)?);
            } else {
                print_close(&r);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Compiles a supervision file's text and saves it (also used by the
/// demo); whether anything changed.
pub async fn load_text(
    store: &Store,
    actor: &Actor,
    name: &str,
    text: &str,
) -> anyhow::Result<bool> {
    let refdata = store.ref_data().await?;
    let sup = jineng_domain::supervision::load(name, text, &refdata)?;
    Ok(store.save_supervision(name, text, &sup, actor).await?)
}

async fn load_file(store: &Store, actor: &Actor, file: &std::path::Path) -> anyhow::Result<bool> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("无法读取监管规则文件 {}", file.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    load_text(store, actor, &name, &text).await
}

async fn load(store: &Store, actor: &Actor, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    let changed = load_file(store, actor, file).await?;
    let sup = store.supervision().await?.context("监管规则文件未能保存")?;
    let enabled: Vec<&str> = sup.checks.enabled().iter().map(|c| c.as_str()).collect();
    println!(
        "{}监管规则「{}」（{}）：启用 {}",
        if changed { "已载入" } else { "未变化：" },
        sup.meta.title,
        sup.meta.doc_no,
        enabled.join("、")
    );
    Ok(ExitCode::SUCCESS)
}

fn print_close(r: &CloseReport) {
    println!("线索 {} 已结案：{}", r.case_no, r.finding);
    let list = |v: &[String]| v.join("、");
    if !r.rejected.is_empty() {
        println!(
            "  驳回未支付的申领 {} 件：{}",
            r.rejected.len(),
            list(&r.rejected)
        );
    }
    if !r.recovered.is_empty() {
        println!(
            "  追回已支付的申领 {} 件，合计 {}元：{}",
            r.recovered.len(),
            r.recovered(),
            list(&r.recovered)
        );
    }
    if !r.released.is_empty() {
        println!(
            "  解除暂停的申领 {} 件，可继续审核、支付：{}",
            r.released.len(),
            list(&r.released)
        );
    }
    if !r.unchanged.is_empty() {
        println!(
            "  已驳回或已追回、未再处理的申领 {} 件：{}",
            r.unchanged.len(),
            list(&r.unchanged)
        );
    }
    if !r.revoked_certs.is_empty() {
        println!(
            "  标记撤销的证书 {} 本：{}",
            r.revoked_certs.len(),
            list(&r.revoked_certs)
        );
    }
}

fn print_counts(c: &ScanCounts, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(c)?);
        return Ok(());
    }
    for k in &c.checks {
        println!(
            "{} {}：发现 {} 条，新立案 {} 条",
            k.check, k.title, k.hits, k.opened
        );
    }
    println!("合计：发现 {} 条，新立案 {} 条", c.hits, c.opened);
    Ok(())
}
