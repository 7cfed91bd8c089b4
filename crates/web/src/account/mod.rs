//! Every signed-in user's own account (`/account`): change the password
//! (the old one, the new one twice, the strength rule below), list the API
//! tokens (never their secret), create one (shown once), revoke one. All
//! audited by the store, never with the password or token itself.

use crate::AppState;
use crate::auth::{User, secret};
use crate::error::AppError;
use crate::flash::{FieldErrors, Flash, see_other};
use crate::views::{Nav, page};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use jineng_store::TokenRow;
use serde::Deserialize;

/// The password rule, as the page states it.
pub const PASSWORD_RULE: &str = crate::auth::password::RULE;

/// Checks a new password of the account `login` against the rule.
pub fn check_strength(login: &str, password: &str) -> Result<(), AppError> {
    crate::auth::password::check(login, password)
        .map_err(|why| AppError::BadRequest(format!("新密码不符合要求：{why}")))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    nav: Option<Nav>,
    csrf: String,
    login: String,
    name: String,
    role: String,
    scope: String,
    rule: &'static str,
    tokens: Vec<TokenRow>,
    /// A token just created: shown this once.
    new_token: Option<String>,
    /// How long a new token lasts.
    token_days: i64,
    /// A refused form's field in error, and the token name as typed.
    errors: FieldErrors,
    label: String,
}

async fn account_page(
    state: &AppState,
    user: &User,
    errors: FieldErrors,
    label: String,
) -> Result<Response, AppError> {
    let refused = !errors.is_empty();
    let new_token = user
        .flash
        .as_ref()
        .and_then(|f| f.secret.clone())
        .map(|(_, t)| t);
    let mut res = page(&AccountPage {
        nav: Some(Nav::of(user)),
        csrf: user.csrf.clone(),
        login: user.account.login.clone(),
        name: user.account.display_name.clone(),
        role: user.role().as_zh().to_string(),
        scope: crate::home::scope_name(state, user).await?,
        rule: PASSWORD_RULE,
        tokens: state.store.api_tokens_of(user.account.account_id).await?,
        new_token,
        token_days: state.token_days,
        errors,
        label,
    })?;
    if refused {
        *res.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    Ok(res)
}

/// A refused form shows the page again with the field marked (400).
async fn refused(
    state: &AppState,
    user: &User,
    field: &'static str,
    e: AppError,
    label: String,
) -> Result<Response, AppError> {
    match e {
        AppError::BadRequest(m) => {
            account_page(state, user, FieldErrors::one(field, m), label).await
        }
        e => Err(e),
    }
}

/// `GET /account`
pub async fn show(State(state): State<AppState>, user: User) -> Result<Response, AppError> {
    account_page(&state, &user, FieldErrors::default(), String::new()).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: String,
    #[serde(default)]
    old: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    again: String,
}

/// `POST /account/password`: other sessions of the account end.
pub async fn password(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&form.csrf)?;
    let bad = |m: &str| AppError::BadRequest(m.into());
    // The length cap and the strength rule come before any hashing of what was sent.
    let (field, check) = if let Err(e) = check_strength(&user.account.login, &form.new) {
        ("new", Err(e))
    } else if !secret::verify_password(&form.old, &user.account.password_hash) {
        ("old", Err(bad("原密码不正确")))
    } else if form.new == form.old {
        ("new", Err(bad("新密码不能与原密码相同")))
    } else if form.new != form.again {
        ("again", Err(bad("两次输入的新密码不一致")))
    } else {
        ("", Ok(()))
    };
    if let Err(e) = check {
        return refused(&state, &user, field, e, String::new()).await;
    }
    state
        .store
        .set_password(
            user.account.account_id,
            &secret::hash_password(&form.new),
            user.session_hash.as_deref(),
            jineng_domain::audit::Action::ChangePassword,
            &user.actor(),
        )
        .await?;
    Ok(see_other(
        &state,
        &user,
        "/account",
        Flash::done("密码已修改。本账号的接口访问令牌已随之撤销，如需使用请重新创建。"),
    ))
}

#[derive(Deserialize)]
pub struct TokenForm {
    csrf: String,
    #[serde(default)]
    label: String,
}

/// `POST /account/tokens`: a new API token, shown once.
pub async fn create_token(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<TokenForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&form.csrf)?;
    let label = form.label.trim();
    if label.is_empty() || label.chars().count() > 60 {
        let e = AppError::BadRequest("请填写令牌名称（不超过 60 字）".into());
        return refused(&state, &user, "label", e, form.label.clone()).await;
    }
    let t = crate::accounts::issue_api_token_for(
        &state.store,
        user.account.account_id,
        label,
        state.token_days,
        &user.actor(),
    )
    .await?;
    let m = format!(
        "访问令牌已创建，有效期 {} 天，至 {}（北京时间）止。令牌只显示这一次，请立即妥善保存；遗失后只能撤销并重新创建。",
        state.token_days,
        t.expires_local()
    );
    let flash = Flash {
        secret: Some((label.to_string(), t.token)),
        ..Flash::done(m)
    };
    Ok(see_other(&state, &user, "/account", flash))
}

#[derive(Deserialize)]
pub struct RevokeForm {
    csrf: String,
    #[serde(default)]
    handle: String,
}

/// `POST /account/tokens/revoke`: one of the user's own tokens.
pub async fn revoke_token(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<RevokeForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&form.csrf)?;
    let result = state
        .store
        .revoke_api_token(user.account.account_id, &form.handle, &user.actor())
        .await
        .map_err(AppError::from)
        .map(|_| Flash::done("访问令牌已撤销"));
    crate::flash::after_action(&state, &user, "/account", result)
}

#[cfg(test)]
mod tests {
    use super::check_strength;

    #[test]
    fn weak_passwords_are_refused_in_chinese() {
        assert!(check_strength("auditor", "Shenji2026a#Liaocheng").is_ok());
        for (weak, why) in [
            ("short1a", "过短"),
            ("aaaaaaaaa1", "强度不够"),
            ("auditor-2026-Strong!", "登录名"),
        ] {
            let e = check_strength("auditor", weak).unwrap_err().message();
            assert!(e.contains(why), "{weak}: {e}");
        }
    }
}
