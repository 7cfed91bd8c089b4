//! `GET /catalogue?q=`: the subsidy-standard catalogue (补贴标准目录) of
//! every loaded policy — occupation, level, certificate type, amount, the
//! policy and the clause that pays it — and the occupation classification
//! lookup, both searched by occupation code or name. Read-only: the
//! catalogue changes by policy file.

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::views::{Nav, page, yuan};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jineng_domain::CertificateType;
use jineng_domain::access::Action;
use serde::Deserialize;

/// The most rows of each table.
const LIMIT: usize = 300;

/// One catalogue entry as the page shows it.
pub struct Line {
    pub subsidy: String,
    pub occupation: String,
    pub level: String,
    pub cert: String,
    pub amount: String,
    /// The window the entry pays in: the entry's own dates within its
    /// policy's validity.
    pub period: String,
    /// 现行有效 / 已失效 / 尚未生效, as of today.
    pub status: &'static str,
    pub in_force: bool,
    /// The issuing department (the entry's, else the policy's issuer).
    pub dept: String,
    pub doc_no: String,
    pub policy: String,
    pub clause: String,
    /// For ordering: policy, subsidy, occupation, level 五级 → 一级.
    key: (usize, String, String, u8, String),
}

/// (period text, status, in force) of the window `from`–`to` on `today`.
fn window(
    from: chrono::NaiveDate,
    to: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
) -> (String, &'static str, bool) {
    let period = match to {
        Some(to) => format!("{from} 至 {to}"),
        None => format!("{from} 起长期有效"),
    };
    let (status, ok) = if today < from {
        ("尚未生效", false)
    } else if to.is_some_and(|to| to < today) {
        ("已失效", false)
    } else {
        ("现行有效", true)
    };
    (period, status, ok)
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    nav: Option<Nav>,
    q: String,
    lines: Vec<Line>,
    /// (code, name)
    occupations: Vec<(String, String)>,
    example: bool,
    limit: usize,
}

#[derive(Deserialize)]
pub struct CatalogueQuery {
    #[serde(default)]
    q: String,
}

/// `GET /catalogue?q=`
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Query(query): Query<CatalogueQuery>,
) -> Result<Response, AppError> {
    user.require(Action::ViewCatalogue)?;
    let q = query.q.trim().to_string();
    let refdata = state.store.ref_data().await?;
    let policies = state.store.policy_set().await?;
    let today = chrono::Local::now().date_naive();
    let matches =
        |code: &str, name: &str| q.is_empty() || code.starts_with(&q) || name.contains(&q);
    let mut lines = Vec::new();
    let mut example = false;
    for (index, (_, p)) in policies.items.iter().enumerate() {
        example |= p.catalogue.example;
        for e in &p.catalogue.entries {
            let (code, name) = match &e.occupation {
                Some(o) => (
                    o.as_str().to_string(),
                    refdata
                        .occupation_name(o.as_str())
                        .unwrap_or("")
                        .to_string(),
                ),
                None => (String::new(), "任意职业".to_string()),
            };
            if !matches(&code, &name) || lines.len() >= LIMIT {
                continue;
            }
            let clause = p
                .amount_rules
                .get(&e.subsidy)
                .map(|r| p.cite(*r))
                .map(|c| c.clause)
                .unwrap_or_default();
            // The entry pays only while its policy is in force.
            let from = e.from.max(p.meta.valid_from);
            let to = match (e.to, p.meta.valid_to) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let (period, status, in_force) = window(from, to, today);
            let dept = if e.dept.is_empty() || e.dept == p.meta.doc_no {
                p.meta.issuer.clone()
            } else {
                e.dept.clone()
            };
            lines.push(Line {
                key: (
                    index,
                    e.subsidy.clone(),
                    code.clone(),
                    e.level.map_or(9, |l| 9 - l.grade()),
                    e.cert.map_or("", CertificateType::as_zh).to_string(),
                ),
                subsidy: e.subsidy.clone(),
                occupation: format!("{code} {name}").trim().to_string(),
                level: e.level.map_or("—", |l| l.as_zh()).to_string(),
                cert: e
                    .cert
                    .map_or("任意证书", CertificateType::as_zh)
                    .to_string(),
                amount: yuan(e.amount.0),
                period,
                status,
                in_force,
                dept,
                doc_no: p.meta.doc_no.clone(),
                policy: p.meta.title.clone(),
                clause,
            });
        }
    }
    lines.sort_by(|a, b| a.key.cmp(&b.key));
    let mut occupations: Vec<(String, String)> = if q.is_empty() {
        Vec::new()
    } else {
        refdata
            .occupations
            .iter()
            .filter(|(code, name)| matches(code, name))
            .map(|(c, n)| (c.clone(), n.clone()))
            .collect()
    };
    occupations.sort();
    occupations.truncate(LIMIT);
    page(&CataloguePage {
        nav: Some(Nav::of(&user)),
        q,
        lines,
        occupations,
        example,
        limit: LIMIT,
    })
}

#[cfg(test)]
mod tests {
    use super::window;
    use chrono::NaiveDate;

    #[test]
    fn a_window_reads_with_its_status_on_the_day() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let today = d("2026-12-07");
        assert_eq!(
            window(d("2019-01-01"), Some(d("2021-12-31")), today),
            ("2019-01-01 至 2021-12-31".to_string(), "已失效", false)
        );
        assert_eq!(
            window(d("2019-01-01"), None, today),
            ("2019-01-01 起长期有效".to_string(), "现行有效", true)
        );
        assert_eq!(window(d("2027-01-01"), None, today).1, "尚未生效");
    }
}
