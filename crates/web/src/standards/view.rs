//! The standards page's rows as text ready for the template, and the
//! columns it sorts by.

use crate::list::Sorter;
use crate::views::{Nav, yuan};
use askama::Template;
use jineng_domain::standards::{Evaluation, Rejection, Row};
use jineng_report::standards::published_text;

/// The columns the page sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// The report's order: subsidy type, occupation, level, certificate.
    Type,
    Claims,
    Approved,
    Rejected,
    ApprovedFen,
    PaidFen,
    Average,
    Share,
    Standard,
    Difference,
}

impl Sort {
    pub const ALL: [Sort; 10] = [
        Sort::Type,
        Sort::Claims,
        Sort::Approved,
        Sort::Rejected,
        Sort::ApprovedFen,
        Sort::PaidFen,
        Sort::Average,
        Sort::Share,
        Sort::Standard,
        Sort::Difference,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Sort::Type => "type",
            Sort::Claims => "claims",
            Sort::Approved => "approved",
            Sort::Rejected => "rejected",
            Sort::ApprovedFen => "approved_fen",
            Sort::PaidFen => "paid_fen",
            Sort::Average => "avg",
            Sort::Share => "share",
            Sort::Standard => "standard",
            Sort::Difference => "difference",
        }
    }

    pub fn parse(s: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|c| c.code() == s)
    }

    /// The value a row sorts by (none sorts first); `Type` keeps the order.
    fn value(self, r: &Row) -> Option<i64> {
        let c = &r.counts;
        match self {
            Sort::Type => Some(0),
            Sort::Claims => Some(c.claims),
            Sort::Approved => Some(c.approved),
            Sort::Rejected => Some(c.rejected),
            Sort::ApprovedFen => Some(c.approved_fen),
            Sort::PaidFen => Some(c.paid_fen),
            Sort::Average => r.avg_fen_per_certificate,
            Sort::Share => Some(r.fund_share_bp),
            Sort::Standard => r.standard_fen,
            Sort::Difference => r.difference_fen,
        }
    }
}

/// A refusal reason as the page shows it.
pub struct Reason {
    pub rule: String,
    pub title: String,
    pub clause: String,
    pub count: i64,
}

impl From<&Rejection> for Reason {
    fn from(r: &Rejection) -> Reason {
        Reason {
            rule: if r.rule.starts_with('R') {
                r.rule.clone()
            } else {
                String::new()
            },
            title: r.title.clone(),
            clause: r.clause.clone(),
            count: r.count,
        }
    }
}

/// One row, as text.
pub struct Line {
    pub subsidy: String,
    pub occupation: String,
    pub occupation_name: String,
    pub level: String,
    pub cert: String,
    pub claims: i64,
    pub approved: i64,
    pub rejected: i64,
    pub review: i64,
    pub approved_yuan: String,
    pub paid_yuan: String,
    pub certificates: i64,
    pub average: String,
    pub share: String,
    pub standard: String,
    pub unit: String,
    pub uplift: String,
    pub published: String,
    pub source: String,
    pub difference: String,
    /// Above (+) or below (−) the published amount.
    pub above: bool,
    pub below: bool,
    pub reasons: Vec<Reason>,
}

/// 12.34% of basis points.
pub fn percent(bp: i64) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

fn money(fen: Option<i64>) -> String {
    fen.map_or("—".into(), yuan)
}

fn line(r: &Row) -> Line {
    let c = &r.counts;
    let difference = r.difference_fen.map_or("—".into(), |d| {
        if d > 0 {
            format!("+{}", yuan(d))
        } else {
            yuan(d)
        }
    });
    Line {
        subsidy: r.subsidy_type.clone(),
        occupation: r.occupation.clone().unwrap_or_default(),
        occupation_name: r.occupation_name.clone(),
        level: r.level_name.clone(),
        cert: r.cert_type_name.clone(),
        claims: c.claims,
        approved: c.approved,
        rejected: c.rejected,
        review: c.review,
        approved_yuan: yuan(c.approved_fen),
        paid_yuan: yuan(c.paid_fen),
        certificates: c.certificates,
        average: money(r.avg_fen_per_certificate),
        share: percent(r.fund_share_bp),
        standard: money(r.standard_fen),
        unit: r.standard_unit.clone().unwrap_or_default(),
        uplift: r
            .uplift_pct
            .filter(|p| *p > 0)
            .map(|p| format!("紧缺职业上浮 {p}%"))
            .unwrap_or_default(),
        published: published_text(r).unwrap_or_default(),
        source: r.published_source.clone().unwrap_or_default(),
        difference,
        above: r.difference_fen.is_some_and(|d| d > 0),
        below: r.difference_fen.is_some_and(|d| d < 0),
        reasons: r.rejections.iter().map(Into::into).collect(),
    }
}

#[derive(Template)]
#[template(path = "standards.html")]
pub struct StandardsPage {
    pub nav: Option<Nav>,
    pub region: String,
    pub name: String,
    pub year: i32,
    pub years: Vec<i32>,
    /// (code, name) of the account's region and the regions under it.
    pub regions: Vec<(String, String)>,
    pub sorter: Sorter,
    pub lines: Vec<Line>,
    pub total: Line,
    pub total_reasons: Vec<Reason>,
    pub uplifts: Vec<String>,
    pub published_file: String,
    pub download: String,
}

impl StandardsPage {
    pub fn new(
        nav: Nav,
        e: &Evaluation,
        mut years: Vec<i32>,
        regions: Vec<(String, String)>,
        sorter: Sorter,
        sort: Sort,
        download: String,
    ) -> StandardsPage {
        if !years.contains(&e.year) {
            years.push(e.year);
            years.sort_unstable_by(|a, b| b.cmp(a));
        }
        let mut rows: Vec<&Row> = e.rows.iter().collect();
        // A stable sort: rows of one value keep the report's order.
        rows.sort_by_key(|r| sort.value(r));
        if sorter.descending {
            rows.reverse();
        }
        let t = &e.totals;
        let total_row = Row {
            subsidy_type: "合计".into(),
            occupation: None,
            occupation_name: String::new(),
            level: None,
            level_name: String::new(),
            cert_type: None,
            cert_type_name: String::new(),
            policy: None,
            counts: t.counts,
            avg_fen_per_certificate: t.avg_fen_per_certificate,
            fund_share_bp: t.fund_share_bp,
            standard_fen: None,
            standard_unit: None,
            uplift_pct: None,
            grade: None,
            published_fen: None,
            published_min_fen: None,
            published_kind: None,
            published_label: None,
            published_source: None,
            difference_fen: None,
            rejections: Vec::new(),
        };
        StandardsPage {
            nav: Some(nav),
            region: e.region.clone(),
            name: e.name.clone(),
            year: e.year,
            years,
            regions,
            sorter,
            lines: rows.into_iter().map(line).collect(),
            total: line(&total_row),
            total_reasons: t.rejections.iter().map(Into::into).collect(),
            uplifts: e
                .published_uplifts
                .iter()
                .map(|u| {
                    let up_to = if u.up_to { "至多" } else { "" };
                    format!("{} {up_to}+{}%", u.label, u.pct)
                })
                .collect(),
            published_file: e.published_file.clone(),
            download,
        }
    }
}
