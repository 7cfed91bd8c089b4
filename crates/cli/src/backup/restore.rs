//! `jineng restore FILE --db URL`: checks the archive against its manifest
//! and this binary, refuses a target that holds any table, restores (SQLite:
//! the file moved into place; PostgreSQL: `pg_restore`), puts the key files
//! in place, then verifies: row counts and the audit chain's head as the
//! manifest says, `ledger verify` and `audit verify` clean.

use super::archive::{self, AUDIT_KEY_PART, PG_PART, Reader, SIGNING_KEYS_PART, SQLITE_PART};
use super::{key_paths, pg_tools};
use crate::CredentialArgs;
use anyhow::{Context, bail};
use jineng_store::Store;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// 备份文件（jineng backup 所写）
    file: PathBuf,
}

pub async fn run_restore(
    db: &str,
    creds: &CredentialArgs,
    args: RestoreArgs,
) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let mut reader = Reader::open(&args.file)?;
    let m = reader.manifest.clone();
    let postgres = jineng_store::is_postgres_url(db);
    let target = if postgres { "postgres" } else { "sqlite" };
    if m.facts.backend != target {
        bail!(
            "备份来自 {}，目标数据库为 {target}：不支持跨数据库类型恢复",
            m.facts.backend
        );
    }
    check_migrations(&m)?;
    let tables = Store::existing_tables(db).await?;
    if !tables.is_empty() {
        let shown: Vec<&str> = tables.iter().take(5).map(String::as_str).collect();
        bail!(
            "目标数据库不是空库：已有 {} 张表（{}{}），拒绝覆盖。请指定一个新的空数据库",
            tables.len(),
            shown.join("、"),
            if tables.len() > 5 { "等" } else { "" }
        );
    }
    let (audit_path, signing_path) = key_paths(db, creds);
    // Every part is checked before the target is touched.
    let work_dir = match jineng_store::sqlite_path(db) {
        Some(p) => p
            .parent()
            .map(Path::to_path_buf)
            .filter(|d| !d.as_os_str().is_empty()),
        None => None,
    }
    .unwrap_or_else(|| PathBuf::from("."));
    let work = tempfile::Builder::new()
        .prefix(".jineng-restore-")
        .tempdir_in(&work_dir)?;
    let data_part = if postgres { PG_PART } else { SQLITE_PART };
    let data = work.path().join("data");
    reader.extract(data_part, &data)?;
    let mut keys = Vec::new();
    for (part, dest) in [
        (AUDIT_KEY_PART, &audit_path),
        (SIGNING_KEYS_PART, &signing_path),
    ] {
        if m.part(part).is_some() {
            let tmp = work.path().join(part.replace('/', "-"));
            reader.extract(part, &tmp)?;
            let dest = dest
                .clone()
                .with_context(|| "目标为内存数据库，无处存放密钥文件".to_string())?;
            check_key_place(&tmp, &dest)?;
            keys.push((tmp, dest));
        }
    }
    if m.part(AUDIT_KEY_PART).is_none()
        && let Some(id) = &m.facts.audit_key_id
    {
        require_audit_key(id, audit_path.as_deref())?;
    }
    // Restore.
    if postgres {
        pg_tools::restore(db, &data).await?;
    } else {
        let file = jineng_store::sqlite_path(db).context("恢复到 SQLite 须指定数据库文件")?;
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", file.display()));
            if side.exists() {
                std::fs::remove_file(&side)?;
            }
        }
        std::fs::rename(&data, &file).with_context(|| format!("无法写入「{}」", file.display()))?;
    }
    for (tmp, dest) in &keys {
        place_key(tmp, dest)?;
    }
    println!(
        "已恢复 {}（备份于 {}，Jineng {}）到 {db}",
        args.file.display(),
        m.created_at,
        m.jineng_version
    );
    let ok = verify(db, &m).await?;
    if m.part(SIGNING_KEYS_PART).is_none() {
        println!(
            "提示：备份不含证书签名密钥；如需继续签发证书，请把原签名密钥文件放到 {}",
            signing_path.map_or("（内存）".into(), |p| p.display().to_string())
        );
    }
    println!("用时 {:.1} 秒", started.elapsed().as_secs_f64());
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The archive's schema must be this binary's: restore with the version
/// that wrote it, then upgrade with `jineng migrate`.
fn check_migrations(m: &archive::Manifest) -> anyhow::Result<()> {
    let known = Store::migration_files();
    let same = known.len() == m.facts.migrations.len()
        && known
            .iter()
            .zip(&m.facts.migrations)
            .all(|(k, b)| k.version == b.version && k.checksum == b.checksum);
    if !same {
        let newest =
            |v: &[jineng_store::MigrationFile]| v.last().map_or(String::new(), |f| f.file.clone());
        bail!(
            "备份的数据库结构（{} 个迁移，最新 {}，Jineng {}）与本程序（{} 个迁移，最新 {}）不一致：请用生成备份的 jineng 版本恢复，再用本程序运行 jineng migrate",
            m.facts.migrations.len(),
            newest(&m.facts.migrations),
            m.jineng_version,
            known.len(),
            newest(&known)
        );
    }
    Ok(())
}

/// A key file may go where none is, or where the same key already is.
fn check_key_place(key: &Path, dest: &Path) -> anyhow::Result<()> {
    if dest.exists() && std::fs::read(dest)? != std::fs::read(key)? {
        bail!(
            "「{}」处已有另一份密钥文件：拒绝覆盖。请移走它，或另选目标数据库",
            dest.display()
        );
    }
    Ok(())
}

fn place_key(key: &Path, dest: &Path) -> anyhow::Result<()> {
    if dest.exists() {
        return Ok(());
    }
    if let Some(dir) = dest
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && !d.exists())
    {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(dir)?;
    }
    let mut out = archive::create_private(dest)?;
    std::io::copy(&mut std::fs::File::open(key)?, &mut out)?;
    out.sync_all()?;
    println!("已放置密钥文件 {}（权限 0600）", dest.display());
    Ok(())
}

/// Without the key in the archive, the target's key file must hold the
/// key the chain was keyed with, or `audit verify` cannot pass.
fn require_audit_key(id: &str, path: Option<&Path>) -> anyhow::Result<()> {
    let Some(path) = path else {
        bail!("备份不含审计链密钥，目标为内存数据库：无法恢复");
    };
    if !path.exists() {
        bail!(
            "备份不含审计链密钥（密钥编号 {id}）：请先把原数据库的审计密钥文件复制到 {}（或设置 JINENG_AUDIT_KEY_FILE），或使用以 --include-keys 生成的备份",
            path.display()
        );
    }
    let found = jineng_store::audit_key_id_in(path)?;
    if found != id {
        bail!(
            "{} 中的审计链密钥（编号 {found}）不是备份所用的（编号 {id}）：请放置原密钥文件",
            path.display()
        );
    }
    Ok(())
}

/// Row counts and the chain's head against the manifest, then the
/// ledger's and the audit chain's own checks. Prints each; `false` if any
/// failed.
async fn verify(db: &str, m: &archive::Manifest) -> anyhow::Result<bool> {
    let found = Store::facts_at(db).await?;
    let mut ok = true;
    let mut differ = Vec::new();
    let names: std::collections::BTreeSet<&String> = m
        .facts
        .row_counts
        .keys()
        .chain(found.row_counts.keys())
        .collect();
    for t in names {
        let (want, got) = (m.facts.row_counts.get(t), found.row_counts.get(t));
        if want != got {
            differ.push(format!(
                "{t}（清单 {}，实际 {}）",
                want.map_or("无".into(), i64::to_string),
                got.map_or("无".into(), i64::to_string)
            ));
        }
    }
    let rows: i64 = found.row_counts.values().sum();
    if differ.is_empty() {
        println!(
            "行数核对通过：{} 张表共 {rows} 行，与清单一致",
            found.row_counts.len()
        );
    } else {
        ok = false;
        println!("行数核对未通过：{}", differ.join("；"));
    }
    if found.audit_head_hash != m.facts.audit_head_hash {
        ok = false;
        println!("审计链链尾哈希与清单不符：恢复的审计记录不完整");
    }
    let store = Store::connect(db).await?;
    let problems = store.ledger_verify().await?;
    if problems.is_empty() {
        println!("专账校验通过");
    } else {
        ok = false;
        println!(
            "专账校验发现 {} 处问题：{}",
            problems.len(),
            problems.join("；")
        );
    }
    let audit = store.verify_audit().await?;
    match &audit.broken {
        None => println!("审计链校验通过：共 {} 条记录", audit.rows),
        Some((id, why)) => {
            ok = false;
            println!("审计链校验未通过：第 {id} 号记录{why}");
        }
    }
    store.close().await;
    println!(
        "{}",
        if ok {
            "恢复完成，校验全部通过"
        } else {
            "恢复完成，但校验未通过：请勿启用该数据库"
        }
    );
    Ok(ok)
}
