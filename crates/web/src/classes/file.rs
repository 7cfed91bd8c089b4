//! 开班备案 by an institution clerk: a form for one class of the clerk's
//! own institution. The fields are read by the classes template's own row
//! parser (the same checks and Chinese messages as an upload) and written
//! by the store's class writer; the class then awaits review (待审核).
//! A returned class (已退回) opens prefilled from its stored record
//! (`/classes/new?from={id}`); a refused form comes back as typed with the
//! fields in error marked. Occupation and 培训地 have pickers (the
//! catalogue's occupations, the divisions in reach).

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::filing::pickers;
use crate::flash::{FieldErrors, Flash, see_other};
use crate::views::{Nav, page};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use jineng_domain::access::Action;
use jineng_domain::refdata::vocab_kind;
use jineng_ingest::columns::ColumnMap;
use jineng_ingest::parse::{ParseCtx, class};
use jineng_ingest::reader::Row;
use jineng_ingest::templates::template;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct ClassForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    class_no: String,
    #[serde(default)]
    training_type: String,
    #[serde(default)]
    occupation: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    site: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    hours: String,
}

#[derive(Template)]
#[template(path = "class_new.html")]
struct NewPage {
    nav: Option<Nav>,
    csrf: String,
    institution: String,
    training_types: Vec<String>,
    levels: Vec<&'static str>,
    f: ClassForm,
    errors: FieldErrors,
    /// (code, name) for the pickers.
    occupations: Vec<(String, String)>,
    divisions: Vec<(String, String)>,
    /// Filed again after 退回: the officer's reason.
    returned: Option<String>,
}

/// The form field of a classes-template column.
fn field_of(column: &str) -> &'static str {
    match column {
        "班级编号" => "class_no",
        "培训类型" => "training_type",
        "职业编码" | "职业名称" => "occupation",
        "等级" => "level",
        "培训地" => "site",
        "开班日期" => "start",
        "结业日期" => "end",
        "计划课时" => "hours",
        _ => "",
    }
}

/// The clerk's institution: (name, credit code).
async fn own_institution(state: &AppState, user: &User) -> Result<(String, String), AppError> {
    state
        .store
        .scoped_institutions(user.scope())
        .await?
        .into_iter()
        .next()
        .map(|(_, name, code)| (name, code))
        .ok_or_else(AppError::forbidden)
}

async fn form_page(
    state: &AppState,
    user: &User,
    f: ClassForm,
    errors: FieldErrors,
    returned: Option<String>,
) -> Result<Response, AppError> {
    let (institution, _) = own_institution(state, user).await?;
    let refdata = state.store.ref_data().await?;
    let refused = !errors.is_empty();
    let mut res = page(&NewPage {
        nav: Some(Nav::of(user)),
        csrf: user.csrf.clone(),
        institution,
        training_types: refdata.terms(vocab_kind::TRAINING_TYPE).to_vec(),
        levels: vec!["五级", "四级", "三级", "二级", "一级"],
        f,
        errors,
        occupations: pickers::occupations(state, &refdata).await?,
        divisions: pickers::divisions(state, user, &refdata).await?,
        returned,
    })?;
    if refused {
        *res.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    Ok(res)
}

#[derive(Deserialize)]
pub struct NewQuery {
    /// A returned class to file again, prefilled.
    #[serde(default)]
    from: String,
}

/// A returned class's stored record as the form's fields, with the reason
/// it was returned.
async fn returned_class(
    state: &AppState,
    user: &User,
    raw: &str,
) -> Result<(ClassForm, Option<String>), AppError> {
    let id = super::class_id(raw)?;
    let d = state.store.class_detail(user.scope(), id).await?;
    if d.status != jineng_domain::ClassStatus::Returned {
        return Err(AppError::BadRequest(format!(
            "培训班「{}」{}，不是已退回的培训班，不能重新填报",
            d.class_no,
            d.status.as_zh()
        )));
    }
    let reason = d
        .history
        .iter()
        .rev()
        .find(|e| e.to_status == jineng_domain::ClassStatus::Returned)
        .and_then(|e| e.reason.clone());
    let f = ClassForm {
        csrf: String::new(),
        class_no: d.class_no,
        training_type: d.training_type,
        occupation: d.occupation_code,
        // "五级/初级工" → "五级", the form's option; none → "".
        level: d
            .skill_level
            .map(|_| crate::views::level(d.skill_level))
            .and_then(|l| l.split('/').next().map(str::to_string))
            .unwrap_or_default(),
        site: d.site_code,
        start: d.start_date.to_string(),
        end: d.end_date.to_string(),
        hours: d.planned_hours.to_string(),
    };
    Ok((f, reason))
}

/// `GET /classes/new`
pub async fn new(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<NewQuery>,
) -> Result<Response, AppError> {
    user.require(Action::FileClasses)?;
    let (f, returned) = match q.from.trim() {
        "" => (ClassForm::default(), None),
        raw => returned_class(&state, &user, raw).await?,
    };
    form_page(&state, &user, f, FieldErrors::default(), returned).await
}

/// `POST /classes/new`
pub async fn create(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<ClassForm>,
) -> Result<Response, AppError> {
    user.require(Action::FileClasses)?;
    user.check_csrf(&f.csrf)?;
    let (_, code) = own_institution(&state, &user).await?;
    let spec = template("classes").expect("the classes template");
    let cells = [
        &f.class_no,
        &code,
        &f.training_type,
        &f.occupation,
        &String::new(),
        &f.level,
        &f.site,
        &f.start,
        &f.end,
        &f.hours,
    ];
    let headers: Vec<String> = spec.columns.iter().map(|c| c.name.to_string()).collect();
    let (map, _) =
        ColumnMap::resolve(spec, &headers).map_err(|e| AppError::Internal(e.join("；")))?;
    let row = Row {
        number: 1,
        cells: cells.iter().map(|c| c.trim().to_string()).collect(),
    };
    let refdata = state.store.ref_data().await?;
    let ctx = ParseCtx {
        refdata: &refdata,
        today: chrono::Local::now().date_naive(),
    };
    let record = match class(ctx, &map, &row) {
        Ok(r) => r,
        Err(errs) => {
            let mut errors = FieldErrors::default();
            for e in errs {
                errors.add(
                    field_of(&e.column),
                    format!("「{}」{}", e.column, e.message),
                );
            }
            return form_page(&state, &user, f, errors, None).await;
        }
    };
    match state
        .store
        .file_class(user.scope(), record, &user.actor())
        .await
    {
        Ok(id) => Ok(see_other(
            &state,
            &user,
            &format!("/classes/{id}"),
            Flash::done("已提交开班备案，等待培训地人社部门审核。"),
        )),
        Err(jineng_store::StoreError::Refused(m)) => {
            // The writer's refusals name their column: 「培训地」… or the number.
            let field = m
                .strip_prefix('「')
                .and_then(|r| r.split_once('」'))
                .map(|(c, _)| field_of(c))
                .filter(|f| !f.is_empty())
                .unwrap_or("class_no");
            form_page(&state, &user, f, FieldErrors::one(field, m), None).await
        }
        Err(e) => Err(e.into()),
    }
}
