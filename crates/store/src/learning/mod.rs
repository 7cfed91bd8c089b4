//! Online learning and the skills credit bank in the store (issue 15,
//! items 6 and 7; docs/learning.md): learning platforms' reports of
//! sessions ([`report`], checked against what [`known`] reads), their read
//! back ([`listed`]), a worker's trainings with in-person, online and
//! counted hours ([`hours`]) and the worker's credit statement
//! ([`credits`]). The rules are the domain's (`jineng_domain::learning`).

mod credits;
mod hours;
mod known;
mod listed;
mod report;

pub use credits::{CreditLine, CreditSource, CreditStatement, LearningRecord};
pub use hours::TrainingRecord;
pub use listed::{ReportedQuery, ReportedRow, SessionLine};
pub use report::{BATCH_KIND, PlatformClient, RefusedRow, SessionInput, SessionReport};
