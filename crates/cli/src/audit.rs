//! `jineng audit`: the audit trail's hash chain.

use clap::Subcommand;
use jineng_store::Store;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// 校验审计链：逐条重算哈希，发现被改动或删除的记录
    Verify,
}

pub async fn run(db: &str, cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    let store = Store::connect(db).await?;
    match cmd {
        AuditCommand::Verify => {
            let v = store.verify_audit().await?;
            match v.broken {
                None => {
                    println!("审计链校验通过：共 {} 条记录", v.rows);
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
