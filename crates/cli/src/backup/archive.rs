//! The backup file: a zip archive of parts (the database copy, optional key
//! files) and `manifest.json`, which names each part with its SHA-256 and
//! records the version, the migrations and the row counts. Zip rather than
//! tar: the crate is already in the build (the .xlsx reader), and a reader
//! can open the manifest first without reading the database part.

use anyhow::{Context, bail};
use jineng_store::BackupFacts;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

pub const FORMAT: &str = "jineng-backup/1";
pub const MANIFEST: &str = "manifest.json";
pub const SQLITE_PART: &str = "database.sqlite";
pub const PG_PART: &str = "database.pgdump";
pub const AUDIT_KEY_PART: &str = "keys/audit-key";
pub const SIGNING_KEYS_PART: &str = "keys/signing-keys";

/// One part of the archive.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Part {
    pub name: String,
    pub sha256: String,
    pub bytes: u64,
    /// A key file: whoever holds the archive holds the key.
    pub secret: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub jineng_version: String,
    pub created_at: String,
    #[serde(flatten)]
    pub facts: BackupFacts,
    pub parts: Vec<Part>,
}

impl Manifest {
    pub fn part(&self, name: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.name == name)
    }
}

/// Writes the archive at `out` (mode 0600: it holds personal data, and
/// keys if asked) under a temporary name, renamed into place when whole.
pub fn write(
    out: &Path,
    parts: &[(&str, &Path, bool)],
    facts: BackupFacts,
) -> anyhow::Result<Manifest> {
    let partial = out.with_extension("partial");
    let file = create_private(&partial)?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let mut listed = Vec::new();
    for (name, path, secret) in parts {
        // The pg_dump custom format is compressed already.
        let method = match *name {
            PG_PART => zip::CompressionMethod::Stored,
            _ => zip::CompressionMethod::Deflated,
        };
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(method)
            .large_file(true)
            .unix_permissions(0o600);
        zip.start_file(*name, options)?;
        let mut src =
            File::open(path).with_context(|| format!("无法读取「{}」", path.display()))?;
        let (sha256, bytes) = copy_hashed(&mut src, &mut zip)?;
        listed.push(Part {
            name: name.to_string(),
            sha256,
            bytes,
            secret: *secret,
        });
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        jineng_version: env!("CARGO_PKG_VERSION").into(),
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        facts,
        parts: listed,
    };
    zip.start_file(MANIFEST, zip::write::SimpleFileOptions::default())?;
    zip.write_all(&serde_json::to_vec_pretty(&manifest)?)?;
    zip.finish()?.flush()?;
    std::fs::rename(&partial, out)?;
    Ok(manifest)
}

/// An archive opened for restore.
pub struct Reader {
    zip: zip::ZipArchive<File>,
    pub manifest: Manifest,
}

impl Reader {
    pub fn open(path: &Path) -> anyhow::Result<Reader> {
        let file =
            File::open(path).with_context(|| format!("无法打开备份文件「{}」", path.display()))?;
        let mut zip = zip::ZipArchive::new(file).with_context(|| {
            format!(
                "「{}」不是 Jineng 备份文件（无法按 zip 读取）",
                path.display()
            )
        })?;
        let mut text = String::new();
        zip.by_name(MANIFEST)
            .context("备份文件中没有清单 manifest.json")?
            .read_to_string(&mut text)
            .context("备份文件的清单已损坏")?;
        let manifest: Manifest = serde_json::from_str(&text).context("备份文件的清单无法解析")?;
        if manifest.format != FORMAT {
            bail!(
                "备份文件格式为「{}」，本程序只读「{FORMAT}」",
                manifest.format
            );
        }
        let names: Vec<String> = zip
            .file_names()
            .map(|n| n.map(|n| n.to_string()))
            .collect::<Result<_, _>>()?;
        for name in &names {
            if name != MANIFEST && manifest.part(name).is_none() {
                bail!("备份文件中有清单未列的部分「{name}」：文件被改动过，拒绝恢复");
            }
        }
        Ok(Reader { zip, manifest })
    }

    /// Extracts part `name` to `dest` (mode 0600), refusing it unless its
    /// SHA-256 and size are those of the manifest.
    pub fn extract(&mut self, name: &str, dest: &Path) -> anyhow::Result<()> {
        let part = self
            .manifest
            .part(name)
            .with_context(|| format!("清单中没有「{name}」"))?
            .clone();
        let mut entry = self
            .zip
            .by_name(name)
            .with_context(|| format!("备份文件中缺少清单所列的「{name}」：拒绝恢复"))?;
        let mut out = create_private(dest)?;
        let (sha256, bytes) = copy_hashed(&mut entry, &mut out)
            .with_context(|| format!("读取「{name}」失败：备份文件已损坏，拒绝恢复"))?;
        out.sync_all()?;
        if sha256 != part.sha256 || bytes != part.bytes {
            bail!(
                "「{name}」的 SHA-256 与清单不符（清单 {}…，实际 {}…）：备份文件已损坏或被改动，拒绝恢复",
                &part.sha256[..12.min(part.sha256.len())],
                &sha256[..12]
            );
        }
        Ok(())
    }
}

/// Copies `src` to `dst`, returning the hex SHA-256 and the length.
fn copy_hashed(src: &mut impl Read, dst: &mut impl Write) -> std::io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = src.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        dst.write_all(&buf[..n])?;
        total += n as u64;
    }
    let hex = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((hex, total))
}

/// Creates a file only its owner can read (fails if it exists).
pub fn create_private(path: &Path) -> anyhow::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .with_context(|| format!("无法创建「{}」（文件已存在或目录不可写）", path.display()))
}
