//! The review steps of a class: 备案通过 and 退回 (with a reason) by an
//! officer of its 培训地, 结业 by the officer, 申请结业 by the institution.
//! Each POST carries the CSRF token; the store checks scope and status,
//! writes the step and audits it with before and after.

use super::class_id;
use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::flash::{Flash, after_action};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use jineng_domain::ClassStep;
use jineng_domain::access::Action;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

async fn step(
    state: AppState,
    user: User,
    id: String,
    form: StepForm,
    step: ClassStep,
) -> Result<Response, AppError> {
    let action = match step {
        ClassStep::RequestClose => Action::FileClasses,
        _ => Action::ReviewClasses,
    };
    user.require(action)?;
    user.check_csrf(&form.csrf)?;
    let id = class_id(&id)?;
    let today = chrono::Local::now().date_naive();
    let reason = Some(form.reason.as_str());
    let result = state
        .store
        .class_step(user.scope(), id, step, reason, today, &user.actor())
        .await
        .map_err(AppError::from)
        .map(|_| {
            let done = match step {
                ClassStep::Approve => "已备案通过",
                ClassStep::Return => "已退回培训机构",
                ClassStep::RequestClose => "已申请结业，等待人社部门审核",
                ClassStep::Close => "已结业",
                ClassStep::Refile => "已重新报备",
            };
            Flash::done(format!("该培训班{done}。"))
        });
    after_action(&state, &user, &format!("/classes/{id}"), result)
}

/// `POST /classes/{id}/approve`
pub async fn approve(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(f): Form<StepForm>,
) -> Result<Response, AppError> {
    step(s, user, id, f, ClassStep::Approve).await
}

/// `POST /classes/{id}/return` (reason required)
pub async fn return_class(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(f): Form<StepForm>,
) -> Result<Response, AppError> {
    step(s, user, id, f, ClassStep::Return).await
}

/// `POST /classes/{id}/close`
pub async fn close(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(f): Form<StepForm>,
) -> Result<Response, AppError> {
    step(s, user, id, f, ClassStep::Close).await
}

/// `POST /classes/{id}/request-close`
pub async fn request_close(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(f): Form<StepForm>,
) -> Result<Response, AppError> {
    step(s, user, id, f, ClassStep::RequestClose).await
}
