//! `POST /classes/{id}/roster/enrol`: one trainee by ID number and name.

use super::{Typed, roster_page};
use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::filing::form;
use crate::flash::{FieldErrors, Flash, see_other};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use jineng_domain::access::Action;
use jineng_store::{IMPERSONATION, StoreError};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct EnrolForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub name: String,
    /// The persons template's other fields, for a person not yet registered.
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub hukou_region: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub education: String,
}

/// The form field of a persons-template column.
fn field_of(column: &str) -> &'static str {
    match column {
        "姓名" => "name",
        "身份证号码" => "id_number",
        "性别" => "sex",
        "户籍地" => "hukou_region",
        "联系电话" => "phone",
        "文化程度" => "education",
        _ => "id_number",
    }
}

/// Enrols: the message, or which fields are wrong and why; a 403 (a
/// class of another institution) or an internal error is the outer error.
async fn try_enrol(
    state: &AppState,
    user: &User,
    id: i64,
    f: &EnrolForm,
) -> Result<Result<String, FieldErrors>, AppError> {
    let refdata = state.store.ref_data().await?;
    let today = crate::claims::today();
    let name = f.name.trim();
    let mut errors = FieldErrors::default();
    if name.is_empty() {
        errors.add("name", "请填写姓名");
    }
    let pid = match form::national_id(&f.id_number, &refdata, today) {
        Ok(pid) => Some(pid),
        Err(AppError::BadRequest(m)) => {
            errors.add("id_number", m);
            None
        }
        Err(e) => return Err(e),
    };
    let Some(pid) = pid.filter(|_| errors.is_empty()) else {
        return Ok(Err(errors));
    };
    // Only when the registry lacks the person are the other fields needed.
    let new_person = if f.hukou_region.trim().is_empty() {
        None
    } else {
        let cells = [
            ("姓名", name),
            ("身份证号码", f.id_number.as_str()),
            ("性别", f.sex.as_str()),
            ("户籍地", f.hukou_region.as_str()),
            ("联系电话", f.phone.as_str()),
            ("文化程度", f.education.as_str()),
        ];
        match form::person_checked(&refdata, today, &cells)? {
            Ok(p) => Some(p),
            Err(errs) => {
                for r in errs {
                    errors.add(field_of(&r.column), r.message);
                }
                return Ok(Err(errors));
            }
        }
    };
    let written = state
        .store
        .enrol_trainee(
            user.scope(),
            id,
            &pid,
            name,
            new_person.as_ref(),
            &user.actor(),
        )
        .await;
    match written {
        Ok(_) => Ok(Ok(format!("已将「{name}」加入花名册"))),
        Err(StoreError::Refused(m)) => {
            let field = if m == IMPERSONATION {
                "name"
            } else if m.contains("尚未登记人员信息") {
                "hukou_region"
            } else {
                "id_number"
            };
            Ok(Err(FieldErrors::one(field, m)))
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /classes/{id}/roster/enrol`
pub async fn enrol(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<EnrolForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&f.csrf)?;
    user.require(Action::EditRoster)?;
    match try_enrol(&state, &user, id, &f).await? {
        Ok(m) => Ok(see_other(
            &state,
            &user,
            &format!("/classes/{id}/roster"),
            Flash::done(m),
        )),
        Err(errors) => {
            let typed = Typed {
                error: Some(errors.messages().join("；")),
                errors,
                enrol: f,
                ..Typed::default()
            };
            roster_page(&state, &user, id, typed).await
        }
    }
}
