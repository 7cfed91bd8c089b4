//! The audit trail (审计日志) for auditors and officers: rows newest first,
//! filtered by actor, action, entity and date range, paged, before and
//! after shown as readable key–value lines; and the hash chain's status,
//! the same walk as `jineng audit verify`. The trail never stores ID
//! numbers, and the store masks anything shaped like one all the same.

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::views::{Nav, page};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use jineng_domain::access::Action;
use jineng_store::{AuditQuery, AuditRow};
use serde::Deserialize;

/// Rows per page.
const PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    nav: Option<Nav>,
    /// 审计链校验通过… or where it breaks.
    chain_ok: bool,
    chain: String,
    /// (row, before lines, after lines)
    rows: Vec<(AuditRow, Vec<String>, Vec<String>)>,
    f: AuditForm,
    actions: Vec<String>,
    entities: Vec<String>,
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

/// A JSON value as `key：value` lines (one line when it is not an object).
fn readable(json: Option<&str>) -> Vec<String> {
    let Some(text) = json else {
        return Vec::new();
    };
    let scalar = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "（空）".into(),
        other => other.to_string(),
    };
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(m)) => m
            .iter()
            .map(|(k, v)| format!("{k}：{}", scalar(v)))
            .collect(),
        Ok(v) => vec![scalar(&v)],
        Err(_) => vec![text.to_string()],
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
    let rows = store
        .audit_rows(&q, user.scope(), (page_no - 1) * PAGE, PAGE)
        .await?
        .into_iter()
        .map(|r| {
            let (b, a) = (readable(r.before.as_deref()), readable(r.after.as_deref()));
            (r, b, a)
        })
        .collect();
    let v = store.verify_audit().await?;
    let (chain_ok, chain) = match v.broken {
        // The chain is checked whole; its length is not shown, being a
        // count over every region.
        None => (true, "审计链校验通过：没有记录被改动或删除".to_string()),
        Some((id, why)) => (false, format!("审计链校验未通过：第 {id} 条记录{why}")),
    };
    let (actions, entities) = store.audit_vocabulary().await?;
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

#[cfg(test)]
mod tests {
    use super::readable;

    #[test]
    fn json_reads_as_key_value_lines() {
        assert_eq!(
            readable(Some(r#"{"status":"paid","fund":"ES","note":null}"#)),
            ["fund：ES", "note：（空）", "status：paid"]
        );
        assert_eq!(readable(Some("[1,2]")), ["[1,2]"]);
        assert!(readable(None).is_empty());
    }
}
