//! Status lists: allocating a certificate's random index on its first
//! issue, and building the signed status list credential from the
//! revocations.
//!
//! New entries go to the newest list until it holds half its bits, then a
//! new list is opened: a random free index is then found in a couple of
//! draws, and every published list keeps most of its bits unused (herd
//! privacy: a set bit says little about which certificate it is). The
//! newest list's row is locked while indexes are drawn (PostgreSQL `FOR
//! UPDATE`; SQLite's writer already holds the database), so two issuers
//! never draw the same index.

use super::Credentials;
use crate::sql::{Val, select_in};
use crate::{Backend, Store, StoreError};
use jineng_credentials::Bitstring;
use jineng_credentials::status::MIN_BITS;
use serde_json::Value;
use sqlx::{AssertSqlSafe, Row};
use std::collections::HashSet;

/// Bits of a new list: the specification's minimum (16 KiB).
const LIST_BITS: i64 = MIN_BITS as i64;

/// A certificate's place in a status list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    pub list: i64,
    pub index: i64,
}

/// The newest list with room, locked, and the indexes it has given out.
async fn open_list(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    now: &str,
) -> Result<(i64, i64, HashSet<i64>), StoreError> {
    let lock = backend.for_update();
    loop {
        let newest = sqlx::query(AssertSqlSafe(format!(
            "SELECT list_id, bits FROM credential_status_lists ORDER BY list_id DESC LIMIT 1{lock}"
        )))
        .fetch_optional(&mut *conn)
        .await?;
        let next = match newest {
            None => 1,
            Some(r) => {
                let (list, bits): (i64, i64) = (r.try_get("list_id")?, r.try_get("bits")?);
                let used: Vec<i64> = sqlx::query_scalar(
                    "SELECT status_index FROM credential_status WHERE list_id = $1",
                )
                .bind(list)
                .fetch_all(&mut *conn)
                .await?;
                if (used.len() as i64) < bits / 2 {
                    return Ok((list, bits, used.into_iter().collect()));
                }
                list + 1
            }
        };
        sqlx::query(
            "INSERT INTO credential_status_lists (list_id, bits, created_at, updated_at) \
             VALUES ($1, $2, $3, $3) ON CONFLICT (list_id) DO NOTHING",
        )
        .bind(next)
        .bind(LIST_BITS)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
}

/// A uniformly random index below `bits` (a power of two).
fn draw(bits: i64) -> i64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("OS random source");
    (u64::from_le_bytes(b) % bits as u64) as i64
}

/// Gives each certificate `(cert_type, cert_no)` a random free index, in
/// the caller's transaction; certificates that already have one keep it
/// (another issuer may have just allocated it).
pub(crate) async fn allocate(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    certs: &[(String, String)],
    now: &str,
) -> Result<Vec<((String, String), Slot)>, StoreError> {
    let mut out = Vec::new();
    let (mut list, mut bits, mut used) = open_list(conn, backend, now).await?;
    let nos: Vec<Val> = certs.iter().map(|c| Val::text(&c.1)).collect();
    let have: HashSet<(String, String)> = select_in(
        conn,
        "SELECT cert_type, cert_no FROM credential_status",
        "cert_no",
        &nos,
    )
    .await?
    .iter()
    .map(|r| Ok((r.try_get("cert_type")?, r.try_get("cert_no")?)))
    .collect::<Result<_, sqlx::Error>>()?;
    for c in certs.iter().filter(|c| !have.contains(*c)) {
        if used.len() as i64 >= bits / 2 {
            (list, bits, used) = open_list(conn, backend, now).await?;
        }
        let index = loop {
            let i = draw(bits);
            if used.insert(i) {
                break i;
            }
        };
        sqlx::query(
            "INSERT INTO credential_status (list_id, status_index, cert_type, cert_no, allocated_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(list)
        .bind(index)
        .bind(&c.0)
        .bind(&c.1)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        out.push((c.clone(), Slot { list, index }));
    }
    Ok(out)
}

/// The slot of a certificate, if it has one.
pub(crate) async fn slot_of(
    conn: &mut sqlx::AnyConnection,
    cert_type: &str,
    cert_no: &str,
) -> Result<Option<Slot>, StoreError> {
    let r = sqlx::query(
        "SELECT list_id, status_index FROM credential_status WHERE cert_type = $1 AND cert_no = $2",
    )
    .bind(cert_type)
    .bind(cert_no)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match r {
        Some(r) => Some(Slot {
            list: r.try_get("list_id")?,
            index: r.try_get("status_index")?,
        }),
        None => None,
    })
}

impl Store {
    /// The signed status list credential of list `list` (`None`: no such
    /// list), as `GET /credentials/status/{list}` serves it: its bits set
    /// for the revoked certificates, valid from its last change.
    pub async fn status_list_credential(
        &self,
        creds: &Credentials,
        list: i64,
    ) -> Result<Option<Value>, StoreError> {
        let Some(meta) =
            sqlx::query("SELECT bits, updated_at FROM credential_status_lists WHERE list_id = $1")
                .bind(list)
                .fetch_optional(self.pool())
                .await?
        else {
            return Ok(None);
        };
        let bits: i64 = meta.try_get("bits")?;
        let updated: String = meta.try_get("updated_at")?;
        let revoked: Vec<i64> = sqlx::query_scalar(
            "SELECT s.status_index FROM credential_status s JOIN certificate_revocations r \
             ON r.cert_type = s.cert_type AND r.cert_no = s.cert_no WHERE s.list_id = $1",
        )
        .bind(list)
        .fetch_all(self.pool())
        .await?;
        let mut bitstring = Bitstring::new(bits as usize);
        for i in revoked {
            bitstring
                .set(i as usize)
                .map_err(|e| StoreError::Corrupt(format!("状态列表 {list}：{e}")))?;
        }
        let valid_from = chrono::DateTime::parse_from_rfc3339(&updated)
            .map_err(|_| StoreError::Corrupt(format!("状态列表 {list} 的更新时间「{updated}」")))?
            .with_timezone(&chrono::Utc);
        let signed = creds
            .issuer()
            .status_list(list, &bitstring, valid_from, &creds.keys()?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Some(signed))
    }
}
