//! A class's roster (花名册): the trainees with their hours and completion,
//! for the clerk of the class's institution (who edits it until the class
//! is closed) and read-only for officers of the 培训地. Enrolment is by ID
//! number and name (实名); a person not yet registered is registered from
//! the fields the persons template requires, parsed by that template's
//! own parser. Every write goes through the store's roster import path.
//!
//! A saved form redirects back to the roster (post/redirect/get); a
//! refused one shows the roster again (400) with everything as typed and
//! the fields in error marked.

mod attendance;
mod enrol;

pub use attendance::attendance;
pub use enrol::{EnrolForm, enrol};

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::filing::pickers;
use crate::flash::FieldErrors;
use crate::views::{Nav, level, page};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use jineng_domain::access::{Action, Scope};
use jineng_domain::{ClassStatus, CompletionResult};
use jineng_store::{Roster, RosterLine};
use std::collections::HashMap;

/// One trainee's row of the bulk form: stored, or as typed.
pub struct Line {
    pub l: RosterLine,
    pub off: String,
    pub on: String,
    pub done: String,
}

#[derive(Template)]
#[template(path = "roster.html")]
struct RosterPage {
    nav: Option<Nav>,
    r: Roster,
    lines: Vec<Line>,
    level: String,
    status: &'static str,
    can_edit: bool,
    /// Why hours and results cannot be recorded yet (domain rule), if so.
    no_results: Option<String>,
    /// An institution clerk may file claims for the class's trainees.
    can_file: bool,
    closed: bool,
    csrf: String,
    /// A refusal not tied to one field.
    error: Option<String>,
    errors: FieldErrors,
    enrol: EnrolForm,
    /// (code, name) for the 户籍地 picker.
    divisions: Vec<(String, String)>,
    /// (code, label) of the completion results, for the dropdowns.
    completions: Vec<(&'static str, &'static str)>,
    /// The vouchers section (`crate::vouchers`), rendered.
    vouchers: String,
}

/// What a refused form brings back to the page.
#[derive(Default)]
pub struct Typed {
    /// person id → (offline, online, completion) as typed.
    pub attendance: HashMap<i64, (String, String, String)>,
    pub enrol: EnrolForm,
    pub errors: FieldErrors,
    pub error: Option<String>,
    /// The voucher redemption form (`crate::vouchers`) and its errors.
    pub voucher: crate::vouchers::VoucherForm,
    pub voucher_errors: FieldErrors,
}

pub(crate) async fn roster_page(
    state: &AppState,
    user: &User,
    class_id: i64,
    typed: Typed,
) -> Result<Response, AppError> {
    user.require(Action::ViewClasses)?;
    let r = state.store.scoped_roster(user.scope(), class_id).await?;
    let status = r.class.status;
    let closed = status == ClassStatus::Closed;
    let can_edit = user.role().may(Action::EditRoster) && !closed;
    let today = crate::claims::today();
    let no_results = status.may_record_results(r.class.start_date, today).err();
    let refused = !typed.errors.is_empty() || typed.error.is_some();
    let lines = r
        .lines
        .iter()
        .map(|l| {
            let (off, on, done) = typed.attendance.get(&l.person_id).cloned().unwrap_or((
                l.offline_hours.to_string(),
                l.online_hours.to_string(),
                l.completion.clone(),
            ));
            Line {
                l: l.clone(),
                off,
                on,
                done,
            }
        })
        .collect();
    let divisions = if can_edit {
        pickers::divisions(state, user, &state.store.ref_data().await?).await?
    } else {
        Vec::new()
    };
    let vouchers = crate::vouchers::roster_section(
        state,
        user,
        class_id,
        !closed,
        typed.voucher,
        typed.voucher_errors,
    )
    .await?;
    let mut res = page(&RosterPage {
        vouchers,
        nav: Some(Nav::of(user)),
        level: level(r.class.skill_level),
        status: status.as_zh(),
        can_edit,
        no_results,
        can_file: user.role().may(Action::FileClaims)
            && matches!(user.scope(), Scope::Institution(_)),
        closed,
        csrf: user.csrf.clone(),
        error: typed.error,
        errors: typed.errors,
        enrol: typed.enrol,
        divisions,
        completions: [
            CompletionResult::NotFinished,
            CompletionResult::Passed,
            CompletionResult::Failed,
        ]
        .iter()
        .map(|c| (c.code(), c.as_zh()))
        .collect(),
        lines,
        r,
    })?;
    if refused {
        *res.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(res)
}

/// `GET /classes/{id}/roster`
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    roster_page(&state, &user, id, Typed::default()).await
}
