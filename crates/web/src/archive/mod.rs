//! Downloads of the worker's record (issue 15 items 4–5): a certificate's
//! PDF, the archive as PDF and as a signed bundle (a Verifiable
//! Presentation, docs/credentials.md). The worker takes their own from
//! `/me`; an officer who may see the person takes them from the person's
//! page. Every archive download is audited (`export_archive`, the
//! person's masked ID, the format, the account); a certificate PDF
//! allocates its verify code on first print (audited as an issue).

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::imports::download;
use crate::printing::{archive_pdf, certificate_pdf};
use axum::extract::{Path, State};
use axum::response::Response;
use jineng_domain::access::{Action, Scope};
use jineng_store::WorkerRecord;

/// The person whose record `user` asks for: their own (`None`) or, for
/// an officer, one in scope.
async fn person_of(state: &AppState, user: &User, asked: Option<i64>) -> Result<i64, AppError> {
    match (user.scope(), asked) {
        (Scope::Person(pid), None) => {
            user.require(Action::ViewOwnArchive)?;
            Ok(*pid)
        }
        (_, Some(id)) => {
            user.require(Action::ViewPersons)?;
            state.store.scoped_id_number(user.scope(), id).await?;
            Ok(id)
        }
        _ => Err(AppError::forbidden()),
    }
}

async fn record(state: &AppState, pid: i64) -> Result<WorkerRecord, AppError> {
    state
        .store
        .worker_record(pid)
        .await?
        .ok_or_else(|| AppError::NotFound("没有该人员".into()))
}

async fn archive_file(
    state: &AppState,
    user: &User,
    asked: Option<i64>,
    ext: &str,
) -> Result<Response, AppError> {
    let pid = person_of(state, user, asked).await?;
    let r = record(state, pid).await?;
    let now = chrono::Utc::now();
    let bytes = match ext {
        "pdf" => {
            archive_pdf(&r, &state.credentials, &state.bureau, now)
                .map_err(|e| AppError::Internal(e.to_string()))?
                .bytes
        }
        _ => {
            let vp = state
                .store
                .archive_bundle(&state.credentials, &r, &user.actor(), now)
                .await?;
            let mut text =
                serde_json::to_string_pretty(&vp).map_err(|e| AppError::Internal(e.to_string()))?;
            text.push('\n');
            text.into_bytes()
        }
    };
    state
        .store
        .record_archive_export(&r, ext, &user.actor())
        .await?;
    let name = format!("{}-电子档案.{ext}", r.archive.name);
    Ok(download(bytes, ext, &name, &format!("archive.{ext}")))
}

/// `GET /me/archive.pdf`
pub async fn me_pdf(State(s): State<AppState>, user: User) -> Result<Response, AppError> {
    archive_file(&s, &user, None, "pdf").await
}

/// `GET /me/archive.json`: the signed bundle.
pub async fn me_json(State(s): State<AppState>, user: User) -> Result<Response, AppError> {
    archive_file(&s, &user, None, "json").await
}

/// `GET /persons/{id}/archive.pdf`
pub async fn person_pdf(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    archive_file(&s, &user, Some(id), "pdf").await
}

/// `GET /persons/{id}/archive.json`
pub async fn person_json(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    archive_file(&s, &user, Some(id), "json").await
}

/// `GET /certificates/{no}/pdf`: the holder's own, or an officer's for a
/// person in scope.
pub async fn certificate(
    State(s): State<AppState>,
    user: User,
    Path(no): Path<String>,
) -> Result<Response, AppError> {
    let holders = s.store.certificate_holder(&no).await?;
    let allowed = match user.scope() {
        Scope::Person(pid) => {
            user.require(Action::ViewOwnArchive)?;
            holders.contains(pid)
        }
        scope => {
            user.require(Action::ViewPersons)?;
            let mut any = false;
            for h in &holders {
                any |= s.store.scoped_id_number(scope, *h).await.is_ok();
            }
            any
        }
    };
    if !allowed {
        return Err(AppError::Forbidden(
            "该证书不存在或不在您的查看范围内".into(),
        ));
    }
    let p = s.store.printable_certificate(&no, &user.actor()).await?;
    let pdf = certificate_pdf(&p, &s.credentials, &s.bureau, chrono::Utc::now())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let safe: String = no
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    Ok(download(
        pdf.bytes,
        "pdf",
        &format!("{no}.pdf"),
        &format!("{safe}.pdf"),
    ))
}
