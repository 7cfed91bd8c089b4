//! `jineng ledger`: the dedicated-fund ledger (专账) — fund sources,
//! allocations, the report per fund source and the verification.

use clap::Subcommand;
use jineng_domain::Fen;
use jineng_domain::ledger::FundCode;
use jineng_store::{Actor, FundReport, Store};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum LedgerCommand {
    /// 列出资金来源及其专账余额
    Funds,
    /// 登记资金来源（已登记的则更新名称）
    FundAdd {
        /// 资金来源代码：1 至 16 位大写字母、数字或下划线，如 UI
        code: String,
        /// 名称，如 失业保险基金结余
        name: String,
    },
    /// 资金拨入：记入某一资金来源的专账
    Allocate {
        /// 资金来源代码
        #[arg(long)]
        fund: String,
        /// 金额（元，最多两位小数）
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        /// 摘要，如拨款文号
        #[arg(long, default_value = "")]
        memo: String,
    },
    /// 专账报表：按资金来源列示拨入、预付、支出、追回和余额
    Report {
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 专账校验：按明细重算余额，检查借贷平衡、余额不为负、一笔补贴只支付一次
    Verify,
}

fn fund_code(raw: &str) -> anyhow::Result<FundCode> {
    FundCode::parse(raw).map_err(|e| anyhow::anyhow!("{e}"))
}

pub async fn run(db: &str, actor: &Actor, cmd: LedgerCommand) -> anyhow::Result<ExitCode> {
    let store = Store::connect(db).await?;
    match cmd {
        LedgerCommand::Funds => {
            let funds = store.ledger_report().await?;
            if funds.is_empty() {
                println!("尚未登记资金来源（jineng ledger fund-add 代码 名称）");
            }
            for f in funds {
                println!("{} {}：专账余额 {} 元", f.code, f.name, f.bank);
            }
        }
        LedgerCommand::FundAdd { code, name } => {
            let code = fund_code(&code)?;
            let (added, renamed) = store
                .upsert_funds(&[(code.clone(), name.clone())], actor)
                .await?;
            let name = name.trim();
            if added > 0 {
                println!("已登记资金来源 {code} {name}");
            } else if renamed > 0 {
                println!("资金来源 {code} 已更名为 {name}");
            } else {
                println!("资金来源 {code} {name} 此前已登记，未作变更");
            }
        }
        LedgerCommand::Allocate { fund, amount, memo } => {
            let fund = fund_code(&fund)?;
            let amount = Fen::parse_yuan(&amount).map_err(|e| anyhow::anyhow!("{e}"))?;
            let tx = store.allocate(&fund, amount, &memo, actor).await?;
            let bank = store
                .ledger_report()
                .await?
                .into_iter()
                .find(|f| f.code == fund.as_str())
                .map(|f| f.bank)
                .unwrap_or_default();
            println!("已向资金来源 {fund} 拨入 {amount} 元（记账编号 {tx}），专账余额 {bank} 元");
        }
        LedgerCommand::Report { json } => {
            let funds = store.ledger_report().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&funds)?);
            } else {
                print_report(&funds);
            }
        }
        LedgerCommand::Verify => {
            let problems = store.ledger_verify().await?;
            if problems.is_empty() {
                println!("专账校验通过");
            } else {
                println!("专账校验发现 {} 处问题：", problems.len());
                for p in &problems {
                    println!("  {p}");
                }
                return Ok(ExitCode::from(1));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_report(funds: &[FundReport]) {
    if funds.is_empty() {
        println!("尚未登记资金来源");
        return;
    }
    let amount = |label: &str, fen: Fen| println!("  {label} {:>18} 元", fen.to_string());
    let mut total = FundReport {
        code: String::new(),
        name: "合计".into(),
        allocated: Fen::ZERO,
        advanced: Fen::ZERO,
        paid: Fen::ZERO,
        recovered: Fen::ZERO,
        bank: Fen::ZERO,
        in_transit: Fen::ZERO,
        claims_paid: 0,
        claims_advanced: 0,
        claims_recovered: 0,
        claims_in_transit: 0,
        committed: Fen::ZERO,
    };
    for f in funds {
        total.allocated += f.allocated;
        total.advanced += f.advanced;
        total.paid += f.paid;
        total.recovered += f.recovered;
        total.bank += f.bank;
        total.in_transit += f.in_transit;
        total.committed += f.committed;
        total.claims_in_transit += f.claims_in_transit;
        total.claims_paid += f.claims_paid;
        total.claims_advanced += f.claims_advanced;
        total.claims_recovered += f.claims_recovered;
    }
    // A total only when there is more than one fund source to add up.
    let total = (funds.len() > 1).then_some(&total);
    for f in funds.iter().chain(total) {
        println!("{}", format!("{} {}", f.code, f.name).trim());
        amount("拨入资金", f.allocated);
        amount("预付余额", f.advanced);
        amount("补贴支出", f.paid);
        amount("追回资金", f.recovered);
        amount("在途资金", f.in_transit);
        amount("专账余额", f.bank);
        if f.committed.is_positive() {
            // A memorandum: promised to training vouchers, still in the bank.
            amount("培训券承诺", f.committed);
            amount("未承诺余额", f.bank - f.committed);
        }
        println!(
            "  已支付申领 {} 笔，预付待清算 {} 笔，支付在途 {} 笔，已追回 {} 笔",
            f.claims_paid, f.claims_advanced, f.claims_in_transit, f.claims_recovered
        );
    }
}
