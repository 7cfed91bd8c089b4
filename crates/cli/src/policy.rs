//! `jineng policy`: load a jurisdiction's policy file and show what is loaded.

use clap::Subcommand;
use jineng_domain::policy::{self, Policy, PolicySources};
use jineng_store::{Actor, SavedPolicy, Store, StoreError, version_label};
use std::path::Path;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum PolicyCommand {
    /// 载入补贴政策文件（TOML，格式见 docs/policy.md）；有误时指明文件和行号
    Load {
        /// 政策文件路径，如 policies/liaocheng-2019.toml
        file: String,
    },
    /// 显示已载入的政策：启用的规则及其依据、补贴标准目录
    Show {
        /// 政策编号（[policy] id）；默认最近载入的
        #[arg(long)]
        id: Option<String>,
        /// 列出补贴标准目录的全部条目
        #[arg(long)]
        catalogue: bool,
    },
    /// 政策测算：按草案（完整政策文件或修改稿）重放已决定的申领，与现行政策对比金额、结果变化、分项和资金、目标；只写一条审计记录
    Whatif(crate::policy_whatif::WhatifArgs),
    /// 运行政策测试用例（政策文件旁的 x.tests.toml，格式见 docs/policy.md），报告与预期不符的用例；不需要数据库
    Test {
        /// 政策文件（如 policies/liaocheng-2019.toml，用其旁的 .tests.toml）或测试文件本身（x.tests.toml）
        file: String,
        /// 以 JSON 输出每个用例的预期与实际
        #[arg(long)]
        json: bool,
    },
}

/// Reads a policy file and the files it extends from disk, and compiles it.
pub fn read_policy(
    file: &str,
    refdata: &jineng_domain::refdata::RefData,
) -> Result<(Policy, PolicySources), policy::PolicyError> {
    let mut read = |name: &str| std::fs::read_to_string(Path::new(name)).map_err(|e| e.to_string());
    policy::load(file, &mut read, refdata)
}

pub async fn run(db: &str, actor: &Actor, cmd: PolicyCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PolicyCommand::Test { file, json } => crate::policy_test::run(&file, json),
        PolicyCommand::Whatif(args) => crate::policy_whatif::run(db, actor, args).await,
        PolicyCommand::Load { file } => {
            let store = Store::connect(db).await?;
            let refdata = store.ref_data().await?;
            if refdata.regions.is_empty() {
                anyhow::bail!("数据库尚未初始化：请先运行 jineng init");
            }
            let (policy, sources) = match read_policy(&file, &refdata) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("{e}");
                    return Ok(ExitCode::FAILURE);
                }
            };
            let saved = match load(&store, &policy, &sources, actor).await {
                Ok(saved) => saved,
                Err(e) => match e.downcast_ref::<StoreError>() {
                    // Two policies for one region and period: the message names both.
                    Some(StoreError::Refused(why)) => {
                        eprintln!("{why}");
                        return Ok(ExitCode::FAILURE);
                    }
                    _ => return Err(e),
                },
            };
            println!(
                "{}政策「{}」（{}，{} 第 {} 版）",
                match (saved.changed, saved.version_no) {
                    (false, _) => "政策未变：",
                    (true, 1) => "已载入",
                    (true, _) => "已载入新版本：",
                },
                policy.meta.title,
                policy.meta.doc_no,
                policy.meta.id,
                saved.version_no
            );
            summary(&policy);
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::Show { id, catalogue } => {
            let store = Store::connect(db).await?;
            let set = store.policy_set().await?;
            let stored = store.policies().await?;
            let chosen = match &id {
                Some(key) => stored.iter().find(|p| &p.policy_key == key),
                None => stored.last(),
            };
            let Some(chosen) = chosen else {
                println!("尚未载入政策：请运行 jineng policy load 政策文件");
                return Ok(ExitCode::FAILURE);
            };
            for p in &stored {
                println!(
                    "{} {}  {}（{}）  地区 {}  {} 起{}  载入于 {}",
                    if p.policy_id == chosen.policy_id {
                        "*"
                    } else {
                        " "
                    },
                    version_label(&p.policy_key, p.version_no, &p.sha256),
                    p.title,
                    p.doc_no,
                    p.region_code,
                    p.valid_from,
                    p.valid_to.map(|t| format!("，至 {t}")).unwrap_or_default(),
                    p.loaded_at
                );
            }
            let policy = set
                .get(chosen.policy_id)
                .ok_or_else(|| anyhow::anyhow!("政策无法编译"))?;
            println!();
            summary(policy);
            if catalogue {
                println!("\n补贴标准目录：");
                for e in &policy.catalogue.entries {
                    println!(
                        "  {}  {}元  {} 起{}  （第 {} 行）",
                        e.describe(),
                        e.amount,
                        e.from,
                        e.to.map(|t| format!("，至 {t}")).unwrap_or_default(),
                        e.line
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Saves the policy (a new version when its files changed) and registers
/// its fund sources (R16) in the ledger.
pub async fn load(
    store: &Store,
    policy: &Policy,
    sources: &PolicySources,
    actor: &Actor,
) -> anyhow::Result<SavedPolicy> {
    let saved = store.save_policy(policy, sources, actor).await?;
    if let Some(r16) = &policy.rules.r16 {
        let funds: Vec<(String, String)> = r16
            .params
            .funds
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        store.register_funds(&funds, actor).await?;
    }
    Ok(saved)
}

fn summary(p: &Policy) {
    let m = &p.meta;
    println!(
        "地区 {}，有效期 {} 起{}",
        m.region,
        m.valid_from,
        m.valid_to.map(|t| format!("，至 {t}")).unwrap_or_default()
    );
    if !m.builds_on.is_empty() {
        println!("在 {} 的基础上制定", m.builds_on.join("、"));
    }
    println!("启用的规则：");
    for r in p.rules.enabled() {
        println!("  {:<4} {:<8} 依据 {}", r.as_str(), r.title_zh(), p.cite(r));
    }
    println!("补贴类型：");
    for (t, r) in &p.amount_rules {
        println!("  {t}（{r} 计算）");
    }
    println!(
        "补贴标准目录 {} 条{}{}",
        p.catalogue.entries.len(),
        if p.catalogue.example {
            "（金额为示例）"
        } else {
            ""
        },
        if p.catalogue.note.is_empty() {
            String::new()
        } else {
            format!("：{}", p.catalogue.note)
        }
    );
    if let Some(r16) = &p.rules.r16 {
        let funds: Vec<String> = r16
            .params
            .funds
            .iter()
            .map(|(k, v)| format!("{v}（{k}）"))
            .collect();
        println!("资金来源：{}", funds.join("、"));
    }
    if let Some(v) = &p.vouchers {
        vouchers(v);
    }
}

/// The policy's training vouchers (docs/vouchers.md): who, the kinds with
/// their face values and where each comes from, validity, fund.
fn vouchers(v: &jineng_domain::policy::vouchers::VoucherRules) {
    println!(
        "职业培训券：依据 {}，有效期 {} 个月，承诺资金来源 {}，按面值结算「{}」{}",
        v.cite,
        v.valid_months,
        v.fund,
        v.subsidy_type,
        if v.example {
            "（面值为示例）"
        } else {
            ""
        }
    );
    for k in &v.kinds {
        let eligible: Vec<String> = k.eligible.iter().map(|s| s.join("+")).collect();
        println!(
            "  {} {}：{} {}，面值 {}（{}），发给 {}",
            k.rule.kind_code,
            k.rule.kind_name,
            if k.rule.occupations.is_empty() {
                "任意职业".to_string()
            } else {
                k.rule.occupations_text()
            },
            k.rule.level_zh(),
            jineng_domain::Yuan(k.rule.face),
            k.basis,
            eligible.join("、")
        );
    }
}
