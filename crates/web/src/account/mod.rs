//! Every signed-in user's own account (`/account`): change the password
//! (the old one, the new one twice, the strength rule below), list the API
//! tokens (never their secret), create one (shown once), revoke one. All
//! audited by the store, never with the password or token itself.

use crate::AppState;
use crate::auth::{User, secret};
use crate::error::AppError;
use crate::views::{Nav, page};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use jineng_store::TokenRow;
use serde::Deserialize;

/// The password rule, as the page states it.
pub const PASSWORD_RULE: &str = "密码至少 10 位，须同时包含字母和数字";

/// Checks a new password against [`PASSWORD_RULE`].
pub fn check_strength(password: &str) -> Result<(), AppError> {
    let long = password.chars().count() >= 10;
    let letter = password.chars().any(|c| c.is_alphabetic());
    let digit = password.chars().any(|c| c.is_ascii_digit());
    if long && letter && digit {
        Ok(())
    } else {
        Err(AppError::BadRequest(format!(
            "新密码不符合要求：{PASSWORD_RULE}"
        )))
    }
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
    message: Option<String>,
    /// A token just created: shown this once.
    new_token: Option<String>,
}

async fn account_page(
    state: &AppState,
    user: &User,
    message: Option<String>,
    new_token: Option<String>,
) -> Result<Response, AppError> {
    page(&AccountPage {
        nav: Some(Nav::of(user)),
        csrf: user.csrf.clone(),
        login: user.account.login.clone(),
        name: user.account.display_name.clone(),
        role: user.role().as_zh().to_string(),
        scope: crate::home::scope_name(state, user).await?,
        rule: PASSWORD_RULE,
        tokens: state.store.api_tokens_of(user.account.account_id).await?,
        message,
        new_token,
    })
}

/// `GET /account`
pub async fn show(State(state): State<AppState>, user: User) -> Result<Response, AppError> {
    account_page(&state, &user, None, None).await
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
    if !secret::verify_password(&form.old, &user.account.password_hash) {
        return Err(AppError::BadRequest("原密码不正确".into()));
    }
    if form.new != form.again {
        return Err(AppError::BadRequest("两次输入的新密码不一致".into()));
    }
    if form.new == form.old {
        return Err(AppError::BadRequest("新密码不能与原密码相同".into()));
    }
    check_strength(&form.new)?;
    state
        .store
        .set_password(
            user.account.account_id,
            &secret::hash_password(&form.new),
            user.session_hash.as_deref(),
            "change_password",
            &user.actor(),
        )
        .await?;
    account_page(&state, &user, Some("密码已修改".into()), None).await
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
        return Err(AppError::BadRequest(
            "请填写令牌名称（不超过 60 字）".into(),
        ));
    }
    let token = crate::accounts::issue_api_token(
        &state.store,
        user.account.account_id,
        label,
        &user.actor(),
    )
    .await?;
    let m = "访问令牌已创建。令牌只显示这一次，请立即妥善保存；遗失后只能撤销并重新创建。";
    account_page(&state, &user, Some(m.into()), Some(token)).await
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
    state
        .store
        .revoke_api_token(user.account.account_id, &form.handle, &user.actor())
        .await?;
    account_page(&state, &user, Some("访问令牌已撤销".into()), None).await
}

#[cfg(test)]
mod tests {
    use super::check_strength;

    #[test]
    fn passwords_need_ten_characters_with_letters_and_digits() {
        assert!(check_strength("Shenji2026a").is_ok());
        assert!(check_strength("技能提升行动2026年度").is_ok());
        for weak in ["short1a", "onlyletterslong", "1234567890123"] {
            assert!(check_strength(weak).is_err(), "{weak}");
        }
    }
}
