//! 开班备案 by an institution clerk: a form for one class of the clerk's
//! own institution. The fields are read by the classes template's own row
//! parser (the same checks and Chinese messages as an upload) and written
//! by the store's class writer; the class then awaits review (待审核).

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::views::{Nav, page};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
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
    errors: Vec<String>,
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
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let (institution, _) = own_institution(state, user).await?;
    let refdata = state.store.ref_data().await?;
    page(&NewPage {
        nav: Some(Nav::of(user)),
        csrf: user.csrf.clone(),
        institution,
        training_types: refdata.terms(vocab_kind::TRAINING_TYPE).to_vec(),
        levels: vec!["五级", "四级", "三级", "二级", "一级"],
        f,
        errors,
    })
}

/// `GET /classes/new`
pub async fn new(State(state): State<AppState>, user: User) -> Result<Response, AppError> {
    user.require(Action::FileClasses)?;
    form_page(&state, &user, ClassForm::default(), Vec::new()).await
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
            let errs = errs
                .into_iter()
                .map(|e| format!("「{}」{}", e.column, e.message))
                .collect();
            return form_page(&state, &user, f, errs).await;
        }
    };
    match state
        .store
        .file_class(user.scope(), record, &user.actor())
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/classes/{id}")).into_response()),
        Err(jineng_store::StoreError::Refused(m)) => form_page(&state, &user, f, vec![m]).await,
        Err(e) => Err(e.into()),
    }
}
