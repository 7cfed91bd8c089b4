//! A row's before and after as a reader wants them: one line per field,
//! `状态：待核准 → 已核准`, amounts in 元, funds by name, statuses in
//! Chinese; never JSON.

use super::words;
use crate::views::yuan;
use jineng_domain::ClaimStatus;
use jineng_domain::ledger::Posting;
use jineng_domain::supervision::case::CaseStatus;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// How many items of a long list (a batch's claims) are shown.
const LIST_SHOWN: usize = 5;

/// Fund names by code, for `fund` fields and postings.
pub type Funds = HashMap<String, String>;

/// A class's statuses.
const CLASS_STATUS: &[(&str, &str)] = &[
    ("pending", "待审核"),
    ("approved", "已备案"),
    ("returned", "已退回"),
    ("closing", "结业待审"),
    ("closed", "已结业"),
];

/// What a row's values are read against.
pub struct Ctx<'a> {
    pub funds: &'a Funds,
    /// The row's entity (a class's `approved` is not a claim's).
    pub entity: &'a str,
}

fn status(code: &str, entity: &str) -> String {
    if matches!(entity, "class" | "enrolment")
        && let Some((_, zh)) = CLASS_STATUS.iter().find(|(c, _)| *c == code)
    {
        return (*zh).to_string();
    }
    if let Some(s) = ClaimStatus::from_code(code) {
        return s.as_zh().to_string();
    }
    if let Some(s) = CaseStatus::from_code(code) {
        return s.as_zh().to_string();
    }
    code.to_string()
}

fn fund(code: &str, funds: &Funds) -> String {
    funds
        .get(code)
        .map_or_else(|| code.to_string(), |name| format!("{name}（{code}）"))
}

/// One value under `key`, in words.
fn value(key: &str, v: &Value, c: &Ctx<'_>) -> String {
    match v {
        Value::Null => "（空）".into(),
        Value::Bool(b) => if *b { "是" } else { "否" }.into(),
        Value::Number(n) if key.ends_with("_fen") || key == "amount" => {
            n.as_i64().map_or_else(|| n.to_string(), yuan)
        }
        Value::Number(n) => n.to_string(),
        Value::String(s) if key == "status" => status(s, c.entity),
        Value::String(s) if key == "fund" || key == "fund_code" => fund(s, c.funds),
        Value::String(s) if words::coded(key, s).is_some() => {
            words::coded(key, s).unwrap_or_default().to_string()
        }
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let mut shown: Vec<String> = items
                .iter()
                .take(LIST_SHOWN)
                .map(|i| match i {
                    // A batch's [claim_no, status] pairs.
                    Value::Array(pair) => pair
                        .iter()
                        .enumerate()
                        .map(|(n, p)| value(if n == 1 { "status" } else { "" }, p, c))
                        .collect::<Vec<_>>()
                        .join(" "),
                    other => value(key, other, c),
                })
                .collect();
            if items.len() > LIST_SHOWN {
                shown.push(format!("等共 {} 项", items.len()));
            }
            shown.join("、")
        }
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{}：{}", words::field(k), value(k, v, c)))
            .collect::<Vec<_>>()
            .join("；"),
    }
}

/// A ledger posting in words: its kind, fund, claim, and each entry.
fn posting(p: &Posting, funds: &Funds) -> Vec<String> {
    let mut out = vec![
        format!("类型：{}", p.kind.as_zh()),
        format!("资金来源：{}", fund(p.fund.as_str(), funds)),
    ];
    if let Some(c) = &p.claim_no {
        out.push(format!("申领编号：{c}"));
    }
    for e in &p.entries {
        let (side, amount) = if e.debit.0 != 0 {
            ("借", e.debit)
        } else {
            ("贷", e.credit)
        };
        out.push(format!("{}：{side} {}", e.account.as_zh(), yuan(amount.0)));
    }
    if !p.memo.is_empty() {
        out.push(format!("摘要：{}", p.memo));
    }
    out
}

fn parse(text: Option<&str>) -> Option<Value> {
    text.map(|t| serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.to_string())))
}

/// The change as lines: `字段：旧值 → 新值`, or the value alone when only
/// one side has it.
pub fn lines(before: Option<&str>, after: Option<&str>, c: &Ctx<'_>) -> Vec<String> {
    if before.is_none()
        && let Some(p) = after.and_then(|a| serde_json::from_str::<Posting>(a).ok())
    {
        return posting(&p, c.funds);
    }
    let (b, a) = (parse(before), parse(after));
    let as_map = |v: &Option<Value>| match v {
        Some(Value::Object(m)) => Some(m.clone()),
        None => Some(Map::new()),
        _ => None,
    };
    let (Some(bm), Some(am)) = (as_map(&b), as_map(&a)) else {
        // Not two objects: the whole values.
        let show = |v: &Option<Value>| v.as_ref().map(|v| value("", v, c));
        return match (show(&b), show(&a)) {
            (Some(x), Some(y)) => vec![format!("{x} → {y}")],
            (Some(x), None) => vec![format!("{x} → （删除）")],
            (None, Some(y)) => vec![y],
            (None, None) => vec![],
        };
    };
    let mut keys: Vec<&String> = bm.keys().collect();
    keys.extend(am.keys().filter(|k| !bm.contains_key(*k)));
    keys.into_iter()
        .filter_map(|k| {
            let name = words::field(k);
            match (bm.get(k), am.get(k)) {
                (Some(x), Some(y)) if x == y => None,
                (Some(x), Some(y)) => {
                    Some(format!("{name}：{} → {}", value(k, x, c), value(k, y, c)))
                }
                (Some(x), None) if a.is_some() => {
                    Some(format!("{name}：{} → （删除）", value(k, x, c)))
                }
                (Some(x), None) => Some(format!("{name}：{}", value(k, x, c))),
                (None, Some(Value::Null)) => None,
                (None, Some(y)) => Some(format!("{name}：{}", value(k, y, c))),
                (None, None) => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_reads_as_old_to_new_in_yuan_and_chinese() {
        let funds = Funds::from([("ES".to_string(), "就业补助资金".to_string())]);
        let c = Ctx {
            funds: &funds,
            entity: "claim",
        };
        let l = lines(
            Some(r#"{"status":"eligible"}"#),
            Some(r#"{"status":"approved","amount_fen":174070000,"note":null}"#),
            &c,
        );
        assert_eq!(l[0], "状态：待核准 → 已核准");
        assert_eq!(l[1], "金额：1,740,700.00 元");
        assert_eq!(l.len(), 2, "{l:?}");
        let f = lines(None, Some(r#"{"fund":"ES"}"#), &c);
        assert_eq!(f, ["资金来源：就业补助资金（ES）"]);
        assert!(!l.concat().contains('{'));
    }
}
