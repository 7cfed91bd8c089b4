//! The credentials crate's integration tests (test vectors, properties), as
//! one test crate: one link instead of one per file (CI time, issue 18).

mod jcs_vectors;
mod properties;
mod w3c_vectors;
