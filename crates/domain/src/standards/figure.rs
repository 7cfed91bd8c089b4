//! What a published amount or a standard is: paid per what ([`Unit`]), and
//! how it is given ([`Figure`]: an amount, a ceiling or a range), with how
//! far a standard lies from it.

use std::fmt;

use serde::Serialize;

use crate::{Fen, Yuan};

/// What an amount is paid per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// 每人次: per certificate or claim (catalogue standards).
    PerClaim,
    /// 每人每天 (R8's daily allowance).
    PerDay,
    /// 每人每月 (R10's monthly amount).
    PerMonth,
    /// 每人每年 (R9's yearly amount).
    PerYear,
}

impl Unit {
    /// The file's word: 人次, 天, 月, 年.
    pub fn parse(s: &str) -> Option<Unit> {
        Some(match s.trim() {
            "人次" | "次" => Unit::PerClaim,
            "天" | "日" => Unit::PerDay,
            "月" => Unit::PerMonth,
            "年" => Unit::PerYear,
            _ => return None,
        })
    }

    pub fn as_zh(self) -> &'static str {
        match self {
            Unit::PerClaim => "每人次",
            Unit::PerDay => "每人每天",
            Unit::PerMonth => "每人每月",
            Unit::PerYear => "每人每年",
        }
    }
}

/// A published figure: an amount, a ceiling (至多) or a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Figure {
    Exact { fen: Fen },
    UpTo { fen: Fen },
    Range { min: Fen, max: Fen },
}

impl Figure {
    /// The amount, the ceiling, or the top of the range.
    pub fn top(self) -> Fen {
        match self {
            Figure::Exact { fen } | Figure::UpTo { fen } => fen,
            Figure::Range { max, .. } => max,
        }
    }

    /// The bottom of a range.
    pub fn bottom(self) -> Option<Fen> {
        match self {
            Figure::Range { min, .. } => Some(min),
            _ => None,
        }
    }

    /// `exact`, `up_to` or `range`.
    pub fn kind(self) -> &'static str {
        match self {
            Figure::Exact { .. } => "exact",
            Figure::UpTo { .. } => "up_to",
            Figure::Range { .. } => "range",
        }
    }

    /// How far `standard` lies from the figure: standard − amount (or −
    /// ceiling); for a range 0 inside it, else the distance to the nearer
    /// bound, negative below it.
    pub fn difference(self, standard: Fen) -> Fen {
        match self {
            Figure::Exact { fen } | Figure::UpTo { fen } => standard - fen,
            Figure::Range { min, .. } if standard < min => standard - min,
            Figure::Range { max, .. } if standard > max => standard - max,
            Figure::Range { .. } => Fen::ZERO,
        }
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Figure::Exact { fen } => write!(f, "{}", Yuan(fen)),
            Figure::UpTo { fen } => write!(f, "至多 {}", Yuan(fen)),
            Figure::Range { min, max } => write!(f, "{}–{}", min.grouped(), Yuan(max)),
        }
    }
}
