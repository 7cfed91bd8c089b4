//! The what-if comparison (政策测算) as report tables: the totals and
//! flips (汇总), each breakdown, the cost against the fund sources and the
//! targets, and the changed claims (变化明细), one sheet each; written as
//! `.xlsx` by [`crate::xlsx`] for `jineng policy whatif --out` and the
//! page's download alike.

use chrono::NaiveDate;
use jineng_domain::policy::whatif::{ChangedClaim, Figures, Report, Side};

use crate::tables::{Cell, Table};

/// The figure columns every breakdown ends with.
const FIGURES: [&str; 5] = [
    "申领件数",
    "结果变化件数",
    "现行政策金额（元）",
    "草案金额（元）",
    "差额（元）",
];

fn money(fen: i64) -> Cell {
    Cell::Scaled(fen, 2)
}

fn figures(f: &Figures) -> Vec<Cell> {
    vec![
        Cell::Int(f.claims as i64),
        Cell::Int(f.changed as i64),
        money(f.base_fen),
        money(f.draft_fen),
        money(f.draft_fen - f.base_fen),
    ]
}

fn headers(keys: &[&str]) -> Vec<String> {
    keys.iter()
        .chain(FIGURES.iter())
        .map(|s| s.to_string())
        .collect()
}

fn table(sheet: &str, title: &str, subtitle: &str, keys: &[&str], rows: Vec<Vec<Cell>>) -> Table {
    Table {
        sheet: sheet.to_string(),
        title: title.to_string(),
        subtitle: subtitle.to_string(),
        headers: headers(keys),
        rows,
        total: None,
    }
}

fn with(mut keys: Vec<Cell>, f: &Figures) -> Vec<Cell> {
    keys.extend(figures(f));
    keys
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

/// What a run compared, the workbook's subtitle: 「草案「x.toml」（标题）对比
/// liaocheng-2019 第 1 版（摘要 …）；全部已决定的申领」.
pub fn about(
    draft: &str,
    title: &str,
    base_label: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> String {
    let title = if title.is_empty() {
        String::new()
    } else {
        format!("（{title}）")
    };
    format!(
        "草案「{draft}」{title}对比 {base_label}；{}",
        period_zh(from, to)
    )
}

/// The period replayed, in words.
pub fn period_zh(from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    match (from, to) {
        (None, None) => "全部已决定的申领".into(),
        (f, t) => format!(
            "事件日期 {} 至 {} 的已决定申领",
            f.map_or("最早".into(), |d| d.to_string()),
            t.map_or("最近".into(), |d| d.to_string())
        ),
    }
}

/// The report's sheets. `subtitle` says what was compared (draft, base,
/// period); `changed` are the claims the draft changes (变化明细; no
/// person's name or ID number, the claim number finds them).
pub fn tables(r: &Report, subtitle: &str, changed: &[ChangedClaim]) -> Vec<Table> {
    let mut out = vec![summary(r, subtitle)];
    out.extend(breakdowns(r, subtitle));
    out.push(budget(r, subtitle));
    out.push(targets(r, subtitle));
    out.push(details(changed, subtitle));
    out
}

/// 汇总: the totals and how many claims flipped which way.
fn summary(r: &Report, subtitle: &str) -> Table {
    let total = Figures {
        claims: r.claims,
        changed: r.changed,
        base_fen: r.base_fen,
        draft_fen: r.draft_fen,
    };
    let f = &r.flips;
    Table {
        sheet: "汇总".into(),
        title: "政策测算：汇总".into(),
        subtitle: subtitle.to_string(),
        headers: vec!["项目".into(), "数值".into()],
        rows: vec![
            vec![text("申领件数"), Cell::Int(total.claims as i64)],
            vec![text("结果变化件数"), Cell::Int(total.changed as i64)],
            vec![text("现行政策金额（元）"), money(total.base_fen)],
            vec![text("草案金额（元）"), money(total.draft_fen)],
            vec![text("差额（元）"), money(total.draft_fen - total.base_fen)],
            vec![
                text("核准→不予核准"),
                Cell::Int(f.approved_to_rejected as i64),
            ],
            vec![
                text("不予核准→核准"),
                Cell::Int(f.rejected_to_approved as i64),
            ],
            vec![text("金额增加"), Cell::Int(f.amount_up as i64)],
            vec![text("金额减少"), Cell::Int(f.amount_down as i64)],
        ],
        total: None,
    }
}

/// The same figures by region, subsidy type, occupation and level, person
/// category, institution and fund.
fn breakdowns(r: &Report, subtitle: &str) -> Vec<Table> {
    vec![
        table(
            "分地区",
            "政策测算：分地区",
            subtitle,
            &["区划代码", "地区"],
            r.by_region
                .iter()
                .map(|x| with(vec![text(&x.region), text(&x.name)], &x.figures))
                .collect(),
        ),
        table(
            "分补贴类型",
            "政策测算：分补贴类型",
            subtitle,
            &["补贴类型"],
            r.by_subsidy_type
                .iter()
                .map(|x| with(vec![text(&x.subsidy_type)], &x.figures))
                .collect(),
        ),
        table(
            "分职业等级",
            "政策测算：分职业和等级",
            subtitle,
            &["职业编码", "职业", "等级"],
            r.by_occupation
                .iter()
                .map(|x| {
                    with(
                        vec![text(&x.occupation), text(&x.name), text(&x.level)],
                        &x.figures,
                    )
                })
                .collect(),
        ),
        table(
            "分人员类别",
            "政策测算：分人员类别（一人有多个类别的，各类别分别计入）",
            subtitle,
            &["人员类别"],
            r.by_category
                .iter()
                .map(|x| {
                    let name = x.label();
                    with(vec![text(name)], &x.figures)
                })
                .collect(),
        ),
        table(
            "分机构",
            "政策测算：分培训机构",
            subtitle,
            &["统一社会信用代码", "机构"],
            r.by_institution
                .iter()
                .map(|x| with(vec![text(&x.institution), text(&x.name)], &x.figures))
                .collect(),
        ),
        table(
            "分资金",
            "政策测算：分资金来源",
            subtitle,
            &["资金来源代码", "资金来源"],
            r.by_fund
                .iter()
                .map(|x| with(vec![text(&x.fund), text(&x.name)], &x.figures))
                .collect(),
        ),
    ]
}

fn side(s: &Side) -> [Cell; 2] {
    [text(s.outcome.as_zh()), money(s.amount_fen)]
}

/// 「R2 年度次数、R7 补贴标准」
pub fn rules_zh(c: &ChangedClaim) -> String {
    c.rules_changed
        .iter()
        .map(|r| format!("{} {}", r.as_str(), r.title_zh()))
        .collect::<Vec<_>>()
        .join("、")
}

fn details(changed: &[ChangedClaim], subtitle: &str) -> Table {
    Table {
        sheet: "变化明细".into(),
        title: "政策测算：结果变化的申领".into(),
        subtitle: subtitle.to_string(),
        headers: [
            "申领编号",
            "现行政策结果",
            "现行政策金额（元）",
            "草案结果",
            "草案金额（元）",
            "差额（元）",
            "结论变化的规则",
        ]
        .map(String::from)
        .to_vec(),
        rows: changed
            .iter()
            .map(|c| {
                let mut row = vec![text(&c.claim_no)];
                row.extend(side(&c.base));
                row.extend(side(&c.draft));
                row.push(money(c.draft.amount_fen - c.base.amount_fen));
                row.push(text(&rules_zh(c)));
                row
            })
            .collect(),
        total: None,
    }
}

fn budget(r: &Report, subtitle: &str) -> Table {
    Table {
        sheet: "资金测算".into(),
        title: "政策测算：草案对各资金来源的影响".into(),
        subtitle: subtitle.to_string(),
        headers: [
            "资金来源代码",
            "资金来源",
            "已拨入（元）",
            "当前余额（元）",
            "现行政策金额（元）",
            "草案金额（元）",
            "草案增支（元）",
            "草案下余额（元）",
            "增支占拨入",
        ]
        .map(String::from)
        .to_vec(),
        rows: r
            .budget
            .funds
            .iter()
            .map(|b| {
                vec![
                    text(&b.fund),
                    text(&b.name),
                    money(b.allocated_fen),
                    money(b.balance_fen),
                    money(b.base_fen),
                    money(b.draft_fen),
                    money(b.extra_fen),
                    money(b.balance_after_fen),
                    b.extra_pct_of_allocated
                        .map_or(Cell::Empty, |p| Cell::Share(p / 100.0)),
                ]
            })
            .collect(),
        total: None,
    }
}

fn targets(r: &Report, subtitle: &str) -> Table {
    Table {
        sheet: "目标测算".into(),
        title: "政策测算：资格变化占年度目标".into(),
        subtitle: subtitle.to_string(),
        headers: [
            "指标",
            "单位",
            "区划代码",
            "起始年",
            "截止年",
            "目标值",
            "草案新增",
            "草案减少",
            "净变化",
            "净变化占目标",
        ]
        .map(String::from)
        .to_vec(),
        rows: r
            .budget
            .targets
            .iter()
            .map(|t| {
                let v = |n: i64| Cell::Scaled(n, t.decimals);
                vec![
                    text(&t.name),
                    text(&t.unit),
                    text(&t.region),
                    Cell::Int(i64::from(t.year_from)),
                    Cell::Int(i64::from(t.year_to)),
                    v(t.target),
                    v(t.gained),
                    v(t.lost),
                    v(t.net),
                    t.net_pct_of_target
                        .map_or(Cell::Empty, |p| Cell::Share(p / 100.0)),
                ]
            })
            .collect(),
        total: None,
    }
}
