//! A worker applies on one of their own certificates (`/me/claims`).

use super::{Common, check_post, common, field, file, filed_flash, filing_page, form, typed};
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
use jineng_store::{ArchiveCertificate, ClaimRequest};

#[derive(Template)]
#[template(path = "filing_worker.html")]
struct WorkerPage {
    nav: Option<Nav>,
    c: Common,
    /// (certificate, outside the policy's validity)
    certificates: Vec<(ArchiveCertificate, bool)>,
}

async fn worker_page(
    state: &AppState,
    user: &User,
    lq: &crate::list::ListQuery,
    error: Option<String>,
    fields: &[(String, String)],
) -> Result<Response, AppError> {
    let Scope::Person(pid) = user.scope() else {
        return Err(AppError::forbidden());
    };
    let refused = error.is_some();
    let (mut c, meta) = common(state, user, error, typed(fields)).await?;
    super::list::fill(&mut c, state, user, "/me/claims", lq).await?;
    let a = state
        .store
        .archive(user.scope(), *pid, &user.actor(), false)
        .await?
        .ok_or_else(AppError::forbidden)?;
    // A certificate's claim is decided as of its issue date.
    let certificates: Vec<(ArchiveCertificate, bool)> = a
        .certificates
        .into_iter()
        .map(|ce| {
            let outside = meta.as_ref().is_some_and(|m| !m.in_force(ce.issue_date));
            (ce, outside)
        })
        .collect();
    if !certificates.is_empty() && certificates.iter().all(|(_, out)| *out) {
        c.warn = c.policy.as_ref().map(|p| {
            format!("注意：您名下证书的发证日期都不在补贴政策{p}内，凭这些证书提交的申领将因超出政策有效期而不予核准。")
        });
    }
    filing_page(
        &WorkerPage {
            nav: Some(Nav::of(user)),
            c,
            certificates,
        },
        refused,
    )
}

/// `GET /me/claims`
pub async fn worker_list(
    State(state): State<AppState>,
    user: User,
    axum::extract::Query(lq): axum::extract::Query<crate::list::ListQuery>,
) -> Result<Response, AppError> {
    worker_page(&state, &user, &lq, None, &[]).await
}

/// `POST /me/claims`: `subsidy_type`, `cert_no`, `applied_on`.
pub async fn worker_file(
    State(state): State<AppState>,
    user: User,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    check_post(&user, &fields)?;
    let Scope::Person(pid) = user.scope() else {
        return Err(AppError::forbidden());
    };
    let build = async {
        let refdata = state.store.ref_data().await?;
        let id_number = state.store.scoped_id_number(user.scope(), *pid).await?;
        let record = form::claim(
            &refdata,
            today(),
            &[
                ("补贴类型", field(&fields, "subsidy_type")),
                ("身份证号码", &id_number),
                ("证书编号", field(&fields, "cert_no")),
                ("申请日期", field(&fields, "applied_on")),
            ],
        )?;
        Ok(vec![ClaimRequest { record, name: None }])
    }
    .await;
    match file(&state, &user, build).await? {
        Ok(filed) => Ok(see_other(&state, &user, "/me/claims", filed_flash(&filed))),
        Err(why) => worker_page(&state, &user, &Default::default(), Some(why), &fields).await,
    }
}
