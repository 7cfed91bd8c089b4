//! Accounts made by the web layer: the demo's accounts (one per role, with
//! fresh random passwords each time) and API tokens.

use crate::auth::secret;
use crate::views::local_minute;
use jineng_domain::access::{Role, Scope};
use jineng_domain::{RegionCode, Stamp};
use jineng_store::{Actor, NewAccount, Store, StoreError};

/// A demo account and its password, to print.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub login: String,
    pub password: String,
    pub account_id: i64,
    pub role: Role,
    pub scope: Scope,
    pub description: String,
}

/// Creates (or resets the passwords of) the demo's accounts: officers of
/// the city and of one county, finance, an auditor, the clerk of the first
/// institution, and a worker (`worker_name`, a trainee with a certificate).
pub async fn demo_accounts(
    store: &Store,
    city: &str,
    county: &str,
    worker_name: &str,
    actor: &Actor,
) -> Result<Vec<DemoAccount>, StoreError> {
    let region = |c: &str| {
        RegionCode::parse(c)
            .map(Scope::Region)
            .map_err(|e| StoreError::Config(e.message().to_string()))
    };
    let city_name = store.region_name(city).await?.unwrap_or_default();
    let county_name = store.region_name(county).await?.unwrap_or_default();
    let city_scope = region(city)?;
    let (inst_id, inst_name, _) = store
        .scoped_institutions(&city_scope)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::NotFound("演示数据中没有培训机构".into()))?;
    let worker = store
        .find_persons(worker_name, 1, actor, false)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::NotFound(format!("演示数据中没有「{worker_name}」")))?;
    let wanted = [
        (
            "city",
            Role::Officer,
            city_scope.clone(),
            format!("{city_name}人社局经办人员"),
        ),
        (
            "county",
            Role::Officer,
            region(county)?,
            format!("{county_name}人社局经办人员"),
        ),
        (
            "finance",
            Role::Finance,
            city_scope.clone(),
            format!("{city_name}财政局"),
        ),
        (
            "auditor",
            Role::Auditor,
            city_scope,
            format!("{city_name}审计局"),
        ),
        (
            "school",
            Role::Institution,
            Scope::Institution(inst_id),
            inst_name,
        ),
        (
            "worker",
            Role::Worker,
            Scope::Person(worker.person_id),
            worker.name.clone(),
        ),
    ];
    let mut out = Vec::new();
    for (login, role, scope, name) in wanted {
        let password = crate::auth::password::generate(login);
        let account = NewAccount {
            login: login.to_string(),
            display_name: name.clone(),
            password_hash: secret::hash_password(&password),
            role,
            scope: scope.clone(),
        };
        let account_id = store.save_account(&account, actor).await?;
        out.push(DemoAccount {
            login: login.to_string(),
            password,
            account_id,
            role,
            scope,
            description: format!("{}：{name}", role.as_zh()),
        });
    }
    Ok(out)
}

/// Issues an API token for an account, valid for the default number of
/// days; returns the token (shown once, only its hash is kept).
pub async fn issue_api_token(
    store: &Store,
    account_id: i64,
    label: &str,
    actor: &Actor,
) -> Result<String, StoreError> {
    let t = issue_api_token_for(
        store,
        account_id,
        label,
        jineng_store::DEFAULT_TOKEN_DAYS,
        actor,
    )
    .await?;
    Ok(t.token)
}

/// A token just issued: the secret (shown once) and when it runs out.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    /// UTC, RFC 3339.
    pub expires_at: String,
}

impl IssuedToken {
    /// The expiry in China Standard Time, to the minute (as written when it
    /// is not a timestamp).
    pub fn expires_local(&self) -> String {
        Stamp::parse(&self.expires_at)
            .map_or_else(|_| self.expires_at.clone(), |t| local_minute(&t))
    }
}

/// Issues an API token valid for `days` days.
pub async fn issue_api_token_for(
    store: &Store,
    account_id: i64,
    label: &str,
    days: i64,
    actor: &Actor,
) -> Result<IssuedToken, StoreError> {
    let token = secret::token();
    let expires_at = (chrono::Utc::now() + chrono::Duration::days(days.max(1)))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    store
        .create_api_token(&secret::hash(&token), account_id, label, &expires_at, actor)
        .await?;
    Ok(IssuedToken { token, expires_at })
}

/// Creates (or resets the password of) one account with a fresh random
/// password: an enterprise clerk, another institution's clerk, a county's
/// officer — the accounts the demo does not make.
pub async fn create_account(
    store: &Store,
    login: &str,
    display_name: &str,
    role: Role,
    scope: Scope,
    actor: &Actor,
) -> Result<DemoAccount, StoreError> {
    jineng_domain::access::check_scope(role, &scope)
        .map_err(|e| StoreError::Config(e.message().to_string()))?;
    let password = crate::auth::password::generate(login);
    let account = NewAccount {
        login: login.to_string(),
        display_name: display_name.to_string(),
        password_hash: secret::hash_password(&password),
        role,
        scope: scope.clone(),
    };
    let account_id = store.save_account(&account, actor).await?;
    Ok(DemoAccount {
        login: login.to_string(),
        password,
        account_id,
        role,
        scope,
        description: format!("{}：{display_name}", role.as_zh()),
    })
}
