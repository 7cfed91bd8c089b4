//! `jineng audit`: the audit trail's hash chain.

use clap::Subcommand;
use jineng_store::{Actor, Store};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// 校验审计链：逐条重算哈希（起用密钥后以密钥计算），发现被改动或删除的记录
    Verify,
    /// 从现在起以密钥保护审计链（已有的无密钥记录先经校验；新库启动时自动起用）
    Key,
}

pub async fn run(db: &str, actor: &Actor, cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    let store = Store::connect(db).await?;
    match cmd {
        AuditCommand::Key => {
            let v = store.verify_audit().await?;
            if let Some(id) = v.keyed_from {
                println!("审计链已自第 {id} 号记录起以密钥保护，无需重复起用");
                return Ok(ExitCode::SUCCESS);
            }
            // Only a chain whose unkeyed part still verifies may be keyed:
            // the marker vouches for everything before it.
            let unkeyed_ok = v.broken.as_ref().is_none_or(|(id, _)| *id == 0);
            if !unkeyed_ok {
                let (id, why) = v.broken.unwrap_or_default();
                println!("审计链校验未通过（第 {id} 号记录{why}），不能起用密钥");
                return Ok(ExitCode::from(1));
            }
            let id = store.key_audit_chain(actor).await?;
            println!(
                "审计链自第 {id} 号记录起以密钥保护（密钥 {}）",
                key_place(&store)
            );
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Verify => {
            let v = store.verify_audit().await?;
            match v.broken {
                None => {
                    let keyed = match v.keyed_from {
                        Some(id) => format!("自第 {id} 号记录起以密钥保护"),
                        None => "未以密钥保护".into(),
                    };
                    println!("审计链校验通过：共 {} 条记录，{keyed}", v.rows);
                    println!(
                        "链尾哈希：{}（可另行记录，用于发现尾部记录被截除）",
                        v.head_hash
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Some((id, why)) => {
                    println!("审计链校验未通过：第 {id} 号记录{why}");
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

/// Where the store's audit key lives, for the operator.
fn key_place(store: &Store) -> String {
    match store.audit_key() {
        Some(k) => match &k.path {
            Some(p) => format!("{}，文件 {}", k.id(), p.display()),
            None => format!("{}，仅在内存中", k.id()),
        },
        None => "未载入".into(),
    }
}
