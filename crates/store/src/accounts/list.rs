//! The officer's account list (`/accounts`) as a paged query: a search on
//! login or name, a role filter, a whitelisted order, COUNT + LIMIT/OFFSET.

use crate::accounts::admin::{AccountRow, ROW_SELECT, account_row, accounts_subtree};
use crate::claims::list::contains;
use crate::claims::scoped::has_nul;
use crate::sort::order_page;
use crate::sql::Val;
use crate::{Store, StoreError};
use jineng_domain::access::Scope;

/// What the account list shows: a search, a role and an order.
#[derive(Debug, Clone, Default)]
pub struct AccountQuery {
    /// Part of a login or a display name.
    pub q: String,
    /// A role code, already checked against the roles.
    pub role: Option<String>,
    pub sort: AccountSort,
    pub descending: bool,
}

crate::sort::sort_columns! {
    /// The account list's sort columns.
    AccountSort {
        Login => ("login", "a.login"),
        Name => ("name", "a.display_name"),
        Role => ("role", "a.role"),
        Created => ("created", "a.created_at"),
    }
}

/// The WHERE clause and values of the list (alias `a`).
fn conditions(scope: &Scope, q: &AccountQuery) -> Result<(String, Vec<Val>), StoreError> {
    let (cond, val) = accounts_subtree(scope)?;
    let mut sql = vec![cond.to_string()];
    let mut vals = vec![val];
    let term = q.q.trim();
    if !term.is_empty() {
        vals.push(Val::text(contains(term)));
        let n = vals.len();
        sql.push(format!("(a.login LIKE ${n} OR a.display_name LIKE ${n})"));
    }
    if let Some(role) = &q.role {
        vals.push(Val::text(role.clone()));
        sql.push(format!("a.role = ${}", vals.len()));
    }
    Ok((sql.join(" AND "), vals))
}

impl Store {
    /// How many accounts in the region's subtree the search finds.
    pub async fn account_count(&self, scope: &Scope, q: &AccountQuery) -> Result<i64, StoreError> {
        let (cond, vals) = conditions(scope, q)?;
        if has_nul(&q.q) {
            return Ok(0);
        }
        self.count_where("accounts a", &cond, &vals).await
    }

    /// One page of the accounts in the region's subtree, in the asked order.
    pub async fn account_page(
        &self,
        scope: &Scope,
        q: &AccountQuery,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<AccountRow>, StoreError> {
        let (cond, vals) = conditions(scope, q)?;
        if has_nul(&q.q) {
            return Ok(Vec::new());
        }
        let ties = ["a.login", "a.account_id"];
        let page = order_page(q.sort.order_by(), &ties, q.descending, offset, limit);
        let rows = self
            .rows_bound(format!("{ROW_SELECT} WHERE {cond} {page}"), &vals)
            .await?;
        rows.iter().map(account_row).collect()
    }
}
