//! The configuration file (`jineng.toml`): the global options and `serve`'s
//! settings for a deployment, so a service manager runs `jineng serve`
//! with no long command line. Precedence, highest first: the command line,
//! the environment (`JINENG_*`), the file, the built-in default. clap
//! already reads the first two and says where each value came from
//! (`ValueSource`); the file fills only what is still a default.
//!
//! The file is `--config FILE` (env `JINENG_CONFIG`), or `jineng.toml` in
//! the current directory when there is one. An unknown key is refused with
//! its line, so a typo never silently falls back to a default.

use anyhow::Context;
use clap::ArgMatches;
use clap::parser::ValueSource;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The file, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileConfig {
    pub db: Option<String>,
    /// The read replica (`--db-read`).
    pub db_read: Option<String>,
    pub actor: Option<String>,
    pub public_url: Option<String>,
    pub key_file: Option<PathBuf>,
    /// The log filter, as `JINENG_LOG` (e.g. `info`, `jineng_web=debug`).
    pub log: Option<String>,
    pub log_format: Option<LogFormat>,
    #[serde(default)]
    pub serve: ServeConfig,
}

/// `[serve]`: the web server's settings (`jineng serve --help`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServeConfig {
    pub addr: Option<SocketAddr>,
    pub login_per_minute: Option<u32>,
    pub lookup_per_minute: Option<u32>,
    pub secure_cookies: Option<bool>,
    pub token_days: Option<i64>,
    pub filings_per_minute: Option<u32>,
    pub uploads_dir: Option<PathBuf>,
    pub metrics_token: Option<String>,
    pub shutdown_grace: Option<u64>,
}

/// How log lines are written to stderr.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object a line, for a log collector.
    Json,
}

/// The file named by `--config`, else `./jineng.toml` if present, else
/// nothing.
pub(crate) fn load(named: Option<&Path>) -> anyhow::Result<Option<(PathBuf, FileConfig)>> {
    let path = match named {
        Some(p) => p.to_path_buf(),
        None => {
            let here = PathBuf::from("jineng.toml");
            if !here.is_file() {
                return Ok(None);
            }
            here
        }
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("无法读取配置文件「{}」", path.display()))?;
    let config: FileConfig = toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("配置文件「{}」有误：{e}", path.display()))?;
    Ok(Some((path, config)))
}

/// True when the argument `id` of `m` still holds its default (or
/// nothing): only then does the file's value apply.
pub(crate) fn unset(m: &ArgMatches, id: &str) -> bool {
    matches!(m.value_source(id), None | Some(ValueSource::DefaultValue))
}

/// Sets `slot` from the file when the command line and the environment
/// left `id` at its default.
pub(crate) fn fill<T: Clone>(m: &ArgMatches, id: &str, slot: &mut T, from_file: &Option<T>) {
    if let Some(v) = from_file
        && unset(m, id)
    {
        *slot = v.clone();
    }
}

/// As [`fill`], for an optional setting.
pub(crate) fn fill_opt<T: Clone>(
    m: &ArgMatches,
    id: &str,
    slot: &mut Option<T>,
    from_file: &Option<T>,
) {
    if from_file.is_some() && unset(m, id) {
        slot.clone_from(from_file);
    }
}
