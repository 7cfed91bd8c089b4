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
    pub period: String,
    pub dept: String,
    pub policy: String,
    pub clause: String,
    pub in_force: bool,
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
    for (_, p) in &policies.items {
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
            lines.push(Line {
                subsidy: e.subsidy.clone(),
                occupation: format!("{code} {name}").trim().to_string(),
                level: e.level.map_or("—", |l| l.as_zh()).to_string(),
                cert: e
                    .cert
                    .map_or("任意证书", CertificateType::as_zh)
                    .to_string(),
                amount: yuan(e.amount.0),
                period: match e.to {
                    Some(to) => format!("{} 至 {to}", e.from),
                    None => format!("{} 起", e.from),
                },
                dept: e.dept.clone(),
                policy: format!("{}（{}）", p.meta.title, p.meta.doc_no),
                clause,
                in_force: p.in_force(today) && e.from <= today && e.to.is_none_or(|to| today <= to),
            });
        }
    }
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
