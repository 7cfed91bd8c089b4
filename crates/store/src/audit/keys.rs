//! The audit chain's key: a 32-byte secret kept in a file outside the
//! database (`docs/security.md`). From a marker row on, every row's hash is
//! an HMAC-SHA256 under this key instead of a plain SHA-256, so someone who
//! holds only the database can no longer recompute the chain after an edit.
//!
//! Where the key lives: `JINENG_AUDIT_KEY_FILE` if set; otherwise beside a
//! SQLite file (`jineng.db` → `jineng.db.audit-key`); for PostgreSQL in the
//! user's data directory (`$XDG_DATA_HOME` or `~/.local/share`,
//! `jineng/audit-<hash of the URL>.key`); an in-memory SQLite database gets
//! a key of its own that lives as long as the process. A missing file is
//! created (mode 0600, its folder 0700) on first start.
//!
//! Writers find the key by the id the chain's head names, in a registry of
//! the keys this process loaded, so every write path keys its rows without
//! carrying the key along.

use crate::StoreError;
use hmac::{Hmac, KeyInit, Mac};
use jineng_domain::audit::{Action, Entity};
use sha2::Sha256;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The marker row's action and entity: keyed hashing starts at it.
pub(crate) const MARKER_ACTION: Action = Action::AuditKey;
pub(crate) const MARKER_ENTITY: Entity = Entity::AuditChain;

/// A loaded key and its public id (a hash of it, safe to store).
#[derive(Clone)]
pub struct AuditKey {
    bytes: Arc<[u8; 32]>,
    id: String,
    /// The file it came from (`None`: in memory only).
    pub path: Option<PathBuf>,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditKey")
            .field("id", &self.id)
            .field("path", &self.path)
            .finish()
    }
}

impl AuditKey {
    fn new(bytes: [u8; 32], path: Option<PathBuf>) -> AuditKey {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&bytes).expect("any key length");
        mac.update(b"jineng audit key id");
        let id = hex(&mac.finalize().into_bytes())[..16].to_string();
        AuditKey {
            bytes: Arc::new(bytes),
            id,
            path,
        }
    }

    /// The key's id as the marker row and the chain's head record it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// A fresh HMAC-SHA256 under this key.
    pub(crate) fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as KeyInit>::new_from_slice(&self.bytes[..]).expect("any key length")
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn registry() -> &'static Mutex<HashMap<String, AuditKey>> {
    static KEYS: OnceLock<Mutex<HashMap<String, AuditKey>>> = OnceLock::new();
    KEYS.get_or_init(Default::default)
}

/// Makes a key available to this process's writers.
pub(crate) fn register(key: &AuditKey) {
    let mut keys = registry().lock().unwrap_or_else(|e| e.into_inner());
    keys.insert(key.id.clone(), key.clone());
}

/// The loaded key with this id.
pub(crate) fn lookup(id: &str) -> Option<AuditKey> {
    let keys = registry().lock().unwrap_or_else(|e| e.into_inner());
    keys.get(id).cloned()
}

/// Where the key of the database at `url` lives (`None`: in memory).
pub fn key_path(url: &str) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("JINENG_AUDIT_KEY_FILE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    crate::secret_file::secret_path(url, "audit-key", "audit", "key")
}

/// The id of the key in `path` (what the chain's head records), to check
/// that a restored database finds its own key.
pub fn key_id_in(path: &Path) -> Result<String, StoreError> {
    Ok(read(path)?.id)
}

fn random() -> [u8; 32] {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).expect("OS random source");
    buf
}

fn read(path: &Path) -> Result<AuditKey, StoreError> {
    let bad = || {
        StoreError::Config(format!(
            "审计链密钥文件「{}」格式有误（应为 64 位十六进制）",
            path.display()
        ))
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        StoreError::Config(format!("无法读取审计链密钥文件「{}」：{e}", path.display()))
    })?;
    let text = text.trim();
    if text.len() != 64 {
        return Err(bad());
    }
    let mut bytes = [0u8; 32];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(m) = std::fs::metadata(path)
            && m.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(
                "audit key file {} is readable by others; chmod 600 it",
                path.display()
            );
        }
    }
    Ok(AuditKey::new(bytes, Some(path.to_path_buf())))
}

/// Loads the key at `path`, creating it when missing; the flag tells
/// whether it was created now. `None` gives a key of this process only.
pub(crate) fn load_or_create(path: Option<&Path>) -> Result<(AuditKey, bool), StoreError> {
    let Some(path) = path else {
        return Ok((AuditKey::new(random(), None), true));
    };
    if path.exists() {
        return Ok((read(path)?, false));
    }
    let io = |e: std::io::Error| {
        StoreError::Config(format!("无法创建审计链密钥文件「{}」：{e}", path.display()))
    };
    let bytes = random();
    if crate::secret_file::create_private(path, &format!("{}\n", hex(&bytes))).map_err(io)? {
        Ok((AuditKey::new(bytes, Some(path.to_path_buf())), true))
    } else {
        Ok((read(path)?, false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_key_is_private_and_reads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/k.key");
        let (a, created) = load_or_create(Some(&p)).unwrap();
        assert!(created);
        let (b, again) = load_or_create(Some(&p)).unwrap();
        assert!(!again);
        assert_eq!(a.id(), b.id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let dmode = std::fs::metadata(p.parent().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(dmode & 0o777, 0o700);
        }
    }

    #[test]
    fn key_paths_follow_the_database() {
        if std::env::var_os("JINENG_AUDIT_KEY_FILE").is_some() {
            return;
        }
        assert_eq!(
            key_path("sqlite:///d/jineng.db?mode=rwc"),
            Some(PathBuf::from("/d/jineng.db.audit-key"))
        );
        assert_eq!(key_path("sqlite::memory:"), None);
        let pg = key_path("postgres://u@h/db").unwrap();
        assert!(pg.to_string_lossy().contains("jineng/audit-"));
    }
}
