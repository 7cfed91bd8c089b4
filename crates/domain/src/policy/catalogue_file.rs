//! The `[catalogue]` of a policy file: the subsidy standards (补贴标准目录)
//! as entries, standard classes (`grades`) and shortage uplifts, checked
//! where they are written and merged across the files of a chain.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::PolicyError;
use super::catalogue::{Catalogue, CatalogueEntry, Shortage};
use super::de;
use super::file::{Source, SpannedTable, opt_date, yuan_value};
use crate::refdata::RefData;
use crate::{CertificateType, Fen, OccupationCode, SkillLevel};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCatalogue {
    #[serde(default)]
    note: String,
    #[serde(default)]
    example: bool,
    /// Grade name → level → yuan (分类标准, e.g. Jiangsu's A/B/C classes).
    #[serde(default)]
    grades: BTreeMap<String, SpannedTable>,
    #[serde(default)]
    entries: Vec<Spanned<RawEntry>>,
    #[serde(default)]
    shortage: Vec<Spanned<RawShortage>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEntry {
    #[serde(default)]
    subsidy: Option<String>,
    occupation: String,
    /// The occupation's name, for the reader of the file.
    #[serde(default)]
    #[allow(dead_code)]
    name: Option<String>,
    #[serde(default)]
    cert: Option<String>,
    #[serde(default)]
    level: Option<String>,
    #[serde(default)]
    grade: Option<String>,
    #[serde(default)]
    yuan: Option<toml::Value>,
    #[serde(deserialize_with = "de::date")]
    from: chrono::NaiveDate,
    #[serde(default, deserialize_with = "opt_date")]
    to: Option<chrono::NaiveDate>,
    #[serde(default)]
    dept: Option<String>,
    /// Where the amount comes from (文号 and clause).
    #[serde(default)]
    source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawShortage {
    occupation: String,
    #[serde(default)]
    #[allow(dead_code)]
    name: Option<String>,
    pct: u16,
    #[serde(deserialize_with = "de::date")]
    from: chrono::NaiveDate,
    #[serde(default, deserialize_with = "opt_date")]
    to: Option<chrono::NaiveDate>,
}

/// The catalogue as the files so far give it.
#[derive(Default)]
pub(super) struct CatalogueParts {
    entries: Vec<CatalogueEntry>,
    shortage: Vec<Shortage>,
    grades: BTreeMap<String, Grade>,
    note: String,
    example: bool,
}

impl CatalogueParts {
    /// A file's `[catalogue]` on top of the earlier files'.
    pub(super) fn add(
        &mut self,
        src: &Source<'_>,
        doc_no: &str,
        cat: RawCatalogue,
        refdata: &RefData,
    ) -> Result<(), PolicyError> {
        for (g, levels) in &cat.grades {
            self.grades.insert(g.clone(), read_grade(src, levels)?);
        }
        let mine = expand_entries(src, doc_no, &cat.entries, &self.grades, refdata)?;
        // A later file's entries replace the earlier file's for the same item.
        self.entries
            .retain(|old| !mine.iter().any(|e| same_key(old, e)));
        self.entries.extend(mine);
        if !cat.shortage.is_empty() {
            self.shortage = read_shortage(src, &cat.shortage, refdata)?;
        }
        if !cat.note.is_empty() {
            self.note = cat.note;
        }
        self.example |= cat.example;
        Ok(())
    }

    /// The checked catalogue, and the standard classes vouchers may name.
    pub(super) fn finish(self) -> Result<(Catalogue, BTreeMap<String, Grade>), PolicyError> {
        let catalogue = Catalogue::new(self.note, self.example, self.entries, self.shortage)
            .map_err(|c| PolicyError {
                file: c.file,
                line: Some(c.line),
                message: c.message,
            })?;
        Ok((catalogue, self.grades))
    }
}

fn same_key(a: &CatalogueEntry, b: &CatalogueEntry) -> bool {
    a.subsidy == b.subsidy && a.occupation == b.occupation && a.level == b.level && a.cert == b.cert
}

/// The certificate word of a catalogue entry that prices a training before
/// any certificate exists.
const UNCERTIFIED: &str = "未取证";

/// A standard class (分类标准): level (`None` for 无) → amount.
pub(crate) type Grade = Vec<(Option<SkillLevel>, Fen)>;

/// Checks a `[catalogue.grades]` class where it is written.
fn read_grade(src: &Source<'_>, levels: &SpannedTable) -> Result<Grade, PolicyError> {
    levels
        .iter()
        .map(|(level, v)| {
            let level = match level.get_ref().as_str() {
                "无" => None,
                l => Some(
                    SkillLevel::parse(l)
                        .map_err(|e| src.err(Some(level.span().start), e.message()))?,
                ),
            };
            let amount = yuan_value(v.get_ref()).map_err(|m| src.err(Some(v.span().start), m))?;
            Ok((level, amount))
        })
        .collect()
}

fn expand_entries(
    src: &Source<'_>,
    doc_no: &str,
    raw: &[Spanned<RawEntry>],
    grades: &BTreeMap<String, Grade>,
    refdata: &RefData,
) -> Result<Vec<CatalogueEntry>, PolicyError> {
    let mut out = Vec::new();
    for e in raw {
        let at = Some(e.span().start);
        let line = src.line(e.span().start);
        let r = e.get_ref();
        let err = |m: String| src.err(at, m);
        let occupation = match r.occupation.as_str() {
            "*" => None,
            code => {
                let o = OccupationCode::parse(code).map_err(|e| err(e.message().to_string()))?;
                if !refdata.occupations.is_empty() && !refdata.occupations.contains_key(o.as_str())
                {
                    return Err(err(format!("职业分类中没有「{o}」")));
                }
                Some(o)
            }
        };
        let uncertified = r.cert.as_deref() == Some(UNCERTIFIED);
        let cert = match r.cert.as_deref() {
            None | Some("*") | Some(UNCERTIFIED) => None,
            Some(c) => Some(CertificateType::parse(c).map_err(|e| {
                err(format!(
                    "{}（或写 \"{UNCERTIFIED}\"：取证前按培训班定价）",
                    e.message()
                ))
            })?),
        };
        let subsidy = r.subsidy.clone().unwrap_or_else(|| "职业培训补贴".into());
        if !refdata.vocab.is_empty()
            && !refdata.has_term(crate::refdata::vocab_kind::SUBSIDY_TYPE, &subsidy)
        {
            return Err(err(format!("未知的补贴类型「{subsidy}」")));
        }
        let mut amounts: Vec<(Option<SkillLevel>, Fen)> = Vec::new();
        match (&r.grade, &r.yuan) {
            (Some(_), None) if r.level.is_some() => {
                return Err(err(
                    "目录条目给出 grade（标准分类）时不能再给 level：分类的每个等级各成一条".into(),
                ));
            }
            (Some(g), None) => {
                let levels = grades.get(g).ok_or_else(|| {
                    err(format!("未定义的标准分类「{g}」（见 [catalogue.grades]）"))
                })?;
                amounts.extend(levels.iter().copied());
            }
            (None, Some(v)) => {
                let level = match r.level.as_deref() {
                    None | Some("无") => None,
                    Some(l) => {
                        Some(SkillLevel::parse(l).map_err(|e| err(e.message().to_string()))?)
                    }
                };
                amounts.push((level, yuan_value(v).map_err(&err)?));
            }
            _ => {
                return Err(err(
                    "目录条目应给出 grade（标准分类）或 yuan（金额）之一".into()
                ));
            }
        }
        if r.to.is_some_and(|to| to < r.from) {
            return Err(err("目录条目的截止日期早于起始日期".into()));
        }
        for (level, amount) in amounts {
            out.push(CatalogueEntry {
                subsidy: subsidy.clone(),
                occupation: occupation.clone(),
                level,
                cert,
                amount,
                from: r.from,
                to: r.to,
                dept: r.dept.clone().unwrap_or_else(|| doc_no.to_string()),
                uncertified,
                source: r.source.clone().unwrap_or_default(),
                file: src.name.to_string(),
                line,
            });
        }
    }
    Ok(out)
}

fn read_shortage(
    src: &Source<'_>,
    raw: &[Spanned<RawShortage>],
    refdata: &RefData,
) -> Result<Vec<Shortage>, PolicyError> {
    raw.iter()
        .map(|s| {
            let at = Some(s.span().start);
            let r = s.get_ref();
            let occupation =
                OccupationCode::parse(&r.occupation).map_err(|e| src.err(at, e.message()))?;
            if !refdata.occupations.is_empty()
                && !refdata.occupations.contains_key(occupation.as_str())
            {
                return Err(src.err(at, format!("职业分类中没有「{occupation}」")));
            }
            if r.pct > 100 {
                return Err(src.err(at, format!("上浮比例 {}% 超过 100%", r.pct)));
            }
            Ok(Shortage {
                occupation,
                pct: r.pct,
                from: r.from,
                to: r.to,
            })
        })
        .collect()
}
