//! The `jineng` binary's integration tests, as one test crate: one link of
//! the whole platform instead of one per file, which keeps CI's disk and
//! link time small. Run one file's tests with `cargo test -p jineng-cli
//! --test it web_audit::`.

// Helpers shared by several test files.
mod common;
#[path = "learning/helpers.rs"]
mod learning_helpers;
#[path = "web_supervision/plant.rs"]
mod plant;
mod vouchers_fixture;

mod api_fuzz;
mod api_imports;
mod archive;
mod archive_web;
mod audit;
mod audit_key;
mod backup_restore;
mod bench_supervise;
mod browser;
mod claims_concurrency;
mod claims_examples;
mod claims_jurisdiction;
mod claims_months;
mod claims_policy;
mod claims_tianshui;
mod concurrent;
mod config;
mod copy_import;
mod credentials;
mod credits;
mod demo;
mod demo_supervision;
mod formats;
mod init;
mod kill;
mod learning_sessions;
mod ledger;
mod metrics;
mod migrations;
mod pay_bank;
mod persons;
mod planning_figures;
mod planning_incremental;
mod planning_incremental_random;
mod planning_refresh;
mod planning_targets;
mod policy_tests;
mod policy_whatif;
mod regions;
mod replica;
mod report_standards;
mod schema_distribution;
mod schemathesis;
mod stale_batches;
mod supervision;
mod supervision_effects;
mod template_columns;
mod template_people;
mod template_records;
mod template_training;
mod uploads_limits;
mod vouchers;
mod vouchers_web;
mod web;
mod web_accounts;
mod web_audit;
mod web_auth;
mod web_classes;
mod web_dashboard;
mod web_filing;
mod web_forms;
mod web_imports;
mod web_imports_restart;
mod web_lists;
mod web_lists2;
mod web_lists3;
mod web_lookup;
mod web_matrix;
mod web_pages;
mod web_payment;
mod web_roster;
mod web_supervision;
mod web_uploads;
mod whatif_direct;
mod whatif_web;
