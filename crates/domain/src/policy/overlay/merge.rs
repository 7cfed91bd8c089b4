//! Merging an overlay into its base's main file, as TOML values: tables
//! key by key down to a rule's parameters (a parameter's value is replaced
//! whole), grades level by level, catalogue entries by the item they
//! price, the shortage list whole. Every path set must exist in the base
//! or in the policy file's schema; a refusal names the path and its line.

use toml::de::{DeTable, DeValue};
use toml::{Table, Value};

use super::super::de::knows_field;
use super::super::file::{RawCatalogue, RawEntry, RawShortage};
use super::super::{PolicyError, RuleId, rules};
use super::parse_error;
use crate::{CertificateType, SkillLevel};

/// One step of a path: a key, or a place in an array.
#[derive(Debug, Clone)]
pub(super) enum Seg {
    Key(String),
    Index(usize),
}

fn path_text(path: &[Seg]) -> String {
    let mut out = String::new();
    for s in path {
        match s {
            Seg::Key(k) if out.is_empty() => out.push_str(k),
            Seg::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The overlay being merged: its text for line numbers, its parse with
/// spans, the paths set so far.
pub(super) struct Merge<'a> {
    pub name: &'a str,
    pub text: &'a str,
    pub spans: &'a DeTable<'a>,
    pub base_id: &'a str,
    pub changes: Vec<String>,
}

impl Merge<'_> {
    pub(super) fn err(&self, path: &[Seg], message: String) -> PolicyError {
        let line = offset(self.spans, path)
            .map(|o| self.text[..o.min(self.text.len())].matches('\n').count() + 1);
        PolicyError {
            file: self.name.to_string(),
            line,
            message,
        }
    }

    fn unknown(&self, path: &[Seg]) -> PolicyError {
        self.err(
            path,
            format!(
                "未知的参数路径「{}」：基础政策「{}」和政策文件格式中都没有这一项",
                path_text(path),
                self.base_id
            ),
        )
    }

    pub(super) fn table<'v>(&self, v: &'v Value, path: &[Seg]) -> Result<&'v Table, PolicyError> {
        v.as_table().ok_or_else(|| {
            self.err(
                path,
                format!("「{}」应为表（[{}]）", path_text(path), path_text(path)),
            )
        })
    }

    fn set(&mut self, path: &[Seg]) {
        self.changes.push(path_text(path));
    }
}

/// Where the last key of `path` is written in the overlay.
fn offset(root: &DeTable<'_>, path: &[Seg]) -> Option<usize> {
    let mut at = None;
    let mut cur: Option<&DeValue<'_>> = None;
    for seg in path {
        match seg {
            Seg::Key(k) => {
                let t = match cur {
                    None => root,
                    Some(DeValue::Table(t)) => t,
                    _ => return at,
                };
                let (key, v) = t.iter().find(|(key, _)| key.get_ref().as_ref() == k)?;
                at = Some(key.span().start);
                cur = Some(v.get_ref());
            }
            Seg::Index(i) => {
                let Some(DeValue::Array(a)) = cur else {
                    return at;
                };
                let v = a.get(*i)?;
                at = Some(v.span().start);
                cur = Some(v.get_ref());
            }
        }
    }
    at
}

/// Merges an overlay into the text of its base's main file: the merged
/// file's text and the paths the overlay set. Pure; nothing is compiled.
pub fn merge(
    name: &str,
    text: &str,
    base_id: &str,
    base_main: &str,
) -> Result<(String, Vec<String>), PolicyError> {
    let over: Table = toml::from_str(text).map_err(|e| parse_error(name, text, &e))?;
    let spans = DeTable::parse(text).map_err(|e| parse_error(name, text, &e))?;
    let mut base: Table = toml::from_str(base_main).map_err(|e| PolicyError {
        file: base_id.to_string(),
        line: None,
        message: format!("基础政策的文件无法读取：{}", e.message()),
    })?;
    let mut m = Merge {
        name,
        text,
        spans: spans.get_ref(),
        base_id,
        changes: Vec::new(),
    };
    for (k, v) in &over {
        let path = vec![Seg::Key(k.clone())];
        match k.as_str() {
            "overlay" => {}
            "rules" => {
                let slot = base
                    .entry("rules")
                    .or_insert_with(|| Value::Table(Table::new()));
                merge_rules(&mut m, slot, v)?;
            }
            "catalogue" => {
                let slot = base
                    .entry("catalogue")
                    .or_insert_with(|| Value::Table(Table::new()));
                merge_catalogue(&mut m, slot, v)?;
            }
            "policy" => {
                return Err(m.err(
                    &path,
                    "修改稿不能改 [policy]：政策的编号、地区和有效期以基础政策为准；要改它们请写完整的政策文件".into(),
                ));
            }
            _ => return Err(m.unknown(&path)),
        }
    }
    let merged = toml::to_string(&base).map_err(|e| PolicyError {
        file: name.to_string(),
        line: None,
        message: format!("合并后的政策无法写出：{e}"),
    })?;
    Ok((merged, m.changes))
}

fn merge_rules(m: &mut Merge<'_>, base: &mut Value, over: &Value) -> Result<(), PolicyError> {
    let root = [Seg::Key("rules".into())];
    let over = m.table(over, &root)?;
    let Some(base) = base.as_table_mut() else {
        return Err(m.err(&root, "基础政策的 rules 不是表".into()));
    };
    for (rule, params) in over {
        let path = [root[0].clone(), Seg::Key(rule.clone())];
        let Some(id) = RuleId::parse(rule) else {
            return Err(m.err(
                &path,
                format!(
                    "未知规则「{}」：本引擎认识的规则为 R1–R17",
                    path_text(&path)
                ),
            ));
        };
        let params = m.table(params, &path)?;
        let slot = base
            .entry(rule.clone())
            .or_insert_with(|| Value::Table(Table::new()));
        let Some(slot) = slot.as_table_mut() else {
            return Err(m.err(&path, format!("基础政策的 {} 不是表", path_text(&path))));
        };
        for (k, v) in params {
            let at = [path[0].clone(), path[1].clone(), Seg::Key(k.clone())];
            if !slot.contains_key(k) && !has_param(id, k) {
                return Err(m.unknown(&at));
            }
            // A parameter's value is replaced whole (a list, a table).
            slot.insert(k.clone(), v.clone());
            m.set(&at);
        }
    }
    Ok(())
}

fn merge_catalogue(m: &mut Merge<'_>, base: &mut Value, over: &Value) -> Result<(), PolicyError> {
    let root = Seg::Key("catalogue".into());
    let over = m.table(over, std::slice::from_ref(&root))?;
    let Some(base) = base.as_table_mut() else {
        return Err(m.err(&[root], "基础政策的 catalogue 不是表".into()));
    };
    for (k, v) in over {
        let path = [root.clone(), Seg::Key(k.clone())];
        match k.as_str() {
            "grades" => merge_grades(m, base, v, &path)?,
            "entries" => merge_entries(m, base, v, &path)?,
            "shortage" => {
                check_items(m, v, &path, knows_field::<RawShortage>)?;
                base.insert(k.clone(), v.clone());
                m.set(&path);
            }
            _ if base.contains_key(k) || knows_field::<RawCatalogue>(k) => {
                base.insert(k.clone(), v.clone());
                m.set(&path);
            }
            _ => return Err(m.unknown(&path)),
        }
    }
    Ok(())
}

/// Grades merge level by level: `B = { "五级" = 1000 }` changes B's 五级
/// and keeps its other levels; a new grade or level is added.
fn merge_grades(
    m: &mut Merge<'_>,
    base: &mut Table,
    over: &Value,
    path: &[Seg],
) -> Result<(), PolicyError> {
    let over = m.table(over, path)?;
    let grades = base
        .entry("grades")
        .or_insert_with(|| Value::Table(Table::new()));
    let Some(grades) = grades.as_table_mut() else {
        return Err(m.err(path, "基础政策的 catalogue.grades 不是表".into()));
    };
    for (g, levels) in over {
        let gp = [path[0].clone(), path[1].clone(), Seg::Key(g.clone())];
        let levels = m.table(levels, &gp)?;
        let slot = grades
            .entry(g.clone())
            .or_insert_with(|| Value::Table(Table::new()));
        let Some(slot) = slot.as_table_mut() else {
            return Err(m.err(&gp, format!("基础政策的 {} 不是表", path_text(&gp))));
        };
        for (level, amount) in levels {
            let at = [
                gp[0].clone(),
                gp[1].clone(),
                gp[2].clone(),
                Seg::Key(level.clone()),
            ];
            if level != "无" && SkillLevel::parse(level).is_err() && !slot.contains_key(level) {
                return Err(m.unknown(&at));
            }
            slot.insert(level.clone(), amount.clone());
            m.set(&at);
        }
    }
    Ok(())
}

/// Every item of an array of tables may only use the keys `known` allows.
fn check_items(
    m: &Merge<'_>,
    v: &Value,
    path: &[Seg],
    known: fn(&str) -> bool,
) -> Result<(), PolicyError> {
    let Some(items) = v.as_array() else {
        return Err(m.err(path, format!("「{}」应为列表", path_text(path))));
    };
    for (i, item) in items.iter().enumerate() {
        let mut at = path.to_vec();
        at.push(Seg::Index(i));
        let t = m.table(item, &at)?;
        if let Some(k) = t.keys().find(|k| !known(k)) {
            at.push(Seg::Key(k.clone()));
            return Err(m.unknown(&at));
        }
    }
    Ok(())
}

/// The item a catalogue entry prices: subsidy type, occupation, certificate
/// type and level, spelled canonically. Entries priced by a grade are one
/// item per subsidy type, occupation and certificate type.
fn entry_item(t: &Table) -> (String, String, String, String) {
    let s = |k: &str| t.get(k).and_then(Value::as_str);
    let cert = match s("cert") {
        None | Some("*") => "*".to_string(),
        Some(c) => CertificateType::parse(c).map_or(c.to_string(), |c| c.code().to_string()),
    };
    let level = if t.contains_key("grade") {
        "grade".to_string()
    } else {
        match s("level") {
            None | Some("无") => "无".to_string(),
            Some(l) => SkillLevel::parse(l).map_or(l.to_string(), |l| l.grade().to_string()),
        }
    };
    (
        s("subsidy").unwrap_or("职业培训补贴").to_string(),
        s("occupation").unwrap_or_default().to_string(),
        cert,
        level,
    )
}

/// An overlay entry replaces every base entry for the same item, in the
/// place of the first; an entry for a new item is appended.
fn merge_entries(
    m: &mut Merge<'_>,
    base: &mut Table,
    over: &Value,
    path: &[Seg],
) -> Result<(), PolicyError> {
    check_items(m, over, path, knows_field::<RawEntry>)?;
    let entries = base
        .entry("entries")
        .or_insert_with(|| Value::Array(Vec::new()));
    let Some(entries) = entries.as_array_mut() else {
        return Err(m.err(path, "基础政策的 catalogue.entries 不是列表".into()));
    };
    for (i, item) in over.as_array().into_iter().flatten().enumerate() {
        let key = item.as_table().map(entry_item);
        let first = entries
            .iter()
            .position(|e| e.as_table().map(entry_item) == key);
        entries.retain(|e| e.as_table().map(entry_item) != key);
        match first {
            Some(at) => entries.insert(at.min(entries.len()), item.clone()),
            None => entries.push(item.clone()),
        }
        let mut at = path.to_vec();
        at.push(Seg::Index(i));
        m.set(&at);
    }
    Ok(())
}

/// Whether `key` may be written in `[rules.<id>]`: `clause`, `enabled`,
/// `sources`, or one of the rule's parameters (drafts check the paths
/// they set with it).
fn has_param(id: RuleId, key: &str) -> bool {
    use rules::*;
    if matches!(key, "clause" | "enabled" | "sources") {
        return true;
    }
    match id {
        RuleId::R1 => knows_field::<r01_certificate::Params>(key),
        RuleId::R2 => knows_field::<r02_yearly_cap::Params>(key),
        RuleId::R3 => knows_field::<r03_no_repeat::Params>(key),
        RuleId::R4 => knows_field::<r04_local_institution::Params>(key),
        RuleId::R5 => knows_field::<r05_retirement::Params>(key),
        RuleId::R6 => knows_field::<r06_family::Params>(key),
        RuleId::R7 => knows_field::<r07_free_training::Params>(key),
        RuleId::R8 => knows_field::<r08_living_allowance::Params>(key),
        RuleId::R9 => knows_field::<r09_apprenticeship::Params>(key),
        RuleId::R10 => knows_field::<r10_work_training::Params>(key),
        RuleId::R11 => knows_field::<r11_project::Params>(key),
        RuleId::R12 => knows_field::<r12_skill_upgrade::Params>(key),
        RuleId::R13 => knows_field::<r13_veteran::Params>(key),
        RuleId::R14 => knows_field::<r14_startup::Params>(key),
        RuleId::R15 => knows_field::<r15_same_standard::Params>(key),
        RuleId::R16 => knows_field::<r16_dedicated_account::Params>(key),
        RuleId::R17 => knows_field::<r17_no_duplicate::Params>(key),
    }
}
