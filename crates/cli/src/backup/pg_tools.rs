//! PostgreSQL's own dump and restore programs: found on PATH, else in
//! Debian's /usr/lib/postgresql/<major>/bin (newest first), and run with the
//! database URL (its password moved to `PGPASSWORD`, so that it does not
//! show in the process list); their error output is passed on when they
//! fail.

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
    let mut cmd = command(&tool, url);
    cmd.arg("--format=custom")
        .arg(format!("--snapshot={snapshot}"))
        .arg(format!("--file={}", out.display()));
    run(cmd, &tool).await
}

/// `pg_restore` into the (empty) database at `url`, all or nothing.
pub async fn restore(url: &str, dump: &Path) -> anyhow::Result<()> {
    let tool = find("pg_restore")?;
    let mut cmd = command(&tool, url);
    cmd.args([
        "--exit-on-error",
        "--single-transaction",
        "--no-owner",
        "--no-privileges",
    ])
    .arg(dump);
    run(cmd, &tool).await
}

/// The tool, connected to `url`, its other options to follow.
fn command(tool: &Path, url: &str) -> tokio::process::Command {
    let (url, password) = split_password(url);
    let mut cmd = tokio::process::Command::new(tool);
    cmd.arg(format!("--dbname={url}"));
    if let Some(password) = password {
        cmd.env("PGPASSWORD", password);
    }
    cmd
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

/// `postgres://user:secret@host/db` → (`postgres://user@host/db`, the
/// secret percent-decoded, as libpq would read it from the URL).
fn split_password(url: &str) -> (String, Option<String>) {
    let Some(start) = url.find("://").map(|i| i + 3) else {
        return (url.to_string(), None);
    };
    let authority_end = url[start..].find('/').map_or(url.len(), |i| start + i);
    let Some(at) = url[start..authority_end].rfind('@').map(|i| start + i) else {
        return (url.to_string(), None);
    };
    let Some(colon) = url[start..at].find(':').map(|i| start + i) else {
        return (url.to_string(), None);
    };
    let secret = percent_decode(&url[colon + 1..at]);
    (format!("{}{}", &url[..colon], &url[at..]), Some(secret))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::split_password;

    #[test]
    fn the_password_leaves_the_url() {
        assert_eq!(
            split_password("postgres://u:p%40ss@h:5432/db?sslmode=require"),
            (
                "postgres://u@h:5432/db?sslmode=require".into(),
                Some("p@ss".into())
            )
        );
        assert_eq!(
            split_password("postgres://postgres@127.0.0.1:5432/test"),
            ("postgres://postgres@127.0.0.1:5432/test".into(), None)
        );
    }
}
