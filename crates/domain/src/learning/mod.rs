//! The worker's learning record beyond the roster (issue 15, items 6 and 7;
//! docs/learning.md): online sessions that learning platforms (学习平台)
//! report through the API, checked row by row ([`sessions`]); how the
//! platform's minutes and the roster's online-hours column become the
//! online hours the policy counts in proportion ([`hours`]); and the
//! skills credit bank (学分银行) that turns certificates and counted hours
//! into credits by a policy's conversion table ([`credit_bank`]).

pub mod credit_bank;
pub mod hours;
mod refusal;
pub mod sessions;
