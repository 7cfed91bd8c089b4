//! How policy-file values are read: money in yuan without floats, Chinese
//! terms for certificate types and levels, category sets.

use chrono::NaiveDate;
use serde::Deserialize;
use serde::de::{self, Deserializer};

use crate::{CertificateType, Fen};

/// A yuan amount: an integer (`30`) or a decimal string (`"30.50"`). A TOML
/// float is refused, so no amount ever passes through floating point.
pub fn yuan<'de, D: Deserializer<'de>>(d: D) -> Result<Fen, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Int(i64),
        Text(String),
        Float(f64),
    }
    match Raw::deserialize(d)? {
        Raw::Int(y) if y >= 0 => y
            .checked_mul(100)
            .map(Fen)
            .ok_or_else(|| de::Error::custom("金额过大")),
        Raw::Int(_) => Err(de::Error::custom("金额不能为负数")),
        Raw::Text(s) => Fen::parse_yuan(&s).map_err(|e| de::Error::custom(e.message())),
        Raw::Float(f) => Err(de::Error::custom(format!(
            "金额 {f} 请写成整数元或带引号的字符串，如 \"{f:.2}\"（避免浮点数）"
        ))),
    }
}

pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let s = String::deserialize(d)?;
    crate::parse_date(&s).map_err(|e| de::Error::custom(e.message()))
}

pub fn cert_types<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<CertificateType>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|s| CertificateType::parse(s).map_err(|e| de::Error::custom(e.message())))
        .collect()
}

/// Category sets: `["贫困劳动力", ["就业困难人员", "领取失业保险金人员"]]`;
/// a string is a set of one, an inner list means all of them at once.
pub fn category_sets<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<String>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Set {
        One(String),
        All(Vec<String>),
    }
    Ok(Vec::<Set>::deserialize(d)?
        .into_iter()
        .map(|s| match s {
            Set::One(c) => vec![c],
            Set::All(v) => v,
        })
        .collect())
}

/// A percentage between 0 and 100.
pub fn pct<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    let v = i64::deserialize(d)?;
    u16::try_from(v)
        .ok()
        .filter(|p| *p <= 100)
        .ok_or_else(|| de::Error::custom(format!("百分比 {v} 应在 0 到 100 之间")))
}
