//! The dedicated account (专账): the balances per fund source (what
//! `jineng ledger report` prints) and the ledger verification (专账校验),
//! both of the deployment's one dedicated account and so the same for every
//! ledger role; the claims in scope per fund source; the postings (凭证)
//! of allocations and of the claims in scope, paged, and their CSV export.
//! Read only for every role.

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use crate::views::{Nav, page, yuan};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use jineng_domain::Fen;
use jineng_domain::access::Action;
use jineng_store::{FundLine, FundReport, PayBatchRow, PostingRow};
use serde::Deserialize;

/// Postings per page.
const PAGE: i64 = 50;

/// A fund's balances in yuan, for the table.
pub struct Balance {
    pub code: String,
    pub name: String,
    pub allocated: String,
    pub advanced: String,
    pub paid: String,
    pub recovered: String,
    pub in_transit: String,
    pub bank: String,
    /// Promised to training vouchers (a memorandum, still in `bank`).
    pub committed: String,
}

/// A disbursement batch for the table: amounts as `1,234.56 元`.
pub struct BatchLine {
    pub id: i64,
    pub created_at: String,
    pub state: &'static str,
    pub lines: i64,
    pub total: String,
    pub paid: i64,
    pub paid_yuan: String,
    pub failed: i64,
    pub failed_yuan: String,
    pub pending: i64,
    pub pending_yuan: String,
}

impl From<&PayBatchRow> for BatchLine {
    fn from(b: &PayBatchRow) -> BatchLine {
        let y = yuan;
        BatchLine {
            id: b.batch_id,
            created_at: b.created_at.day().to_string(),
            state: b.state_zh(),
            lines: b.lines,
            total: y(b.total_fen),
            paid: b.paid,
            paid_yuan: y(b.paid_fen),
            failed: b.failed,
            failed_yuan: y(b.failed_fen),
            pending: b.pending,
            pending_yuan: y(b.pending_fen),
        }
    }
}

impl From<&FundReport> for Balance {
    fn from(f: &FundReport) -> Balance {
        Balance {
            code: f.code.clone(),
            name: f.name.clone(),
            allocated: yuan(f.allocated.0),
            advanced: yuan(f.advanced.0),
            paid: yuan(f.paid.0),
            recovered: yuan(f.recovered.0),
            in_transit: yuan(f.in_transit.0),
            bank: yuan(f.bank.0),
            committed: yuan(f.committed.0),
        }
    }
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPage {
    nav: Option<Nav>,
    scope: String,
    balances: Vec<Balance>,
    /// Disbursement batches, newest first.
    batches: Vec<BatchLine>,
    /// Empty when the ledger verifies.
    problems: Vec<String>,
    /// (line, paid in yuan, advanced in yuan)
    lines: Vec<(FundLine, String, String)>,
    total_paid_claims: i64,
    total_paid: String,
    /// (posting, amount in yuan)
    postings: Vec<(PostingRow, String)>,
    pager: crate::list::Pager,
}

#[derive(Deserialize)]
pub struct LedgerQuery {
    #[serde(default)]
    page: Option<i64>,
}

/// `GET /ledger?page=`
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<LedgerQuery>,
) -> Result<Response, AppError> {
    user.require(Action::ViewLedger)?;
    let store = &state.store;
    let lines = store.scoped_ledger(user.scope()).await?;
    let total: i64 = lines.iter().map(|l| l.paid_fen).sum();
    let total_paid_claims = lines.iter().map(|l| l.claims_paid).sum();
    let total_postings = store.scoped_posting_count(user.scope()).await?;
    let pager = crate::list::Pager::new("/ledger", String::new(), total_postings, q.page, PAGE);
    let postings = store
        .scoped_postings(user.scope(), pager.offset, PAGE)
        .await?
        .into_iter()
        .map(|p| {
            let a = yuan(p.amount_fen);
            (p, a)
        })
        .collect();
    page(&LedgerPage {
        nav: Some(Nav::of(&user)),
        scope: crate::home::scope_name(&state, &user).await?,
        balances: store
            .ledger_report()
            .await?
            .iter()
            .map(Into::into)
            .collect(),
        batches: store.pay_batches().await?.iter().map(Into::into).collect(),
        problems: store.ledger_verify().await?,
        lines: lines
            .into_iter()
            .map(|l| {
                let (p, a) = (yuan(l.paid_fen), yuan(l.advanced_fen));
                (l, p, a)
            })
            .collect(),
        total_paid_claims,
        total_paid: yuan(total),
        postings,
        pager,
    })
}

/// `GET /ledger/postings.csv`: every posting the scope sees (UTF-8 with a
/// BOM, so that Excel opens it); no person's data, no ID number.
pub async fn export(State(state): State<AppState>, user: User) -> Result<Response, AppError> {
    user.require(Action::ViewLedger)?;
    let rows = state.store.scoped_postings(user.scope(), 0, -1).await?;
    let mut out = String::from(
        "\u{feff}凭证号,记账日期,资金来源代码,资金来源,类型,申领编号,金额（元）,借方,贷方,摘要\r\n",
    );
    for p in &rows {
        let cols = [
            p.tx_id.to_string(),
            p.date.to_string(),
            p.fund_code.clone(),
            p.fund_name.clone(),
            p.kind.clone(),
            p.claim_no.clone().unwrap_or_default(),
            Fen(p.amount_fen).to_string(),
            p.debit.clone(),
            p.credit.clone(),
            p.memo.clone(),
        ];
        out.push_str(
            &cols
                .iter()
                .map(|c| jineng_domain::csv_field(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"ledger-postings.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}
