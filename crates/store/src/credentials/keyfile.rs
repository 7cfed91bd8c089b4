//! The signing key file (docs/credentials.md, "Keys"): the bureau's
//! Ed25519 key ring (`jineng_credentials::KeyRing`), never in the
//! database.
//!
//! Where it lives: the configured path (`--key-file`, `JINENG_KEY_FILE`);
//! otherwise beside a SQLite file (`jineng.db` → `jineng.db.signing-keys`);
//! for PostgreSQL in the user's data directory (`$XDG_DATA_HOME` or
//! `~/.local/share`, `jineng/signing-<16 hex of the URL's SHA-256>.keys`),
//! as the audit key does; an in-memory SQLite database gets a ring that
//! lives as long as the process. A missing file is created on first use
//! (mode 0600, its folder 0700 when made).
//!
//! Creation writes a temporary file and links it into place, so two
//! processes starting at once agree on one key; a rotation holds a lock
//! file (`….lock`) and replaces the file by rename, so a reader sees the
//! old ring or the new one, never half of either.

use crate::StoreError;
use jineng_credentials::KeyRing;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// Where the key file of the database at `url` lives when none is
/// configured (`None`: in memory).
pub fn default_key_path(url: &str) -> Option<PathBuf> {
    crate::secret_file::secret_path(url, "signing-keys", "signing", "keys")
}

pub(crate) fn random_seed() -> [u8; 32] {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).expect("OS random source");
    buf
}

fn now() -> String {
    jineng_credentials::xsd(chrono::Utc::now())
}

/// The process's own ring, for an in-memory database.
fn memory() -> &'static Mutex<Option<KeyRing>> {
    static RING: OnceLock<Mutex<Option<KeyRing>>> = OnceLock::new();
    RING.get_or_init(Default::default)
}

fn config(path: &Path, what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Config(format!("签名密钥文件「{}」{what}：{e}", path.display()))
}

fn read(path: &Path) -> Result<KeyRing, StoreError> {
    let text = std::fs::read_to_string(path).map_err(|e| config(path, "无法读取", e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(m) = std::fs::metadata(path)
            && m.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(
                "signing key file {} is readable by others; chmod 600 it",
                path.display()
            );
        }
    }
    KeyRing::from_text(&text).map_err(|e| config(path, "无法使用", e))
}

/// The ring at `path` if there is one (`None`: the process's, if made).
pub(crate) fn load_existing(path: Option<&Path>) -> Result<Option<KeyRing>, StoreError> {
    match path {
        None => Ok(memory().lock().unwrap_or_else(|e| e.into_inner()).clone()),
        Some(p) if p.exists() => read(p).map(Some),
        Some(_) => Ok(None),
    }
}

/// The ring at `path`, created now when missing (`None`: the process's).
pub(crate) fn load_or_create(path: Option<&Path>) -> Result<KeyRing, StoreError> {
    let Some(path) = path else {
        let mut ring = memory().lock().unwrap_or_else(|e| e.into_inner());
        return Ok(ring
            .get_or_insert_with(|| KeyRing::new(random_seed(), &now()))
            .clone());
    };
    if path.exists() {
        return read(path);
    }
    let ring = KeyRing::new(random_seed(), &now());
    match crate::secret_file::create_private(path, &ring.to_text()) {
        Ok(true) => Ok(ring),
        Ok(false) => read(path),
        Err(e) => Err(config(path, "无法创建", e)),
    }
}

/// Removes the rotation lock when the rotation ends, however it ends.
struct Lock(PathBuf);

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Rotates the ring at `path` (created first when missing): a new current
/// key, the old one's public key kept. Returns the new ring.
pub(crate) fn rotate(path: Option<&Path>) -> Result<KeyRing, StoreError> {
    let Some(path) = path else {
        let mut guard = memory().lock().unwrap_or_else(|e| e.into_inner());
        let ring = guard.get_or_insert_with(|| KeyRing::new(random_seed(), &now()));
        ring.rotate(random_seed(), &now());
        return Ok(ring.clone());
    };
    let mut ring = load_or_create(Some(path))?;
    let mut lock = path.as_os_str().to_owned();
    lock.push(".lock");
    let lock = PathBuf::from(lock);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&lock)
        .map_err(|e| {
            config(
                path,
                "正被另一次轮换占用（如确认没有，删除 .lock 文件后重试）",
                e,
            )
        })?;
    let _held = Lock(lock);
    // Read again under the lock: another rotation may have just finished.
    ring = read(path).unwrap_or(ring);
    ring.rotate(random_seed(), &now());
    crate::secret_file::replace_private(path, &ring.to_text())
        .map_err(|e| config(path, "无法替换", e))?;
    Ok(ring)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_ring_is_private_rotates_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/k.signing-keys");
        let a = load_or_create(Some(&p)).unwrap();
        let b = load_or_create(Some(&p)).unwrap();
        assert_eq!(a.public(), b.public());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let r = rotate(Some(&p)).unwrap();
        assert_ne!(r.public(), a.public());
        let again = load_or_create(Some(&p)).unwrap();
        assert_eq!(again.public_keys(), vec![r.public(), a.public()]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "still private after the rename");
        }
        assert!(!dir.path().join("sub/k.signing-keys.lock").exists());
    }

    #[test]
    fn key_paths_follow_the_database() {
        assert_eq!(
            default_key_path("sqlite:///d/jineng.db?mode=rwc"),
            Some(PathBuf::from("/d/jineng.db.signing-keys"))
        );
        assert_eq!(default_key_path("sqlite::memory:"), None);
        let pg = default_key_path("postgres://u@h/db").unwrap();
        assert!(pg.to_string_lossy().contains("jineng/signing-"));
    }
}
