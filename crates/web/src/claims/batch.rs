//! 批量核准 and 拨付全部已核准 with a preview. `GET` shows what the batch
//! would act on under the queue's filters: how many claims, the total,
//! per fund, and the claims an open case holds; its confirm form carries
//! the filters and the set's fingerprint. `POST` acts only when the set
//! is still the one shown (else it shows the new preview), then redirects
//! (post/redirect/get) to the queue with the result as its notice.

use super::queue::{Choices, ClaimsForm};
use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::views::{Nav, page};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jineng_domain::Fen;
use jineng_domain::access::Action;
use jineng_store::{BatchKind, BatchPreview, BatchRun};
use serde::Deserialize;

/// `1234567` fen → `12,345.67 元`.
pub fn money(fen: i64) -> String {
    format!("{} 元", Fen(fen).grouped())
}

/// The batch forms' hidden fields: the queue's filters but its status.
pub fn hidden(f: &ClaimsForm) -> Vec<(&'static str, String)> {
    [
        ("region", &f.region),
        ("type", &f.subsidy_type),
        ("institution", &f.institution),
        ("fund", &f.fund),
        ("q", &f.q),
    ]
    .into_iter()
    .filter(|(_, v)| !v.trim().is_empty())
    .map(|(k, v)| (k, v.trim().to_string()))
    .collect()
}

/// A batch's result, carried to the queue in its address.
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    #[serde(default)]
    done: String,
    #[serde(default)]
    n: i64,
    #[serde(default)]
    fen: i64,
    #[serde(default)]
    refused: i64,
    #[serde(default)]
    held: i64,
}

impl Done {
    /// The notice, in words.
    pub fn text(&self) -> Option<String> {
        let (head, verb, not) = match self.done.as_str() {
            "approve" => ("批量核准完成", "核准", "未核准"),
            "pay" => ("拨付完成", "已拨付", "未拨付"),
            _ => return None,
        };
        let mut t = format!(
            "{head}：{verb} {} 件，合计 {}",
            self.n.max(0),
            money(self.fen)
        );
        if self.refused > 0 {
            t.push_str(&format!("；{not} {} 件", self.refused));
            if self.held > 0 {
                t.push_str(&format!("（其中 {} 件被监管线索暂停）", self.held));
            }
        }
        Some(t)
    }
}

#[derive(Template)]
#[template(path = "claims_batch.html")]
struct PreviewPage {
    nav: Option<Nav>,
    csrf: String,
    approve: bool,
    action: &'static str,
    p: BatchPreview,
    /// (fund name, code, claims, total)
    funds: Vec<(String, String, i64, String)>,
    total: String,
    hidden: Vec<(&'static str, String)>,
    /// The filters in words.
    narrowed: String,
    /// The queue with the same filters.
    back: String,
    changed: bool,
}

fn action(kind: BatchKind) -> &'static str {
    match kind {
        BatchKind::Approve => "/claims/approve-clean",
        BatchKind::Pay => "/claims/pay-approved",
    }
}

fn require(user: &User, kind: BatchKind) -> Result<(), AppError> {
    user.require(match kind {
        BatchKind::Approve => Action::DecideClaims,
        BatchKind::Pay => Action::PayClaims,
    })
}

/// The filters a batch is narrowed by, in words ("" for none).
fn narrowed_by(f: &ClaimsForm, c: &Choices) -> String {
    let name = |list: &[(String, String)], code: &str| {
        list.iter()
            .find(|(k, _)| k == code.trim())
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| code.trim().to_string())
    };
    let mut parts = Vec::new();
    if !f.region.trim().is_empty() {
        parts.push(format!("户籍地 {}", name(&c.regions, &f.region)));
    }
    if !f.subsidy_type.trim().is_empty() {
        parts.push(format!("补贴类型 {}", f.subsidy_type.trim()));
    }
    if !f.institution.trim().is_empty() {
        parts.push(format!(
            "培训机构 {}",
            name(&c.institutions, &f.institution)
        ));
    }
    if !f.fund.trim().is_empty() {
        parts.push(format!("资金来源 {}", name(&c.funds, &f.fund)));
    }
    if !f.q.trim().is_empty() {
        parts.push(format!("查找「{}」", f.q.trim()));
    }
    parts.join("，")
}

fn preview_page(
    user: &User,
    (f, c): (&ClaimsForm, &Choices),
    kind: BatchKind,
    p: BatchPreview,
    changed: bool,
) -> Result<Response, AppError> {
    let funds = p
        .funds
        .iter()
        .map(|s| {
            let name = if s.code.is_empty() {
                "无资金来源可拨付（余额不足或政策未规定）".to_string()
            } else {
                s.name.clone()
            };
            (name, s.code.clone(), s.claims, money(s.fen))
        })
        .collect();
    let status = kind.status().code();
    page(&PreviewPage {
        nav: Some(Nav::of(user)),
        csrf: user.csrf.clone(),
        approve: kind == BatchKind::Approve,
        action: action(kind),
        funds,
        total: money(p.total_fen),
        p,
        hidden: hidden(f),
        narrowed: narrowed_by(f, c),
        back: format!("/claims?status={status}&{}", f.narrowing()),
        changed,
    })
}

async fn preview(
    state: AppState,
    user: User,
    f: ClaimsForm,
    kind: BatchKind,
) -> Result<Response, AppError> {
    require(&user, kind)?;
    let c = Choices::of(&state, &user).await?;
    let q = f.query(user.scope(), &c)?;
    let p = state.store.claim_batch(user.scope(), &q, kind).await?;
    preview_page(&user, (&f, &c), kind, p, false)
}

/// `GET /claims/approve-clean?<filters>`: the preview of 批量核准.
pub async fn preview_approve(
    State(state): State<AppState>,
    user: User,
    Query(f): Query<ClaimsForm>,
) -> Result<Response, AppError> {
    preview(state, user, f, BatchKind::Approve).await
}

/// `GET /claims/pay-approved?<filters>`: the preview of 拨付.
pub async fn preview_pay(
    State(state): State<AppState>,
    user: User,
    Query(f): Query<ClaimsForm>,
) -> Result<Response, AppError> {
    preview(state, user, f, BatchKind::Pay).await
}

/// The confirm form: the filters, the fingerprint shown and the csrf.
#[derive(Debug, Deserialize)]
pub struct Confirm {
    csrf: String,
    #[serde(default)]
    fingerprint: String,
    #[serde(default)]
    region: String,
    #[serde(default, rename = "type")]
    subsidy_type: String,
    #[serde(default)]
    institution: String,
    #[serde(default)]
    fund: String,
    #[serde(default)]
    q: String,
}

async fn confirm(
    state: AppState,
    user: User,
    form: Confirm,
    kind: BatchKind,
) -> Result<Response, AppError> {
    user.check_csrf(&form.csrf)?;
    require(&user, kind)?;
    let f = ClaimsForm {
        region: form.region,
        subsidy_type: form.subsidy_type,
        institution: form.institution,
        fund: form.fund,
        q: form.q,
        ..ClaimsForm::default()
    };
    let c = Choices::of(&state, &user).await?;
    let q = f.query(user.scope(), &c)?;
    let shown = form.fingerprint.trim();
    let store = &state.store;
    // A form without a fingerprint (nothing previewed) only previews.
    if shown.is_empty() {
        let p = store.claim_batch(user.scope(), &q, kind).await?;
        return preview_page(&user, (&f, &c), kind, p, false);
    }
    let actor = user.actor();
    let (done, n, fen, refused, held) = match kind {
        BatchKind::Approve => {
            match store
                .batch_approve(user.scope(), &q, shown, super::today(), &actor)
                .await?
            {
                BatchRun::Changed(p) => return preview_page(&user, (&f, &c), kind, p, true),
                BatchRun::Done(s, p) => (
                    "approve",
                    s.approved as i64,
                    s.amount_fen,
                    s.refused.len() + s.held.len(),
                    p.held.len(),
                ),
            }
        }
        BatchKind::Pay => match store.batch_pay(user.scope(), &q, shown, &actor).await? {
            BatchRun::Changed(p) => return preview_page(&user, (&f, &c), kind, p, true),
            BatchRun::Done(s, p) => (
                "pay",
                s.paid as i64,
                s.amount_fen,
                s.refused.len() + s.held.len(),
                p.held.len(),
            ),
        },
    };
    let to = format!(
        "/claims?{}done={done}&n={n}&fen={fen}&refused={refused}&held={held}",
        f.narrowing()
    );
    Ok(Redirect::to(&to).into_response())
}

/// `POST /claims/approve-clean`: 批量核准 of the previewed set.
pub async fn approve(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<Confirm>,
) -> Result<Response, AppError> {
    confirm(state, user, form, BatchKind::Approve).await
}

/// `POST /claims/pay-approved`: 拨付 of the previewed set.
pub async fn pay(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<Confirm>,
) -> Result<Response, AppError> {
    confirm(state, user, form, BatchKind::Pay).await
}
