//! The roster and filing tests' client: the shared one of `common::http`.
#![allow(unused_imports)]

pub use crate::common::http::*;
