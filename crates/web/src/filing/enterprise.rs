//! An enterprise files a claim for one of its employees
//! (`/enterprise/claims`): the page is its claims list and its form.

use super::{
    Common, check_post, common, field, file, filed_flash, filing_page, form, out_of_validity, typed,
};
use crate::AppState;
use crate::auth::User;
use crate::claims::today;
use crate::error::AppError;
use crate::flash::see_other;
use crate::views::Nav;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use jineng_domain::access::Scope;
use jineng_store::ClaimRequest;

#[derive(Template)]
#[template(path = "filing_enterprise.html")]
struct EnterprisePage {
    nav: Option<Nav>,
    c: Common,
}

async fn enterprise_page(
    state: &AppState,
    user: &User,
    lq: &crate::list::ListQuery,
    error: Option<String>,
    fields: &[(String, String)],
) -> Result<Response, AppError> {
    if !matches!(user.scope(), Scope::Enterprise(_)) {
        return Err(AppError::forbidden());
    }
    let refused = error.is_some();
    let (mut c, meta) = common(state, user, error, typed(fields)).await?;
    super::list::fill(&mut c, state, user, "/enterprise/claims", lq).await?;
    let date = c.v("applied_on", "").parse().unwrap_or_else(|_| today());
    c.warn = out_of_validity(meta.as_ref(), "申请日期", date);
    filing_page(
        &EnterprisePage {
            nav: Some(Nav::of(user)),
            c,
        },
        refused,
    )
}

/// `GET /enterprise/claims`
pub async fn enterprise_list(
    State(state): State<AppState>,
    user: User,
    axum::extract::Query(lq): axum::extract::Query<crate::list::ListQuery>,
) -> Result<Response, AppError> {
    enterprise_page(&state, &user, &lq, None, &[]).await
}

/// `POST /enterprise/claims`: one employee's claim.
pub async fn enterprise_file(
    State(state): State<AppState>,
    user: User,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    check_post(&user, &fields)?;
    if !matches!(user.scope(), Scope::Enterprise(_)) {
        return Err(AppError::forbidden());
    }
    // Each filing checks an ID number against a name: limited per account.
    state
        .filing_limiter
        .check(&format!("enterprise|{}", user.account.account_id))
        .map_err(AppError::TooManyRequests)?;
    let build = async {
        let refdata = state.store.ref_data().await?;
        let name = field(&fields, "name").trim();
        if name.is_empty() {
            return Err(AppError::BadRequest("请填写职工姓名".into()));
        }
        let record = form::claim(
            &refdata,
            today(),
            &[
                ("补贴类型", field(&fields, "subsidy_type")),
                ("身份证号码", field(&fields, "id_number")),
                ("班级编号", field(&fields, "class_no")),
                ("统一社会信用代码", field(&fields, "institution")),
                ("申请日期", field(&fields, "applied_on")),
                ("月数", field(&fields, "months")),
            ],
        )?;
        Ok(vec![ClaimRequest {
            record,
            name: Some(name.to_string()),
        }])
    }
    .await;
    match file(&state, &user, build).await? {
        Ok(filed) => Ok(see_other(
            &state,
            &user,
            "/enterprise/claims",
            filed_flash(&filed),
        )),
        Err(why) => enterprise_page(&state, &user, &Default::default(), Some(why), &fields).await,
    }
}
