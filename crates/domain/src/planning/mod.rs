//! Planning and reporting, pure: indicator definitions (data, from
//! `planning/indicators.toml`), target rows and the check of a breakdown
//! against its parent, the progress of an actual against its target
//! (序时进度), and the task tables of the seed documents.

pub mod dashboard;
pub mod indicator;
pub mod progress;
pub mod target;
pub mod task;
pub mod task_status;
pub mod value;

pub use dashboard::{
    Area, Fact, ProgressRow, Statistic, Target, cumulative_by_month, indicator_value, prefix,
    progress_entries, total_entries,
};
pub use indicator::{Indicator, IndicatorKind, IndicatorSet, Measure, StatisticDef};
pub use progress::{Progress, progress};
pub use target::{BreakdownRule, ExistingTarget, TargetRow, check_breakdowns};
pub use task::TaskRow;
pub use task_status::TaskStatus;
pub use value::{format_value, parse_value};

/// The region code the targets of the whole country carry (全国).
pub const NATIONAL: &str = "000000";

/// A period of whole years, `from..=to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Period {
    pub from: i32,
    pub to: i32,
}

impl Period {
    pub fn year(y: i32) -> Period {
        Period { from: y, to: y }
    }
    pub fn contains(&self, year: i32) -> bool {
        self.from <= year && year <= self.to
    }
    /// `2019年` or `2019—2021年`.
    pub fn label(&self) -> String {
        if self.from == self.to {
            format!("{}年", self.from)
        } else {
            format!("{}—{}年", self.from, self.to)
        }
    }
}
