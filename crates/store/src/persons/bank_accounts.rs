//! Payees' bank accounts (004 十九): the 社保卡 account of a person and the
//! settlement account of an institution or enterprise, written by the
//! persons and institutions imports and read by the disbursement batch.
//!
//! An import row without an account leaves the stored one as it is (an old
//! file without the bank columns must not erase accounts); a row with one
//! replaces it. The audit trail keeps accounts masked (`upsert::MASKED`).

use jineng_domain::audit::Entity;
use jineng_domain::bank_account::mask_account;
use jineng_domain::records::PayeeAccount;

use crate::imports::batch::{ImportBatch, RowOutcome};
use crate::imports::upsert::{Kind, Planned, UpsertTable, upsert};
use crate::sql::Val;

/// Whose account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Payee {
    Person,
    Organisation,
}

const PERSON_ACCOUNTS: UpsertTable = UpsertTable {
    name: "persons",
    entity: Entity::PersonBankAccount,
    keys: &[("id_number", Kind::Text)],
    data: &[("bank_account", Kind::Text), ("bank_name", Kind::Text)],
    lookup: "id_number",
    audit_key: Some("person_id"),
    key_unique: false,
};

const ORGANISATION_ACCOUNTS: UpsertTable = UpsertTable {
    name: "institutions",
    entity: Entity::InstitutionBankAccount,
    keys: &[("credit_code", Kind::Text)],
    data: &[("bank_account", Kind::Text), ("bank_name", Kind::Text)],
    lookup: "credit_code",
    audit_key: Some("institution_id"),
    key_unique: false,
};

/// Writes the accounts of the rows the main upsert accepted, and folds
/// the outcome into theirs. `rows`: (row number, key, account if given).
pub(crate) async fn write<'a>(
    conn: &mut sqlx::AnyConnection,
    payee: Payee,
    batch: &ImportBatch,
    rows: impl Iterator<Item = (u64, Val, Option<&'a PayeeAccount>)>,
    main: Vec<(u64, RowOutcome)>,
) -> Result<Vec<(u64, RowOutcome)>, sqlx::Error> {
    if batch.dry_run() {
        return Ok(main);
    }
    let mut planned: Vec<Planned> = rows
        .filter_map(|(n, key, account)| {
            let a = account?;
            Some(Planned {
                row: n,
                key: vec![key],
                data: vec![Val::text(a.account.as_str()), Val::text(&a.bank_name)],
            })
        })
        .collect();
    if planned.is_empty() {
        return Ok(main);
    }
    let accepted: std::collections::HashSet<u64> = main
        .iter()
        .filter(|(_, o)| !matches!(o, RowOutcome::Rejected(_)))
        .map(|(n, _)| *n)
        .collect();
    planned.retain(|p| accepted.contains(&p.row));
    if planned.is_empty() {
        return Ok(main);
    }
    let table = match payee {
        Payee::Person => &PERSON_ACCOUNTS,
        Payee::Organisation => &ORGANISATION_ACCOUNTS,
    };
    let written: std::collections::HashMap<u64, RowOutcome> =
        upsert(conn, table, batch, planned, None)
            .await?
            .into_iter()
            .collect();
    Ok(main
        .into_iter()
        .map(|(n, o)| match (o, written.get(&n)) {
            // The person is new: the account is part of that insert.
            (RowOutcome::Inserted, _) => (n, RowOutcome::Inserted),
            (o, Some(w)) => (n, RowOutcome::combine([o, w.clone()])),
            (o, None) => (n, o),
        })
        .collect())
}

/// A stored account as views show it: masked unless `reveal`.
pub fn shown_account(stored: Option<&str>, reveal: bool) -> Option<String> {
    stored.map(|a| {
        if reveal {
            a.to_string()
        } else {
            mask_account(a)
        }
    })
}
