//! The evaluation of the standards in force as report tables (标准评估): one
//! sheet of rows with the region's total, one of the refusals by rule.
//! Money as yuan with two decimals,
//! shares as percentages, headers in Chinese. Shared by `jineng report
//! standards --format xlsx` and the web page's download.

use crate::tables::{Cell, Table};
use jineng_domain::standards::{Counts, Evaluation, Rejection, Row};

/// The headers of the rows' sheet, in column order.
pub const HEADERS: [&str; 26] = [
    "补贴类型",
    "职业编码",
    "职业（工种）",
    "技能等级",
    "证书类型",
    "适用政策",
    "申领笔数",
    "核准笔数",
    "不予核准笔数",
    "待复核笔数",
    "待核准或未决定",
    "已追回笔数",
    "核准金额（元）",
    "已支付金额（元）",
    "证书数（不重复）",
    "每证平均补贴（元）",
    "占已支付资金比例",
    "现行标准（元）",
    "标准计量",
    "紧缺职业上浮",
    "标准分类",
    "公开标准（元）",
    "公开标准说明",
    "公开标准来源",
    "现行标准与公开标准差额（元）",
    "不予核准原因",
];

fn money(fen: Option<i64>) -> Cell {
    fen.map_or(Cell::Empty, |f| Cell::Scaled(f, 2))
}

fn text(s: Option<&str>) -> Cell {
    s.map_or(Cell::Empty, |s| Cell::Text(s.to_string()))
}

fn share(bp: i64) -> Cell {
    Cell::Share(bp as f64 / 10_000.0)
}

/// "R2 年度次数 3；R17 不重复申领 1"
pub fn reasons_text(rejections: &[Rejection]) -> String {
    rejections
        .iter()
        .map(|r| {
            let rule = if r.rule.starts_with('R') {
                format!("{} ", r.rule)
            } else {
                String::new()
            };
            format!("{rule}{} {}", r.title, r.count)
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// What a row's published amount is: "B类职业 五级/初级工：800.00 元".
pub fn published_text(r: &Row) -> Option<String> {
    let label = r.published_label.as_deref()?;
    let top = jineng_domain::Yuan(jineng_domain::Fen(r.published_fen?));
    let figure = match (r.published_kind.as_deref(), r.published_min_fen) {
        (Some("range"), Some(min)) => format!("{}–{top}", jineng_domain::Fen(min).grouped()),
        (Some("up_to"), _) => format!("至多 {top}"),
        _ => top.to_string(),
    };
    Some(format!("{label}：{figure}"))
}

fn counts(c: &Counts) -> [Cell; 6] {
    [
        Cell::Int(c.claims),
        Cell::Int(c.approved),
        Cell::Int(c.rejected),
        Cell::Int(c.review),
        Cell::Int(c.pending),
        Cell::Int(c.recovered),
    ]
}

fn row_cells(r: &Row) -> Vec<Cell> {
    let mut out = vec![
        Cell::Text(r.subsidy_type.clone()),
        text(r.occupation.as_deref()),
        Cell::Text(r.occupation_name.clone()),
        Cell::Text(r.level_name.clone()),
        Cell::Text(r.cert_type_name.clone()),
        text(r.policy.as_deref()),
    ];
    out.extend(counts(&r.counts));
    out.extend([
        money(Some(r.counts.approved_fen)),
        money(Some(r.counts.paid_fen)),
        Cell::Int(r.counts.certificates),
        money(r.avg_fen_per_certificate),
        share(r.fund_share_bp),
        money(r.standard_fen),
        text(r.standard_unit.as_deref()),
        r.uplift_pct
            .filter(|p| *p > 0)
            .map_or(Cell::Empty, |p| Cell::Text(format!("{p}%"))),
        text(r.grade.as_deref()),
        money(r.published_fen),
        text(published_text(r).as_deref()),
        text(r.published_source.as_deref()),
        money(r.difference_fen),
        Cell::Text(reasons_text(&r.rejections)),
    ]);
    out
}

/// The sheets of the evaluation.
pub fn standards_tables(e: &Evaluation) -> Vec<Table> {
    let subtitle = format!(
        "统计年度：{}年；金额单位：元；公开标准为公开报道的示例数额（{}）",
        e.year, e.published_file
    );
    let t = &e.totals;
    let mut total = vec![
        Cell::Text("合计".into()),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
    ];
    total.extend(counts(&t.counts));
    total.extend([
        money(Some(t.counts.approved_fen)),
        money(Some(t.counts.paid_fen)),
        Cell::Int(t.counts.certificates),
        money(t.avg_fen_per_certificate),
        share(t.fund_share_bp),
    ]);
    total.extend((0..8).map(|_| Cell::Empty));
    total.push(Cell::Text(reasons_text(&t.rejections)));
    let rows = Table {
        sheet: "标准评估".into(),
        title: format!("{}补贴标准评估（{}年）", e.name, e.year),
        subtitle: subtitle.clone(),
        headers: HEADERS.iter().map(|h| h.to_string()).collect(),
        rows: e.rows.iter().map(row_cells).collect(),
        total: Some(total),
    };
    let reasons = Table {
        sheet: "不予核准原因".into(),
        title: format!("{}不予核准原因（{}年）", e.name, e.year),
        subtitle: "同一申领被多条规则否决的，在每条规则下各计一次".into(),
        headers: ["规则", "名称", "依据条款", "笔数"]
            .iter()
            .map(|h| h.to_string())
            .collect(),
        rows: t
            .rejections
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(r.rule.clone()),
                    Cell::Text(r.title.clone()),
                    Cell::Text(r.clause.clone()),
                    Cell::Int(r.count),
                ]
            })
            .collect(),
        total: None,
    };
    vec![rows, reasons]
}
