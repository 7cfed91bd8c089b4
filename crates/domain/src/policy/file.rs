//! Reading policy files: TOML with `[policy]`, `[rules.Rn]` and
//! `[catalogue]`, a city's file building on its province's through
//! `extends`. Every refusal names the file and the line. The caller supplies
//! the files' text (the domain does no I/O).

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::catalogue_file::CatalogueParts;
pub(crate) use super::catalogue_file::{RawCatalogue, RawEntry, RawShortage};
use super::rules::{Active, CompileCx, RuleParams, Rules};
use super::vouchers::{RawVouchers, VoucherCx};
use super::{Cite, Policy, PolicyError, PolicyMeta, RuleId, de};
use crate::refdata::RefData;
use crate::{Fen, RegionCode};

/// The texts a policy was read from, by name, the main file first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySources {
    pub files: Vec<(String, String)>,
}

/// A TOML table with where each key and value was written.
pub(super) type SpannedTable = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDoc {
    policy: RawMeta,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<SpannedTable>>,
    #[serde(default)]
    catalogue: Option<RawCatalogue>,
    /// The skills credit bank's conversion table (`credits_file`).
    #[serde(default)]
    credits: Option<Spanned<super::credits_file::RawCredits>>,
    /// Training vouchers (职业培训券), `policy::vouchers`.
    #[serde(default)]
    vouchers: Option<RawVouchers>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    id: String,
    title: String,
    doc_no: String,
    #[serde(default)]
    issuer: String,
    region: Spanned<String>,
    #[serde(deserialize_with = "de::date")]
    valid_from: chrono::NaiveDate,
    #[serde(default, deserialize_with = "opt_date")]
    valid_to: Option<chrono::NaiveDate>,
    /// Read ahead by `peek_extends`.
    #[serde(default)]
    #[allow(dead_code)]
    extends: Option<String>,
    #[serde(default)]
    note: String,
}

pub(super) fn opt_date<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<chrono::NaiveDate>, D::Error> {
    de::date(d).map(Some)
}

/// One parameter with where it was written.
struct Param {
    value: toml::Value,
    file: String,
    line: usize,
}

struct MergedRule {
    file: String,
    line: usize,
    cite: Cite,
    clause_set: bool,
    enabled: bool,
    params: BTreeMap<String, Param>,
    /// Parameter → its own source (文号 and clause), from `sources`.
    sources: BTreeMap<String, String>,
}

/// A file's text with its name, for line numbers.
pub(super) struct Source<'a> {
    pub(super) name: &'a str,
    pub(super) text: &'a str,
}

impl Source<'_> {
    pub(super) fn line(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .matches('\n')
            .count()
            + 1
    }

    pub(super) fn err(&self, offset: Option<usize>, message: impl Into<String>) -> PolicyError {
        PolicyError {
            file: self.name.to_string(),
            line: offset.map(|o| self.line(o)),
            message: message.into(),
        }
    }
}

/// Reads `main` (and the files it extends through `read`), checks every
/// rule, number and catalogue entry, and compiles the policy.
pub fn load(
    main: &str,
    read: &mut dyn FnMut(&str) -> Result<String, String>,
    refdata: &RefData,
) -> Result<(Policy, PolicySources), PolicyError> {
    let chain = read_chain(main, read)?;
    // Parse from the outermost (province) to the main file.
    let mut merged = Merged::default();
    for (file, text) in chain.iter().rev() {
        merged.add(&Source { name: file, text }, refdata)?;
    }
    let main_src = Source {
        name: &chain[0].0,
        text: &chain[0].1,
    };
    let policy = merged.compile(&main_src, refdata)?;
    Ok((policy, PolicySources { files: chain }))
}

/// The files of the policy, the main file first, each followed by the one
/// it `extends` (at most 4 levels, no cycle).
fn read_chain(
    main: &str,
    read: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<Vec<(String, String)>, PolicyError> {
    let mut chain: Vec<(String, String)> = Vec::new();
    let mut name = main.to_string();
    loop {
        if chain.iter().any(|(n, _)| *n == name) || chain.len() > 4 {
            return Err(PolicyError {
                file: name,
                line: None,
                message: "extends 形成循环或层级过深（最多 4 层）".into(),
            });
        }
        let text = read(&name).map_err(|e| PolicyError {
            file: name.clone(),
            line: None,
            message: format!("无法读取：{e}"),
        })?;
        let extends = peek_extends(&name, &text)?;
        chain.push((name.clone(), text));
        match extends {
            Some(parent) => name = sibling(&name, &parent),
            None => return Ok(chain),
        }
    }
}

/// What the files of a chain say, merged file by file from the outermost:
/// a later file's rule parameters, catalogue items and tables override.
#[derive(Default)]
struct Merged<'c> {
    rules: BTreeMap<RuleId, MergedRule>,
    catalogue: CatalogueParts,
    credits: Option<crate::learning::credit_bank::CreditTable>,
    meta: Option<PolicyMeta>,
    /// The innermost file's [vouchers], with its file, text and document.
    vouchers: Option<(&'c str, &'c str, String, RawVouchers)>,
}

impl<'c> Merged<'c> {
    /// Reads one file of the chain on top of what the earlier ones said.
    fn add(&mut self, src: &Source<'c>, refdata: &RefData) -> Result<(), PolicyError> {
        let mut doc: RawDoc = toml::from_str(src.text).map_err(|e| toml_error(src, &e))?;
        if let Some(v) = doc.vouchers.take() {
            self.vouchers = Some((src.name, src.text, doc.policy.doc_no.clone(), v));
        }
        let region = RegionCode::parse(doc.policy.region.get_ref())
            .map_err(|e| src.err(Some(doc.policy.region.span().start), e.message()))?;
        if !refdata.regions.is_empty() && !refdata.regions.contains_key(region.as_str()) {
            return Err(src.err(
                Some(doc.policy.region.span().start),
                format!("行政区划「{region}」不存在"),
            ));
        }
        merge_rules(src, &doc, &mut self.rules)?;
        // A later file's table replaces the earlier file's whole.
        if let Some(raw) = &doc.credits {
            self.credits = Some(super::credits_file::read(src, raw)?);
        }
        if let Some(cat) = doc.catalogue {
            self.catalogue.add(src, &doc.policy.doc_no, cat, refdata)?;
        }
        let builds_on = self
            .meta
            .as_ref()
            .map(|m: &PolicyMeta| {
                let mut v = vec![m.doc_no.clone()];
                v.extend(m.builds_on.iter().cloned());
                v
            })
            .unwrap_or_default();
        let _ = doc.policy.note;
        self.meta = Some(PolicyMeta {
            id: doc.policy.id,
            title: doc.policy.title,
            doc_no: doc.policy.doc_no,
            issuer: doc.policy.issuer,
            region,
            valid_from: doc.policy.valid_from,
            valid_to: doc.policy.valid_to,
            builds_on,
        });
        Ok(())
    }

    /// The policy the merged files describe, every rule checked.
    fn compile(self, main: &Source<'_>, refdata: &RefData) -> Result<Policy, PolicyError> {
        let meta = self.meta.expect("at least one file");
        let (catalogue, grades) = self.catalogue.finish()?;
        let mut cx = CompileCx {
            refdata,
            categories: Vec::new(),
        };
        let compiled = compile_rules(&self.rules, &mut cx)?;
        let amount_rules = amount_rules(&compiled, &self.rules, main)?;
        check_routing(&compiled, &amount_rules, &self.rules)?;
        let vouchers = match &self.vouchers {
            Some((file, text, doc_no, raw)) => Some(super::vouchers::compile(
                &VoucherCx {
                    file,
                    text,
                    doc_no,
                    refdata,
                    rules: &compiled,
                    priced: &amount_rules,
                    grades: &grades,
                },
                raw,
            )?),
            None => None,
        };
        Ok(Policy {
            meta,
            rules: compiled,
            catalogue,
            categories: cx.categories,
            amount_rules,
            credits: self.credits,
            vouchers,
        })
    }
}

/// `extends` of a file, read before the full parse so the chain is known.
fn peek_extends(name: &str, text: &str) -> Result<Option<String>, PolicyError> {
    #[derive(Deserialize)]
    struct Peek {
        policy: Option<PeekMeta>,
    }
    #[derive(Deserialize)]
    struct PeekMeta {
        extends: Option<String>,
    }
    let src = Source { name, text };
    let peek: Peek = toml::from_str(text).map_err(|e| toml_error(&src, &e))?;
    match peek.policy {
        Some(p) => Ok(p.extends),
        None => Err(src.err(None, "缺少 [policy] 节（政策文件名、文号、地区、有效期）")),
    }
}

fn sibling(of: &str, name: &str) -> String {
    match of.rfind('/') {
        Some(i) if !name.starts_with('/') => format!("{}/{}", &of[..i], name),
        _ => name.to_string(),
    }
}

fn toml_error(src: &Source<'_>, e: &toml::de::Error) -> PolicyError {
    src.err(e.span().map(|s| s.start), translate(e.message()))
}

/// serde's English messages, in the words a bureau officer reads.
pub(crate) fn translate(msg: &str) -> String {
    let field = |prefix: &str| {
        msg.strip_prefix(prefix)
            .and_then(|r| r.split('`').next())
            .map(str::to_string)
    };
    if let Some(f) = field("missing field `") {
        return format!("缺少参数 {f}");
    }
    if let Some(f) = field("unknown field `") {
        return format!("未知参数 {f}");
    }
    if let Some(v) = field("unknown variant `") {
        let expected = msg.split("expected ").nth(1).unwrap_or("").replace('`', "");
        return format!("无法识别的取值「{v}」，应为 {expected}");
    }
    if msg.starts_with("invalid type") {
        return format!("参数类型不对（{msg}）");
    }
    msg.to_string()
}

fn merge_rules(
    src: &Source<'_>,
    doc: &RawDoc,
    rules: &mut BTreeMap<RuleId, MergedRule>,
) -> Result<(), PolicyError> {
    for (key, table) in &doc.rules {
        let Some(id) = RuleId::parse(key.get_ref()) else {
            return Err(src.err(
                Some(key.span().start),
                format!("未知规则「{}」：本引擎认识的规则为 R1–R17", key.get_ref()),
            ));
        };
        let line = src.line(table.span().start);
        let rule = rules.entry(id).or_insert_with(|| MergedRule {
            file: src.name.to_string(),
            line,
            cite: Cite {
                doc_no: doc.policy.doc_no.clone(),
                clause: String::new(),
            },
            clause_set: false,
            enabled: true,
            params: BTreeMap::new(),
            sources: BTreeMap::new(),
        });
        rule.file = src.name.to_string();
        rule.line = line;
        for (k, v) in table.get_ref() {
            let at = Some(k.span().start);
            match k.get_ref().as_str() {
                "clause" => match v.get_ref().as_str() {
                    Some(c) => {
                        rule.cite = Cite {
                            doc_no: doc.policy.doc_no.clone(),
                            clause: c.to_string(),
                        };
                        rule.clause_set = true;
                    }
                    None => return Err(src.err(at, "clause 应为文本，如 \"二十一\"")),
                },
                "enabled" => match v.get_ref().as_bool() {
                    Some(b) => rule.enabled = b,
                    None => return Err(src.err(at, "enabled 应为 true 或 false")),
                },
                "sources" => read_sources(src, v, table.get_ref(), &mut rule.sources)?,
                name => {
                    rule.params.insert(
                        name.to_string(),
                        Param {
                            value: v.get_ref().clone(),
                            file: src.name.to_string(),
                            line: src.line(k.span().start),
                        },
                    );
                }
            }
        }
    }
    Ok(())
}

/// `sources = { daily = "天水方案 九" }`: each key a parameter of the
/// rule's table, each value the text that says where it comes from.
fn read_sources(
    src: &Source<'_>,
    v: &Spanned<toml::Value>,
    table: &SpannedTable,
    out: &mut BTreeMap<String, String>,
) -> Result<(), PolicyError> {
    let at = Some(v.span().start);
    let Some(map) = v.get_ref().as_table() else {
        return Err(src.err(
            at,
            "sources 应为参数名到出处的表，如 { daily = \"天水方案 九\" }",
        ));
    };
    for (k, text) in map {
        let Some(text) = text.as_str() else {
            return Err(src.err(at, format!("sources 中「{k}」的出处应为文本（文号和条款）")));
        };
        let known = k == "clause" || table.keys().any(|key| key.get_ref() == k);
        if !known {
            return Err(src.err(at, format!("sources 中的「{k}」不是本规则的参数")));
        }
        out.insert(k.clone(), text.to_string());
    }
    Ok(())
}

fn compile_one<P: RuleParams>(
    id: RuleId,
    rule: &MergedRule,
    cx: &mut CompileCx<'_>,
) -> Result<Option<Active<P>>, PolicyError> {
    if !rule.enabled {
        return Ok(None);
    }
    let at = |key: Option<&str>| {
        let p = key.and_then(|k| rule.params.get(k));
        PolicyError {
            file: p.map_or(rule.file.clone(), |p| p.file.clone()),
            line: Some(p.map_or(rule.line, |p| p.line)),
            message: String::new(),
        }
    };
    if !rule.clause_set {
        let mut e = at(None);
        e.message = format!("{id} 缺少 clause（所依据的条款，如 \"二十一\"）");
        return Err(e);
    }
    let entries = rule
        .params
        .iter()
        .map(|(k, p)| (k.clone(), p.value.clone()))
        .collect();
    // The key being read when the parameters are refused names the line
    // (none for a missing parameter: the rule's own line).
    let mut params: P = de::params(entries).map_err(|(key, e)| {
        let mut err = at(key.as_deref());
        err.message = format!("{id}：{}", translate(e.message()));
        err
    })?;
    params.check(cx).map_err(|(key, msg)| {
        let mut err = at(Some(key));
        err.message = format!("{id}：{msg}");
        err
    })?;
    Ok(Some(Active {
        cite: rule.cite.clone(),
        params,
        sources: rule.sources.clone().into_iter().collect(),
    }))
}

fn compile_rules(
    rules: &BTreeMap<RuleId, MergedRule>,
    cx: &mut CompileCx<'_>,
) -> Result<Rules, PolicyError> {
    let mut out = Rules::default();
    macro_rules! set {
        ($($id:ident => $field:ident),+) => {$(
            if let Some(rule) = rules.get(&RuleId::$id) {
                out.$field = compile_one(RuleId::$id, rule, cx)?;
            }
        )+};
    }
    // R6 and R13 first: the others' category checks need their interned ids.
    set!(R6 => r6, R13 => r13, R1 => r1, R2 => r2, R3 => r3, R4 => r4, R5 => r5, R7 => r7,
        R8 => r8, R9 => r9, R10 => r10, R11 => r11, R12 => r12, R14 => r14, R15 => r15,
        R16 => r16, R17 => r17);
    Ok(out)
}

/// Subsidy type → the rule that prices it; two rules may not price one type.
fn amount_rules(
    r: &Rules,
    merged: &BTreeMap<RuleId, MergedRule>,
    main: &Source<'_>,
) -> Result<BTreeMap<String, RuleId>, PolicyError> {
    let pairs = [
        (RuleId::R1, r.r1.as_ref().map(|a| &a.params.subsidy_type)),
        (RuleId::R8, r.r8.as_ref().map(|a| &a.params.subsidy_type)),
        (RuleId::R9, r.r9.as_ref().map(|a| &a.params.subsidy_type)),
        (RuleId::R10, r.r10.as_ref().map(|a| &a.params.subsidy_type)),
        (RuleId::R11, r.r11.as_ref().map(|a| &a.params.subsidy_type)),
        (RuleId::R12, r.r12.as_ref().map(|a| &a.params.subsidy_type)),
        (RuleId::R14, r.r14.as_ref().map(|a| &a.params.subsidy_type)),
    ];
    let mut out = BTreeMap::new();
    for (id, t) in pairs {
        let Some(t) = t else { continue };
        if let Some(other) = out.insert(t.clone(), id) {
            let rule = &merged[&id];
            return Err(PolicyError {
                file: rule.file.clone(),
                line: Some(
                    rule.params
                        .get("subsidy_type")
                        .map_or(rule.line, |p| p.line),
                ),
                message: format!("{id} 与 {other} 计算同一补贴类型「{t}」"),
            });
        }
    }
    if out.is_empty() {
        return Err(main.err(None, "没有启用任何计算补贴金额的规则（R1、R8–R12、R14）"));
    }
    Ok(out)
}

/// With R16, every priced subsidy type must name the funds that pay it.
fn check_routing(
    r: &Rules,
    amount_rules: &BTreeMap<String, RuleId>,
    merged: &BTreeMap<RuleId, MergedRule>,
) -> Result<(), PolicyError> {
    let Some(r16) = &r.r16 else { return Ok(()) };
    for t in amount_rules.keys() {
        if !r16.params.routing.contains_key(t) {
            let rule = &merged[&RuleId::R16];
            return Err(PolicyError {
                file: rule.file.clone(),
                line: Some(rule.params.get("routing").map_or(rule.line, |p| p.line)),
                message: format!("R16：routing 未规定「{t}」由哪个资金来源支付"),
            });
        }
    }
    Ok(())
}

pub(super) fn yuan_value(v: &toml::Value) -> Result<Fen, String> {
    match v {
        toml::Value::Integer(i) if *i >= 0 => {
            i.checked_mul(100).map(Fen).ok_or_else(|| "金额过大".into())
        }
        toml::Value::Integer(i) => Err(format!("金额 {i} 不能为负数")),
        toml::Value::String(s) => Fen::parse_yuan(s).map_err(|e| e.message().to_string()),
        toml::Value::Float(f) => Err(format!(
            "金额 {f} 请写成整数元或带引号的字符串，如 \"{f:.2}\"（避免浮点数）"
        )),
        other => Err(format!(
            "金额应为整数元或带引号的金额，如 \"1500.00\"，不能是 {}",
            other.type_str()
        )),
    }
}
