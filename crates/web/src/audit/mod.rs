//! The audit trail (审计日志) for auditors and officers: rows newest first,
//! filtered by actor, action, entity and date range, paged; each row says
//! in Chinese what was done to which record (linked to its page), by whom
//! (name and role), when (local time), and what changed (`字段：旧 → 新`,
//! amounts in 元; see `words` and `changes`); and the hash chain's status,
//! the same walk as `jineng audit verify`. The trail never stores ID
//! numbers, and the store masks anything shaped like one all the same.

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::views::{Nav, local_time, page};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use jineng_domain::access::Action;
use jineng_store::{AuditQuery, AuditRow};
use serde::Deserialize;
use std::collections::HashMap;

mod changes;
mod words;

/// One row as the page shows it.
struct Line {
    id: i64,
    /// Local time.
    at: String,
    /// The actor's name, and role and channel in words.
    who: String,
    role: String,
    action: String,
    entity: String,
    key: String,
    link: Option<String>,
    changes: Vec<String>,
}

/// Rows per page.
const PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    nav: Option<Nav>,
    /// 审计链校验通过… or where it breaks.
    chain_ok: bool,
    chain: String,
    rows: Vec<Line>,
    f: AuditForm,
    /// (code, 名称) for the filters.
    actions: Vec<(String, String)>,
    entities: Vec<(String, String)>,
    total: i64,
    page: i64,
    pages: i64,
    /// The filters as a query string, for the pager's links.
    query: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct AuditForm {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub entity: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub page: Option<i64>,
}

fn date(raw: &str, what: &str) -> Result<Option<NaiveDate>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        s => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::BadRequest(format!("{what}「{s}」不是日期，应为 YYYY-MM-DD"))),
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `GET /audit?actor=&action=&entity=&from=&to=&page=`
pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(f): Query<AuditForm>,
) -> Result<Response, AppError> {
    user.require(Action::ViewAudit)?;
    let q = AuditQuery {
        actor: f.actor.clone(),
        action: f.action.clone(),
        entity: f.entity.clone(),
        from: date(&f.from, "起始日期")?,
        to: date(&f.to, "截止日期")?,
    };
    let store = &state.store;
    let total = store.audit_count(&q, user.scope()).await?;
    let pages = ((total + PAGE - 1) / PAGE).max(1);
    let page_no = f.page.unwrap_or(1).clamp(1, pages);
    let raw = store
        .audit_rows(&q, user.scope(), (page_no - 1) * PAGE, PAGE)
        .await?;
    let rows = lines(&state, raw).await?;
    let v = store.verify_audit().await?;
    let (chain_ok, chain) = match v.broken {
        // The chain is checked whole; its length is not shown, being a
        // count over every region.
        None => (true, "审计链校验通过：没有记录被改动或删除".to_string()),
        Some((id, why)) => (false, format!("审计链校验未通过：第 {id} 条记录{why}")),
    };
    let (actions, entities) = store.audit_vocabulary().await?;
    let (actions, entities) = (
        words::choices(&actions, words::action),
        words::choices(&entities, words::entity),
    );
    let query = [
        ("actor", &f.actor),
        ("action", &f.action),
        ("entity", &f.entity),
        ("from", &f.from),
        ("to", &f.to),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}&", encode(v)))
    .collect();
    page(&AuditPage {
        nav: Some(Nav::of(&user)),
        chain_ok,
        chain,
        rows,
        f,
        actions,
        entities,
        total,
        page: page_no,
        pages,
        query,
    })
}

/// The rows in words: actors by name and role (looked up once each),
/// times local, changes as lines.
async fn lines(state: &AppState, raw: Vec<AuditRow>) -> Result<Vec<Line>, AppError> {
    let funds: changes::Funds = state.store.fund_names().await?.into_iter().collect();
    let mut actors: HashMap<String, (String, String)> = HashMap::new();
    let mut out = Vec::with_capacity(raw.len());
    for r in raw {
        if !actors.contains_key(&r.actor) {
            let (channel, login) = words::channel(&r.actor);
            let known = match channel {
                "网页" | "接口" => state.store.account_by_login(login).await?,
                _ => None,
            };
            let who = match known {
                Some(a) => (a.display_name, format!("{}·{channel}", a.role.as_zh())),
                None if channel.is_empty() => (login.to_string(), String::new()),
                None => (login.to_string(), channel.to_string()),
            };
            actors.insert(r.actor.clone(), who);
        }
        let (who, role) = actors[&r.actor].clone();
        let ctx = changes::Ctx {
            funds: &funds,
            entity: r.entity.as_str(),
        };
        out.push(Line {
            id: r.audit_id,
            at: local_time(&r.at),
            who,
            role,
            action: words::action(r.action.as_str()),
            entity: words::entity(r.entity.as_str()),
            link: words::link(r.entity.as_str(), &r.entity_key),
            changes: changes::lines(r.before.as_deref(), r.after.as_deref(), &ctx),
            key: r.entity_key,
        });
    }
    Ok(out)
}
