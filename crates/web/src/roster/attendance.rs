//! `POST /classes/{id}/roster/attendance`: hours and completion of one
//! trainee or of the whole class at once (all rows or none are written).
//! A refusal keeps every row as typed and marks the fields in error.

use super::{Typed, roster_page};
use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::flash::{FieldErrors, Flash, see_other};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use jineng_domain::CompletionResult;
use jineng_domain::access::Action;
use jineng_store::{Attendance, StoreError};
use std::collections::HashMap;

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The rows of the bulk form (`p` = person id, then `off_{p}`, `on_{p}`,
/// `done_{p}` for each), as typed, and the parsed rows or the fields in
/// error.
#[allow(clippy::type_complexity)]
fn rows(
    fields: &[(String, String)],
) -> Result<
    (
        HashMap<i64, (String, String, String)>,
        Result<Vec<Attendance>, FieldErrors>,
    ),
    AppError,
> {
    let mut typed = HashMap::new();
    let mut out = Vec::new();
    let mut errors = FieldErrors::default();
    for (k, v) in fields {
        if k != "p" {
            continue;
        }
        let person_id: i64 = v
            .parse()
            .map_err(|_| AppError::BadRequest("表单数据有误，请刷新页面后重试".into()))?;
        let who = format!("第 {} 行", typed.len() + 1);
        let (off, on, done) = (
            field(fields, &format!("off_{v}")),
            field(fields, &format!("on_{v}")),
            field(fields, &format!("done_{v}")),
        );
        typed.insert(person_id, (off.into(), on.into(), done.into()));
        let mut hours = |raw: &str, key: String, what: &str| -> i64 {
            let t = raw.trim();
            match t.parse::<i64>() {
                _ if t.is_empty() => 0,
                Ok(h) if h >= 0 => h,
                Ok(_) => {
                    errors.add(&key, format!("{who}的{what}不能为负数"));
                    0
                }
                Err(_) => {
                    errors.add(&key, format!("{who}的{what}「{t}」不是整数"));
                    0
                }
            }
        };
        let offline_hours = hours(off, format!("off_{v}"), "线下课时");
        let online_hours = hours(on, format!("on_{v}"), "线上课时");
        let completion = CompletionResult::from_code(done.trim()).unwrap_or_else(|| {
            errors.add(
                &format!("done_{v}"),
                format!("{who}：未知的结业结果「{done}」"),
            );
            CompletionResult::NotFinished
        });
        out.push(Attendance {
            person_id,
            offline_hours,
            online_hours,
            completion,
        });
    }
    if out.is_empty() {
        errors.add("", "没有要保存的学员");
    }
    let parsed = if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    };
    Ok((typed, parsed))
}

/// The fields a store refusal names: its rows are labelled 「姓名」 and
/// its columns 「线下课时」 …; a refusal of the whole class marks none.
fn marked(why: &str, roster: &jineng_store::Roster) -> FieldErrors {
    let mut e = FieldErrors::default();
    for l in &roster.lines {
        let label = format!("「{}」", l.name);
        if !why.contains(&label) {
            continue;
        }
        let p = l.person_id;
        if why.contains(&format!("{label}「线上课时」")) {
            e.add(&format!("on_{p}"), why);
        } else if why.contains(&format!("{label}「结业结果」")) {
            e.add(&format!("done_{p}"), why);
        } else {
            // The planned-hours bound and the rest: the offline hours.
            e.add(&format!("off_{p}"), why);
        }
    }
    e
}

pub async fn attendance(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    user.check_csrf(field(&fields, "csrf"))?;
    user.require(Action::EditRoster)?;
    let (attendance, parsed) = rows(&fields)?;
    let refusal = match parsed {
        Err(errors) => errors,
        Ok(rows) => match state
            .store
            .record_attendance(user.scope(), id, &rows, &user.actor())
            .await
        {
            Ok(s) => {
                let m = format!(
                    "已保存 {} 名学员：更新 {} 条，未变化 {} 条",
                    rows.len(),
                    s.updated + s.inserted,
                    s.unchanged
                );
                let to = format!("/classes/{id}/roster");
                return Ok(see_other(&state, &user, &to, Flash::done(m)));
            }
            Err(StoreError::Refused(why)) => {
                let roster = state.store.scoped_roster(user.scope(), id).await?;
                let mut e = marked(&why, &roster);
                if e.is_empty() {
                    e.add("", why);
                }
                e
            }
            Err(e) => return Err(e.into()),
        },
    };
    let mut messages: Vec<String> = refusal.messages().iter().map(|m| m.to_string()).collect();
    messages.dedup();
    let typed = Typed {
        attendance,
        error: Some(messages.join("；")),
        errors: refusal,
        ..Typed::default()
    };
    roster_page(&state, &user, id, typed).await
}
