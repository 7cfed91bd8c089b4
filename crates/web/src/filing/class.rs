//! An institution files claims for the trainees of one of its classes
//! (`/classes/{id}/claims`): the page lists that class's claims only, and
//! a trainee already claimed for cannot be ticked (nor filed: the store
//! refuses it).

use super::{
    Common, check_post, common, field, file, filed_flash, filing_page, form, out_of_validity,
    rows_of, typed,
};
use crate::AppState;
use crate::auth::User;
use crate::claims::today;
use crate::error::AppError;
use crate::flash::see_other;
use crate::views::Nav;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use jineng_domain::access::Scope;
use jineng_store::{ClaimRequest, RosterLine};
use std::collections::HashMap;

/// A trainee of the class, with the claims already filed for them.
struct Trainee {
    l: RosterLine,
    /// The subsidy types claimed for them on this class.
    claimed: Vec<String>,
    /// Claimed for on this class already (a type the institution files):
    /// not to be ticked again.
    done: bool,
    ticked: bool,
}

#[derive(Template)]
#[template(path = "filing_class.html")]
struct ClassPage {
    nav: Option<Nav>,
    c: Common,
    class_id: i64,
    class_no: String,
    closed: bool,
    trainees: Vec<Trainee>,
}

async fn class_page(
    state: &AppState,
    user: &User,
    class_id: i64,
    error: Option<String>,
    fields: Vec<(String, String)>,
) -> Result<Response, AppError> {
    let refused = error.is_some();
    let (mut c, meta) = common(state, user, error, typed(&fields)).await?;
    let r = state.store.scoped_roster(user.scope(), class_id).await?;
    let on_class = state
        .store
        .class_claims(user.scope(), class_id, super::LIMIT)
        .await?;
    let mut claimed: HashMap<i64, Vec<String>> = HashMap::new();
    for (pid, row) in &on_class {
        claimed
            .entry(*pid)
            .or_default()
            .push(row.subsidy_type.clone());
    }
    c.claims = rows_of(on_class.into_iter().map(|(_, row)| row).collect());
    c.list = super::list::Listing::whole(c.claims.len() as i64);
    c.warn = out_of_validity(meta.as_ref(), "该班结业日期", r.class.end_date);
    let trainees = r
        .lines
        .into_iter()
        .map(|l| {
            let claimed = claimed.remove(&l.person_id).unwrap_or_default();
            let done = claimed.iter().any(|t| c.types.contains(t));
            let ticked = fields
                .iter()
                .any(|(k, v)| k == "p" && *v == l.person_id.to_string());
            Trainee {
                l,
                claimed,
                done,
                ticked,
            }
        })
        .collect();
    filing_page(
        &ClassPage {
            nav: Some(Nav::of(user)),
            c,
            class_id,
            class_no: r.class.class_no.clone(),
            closed: r.class.status == jineng_domain::ClassStatus::Closed,
            trainees,
        },
        refused,
    )
}

/// `GET /classes/{id}/claims`
pub async fn class_form(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    if !matches!(user.scope(), Scope::Institution(_)) {
        return Err(AppError::forbidden());
    }
    class_page(&state, &user, id, None, Vec::new()).await
}

/// `POST /classes/{id}/claims`: `subsidy_type`, `applied_on`, and one `p`
/// (person id) per ticked trainee.
pub async fn class_file(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    check_post(&user, &fields)?;
    if !matches!(user.scope(), Scope::Institution(_)) {
        return Err(AppError::forbidden());
    }
    let roster = state.store.scoped_roster(user.scope(), id).await?;
    let build = async {
        let refdata = state.store.ref_data().await?;
        let mut out = Vec::new();
        for (k, v) in &fields {
            if k != "p" {
                continue;
            }
            let pid: i64 = v
                .parse()
                .map_err(|_| AppError::BadRequest("表单数据有误，请刷新页面后重试".into()))?;
            let id_number = state.store.scoped_id_number(user.scope(), pid).await?;
            let record = form::claim(
                &refdata,
                today(),
                &[
                    ("补贴类型", field(&fields, "subsidy_type")),
                    ("身份证号码", &id_number),
                    ("班级编号", &roster.class.class_no),
                    ("统一社会信用代码", &roster.class.institution_code),
                    ("申请日期", field(&fields, "applied_on")),
                ],
            )?;
            out.push(ClaimRequest { record, name: None });
        }
        Ok(out)
    }
    .await;
    match file(&state, &user, build).await? {
        Ok(filed) => Ok(see_other(
            &state,
            &user,
            &format!("/classes/{id}/claims"),
            filed_flash(&filed),
        )),
        Err(why) => class_page(&state, &user, id, Some(why), fields).await,
    }
}
