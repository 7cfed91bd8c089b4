//! The domain crate's integration tests (policy, ledger, supervision,
//! properties), as one test crate: one link instead of one per file (CI time,
//! issue 18). Run one file's tests with `cargo test -p jineng-domain --test
//! it policy_engine::`.

mod common;

mod ledger_bank;
mod policy_claimants;
mod policy_credit;
mod policy_credits;
mod policy_engine;
mod policy_errors;
mod policy_federation;
mod policy_load;
mod policy_training;
mod policy_vouchers;
mod policy_whatif;
mod policy_widened;
mod prop_apprenticeship;
mod prop_codes;
mod prop_ledger;
mod prop_policy;
mod prop_standards;
mod prop_supervision;
mod prop_values;
mod standards;
mod supervision_load;
