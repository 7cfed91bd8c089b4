//! Classes in the store: the officer's list and detail pages, the filing
//! workflow (开班备案 → 审核 → 结业), the roster (花名册), and the claims
//! filed on a class.

pub(crate) mod claims;
pub(crate) mod pages;
pub(crate) mod review;
pub(crate) mod roster;
