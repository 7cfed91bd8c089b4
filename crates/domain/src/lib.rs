//! Pure domain types for Jineng: validated identifiers, codes, money, dates
//! and the fixed national vocabularies used by vocational-training subsidy
//! records. No I/O happens here; every parser returns a [`ValueError`] whose
//! message is user-facing Chinese text.

pub mod access;
pub mod audit;
pub mod bank_account;
pub mod claim_status;
pub mod class_status;
pub mod credit;
pub mod credit_code;
pub mod csv_cell;
pub mod date;
pub mod error;
pub mod federation;
pub mod hex;
pub mod import_job;
pub mod inspection;
pub mod learning;
pub mod ledger;
pub mod money;
pub mod national_id;
pub mod occupation;
pub mod phone;
pub mod planning;
pub mod policy;
pub mod records;
pub mod refdata;
pub mod region;
pub mod skill_level;
pub mod stamp;
pub mod standards;
pub mod supervision;
pub mod text;
pub mod vocab;
pub mod voucher;

pub use bank_account::{BankAccount, BankResult};
pub use claim_status::{ClaimStatus, ClaimStep};
pub use class_status::{ClassAt, ClassStatus, ClassStep};
pub use credit_code::CreditCode;
pub use csv_cell::{csv_field, defuse_formula};
pub use date::{excel_serial_to_date, parse_date, parse_datetime, parse_month};
pub use error::ValueError;
pub use import_job::ImportJobStatus;
pub use money::{Fen, Yuan};
pub use national_id::{NationalId, Sex};
pub use occupation::OccupationCode;
pub use phone::Phone;
pub use region::{RegionCode, RegionLevel};
pub use skill_level::SkillLevel;
pub use stamp::Stamp;
pub use text::{normalize_cell, validate_person_name};
pub use vocab::{CertificateType, CompletionResult, RelationKind, parse_yes_no};
