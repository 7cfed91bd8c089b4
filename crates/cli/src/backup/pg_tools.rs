//! PostgreSQL's own dump and restore programs: found on PATH, else in
//! Debian's /usr/lib/postgresql/<major>/bin (newest first), and run with the
//! database URL; their error output is passed on when they fail.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};

/// Finds `pg_dump` or `pg_restore`.
pub fn find(tool: &str) -> anyhow::Result<PathBuf> {
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let candidate = dir.join(tool);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let major = e.file_name().to_str()?.parse().ok()?;
            let candidate = e.path().join("bin").join(tool);
            candidate.is_file().then_some((major, candidate))
        })
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, path)) => Ok(path),
        None => bail!(
            "找不到 {tool}：请安装 PostgreSQL 客户端（Debian/Ubuntu：apt-get install postgresql-client），其主版本不低于数据库服务器的，或把 {tool} 所在目录加入 PATH"
        ),
    }
}

/// `pg_dump -Fc` of the database at `url`, reading the exported `snapshot`.
pub async fn dump(url: &str, snapshot: &str, out: &Path) -> anyhow::Result<()> {
    let tool = find("pg_dump")?;
    let mut cmd = tokio::process::Command::new(&tool);
    cmd.arg("--format=custom")
        .arg(format!("--snapshot={snapshot}"))
        .arg(format!("--file={}", out.display()))
        .arg(format!("--dbname={url}"));
    run(cmd, &tool).await
}

/// `pg_restore` into the (empty) database at `url`, all or nothing.
pub async fn restore(url: &str, dump: &Path) -> anyhow::Result<()> {
    let tool = find("pg_restore")?;
    let mut cmd = tokio::process::Command::new(&tool);
    cmd.args([
        "--exit-on-error",
        "--single-transaction",
        "--no-owner",
        "--no-privileges",
    ])
    .arg(format!("--dbname={url}"))
    .arg(dump);
    run(cmd, &tool).await
}

async fn run(mut cmd: tokio::process::Command, tool: &Path) -> anyhow::Result<()> {
    let out = cmd
        .output()
        .await
        .with_context(|| format!("无法运行 {}", tool.display()))?;
    if !out.status.success() {
        bail!(
            "{} 失败（{}）：{}",
            tool.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}
