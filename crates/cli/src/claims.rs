//! `jineng claims`: decide, review, approve, reject, pay, advance, settle,
//! recover and export subsidy claims.

use std::io::Write;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use jineng_domain::Fen;
use jineng_domain::access::Scope;
use jineng_store::{Actor, ClaimDetail, DecideSummary, PolicySet, Store};

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Jsonl,
}

#[derive(Subcommand)]
pub enum ClaimsCommand {
    /// 按政策逐条决定已提交的申领（同一人的申领按证书日期、申请日期、编号的顺序决定）
    Decide {
        /// 申领编号（可多个）
        claims: Vec<String>,
        /// 决定全部已提交的申领
        #[arg(long)]
        all: bool,
        /// 以 JSON 输出汇总
        #[arg(long)]
        json: bool,
        /// 每个事务决定的人数（默认 2000；较小则与经办人员同时办理时锁定更短）
        #[arg(long, value_name = "人数")]
        chunk: Option<usize>,
    },
    /// 查看申领及其逐条决定理由
    Show {
        claim_no: String,
        #[arg(long)]
        json: bool,
    },
    /// 核准：--all 批量核准全部无疑点的申领；指定编号可核准经人工复核的申领
    Approve {
        claims: Vec<String>,
        #[arg(long)]
        all: bool,
        /// 复核意见
        #[arg(long)]
        note: Option<String>,
    },
    /// 驳回（不予核准），须说明理由
    Reject {
        claim_no: String,
        #[arg(long)]
        reason: String,
    },
    /// 支付已核准的申领（从专账按政策规定的资金来源支付）
    Pay {
        claims: Vec<String>,
        /// 支付全部已核准的申领
        #[arg(long)]
        all: bool,
    },
    /// 预拨（新型学徒制、项目制培训按政策比例先行拨付）
    Advance { claim_no: String },
    /// 清算：培训完成后支付预拨后的余额
    Settle { claim_no: String },
    /// 追回已支付的虚假申领（冲销记账）
    Recover {
        claim_no: String,
        #[arg(long)]
        reason: String,
    },
    /// 导出全部申领
    Export {
        #[arg(long, value_enum, default_value = "jsonl")]
        format: ExportFormat,
        /// 输出文件；默认标准输出
        #[arg(long, short)]
        out: Option<std::path::PathBuf>,
    },
}

pub(crate) fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The command line acts with the scope of the whole jurisdiction.
const WHOLE: Scope = Scope::Jurisdiction;

pub async fn run(db: &str, actor: &Actor, cmd: ClaimsCommand) -> anyhow::Result<ExitCode> {
    let mut store = Store::connect(db).await?;
    match cmd {
        ClaimsCommand::Decide {
            claims,
            all,
            json,
            chunk,
        } => decide(&mut store, actor, selection(&claims, all)?, json, chunk).await,
        ClaimsCommand::Approve { claims, all, note } => {
            approve(&store, actor, selection(&claims, all)?, note.as_deref()).await
        }
        ClaimsCommand::Reject { claim_no, reason } => {
            store.reject(&WHOLE, &claim_no, &reason, actor).await?;
            println!("已驳回申领 {claim_no}：{reason}");
            Ok(ExitCode::SUCCESS)
        }
        ClaimsCommand::Show { claim_no, json } => show(&store, &claim_no, json).await,
        ClaimsCommand::Pay { claims, all } => pay(&store, actor, selection(&claims, all)?).await,
        ClaimsCommand::Advance { claim_no } => {
            let (fen, fund) = store.advance(&WHOLE, &claim_no, actor).await?;
            let amount = Fen(fen);
            println!("已预拨申领 {claim_no}：{amount}元（资金来源 {fund}）");
            Ok(ExitCode::SUCCESS)
        }
        ClaimsCommand::Settle { claim_no } => {
            let amount = Fen(store.settle(&WHOLE, &claim_no, actor).await?);
            println!("已清算申领 {claim_no}：支付余额 {amount}元");
            Ok(ExitCode::SUCCESS)
        }
        ClaimsCommand::Recover { claim_no, reason } => {
            let amount = Fen(store.recover(&WHOLE, &claim_no, &reason, actor).await?);
            println!("已追回申领 {claim_no}：{amount}元（{reason}）");
            Ok(ExitCode::SUCCESS)
        }
        ClaimsCommand::Export { format: _, out } => export(&store, out).await,
    }
}

/// `claims decide`: runs the policy engine on the claims, with a progress bar.
async fn decide(
    store: &mut Store,
    actor: &Actor,
    only: Option<&[String]>,
    json: bool,
    chunk: Option<usize>,
) -> anyhow::Result<ExitCode> {
    if let Some(n) = chunk {
        store.set_decide_chunk(n);
    }
    let policies = store.policy_set().await?;
    let bar = crate::import::progress_bar(json);
    let s = store
        .decide_claims(&policies, only, today(), actor, &|n| bar.set_position(n))
        .await?;
    bar.finish_and_clear();
    report(&s, json, "决定");
    Ok(exit_for(&s))
}

/// `claims approve`: approves the claims, printing the refused and held.
async fn approve(
    store: &Store,
    actor: &Actor,
    only: Option<&[String]>,
    note: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let s = store.approve(&WHOLE, only, note, today(), actor).await?;
    println!("核准 {} 件，合计 {}元", s.approved, Fen(s.amount_fen));
    for (c, why) in &s.refused {
        println!("  {c}：{why}");
    }
    print_held(&s.held);
    Ok(exit_for(&s))
}

/// `claims show`: the claim as JSON, or its decision in Chinese.
async fn show(store: &Store, claim_no: &str, json: bool) -> anyhow::Result<ExitCode> {
    let d = store.claim_detail(claim_no).await?;
    let held = store.claim_held_by(claim_no).await?;
    if json {
        let mut v = serde_json::to_value(&d)?;
        v["held_by"] = serde_json::json!(held);
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        let policies = store.policy_set().await?;
        print!("{}", render(&d, &policies));
        if let Some(case) = held {
            println!("暂停：被线索 {case} 暂停，结案前不得审核或支付");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `claims pay`: pays the claims; fails when any is refused.
async fn pay(store: &Store, actor: &Actor, only: Option<&[String]>) -> anyhow::Result<ExitCode> {
    let s = store.pay(&WHOLE, only, actor).await?;
    println!("支付 {} 件，合计 {}元", s.paid, Fen(s.amount_fen));
    for (c, why) in &s.refused {
        println!("  {c}：{why}");
    }
    print_held(&s.held);
    Ok(if s.refused.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `claims export`: every claim as JSON lines, to a file or stdout.
async fn export(store: &Store, out: Option<std::path::PathBuf>) -> anyhow::Result<ExitCode> {
    let mut w: Box<dyn Write + Send> = match &out {
        Some(path) => Box::new(std::io::BufWriter::new(std::fs::File::create(path)?)),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let n = store
        .export_claims(&mut |line| {
            serde_json::to_writer(&mut w, &line)?;
            w.write_all(b"\n")
        })
        .await?;
    w.flush()?;
    if let Some(path) = out {
        eprintln!("已导出 {n} 件申领到 {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn selection(claims: &[String], all: bool) -> anyhow::Result<Option<&[String]>> {
    match (claims.is_empty(), all) {
        (true, false) => anyhow::bail!("请指定申领编号，或用 --all 处理全部"),
        (false, true) => anyhow::bail!("申领编号与 --all 只能选一种"),
        (true, true) => Ok(None),
        (false, false) => Ok(Some(claims)),
    }
}

/// Claims `--all` left alone because an open case holds them.
fn print_held(held: &[(String, String)]) {
    if held.is_empty() {
        return;
    }
    println!("被线索暂停、未处理 {} 件：", held.len());
    for (c, case) in held {
        println!("  {c}：被线索 {case} 暂停，结案前不得审核或支付");
    }
}

fn exit_for(s: &DecideSummary) -> ExitCode {
    if s.refused.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn report(s: &DecideSummary, json: bool, verb: &str) {
    if json {
        println!("{}", serde_json::to_string(s).unwrap_or_default());
        return;
    }
    println!(
        "{verb} {} 件：核准 {} 件，不予核准 {} 件，需人工复核 {} 件；核准金额合计 {}元",
        s.decided,
        s.approved,
        s.rejected,
        s.review,
        Fen(s.amount_fen)
    );
    for (c, why) in &s.refused {
        println!("  {c}：{why}");
    }
}

/// The decision as an officer reads it (see docs/spec/POLICY.md).
pub fn render(d: &ClaimDetail, policies: &PolicySet) -> String {
    let r = jineng_report::render_claim(d, policies);
    let mut out = format!("{}\n", r.header);
    for line in &r.lines {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&r.conclusion);
    out.push('\n');
    out
}
