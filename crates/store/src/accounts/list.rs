//! The officer's account list (`/accounts`) as a paged query: a search on
//! login or name, a role filter, a whitelisted order, COUNT + LIMIT/OFFSET.

use crate::accounts::admin::{AccountRow, account_row, accounts_subtree};
use crate::claims::list::contains;
use crate::claims::scoped::has_nul;
use crate::sql::{Val, bind_all};
use crate::{Store, StoreError};
use jineng_domain::access::Scope;
use sqlx::{AssertSqlSafe, Row};

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
        let sql = format!("SELECT COUNT(*) FROM accounts a WHERE {cond}");
        Ok(bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_one(self.pool())
            .await?
            .try_get(0)?)
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
        let dir = if q.descending { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT a.account_id, a.login, a.display_name, a.role, a.active, a.created_at, \
             COALESCE(r.name, i.name, p.name, a.enterprise_code, '') AS scope_name \
             FROM accounts a LEFT JOIN regions r ON r.code = a.region_code \
             LEFT JOIN institutions i ON i.institution_id = a.institution_id \
             LEFT JOIN persons p ON p.person_id = a.person_id \
             WHERE {cond} ORDER BY {} {dir}, a.login {dir}, a.account_id {dir} LIMIT {} OFFSET {}",
            q.sort.order_by(),
            limit.max(0),
            offset.max(0)
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(account_row).collect()
    }
}
