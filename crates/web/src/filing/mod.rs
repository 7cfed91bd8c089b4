//! Filing subsidy claims (补贴申领) on the web, by the three claimants:
//! an institution for the trainees of one of its classes
//! (`/classes/{id}/claims`), an enterprise for its employees
//! (`/enterprise/claims`), a worker on their own certificate
//! (`/me/claims`). The subsidy types offered come from the loaded policy
//! (who its pricing rule pays); the store keeps each claim in the filer's
//! scope, numbers it and has the policy engine decide it at once, so the
//! filer sees 待核准/待复核/不予核准 and the reasons on `/claims/{no}`.

pub mod form;

use crate::AppState;
use crate::auth::User;
use crate::claims::today;
use crate::error::AppError;
use crate::views::{Nav, page, yuan};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use jineng_domain::access::{Action, Scope};
use jineng_store::{ArchiveCertificate, ClaimRequest, ClaimRow, Filed, RosterLine};

/// The most claims a claimant's list shows.
const LIMIT: i64 = 200;

/// What every filing page shows besides its form.
struct Common {
    csrf: String,
    types: Vec<String>,
    today: String,
    filed: Vec<Filed>,
    error: Option<String>,
    /// (claim, amount in yuan)
    claims: Vec<(ClaimRow, String)>,
}

async fn common(
    state: &AppState,
    user: &User,
    filed: Vec<Filed>,
    error: Option<String>,
) -> Result<Common, AppError> {
    user.require(Action::FileClaims)?;
    let claims = state
        .store
        .scoped_claims(user.scope(), None, LIMIT)
        .await?
        .into_iter()
        .map(|c| {
            let a = c.amount_fen.map(yuan).unwrap_or_else(|| "—".into());
            (c, a)
        })
        .collect();
    Ok(Common {
        csrf: user.csrf.clone(),
        types: state
            .store
            .fileable_subsidy_types(user.scope(), today())
            .await?,
        today: today().to_string(),
        filed,
        error,
        claims,
    })
}

/// Files the claims; a refusal (bad input, rule of the filing) is shown
/// on the page with status 400, anything else is answered as such.
async fn file(
    state: &AppState,
    user: &User,
    build: Result<Vec<ClaimRequest>, AppError>,
) -> Result<(Vec<Filed>, Option<String>), AppError> {
    let result = match build {
        Ok(requests) => state
            .store
            .file_claims(user.scope(), requests, today(), &user.actor())
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(filed) => Ok((filed, None)),
        Err(AppError::BadRequest(why)) => Ok((Vec::new(), Some(why))),
        Err(e) => Err(e),
    }
}

fn with_status(mut res: Response, error: &Option<String>) -> Response {
    if error.is_some() {
        *res.status_mut() = StatusCode::BAD_REQUEST;
    }
    res
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

// ---- institution: the trainees of one class ----

#[derive(Template)]
#[template(path = "filing_class.html")]
struct ClassPage {
    nav: Option<Nav>,
    c: Common,
    class_id: i64,
    class_no: String,
    closed: bool,
    lines: Vec<RosterLine>,
}

async fn class_page(
    state: &AppState,
    user: &User,
    class_id: i64,
    filed: Vec<Filed>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let c = common(state, user, filed, error).await?;
    let r = state.store.scoped_roster(user.scope(), class_id).await?;
    let err = c.error.clone();
    Ok(with_status(
        page(&ClassPage {
            nav: Some(Nav::of(user)),
            c,
            class_id,
            class_no: r.class.class_no.clone(),
            closed: r.class.status == "closed",
            lines: r.lines,
        })?,
        &err,
    ))
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
    class_page(&state, &user, id, Vec::new(), None).await
}

/// `POST /classes/{id}/claims`: `subsidy_type`, `applied_on`, and one `p`
/// (person id) per ticked trainee.
pub async fn class_file(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    user.check_csrf(field(&fields, "csrf"))?;
    user.require(Action::FileClaims)?;
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
    let (filed, error) = file(&state, &user, build).await?;
    class_page(&state, &user, id, filed, error).await
}

// ---- enterprise: its employees ----

#[derive(Template)]
#[template(path = "filing_enterprise.html")]
struct EnterprisePage {
    nav: Option<Nav>,
    c: Common,
}

async fn enterprise_page(
    state: &AppState,
    user: &User,
    filed: Vec<Filed>,
    error: Option<String>,
) -> Result<Response, AppError> {
    if !matches!(user.scope(), Scope::Enterprise(_)) {
        return Err(AppError::forbidden());
    }
    let c = common(state, user, filed, error).await?;
    let err = c.error.clone();
    Ok(with_status(
        page(&EnterprisePage {
            nav: Some(Nav::of(user)),
            c,
        })?,
        &err,
    ))
}

/// `GET /enterprise/claims`
pub async fn enterprise_list(
    State(state): State<AppState>,
    user: User,
) -> Result<Response, AppError> {
    enterprise_page(&state, &user, Vec::new(), None).await
}

/// `POST /enterprise/claims`: one employee's claim.
pub async fn enterprise_file(
    State(state): State<AppState>,
    user: User,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    user.check_csrf(field(&fields, "csrf"))?;
    user.require(Action::FileClaims)?;
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
    let (filed, error) = file(&state, &user, build).await?;
    enterprise_page(&state, &user, filed, error).await
}

// ---- worker: on their own certificate ----

#[derive(Template)]
#[template(path = "filing_worker.html")]
struct WorkerPage {
    nav: Option<Nav>,
    c: Common,
    certificates: Vec<ArchiveCertificate>,
}

async fn worker_page(
    state: &AppState,
    user: &User,
    filed: Vec<Filed>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let Scope::Person(pid) = user.scope() else {
        return Err(AppError::forbidden());
    };
    let c = common(state, user, filed, error).await?;
    let a = state
        .store
        .scoped_archive(user.scope(), *pid, &user.actor(), false)
        .await?
        .ok_or_else(AppError::forbidden)?;
    let err = c.error.clone();
    Ok(with_status(
        page(&WorkerPage {
            nav: Some(Nav::of(user)),
            c,
            certificates: a.certificates,
        })?,
        &err,
    ))
}

/// `GET /me/claims`
pub async fn worker_list(State(state): State<AppState>, user: User) -> Result<Response, AppError> {
    worker_page(&state, &user, Vec::new(), None).await
}

/// `POST /me/claims`: `subsidy_type`, `cert_no`, `applied_on`.
pub async fn worker_file(
    State(state): State<AppState>,
    user: User,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    user.check_csrf(field(&fields, "csrf"))?;
    user.require(Action::FileClaims)?;
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
    let (filed, error) = file(&state, &user, build).await?;
    worker_page(&state, &user, filed, error).await
}
