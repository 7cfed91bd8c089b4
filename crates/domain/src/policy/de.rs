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

/// An optional yuan amount.
pub fn opt_yuan<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Fen>, D::Error> {
    yuan(d).map(Some)
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

/// Roster results (结业结果): `["合格"]`.
pub fn completions<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Vec<crate::CompletionResult>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|s| crate::CompletionResult::parse(s).map_err(|e| de::Error::custom(e.message())))
        .collect()
}

/// An optional percentage between 0 and 100.
pub fn opt_pct<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    pct(d).map(Some)
}

/// A percentage between 0 and 100.
pub fn pct<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    let v = i64::deserialize(d)?;
    u16::try_from(v)
        .ok()
        .filter(|p| *p <= 100)
        .ok_or_else(|| de::Error::custom(format!("百分比 {v} 应在 0 到 100 之间")))
}

/// Reads a rule's parameters from its `(key, value)` pairs. On failure it
/// also returns the key being read (`None` once all keys were read, as for
/// a missing parameter), so the loader can point at that parameter's line.
pub fn params<T: serde::de::DeserializeOwned>(
    entries: Vec<(String, toml::Value)>,
) -> Result<T, (Option<String>, toml::de::Error)> {
    let mut at = None;
    let out = T::deserialize(Entries {
        iter: entries.into_iter(),
        value: None,
        at: &mut at,
    });
    out.map_err(|e| (at, e))
}

/// A map deserializer over a rule's parameters that remembers the current key.
struct Entries<'a> {
    iter: std::vec::IntoIter<(String, toml::Value)>,
    value: Option<toml::Value>,
    at: &'a mut Option<String>,
}

impl<'de> Deserializer<'de> for Entries<'_> {
    type Error = toml::de::Error;

    fn deserialize_any<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        let mut map = self;
        visitor.visit_map(&mut map)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

impl<'de> de::MapAccess<'de> for Entries<'_> {
    type Error = toml::de::Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        use serde::de::IntoDeserializer;
        match self.iter.next() {
            Some((key, value)) => {
                *self.at = Some(key.clone());
                self.value = Some(value);
                seed.deserialize(key.into_deserializer()).map(Some)
            }
            None => {
                *self.at = None;
                Ok(None)
            }
        }
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        match self.value.take() {
            Some(v) => seed.deserialize(v),
            None => Err(de::Error::custom("参数缺少取值")),
        }
    }
}

/// Whether `key` is a field of the raw form `T` of a policy file's table:
/// read alone, it fails for another reason than an unknown field. Drafts
/// (`overlay`) check the paths they set against the schema with it.
pub fn knows_field<T: serde::de::DeserializeOwned>(key: &str) -> bool {
    let mut t = toml::Table::new();
    t.insert(key.to_string(), toml::Value::Boolean(false));
    match toml::Value::Table(t).try_into::<T>() {
        Ok(_) => true,
        Err(e) => !e.message().starts_with("unknown field"),
    }
}
