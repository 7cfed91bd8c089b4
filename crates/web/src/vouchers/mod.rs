//! Training vouchers (职业培训券, docs/vouchers.md) on the web: the
//! officers' list of the vouchers in scope (searched by number, filtered by
//! status, sorted, paged, ID numbers masked) with the commitments' totals
//! and each fund's commitment on the dedicated account; the worker's own
//! vouchers on `/me` and the redemption at a class's roster (`sections`).

mod sections;

pub use sections::{VoucherForm, me_section, redeem, roster_section};

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::list::{ListQuery, Pager, Sorter, code_filter, query_string};
use crate::views::{Nav, page, yuan};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jineng_domain::access::Action;
use jineng_domain::voucher::VoucherStatus;
use jineng_store::{VOUCHER_SORTS, VoucherQuery, VoucherRow};

/// Vouchers per page.
const PER: i64 = crate::list::PER_PAGE;

/// A voucher as a row of a table: amounts as `1,234.56 元`.
pub struct Line {
    pub v: VoucherRow,
    pub face: String,
    pub status: &'static str,
    /// 「培训班 2019-001（聊城市技工学校，2019-03-01）」 or empty.
    pub used_at: String,
}

impl From<VoucherRow> for Line {
    fn from(v: VoucherRow) -> Line {
        let used_at = match (&v.class_no, &v.institution, &v.redeemed_on) {
            (Some(c), Some(i), Some(d)) => format!("培训班 {c}（{i}，{d}）"),
            (Some(c), _, _) => format!("培训班 {c}"),
            _ => String::new(),
        };
        Line {
            face: yuan(v.face_fen),
            status: v.status.as_zh(),
            used_at,
            v,
        }
    }
}

/// One fund's commitment on the dedicated account.
pub struct FundLine {
    pub code: String,
    pub name: String,
    pub bank: String,
    pub committed: String,
    pub uncommitted: String,
}

#[derive(Template)]
#[template(path = "vouchers.html")]
struct ListPage {
    nav: Option<Nav>,
    q: String,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    /// (label, count, face in yuan, element id)
    totals: Vec<(&'static str, i64, String, &'static str)>,
    committed: String,
    funds: Vec<FundLine>,
    rows: Vec<Line>,
    pager: Pager,
    sorter: Sorter,
}

fn sort_of(code: &str) -> Option<&'static str> {
    VOUCHER_SORTS
        .iter()
        .find(|(k, _)| *k == code)
        .map(|(k, _)| *k)
}

/// `GET /vouchers?q=&status=&sort=&dir=&page=`
pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(f): Query<ListQuery>,
) -> Result<Response, AppError> {
    user.require(Action::ViewVouchers)?;
    let status = code_filter(&f.status, "培训券状态", VoucherStatus::from_code)?;
    let (sort, descending) = f.sorted(sort_of, "no", |_| false)?;
    let q = VoucherQuery {
        q: f.search(30),
        status,
        sort: sort.to_string(),
        descending,
    };
    let store = &state.store;
    let total = store.scoped_voucher_count(user.scope(), &q).await?;
    let sorter = Sorter {
        path: "/vouchers",
        filters: query_string(&[("q", &q.q), ("status", status.map_or("", |s| s.code()))]),
        sort,
        descending,
    };
    let pager = Pager::sorted(&sorter, total, f.page, PER);
    let rows = store
        .scoped_vouchers(user.scope(), &q, pager.offset, PER)
        .await?
        .into_iter()
        .map(Line::from)
        .collect();
    let t = store.voucher_totals(user.scope()).await?;
    let funds = store
        .ledger_report()
        .await?
        .into_iter()
        .filter(|f| f.committed.is_positive())
        .map(|f| FundLine {
            bank: yuan(f.bank.0),
            committed: yuan(f.committed.0),
            uncommitted: yuan((f.bank - f.committed).0),
            code: f.code,
            name: f.name,
        })
        .collect();
    page(&ListPage {
        nav: Some(Nav::of(&user)),
        q: q.q,
        status: status.map_or("", |s| s.code()).to_string(),
        statuses: VoucherStatus::ALL
            .iter()
            .map(|s| (s.code(), s.as_zh()))
            .collect(),
        totals: vec![
            ("已发放", t.issued, yuan(t.issued_fen), "total-issued"),
            ("未使用", t.open, yuan(t.open_fen), "total-open"),
            ("已使用待支付", t.used, yuan(t.used_fen), "total-used"),
            ("已按面值支付", t.paid, yuan(t.paid_fen), "total-paid"),
            ("已过期作废", t.lapsed, yuan(t.lapsed_fen), "total-lapsed"),
        ],
        committed: yuan(t.committed_fen),
        funds,
        rows,
        pager,
        sorter,
    })
}
