//! `jineng backup` and `jineng restore` (docs/operations.md, Backup and
//! restore). Backup writes one archive (`archive`): a consistent copy of the
//! database, optionally the key files, and a manifest. Restore is
//! `restore`. PostgreSQL's dump tools are `pg_tools`.

mod archive;
mod pg_tools;
mod restore;

pub use restore::{RestoreArgs, run_restore};

use crate::CredentialArgs;
use archive::{AUDIT_KEY_PART, PG_PART, SIGNING_KEYS_PART, SQLITE_PART};
use jineng_store::{Store, StoreError};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct BackupArgs {
    /// 备份文件（.zip）；不得已存在
    #[arg(long, short)]
    out: PathBuf,
    /// 同时备份审计链密钥与证书签名密钥（机密：持有备份者即持有密钥，须妥善保管）
    #[arg(long)]
    include_keys: bool,
}

/// The key files of the database at `url`: the audit chain's key and the
/// certificate signing keys (configured or beside the database).
pub(crate) fn key_paths(url: &str, creds: &CredentialArgs) -> (Option<PathBuf>, Option<PathBuf>) {
    (
        jineng_store::audit_key_path(url),
        creds
            .key_file
            .clone()
            .or_else(|| jineng_store::default_key_path(url)),
    )
}

pub async fn run_backup(
    db: &str,
    creds: &CredentialArgs,
    args: BackupArgs,
) -> anyhow::Result<ExitCode> {
    if args.out.exists() {
        anyhow::bail!("「{}」已存在：请另选文件名", args.out.display());
    }
    let started = std::time::Instant::now();
    let dir = args.out.parent().filter(|d| !d.as_os_str().is_empty());
    // The copy is made beside the archive: the same disk, no /tmp limit.
    let work = tempfile::Builder::new()
        .prefix(".jineng-backup-")
        .tempdir_in(dir.unwrap_or(std::path::Path::new(".")))?;
    let (part, copy) = if jineng_store::is_postgres_url(db) {
        (PG_PART, work.path().join(PG_PART))
    } else {
        (SQLITE_PART, work.path().join(SQLITE_PART))
    };
    let facts = if jineng_store::is_postgres_url(db) {
        Store::backup_postgres(db, |snapshot| {
            let copy = copy.clone();
            async move {
                pg_tools::dump(db, &snapshot, &copy)
                    .await
                    .map_err(|e| StoreError::Config(format!("{e:#}")))
            }
        })
        .await?
    } else {
        if jineng_store::sqlite_path(db).is_none_or(|p| !p.exists()) {
            anyhow::bail!("数据库「{db}」不存在，无可备份");
        }
        Store::backup_sqlite(db, &copy).await?
    };
    let mut parts = vec![(part, copy.as_path(), false)];
    let (audit_key, signing_keys) = key_paths(db, creds);
    let mut keys = Vec::new();
    if args.include_keys {
        for (name, path) in [
            (AUDIT_KEY_PART, audit_key),
            (SIGNING_KEYS_PART, signing_keys),
        ] {
            if let Some(path) = path.filter(|p| p.exists()) {
                keys.push((name, path));
            }
        }
    }
    for (name, path) in &keys {
        parts.push((name, path.as_path(), true));
    }
    let manifest = archive::write(&args.out, &parts, facts)?;
    let rows: i64 = manifest.facts.row_counts.values().sum();
    println!(
        "已备份到 {}：{} 张表共 {} 行，{} 个迁移，用时 {:.1} 秒",
        args.out.display(),
        manifest.facts.row_counts.len(),
        rows,
        manifest.facts.migrations.len(),
        started.elapsed().as_secs_f64()
    );
    for p in &manifest.parts {
        println!("  {}：{} 字节，SHA-256 {}", p.name, p.bytes, p.sha256);
    }
    if keys.is_empty() {
        println!(
            "备份不含密钥文件：恢复时须另行提供审计链密钥（及证书签名密钥），见 docs/operations.md"
        );
    } else {
        println!("注意：备份含密钥文件（机密），持有此文件者即持有密钥，须与数据库同等保管");
    }
    Ok(ExitCode::SUCCESS)
}
