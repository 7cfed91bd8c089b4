//! Officers manage the accounts of their region's subtree (`/accounts`):
//! the list, creating an account whose scope lies inside the officer's own
//! (403 otherwise: a county officer cannot create a city officer), resetting
//! a password (a new random one, shown once), disabling and enabling. The
//! store checks the subtree; passwords are argon2id; all audited.

use crate::AppState;
use crate::auth::{User, secret};
use crate::error::AppError;
use crate::flash::{FieldErrors, Flash, after_action, see_other};
use crate::list::{ListQuery, PER_PAGE, Pager, Sorter, code_filter, query_string};
use crate::views::{Nav, page};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use jineng_domain::access::{Action, Role, Scope, ScopeKind};
use jineng_domain::{CreditCode, RegionCode};
use jineng_store::{AccountQuery, AccountRow, AccountSort, NewAccount};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    nav: Option<Nav>,
    csrf: String,
    /// (row, role in Chinese)
    rows: Vec<(AccountRow, &'static str)>,
    /// The list's search and role filter as asked.
    q: String,
    role: String,
    pager: Pager,
    sorter: Sorter,
    roles: Vec<(&'static str, &'static str)>,
    /// (id, name) of the institutions in scope.
    institutions: Vec<(i64, String)>,
    me: i64,
    /// A password just set: (login, password), shown this once.
    password: Option<(String, String)>,
    /// A refused new-account form: as typed, with its field in error.
    f: CreateForm,
    errors: FieldErrors,
}

async fn accounts_page(
    state: &AppState,
    user: &User,
    lq: ListQuery,
    f: CreateForm,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    user.require(Action::ManageAccounts)?;
    let password = user.flash.as_ref().and_then(|f| f.secret.clone());
    let refused = !errors.is_empty();
    let (sort, descending) =
        lq.sorted(AccountSort::from_code, AccountSort::default(), |_| false)?;
    let role = code_filter(&lq.role, "角色", Role::from_code)?.map(|r| r.code().to_string());
    let q = AccountQuery {
        q: lq.search(50),
        role,
        sort,
        descending,
    };
    let role_code = q.role.clone().unwrap_or_default();
    let total = state.store.account_count(user.scope(), &q).await?;
    let sorter = Sorter {
        path: "/accounts",
        filters: query_string(&[("q", &q.q), ("role", &role_code)]),
        sort: sort.code(),
        descending,
    };
    let pager = Pager::sorted(&sorter, total, lq.page, PER_PAGE);
    let rows = state
        .store
        .account_page(user.scope(), &q, pager.offset, PER_PAGE)
        .await?
        .into_iter()
        .map(|r| {
            let zh = Role::from_code(&r.role).map(Role::as_zh).unwrap_or("未知");
            (r, zh)
        })
        .collect();
    let institutions = state
        .store
        .scoped_institutions(user.scope())
        .await?
        .into_iter()
        .map(|(id, name, _)| (id, name))
        .collect();
    let mut res = page(&AccountsPage {
        nav: Some(Nav::of(user)),
        csrf: user.csrf.clone(),
        rows,
        q: q.q,
        role: role_code,
        pager,
        sorter,
        roles: Role::ALL.iter().map(|r| (r.code(), r.as_zh())).collect(),
        institutions,
        me: user.account.account_id,
        password,
        f,
        errors,
    })?;
    if refused {
        *res.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    Ok(res)
}

/// `GET /accounts?q=&role=&sort=&dir=&page=`
pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(lq): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (f, errors) = (CreateForm::default(), FieldErrors::default());
    accounts_page(&state, &user, lq, f, errors).await
}

#[derive(Debug, Default, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    /// Officer, finance, auditor: the region code.
    #[serde(default)]
    region: String,
    /// Institution clerk: the institution.
    #[serde(default)]
    institution_id: String,
    /// Worker: the person's ID number (looked up in scope, not kept).
    #[serde(default)]
    id_number: String,
    /// Enterprise clerk: the unified social credit code.
    #[serde(default)]
    credit_code: String,
}

fn bad(m: impl Into<String>) -> AppError {
    AppError::BadRequest(m.into())
}

/// The scope the form asks for, checked in form but not yet against the
/// officer's (the store does that).
async fn requested_scope(
    state: &AppState,
    user: &User,
    role: Role,
    f: &CreateForm,
) -> Result<Scope, AppError> {
    Ok(match role.scope_kind() {
        ScopeKind::Region => {
            let code = RegionCode::parse(f.region.trim())
                .map_err(|e| bad(format!("管理区域：{}", e.message())))?;
            if state.store.region_name(code.as_str()).await?.is_none() {
                return Err(bad(format!("管理区域：区划代码 {} 不存在", code.as_str())));
            }
            Scope::Region(code)
        }
        ScopeKind::Institution => Scope::Institution(
            f.institution_id
                .trim()
                .parse()
                .map_err(|_| bad("请选择培训机构"))?,
        ),
        ScopeKind::Enterprise => Scope::Enterprise(
            CreditCode::parse(f.credit_code.trim())
                .map_err(|e| bad(format!("统一社会信用代码：{}", e.message())))?,
        ),
        ScopeKind::Person => {
            let id = f.id_number.trim();
            if id.chars().count() != 18 {
                return Err(bad("请填写劳动者的 18 位身份证号码"));
            }
            let hit = state
                .store
                .search_persons(user.scope(), id, 2)
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| AppError::Forbidden("该人员不存在或不在您的管理范围内".into()))?;
            Scope::Person(hit.person_id)
        }
    })
}

/// `POST /accounts`: a new account with a random password, shown once.
pub async fn create(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<CreateForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&f.csrf)?;
    user.require(Action::ManageAccounts)?;
    let field = match f.role.trim() {
        _ if Role::from_code(f.role.trim()).is_none() => "role",
        r => match Role::from_code(r).map(Role::scope_kind) {
            Some(ScopeKind::Institution) => "institution_id",
            Some(ScopeKind::Enterprise) => "credit_code",
            Some(ScopeKind::Person) => "id_number",
            _ => "region",
        },
    };
    let result = async {
        let login = f.login.trim().to_string();
        if login.is_empty()
            || login.len() > 40
            || !login
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        {
            return Err(("login", bad("登录名须为 1 至 40 位英文字母、数字或 _ - .")));
        }
        let display_name = f.display_name.trim().to_string();
        if display_name.is_empty() {
            return Err(("display_name", bad("请填写名称")));
        }
        let role = Role::from_code(f.role.trim()).ok_or_else(|| ("role", bad("请选择角色")))?;
        let scope = requested_scope(&state, &user, role, &f)
            .await
            .map_err(|e| (field, e))?;
        let password = crate::auth::password::generate(&login);
        let account = NewAccount {
            login: login.clone(),
            display_name,
            password_hash: secret::hash_password(&password),
            role,
            scope,
        };
        state
            .store
            .create_account_within(user.scope(), &account, &user.actor())
            .await
            .map_err(|e| ("login", AppError::from(e)))?;
        Ok((login, password))
    }
    .await;
    match result {
        Ok((login, password)) => {
            let m = format!(
                "已创建账号「{login}」。初始密码只显示这一次，请告知本人并提醒其登录后修改。"
            );
            let flash = Flash {
                secret: Some((login, password)),
                ..Flash::done(m)
            };
            Ok(see_other(&state, &user, "/accounts", flash))
        }
        Err((field, AppError::BadRequest(m))) => {
            accounts_page(
                &state,
                &user,
                ListQuery::default(),
                f,
                FieldErrors::one(field, m),
            )
            .await
        }
        Err((_, e)) => Err(e),
    }
}

fn not_self(user: &User, id: i64) -> Result<(), AppError> {
    if user.account.account_id == id {
        Err(bad("不能在此处更改自己的账号，请使用「我的账号」"))
    } else {
        Ok(())
    }
}

/// `POST /accounts/{id}/reset`: a new random password, shown once.
pub async fn reset(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(form): Form<crate::session::CsrfForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&form.csrf)?;
    user.require(Action::ManageAccounts)?;
    let result = async {
        not_self(&user, id)?;
        let login = state
            .store
            .account_by_id(id)
            .await?
            .map(|a| a.login)
            .unwrap_or_default();
        let password = crate::auth::password::generate(&login);
        state
            .store
            .reset_password_within(
                user.scope(),
                id,
                &secret::hash_password(&password),
                &user.actor(),
            )
            .await?;
        let m = format!(
            "已重置「{login}」的密码，其原有登录已失效，接口访问令牌已全部撤销。新密码只显示这一次。"
        );
        Ok(Flash {
            secret: Some((login, password)),
            ..Flash::done(m)
        })
    }
    .await;
    after_action(&state, &user, "/accounts", result)
}

async fn set_active(
    state: AppState,
    user: User,
    id: i64,
    csrf: &str,
    active: bool,
) -> Result<Response, AppError> {
    user.check_csrf(csrf)?;
    user.require(Action::ManageAccounts)?;
    let result = async {
        not_self(&user, id)?;
        state
            .store
            .set_active_within(user.scope(), id, active, &user.actor())
            .await?;
        Ok(Flash::done(if active {
            "账号已启用"
        } else {
            "账号已停用，其登录和访问令牌已失效"
        }))
    }
    .await;
    after_action(&state, &user, "/accounts", result)
}

/// `POST /accounts/{id}/disable`
pub async fn disable(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(form): Form<crate::session::CsrfForm>,
) -> Result<Response, AppError> {
    set_active(state, user, id, &form.csrf, false).await
}

/// `POST /accounts/{id}/enable`
pub async fn enable(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(form): Form<crate::session::CsrfForm>,
) -> Result<Response, AppError> {
    set_active(state, user, id, &form.csrf, true).await
}
