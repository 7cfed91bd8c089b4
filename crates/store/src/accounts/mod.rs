//! Accounts of the web platform (login, role, scope, password hash),
//! browser sessions and API tokens. Passwords are hashed and tokens drawn
//! by the web layer; only hashes reach the database, and never the audit
//! trail.

pub(crate) mod admin;
pub(crate) mod list;

use crate::audit::Actor;
use crate::{Store, StoreError};
use jineng_domain::access::{Role, Scope, check_scope};
use jineng_domain::audit::{Action, Entity};
use jineng_domain::{CreditCode, RegionCode};
use serde_json::json;
use sqlx::Row;

/// How long an API token lasts unless the deployment says otherwise.
pub const DEFAULT_TOKEN_DAYS: i64 = 90;

/// A login account (who signs in and with what role); not a ledger
/// account, which is `jineng_domain::ledger::Account`.
#[derive(Debug, Clone)]
pub struct UserAccount {
    pub account_id: i64,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub scope: Scope,
    pub password_hash: String,
    pub active: bool,
}

/// An account to create or update (by login).
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub login: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub scope: Scope,
}

const ACCOUNT_COLUMNS: &str = "a.account_id, a.login, a.display_name, a.password_hash, a.role, \
     a.region_code, a.institution_id, a.person_id, a.enterprise_code, a.active";

fn account_of(r: &sqlx::any::AnyRow) -> Result<UserAccount, StoreError> {
    let login: String = r.try_get("login")?;
    let bad = |what: &str| StoreError::Corrupt(format!("账号「{login}」的{what}无效"));
    let role_code: String = r.try_get("role")?;
    let role = Role::from_code(&role_code).ok_or_else(|| bad("角色"))?;
    let region: Option<String> = r.try_get("region_code")?;
    let institution: Option<i64> = r.try_get("institution_id")?;
    let person: Option<i64> = r.try_get("person_id")?;
    let enterprise: Option<String> = r.try_get("enterprise_code")?;
    let scope = match (region, institution, person, enterprise) {
        (Some(c), None, None, None) => {
            Scope::Region(RegionCode::parse(&c).map_err(|_| bad("管理区域"))?)
        }
        (None, Some(i), None, None) => Scope::Institution(i),
        (None, None, Some(p), None) => Scope::Person(p),
        (None, None, None, Some(e)) => {
            Scope::Enterprise(CreditCode::parse(&e).map_err(|_| bad("企业代码"))?)
        }
        _ => return Err(bad("管理范围")),
    };
    Ok(UserAccount {
        account_id: r.try_get("account_id")?,
        display_name: r.try_get("display_name")?,
        password_hash: r.try_get("password_hash")?,
        active: r.try_get::<i64, _>("active")? != 0,
        role,
        scope,
        login,
    })
}

/// The scope as the four scope columns.
fn scope_columns(s: &Scope) -> (Option<String>, Option<i64>, Option<i64>, Option<String>) {
    match s {
        Scope::Region(r) => (Some(r.as_str().to_string()), None, None, None),
        Scope::Institution(i) => (None, Some(*i), None, None),
        Scope::Person(p) => (None, None, Some(*p), None),
        Scope::Enterprise(c) => (None, None, None, Some(c.as_str().to_string())),
        // No account has it (`check_scope`, called before).
        Scope::Jurisdiction => (None, None, None, None),
    }
}

impl Store {
    /// Creates the account, or updates the one with this login (name,
    /// password, role, scope; reactivated). Audited without the hash.
    pub async fn save_account(&self, a: &NewAccount, actor: &Actor) -> Result<i64, StoreError> {
        check_scope(a.role, &a.scope).map_err(|e| StoreError::Refused(e.message().to_string()))?;
        let (region, institution, person, enterprise) = scope_columns(&a.scope);
        let now = crate::audit::now();
        let mut tx = self.begin().await?;
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT account_id FROM accounts WHERE login = $1")
                .bind(&a.login)
                .fetch_optional(&mut *tx)
                .await?;
        let id = match existing {
            Some(id) => {
                sqlx::query(
                    "UPDATE accounts SET display_name = $1, password_hash = $2, role = $3, region_code = $4, \
                     institution_id = $5, person_id = $6, enterprise_code = $7, active = 1, updated_at = $8 \
                     WHERE account_id = $9",
                )
                .bind(&a.display_name)
                .bind(&a.password_hash)
                .bind(a.role.code())
                .bind(&region)
                .bind(institution)
                .bind(person)
                .bind(&enterprise)
                .bind(&now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                // A new password revokes the tokens made under the old one.
                sqlx::query("UPDATE api_tokens SET revoked = 1 WHERE account_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                id
            }
            None => {
                sqlx::query(
                    "INSERT INTO accounts (login, display_name, password_hash, role, region_code, institution_id, \
                     person_id, enterprise_code, active, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)",
                )
                .bind(&a.login)
                .bind(&a.display_name)
                .bind(&a.password_hash)
                .bind(a.role.code())
                .bind(&region)
                .bind(institution)
                .bind(person)
                .bind(&enterprise)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
                sqlx::query_scalar("SELECT account_id FROM accounts WHERE login = $1")
                    .bind(&a.login)
                    .fetch_one(&mut *tx)
                    .await?
            }
        };
        let after = json!({
            "login": a.login, "display_name": a.display_name, "role": a.role.code(),
            "region_code": region, "institution_id": institution, "person_id": person,
            "enterprise_code": enterprise,
        });
        let action = if existing.is_some() {
            Action::Update
        } else {
            Action::Create
        };
        commit_audited(tx, actor, action, id, None, Some(&after)).await?;
        Ok(id)
    }

    pub async fn account_by_login(&self, login: &str) -> Result<Option<UserAccount>, StoreError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.login = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(login)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(account_of)
            .transpose()
    }

    /// Records a new session (its token's hash) for an account.
    pub async fn create_session(
        &self,
        session_hash: &str,
        account_id: i64,
        csrf_token: &str,
        expires_at: &str,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let row = [session_hash, csrf_token, expires_at];
        self.insert_credential(SESSION, account_id, row, Action::Login, None, actor)
            .await
    }

    /// The live session's account and CSRF token: unexpired at `now` (ISO
    /// text, compared as text) and the account active.
    pub async fn session(
        &self,
        session_hash: &str,
        now: &str,
    ) -> Result<Option<(UserAccount, String)>, StoreError> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS}, s.csrf_token FROM sessions s JOIN accounts a ON a.account_id = s.account_id \
             WHERE s.session_hash = $1 AND s.expires_at > $2 AND a.active = 1"
        );
        let Some(r) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(session_hash)
            .bind(now)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        Ok(Some((account_of(&r)?, r.try_get("csrf_token")?)))
    }

    /// Ends a session (logout), and drops expired ones.
    pub async fn end_session(&self, session_hash: &str, now: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE session_hash = $1 OR expires_at <= $2")
            .bind(session_hash)
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Records an API token (its hash) for an account, valid until
    /// `expires_at` (UTC, RFC 3339). Audited.
    pub async fn create_api_token(
        &self,
        token_hash: &str,
        account_id: i64,
        label: &str,
        expires_at: &str,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let after = json!({ "label": label, "expires_at": expires_at });
        let row = [token_hash, label, expires_at];
        self.insert_credential(
            API_TOKEN,
            account_id,
            row,
            Action::Token,
            Some(&after),
            actor,
        )
        .await
    }

    /// Inserts a session or an API token, `[hash, detail, expires_at]`, for
    /// an account, audited as `action` with `after`.
    async fn insert_credential(
        &self,
        sql: &'static str,
        account_id: i64,
        [hash, detail, expires_at]: [&str; 3],
        action: Action,
        after: Option<&serde_json::Value>,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query(sql)
            .bind(hash)
            .bind(account_id)
            .bind(detail)
            .bind(crate::audit::now())
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        commit_audited(tx, actor, action, account_id, None, after).await
    }

    /// The active account of an unrevoked, unexpired API token, noting the token's
    /// use when the last note is more than a minute old (so a busy client
    /// costs one write a minute, not one a request).
    pub async fn account_by_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<UserAccount>, StoreError> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS}, t.last_used_at FROM api_tokens t JOIN accounts a ON a.account_id = t.account_id \
             WHERE t.token_hash = $1 AND t.revoked = 0 AND a.active = 1 AND t.expires_at > $2"
        );
        let Some(r) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .bind(crate::audit::now())
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let account = account_of(&r)?;
        let last: Option<String> = r.try_get("last_used_at")?;
        let now = chrono::Utc::now();
        let stale = last
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
            .is_none_or(|t| now.signed_duration_since(t) > chrono::Duration::seconds(60));
        if stale {
            let noted =
                sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1")
                    .bind(token_hash)
                    .bind(crate::audit::now())
                    .execute(self.pool())
                    .await;
            // A missed note must not refuse the request it describes.
            if let Err(e) = noted {
                tracing::warn!("could not note an API token's use: {e}");
            }
        }
        Ok(Some(account))
    }
}

const SESSION: &str = "INSERT INTO sessions (session_hash, account_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
const API_TOKEN: &str = "INSERT INTO api_tokens (token_hash, account_id, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";

/// Audits a change to an account, then commits it.
pub(crate) async fn commit_audited(
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    actor: &Actor,
    action: Action,
    account_id: i64,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Result<(), StoreError> {
    crate::audit::write_change(
        &mut tx,
        actor,
        action,
        Entity::Account,
        account_id.to_string(),
        before,
        after,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
