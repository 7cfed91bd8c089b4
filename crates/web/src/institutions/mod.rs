//! Training institutions in scope (read-only: they change by the
//! institutions template) with their catalogue periods (目录清单), and the
//! subsidy-standard catalogue of the loaded policies (`catalogue`).

mod catalogue;

pub use catalogue::show as catalogue;

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::list::{ListQuery, Pager, Sorter, query_string};
use crate::views::{Nav, level, page};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use jineng_domain::access::Action;
use jineng_store::{ClassSummary, InstitutionQuery, InstitutionSort, InstitutionSummary};

/// Institutions per page.
const PER: i64 = crate::list::PER_PAGE;

/// "2019-01-01 至 2021-12-31；2022-01-01 起" or "未列入".
fn periods(i: &InstitutionSummary) -> String {
    if i.periods.is_empty() {
        return "未列入".into();
    }
    i.periods
        .iter()
        .map(|p| match &p.to {
            Some(to) => format!("{} 至 {to}", p.from),
            None => format!("{} 起", p.from),
        })
        .collect::<Vec<_>>()
        .join("；")
}

#[derive(Template)]
#[template(path = "institutions.html")]
struct ListPage {
    nav: Option<Nav>,
    q: String,
    /// (institution, catalogue periods)
    rows: Vec<(InstitutionSummary, String)>,
    pager: Pager,
    sorter: Sorter,
}

/// `GET /institutions?q=&sort=&dir=&page=`
pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(f): Query<ListQuery>,
) -> Result<Response, AppError> {
    user.require(Action::ViewInstitutions)?;
    let (sort, descending) = f.sorted(
        InstitutionSort::from_code,
        InstitutionSort::default(),
        |_| false,
    )?;
    let q = InstitutionQuery {
        q: f.search(50),
        sort,
        descending,
    };
    let store = &state.store;
    let total = store.institution_count(user.scope(), &q).await?;
    let sorter = Sorter {
        path: "/institutions",
        filters: query_string(&[("q", &q.q)]),
        sort: sort.code(),
        descending,
    };
    let pager = Pager::sorted(&sorter, total, f.page, PER);
    let rows = store
        .institution_page(user.scope(), &q, pager.offset, PER)
        .await?
        .into_iter()
        .map(|i| {
            let p = periods(&i);
            (i, p)
        })
        .collect();
    page(&ListPage {
        nav: Some(Nav::of(&user)),
        q: q.q,
        rows,
        pager,
        sorter,
    })
}

#[derive(Template)]
#[template(path = "institution.html")]
struct DetailPage {
    nav: Option<Nav>,
    i: InstitutionSummary,
    periods: String,
    /// (class, level, status in Chinese)
    classes: Vec<(ClassSummary, String, &'static str)>,
}

/// `GET /institutions/{id}`
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    user.require(Action::ViewInstitutions)?;
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::Forbidden("该培训机构不存在或不在您的管理范围内".into()))?;
    let (i, classes) = state.store.institution_detail(user.scope(), id).await?;
    page(&DetailPage {
        nav: Some(Nav::of(&user)),
        periods: periods(&i),
        i,
        classes: classes
            .into_iter()
            .map(|c| {
                let l = level(c.skill_level);
                let s = c.status.as_zh();
                (c, l, s)
            })
            .collect(),
    })
}
