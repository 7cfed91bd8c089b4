//! Managing accounts from the web: an officer's list of the accounts in
//! their region's subtree (region accounts of the subtree, clerks of its
//! institutions and of enterprises registered in it, workers whose 户籍地
//! is in it), creating one whose scope lies inside the officer's own,
//! resetting a password, disabling and enabling; and every user's own
//! password and API tokens. Only hashes reach the database; the audit trail
//! records that something changed, never a password or token.

use crate::accounts::{NewAccount, UserAccount, commit_audited};
use crate::audit::Actor;
use crate::row::Typed;
use crate::sql::{Val, bind_all};
use crate::{Store, StoreError};
use jineng_domain::access::Scope;
use jineng_domain::audit::Action;
use jineng_domain::{RegionCode, Stamp};
use serde::Serialize;
use serde_json::json;
use sqlx::{AssertSqlSafe, Row};

/// An account as the officer's list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct AccountRow {
    pub account_id: i64,
    pub login: String,
    pub display_name: String,
    pub role: String,
    /// The scope in words: a region's, an institution's or a person's name,
    /// or an enterprise's credit code (never an ID number).
    pub scope: String,
    pub active: bool,
    pub created_at: Stamp,
}

/// An API token as its owner sees it: never the secret.
#[derive(Debug, Clone, Serialize)]
pub struct TokenRow {
    /// The first 16 hex digits of the token's SHA-256, to name it by.
    pub handle: String,
    pub label: String,
    pub created_at: Stamp,
    pub revoked: bool,
    /// When it was last used (UTC, RFC 3339, noted at most once a
    /// minute); `None` if never.
    pub last_used_at: Option<Stamp>,
    /// When it runs out (UTC, RFC 3339); `None` for a token of before
    /// expiries, which counts as run out.
    pub expires_at: Option<Stamp>,
    /// Whether it has run out.
    pub expired: bool,
}

/// The accounts a region's subtree reaches, as a condition on `a` with
/// parameter `$1` (the subtree's prefix with `%`).
const IN_SUBTREE: &str = "(a.region_code LIKE $1 \
     OR a.institution_id IN (SELECT i.institution_id FROM institutions i WHERE i.region_code LIKE $1) \
     OR a.person_id IN (SELECT p.person_id FROM persons p WHERE p.hukou_region LIKE $1) \
     OR SUBSTR(a.enterprise_code, 3, 6) LIKE $1)";

fn subtree(scope: &Scope) -> Result<Val, StoreError> {
    match scope {
        Scope::Region(r) => Ok(Val::text(format!("{}%", r.subtree_prefix()))),
        _ => Err(StoreError::OutOfScope(
            "只有区域经办人员可以管理账号".into(),
        )),
    }
}

/// The subtree condition on `a` (parameter `$1`) and its value.
pub(crate) fn accounts_subtree(scope: &Scope) -> Result<(&'static str, Val), StoreError> {
    Ok((IN_SUBTREE, subtree(scope)?))
}

/// An [`AccountRow`] from a row of the list's SELECT.
pub(crate) fn account_row(r: &sqlx::any::AnyRow) -> Result<AccountRow, StoreError> {
    Ok(AccountRow {
        account_id: r.try_get("account_id")?,
        login: r.try_get("login")?,
        display_name: r.try_get("display_name")?,
        role: r.try_get("role")?,
        scope: r.try_get("scope_name")?,
        active: r.try_get::<i64, _>("active")? != 0,
        created_at: r.stamp("created_at")?,
    })
}

/// The columns [`account_row`] reads: accounts `a` with the name of what
/// their scope names (region, institution, person or enterprise).
pub(crate) const ROW_SELECT: &str = "SELECT a.account_id, a.login, a.display_name, a.role, a.active, a.created_at, \
     COALESCE(r.name, i.name, p.name, a.enterprise_code, '') AS scope_name \
     FROM accounts a LEFT JOIN regions r ON r.code = a.region_code \
     LEFT JOIN institutions i ON i.institution_id = a.institution_id \
     LEFT JOIN persons p ON p.person_id = a.person_id";

fn out_of_scope() -> StoreError {
    StoreError::OutOfScope("该账号不存在或不在您的管理范围内".into())
}

impl Store {
    /// The accounts in the region's subtree, by login.
    pub async fn accounts_in(&self, scope: &Scope) -> Result<Vec<AccountRow>, StoreError> {
        let sql = format!("{ROW_SELECT} WHERE {IN_SUBTREE} ORDER BY a.login");
        let vals = [subtree(scope)?];
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(account_row).collect()
    }

    /// Whether an account with this id lies in the region's subtree.
    async fn account_in(&self, scope: &Scope, account_id: i64) -> Result<bool, StoreError> {
        let sql =
            format!("SELECT a.account_id FROM accounts a WHERE {IN_SUBTREE} AND a.account_id = $2");
        let vals = [subtree(scope)?, Val::int(account_id)];
        Ok(bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_optional(self.pool())
            .await?
            .is_some())
    }

    /// Whether `inner` lies inside the region scope `outer`.
    pub async fn scope_within(&self, outer: &Scope, inner: &Scope) -> Result<bool, StoreError> {
        let Scope::Region(region) = outer else {
            return Ok(false);
        };
        let prefix = Val::text(format!("{}%", region.subtree_prefix()));
        let exists = |sql: &'static str, id: i64| {
            let vals = [Val::int(id), prefix.clone()];
            async move {
                Ok::<bool, StoreError>(
                    bind_all(sqlx::query(sql), &vals)
                        .fetch_optional(self.pool())
                        .await?
                        .is_some(),
                )
            }
        };
        match inner {
            Scope::Region(r) => Ok(region.contains(r)),
            Scope::Jurisdiction => Ok(false),
            Scope::Institution(i) => {
                exists(
                    "SELECT 1 FROM institutions WHERE institution_id = $1 AND region_code LIKE $2",
                    *i,
                )
                .await
            }
            Scope::Person(p) => {
                exists(
                    "SELECT 1 FROM persons WHERE person_id = $1 AND hukou_region LIKE $2",
                    *p,
                )
                .await
            }
            Scope::Enterprise(c) => Ok(RegionCode::parse(c.region_prefix())
                .map(|r| region.contains(&r))
                .unwrap_or(false)),
        }
    }

    /// Creates an account whose scope lies inside the officer's (403
    /// otherwise); refused when the login is taken.
    pub async fn create_account_within(
        &self,
        officer: &Scope,
        a: &NewAccount,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        if !self.scope_within(officer, &a.scope).await? {
            return Err(StoreError::OutOfScope(
                "新账号的管理范围超出了您的管理范围".into(),
            ));
        }
        if self.account_by_login(&a.login).await?.is_some() {
            return Err(StoreError::Refused(format!(
                "登录名「{}」已被使用",
                a.login
            )));
        }
        self.save_account(a, actor).await
    }

    /// An officer resets the password of an account in their subtree.
    pub async fn reset_password_within(
        &self,
        officer: &Scope,
        account_id: i64,
        password_hash: &str,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        if !self.account_in(officer, account_id).await? {
            return Err(out_of_scope());
        }
        self.set_password(
            account_id,
            password_hash,
            None,
            Action::ResetPassword,
            actor,
        )
        .await
    }

    /// An officer disables or enables an account in their subtree; a
    /// disabled account's sessions end and its tokens stop working.
    pub async fn set_active_within(
        &self,
        officer: &Scope,
        account_id: i64,
        active: bool,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        if !self.account_in(officer, account_id).await? {
            return Err(out_of_scope());
        }
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE accounts SET active = $1, updated_at = $2 WHERE account_id = $3")
            .bind(i64::from(active))
            .bind(crate::audit::now())
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        if !active {
            sqlx::query("DELETE FROM sessions WHERE account_id = $1")
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
        }
        let (before, after) = (json!({ "active": !active }), json!({ "active": active }));
        let action = if active {
            Action::Enable
        } else {
            Action::Disable
        };
        commit_audited(tx, actor, action, account_id, Some(&before), Some(&after)).await
    }

    /// Replaces an account's password hash, ends its sessions but
    /// `keep_session` (the one changing its own password) and revokes its
    /// API tokens (a token must not outlive the password that made it).
    /// Audited as `action` without the hash.
    pub async fn set_password(
        &self,
        account_id: i64,
        password_hash: &str,
        keep_session: Option<&str>,
        action: Action,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE accounts SET password_hash = $1, updated_at = $2 WHERE account_id = $3",
        )
        .bind(password_hash)
        .bind(crate::audit::now())
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND session_hash <> $2")
            .bind(account_id)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *tx)
            .await?;
        let revoked =
            sqlx::query("UPDATE api_tokens SET revoked = 1 WHERE account_id = $1 AND revoked = 0")
                .bind(account_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        let after = json!({ "tokens_revoked": revoked });
        commit_audited(tx, actor, action, account_id, None, Some(&after)).await
    }

    /// An account by id (for its owner's password check).
    pub async fn account_by_id(&self, account_id: i64) -> Result<Option<UserAccount>, StoreError> {
        let login: Option<String> =
            sqlx::query_scalar("SELECT login FROM accounts WHERE account_id = $1")
                .bind(account_id)
                .fetch_optional(self.pool())
                .await?;
        match login {
            Some(l) => self.account_by_login(&l).await,
            None => Ok(None),
        }
    }

    /// An account's API tokens, newest first.
    pub async fn api_tokens_of(&self, account_id: i64) -> Result<Vec<TokenRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT token_hash, label, created_at, revoked, last_used_at, expires_at FROM api_tokens WHERE account_id = $1 ORDER BY created_at DESC, token_hash",
        )
        .bind(account_id)
        .fetch_all(self.pool())
        .await?;
        let now = chrono::Utc::now();
        rows.iter()
            .map(|r| {
                let hash: String = r.try_get("token_hash")?;
                let expires_at = r.opt_stamp("expires_at")?;
                Ok(TokenRow {
                    handle: hash.chars().take(16).collect(),
                    label: r.try_get("label")?,
                    created_at: r.stamp("created_at")?,
                    revoked: r.try_get::<i64, _>("revoked")? != 0,
                    last_used_at: r.opt_stamp("last_used_at")?,
                    expired: expires_at.is_none_or(|e| e.instant() <= now),
                    expires_at,
                })
            })
            .collect()
    }

    /// Revokes one of the account's own tokens, named by its handle.
    pub async fn revoke_api_token(
        &self,
        account_id: i64,
        handle: &str,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let handle = handle.trim();
        if handle.len() != 16 || !handle.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(StoreError::Refused("访问令牌标识无效".into()));
        }
        let mut tx = self.begin().await?;
        let label: Option<String> = sqlx::query_scalar(
            "SELECT label FROM api_tokens WHERE account_id = $1 AND SUBSTR(token_hash, 1, 16) = $2 AND revoked = 0",
        )
        .bind(account_id)
        .bind(handle)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(label) = label else {
            return Err(StoreError::OutOfScope("该访问令牌不存在或已撤销".into()));
        };
        sqlx::query(
            "UPDATE api_tokens SET revoked = 1 WHERE account_id = $1 AND SUBSTR(token_hash, 1, 16) = $2",
        )
        .bind(account_id)
        .bind(handle)
        .execute(&mut *tx)
        .await?;
        let before = json!({ "label": label, "handle": handle });
        commit_audited(
            tx,
            actor,
            Action::RevokeToken,
            account_id,
            Some(&before),
            None,
        )
        .await
    }
}
