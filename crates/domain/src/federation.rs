//! Across deployments (多头: the same person paid in two cities or
//! provinces). Deployments exchange what was paid, never who: for each paid
//! subsidy a tag `HMAC-SHA256(federation key, ID number)` with occupation,
//! level, subsidy type, year, months, fund and the deployment's code. No
//! name, no ID number, no unkeyed hash of one (the 18-digit ID space is
//! small enough to invert any unkeyed hash in minutes). Pure: the key file
//! and tag files arrive as text.
//!
//! # Tag file (JSON lines, UTF-8)
//!
//! Line 1, the header:
//! `{"format":"jineng-federation-tags","version":1,"deployment":"371500","key_id":"…"}`
//! where `key_id` is the first 16 hex digits of
//! `HMAC-SHA256(key, "jineng-federation-key-id-v1")`: two deployments can
//! see that they hold the same key without showing it.
//!
//! Every further line, one paid subsidy:
//! `{"tag":"<64 hex>","occupation":"6-01-02-01","level":"五级","subsidy_type":"职业培训补贴","year":2019,"first_month":null,"months":null,"fund":"就业补助资金","deployment":"371500"}`
//! where `tag` is the lowercase hex HMAC-SHA256 of the 18-character ID
//! number (upper-case `X`) as ASCII under the federation key.
//!
//! # Key file
//!
//! Text holding at least 32 random bytes as hex (64+ hex digits); blank
//! lines and lines starting with `#` are ignored, spaces inside are allowed.
//! Shorter keys are refused.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::policy::facts::ForeignAward;
use crate::supervision::inputs::{ClaimIn, Month, Months};
use crate::{NationalId, OccupationCode, SkillLevel};

/// The fewest key bytes accepted.
pub const MIN_KEY_BYTES: usize = 32;
pub const FORMAT: &str = "jineng-federation-tags";
pub const VERSION: u32 = 1;
const KEY_ID_LABEL: &[u8] = b"jineng-federation-key-id-v1";

/// HMAC-SHA256 (RFC 2104 with SHA-256, as RFC 4231 tests it).
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// A key file or tag file refused: which file, which line, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FederationError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for FederationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "文件「{}」第 {} 行：{}", self.file, l, self.message),
            None => write!(f, "文件「{}」：{}", self.file, self.message),
        }
    }
}

/// The shared federation key. Never printed.
#[derive(Clone)]
pub struct FederationKey(Vec<u8>);

impl fmt::Debug for FederationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "FederationKey({} bytes, id {})",
            self.0.len(),
            self.key_id()
        )
    }
}

impl FederationKey {
    /// Reads a key file's text.
    pub fn parse(file: &str, text: &str) -> Result<FederationKey, FederationError> {
        let err = |message: String| FederationError {
            file: file.to_string(),
            line: None,
            message,
        };
        let digits: String = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
            .collect();
        let bytes = crate::hex::decode(&digits)
            .map_err(|e| err(format!("联邦密钥应为十六进制文本：{}", e.message())))?;
        if bytes.len() < MIN_KEY_BYTES {
            return Err(err(format!(
                "联邦密钥只有 {} 字节，至少需要 {MIN_KEY_BYTES} 字节（{} 个十六进制数字）的随机数",
                bytes.len(),
                MIN_KEY_BYTES * 2
            )));
        }
        Ok(FederationKey(bytes))
    }

    /// The tag of an ID number.
    pub fn tag(&self, id: &NationalId) -> String {
        crate::hex::encode(&hmac_sha256(&self.0, id.as_str().as_bytes()))
    }

    /// What identifies the key in a tag file's header.
    pub fn key_id(&self) -> String {
        crate::hex::encode(&hmac_sha256(&self.0, KEY_ID_LABEL)[..8])
    }
}

/// A tag file's first line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub format: String,
    pub version: u32,
    pub deployment: String,
    pub key_id: String,
}

impl Header {
    pub fn new(deployment: &str, key: &FederationKey) -> Header {
        Header {
            format: FORMAT.into(),
            version: VERSION,
            deployment: deployment.into(),
            key_id: key.key_id(),
        }
    }

    pub fn to_line(&self) -> String {
        serde_json::to_string(self).expect("a header serializes")
    }
}

/// One paid subsidy, as another deployment sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagRecord {
    pub tag: String,
    pub occupation: Option<String>,
    pub level: Option<String>,
    pub subsidy_type: String,
    pub year: i32,
    /// The first month paid for, `YYYY-MM`, for subsidies paid by the month.
    pub first_month: Option<String>,
    pub months: Option<u32>,
    pub fund: String,
    pub deployment: String,
}

impl TagRecord {
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).expect("a tag serializes")
    }

    /// The record as check S6 reads it, for the local person it matched.
    pub fn as_claim(&self, person: &str, line: usize) -> ClaimIn {
        let months = self
            .first_month
            .as_deref()
            .and_then(parse_month)
            .map(|first| Months {
                first,
                count: self.months.unwrap_or(1) as i32,
            });
        ClaimIn {
            claim_no: format!("{}#{line}", self.deployment),
            person: person.to_string(),
            subsidy_type: self.subsidy_type.clone(),
            fund: Some(self.fund.clone()),
            occupation: self.occupation.clone(),
            level: self.level.clone(),
            cert_no: None,
            class_no: None,
            institution: None,
            applied_on: chrono::NaiveDate::from_ymd_opt(self.year, 1, 1)
                .unwrap_or(chrono::NaiveDate::MIN),
            months,
            deployment: Some(self.deployment.clone()),
        }
    }
}

impl TagRecord {
    /// The record as R3 and R17 count it for the local person it matched.
    /// An occupation or level the deployment wrote in a form not known
    /// here is left out, so the tag matches nothing (no false refusal).
    pub fn as_award(&self) -> ForeignAward {
        let months = match (self.first_month.as_deref(), self.months) {
            (Some(first), Some(n)) => {
                chrono::NaiveDate::parse_from_str(&format!("{first}-01"), "%Y-%m-%d")
                    .map(|d| months_of_count(d, n))
                    .unwrap_or_default()
            }
            _ => Vec::new(),
        };
        ForeignAward {
            deployment: self.deployment.clone(),
            subsidy_type: self.subsidy_type.clone(),
            year: self.year,
            occupation: self
                .occupation
                .as_deref()
                .and_then(|o| OccupationCode::parse(o).ok()),
            level: self
                .level
                .as_deref()
                .and_then(|l| SkillLevel::parse(l).ok()),
            months,
        }
    }
}

/// The months a claim paid as tag lines: each run of consecutive months
/// as its first month (`YYYY-MM`) and count, in order. A claim whose paid
/// months have a gap (some were paid to another employer) gives one tag
/// line per run.
pub fn month_runs(paid: &[chrono::NaiveDate]) -> Vec<(String, u32)> {
    let mut sorted = paid.to_vec();
    sorted.sort();
    sorted.dedup();
    let mut runs: Vec<(chrono::NaiveDate, u32)> = Vec::new();
    for m in sorted {
        match runs.last_mut() {
            Some((first, n)) if first.checked_add_months(chrono::Months::new(*n)) == Some(m) => {
                *n += 1
            }
            _ => runs.push((m, 1)),
        }
    }
    runs.into_iter()
        .map(|(first, n)| (first.format("%Y-%m").to_string(), n))
        .collect()
}

/// `n` calendar months from `first` (a month's first day).
fn months_of_count(first: chrono::NaiveDate, n: u32) -> Vec<chrono::NaiveDate> {
    (0..n.min(1200))
        .filter_map(|i| first.checked_add_months(chrono::Months::new(i)))
        .collect()
}

fn parse_month(s: &str) -> Option<Month> {
    let d = chrono::NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").ok()?;
    (s.len() == 7).then(|| Month::of(d))
}

/// A tag file read and checked: its header and records with their lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagFile {
    pub header: Header,
    pub records: Vec<(usize, TagRecord)>,
}

/// Reads another deployment's tag file; refuses a file made with another
/// key, or from this deployment (`own`).
pub fn parse_tag_file(
    file: &str,
    text: &str,
    key: &FederationKey,
    own: &str,
) -> Result<TagFile, FederationError> {
    let err = |line: usize, message: String| FederationError {
        file: file.to_string(),
        line: Some(line),
        message,
    };
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim()));
    let (n, first) = lines
        .find(|(_, l)| !l.is_empty())
        .ok_or_else(|| err(1, "标签文件是空的".into()))?;
    let header: Header = serde_json::from_str(first).map_err(|e| {
        err(
            n,
            format!("第一行应为标签文件头（format、version、deployment、key_id）：{e}"),
        )
    })?;
    if header.format != FORMAT || header.version != VERSION {
        return Err(err(n, format!("不是本系统第 {VERSION} 版的联邦标签文件")));
    }
    if header.key_id != key.key_id() {
        return Err(err(
            n,
            "标签文件用的联邦密钥与本地密钥不同（key_id 不一致），无法比对".into(),
        ));
    }
    if header.deployment == own {
        return Err(err(n, format!("这是本部署（{own}）自己导出的标签文件")));
    }
    let mut records = Vec::new();
    for (n, line) in lines.filter(|(_, l)| !l.is_empty()) {
        let r: TagRecord =
            serde_json::from_str(line).map_err(|e| err(n, format!("无法读取标签：{e}")))?;
        check_record(&r, &header).map_err(|m| err(n, m))?;
        records.push((n, r));
    }
    Ok(TagFile { header, records })
}

fn check_record(r: &TagRecord, header: &Header) -> Result<(), String> {
    if r.tag.len() != 64
        || !r
            .tag
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err("tag 应为 64 位小写十六进制数字".into());
    }
    if r.deployment != header.deployment {
        return Err(format!(
            "deployment「{}」与文件头「{}」不一致",
            r.deployment, header.deployment
        ));
    }
    if !(2000..=2100).contains(&r.year) {
        return Err(format!("year {} 不是有效年度", r.year));
    }
    if r.subsidy_type.trim().is_empty() || r.fund.trim().is_empty() {
        return Err("subsidy_type 和 fund 不能为空".into());
    }
    if let Some(m) = &r.first_month
        && parse_month(m).is_none()
    {
        return Err(format!("first_month「{m}」应为 YYYY-MM"));
    }
    if r.first_month.is_some() != r.months.is_some() || r.months == Some(0) {
        return Err("first_month 和 months 应同时给出，且 months 不小于 1".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
