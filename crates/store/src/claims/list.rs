//! The claims queue for the web pages: claims in scope with filters
//! (status, region, subsidy type, institution, fund), a search (part of a
//! claim number or a name, or an ID number's last digits), a whitelisted
//! sort and paging (COUNT + LIMIT/OFFSET). The batch actions' sets
//! (`claim_batch`) are read through the same conditions, so a batch acts
//! on exactly what the list shows.

use jineng_domain::access::Scope;
use jineng_domain::national_id::mask_id;
use jineng_domain::{ClaimStatus, RegionCode};
use sqlx::Row;

use crate::claims::scoped::{ClaimRow, Subject, filter, has_nul};
use crate::row::Typed;
use crate::sort::order_page;
use crate::sql::Val;
use crate::{Store, StoreError};

/// What the queue shows: filters, search and order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimQuery {
    pub status: Option<ClaimStatus>,
    /// Claims of persons whose 户籍地 lies in this region (inside the
    /// scope; the caller checks).
    pub region: Option<RegionCode>,
    pub subsidy_type: Option<String>,
    /// Claims of the classes of this institution.
    pub institution: Option<i64>,
    /// The fund that paid (or advanced) the claim.
    pub fund: Option<String>,
    /// Part of a claim number or a name, or an ID number's last digits.
    pub q: String,
    pub sort: ClaimSort,
    pub descending: bool,
}

crate::sort::sort_columns! {
    /// The queue's sort columns.
    ClaimSort {
        Applied => ("applied", "c.applied_on"),
        ClaimNo => ("claim_no", "c.claim_no"),
        Name => ("name", "p.name"),
        Type => ("type", "c.subsidy_type"),
        Amount => ("amount", "COALESCE(c.amount_fen, -1)"),
        Status => ("status", "c.status"),
    }
}

/// Whether a search term is an ID number's last digits (4 to 8 digits,
/// the last may be X): a suffix match on the ID, never a full number in
/// a URL.
pub fn id_digits(q: &str) -> bool {
    let n = q.chars().count();
    (4..=8).contains(&n)
        && q.char_indices()
            .all(|(i, c)| c.is_ascii_digit() || (i == q.len() - 1 && c.eq_ignore_ascii_case(&'x')))
}

/// `%text%` for LIKE, with the wildcards typed removed.
pub(crate) fn contains(text: &str) -> String {
    format!("%{}%", text.replace(['%', '_'], ""))
}

/// The WHERE clause and values of a queue query (aliases `c`, `p`).
pub(crate) fn conditions(scope: &Scope, q: &ClaimQuery) -> (String, Vec<Val>) {
    let (cond, val) = filter(scope, Subject::Claim, 1);
    let mut sql = vec![cond];
    let mut vals = vec![val];
    fn push(vals: &mut Vec<Val>, v: Val) -> usize {
        vals.push(v);
        vals.len()
    }
    if let Some(s) = q.status {
        let n = push(&mut vals, Val::text(s.code()));
        sql.push(format!("c.status = ${n}"));
    }
    if let Some(r) = &q.region {
        let n = push(&mut vals, Val::text(format!("{}%", r.subtree_prefix())));
        sql.push(format!("p.hukou_region LIKE ${n}"));
    }
    if let Some(t) = &q.subsidy_type {
        let n = push(&mut vals, Val::text(t.as_str()));
        sql.push(format!("c.subsidy_type = ${n}"));
    }
    if let Some(i) = q.institution {
        let n = push(&mut vals, Val::int(i));
        sql.push(format!(
            "c.class_id IN (SELECT k.class_id FROM classes k WHERE k.institution_id = ${n})"
        ));
    }
    if let Some(f) = &q.fund {
        let n = push(&mut vals, Val::text(f.as_str()));
        sql.push(format!("c.fund_code = ${n}"));
    }
    let term = q.q.trim();
    if !term.is_empty() {
        let n = push(&mut vals, Val::text(contains(term)));
        let mut any = format!("c.claim_no LIKE ${n} OR p.name LIKE ${n}");
        if id_digits(term) {
            let m = push(
                &mut vals,
                Val::text(format!("%{}", term.to_ascii_uppercase())),
            );
            any.push_str(&format!(" OR p.id_number LIKE ${m}"));
        }
        sql.push(format!("({any})"));
    }
    (sql.join(" AND "), vals)
}

/// Text carrying NUL matches nothing (and cannot be bound on PostgreSQL).
pub(crate) fn unmatchable(q: &ClaimQuery) -> bool {
    has_nul(&q.q)
        || q.subsidy_type.as_deref().is_some_and(has_nul)
        || q.fund.as_deref().is_some_and(has_nul)
}

impl Store {
    /// How many claims of the queue lie in scope.
    pub async fn claim_count(&self, scope: &Scope, q: &ClaimQuery) -> Result<i64, StoreError> {
        if unmatchable(q) {
            return Ok(0);
        }
        let (cond, vals) = conditions(scope, q);
        self.count_where(
            "claims c JOIN persons p ON p.person_id = c.person_id",
            &cond,
            &vals,
        )
        .await
    }

    /// One page of the queue, in the asked order; IDs masked.
    pub async fn claim_page(
        &self,
        scope: &Scope,
        q: &ClaimQuery,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<ClaimRow>, StoreError> {
        if unmatchable(q) {
            return Ok(Vec::new());
        }
        let (cond, vals) = conditions(scope, q);
        let page = order_page(
            q.sort.order_by(),
            &["c.claim_no"],
            q.descending,
            offset,
            limit,
        );
        let sql = format!(
            "SELECT c.claim_no, p.name, p.id_number, c.subsidy_type, c.status, c.amount_fen, c.applied_on, c.flagged_rules \
             FROM claims c JOIN persons p ON p.person_id = c.person_id WHERE {cond} {page}"
        );
        let rows = self.rows_bound(sql, &vals).await?;
        rows.iter().map(claim_row).collect()
    }

    /// The subsidy types of the vocabulary, for the queue's filter.
    pub async fn subsidy_types(&self) -> Result<Vec<String>, StoreError> {
        self.vocabulary_terms(jineng_domain::refdata::vocab_kind::SUBSIDY_TYPE)
            .await
    }
}

/// A [`ClaimRow`] of a queue's SELECT (`claim_no`, `name`, `id_number`,
/// `subsidy_type`, `status`, `amount_fen`, `applied_on`, `flagged_rules`).
pub(crate) fn claim_row(r: &sqlx::any::AnyRow) -> Result<ClaimRow, StoreError> {
    Ok(ClaimRow {
        claim_no: r.try_get("claim_no")?,
        person_name: r.try_get("name")?,
        id_number: mask_id(&r.try_get::<String, _>("id_number")?),
        subsidy_type: r.try_get("subsidy_type")?,
        status: crate::claims::stored_status(&r.try_get::<String, _>("status")?)?,
        amount_fen: r.try_get("amount_fen")?,
        applied_on: r.day("applied_on")?,
        flagged_rules: r.text_or_empty("flagged_rules")?,
    })
}
