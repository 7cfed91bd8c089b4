//! Secrets kept in files outside the database (the audit chain's key, the
//! signing keys; `docs/security.md`): where a database's secret lives when
//! none is configured, and how a new one is put in place so that two
//! processes starting at once agree on one.

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where a secret of the database at `url` lives when none is configured
/// (`None`: in memory): beside a SQLite file as `FILE.{beside}`, else in
/// the user's data directory as `jineng/{stem}-{hash of url}.{ext}`.
pub(crate) fn secret_path(url: &str, beside: &str, stem: &str, ext: &str) -> Option<PathBuf> {
    if let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        let file = rest.split('?').next().unwrap_or_default();
        if file.is_empty() || file.contains(":memory:") || url.contains("mode=memory") {
            return None;
        }
        return Some(PathBuf::from(format!("{file}.{beside}")));
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    let digest = Sha256::digest(url.as_bytes());
    let tag: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    Some(data.join("jineng").join(format!("{stem}-{tag}.{ext}")))
}

/// Puts `text` at `path` unless a file is already there: written whole
/// under a temporary name ([`write_temp`]), then linked into place, so a
/// second process starting at the same moment reads either no file or the
/// whole secret, and exactly one secret wins. `Ok(false)`: another was
/// there first.
pub(crate) fn create_private(path: &Path, text: &str) -> std::io::Result<bool> {
    let tmp = write_temp(path, text)?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// Replaces the secret at `path` with `text` in one step (a rename).
pub(crate) fn replace_private(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = write_temp(path, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Writes `text` to a new private file (0600, in a 0700 directory made if
/// missing) beside `path`, synced, and returns its name.
fn write_temp(path: &Path, text: &str) -> std::io::Result<PathBuf> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.exists() {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(dir)?;
    }
    let mut nonce = [0u8; 4];
    getrandom::fill(&mut nonce).expect("OS random source");
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(
        ".{name}-{}-{:08x}",
        std::process::id(),
        u32::from_le_bytes(nonce)
    ));
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o.open(&tmp)?;
    f.write_all(text.as_bytes()).and_then(|_| f.sync_all())?;
    Ok(tmp)
}
