//! Closing a case (结案) with a finding, in two steps: the form on the case
//! page posts here; the first post shows what the finding will do to the
//! claims the case names (`Finding::effects`) and asks to confirm; the
//! confirmed post closes the case through the store (audited) and
//! redirects to the case (post/redirect/get). A refused form comes back
//! on the case page with the reasons and the input as typed.

use super::{CloseInput, case_page, yuan};
use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::views::{Nav, page};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jineng_domain::ClaimStep;
use jineng_domain::access::Action;
use jineng_domain::supervision::case::Finding;
use jineng_store::{CaseDetail, StoreError};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    finding: String,
    #[serde(default)]
    note: String,
    /// `yes`: 属实 also marks the case's certificates revoked.
    #[serde(default)]
    revoke_certs: String,
    /// `yes` on the confirmation step.
    #[serde(default)]
    confirm: String,
}

#[derive(Template)]
#[template(path = "supervision_close.html")]
struct ConfirmPage {
    nav: Option<Nav>,
    csrf: String,
    case_no: String,
    finding: &'static str,
    note: String,
    revoke_certs: bool,
    effects: Vec<String>,
}

/// What closing with `finding` will do, in words, from the claims the
/// case names in the scope and the domain's effects of the finding.
fn effects_text(d: &CaseDetail, finding: Finding, revoke_certs: bool) -> Vec<String> {
    let e = finding.effects();
    let can = |step| {
        move |c: &&jineng_store::CaseClaim| c.status.is_some_and(|s| s.after(step, None).is_ok())
    };
    let unpaid: Vec<_> = d.claims.iter().filter(can(ClaimStep::Reject)).collect();
    let paid: Vec<_> = d.claims.iter().filter(can(ClaimStep::Recover)).collect();
    let paid_fen: i64 = paid.iter().filter_map(|c| c.amount_fen).sum();
    let mut out = Vec::new();
    if e.reject_unpaid {
        out.push(format!("驳回尚未支付的申领 {} 件", unpaid.len()));
    } else {
        out.push(format!(
            "解除对 {} 件申领的暂停，申领按原流程核准、拨付",
            unpaid.len()
        ));
    }
    if e.recover_paid {
        out.push(format!(
            "追回已支付（含预拨）的申领 {} 件，合计 {}",
            paid.len(),
            yuan(paid_fen)
        ));
    }
    if e.counts_against_credit {
        out.push(format!(
            "计入所涉 {} 家机构的年度信用评价",
            d.institutions.len()
        ));
    }
    if e.may_revoke_certificates && !d.certs.is_empty() {
        out.push(if revoke_certs {
            format!(
                "撤销所涉证书 {} 本（其状态列表随之更新，所有验证方可见）",
                d.certs.len()
            )
        } else {
            format!("所涉证书 {} 本不撤销", d.certs.len())
        });
    }
    out.push("同一证据不会再次立案".into());
    out
}

/// `POST /supervision/cases/{case_no}/close` (`finding`, `note`, then
/// `confirm=yes`).
pub async fn close(
    State(state): State<AppState>,
    user: User,
    Path(case_no): Path<String>,
    Form(f): Form<CloseForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&f.csrf)?;
    user.require(Action::CloseCases)?;
    let input = CloseInput {
        finding: f.finding.trim().to_string(),
        note: f.note.clone(),
        revoke_certs: f.revoke_certs == "yes",
    };
    let refused = |errors: Vec<String>, input: CloseInput| {
        let (state, user, case_no) = (&state, &user, &case_no);
        async move {
            let mut res = case_page(state, user, case_no, None, errors, input).await?;
            *res.status_mut() = StatusCode::BAD_REQUEST;
            Ok::<Response, AppError>(res)
        }
    };
    let mut errors = Vec::new();
    let finding = Finding::parse(&f.finding);
    if finding.is_none() {
        errors.push("请选择核查结论：属实 或 不属实".to_string());
    }
    if f.note.trim().is_empty() {
        errors.push("请填写核查说明".to_string());
    }
    if input.revoke_certs && finding.is_some_and(|f| !f.effects().may_revoke_certificates) {
        errors.push("核查不属实时不能撤销证书".to_string());
    }
    let Some(finding) = finding.filter(|_| errors.is_empty()) else {
        return refused(errors, input).await;
    };
    if f.confirm != "yes" {
        let d = state.store.scoped_case(user.scope(), &case_no).await?;
        return page(&ConfirmPage {
            nav: Some(Nav::of(&user)),
            csrf: user.csrf.clone(),
            effects: effects_text(&d, finding, input.revoke_certs),
            revoke_certs: input.revoke_certs,
            case_no: d.case_no,
            finding: finding.as_zh(),
            note: f.note.trim().to_string(),
        });
    }
    match state
        .store
        .scoped_close_case(
            user.scope(),
            &case_no,
            finding,
            f.note.trim(),
            input.revoke_certs,
            &user.actor(),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/supervision/cases/{}?closed=1",
            super::encode(&case_no)
        ))
        .into_response()),
        Err(StoreError::Refused(m)) => refused(vec![m], input).await,
        Err(e) => Err(e.into()),
    }
}
