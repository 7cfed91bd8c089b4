//! Planning files: targets, statistics and task tables (`.csv` in UTF-8 or
//! GB18030, or `.xlsx`), read with the template reader and checked whole.
//! A file with any bad row is refused as a whole, every problem named by
//! row and column: planning files are small and hand-kept, and a target
//! table half imported would be a wrong table.

use crate::reader::{TableReader, display_name};
use jineng_domain::normalize_cell;
use jineng_domain::planning::{
    BreakdownRule, IndicatorSet, Period, TargetRow, TaskRow, parse_value,
};
use jineng_store::StatisticRow;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

/// The problems of a planning file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileErrors {
    pub file: String,
    /// (row, column, message); row 0 for the file as a whole.
    pub errors: Vec<(u64, String, String)>,
}

impl FileErrors {
    /// The file's rows when nothing was wrong, else its errors.
    fn or<T>(
        file: String,
        errors: Vec<(u64, String, String)>,
        rows: T,
    ) -> Result<(String, T), FileErrors> {
        if errors.is_empty() {
            Ok((file, rows))
        } else {
            Err(FileErrors { file, errors })
        }
    }
}

impl fmt::Display for FileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "文件「{}」有 {} 处问题，未导入任何内容：",
            self.file,
            self.errors.len()
        )?;
        for (row, col, msg) in &self.errors {
            if *row == 0 {
                write!(f, "\n  {msg}")?;
            } else if col.is_empty() {
                write!(f, "\n  第 {row} 行：{msg}")?;
            } else {
                write!(f, "\n  第 {row} 行「{col}」：{msg}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for FileErrors {}

/// A data row with its cells by header name.
struct Cells {
    row: u64,
    /// (normalised, raw trimmed) text by column.
    by_name: HashMap<String, (String, String)>,
}

impl Cells {
    /// A code or number: full-width forms folded to ASCII.
    fn get(&self, col: &str) -> &str {
        self.by_name.get(col).map(|c| c.0.as_str()).unwrap_or("")
    }
    /// Free text as written (its full-width punctuation kept).
    fn text(&self, col: &str) -> &str {
        self.by_name.get(col).map(|c| c.1.as_str()).unwrap_or("")
    }
}

/// Reads every row of `path`, requiring `columns` (the others are ignored).
fn read(path: &Path, columns: &[&str]) -> Result<(String, Vec<Cells>), FileErrors> {
    let file = display_name(path);
    let fail = |msg: String| FileErrors {
        file: file.clone(),
        errors: vec![(0, String::new(), msg)],
    };
    let reader = TableReader::open(path, "").map_err(|e| fail(e.to_string()))?;
    let headers: Vec<String> = reader.headers().iter().map(|h| normalize_cell(h)).collect();
    let missing: Vec<&str> = columns
        .iter()
        .filter(|c| !headers.iter().any(|h| h == *c))
        .copied()
        .collect();
    if !missing.is_empty() {
        return Err(FileErrors {
            file: file.clone(),
            errors: vec![(
                1,
                String::new(),
                format!(
                    "表头缺少列：{}（应有：{}）",
                    missing.join("、"),
                    columns.join("、")
                ),
            )],
        });
    }
    let mut rows = Vec::new();
    for row in reader {
        let row = row.map_err(|e| fail(e.to_string()))?;
        let by_name = headers
            .iter()
            .zip(row.cells.iter())
            .map(|(h, c)| (h.clone(), (normalize_cell(c), c.trim().to_string())))
            .collect();
        rows.push(Cells {
            row: row.number,
            by_name,
        });
    }
    Ok((file, rows))
}

fn year(s: &str) -> Result<i32, String> {
    match s.parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) => Ok(y),
        _ => Err(format!("「{s}」不是年份，应为 2000–2100 的四位数字")),
    }
}

const TARGET_COLUMNS: [&str; 9] = [
    "指标代码",
    "起始年",
    "截止年",
    "区划代码",
    "名称",
    "上级区划代码",
    "目标值",
    "分解规则",
    "依据",
];

/// Reads and checks a targets file: every row's indicator, years, regions
/// and value, one target per key. Breakdowns are checked by the caller
/// (`check_breakdowns`), which also knows the stored parents.
pub fn read_targets(
    path: &Path,
    set: &IndicatorSet,
    region_known: &dyn Fn(&str) -> bool,
) -> Result<(String, Vec<TargetRow>), FileErrors> {
    let (file, rows) = read(path, &TARGET_COLUMNS)?;
    let mut errors = Vec::new();
    let mut out: Vec<TargetRow> = Vec::new();
    for c in rows {
        let row = match target_row(&c, set, region_known) {
            Ok(row) => row,
            Err((col, msg)) => {
                errors.push((c.row, col.to_string(), msg));
                continue;
            }
        };
        if let Some(dup) = out.iter().find(|o| o.key() == row.key()) {
            errors.push((
                c.row,
                "区划代码".to_string(),
                format!(
                    "与第 {} 行重复：同一指标、期间、区划和上级只能有一个目标",
                    dup.row
                ),
            ));
            continue;
        }
        out.push(row);
    }
    FileErrors::or(file, errors, out)
}

/// One row of a targets file, checked on its own (the caller checks that
/// its key is not repeated); an error names the column at fault.
fn target_row(
    c: &Cells,
    set: &IndicatorSet,
    region_known: &dyn Fn(&str) -> bool,
) -> Result<TargetRow, (&'static str, String)> {
    let code = c.get("指标代码");
    let Some(ind) = set.get(code) else {
        let known: Vec<&str> = set.indicators.iter().map(|i| i.code.as_str()).collect();
        return Err((
            "指标代码",
            format!("未知的指标「{code}」，应为 {}", known.join("、")),
        ));
    };
    let (from, to) = match (year(c.get("起始年")), year(c.get("截止年"))) {
        (Ok(f), Ok(t)) if f <= t => (f, t),
        (Ok(f), Ok(t)) => return Err(("截止年", format!("截止年 {t} 早于起始年 {f}"))),
        (Err(e), _) => return Err(("起始年", e)),
        (_, Err(e)) => return Err(("截止年", e)),
    };
    let region = c.get("区划代码");
    if !region_known(region) {
        return Err((
            "区划代码",
            format!("行政区划代码「{region}」不存在（全国为 000000）"),
        ));
    }
    let parent = c.get("上级区划代码");
    if !parent.is_empty() && !region_known(parent) {
        return Err(("上级区划代码", format!("行政区划代码「{parent}」不存在")));
    }
    if !parent.is_empty()
        && parent != region
        && !region.starts_with(jineng_domain::planning::prefix(parent))
    {
        return Err(("上级区划代码", format!("{region} 不在 {parent} 之下")));
    }
    let value = parse_value(c.get("目标值"), ind.decimals).map_err(|e| ("目标值", e.0))?;
    let Some(rule) = BreakdownRule::parse(c.get("分解规则")) else {
        return Err((
            "分解规则",
            format!(
                "未知的分解规则「{}」，应为 合计、不少于 或 不检查（空白为合计）",
                c.get("分解规则")
            ),
        ));
    };
    let name = c.text("名称");
    if name.is_empty() {
        return Err(("名称", "名称不能为空".into()));
    }
    Ok(TargetRow {
        row: c.row,
        indicator: ind.code.clone(),
        period: Period { from, to },
        region: region.to_string(),
        parent: parent.to_string(),
        name: name.to_string(),
        value,
        rule,
        source: c.text("依据").to_string(),
    })
}

/// Reads a statistics file: 区划代码, 年度, 统计项 (key or name), 数值, 来源.
pub fn read_statistics(
    path: &Path,
    set: &IndicatorSet,
    region_known: &dyn Fn(&str) -> bool,
) -> Result<(String, Vec<StatisticRow>), FileErrors> {
    let (file, rows) = read(path, &["区划代码", "年度", "统计项", "数值"])?;
    let mut errors = Vec::new();
    let mut out: Vec<StatisticRow> = Vec::new();
    for c in rows {
        let mut err = |col: &str, msg: String| errors.push((c.row, col.to_string(), msg));
        let region = c.get("区划代码");
        if !region_known(region) {
            err("区划代码", format!("行政区划代码「{region}」不存在"));
            continue;
        }
        let y = match year(c.get("年度")) {
            Ok(y) => y,
            Err(e) => {
                err("年度", e);
                continue;
            }
        };
        let item = c.get("统计项");
        let Some(def) = set
            .statistics
            .iter()
            .find(|s| s.key == item || s.name == item)
        else {
            let known: Vec<&str> = set.statistics.iter().map(|s| s.name.as_str()).collect();
            err(
                "统计项",
                format!("未知的统计项「{item}」，应为 {}", known.join("、")),
            );
            continue;
        };
        let value = match parse_value(c.get("数值"), 0) {
            Ok(v) => v,
            Err(e) => {
                err("数值", e.0);
                continue;
            }
        };
        if let Some(i) = out
            .iter()
            .position(|o| o.region == region && o.year == y && o.key == def.key)
        {
            err("统计项", format!("与前面第 {} 条重复", i + 1));
            continue;
        }
        out.push(StatisticRow {
            region: region.to_string(),
            year: y,
            key: def.key.clone(),
            value,
            source: c.text("来源").to_string(),
        });
    }
    FileErrors::or(file, errors, out)
}

/// Reads a task table: 文件, 序号, 区划代码, 工作任务, 工作要求, 责任单位,
/// 完成时限 (optional ISO date).
pub fn read_tasks(
    path: &Path,
    region_known: &dyn Fn(&str) -> bool,
) -> Result<(String, Vec<TaskRow>), FileErrors> {
    let (file, rows) = read(
        path,
        &[
            "文件",
            "序号",
            "区划代码",
            "工作任务",
            "工作要求",
            "责任单位",
        ],
    )?;
    let mut errors = Vec::new();
    let mut out: Vec<TaskRow> = Vec::new();
    for c in rows {
        let mut err = |col: &str, msg: String| errors.push((c.row, col.to_string(), msg));
        let Ok(no) = c.get("序号").parse::<i64>() else {
            err("序号", format!("「{}」不是序号，应为正整数", c.get("序号")));
            continue;
        };
        let region = c.get("区划代码");
        if !region_known(region) {
            err("区划代码", format!("行政区划代码「{region}」不存在"));
            continue;
        }
        for col in ["文件", "工作要求", "责任单位"] {
            if c.text(col).is_empty() {
                err(col, format!("{col}不能为空"));
            }
        }
        let due = match c.get("完成时限") {
            "" => None,
            d => match jineng_domain::parse_date(d) {
                Ok(d) => Some(d.format("%Y-%m-%d").to_string()),
                Err(e) => {
                    err("完成时限", e.0);
                    continue;
                }
            },
        };
        let row = TaskRow {
            row: c.row,
            doc: c.text("文件").to_string(),
            no,
            region: region.to_string(),
            heading: c.text("工作任务").to_string(),
            requirement: c.text("工作要求").to_string(),
            units: c.text("责任单位").to_string(),
            due,
        };
        if let Some(d) = out.iter().find(|o| o.doc == row.doc && o.no == row.no) {
            err("序号", format!("与第 {} 行重复", d.row));
            continue;
        }
        out.push(row);
    }
    FileErrors::or(file, errors, out)
}
