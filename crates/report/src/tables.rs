//! The report tables, pure: each is a title, column headers, rows and a
//! total row, computed from a region's dashboard data for a period of
//! months. Their layouts are fixed (docs/planning.md): the same rows and
//! columns whatever the data, so that reports compare across periods.

use jineng_domain::planning::{
    Area, Fact, IndicatorKind, IndicatorSet, Measure, ProgressRow, format_value,
};
use jineng_store::DashboardData;
use serde::Serialize;

/// A cell of a report table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Text(String),
    /// An integer count.
    Int(i64),
    /// A value scaled by 10^decimals (money in fen has 2).
    Scaled(i64, u32),
    /// A share, 0–1.
    Share(f64),
    Empty,
}

impl Cell {
    /// The cell as the text a reader sees.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(v) => format_value(*v, 0),
            Cell::Scaled(v, d) => format_value(*v, *d),
            Cell::Share(s) => format!("{:.2}%", s * 100.0),
            Cell::Empty => String::new(),
        }
    }
}

/// A report table: the first `key_columns` columns label the row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// The sheet's name.
    pub sheet: String,
    pub title: String,
    /// A line under the title: the period, the unit.
    pub subtitle: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub total: Option<Vec<Cell>>,
}

/// A period of months within a year: a quarter or the whole year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Months {
    pub year: i32,
    pub first: u32,
    pub last: u32,
}

impl Months {
    pub fn quarter(year: i32, q: u32) -> Months {
        Months {
            year,
            first: q * 3 - 2,
            last: q * 3,
        }
    }
    pub fn year(year: i32) -> Months {
        Months {
            year,
            first: 1,
            last: 12,
        }
    }
    fn contains(&self, f: &Fact) -> bool {
        f.year == self.year && (self.first..=self.last).contains(&f.month)
    }
    pub fn label(&self) -> String {
        if self.first == 1 && self.last == 12 {
            format!("{}年", self.year)
        } else {
            format!(
                "{}年第{}季度（{}—{}月）",
                self.year,
                self.last / 3,
                self.first,
                self.last
            )
        }
    }
}

/// Σ of the facts of `measure` in `months` over `area` that pass `keep`.
fn sum(
    facts: &[Fact],
    months: Months,
    area: Option<&Area>,
    measure: Measure,
    keep: impl Fn(&Fact) -> bool,
) -> i64 {
    facts
        .iter()
        .filter(|f| f.measure == measure && months.contains(f))
        .filter(|f| area.is_none_or(|a| a.covers(&f.region)))
        .filter(|f| keep(f))
        .map(|f| f.value)
        .sum()
}

/// The value of a count indicator over `area` (None: the whole region).
fn count(set_kind: &IndicatorKind, facts: &[Fact], months: Months, area: Option<&Area>) -> i64 {
    let IndicatorKind::Count {
        measure,
        category,
        training_type,
    } = set_kind
    else {
        return 0;
    };
    sum(facts, months, area, *measure, |f| {
        f.category == category.as_deref().unwrap_or("")
            && training_type.as_ref().is_none_or(|t| &f.training_type == t)
    })
}

/// The measures the category and training-type tables count.
const THREE: [(Measure, &str); 3] = [
    (Measure::Training, "补贴性职业技能培训（人次）"),
    (
        Measure::Certificate,
        "取得职业资格或职业技能等级证书（人次）",
    ),
    (
        Measure::HighCertificate,
        "其中：三级（高级工）及以上（人次）",
    ),
];

/// The tables of a 季报 or 年报, in sheet order: by region (the areas as
/// rows, the count indicators as columns, a total), by person category, by
/// training type, funds by source.
pub fn periodic_tables(
    data: &DashboardData,
    set: &IndicatorSet,
    months: Months,
    categories: &[String],
    training_types: &[String],
    funds: &[(String, String)],
) -> Vec<Table> {
    let kind = if months.first == 1 && months.last == 12 {
        "年报"
    } else {
        "季报"
    };
    vec![
        by_region_table(data, set, months, kind),
        by_category_table(data, months, categories, kind),
        by_type_table(data, months, training_types, kind),
        funds_table(data, months, funds, kind),
    ]
}

/// The areas as rows, the count indicators as columns, and a total.
fn by_region_table(data: &DashboardData, set: &IndicatorSet, months: Months, kind: &str) -> Table {
    let counts: Vec<_> = set
        .indicators
        .iter()
        .filter(|i| matches!(i.kind, IndicatorKind::Count { .. }))
        .collect();
    let value = |i: &jineng_domain::planning::Indicator, area: Option<&Area>| {
        let v = count(&i.kind, &data.facts, months, area);
        if i.decimals == 0 {
            Cell::Int(v)
        } else {
            Cell::Scaled(v, i.decimals)
        }
    };
    let mut headers = vec!["区划代码".to_string(), "地区".to_string()];
    headers.extend(counts.iter().map(|i| format!("{}（{}）", i.name, i.unit)));
    Table {
        sheet: "分地区".into(),
        title: format!("{}职业技能提升行动{}：分地区", data.name, kind),
        subtitle: format!("统计期：{}", months.label()),
        headers,
        rows: data
            .areas
            .iter()
            .map(|a| {
                let mut row = vec![Cell::Text(a.code.clone()), Cell::Text(a.name.clone())];
                row.extend(counts.iter().map(|i| value(i, Some(a))));
                row
            })
            .collect(),
        total: Some({
            let mut row = vec![Cell::Text(data.region.clone()), Cell::Text("合计".into())];
            row.extend(counts.iter().map(|i| value(i, None)));
            row
        }),
    }
}

/// Person categories as rows; a person of several categories counts in
/// each, the total once.
fn by_category_table(
    data: &DashboardData,
    months: Months,
    categories: &[String],
    kind: &str,
) -> Table {
    let mut headers = vec!["人员类别".to_string()];
    headers.extend(THREE.iter().map(|(_, h)| h.to_string()));
    Table {
        sheet: "分人员类别".into(),
        title: format!("{}职业技能提升行动{}：分人员类别", data.name, kind),
        subtitle: format!(
            "统计期：{}；一人有多个类别的，在每个类别中各计一次，合计不重复计算",
            months.label()
        ),
        headers,
        rows: categories
            .iter()
            .map(|c| {
                let mut row = vec![Cell::Text(c.clone())];
                row.extend(THREE.iter().map(|(m, _)| {
                    Cell::Int(sum(&data.facts, months, None, *m, |f| &f.category == c))
                }));
                row
            })
            .collect(),
        total: Some({
            let mut row = vec![Cell::Text("合计（不重复）".into())];
            row.extend(THREE.iter().map(|(m, _)| {
                Cell::Int(sum(&data.facts, months, None, *m, |f| {
                    f.category.is_empty()
                }))
            }));
            row
        }),
    }
}

/// Training types as rows, with the subsidy paid; certificates and claims
/// of no class have a row of their own.
fn by_type_table(
    data: &DashboardData,
    months: Months,
    training_types: &[String],
    kind: &str,
) -> Table {
    let mut headers = vec!["培训类型".to_string()];
    headers.extend(THREE.iter().map(|(_, h)| h.to_string()));
    headers.push("补贴资金支出（元）".into());
    let mut types: Vec<(String, String)> = training_types
        .iter()
        .map(|t| (t.clone(), t.clone()))
        .collect();
    types.push((String::new(), "（未关联培训班的证书和申领）".into()));
    let type_row = |t: Option<&str>, label: &str| {
        let mut row = vec![Cell::Text(label.to_string())];
        let keep = |f: &Fact| f.category.is_empty() && t.is_none_or(|t| f.training_type == t);
        row.extend(
            THREE
                .iter()
                .map(|(m, _)| Cell::Int(sum(&data.facts, months, None, *m, keep))),
        );
        row.push(Cell::Scaled(
            sum(&data.facts, months, None, Measure::Paid, keep),
            2,
        ));
        row
    };
    Table {
        sheet: "分培训类型".into(),
        title: format!("{}职业技能提升行动{}：分培训类型", data.name, kind),
        subtitle: format!("统计期：{}", months.label()),
        headers,
        rows: types.iter().map(|(t, l)| type_row(Some(t), l)).collect(),
        total: Some(type_row(None, "合计")),
    }
}

/// Funds paid by source (rows) and area (columns), in yuan.
fn funds_table(
    data: &DashboardData,
    months: Months,
    funds: &[(String, String)],
    kind: &str,
) -> Table {
    let mut headers = vec!["资金来源".to_string()];
    headers.extend(data.areas.iter().map(|a| a.name.clone()));
    headers.push("合计".into());
    let row = |fund: Option<&str>, label: String| {
        let mut row = vec![Cell::Text(label)];
        let keep = |f: &Fact| fund.is_none_or(|c| f.fund == c);
        for a in &data.areas {
            row.push(Cell::Scaled(
                sum(&data.facts, months, Some(a), Measure::Paid, keep),
                2,
            ));
        }
        row.push(Cell::Scaled(
            sum(&data.facts, months, None, Measure::Paid, keep),
            2,
        ));
        row
    };
    Table {
        sheet: "资金分来源".into(),
        title: format!("{}职业技能提升行动{kind}：补贴资金支出分来源", data.name),
        subtitle: format!(
            "统计期：{}；单位：元；支付、预付、清算扣除追回，按申领日期计入",
            months.label()
        ),
        headers,
        rows: funds
            .iter()
            .map(|(c, n)| row(Some(c), format!("{n}（{c}）")))
            .collect(),
        total: Some(row(None, "合计".into())),
    }
}

/// The public page of fund use (003 二十四): per area, the money paid by
/// source, and the training and certificates it paid for — counts and
/// sums only, no person.
pub fn fund_use(
    data: &DashboardData,
    set: &IndicatorSet,
    year: i32,
    funds: &[(String, String)],
) -> Vec<Table> {
    let months = Months::year(year);
    let mut money = funds_table(data, months, funds, "");
    money.sheet = "资金支出".into();
    money.title = format!("{}{}年职业技能提升行动专账资金使用情况", data.name, year);
    let mut headers = vec!["项目".to_string()];
    headers.extend(data.areas.iter().map(|a| a.name.clone()));
    headers.push("合计".into());
    let rows = set
        .indicators
        .iter()
        .filter(|i| matches!(i.kind, IndicatorKind::Count { .. }) && i.decimals == 0)
        .map(|i| {
            let mut row = vec![Cell::Text(format!("{}（{}）", i.name, i.unit))];
            row.extend(
                data.areas
                    .iter()
                    .map(|a| Cell::Int(count(&i.kind, &data.facts, months, Some(a)))),
            );
            row.push(Cell::Int(count(&i.kind, &data.facts, months, None)));
            row
        })
        .collect();
    let activity = Table {
        sheet: "培训成效".into(),
        title: format!("{}{}年补贴性职业技能培训开展情况", data.name, year),
        subtitle: format!("统计期：{}年；只含人次合计，不含任何个人信息", year),
        headers,
        rows,
        total: None,
    };
    vec![money, activity]
}

/// The progress entries as a table (the xlsx of `report progress`): for
/// each indicator and period, the areas' rows, then the region's total.
pub fn progress_table(
    name: &str,
    year: i32,
    as_of: &str,
    entries: &[ProgressRow],
    totals: &[ProgressRow],
) -> Table {
    let scaled = |v: Option<i64>, d: u32| match v {
        Some(v) if d == 0 => Cell::Int(v),
        Some(v) => Cell::Scaled(v, d),
        None => Cell::Empty,
    };
    let row = |e: &ProgressRow, label: &str| {
        vec![
            Cell::Text(e.region.clone()),
            Cell::Text(format!("{}{label}", e.name)),
            Cell::Text(e.indicator_name.clone()),
            Cell::Text(e.period.clone()),
            Cell::Text(e.unit.clone()),
            scaled(e.target, e.decimals),
            scaled(e.actual, e.decimals),
            scaled(e.expected, e.decimals),
            e.completion.map(Cell::Share).unwrap_or(Cell::Empty),
            Cell::Text(e.status.clone()),
        ]
    };
    let mut rows = Vec::new();
    for t in totals {
        rows.extend(
            entries
                .iter()
                .filter(|e| e.indicator == t.indicator && e.period == t.period)
                .map(|e| row(e, "")),
        );
        rows.push(row(t, "（合计）"));
    }
    Table {
        sheet: "目标进度".into(),
        title: format!("{name}{year}年目标任务完成进度"),
        subtitle: format!("截至 {as_of}；序时进度 = 目标 × 统计期已过天数 ÷ 统计期天数"),
        headers: [
            "区划代码",
            "名称",
            "指标",
            "期间",
            "单位",
            "目标",
            "完成",
            "序时进度",
            "完成率",
            "状态",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        total: None,
    }
}
