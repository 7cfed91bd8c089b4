//! The comparison-list template `watchlist` (比对名单): other departments'
//! lists of the dead, the state payroll, prisoners, full-time students,
//! pensioners and insured employees, matched against trainees by S4 and S5.
//! Here: the list kinds and the validated row, built from the cells of one
//! template row with every problem named by its column. (Whether 姓名
//! matches the registry is the store's to check: it knows the person.)

use chrono::NaiveDate;
use serde::Serialize;

use super::inputs::{InsuranceIn, Period, WatchEntry};
use crate::{CreditCode, NationalId, ValueError, parse_date, validate_person_name};

/// 名单类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum WatchlistKind {
    /// 死亡: 起始日期 is the date of death.
    Deceased,
    /// 财政供养: on the state payroll.
    StatePayroll,
    /// 服刑: serving a sentence.
    Imprisoned,
    /// 在校学生: a full-time student.
    Student,
    /// 领取养老金: drawing a pension.
    Pension,
    /// 在职参保: insured as an employee (S5).
    InsuredEmployee,
}

impl WatchlistKind {
    pub const ALL: [WatchlistKind; 6] = [
        WatchlistKind::Deceased,
        WatchlistKind::StatePayroll,
        WatchlistKind::Imprisoned,
        WatchlistKind::Student,
        WatchlistKind::Pension,
        WatchlistKind::InsuredEmployee,
    ];

    pub fn as_zh(self) -> &'static str {
        match self {
            WatchlistKind::Deceased => "死亡",
            WatchlistKind::StatePayroll => "财政供养",
            WatchlistKind::Imprisoned => "服刑",
            WatchlistKind::Student => "在校学生",
            WatchlistKind::Pension => "领取养老金",
            WatchlistKind::InsuredEmployee => "在职参保",
        }
    }

    pub fn parse(s: &str) -> Result<WatchlistKind, ValueError> {
        let s = s.trim();
        WatchlistKind::ALL
            .into_iter()
            .find(|k| k.as_zh() == s)
            .ok_or_else(|| {
                ValueError::new(format!(
                    "名单类型「{s}」无法识别，应为 死亡、财政供养、服刑、在校学生、领取养老金 或 在职参保"
                ))
            })
    }
}

/// The template's columns, in order, and whether each is required.
pub const COLUMNS: [(&str, bool); 7] = [
    ("名单类型", true),
    ("身份证号码", true),
    ("姓名", true),
    ("起始日期", true),
    ("截止日期", false),
    ("来源", true),
    ("参保单位", false),
];

/// One row's cells, as read (already trimmed; empty = not given).
#[derive(Debug, Clone, Copy, Default)]
pub struct WatchlistCells<'a> {
    pub kind: &'a str,
    pub id: &'a str,
    pub name: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub source: &'a str,
    pub employer: &'a str,
}

/// A validated 比对名单 row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchlistRecord {
    pub kind: WatchlistKind,
    pub id: NationalId,
    pub name: String,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub source: String,
    /// The employer's credit code, for 在职参保 only.
    pub employer: Option<CreditCode>,
}

/// Keeps a cell's value, or its error under the column.
fn cell<T>(
    errors: &mut Vec<CellError>,
    column: &'static str,
    r: Result<T, ValueError>,
) -> Option<T> {
    r.map_err(|e| {
        errors.push(CellError {
            column,
            message: e.message().to_string(),
        })
    })
    .ok()
}

/// A cell refused: its column and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    pub column: &'static str,
    pub message: String,
}

impl WatchlistRecord {
    /// Validates a row; all problems of the row at once.
    pub fn parse(
        cells: &WatchlistCells<'_>,
        today: NaiveDate,
        province_exists: &dyn Fn(&str) -> bool,
    ) -> Result<WatchlistRecord, Vec<CellError>> {
        let mut errors = Vec::new();
        let required = |cell: &str, what: &str| {
            if cell.is_empty() {
                Err(ValueError::new(format!("{what}不能为空")))
            } else {
                Ok(())
            }
        };
        let kind = cell(&mut errors, "名单类型", WatchlistKind::parse(cells.kind));
        let id = cell(
            &mut errors,
            "身份证号码",
            NationalId::parse(cells.id, today, province_exists),
        );
        let name = cell(&mut errors, "姓名", validate_person_name(cells.name));
        let from = cell(
            &mut errors,
            "起始日期",
            required(cells.from, "起始日期").and_then(|_| parse_date(cells.from)),
        );
        let to = if cells.to.is_empty() {
            Some(None)
        } else {
            cell(&mut errors, "截止日期", parse_date(cells.to).map(Some))
        };
        let source = cell(
            &mut errors,
            "来源",
            required(
                cells.source,
                "来源（发布部门和批次，如 市社保中心 2019-12）",
            )
            .map(|_| cells.source.to_string()),
        );
        let employer = if cells.employer.is_empty() {
            Some(None)
        } else if kind.is_some_and(|k| k != WatchlistKind::InsuredEmployee) {
            cell(
                &mut errors,
                "参保单位",
                Err(ValueError::new("参保单位只用于「在职参保」名单")),
            )
        } else {
            cell(
                &mut errors,
                "参保单位",
                CreditCode::parse(cells.employer).map(Some),
            )
        };
        if let (Some(f), Some(Some(t))) = (from, to)
            && t < f
        {
            cell(
                &mut errors,
                "截止日期",
                Err::<(), _>(ValueError::new(format!("截止日期 {t} 早于起始日期 {f}"))),
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let (Some(kind), Some(id), Some(name), Some(from), Some(to), Some(source), Some(employer)) =
            (kind, id, name, from, to, source, employer)
        else {
            unreachable!("every missing field left an error");
        };
        Ok(WatchlistRecord {
            kind,
            id,
            name,
            from,
            to,
            source,
            employer,
        })
    }

    /// The entry as S4 reads it.
    pub fn entry(&self) -> WatchEntry {
        WatchEntry {
            person: self.id.as_str().to_string(),
            kind: self.kind,
            period: Period {
                from: self.from,
                to: self.to,
            },
            source: self.source.clone(),
        }
    }

    /// The insurance record S5 reads, for a 在职参保 row.
    pub fn insurance(&self) -> Option<InsuranceIn> {
        (self.kind == WatchlistKind::InsuredEmployee).then(|| InsuranceIn {
            person: self.id.as_str().to_string(),
            employer: self.employer.as_ref().map(|c| c.as_str().to_string()),
            period: Period {
                from: self.from,
                to: self.to,
            },
            source: self.source.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::national_id::check_char;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()
    }

    fn valid_id() -> String {
        let body = "37150219800101001";
        format!("{body}{}", check_char(body))
    }

    fn parse(cells: WatchlistCells<'_>) -> Result<WatchlistRecord, Vec<CellError>> {
        WatchlistRecord::parse(&cells, today(), &|_| true)
    }

    #[test]
    fn a_valid_row_becomes_an_entry_and_insurance() {
        let id = valid_id();
        let code = crate::credit_code::check_char("91371500MA3C00002");
        let employer = format!("91371500MA3C00002{code}");
        let r = parse(WatchlistCells {
            kind: "在职参保",
            id: &id,
            name: "张三",
            from: "2018-06-01",
            source: "市社保中心 2019-12",
            employer: &employer,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(r.kind, WatchlistKind::InsuredEmployee);
        assert_eq!(r.entry().period.to, None);
        assert_eq!(
            r.insurance().unwrap().employer.as_deref(),
            Some(employer.as_str())
        );
    }

    #[test]
    fn every_bad_cell_is_named_by_its_column() {
        let id = valid_id();
        let errs = parse(WatchlistCells {
            kind: "失业",
            id: &id,
            name: "张三",
            from: "2019-06-01",
            to: "2019-05-01",
            source: "",
            employer: "",
        })
        .unwrap_err();
        let cols: Vec<_> = errs.iter().map(|e| e.column).collect();
        assert_eq!(cols, ["名单类型", "来源", "截止日期"], "{errs:?}");
        assert!(errs[0].message.contains("应为 死亡、财政供养"));
        assert!(errs[2].message.contains("早于起始日期"));
        let errs = parse(WatchlistCells {
            kind: "死亡",
            id: &id,
            name: "张三",
            from: "",
            source: "市民政局",
            employer: "91371500MA3C000021",
            ..Default::default()
        })
        .unwrap_err();
        let cols: Vec<_> = errs.iter().map(|e| e.column).collect();
        assert_eq!(cols, ["起始日期", "参保单位"], "{errs:?}");
    }
}
