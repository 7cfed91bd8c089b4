//! Where uploaded files live while their import runs: a private directory
//! (0700) under the data directory, `<database dir>/uploads/` for SQLite,
//! one `job-…` directory per upload holding the file (0600) and its error
//! reports while it runs. The directory goes when its job ends, whatever
//! the outcome: the reports are stored with the job in the database
//! first (`import_job_reports`). What a killed server left behind is
//! removed at the next start. Only `job-…` entries are ever removed, so a misconfigured
//! directory loses nothing else.

use jineng_store::Store;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// The prefix of every job directory.
const JOB_PREFIX: &str = "job-";

/// The upload directory of a running server.
#[derive(Debug)]
pub struct Uploads {
    root: PathBuf,
    /// A directory of its own when there is no data directory (PostgreSQL
    /// without `--uploads-dir`, an in-memory database): removed on drop.
    _own: Option<tempfile::TempDir>,
}

impl Uploads {
    /// Opens `root` for uploads: created if missing, made private (0700),
    /// and emptied of the job directories a previous run left.
    pub fn open(root: &Path) -> io::Result<Uploads> {
        std::fs::create_dir_all(root)?;
        private_dir(root)?;
        for entry in std::fs::read_dir(root)? {
            let entry = entry?;
            if !entry.file_name().to_string_lossy().starts_with(JOB_PREFIX) {
                continue;
            }
            let path = entry.path();
            let removed = if entry.file_type()?.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            if let Err(e) = removed {
                tracing::warn!(
                    "could not remove the leftover upload {}: {e}",
                    path.display()
                );
            }
        }
        Ok(Uploads {
            root: root.to_owned(),
            _own: None,
        })
    }

    /// The default for `store`: `uploads/` beside a SQLite database file;
    /// otherwise a private directory of this server's own.
    pub fn for_store(store: &Store) -> io::Result<Uploads> {
        if let Some(dir) = store.sqlite_file().and_then(Path::parent) {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            return Uploads::open(&dir.join("uploads"));
        }
        let own = tempfile::Builder::new()
            .prefix("jineng-uploads-")
            .tempdir()?;
        private_dir(own.path())?;
        Ok(Uploads {
            root: own.path().to_owned(),
            _own: Some(own),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A new private directory for one upload, removed when dropped.
    pub fn job_dir(&self) -> io::Result<tempfile::TempDir> {
        let dir = tempfile::Builder::new()
            .prefix(JOB_PREFIX)
            .tempdir_in(&self.root)?;
        private_dir(dir.path())?;
        Ok(dir)
    }
}

fn private_dir(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Creates a new file readable by its owner only (0600).
pub fn create_private(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn private_directories_and_files_and_a_clean_start() {
        let data = tempfile::tempdir().unwrap();
        let root = data.path().join("uploads");
        std::fs::create_dir_all(root.join("job-old")).unwrap();
        std::fs::write(root.join("job-old/x.csv"), "x").unwrap();
        std::fs::write(root.join("README"), "kept").unwrap();
        let up = Uploads::open(&root).unwrap();
        assert!(!root.join("job-old").exists());
        assert!(root.join("README").exists(), "only job directories go");
        assert_eq!(mode(&root), 0o700);
        let job = up.job_dir().unwrap();
        assert_eq!(mode(job.path()), 0o700);
        let file = job.path().join("人员.csv");
        drop(create_private(&file).unwrap());
        assert_eq!(mode(&file), 0o600);
        let path = job.path().to_owned();
        drop(job);
        assert!(!path.exists());
    }
}
