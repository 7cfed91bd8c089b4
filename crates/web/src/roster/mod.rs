//! A class's roster (花名册): the trainees with their hours and completion,
//! for the clerk of the class's institution (who edits it until the class
//! is closed) and read-only for officers of the 培训地. Enrolment is by ID
//! number and name (实名); a person not yet registered is registered from
//! the fields the persons template requires, parsed by that template's
//! own parser. Every write goes through the store's roster import path.

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::filing::form;
use crate::views::{Nav, level, page};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use jineng_domain::CompletionResult;
use jineng_domain::access::Action;
use jineng_store::{Attendance, Roster};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "roster.html")]
struct RosterPage {
    nav: Option<Nav>,
    r: Roster,
    level: String,
    can_edit: bool,
    /// An institution clerk may file claims for the class's trainees.
    can_file: bool,
    closed: bool,
    csrf: String,
    message: Option<String>,
    error: Option<String>,
    /// (code, label) of the completion results, for the dropdowns.
    completions: Vec<(&'static str, &'static str)>,
}

async fn roster_page(
    state: &AppState,
    user: &User,
    class_id: i64,
    message: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    user.require(Action::ViewClasses)?;
    let r = state.store.scoped_roster(user.scope(), class_id).await?;
    let closed = r.class.status == "closed";
    page(&RosterPage {
        nav: Some(Nav::of(user)),
        level: level(r.class.skill_level),
        can_edit: user.role().may(Action::EditRoster) && !closed,
        can_file: user.role().may(Action::FileClaims)
            && matches!(user.scope(), jineng_domain::access::Scope::Institution(_)),
        closed,
        csrf: user.csrf.clone(),
        message,
        error,
        completions: [
            CompletionResult::NotFinished,
            CompletionResult::Passed,
            CompletionResult::Failed,
        ]
        .iter()
        .map(|c| (c.code(), c.as_zh()))
        .collect(),
        r,
    })
}

/// A refused write shows the roster again with the reason; other errors
/// (403, CSRF) are answered as such.
async fn after_write(
    state: &AppState,
    user: &User,
    class_id: i64,
    result: Result<String, AppError>,
) -> Result<Response, AppError> {
    match result {
        Ok(msg) => roster_page(state, user, class_id, Some(msg), None).await,
        Err(AppError::BadRequest(why)) => {
            let mut res = roster_page(state, user, class_id, None, Some(why)).await?;
            *res.status_mut() = axum::http::StatusCode::BAD_REQUEST;
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

/// `GET /classes/{id}/roster`
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    roster_page(&state, &user, id, None, None).await
}

#[derive(Deserialize)]
pub struct EnrolForm {
    csrf: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    name: String,
    /// The persons template's other fields, for a person not yet registered.
    #[serde(default)]
    sex: String,
    #[serde(default)]
    hukou_region: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    education: String,
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
    let result = async {
        let refdata = state.store.ref_data().await?;
        let today = crate::claims::today();
        let pid = form::national_id(&f.id_number, &refdata, today)?;
        let name = f.name.trim();
        if name.is_empty() {
            return Err(AppError::BadRequest("请填写姓名".into()));
        }
        // Only when the registry lacks the person are the other fields needed.
        let new_person = if f.hukou_region.trim().is_empty() {
            None
        } else {
            Some(form::person(
                &refdata,
                today,
                &[
                    ("姓名", name),
                    ("身份证号码", &f.id_number),
                    ("性别", &f.sex),
                    ("户籍地", &f.hukou_region),
                    ("联系电话", &f.phone),
                    ("文化程度", &f.education),
                ],
            )?)
        };
        state
            .store
            .enrol_trainee(
                user.scope(),
                id,
                &pid,
                name,
                new_person.as_ref(),
                &user.actor(),
            )
            .await?;
        Ok(format!("已将「{name}」加入花名册"))
    }
    .await;
    after_write(&state, &user, id, result).await
}

fn hours(raw: &str, what: &str, who: &str) -> Result<i64, AppError> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(0);
    }
    t.parse::<i64>()
        .map_err(|_| AppError::BadRequest(format!("「{who}」的{what}「{t}」不是整数")))
}

/// The rows of the bulk form: `p` = person id, then `off_{p}`, `on_{p}`,
/// `done_{p}` for each.
fn attendance_rows(fields: &[(String, String)]) -> Result<Vec<Attendance>, AppError> {
    let get = |k: String| {
        fields
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let mut rows = Vec::new();
    for (k, v) in fields {
        if k != "p" {
            continue;
        }
        let person_id: i64 = v
            .parse()
            .map_err(|_| AppError::BadRequest("表单数据有误，请刷新页面后重试".into()))?;
        let who = format!("第 {} 行", rows.len() + 1);
        let done = get(format!("done_{v}"));
        rows.push(Attendance {
            person_id,
            offline_hours: hours(get(format!("off_{v}")), "线下课时", &who)?,
            online_hours: hours(get(format!("on_{v}")), "线上课时", &who)?,
            completion: CompletionResult::from_code(done.trim())
                .ok_or_else(|| AppError::BadRequest(format!("{who}：未知的结业结果「{done}」")))?,
        });
    }
    Ok(rows)
}

/// `POST /classes/{id}/roster/attendance`: hours and completion of one
/// trainee or of the whole class at once (all rows or none are written).
pub async fn attendance(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let csrf = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    user.check_csrf(csrf)?;
    user.require(Action::EditRoster)?;
    let result = async {
        let rows = attendance_rows(&fields)?;
        if rows.is_empty() {
            return Err(AppError::BadRequest("没有要保存的学员".into()));
        }
        let s = state
            .store
            .record_attendance(user.scope(), id, &rows, &user.actor())
            .await?;
        Ok(format!(
            "已保存 {} 名学员：更新 {} 条，未变化 {} 条",
            rows.len(),
            s.updated + s.inserted,
            s.unchanged
        ))
    }
    .await;
    after_write(&state, &user, id, result).await
}
