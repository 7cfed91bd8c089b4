//! `jineng migrate`: applies pending migrations explicitly (other commands
//! apply none to an existing database), or with `--check` lists what is
//! pending without applying it (docs/operations.md, Migrations).

use jineng_store::{MigrationStep, Store};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct MigrateArgs {
    /// 只检查：列出待执行的迁移，有待执行或未记录校验和的迁移时以非零状态退出
    #[arg(long)]
    check: bool,
    /// 只执行到此编号为止（含），如 33；默认执行全部
    #[arg(long, value_name = "编号")]
    to: Option<i64>,
}

pub async fn run(db: &str, args: MigrateArgs) -> anyhow::Result<ExitCode> {
    let known = Store::migration_files();
    if let Some(to) = args.to
        && !known.iter().any(|m| m.version == to)
    {
        anyhow::bail!("本程序没有编号为 {to} 的迁移");
    }
    if args.check {
        let status = Store::migration_status(db).await?;
        if status.is_current() {
            println!(
                "数据库结构为最新：共 {} 个迁移，均已执行且校验和相符",
                known.len()
            );
            return Ok(ExitCode::SUCCESS);
        }
        for file in &status.pending {
            println!("待执行：{file}");
        }
        for file in &status.unrecorded {
            println!("待记录校验和：{file}");
        }
        println!(
            "共 {} 个待执行、{} 个待记录校验和：请先备份，再运行 jineng migrate",
            status.pending.len(),
            status.unrecorded.len()
        );
        return Ok(ExitCode::from(1));
    }
    let started = std::time::Instant::now();
    let steps = Store::migrate(db, args.to, &mut |step| match step {
        MigrationStep::Applied(file) => println!("已执行：{file}"),
        MigrationStep::Recorded(file) => println!("已记录校验和：{file}（执行于本版本之前）"),
    })
    .await?;
    let applied = steps
        .iter()
        .filter(|s| matches!(s, MigrationStep::Applied(_)))
        .count();
    match steps.len() {
        0 => println!("数据库结构已是最新，无需迁移"),
        _ => println!(
            "迁移完成：执行 {applied} 个，记录校验和 {} 个，用时 {:.1} 秒",
            steps.len() - applied,
            started.elapsed().as_secs_f64()
        ),
    }
    Ok(ExitCode::SUCCESS)
}
