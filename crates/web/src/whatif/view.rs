//! The result page's content as text ready for the template: the totals,
//! flips, budget and targets, the six breakdowns (each sortable, with its
//! chart) and one page of the changed claims.

use super::runs::Run;
use crate::list::Pager;
use crate::views::{Nav, yuan};
use askama::Template;
use jineng_domain::policy::whatif::{Figures, Report};
use jineng_report::whatif_chart::{Pair, pairs};
use jineng_store::WhatIfPerson;
use std::collections::HashMap;

/// Rows a chart shows: the first of the table's current order.
pub const CHART_ROWS: usize = 20;

/// The breakdowns: (id, title, what the rows are).
pub const BREAKDOWNS: [(&str, &str, &str); 6] = [
    ("region", "分地区", "地区（支付地区）"),
    ("type", "分补贴类型", "补贴类型"),
    ("occupation", "分职业和等级", "职业（工种）和等级"),
    ("category", "分人员类别", "人员类别"),
    ("institution", "分培训机构", "培训机构"),
    ("fund", "分资金来源", "资金来源"),
];

/// The columns a breakdown sorts by.
pub const SORTS: [(&str, &str); 6] = [
    ("key", ""),
    ("claims", "申领件数"),
    ("changed", "结果变化"),
    ("base", "现行政策金额"),
    ("draft", "草案金额"),
    ("diff", "差额"),
];

/// A row's figures as text; `key` names the row for tests and links.
pub struct Line {
    pub key: String,
    pub code: String,
    pub name: String,
    pub claims: u64,
    pub changed: u64,
    pub base: String,
    pub draft: String,
    pub diff: String,
    pub up: bool,
    pub down: bool,
    fig: Figures,
}

fn signed(fen: i64) -> String {
    if fen > 0 {
        format!("+{}", yuan(fen))
    } else {
        yuan(fen)
    }
}

fn line(key: String, code: &str, name: &str, f: &Figures) -> Line {
    let d = f.draft_fen - f.base_fen;
    Line {
        key,
        code: code.to_string(),
        name: name.to_string(),
        claims: f.claims,
        changed: f.changed,
        base: yuan(f.base_fen),
        draft: yuan(f.draft_fen),
        diff: signed(d),
        up: d > 0,
        down: d < 0,
        fig: *f,
    }
}

/// A sortable column header.
pub struct Th {
    pub label: String,
    pub href: String,
    pub mark: &'static str,
    pub aria: &'static str,
}

pub struct Breakdown {
    pub id: &'static str,
    pub title: &'static str,
    pub heads: Vec<Th>,
    pub lines: Vec<Line>,
    pub svg: String,
}

/// The rows of breakdown `id`, in the report's order.
fn lines_of(r: &Report, id: &str) -> Vec<Line> {
    match id {
        "region" => r
            .by_region
            .iter()
            .map(|x| line(x.region.clone(), &x.region, &x.name, &x.figures))
            .collect(),
        "type" => r
            .by_subsidy_type
            .iter()
            .map(|x| line(x.subsidy_type.clone(), "", &x.subsidy_type, &x.figures))
            .collect(),
        "occupation" => r
            .by_occupation
            .iter()
            .map(|x| {
                let name = format!("{} {}", x.name, x.level);
                line(
                    format!("{}|{}", x.occupation, x.level),
                    &x.occupation,
                    &name,
                    &x.figures,
                )
            })
            .collect(),
        "category" => r
            .by_category
            .iter()
            .map(|x| {
                let name = x.label();
                line(x.category.clone(), "", name, &x.figures)
            })
            .collect(),
        "institution" => r
            .by_institution
            .iter()
            .map(|x| line(x.institution.clone(), &x.institution, &x.name, &x.figures))
            .collect(),
        _ => r
            .by_fund
            .iter()
            .map(|x| line(x.fund.clone(), &x.fund, &x.name, &x.figures))
            .collect(),
    }
}

/// How the page is ordered: which breakdown, by which column, and the
/// page of the changed claims.
#[derive(Debug, Clone, Default)]
pub struct Order {
    pub by: String,
    pub sort: String,
    pub descending: bool,
    pub page: i64,
}

impl Order {
    fn href(&self, path: &str, id: &str, code: &str) -> String {
        let current = self.by == id && self.sort == code;
        let dir = if current && !self.descending {
            "desc"
        } else {
            "asc"
        };
        format!(
            "{path}?by={id}&sort={code}&dir={dir}&page={}#by-{id}",
            self.page
        )
    }
}

fn breakdown(
    r: &Report,
    path: &str,
    o: &Order,
    (id, title, what): (&'static str, &'static str, &'static str),
) -> Breakdown {
    let mut lines = lines_of(r, id);
    let mine = o.by == id;
    if mine {
        let d = |l: &Line| l.fig.draft_fen - l.fig.base_fen;
        // Stable: rows of one value keep the report's order.
        match o.sort.as_str() {
            "claims" => lines.sort_by_key(|l| l.fig.claims),
            "changed" => lines.sort_by_key(|l| l.fig.changed),
            "base" => lines.sort_by_key(|l| l.fig.base_fen),
            "draft" => lines.sort_by_key(|l| l.fig.draft_fen),
            "diff" => lines.sort_by_key(d),
            _ => {}
        }
        if o.descending {
            lines.reverse();
        }
    }
    let heads = SORTS
        .iter()
        .map(|(code, label)| {
            let current = mine && o.sort == *code;
            Th {
                label: if label.is_empty() {
                    what.to_string()
                } else {
                    label.to_string()
                },
                href: o.href(path, id, code),
                mark: match (current, o.descending) {
                    (false, _) => "",
                    (true, true) => " ▼",
                    (true, false) => " ▲",
                },
                aria: match (current, o.descending) {
                    (false, _) => "none",
                    (true, true) => "descending",
                    (true, false) => "ascending",
                },
            }
        })
        .collect();
    let chart: Vec<Pair> = lines
        .iter()
        .map(|l| Pair {
            label: if l.code.is_empty() || l.name.is_empty() {
                format!("{}{}", l.code, l.name)
            } else {
                l.name.clone()
            },
            base_fen: l.fig.base_fen,
            draft_fen: l.fig.draft_fen,
        })
        .collect();
    Breakdown {
        id,
        title,
        heads,
        svg: pairs(&format!("{title}：现行政策与草案金额"), &chart, CHART_ROWS),
        lines,
    }
}

/// A changed claim as the list shows it.
pub struct ClaimLine {
    pub claim_no: String,
    pub name: String,
    pub id_masked: String,
    pub subsidy_type: String,
    pub base_outcome: &'static str,
    pub base: String,
    pub draft_outcome: &'static str,
    pub draft: String,
    pub diff: String,
    pub rules: String,
}

pub struct FundLine {
    pub code: String,
    pub name: String,
    pub allocated: String,
    pub balance: String,
    pub base: String,
    pub draft: String,
    pub extra: String,
    pub after: String,
    pub pct: String,
}

pub struct TargetLine {
    pub name: String,
    pub region: String,
    pub years: String,
    pub target: String,
    pub gained: String,
    pub lost: String,
    pub net: String,
    pub pct: String,
}

#[derive(Template)]
#[template(path = "whatif.html")]
pub struct ResultPage {
    pub nav: Option<Nav>,
    pub run: std::sync::Arc<Run>,
    pub download: String,
    pub claims: u64,
    pub changed: u64,
    pub base: String,
    pub draft: String,
    pub diff: String,
    pub flips: [(&'static str, u64); 4],
    pub funds: Vec<FundLine>,
    pub targets: Vec<TargetLine>,
    pub breakdowns: Vec<Breakdown>,
    pub lines: Vec<ClaimLine>,
    pub pager: Pager,
}

impl ResultPage {
    pub fn new(
        nav: Nav,
        run: std::sync::Arc<Run>,
        o: &Order,
        pager: Pager,
        persons: &HashMap<String, WhatIfPerson>,
    ) -> ResultPage {
        let r = &run.report;
        let path = format!("/policy/whatif/{}", run.id);
        let f = &r.flips;
        let lines = run
            .changed
            .iter()
            .skip(pager.offset as usize)
            .take(pager.per as usize)
            .map(|c| {
                let p = persons.get(&c.claim_no);
                ClaimLine {
                    claim_no: c.claim_no.clone(),
                    name: p.map(|p| p.name.clone()).unwrap_or_default(),
                    id_masked: p.map(|p| p.id_masked.clone()).unwrap_or_default(),
                    subsidy_type: p.map(|p| p.subsidy_type.clone()).unwrap_or_default(),
                    base_outcome: c.base.outcome.as_zh(),
                    base: yuan(c.base.amount_fen),
                    draft_outcome: c.draft.outcome.as_zh(),
                    draft: yuan(c.draft.amount_fen),
                    diff: signed(c.draft.amount_fen - c.base.amount_fen),
                    rules: jineng_report::whatif::rules_zh(c),
                }
            })
            .collect();
        let pct = |p: Option<f64>| p.map_or("—".into(), |p| format!("{p:.2}%"));
        ResultPage {
            nav: Some(nav),
            download: format!("{path}/report.xlsx"),
            claims: r.claims,
            changed: r.changed,
            base: yuan(r.base_fen),
            draft: yuan(r.draft_fen),
            diff: signed(r.draft_fen - r.base_fen),
            flips: [
                ("核准→不予核准", f.approved_to_rejected),
                ("不予核准→核准", f.rejected_to_approved),
                ("金额增加", f.amount_up),
                ("金额减少", f.amount_down),
            ],
            funds: r
                .budget
                .funds
                .iter()
                .map(|b| FundLine {
                    code: b.fund.clone(),
                    name: b.name.clone(),
                    allocated: yuan(b.allocated_fen),
                    balance: yuan(b.balance_fen),
                    base: yuan(b.base_fen),
                    draft: yuan(b.draft_fen),
                    extra: signed(b.extra_fen),
                    after: yuan(b.balance_after_fen),
                    pct: pct(b.extra_pct_of_allocated),
                })
                .collect(),
            targets: r
                .budget
                .targets
                .iter()
                .map(|t| {
                    let v = |n: i64| jineng_domain::planning::format_value(n, t.decimals);
                    TargetLine {
                        name: t.name.clone(),
                        region: t.region.clone(),
                        years: if t.year_from == t.year_to {
                            format!("{}年", t.year_from)
                        } else {
                            format!("{}—{}年", t.year_from, t.year_to)
                        },
                        target: format!("{} {}", v(t.target), t.unit),
                        gained: v(t.gained),
                        lost: v(t.lost),
                        net: v(t.net),
                        pct: t
                            .net_pct_of_target
                            .map_or("—".into(), |p| format!("{p:.4}%")),
                    }
                })
                .collect(),
            breakdowns: BREAKDOWNS
                .into_iter()
                .map(|b| breakdown(r, &path, o, b))
                .collect(),
            lines,
            pager,
            run,
        }
    }
}
