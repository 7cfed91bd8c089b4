//! The 已申领 list of a filing page, paged like every list: a status
//! filter, a search (claim number, name, ID number's last digits), a
//! whitelisted sort (newest first unless asked) and 共 N 条.

use super::{Common, rows_of};
use crate::AppState;
use crate::auth::User;
use crate::claims::status_filter;
use crate::error::AppError;
use crate::list::{ListQuery, PER_PAGE, Pager, Sorter, query_string};
use jineng_store::{ClaimQuery, ClaimSort};

/// The list's query: `status`, `q`, `sort`, `dir`, `page`.
pub type FilingQuery = ListQuery;

/// What the list shows besides its rows.
pub struct Listing {
    /// Whether the list is paged, sorted and searched (not a class's own).
    pub paged: bool,
    pub status: String,
    pub q: String,
    pub pager: Pager,
    pub sorter: Sorter,
    /// (code, label)
    pub statuses: Vec<(&'static str, &'static str)>,
}

impl Listing {
    /// A list shown whole (a class's claims): `total` rows.
    pub fn whole(total: i64) -> Listing {
        Listing {
            paged: false,
            status: String::new(),
            q: String::new(),
            pager: Pager::new("/claims", String::new(), total, None, total.max(1)),
            sorter: Sorter {
                path: "/claims",
                filters: String::new(),
                sort: "applied",
                descending: true,
            },
            statuses: Vec::new(),
        }
    }
}

/// Fills `c` with one page of the claims in the user's scope.
pub async fn fill(
    c: &mut Common,
    state: &AppState,
    user: &User,
    path: &'static str,
    f: &FilingQuery,
) -> Result<(), AppError> {
    let status = status_filter(&f.status)?;
    let (sort, descending) = f.sorted(ClaimSort::from_code, ClaimSort::default(), |s| {
        s == ClaimSort::Applied
    })?;
    let q = ClaimQuery {
        status,
        q: f.search(50),
        sort,
        descending,
        ..ClaimQuery::default()
    };
    let status_code = status.map(|s| s.code()).unwrap_or_default();
    let total = state.store.claim_count(user.scope(), &q).await?;
    let sorter = Sorter {
        path,
        filters: query_string(&[("status", status_code), ("q", &q.q)]),
        sort: sort.code(),
        descending,
    };
    let pager = Pager::sorted(&sorter, total, f.page, PER_PAGE);
    c.claims = rows_of(
        state
            .store
            .claim_page(user.scope(), &q, pager.offset, PER_PAGE)
            .await?,
    );
    c.list = Listing {
        paged: true,
        status: status_code.to_string(),
        q: q.q,
        pager,
        sorter,
        statuses: crate::claims::STATUSES
            .iter()
            .map(|s| (s.code(), s.as_zh()))
            .collect(),
    };
    Ok(())
}
