//! Published subsidy amounts (公开报道的补贴标准): the data file
//! `data/published_amounts.toml` (format in `data/README.md`) read, checked
//! and matched to the rows of the standards evaluation, so an officer sees
//! what other places publish beside the standard in force. The figures are
//! data, never code: a deployment may read another file.

use std::fmt;

use serde::{Deserialize, Serialize};
use toml::Spanned;

pub use super::figure::{Figure, Unit};
use crate::refdata::{RefData, vocab_kind};
use crate::{CertificateType, Fen, SkillLevel};

/// The file shipped with Jineng, compiled into the binary.
pub const BUILTIN: &str = include_str!("../../../../data/published_amounts.toml");
/// Its name in messages.
pub const BUILTIN_NAME: &str = "data/published_amounts.toml";

/// A publication the amounts come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub note: String,
}

/// One published amount and what it is compared with. `None` in `grade`,
/// `level` and an empty `cert` mean any; `level: Some(None)` is 无.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amount {
    pub source: usize,
    pub label: String,
    pub subsidy: String,
    pub grade: Option<String>,
    pub level: Option<Option<SkillLevel>>,
    pub cert: Vec<CertificateType>,
    pub unit: Unit,
    pub figure: Figure,
    pub line: usize,
}

impl Amount {
    /// How many of grade, level and cert it names.
    fn specificity(&self) -> usize {
        usize::from(self.grade.is_some())
            + usize::from(self.level.is_some())
            + usize::from(!self.cert.is_empty())
    }

    fn matches(&self, item: &Item<'_>) -> bool {
        self.subsidy == item.subsidy
            && self.unit == item.unit
            && self.grade.as_deref().is_none_or(|g| item.grade == Some(g))
            && self.level.is_none_or(|l| l == item.level)
            && (self.cert.is_empty() || item.cert.is_some_and(|c| self.cert.contains(&c)))
    }
}

/// A published shortage-occupation uplift (紧缺职业上浮).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Uplift {
    pub source: String,
    pub label: String,
    pub pct: u16,
    pub up_to: bool,
}

/// What a row is matched by: its subsidy type (the catalogue's, for a
/// type priced by another's standard), the class of the catalogue entry
/// that gave its standard, its level, certificate type and unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item<'a> {
    pub subsidy: &'a str,
    pub grade: Option<&'a str>,
    pub level: Option<SkillLevel>,
    pub cert: Option<CertificateType>,
    pub unit: Unit,
}

/// A file of published amounts, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub file: String,
    pub sources: Vec<Source>,
    pub amounts: Vec<Amount>,
    pub uplifts: Vec<Uplift>,
}

/// A file refused: where and why (Chinese).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PublishedError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for PublishedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(
                f,
                "公开标准文件「{}」第 {l} 行：{}",
                self.file, self.message
            ),
            None => write!(f, "公开标准文件「{}」：{}", self.file, self.message),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    source: Vec<Spanned<RawSource>>,
    #[serde(default)]
    amount: Vec<Spanned<RawAmount>>,
    #[serde(default)]
    uplift: Vec<Spanned<RawUplift>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: String,
    title: String,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAmount {
    source: String,
    label: String,
    subsidy: String,
    #[serde(default)]
    grade: Option<String>,
    #[serde(default)]
    level: Option<String>,
    #[serde(default)]
    cert: Vec<String>,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default, deserialize_with = "crate::policy::de::opt_yuan")]
    yuan: Option<Fen>,
    #[serde(default)]
    up_to: bool,
    #[serde(default, deserialize_with = "crate::policy::de::opt_yuan")]
    min_yuan: Option<Fen>,
    #[serde(default, deserialize_with = "crate::policy::de::opt_yuan")]
    max_yuan: Option<Fen>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUplift {
    source: String,
    label: String,
    pct: u16,
    #[serde(default)]
    up_to: bool,
}

/// The position of a byte offset as a line number.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl Published {
    /// The shipped file, checked against the reference data's terms.
    pub fn builtin(refdata: &RefData) -> Result<Published, PublishedError> {
        Published::parse(BUILTIN_NAME, BUILTIN, refdata)
    }

    /// Reads and checks a file: known sources, subsidy types (when the
    /// reference data holds them), levels, certificate types and units;
    /// one figure per amount; no two amounts for the same item.
    pub fn parse(file: &str, text: &str, refdata: &RefData) -> Result<Published, PublishedError> {
        let err = |at: Option<usize>, message: String| PublishedError {
            file: file.to_string(),
            line: at.map(|o| line_of(text, o)),
            message,
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            err(
                e.span().map(|s| s.start),
                crate::policy::file::translate(e.message()),
            )
        })?;
        let mut sources: Vec<Source> = Vec::new();
        for s in &raw.source {
            let at = Some(s.span().start);
            let r = s.get_ref();
            if r.id.trim().is_empty() || r.title.trim().is_empty() {
                return Err(err(at, "来源须有 id 和 title".into()));
            }
            if sources.iter().any(|o| o.id == r.id) {
                return Err(err(at, format!("来源「{}」重复", r.id)));
            }
            sources.push(Source {
                id: r.id.clone(),
                title: r.title.clone(),
                note: r.note.clone(),
            });
        }
        let mut amounts: Vec<Amount> = Vec::new();
        for a in &raw.amount {
            let at = Some(a.span().start);
            let amount = read_amount(a.get_ref(), refdata, &sources, &|m| err(at, m))?;
            let amount = Amount {
                line: line_of(text, a.span().start),
                ..amount
            };
            if let Some(o) = amounts.iter().find(|o| same_item(o, &amount)) {
                return Err(err(
                    at,
                    format!(
                        "「{}」与第 {} 行的「{}」对比同一项目",
                        amount.label, o.line, o.label
                    ),
                ));
            }
            amounts.push(amount);
        }
        let mut uplifts = Vec::new();
        for u in &raw.uplift {
            let at = Some(u.span().start);
            let r = u.get_ref();
            source_of(&sources, &r.source, &|m| err(at, m))?;
            if r.pct > 100 {
                return Err(err(at, format!("上浮比例 {}% 超过 100%", r.pct)));
            }
            uplifts.push(Uplift {
                source: r.source.clone(),
                label: r.label.clone(),
                pct: r.pct,
                up_to: r.up_to,
            });
        }
        Ok(Published {
            file: file.to_string(),
            sources,
            amounts,
            uplifts,
        })
    }

    /// The amount a row is compared with: among those that match, the one
    /// naming the most of grade, level and cert; among as many, the first.
    pub fn find(&self, item: &Item<'_>) -> Option<&Amount> {
        let mut best: Option<&Amount> = None;
        for a in self.amounts.iter().filter(|a| a.matches(item)) {
            if best.is_none_or(|b| a.specificity() > b.specificity()) {
                best = Some(a);
            }
        }
        best
    }

    pub fn source(&self, a: &Amount) -> &Source {
        &self.sources[a.source]
    }
}

fn same_item(a: &Amount, b: &Amount) -> bool {
    let mut ca = a.cert.clone();
    let mut cb = b.cert.clone();
    ca.sort();
    cb.sort();
    a.subsidy == b.subsidy
        && a.grade == b.grade
        && a.level == b.level
        && ca == cb
        && a.unit == b.unit
}

/// The index of source `id`, or the refusal.
fn source_of(
    sources: &[Source],
    id: &str,
    err: &dyn Fn(String) -> PublishedError,
) -> Result<usize, PublishedError> {
    sources
        .iter()
        .position(|s| s.id == id)
        .ok_or_else(|| err(format!("未定义的来源「{id}」（见 [[source]]）")))
}

fn read_amount(
    r: &RawAmount,
    refdata: &RefData,
    sources: &[Source],
    err: &dyn Fn(String) -> PublishedError,
) -> Result<Amount, PublishedError> {
    let source = source_of(sources, &r.source, err)?;
    if r.label.trim().is_empty() {
        return Err(err("label 不能为空".into()));
    }
    if !refdata.vocab.is_empty() && !refdata.has_term(vocab_kind::SUBSIDY_TYPE, &r.subsidy) {
        return Err(err(format!("未知的补贴类型「{}」", r.subsidy)));
    }
    let level = match r.level.as_deref().map(str::trim) {
        None => None,
        Some("无") => Some(None),
        Some(l) => Some(Some(
            SkillLevel::parse(l).map_err(|e| err(e.message().to_string()))?,
        )),
    };
    let cert = r
        .cert
        .iter()
        .map(|c| CertificateType::parse(c).map_err(|e| err(e.message().to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let unit = match r.unit.as_deref() {
        None => Unit::PerClaim,
        Some(u) => Unit::parse(u)
            .ok_or_else(|| err(format!("无法识别的单位「{u}」，应为 人次、天、月 或 年")))?,
    };
    let figure = match (r.yuan, r.min_yuan, r.max_yuan, r.up_to) {
        (Some(fen), None, None, false) => Figure::Exact { fen },
        (Some(fen), None, None, true) => Figure::UpTo { fen },
        (None, Some(min), Some(max), false) if min <= max => Figure::Range { min, max },
        (None, Some(min), Some(max), false) => {
            return Err(err(format!("min_yuan {min} 大于 max_yuan {max}")));
        }
        (None, _, _, true) => return Err(err("up_to 只能与 yuan 一起使用".into())),
        _ => {
            return Err(err(
                "应给出 yuan（金额），或 min_yuan 与 max_yuan（范围）之一".into(),
            ));
        }
    };
    Ok(Amount {
        source,
        label: r.label.clone(),
        subsidy: r.subsidy.clone(),
        grade: r.grade.clone(),
        level,
        cert,
        unit,
        figure,
        line: 0,
    })
}
