//! Filing subsidy claims (补贴申领) on the web, by the three claimants:
//! an institution for the trainees of one of its classes
//! (`/classes/{id}/claims`), an enterprise for its employees
//! (`/enterprise/claims`), a worker on their own certificate
//! (`/me/claims`). The subsidy types offered come from the loaded policy
//! (who its pricing rule pays); the store keeps each claim in the filer's
//! scope, numbers it and has the policy engine decide it at once, so the
//! filer sees 待核准/待复核/不予核准 and the reasons on `/claims/{no}`.

mod class;
mod enterprise;
pub mod form;
mod list;
pub mod pickers;
mod worker;

pub use class::{class_file, class_form};
pub use enterprise::{enterprise_file, enterprise_list};
pub use worker::{worker_file, worker_list};

use crate::AppState;
use crate::auth::User;
use crate::claims::today;
use crate::error::AppError;
use crate::flash::{FieldErrors, Flash, FlashLine};
use crate::views::{page, yuan};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;
use jineng_domain::ClaimStatus;
use jineng_domain::access::Action;
use jineng_domain::policy::PolicyMeta;
use jineng_store::{ClaimRequest, ClaimRow, Filed};
use serde::Deserialize;

/// The most claims a claimant's list shows.
const LIMIT: i64 = 200;

/// What every filing page shows besides its form.
struct Common {
    csrf: String,
    types: Vec<String>,
    today: String,
    /// Why the form just posted was refused.
    error: Option<String>,
    /// The refused form as typed (name, value); empty otherwise.
    typed: Vec<(String, String)>,
    /// The fields the refusal names, marked.
    errors: FieldErrors,
    /// (claim, amount in yuan)
    claims: Vec<(ClaimRow, String)>,
    /// The claims list's pager, sort and filters.
    list: list::Listing,
    /// The policy the claims are decided under, with its validity.
    policy: Option<String>,
    /// A warning before filing: the date is out of the policy's validity.
    warn: Option<String>,
}

impl Common {
    /// A field as typed, or `default`.
    fn v<'a>(&'a self, name: &str, default: &'a str) -> &'a str {
        self.typed
            .iter()
            .find(|(k, _)| k == name)
            .map_or(default, |(_, v)| v.as_str())
    }
}

fn rows_of(claims: Vec<ClaimRow>) -> Vec<(ClaimRow, String)> {
    claims
        .into_iter()
        .map(|c| {
            let a = c.amount_fen.map(yuan).unwrap_or_else(|| "—".into());
            (c, a)
        })
        .collect()
}

async fn common(
    state: &AppState,
    user: &User,
    error: Option<String>,
    typed: Vec<(String, String)>,
) -> Result<(Common, Option<PolicyMeta>), AppError> {
    user.require(Action::FileClaims)?;
    let meta = state.store.filing_policy(user.scope(), today()).await?;
    let errors = error.as_deref().map(fields_named).unwrap_or_default();
    let c = Common {
        errors,
        csrf: user.csrf.clone(),
        types: state
            .store
            .fileable_subsidy_types(user.scope(), today())
            .await?,
        today: today().to_string(),
        error,
        typed,
        claims: Vec::new(),
        list: list::Listing::whole(0),
        policy: meta.as_ref().map(|m| {
            format!(
                "《{}》（{}），有效期 {}",
                m.title,
                m.doc_no,
                m.validity_zh()
            )
        }),
        warn: None,
    };
    Ok((c, meta))
}

/// The form fields a refusal names: the claims template's columns
/// (「身份证号码」…) and the name checks (姓名, 冒名).
fn fields_named(why: &str) -> FieldErrors {
    let mut e = FieldErrors::default();
    for (column, field) in [
        ("「补贴类型」", "subsidy_type"),
        ("「身份证号码」", "id_number"),
        ("「班级编号」", "class_no"),
        ("「统一社会信用代码」", "institution"),
        ("「申请日期」", "applied_on"),
        ("「月数」", "months"),
        ("「证书编号」", "cert_no"),
        ("「姓名」", "name"),
        ("职工姓名", "name"),
        ("不是您可以申领的补贴类型", "subsidy_type"),
        ("须填写月数", "months"),
        ("须选择培训班", "class_no"),
    ] {
        if why.contains(column) && e.get(field).is_none() {
            e.add(field, why);
        }
    }
    e
}

/// The warning when `date` (what it is: 申请日期, 结业日期 …) lies outside
/// the policy's validity: such a claim is refused (不予核准) by the engine.
fn out_of_validity(meta: Option<&PolicyMeta>, what: &str, date: NaiveDate) -> Option<String> {
    let m = meta?;
    (!m.in_force(date)).then(|| {
        format!(
            "注意：{what} {date} 不在补贴政策《{}》（{}）的有效期（{}）内，按此提交的申领将因超出政策有效期而不予核准。",
            m.title,
            m.doc_no,
            m.validity_zh()
        )
    })
}

/// Files the claims: what was filed, or why the filing was refused (bad
/// input, a rule of the filing); anything else (403 …) is the outer error.
async fn file(
    state: &AppState,
    user: &User,
    build: Result<Vec<ClaimRequest>, AppError>,
) -> Result<Result<Vec<Filed>, String>, AppError> {
    let result = match build {
        Ok(requests) => state
            .store
            .file_claims(user.scope(), requests, today(), &user.actor())
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(filed) => Ok(Ok(filed)),
        Err(AppError::BadRequest(why)) => Ok(Err(why)),
        Err(e) => Err(e),
    }
}

/// What a filing did, for the page it redirects to: each claim with the
/// engine's decision. A claim refused (不予核准) or held because no policy
/// applies to its date (无适用政策) is shown in the refusal style, and all
/// of them so is the banner: never a green banner for a refusal.
fn filed_flash(filed: &[Filed]) -> Flash {
    let bad = |f: &Filed| f.status == ClaimStatus::Rejected || f.no_policy;
    let refused = filed.iter().filter(|f| bad(f)).count();
    let n = filed.len();
    let text = if refused == n {
        format!("已提交 {n} 件申领，均未通过政策审核（点击申领编号查看逐条依据）：")
    } else if refused > 0 {
        format!("已提交 {n} 件申领，其中 {refused} 件未通过政策审核（点击申领编号查看逐条依据）：")
    } else {
        format!("已提交 {n} 件申领，政策审核结果如下（点击申领编号查看逐条依据）：")
    };
    Flash {
        refused: refused == n && n > 0,
        text,
        lines: filed
            .iter()
            .map(|f| FlashLine {
                href: crate::claims::claim_href(&f.claim_no),
                label: f.claim_no.clone(),
                note: if f.no_policy {
                    format!(
                        "{}：无适用的补贴政策（日期不在已载入政策的有效期内）",
                        f.status_zh
                    )
                } else {
                    f.status_zh.to_string()
                },
                refused: bad(f),
            })
            .collect(),
        ..Flash::default()
    }
}

/// A filing page; 400 when it shows a refused form again.
fn filing_page(t: &impl askama::Template, refused: bool) -> Result<Response, AppError> {
    let mut res = page(t)?;
    if refused {
        *res.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(res)
}

/// A filing form's post: its CSRF token and the right to file.
fn check_post(user: &User, fields: &[(String, String)]) -> Result<(), AppError> {
    user.check_csrf(field(fields, "csrf"))?;
    user.require(Action::FileClaims)
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The typed fields worth showing again (not the CSRF token).
fn typed(fields: &[(String, String)]) -> Vec<(String, String)> {
    fields
        .iter()
        .filter(|(k, _)| k != "csrf")
        .cloned()
        .collect()
}

#[derive(Deserialize)]
pub struct DateQuery {
    #[serde(default)]
    applied_on: String,
}

/// `GET /claims/validity?applied_on=`: the filing forms' check as the
/// date changes (htmx): the warning, or nothing.
pub async fn validity(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<DateQuery>,
) -> Result<Response, AppError> {
    user.require(Action::FileClaims)?;
    let warn = match q.applied_on.trim().parse::<NaiveDate>() {
        Ok(d) => {
            let meta = state.store.filing_policy(user.scope(), today()).await?;
            out_of_validity(meta.as_ref(), "申请日期", d)
        }
        Err(_) => None,
    };
    let html = warn
        .map(|w| {
            format!(
                "<p class=\"warn\" role=\"alert\">{}</p>",
                crate::flash::escape(&w)
            )
        })
        .unwrap_or_default();
    Ok(Html(html).into_response())
}
