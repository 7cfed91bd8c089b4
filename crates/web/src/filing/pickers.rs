//! The reference data behind the forms' pickers (a `<datalist>` the
//! browser searches as one types, by code or name): the divisions (区划)
//! in the account's reach and the occupations of the subsidy catalogue.
//! The forms still post codes, parsed as an upload's cells are.

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use jineng_domain::CreditCode;
use jineng_domain::access::Scope;
use jineng_domain::refdata::RefData;
use std::collections::BTreeMap;

/// (code, name) of the divisions in reach: a region account's subtree; an
/// institution's or enterprise's prefecture (from its credit code's
/// region); a worker's prefecture of 户籍地 is not needed by any form.
pub async fn divisions(
    state: &AppState,
    user: &User,
    refdata: &RefData,
) -> Result<Vec<(String, String)>, AppError> {
    let prefix: String = match user.scope() {
        Scope::Region(r) => r.subtree_prefix().to_string(),
        Scope::Enterprise(code) => code.region_prefix().chars().take(4).collect(),
        Scope::Institution(_) => {
            let Some((_, _, code)) = state
                .store
                .scoped_institutions(user.scope())
                .await?
                .into_iter()
                .next()
            else {
                return Ok(Vec::new());
            };
            match CreditCode::parse(&code) {
                Ok(c) => c.region_prefix().chars().take(4).collect(),
                Err(_) => return Ok(Vec::new()),
            }
        }
        Scope::Person(_) | Scope::Jurisdiction => return Ok(Vec::new()),
    };
    if prefix.is_empty() {
        return Ok(Vec::new());
    }
    let mut out: Vec<(String, String)> = refdata
        .regions
        .iter()
        .filter(|(code, _)| code.starts_with(&prefix))
        .map(|(c, n)| (c.clone(), n.clone()))
        .collect();
    out.sort();
    Ok(out)
}

/// (code, name) of the occupations the loaded policies' catalogues price
/// (a class outside them earns no subsidy); another code may still be
/// typed. A catalogue that prices any occupation offers the whole
/// classification.
pub async fn occupations(
    state: &AppState,
    refdata: &RefData,
) -> Result<Vec<(String, String)>, AppError> {
    let policies = state.store.policy_set().await?;
    let mut priced = BTreeMap::new();
    let mut any = false;
    for (_, p) in &policies.items {
        for e in &p.catalogue.entries {
            match &e.occupation {
                Some(o) => {
                    let code = o.as_str().to_string();
                    let name = refdata.occupation_name(&code).unwrap_or("").to_string();
                    priced.insert(code, name);
                }
                None => any = true,
            }
        }
    }
    if any {
        priced.extend(
            refdata
                .occupations
                .iter()
                .map(|(c, n)| (c.clone(), n.clone())),
        );
    }
    Ok(priced.into_iter().collect())
}
