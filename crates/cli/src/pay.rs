//! `jineng pay`: payment through the bank (004 十九). `pay batch` sends
//! approved claims to the bank in a disbursement file (代发文件), their
//! money in transit on the ledger; `pay reconcile` books the bank's return
//! file (回盘文件); `pay batches` lists the batches. Accounts on the
//! terminal are masked; only the file for the bank carries them in full.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use jineng_domain::Fen;
use jineng_ingest::bank_file;
use jineng_store::{Actor, Store};

#[derive(Subcommand)]
pub enum PayCommand {
    /// 生成代发批次：已核准（及账号已更正的支付失败）申领的款项转入在途，写出银行代发文件
    Batch {
        /// 申领编号（可多个，以逗号分隔）
        #[arg(long, value_delimiter = ',')]
        claims: Vec<String>,
        /// 全部已核准的申领，及账号已更正的支付失败申领
        #[arg(long)]
        all: bool,
        /// 代发文件（.xlsx 或 .csv），默认「代发批次N.xlsx」
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// 导入银行回盘文件：成功的支付入账，失败的退回资金来源并标记待更正
    Reconcile {
        /// 回盘文件（.xlsx 或 .csv）
        file: PathBuf,
    },
    /// 列出代发批次及其回盘情况
    Batches,
}

pub async fn run(db: &str, actor: &Actor, cmd: PayCommand) -> anyhow::Result<ExitCode> {
    let store = Store::connect(db).await?;
    match cmd {
        PayCommand::Batch { claims, all, out } => {
            let only = match (claims.is_empty(), all) {
                (true, false) => anyhow::bail!("请用 --claims 指定申领编号，或用 --all 处理全部"),
                (false, true) => anyhow::bail!("--claims 与 --all 只能选一种"),
                (true, true) => None,
                (false, false) => Some(claims.as_slice()),
            };
            let policies = store.policy_set().await?;
            let d = store.pay_batch(&policies, only, actor).await?;
            for (c, why) in &d.left_out {
                println!("未列入：{c}：{why}");
            }
            let Some(id) = d.batch_id else {
                println!("没有可代发的申领，未生成批次");
                return Ok(if d.left_out.is_empty() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                });
            };
            let out = out.unwrap_or_else(|| PathBuf::from(format!("代发批次{id}.xlsx")));
            bank_file::write_disbursement(&out, &d).map_err(anyhow::Error::msg)?;
            for l in &d.lines {
                println!(
                    "  {} {} {} {} {} {} 元",
                    l.line_id, l.claim_no, l.payee_name, l.account_masked, l.bank_name, l.amount
                );
            }
            println!(
                "代发批次 B{id}：{} 笔，合计 {} 元，款项已转入在途；代发文件：{}",
                d.lines.len(),
                d.total,
                out.display()
            );
            Ok(if d.left_out.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        PayCommand::Reconcile { file } => {
            let (lines, errors) = bank_file::read_return(&file)?;
            let r = store.reconcile(&lines, actor).await?;
            println!(
                "回盘入账：支付成功 {} 笔 {} 元，支付失败退回 {} 笔 {} 元，此前已入账 {} 笔",
                r.paid.len(),
                Fen(r.paid_fen),
                r.failed.len(),
                Fen(r.failed_fen),
                r.unchanged
            );
            for (c, why) in &r.failed {
                println!("  失败：{c}：{why}（已退回资金来源，待更正后重新代发）");
            }
            let mut problems: Vec<(u64, String)> =
                errors.into_iter().map(|e| (e.row, e.message)).collect();
            problems.extend(r.unmatched);
            problems.sort();
            for (row, why) in &problems {
                println!("  第 {row} 行未入账：{why}");
            }
            Ok(if problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        PayCommand::Batches => {
            let batches = store.pay_batches().await?;
            if batches.is_empty() {
                println!("尚无代发批次");
            }
            for b in batches {
                println!(
                    "B{} {} {}：{} 笔 {} 元；成功 {} 笔 {} 元，失败 {} 笔 {} 元，待回盘 {} 笔 {} 元",
                    b.batch_id,
                    b.created_at,
                    b.state_zh(),
                    b.lines,
                    Fen(b.total_fen),
                    b.paid,
                    Fen(b.paid_fen),
                    b.failed,
                    Fen(b.failed_fen),
                    b.pending,
                    Fen(b.pending_fen)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
