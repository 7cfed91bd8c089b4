//! Persons: search within the scope (part of a name, an ID number's last
//! digits, a certificate number; a whole ID number only by POST), the e-archive
//! (ID masked; revealing it is a POST, audited by the store), and a
//! worker's own archive.

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::list::{Pager, query_string};
use crate::session::CsrfForm;
use crate::views::{Nav, level, page, yuan};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use jineng_domain::access::{Action, Scope};
use jineng_domain::{ClaimStatus, CompletionResult};
use jineng_store::{Archive, CreditStatement, LearningRecord, PersonHit, TrainingRecord};
use serde::Deserialize;

/// Hits per page.
const PER: i64 = crate::list::PER_PAGE;

#[derive(Template)]
#[template(path = "persons.html")]
struct SearchPage {
    nav: Option<Nav>,
    csrf: String,
    q: String,
    searched: bool,
    /// A whole ID number asked by GET: not searched (it would sit in the
    /// address), the form posts it instead.
    id_in_url: bool,
    hits: Vec<PersonHit>,
    pager: Pager,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<i64>,
}

/// Whether the text is a whole ID number (never put in an address).
fn whole_id(q: &str) -> bool {
    q.chars().count() >= 15
        && q.chars()
            .all(|c| c.is_ascii_digit() || c.eq_ignore_ascii_case(&'x'))
}

async fn search_page(
    state: &AppState,
    user: &User,
    q: &str,
    asked: Option<i64>,
    id_in_url: bool,
) -> Result<Response, AppError> {
    user.require(Action::ViewPersons)?;
    let q: String = q.trim().chars().take(50).collect();
    let searched = !q.is_empty() && !id_in_url;
    let store = &state.store;
    let total = if searched {
        store.person_search_count(user.scope(), &q).await?
    } else {
        0
    };
    // Page links carry the text; a whole ID number has no links to carry.
    let query = if whole_id(&q) {
        String::new()
    } else {
        query_string(&[("q", &q)])
    };
    let pager = Pager::new("/persons", query, total, asked, PER);
    let hits = if searched {
        store
            .search_persons_page(user.scope(), &q, pager.offset, PER)
            .await?
    } else {
        Vec::new()
    };
    page(&SearchPage {
        nav: Some(Nav::of(user)),
        csrf: user.csrf.clone(),
        searched,
        id_in_url,
        q: if id_in_url { String::new() } else { q },
        hits,
        pager,
    })
}

/// `GET /persons?q=&page=`: by part of a name, an ID number's last
/// digits or a certificate number. A whole ID number is not searched here.
pub async fn search(
    State(state): State<AppState>,
    user: User,
    Query(query): Query<SearchQuery>,
) -> Result<Response, AppError> {
    let id_in_url = whole_id(query.q.trim());
    search_page(&state, &user, &query.q, query.page, id_in_url).await
}

#[derive(Deserialize)]
pub struct SearchForm {
    csrf: String,
    #[serde(default)]
    q: String,
}

/// `POST /persons`: the search form, so that an ID number typed never
/// appears in an address, a browser's history or a proxy's log.
pub async fn search_post(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<SearchForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&form.csrf)?;
    search_page(&state, &user, &form.q, None, false).await
}

#[derive(Template)]
#[template(path = "archive.html")]
struct ArchivePage {
    nav: Option<Nav>,
    a: Archive,
    /// (number, type, applied on, amount, status in Chinese)
    claims: Vec<(String, String, String, String, &'static str)>,
    /// Paid or advanced, in 元.
    received: String,
    /// (level, status) of each certificate, in the archive's order.
    cert_lines: Vec<(String, String)>,
    /// The archive's downloads: PDF and signed bundle.
    download_pdf: String,
    download_json: String,
    /// The holder's name for the verify links (the worker's own page).
    verify_name: String,
    can_reveal: bool,
    revealed: bool,
    csrf: String,
    /// Each training's hours: in person, online with source, counted.
    hours: Vec<HoursRow>,
    /// The credit statement (学分银行).
    credits: Option<CreditStatement>,
    /// The vouchers section (`crate::vouchers`), rendered.
    vouchers: String,
}

/// A training's hours as the archive shows them.
struct HoursRow {
    class_no: String,
    offline: i64,
    /// 「12（学习平台记录，3 条）」
    online: String,
    counted: i64,
    /// How online hours counted, and under which policy.
    rule: String,
}

fn hours_row(t: &TrainingRecord) -> HoursRow {
    let online = match t.platform_minutes {
        Some(m) => format!(
            "{}（{}，{} 条，{} 分钟）",
            t.hours.online.hours,
            t.hours.online.source.as_zh(),
            t.platform_sessions,
            m
        ),
        None => format!(
            "{}（{}）",
            t.hours.online.hours,
            t.hours.online.source.as_zh()
        ),
    };
    let rule = match &t.policy {
        None => "无适用政策，线上课时不计入".to_string(),
        Some(p) if t.rule.pct == 0 => format!("线上课时不计入（{p}）"),
        Some(p) => {
            let cap = t
                .rule
                .max_hours
                .map(|h| format!("，至多 {h} 课时"))
                .unwrap_or_default();
            format!("线上课时按 {}% 计入{cap}（{p}）", t.rule.pct)
        }
    };
    HoursRow {
        class_no: t.class_no.clone(),
        offline: t.hours.offline,
        online,
        counted: t.hours.counted,
        rule,
    }
}

async fn archive_page(
    state: &AppState,
    user: &User,
    person_id: i64,
    reveal: bool,
) -> Result<Response, AppError> {
    let a = state
        .store
        .archive(user.scope(), person_id, &user.actor(), reveal)
        .await?
        .ok_or_else(|| AppError::Forbidden("该人员不存在或不在您的管理范围内".into()))?;
    let claims = a
        .claims
        .iter()
        .map(|c| {
            (
                c.claim_no.clone(),
                c.subsidy_type.clone(),
                c.applied_on.to_string(),
                c.amount_fen.map(yuan).unwrap_or_else(|| "—".into()),
                c.status.as_zh(),
            )
        })
        .collect();
    let received = yuan(
        a.claims
            .iter()
            .filter(|c| matches!(c.status, ClaimStatus::Paid | ClaimStatus::Advanced))
            .filter_map(|c| c.amount_fen)
            .sum(),
    );
    let cert_lines = a
        .certificates
        .iter()
        .map(|c| {
            let status = match &c.revoked_on {
                Some(d) => format!("已撤销（{d}）"),
                None => "有效".to_string(),
            };
            (level(c.skill_level), status)
        })
        .collect();
    let own = matches!(user.scope(), Scope::Person(_));
    let (download_pdf, download_json) = if own {
        (
            "/me/archive.pdf".to_string(),
            "/me/archive.json".to_string(),
        )
    } else {
        (
            format!("/persons/{person_id}/archive.pdf"),
            format!("/persons/{person_id}/archive.json"),
        )
    };
    let learning: Option<LearningRecord> = state.store.learning_record(a.person_id).await?;
    let (hours, credits) = match learning {
        Some(l) => (l.trainings.iter().map(hours_row).collect(), Some(l.credits)),
        None => (Vec::new(), None),
    };
    let vouchers = crate::vouchers::me_section(state, a.person_id).await?;
    page(&ArchivePage {
        nav: Some(Nav::of(user)),
        vouchers,
        received,
        cert_lines,
        download_pdf,
        download_json,
        verify_name: a.name.clone(),
        claims,
        can_reveal: user.role().may(Action::RevealId),
        revealed: reveal,
        csrf: user.csrf.clone(),
        a,
        hours,
        credits,
    })
}

/// `GET /persons/{id}`
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    user.require(Action::ViewPersons)?;
    // Right after 显示完整身份证号码 (post/redirect/get): this one view shows it.
    let reveal =
        user.flash.as_ref().and_then(|f| f.reveal) == Some(id) && user.role().may(Action::RevealId);
    archive_page(&state, &user, id, reveal).await
}

/// `POST /persons/{id}/reveal`: the archive with the full ID number; the
/// store writes the reveal to the audit trail.
pub async fn reveal(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&form.csrf)?;
    user.require(Action::RevealId)?;
    // The person must be in scope before anything is promised.
    state
        .store
        .scoped_id_number(user.scope(), id)
        .await
        .map_err(AppError::from)?;
    let flash = crate::flash::Flash {
        reveal: Some(id),
        ..crate::flash::Flash::done(
            "已显示完整身份证号码，本次查看已记入审计日志；刷新或离开本页后重新隐藏。",
        )
    };
    Ok(crate::flash::see_other(
        &state,
        &user,
        &format!("/persons/{id}"),
        flash,
    ))
}

/// `GET /me`: a worker's own e-archive.
pub async fn me(State(state): State<AppState>, user: User) -> Result<Response, AppError> {
    user.require(Action::ViewOwnArchive)?;
    let Scope::Person(pid) = user.scope() else {
        return Err(AppError::forbidden());
    };
    archive_page(&state, &user, *pid, false).await
}
