//! What the payment, audit and accounts web tests share: the client of
//! `common::http` and the amounts as the pages print them.

#![allow(dead_code, unused_imports)]

pub use crate::common::http::*;

/// 1234567 fen as the pages print it: "12,345.67 元".
pub fn yuan(fen: i64) -> String {
    format!("{} 元", jineng_domain::Fen(fen).grouped())
}
