//! The claims queue's query: filters (status, region, subsidy type,
//! institution, fund), search (claim number, name, an ID number's last
//! digits), sort and page, each value checked; and the choices of its
//! dropdowns, all within the account's scope.

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::list::{direction, opt, query_string, region_filter, sort_code};
use jineng_domain::ClaimStatus;
use jineng_domain::access::Scope;
use jineng_store::{ClaimQuery, ClaimSort};
use serde::Deserialize;

/// The queue's query string (and the batch forms' hidden fields).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ClaimsForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub region: String,
    #[serde(default, rename = "type")]
    pub subsidy_type: String,
    #[serde(default)]
    pub institution: String,
    #[serde(default)]
    pub fund: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub dir: String,
    #[serde(default)]
    pub page: Option<i64>,
}

/// The dropdowns' choices: (code, label).
#[derive(Debug, Default, Clone)]
pub struct Choices {
    pub regions: Vec<(String, String)>,
    pub types: Vec<String>,
    pub institutions: Vec<(String, String)>,
    pub funds: Vec<(String, String)>,
}

impl Choices {
    pub async fn of(state: &AppState, user: &User) -> Result<Choices, AppError> {
        let store = &state.store;
        let regions = match user.scope() {
            Scope::Region(r) => store
                .sub_regions(r.as_str())
                .await?
                .into_iter()
                .map(|a| (a.code, a.name))
                .collect(),
            _ => Vec::new(),
        };
        let institutions = match user.scope() {
            Scope::Institution(_) => Vec::new(),
            scope => store
                .scoped_institutions(scope)
                .await?
                .into_iter()
                .map(|(id, name, _)| (id.to_string(), name))
                .collect(),
        };
        Ok(Choices {
            regions,
            types: store.subsidy_types().await?,
            institutions,
            funds: store.fund_names().await?,
        })
    }
}

fn bad(what: &str, v: &str) -> AppError {
    AppError::BadRequest(format!("未知的{what}「{v}」"))
}

impl ClaimsForm {
    /// The store's query, every value checked against the choices; a
    /// region outside the scope is 403 like any record outside it.
    pub fn query(&self, scope: &Scope, c: &Choices) -> Result<ClaimQuery, AppError> {
        let status = opt(&self.status)
            .map(|s| ClaimStatus::from_code(s).ok_or_else(|| bad("申领状态", s)))
            .transpose()?;
        let region = region_filter(&self.region, scope)?;
        let subsidy_type = opt(&self.subsidy_type)
            .map(|t| {
                c.types
                    .iter()
                    .find(|x| *x == t)
                    .cloned()
                    .ok_or_else(|| bad("补贴类型", t))
            })
            .transpose()?;
        let institution = opt(&self.institution)
            .map(|i| {
                c.institutions
                    .iter()
                    .find(|(id, _)| id == i)
                    .and_then(|(id, _)| id.parse().ok())
                    .ok_or_else(|| bad("培训机构", i))
            })
            .transpose()?;
        let fund = opt(&self.fund)
            .map(|f| {
                c.funds
                    .iter()
                    .find(|(code, _)| code == f)
                    .map(|(code, _)| code.clone())
                    .ok_or_else(|| bad("资金来源", f))
            })
            .transpose()?;
        let sort = sort_code(&self.sort, ClaimSort::from_code)?.unwrap_or_default();
        // Newest first unless asked otherwise.
        let descending = direction(&self.dir)?.unwrap_or(sort == ClaimSort::Applied);
        Ok(ClaimQuery {
            status,
            region,
            subsidy_type,
            institution,
            fund,
            q: self.q.trim().chars().take(50).collect(),
            sort,
            descending,
        })
    }

    /// The filters without the status, as `k=v&…`: what a batch keeps.
    pub fn narrowing(&self) -> String {
        query_string(&[
            ("region", &self.region),
            ("type", &self.subsidy_type),
            ("institution", &self.institution),
            ("fund", &self.fund),
            ("q", &self.q),
        ])
    }

    /// The filters (no sort, dir or page), as `k=v&…`.
    pub fn filters(&self) -> String {
        format!(
            "{}{}",
            query_string(&[("status", &self.status)]),
            self.narrowing()
        )
    }
}
