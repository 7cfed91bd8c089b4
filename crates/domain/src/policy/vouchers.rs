//! The `[vouchers]` table of a policy file (职业培训券, docs/spec/POLICY.md "Published
//! amounts": issued on the electronic social-security card; issue →
//! receive → verify → review; institutions claim at face value): who is
//! eligible, the kinds of voucher with the face value of each by
//! occupation and level, how long a voucher is valid, the fund source its
//! commitment is booked to, the subsidy type a redeemed voucher settles,
//! and the clause. Every refusal names the file, the line and the key, in
//! Chinese (docs/vouchers.md).
//!
//! ```toml
//! [vouchers]
//! clause = "二十一（职业培训券为示例）"
//! subsidy_type = "职业培训补贴"
//! fund = "ES"
//! valid_months = 6
//! eligible = ["登记失业人员", ["农村转移就业劳动者", "贫困劳动力"]]
//! kinds = [
//!   { code = "B5", name = "生活服务类初级券", occupations = ["4-10-01-06"], level = "五级", grade = "B" },
//!   { code = "ZX", name = "专项能力券", occupations = ["*"], level = "无", yuan = 600 },
//! ]
//! ```

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use super::Cite;
use super::facts::CategorySpan;
use super::rules::Rules;
use crate::ledger::FundCode;
use crate::refdata::{RefData, vocab_kind};
use crate::voucher::FaceRule;
use crate::{Fen, OccupationCode, SkillLevel};

/// The table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawVouchers {
    clause: Spanned<String>,
    subsidy_type: Spanned<String>,
    fund: Spanned<String>,
    valid_months: Spanned<i64>,
    eligible: Spanned<Vec<RawSet>>,
    kinds: Spanned<Vec<Spanned<RawKind>>>,
    /// The face values are examples (示例), not the document's.
    #[serde(default)]
    example: bool,
    #[serde(default)]
    note: String,
}

/// A category set as other rules write it: a name, or names held together.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawSet {
    One(String),
    All(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKind {
    code: String,
    name: String,
    occupations: Vec<String>,
    level: String,
    #[serde(default)]
    grade: Option<String>,
    #[serde(default)]
    yuan: Option<toml::Value>,
    /// Replaces the table's `eligible` for this kind.
    #[serde(default)]
    eligible: Option<Vec<RawSet>>,
    /// Where the face value comes from, for the reader of a trace.
    #[serde(default)]
    source: Option<String>,
}

/// A kind of voucher: the face-value rule and who receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherKind {
    pub rule: FaceRule,
    /// Category sets: a person holding every category of one set on the
    /// issue date receives this kind.
    pub eligible: Vec<Vec<String>>,
    /// 「目录 B 类 五级」 or 「本表」, with the file's `source` if given.
    pub basis: String,
}

/// A policy's vouchers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherRules {
    pub cite: Cite,
    pub subsidy_type: String,
    pub fund: FundCode,
    pub valid_months: u32,
    pub kinds: Vec<VoucherKind>,
    pub example: bool,
    pub note: String,
}

fn holds_set(set: &[String], categories: &[CategorySpan], on: NaiveDate) -> bool {
    set.iter().all(|c| {
        categories
            .iter()
            .any(|s| s.category == *c && s.holds_on(on))
    })
}

impl VoucherRules {
    /// The kinds a person holding `categories` receives on `on`.
    pub fn kinds_for(&self, categories: &[CategorySpan], on: NaiveDate) -> Vec<&VoucherKind> {
        self.kinds
            .iter()
            .filter(|k| k.eligible.iter().any(|s| holds_set(s, categories, on)))
            .collect()
    }

    pub fn kind(&self, code: &str) -> Option<&VoucherKind> {
        self.kinds.iter().find(|k| k.rule.kind_code == code)
    }
}

/// What the loader knows when it reads the table.
pub(crate) struct VoucherCx<'a> {
    pub file: &'a str,
    pub text: &'a str,
    pub doc_no: &'a str,
    pub refdata: &'a RefData,
    pub rules: &'a Rules,
    /// Subsidy type → the rule that prices it.
    pub priced: &'a BTreeMap<String, super::RuleId>,
    /// The catalogue's standard classes: grade → (level → amount).
    pub grades: &'a BTreeMap<String, Vec<(Option<SkillLevel>, Fen)>>,
}

impl VoucherCx<'_> {
    fn err(&self, offset: usize, key: &str, message: impl Into<String>) -> super::PolicyError {
        let line = self.text[..offset.min(self.text.len())]
            .matches('\n')
            .count()
            + 1;
        super::PolicyError {
            file: self.file.to_string(),
            line: Some(line),
            message: format!("[vouchers] {key}：{}", message.into()),
        }
    }

    fn sets(
        &self,
        raw: &[RawSet],
        at: usize,
        key: &str,
    ) -> Result<Vec<Vec<String>>, super::PolicyError> {
        let known = |t: &str| {
            self.refdata.terms(vocab_kind::PERSON_CATEGORY).is_empty()
                || self.refdata.has_term(vocab_kind::PERSON_CATEGORY, t)
        };
        let mut out = Vec::new();
        for s in raw {
            let set = match s {
                RawSet::One(c) => vec![c.clone()],
                RawSet::All(v) => v.clone(),
            };
            if set.is_empty() {
                return Err(self.err(at, key, "类别组合不能为空"));
            }
            if let Some(bad) = set.iter().find(|c| !known(c)) {
                return Err(self.err(
                    at,
                    key,
                    format!("未知的人员类别「{bad}」（见词表 person_category）"),
                ));
            }
            out.push(set);
        }
        if out.is_empty() {
            return Err(self.err(at, key, "至少列出一个可领券的人员类别"));
        }
        Ok(out)
    }
}

/// Checks the table and compiles it.
pub(crate) fn compile(
    cx: &VoucherCx<'_>,
    raw: &RawVouchers,
) -> Result<VoucherRules, super::PolicyError> {
    let clause = raw.clause.get_ref().trim();
    if clause.is_empty() {
        return Err(cx.err(
            raw.clause.span().start,
            "clause",
            "不能为空，应写明所依据的条款",
        ));
    }
    let subsidy_type = raw.subsidy_type.get_ref().trim().to_string();
    if !cx.priced.contains_key(&subsidy_type) {
        return Err(cx.err(
            raw.subsidy_type.span().start,
            "subsidy_type",
            format!("本政策没有计算「{subsidy_type}」金额的规则，培训券无从按面值结算"),
        ));
    }
    let fund = fund(cx, raw, &subsidy_type)?;
    let months = *raw.valid_months.get_ref();
    if !(1..=60).contains(&months) {
        return Err(cx.err(
            raw.valid_months.span().start,
            "valid_months",
            format!("有效期 {months} 个月不在 1 至 60 个月之间"),
        ));
    }
    let eligible = cx.sets(
        raw.eligible.get_ref(),
        raw.eligible.span().start,
        "eligible",
    )?;
    let mut kinds: Vec<VoucherKind> = Vec::new();
    for k in raw.kinds.get_ref() {
        let kind = compile_kind(cx, k, &eligible)?;
        let at = k.span().start;
        if kinds
            .iter()
            .any(|o| o.rule.kind_code == kind.rule.kind_code)
        {
            let code = &kind.rule.kind_code;
            return Err(cx.err(at, "kinds", format!("券种代码「{code}」重复")));
        }
        if let Some(o) = kinds.iter().find(|o| overlaps(&o.rule, &kind.rule)) {
            return Err(cx.err(
                at,
                "kinds",
                format!(
                    "券种「{}」与「{}」覆盖同一职业和等级：一个培训班只能对应一种券",
                    kind.rule.kind_code, o.rule.kind_code
                ),
            ));
        }
        kinds.push(kind);
    }
    if kinds.is_empty() {
        return Err(cx.err(
            raw.kinds.span().start,
            "kinds",
            "至少规定一种培训券（券种、职业、等级、面值）",
        ));
    }
    Ok(VoucherRules {
        cite: Cite {
            doc_no: cx.doc_no.to_string(),
            clause: clause.to_string(),
        },
        subsidy_type,
        fund,
        valid_months: months as u32,
        kinds,
        example: raw.example,
        note: raw.note.clone(),
    })
}

/// The fund must be one R16 pays the subsidy type from, when R16 applies.
fn fund(
    cx: &VoucherCx<'_>,
    raw: &RawVouchers,
    subsidy_type: &str,
) -> Result<FundCode, super::PolicyError> {
    let at = raw.fund.span().start;
    let fund = FundCode::parse(raw.fund.get_ref()).map_err(|e| cx.err(at, "fund", e.message()))?;
    if let Some(r16) = &cx.rules.r16 {
        let routed = r16.params.routing.get(subsidy_type);
        if !routed.is_some_and(|r| r.contains(&fund)) {
            return Err(cx.err(
                at,
                "fund",
                format!(
                    "资金来源「{fund}」不在 R16 为「{subsidy_type}」规定的资金来源（{}）中",
                    routed
                        .map(|r| r
                            .iter()
                            .map(FundCode::as_str)
                            .collect::<Vec<_>>()
                            .join("、"))
                        .unwrap_or_default()
                ),
            ));
        }
    }
    Ok(fund)
}

fn overlaps(a: &FaceRule, b: &FaceRule) -> bool {
    a.level == b.level
        && (a.occupations.is_empty()
            || b.occupations.is_empty()
            || a.occupations.iter().any(|o| b.occupations.contains(o)))
}

fn compile_kind(
    cx: &VoucherCx<'_>,
    k: &Spanned<RawKind>,
    eligible: &[Vec<String>],
) -> Result<VoucherKind, super::PolicyError> {
    let at = k.span().start;
    let r = k.get_ref();
    let err = |m: String| cx.err(at, "kinds", m);
    let code = r.code.trim();
    let ok_code = !code.is_empty()
        && code.len() <= 8
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if !ok_code {
        return Err(err(format!(
            "券种代码「{code}」无效：应为 1 至 8 位大写字母或数字"
        )));
    }
    if r.name.trim().is_empty() {
        return Err(err(format!("券种「{code}」缺少名称 name")));
    }
    let occupations =
        occupations(cx, &r.occupations).map_err(|m| err(format!("券种「{code}」{m}")))?;
    let level = match r.level.trim() {
        "无" => None,
        l => Some(
            SkillLevel::parse(l)
                .map_err(|e| err(format!("券种「{code}」level：{}", e.message())))?,
        ),
    };
    let (face, basis) = face(cx, r, level).map_err(|m| err(format!("券种「{code}」{m}")))?;
    let eligible = match &r.eligible {
        Some(sets) => cx.sets(sets, at, "kinds.eligible")?,
        None => eligible.to_vec(),
    };
    let basis = match &r.source {
        Some(s) if !s.trim().is_empty() => format!("{basis}；{}", s.trim()),
        _ => basis,
    };
    Ok(VoucherKind {
        rule: FaceRule {
            kind_code: code.to_string(),
            kind_name: r.name.trim().to_string(),
            occupations,
            level,
            face,
        },
        eligible,
        basis,
    })
}

/// `["*"]` for any occupation, else codes of the classification.
fn occupations(cx: &VoucherCx<'_>, raw: &[String]) -> Result<Vec<OccupationCode>, String> {
    if raw.iter().any(|o| o.trim() == "*") {
        if raw.len() > 1 {
            return Err("occupations：写 \"*\"（任意职业）时不能再列职业".into());
        }
        return Ok(Vec::new());
    }
    if raw.is_empty() {
        return Err("occupations：至少列出一个职业编码，或写 \"*\"".into());
    }
    let mut out = Vec::new();
    for o in raw {
        let code = OccupationCode::parse(o).map_err(|e| format!("occupations：{}", e.message()))?;
        let refs = &cx.refdata.occupations;
        if !refs.is_empty() && !refs.contains_key(code.as_str()) {
            return Err(format!("occupations：职业分类中没有「{code}」"));
        }
        if !out.contains(&code) {
            out.push(code);
        }
    }
    Ok(out)
}

/// The face value: `yuan` of its own, or the catalogue's `grade` at the
/// kind's level.
fn face(
    cx: &VoucherCx<'_>,
    r: &RawKind,
    level: Option<SkillLevel>,
) -> Result<(Fen, String), String> {
    let level_zh = level.map_or("无等级", SkillLevel::as_zh);
    let (amount, basis) = match (&r.grade, &r.yuan) {
        (Some(g), None) => {
            let levels = cx.grades.get(g).ok_or_else(|| {
                format!("grade：未定义的标准分类「{g}」（见 [catalogue.grades]）")
            })?;
            let amount = levels
                .iter()
                .find(|(l, _)| *l == level)
                .map(|(_, a)| *a)
                .ok_or_else(|| format!("grade：标准分类「{g}」没有 {level_zh} 的金额"))?;
            (amount, format!("补贴标准目录 {g} 类 {level_zh}"))
        }
        (None, Some(v)) => (
            super::file::yuan_value(v).map_err(|m| format!("yuan：{m}"))?,
            "本表面值".to_string(),
        ),
        _ => return Err("应给出 yuan（面值）或 grade（按补贴标准目录的分类）之一".into()),
    };
    if !amount.is_positive() {
        return Err("面值须大于零".into());
    }
    Ok((amount, basis))
}
