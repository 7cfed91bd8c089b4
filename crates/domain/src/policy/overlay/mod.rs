//! Drafts of a policy (政策草案) for a what-if run: a full policy file, or
//! an overlay — a small TOML naming its base policy (`[overlay] base = …`)
//! and only the parameters it changes, at the same paths as the policy
//! file. The overlay is merged into the base's main file as TOML values;
//! every path it sets must exist in the base or in the policy file's
//! schema; the merged file is then compiled by the same [`super::load`]
//! as any policy. How tables, grades and catalogue entries merge is
//! documented in docs/policy.md ("What-if").

mod merge;

pub use merge::merge;

use serde::Serialize;
use toml::de::DeTable;
use toml::{Table, Value};

use super::{Policy, PolicyError, PolicySources, file};
use crate::refdata::RefData;
use merge::{Merge, Seg};

/// `[overlay]`: the policy an overlay changes, and what the draft is.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct OverlayHead {
    /// The base policy's id (`[policy] id` of a loaded policy).
    pub base: String,
    pub title: String,
    pub note: String,
}

/// What a draft file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftKind {
    /// A whole policy file; its base is the loaded policy of the same id.
    Full {
        id: String,
    },
    Overlay(OverlayHead),
}

impl DraftKind {
    /// The id of the loaded policy the draft is compared with.
    pub fn base(&self) -> &str {
        match self {
            DraftKind::Full { id } => id,
            DraftKind::Overlay(h) => &h.base,
        }
    }
}

/// An overlay merged into its base and compiled.
#[derive(Debug, Clone)]
pub struct Applied {
    pub policy: Policy,
    pub sources: PolicySources,
    pub head: OverlayHead,
    /// The paths the overlay set, in file order (`rules.R2.max_per_year`).
    pub changes: Vec<String>,
}

fn parse_error(name: &str, text: &str, e: &toml::de::Error) -> PolicyError {
    PolicyError {
        file: name.to_string(),
        line: e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
        message: file::translate(e.message()),
    }
}

/// What a draft file is: a full policy (`[policy]`) or an overlay
/// (`[overlay]` with `base`). Refused naming the file and line otherwise.
pub fn kind(name: &str, text: &str) -> Result<DraftKind, PolicyError> {
    let doc: Table = toml::from_str(text).map_err(|e| parse_error(name, text, &e))?;
    let whole = |message: &str| PolicyError {
        file: name.to_string(),
        line: None,
        message: message.to_string(),
    };
    match (doc.get("overlay"), doc.get("policy")) {
        (Some(_), Some(_)) => Err(whole(
            "草案不能同时有 [overlay] 和 [policy]：完整的政策文件写 [policy]，修改稿写 [overlay] base = \"政策编号\"",
        )),
        (Some(head), None) => read_head(name, text, head).map(DraftKind::Overlay),
        (None, Some(p)) => Ok(DraftKind::Full {
            id: p
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| whole("[policy] 缺少 id（政策编号）"))?
                .to_string(),
        }),
        (None, None) => Err(whole(
            "草案应为完整的政策文件（含 [policy]），或以 [overlay] base = \"政策编号\" 开头、只写要修改的参数的修改稿",
        )),
    }
}

fn read_head(name: &str, text: &str, head: &Value) -> Result<OverlayHead, PolicyError> {
    let spans = DeTable::parse(text).map_err(|e| parse_error(name, text, &e))?;
    let m = Merge {
        name,
        text,
        spans: spans.get_ref(),
        base_id: "",
        changes: Vec::new(),
    };
    let path = [Seg::Key("overlay".into())];
    let t = m.table(head, &path)?;
    let mut out = OverlayHead::default();
    for (k, v) in t {
        let at = [Seg::Key("overlay".into()), Seg::Key(k.clone())];
        let slot = match k.as_str() {
            "base" => &mut out.base,
            "title" => &mut out.title,
            "note" => &mut out.note,
            _ => {
                return Err(m.err(
                    &at,
                    format!("[overlay] 中未知的项「{k}」：可写 base、title、note"),
                ));
            }
        };
        *slot = v
            .as_str()
            .ok_or_else(|| m.err(&at, format!("overlay.{k} 应为文本")))?
            .to_string();
    }
    if out.base.is_empty() {
        return Err(m.err(
            &path,
            "[overlay] 缺少 base：所修改的已载入政策的编号，如 \"liaocheng-2019\"".into(),
        ));
    }
    Ok(out)
}

/// Merges an overlay into its base policy's files and compiles the result
/// as `policy load` would. A refusal of the merged policy names the draft
/// and says it arose from the merge.
pub fn apply(
    name: &str,
    text: &str,
    base: &PolicySources,
    refdata: &RefData,
) -> Result<Applied, PolicyError> {
    let head = match kind(name, text)? {
        DraftKind::Overlay(h) => h,
        DraftKind::Full { .. } => {
            return Err(PolicyError {
                file: name.to_string(),
                line: None,
                message: "这是完整的政策文件，不是修改稿（[overlay]）".into(),
            });
        }
    };
    let Some((main, main_text)) = base.files.first() else {
        return Err(PolicyError {
            file: head.base.clone(),
            line: None,
            message: "基础政策没有文件".into(),
        });
    };
    let (merged, changes) = merge(name, text, &head.base, main_text)?;
    let mut read = |n: &str| {
        if n == main {
            return Ok(merged.clone());
        }
        base.files
            .iter()
            .find(|(f, _)| f == n)
            .map(|(_, t)| t.clone())
            .ok_or_else(|| format!("基础政策中没有文件「{n}」"))
    };
    let (policy, sources) = super::load(main, &mut read, refdata).map_err(|e| {
        if e.file == *main {
            PolicyError {
                file: name.to_string(),
                line: None,
                message: format!("与基础政策「{}」合并后：{}", head.base, e.message),
            }
        } else {
            e
        }
    })?;
    Ok(Applied {
        policy,
        sources,
        head,
        changes,
    })
}

/// The SHA-256 of a draft's text (hex), as the audit trail records it.
pub fn digest(text: &str) -> String {
    use sha2::Digest;
    crate::hex::encode(&sha2::Sha256::digest(text.as_bytes()))
}
