//! Evaluating the standards in force (标准评估, 004 二十六: 培训补贴标准动态评估
//! 调整机制): the report an officer reads before drafting a change — per
//! subsidy type × occupation × level × certificate type, what the claims
//! cost and why some were refused ([`evaluation`]), the standard in force
//! ([`standard`], with the catalogue class of its entry, [`grades`]) and
//! the amounts published elsewhere beside it ([`published`], read from
//! `data/published_amounts.toml`). Pure: the store counts, this builds.

pub mod evaluation;
pub mod figure;
pub mod grades;
pub mod published;
pub mod standard;

pub use evaluation::{
    Counts, Evaluation, PolicyRef, Reason, Rejection, Row, Tally, Totals, evaluate,
};
pub use grades::EntryGrades;
pub use published::{Figure, Published, PublishedError, Unit};
pub use standard::{Standard, evaluation_day, in_force};
