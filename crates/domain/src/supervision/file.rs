//! Reading a supervision file: TOML with `[supervision]` (the deployment's
//! document), `[checks.Sn]` (one table per enabled check: `clause`,
//! optional `doc_no`, `enabled`, `severity` and the check's thresholds) and
//! `[credit]` (the institution rating rules, see [`crate::credit`]). Unknown
//! keys are refused; every refusal names the file and the line, in Chinese.
//! The caller supplies the text (the domain does no I/O).

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use toml::Spanned;

use super::{Check, CheckId, CheckParams, Checks, Cite, Severity};
use crate::RegionCode;
use crate::credit::{CreditRules, RawCredit};
use crate::policy::de;
use crate::policy::file::translate;
use crate::refdata::RefData;

/// A supervision file refused: which file, which line, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SupervisionError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for SupervisionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(
                f,
                "监管规则文件「{}」第 {} 行：{}",
                self.file, line, self.message
            ),
            None => write!(f, "监管规则文件「{}」：{}", self.file, self.message),
        }
    }
}

/// The document a supervision file states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupervisionMeta {
    pub id: String,
    pub title: String,
    /// The document the checks cite unless a check names its own.
    pub doc_no: String,
    pub region: RegionCode,
}

/// A deployment's supervision rules, compiled.
#[derive(Debug, Clone)]
pub struct Supervision {
    pub meta: SupervisionMeta,
    pub checks: Checks,
    /// `None` when the file has no `[credit]` section (no rating here).
    pub credit: Option<CreditRules>,
}

type SpannedTable = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDoc {
    supervision: RawMeta,
    #[serde(default)]
    checks: BTreeMap<Spanned<String>, Spanned<SpannedTable>>,
    #[serde(default)]
    credit: Option<Spanned<RawCredit>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    id: String,
    title: String,
    doc_no: String,
    region: Spanned<String>,
    #[serde(default)]
    #[allow(dead_code)]
    note: String,
}

struct Src<'a> {
    name: &'a str,
    text: &'a str,
}

impl Src<'_> {
    fn err(&self, offset: Option<usize>, message: impl Into<String>) -> SupervisionError {
        SupervisionError {
            file: self.name.to_string(),
            line: offset.map(|o| self.text[..o.min(self.text.len())].matches('\n').count() + 1),
            message: message.into(),
        }
    }
}

/// Reads and checks the supervision file `name` with text `text`; region
/// codes and vocabulary terms against `refdata` when it holds any.
pub fn load(name: &str, text: &str, refdata: &RefData) -> Result<Supervision, SupervisionError> {
    let src = Src { name, text };
    let doc: RawDoc = toml::from_str(text)
        .map_err(|e| src.err(e.span().map(|s| s.start), translate(e.message())))?;
    let region = RegionCode::parse(doc.supervision.region.get_ref())
        .map_err(|e| src.err(Some(doc.supervision.region.span().start), e.message()))?;
    if !refdata.regions.is_empty() && !refdata.regions.contains_key(region.as_str()) {
        return Err(src.err(
            Some(doc.supervision.region.span().start),
            format!("行政区划「{region}」不存在"),
        ));
    }
    let meta = SupervisionMeta {
        id: doc.supervision.id,
        title: doc.supervision.title,
        doc_no: doc.supervision.doc_no,
        region,
    };
    let mut tables: BTreeMap<CheckId, &Spanned<SpannedTable>> = BTreeMap::new();
    for (key, table) in &doc.checks {
        let Some(id) = CheckId::parse(key.get_ref()) else {
            return Err(src.err(
                Some(key.span().start),
                format!("未知核查项「{}」：本系统的核查项为 S1–S10", key.get_ref()),
            ));
        };
        tables.insert(id, table);
    }
    let mut checks = Checks::default();
    macro_rules! set {
        ($($id:ident => $field:ident),+) => {$(
            if let Some(t) = tables.get(&CheckId::$id) {
                checks.$field = compile(&src, &meta, refdata, CheckId::$id, t)?;
            }
        )+};
    }
    set!(S1 => s1, S2 => s2, S3 => s3, S4 => s4, S5 => s5, S6 => s6, S7 => s7, S8 => s8,
        S9 => s9, S10 => s10);
    let credit = match doc.credit {
        Some(raw) => {
            let at = Some(raw.span().start);
            Some(
                CreditRules::from_raw(raw.into_inner(), &meta.doc_no)
                    .map_err(|m| src.err(at, m))?,
            )
        }
        None => None,
    };
    Ok(Supervision {
        meta,
        checks,
        credit,
    })
}

/// One `[checks.Sn]` table: the common keys, then the check's thresholds.
fn compile<P: CheckParams>(
    src: &Src<'_>,
    meta: &SupervisionMeta,
    refdata: &RefData,
    id: CheckId,
    table: &Spanned<SpannedTable>,
) -> Result<Option<Check<P>>, SupervisionError> {
    let table_at = Some(table.span().start);
    let (mut enabled, mut clause, mut doc_no, mut severity) = (true, None, None, None);
    let mut rest = Vec::new();
    let mut key_at: BTreeMap<String, usize> = BTreeMap::new();
    for (k, v) in table.get_ref() {
        let at = Some(k.span().start);
        let text = || {
            v.get_ref()
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| src.err(at, format!("{id}：{} 应为文本", k.get_ref())))
        };
        match k.get_ref().as_str() {
            "enabled" => {
                enabled = v
                    .get_ref()
                    .as_bool()
                    .ok_or_else(|| src.err(at, format!("{id}：enabled 应为 true 或 false")))?;
            }
            "clause" => clause = Some(text()?),
            "doc_no" => doc_no = Some(text()?),
            "severity" => {
                let s = text()?;
                severity = Some(Severity::parse(&s).ok_or_else(|| {
                    src.err(at, format!("{id}：severity「{s}」应为 高、中 或 低"))
                })?);
            }
            name => {
                key_at.insert(name.to_string(), k.span().start);
                rest.push((name.to_string(), v.get_ref().clone()));
            }
        }
    }
    if !enabled {
        return Ok(None);
    }
    let Some(clause) = clause else {
        return Err(src.err(
            table_at,
            format!("{id} 缺少 clause（所依据的条款，如 \"二十四\"）"),
        ));
    };
    let at = |key: Option<&str>| key.and_then(|k| key_at.get(k).copied()).or(table_at);
    let params: P = de::params(rest).map_err(|(key, e)| {
        src.err(
            at(key.as_deref()),
            format!("{id}：{}", translate(e.message())),
        )
    })?;
    params
        .check(refdata)
        .map_err(|(key, msg)| src.err(at(Some(key)), format!("{id}：{msg}")))?;
    Ok(Some(Check {
        id,
        cite: Cite {
            doc_no: doc_no.unwrap_or_else(|| meta.doc_no.clone()),
            clause,
        },
        severity: severity.unwrap_or(P::DEFAULT_SEVERITY),
        params,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "[supervision]\nid = \"t\"\ntitle = \"测试\"\ndoc_no = \"测政发〔2019〕1号\"\nregion = \"371500\"\n";

    fn load_with(body: &str) -> Result<Supervision, SupervisionError> {
        load(
            "t.supervision.toml",
            &format!("{HEAD}{body}"),
            &RefData::default(),
        )
    }

    #[test]
    fn a_check_takes_defaults_and_the_file_document() {
        let s = load_with("[checks.S2]\nclause = \"二十四\"\n").unwrap();
        let s2 = s.checks.s2.as_ref().unwrap();
        assert_eq!(s2.params.daily_max_hours, 8);
        assert_eq!(s2.cite.to_string(), "测政发〔2019〕1号 二十四");
        assert_eq!(s.checks.enabled(), vec![CheckId::S2]);
    }

    #[test]
    fn unknown_keys_and_checks_are_refused_with_their_line() {
        let e = load_with("[checks.S2]\nclause = \"二十四\"\ndaily_max = 9\n").unwrap_err();
        assert_eq!(e.line, Some(8), "{e}");
        assert!(e.message.contains("未知参数 daily_max"), "{e}");
        let e = load_with("[checks.S11]\nclause = \"x\"\n").unwrap_err();
        assert_eq!(e.line, Some(6));
        assert!(e.to_string().contains("S1–S10"), "{e}");
        let e = load_with("[checks.S2]\ndaily_max_hours = 8\n").unwrap_err();
        assert!(e.message.contains("缺少 clause"), "{e}");
        let e = load_with("[checks.S2]\nclause = \"x\"\nseverity = \"严重\"\n").unwrap_err();
        assert!(e.message.contains("高、中 或 低"), "{e}");
        let e = load_with("[checks.S2]\nclause = \"x\"\ndaily_max_hours = 0\n").unwrap_err();
        assert_eq!(e.line, Some(8), "{e}");
        let e = load("x.toml", "[supervision]\nid = 1\n", &RefData::default()).unwrap_err();
        assert!(
            e.to_string().starts_with("监管规则文件「x.toml」第 2 行"),
            "{e}"
        );
    }

    #[test]
    fn a_disabled_check_is_off() {
        let s = load_with("[checks.S7]\nenabled = false\n").unwrap();
        assert!(s.checks.s7.is_none());
    }

    #[test]
    fn the_shipped_files_load() {
        for (name, text) in [
            (
                "liaocheng-2019.supervision.toml",
                include_str!("../../../../policies/liaocheng-2019.supervision.toml"),
            ),
            (
                "tianshui-2019.supervision.toml",
                include_str!("../../../../policies/tianshui-2019.supervision.toml"),
            ),
            (
                "rudong-2019.supervision.toml",
                include_str!("../../../../policies/rudong-2019.supervision.toml"),
            ),
        ] {
            let s = load(name, text, &RefData::default()).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(s.checks.enabled().len(), 10, "{name}");
            assert!(s.credit.is_some(), "{name}");
        }
    }
}
