//! Subsidy claims after submission: decisions by the policy engine, officer
//! approval and rejection, payment through the dedicated account, export.

pub(crate) mod filing;
pub(crate) mod list;
pub(crate) mod mass;
pub(crate) mod scoped;
pub(crate) mod scoped_pay;

mod bank;
mod batch;
mod decide;
pub(crate) mod facts;
mod payment;
mod replay;
mod workflow;

pub use bank::{
    Disbursement, DisbursementLine, PayBatchRow, PayLineRow, Reconciliation, ReturnLine,
    parse_line_id,
};
pub(crate) use batch::DECIDE_CHUNK;
pub use decide::DecideSummary;
pub use payment::PaySummary;
pub(crate) use payment::{lock_claim, recover_in};
pub use replay::{ReplayFeed, ReplayScope};
pub use workflow::{ClaimDetail, ClaimLine, EligibilityContext};
pub(crate) use workflow::{reject_in, stored_status};
