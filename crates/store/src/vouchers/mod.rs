//! Training vouchers (职业培训券, docs/vouchers.md) in the database: issuing
//! them to the eligible persons of a scope under each person's policy,
//! their redemption at an institution (`redeem`), lapsing the expired,
//! the lists the pages show (`views`) and their commitments on the
//! dedicated account (`ledger`). What a voucher may do is decided by
//! `domain::voucher` and `domain::ledger::commitment`.

mod ledger;
mod redeem;
mod views;

pub(crate) use ledger::{release_for_claim, verify_commitments};
pub use redeem::{Redeemable, Redeemed};
pub use views::{VOUCHER_SORTS, VoucherQuery, VoucherRow, VoucherTotals};

use jineng_domain::audit::{Action, Entity};
use std::collections::{BTreeMap, HashSet};

use crate::audit::{Actor, AuditEntry};
use crate::sql::{Val, insert_rows, select_in, update_rows};
use crate::{PolicySet, Store, StoreError};
use chrono::{Datelike, NaiveDate};
use jineng_domain::ledger::commitment::{ReleaseReason, VoucherLedgerState, commit};
use jineng_domain::ledger::{FundBalances, FundCode, Posting};
use jineng_domain::policy::facts::CategorySpan;
use jineng_domain::voucher::{VoucherNo, valid_until};
use jineng_domain::{Fen, RegionCode};
use serde::Serialize;
use sqlx::Row;

/// What `vouchers issue` did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct IssueSummary {
    pub scope: String,
    pub year: i32,
    pub issued_on: NaiveDate,
    /// Persons of the scope who qualify for at least one kind.
    pub eligible_persons: u64,
    /// Vouchers issued now, and their face value.
    pub issued: u64,
    pub face_fen: i64,
    /// Vouchers the persons already held for the year (a re-run).
    pub existing: u64,
    /// Per kind: (code, name, issued, face).
    pub kinds: Vec<KindCount>,
    /// Per fund: the commitment booked now.
    pub funds: Vec<FundCommit>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct KindCount {
    pub code: String,
    pub name: String,
    pub issued: u64,
    pub face_fen: i64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct FundCommit {
    pub fund: String,
    pub committed_fen: i64,
}

/// What `vouchers lapse` did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct LapseSummary {
    pub lapsed: u64,
    pub released_fen: i64,
}

/// One voucher to issue.
struct Planned {
    person_id: i64,
    region: String,
    policy_id: i64,
    fund: FundCode,
    subsidy_type: String,
    months: u32,
    rule: jineng_domain::voucher::FaceRule,
}

/// The persons of `prefix` with a category, and their categories.
async fn categorised(
    conn: &mut sqlx::AnyConnection,
    prefix: &str,
) -> Result<BTreeMap<i64, (String, Vec<CategorySpan>)>, StoreError> {
    let mut out: BTreeMap<i64, (String, Vec<CategorySpan>)> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT p.person_id, p.hukou_region, pc.category, pc.valid_from, pc.valid_to
         FROM persons p JOIN person_categories pc ON pc.person_id = p.person_id
         WHERE p.hukou_region LIKE $1 ORDER BY p.person_id",
    )
    .bind(format!("{prefix}%"))
    .fetch_all(&mut *conn)
    .await?
    {
        let date = |c: &str| -> Result<Option<NaiveDate>, StoreError> {
            r.try_get::<Option<String>, _>(c)?
                .map(|s| {
                    s.parse()
                        .map_err(|_| StoreError::Corrupt(format!("日期「{s}」格式不对")))
                })
                .transpose()
        };
        let span = CategorySpan {
            category: r.try_get("category")?,
            from: date("valid_from")?.unwrap_or(NaiveDate::MIN),
            to: date("valid_to")?,
        };
        let hukou: String = r.try_get("hukou_region")?;
        out.entry(r.try_get("person_id")?)
            .or_insert_with(|| (hukou, Vec::new()))
            .1
            .push(span);
    }
    Ok(out)
}

/// The vouchers the policies give the persons on `on`, by the policy in
/// force at each one's 户籍地, and how many persons are eligible for any;
/// refused when no policy there provides vouchers.
fn plan(
    policies: &PolicySet,
    persons: &BTreeMap<i64, (String, Vec<CategorySpan>)>,
    scope: &RegionCode,
    on: NaiveDate,
) -> Result<(Vec<Planned>, u64), StoreError> {
    let mut planned: Vec<Planned> = Vec::new();
    let (mut governed, mut eligible) = (false, 0);
    for (pid, (hukou, spans)) in persons {
        let Ok(region) = RegionCode::parse(hukou) else {
            continue;
        };
        let Some(chosen) = policies.for_region(&region, on) else {
            continue;
        };
        let Some(rules) = &chosen.policy.vouchers else {
            continue;
        };
        governed = true;
        let kinds = rules.kinds_for(spans, on);
        eligible += u64::from(!kinds.is_empty());
        planned.extend(kinds.into_iter().map(|k| Planned {
            person_id: *pid,
            region: hukou.clone(),
            policy_id: chosen.version.policy_id,
            fund: rules.fund.clone(),
            subsidy_type: rules.subsidy_type.clone(),
            months: rules.valid_months,
            rule: k.rule.clone(),
        }));
    }
    if !governed && !persons.is_empty() {
        return Err(StoreError::Refused(format!(
            "{scope} 的人员在 {on} 适用的政策均未规定职业培训券（政策文件的 [vouchers] 表），未发放"
        )));
    }
    Ok((planned, eligible))
}

/// Per fund, how many vouchers and the sum of their face values.
fn wanted_by_fund(planned: &[Planned]) -> BTreeMap<FundCode, (i64, Fen)> {
    let mut wanted: BTreeMap<FundCode, (i64, Fen)> = BTreeMap::new();
    for p in planned {
        let w = wanted.entry(p.fund.clone()).or_default();
        w.0 += 1;
        w.1 += p.rule.face;
    }
    wanted
}

/// The rows, commitment postings and audit entries of the vouchers to
/// issue.
struct Issued {
    rows: Vec<Vec<Val>>,
    postings: Vec<(String, Posting)>,
    audits: Vec<AuditEntry>,
}

/// Builds each planned voucher's row, commits its face value on the
/// fund's locked balances and tallies it in `summary`.
fn issued(
    planned: &[Planned],
    numbers: &[VoucherNo],
    balances: &mut BTreeMap<FundCode, FundBalances>,
    year: i32,
    on: NaiveDate,
    summary: &mut IssueSummary,
) -> Result<Issued, StoreError> {
    let now = crate::audit::now();
    let (mut rows, mut postings, mut audits) = (Vec::new(), Vec::new(), Vec::new());
    for (p, no) in planned.iter().zip(numbers) {
        let b = balances.get_mut(&p.fund).expect("locked above");
        let posting = commit(
            &p.fund,
            no.as_str(),
            p.rule.face,
            b,
            &VoucherLedgerState::default(),
        )?;
        *b = b.after(&posting)?;
        let until = valid_until(on, p.months);
        rows.push(vec![
            Val::text(no.as_str()),
            Val::int(p.person_id),
            Val::int(i64::from(year)),
            Val::text(&p.region),
            Val::int(i64::from(no.seq())),
            Val::int(p.policy_id),
            Val::text(&p.rule.kind_code),
            Val::text(&p.rule.kind_name),
            Val::text(p.rule.occupations_text()),
            Val::I(p.rule.level.map(|l| i64::from(l.grade()))),
            Val::int(p.rule.face.0),
            Val::text(&p.subsidy_type),
            Val::text(p.fund.as_str()),
            Val::text(on.to_string()),
            Val::text(until.to_string()),
            Val::text(&now),
        ]);
        audits.push(AuditEntry::change(
            Action::Issue,
            Entity::Voucher,
            no.to_string(),
            None,
            Some(&serde_json::json!({
                "person_id": p.person_id, "kind": p.rule.kind_code, "face_fen": p.rule.face.0,
                "fund": p.fund.as_str(), "issued_on": on, "valid_until": until,
            })),
        ));
        postings.push((no.to_string(), posting));
        tally(summary, p);
    }
    Ok(Issued {
        rows,
        postings,
        audits,
    })
}

/// Inserts the issued vouchers' rows.
async fn insert_vouchers(
    conn: &mut sqlx::AnyConnection,
    rows: &[Vec<Val>],
) -> Result<(), StoreError> {
    insert_rows(
        conn,
        "vouchers",
        &[
            "voucher_no",
            "person_id",
            "year",
            "region_code",
            "seq",
            "policy_id",
            "kind_code",
            "kind_name",
            "occupations",
            "skill_level",
            "face_fen",
            "subsidy_type",
            "fund_code",
            "issued_on",
            "valid_until",
            "created_at",
        ],
        rows,
        "",
    )
    .await?;
    Ok(())
}

impl Store {
    /// Issues `year`'s vouchers, dated `on`, to the eligible persons of
    /// `scope` (by 户籍地): for each person, the kinds the policy in force
    /// at their 户籍地 gives the categories they hold on `on`; at most one
    /// voucher of a kind per person and year, so a re-run issues nothing
    /// new. Each voucher's face value is committed on its fund, and the
    /// whole run is refused when a fund cannot cover its commitments.
    pub async fn issue_vouchers(
        &self,
        policies: &PolicySet,
        scope: &RegionCode,
        year: i32,
        on: NaiveDate,
        actor: &Actor,
    ) -> Result<IssueSummary, StoreError> {
        if on.year() != year {
            return Err(StoreError::Refused(format!(
                "发放日期 {on} 不在 {year} 年内"
            )));
        }
        let mut tx = self.begin().await?;
        let known: Option<String> = sqlx::query_scalar("SELECT name FROM regions WHERE code = $1")
            .bind(scope.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            return Err(StoreError::NotFound(format!("行政区划「{scope}」不存在")));
        }
        let persons = categorised(&mut tx, scope.subtree_prefix()).await?;
        let (mut planned, eligible) = plan(policies, &persons, scope, on)?;
        let held = held(&mut tx, year, &planned).await?;
        let before = planned.len();
        planned.retain(|p| !held.contains(&(p.person_id, p.rule.kind_code.clone())));
        let mut summary = IssueSummary {
            scope: scope.to_string(),
            year,
            issued_on: on,
            eligible_persons: eligible,
            existing: (before - planned.len()) as u64,
            ..IssueSummary::default()
        };
        if planned.is_empty() {
            tx.commit().await?;
            return Ok(summary);
        }
        let wanted = wanted_by_fund(&planned);
        let mut balances = ledger::lock_for_commit(&mut tx, self.backend(), &wanted).await?;
        let numbers = number(&mut tx, year, &planned).await?;
        let Issued {
            rows,
            postings,
            audits,
        } = issued(&planned, &numbers, &mut balances, year, on, &mut summary)?;
        insert_vouchers(&mut tx, &rows).await?;
        crate::audit::write(&mut tx, actor, None, &audits).await?;
        ledger::book(&mut tx, &postings, actor).await?;
        tx.commit().await?;
        summary.funds = wanted
            .iter()
            .map(|(f, (_, total))| FundCommit {
                fund: f.to_string(),
                committed_fen: total.0,
            })
            .collect();
        Ok(summary)
    }

    /// Lapses the vouchers still unused after their last valid day (before
    /// `today`) and releases their commitments; audited per voucher.
    pub async fn lapse_vouchers(
        &self,
        today: NaiveDate,
        actor: &Actor,
    ) -> Result<LapseSummary, StoreError> {
        let mut tx = self.begin().await?;
        let lock = self.backend().for_update();
        let due: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT voucher_no FROM vouchers WHERE status = 'issued' AND valid_until < $1 ORDER BY voucher_no{lock}"
        )))
        .bind(today.to_string())
        .fetch_all(&mut *tx)
        .await?;
        if due.is_empty() {
            tx.commit().await?;
            return Ok(LapseSummary::default());
        }
        // Exactly the vouchers read (and locked) above: their releases follow.
        let rows: Vec<Vec<Val>> = due
            .iter()
            .map(|v| vec![Val::text(v), Val::text(today.to_string())])
            .collect();
        update_rows(
            &mut tx,
            "vouchers",
            &["voucher_no"],
            &["lapsed_on"],
            &[("status", "'lapsed'"), ("lapsed_on", "v.lapsed_on")],
            &rows,
        )
        .await?;
        let released =
            ledger::release(&mut tx, self.backend(), &due, ReleaseReason::Lapsed, actor).await?;
        let audits: Vec<AuditEntry> = due
            .iter()
            .map(|v| {
                AuditEntry::change(
                    Action::Lapse,
                    Entity::Voucher,
                    v.clone(),
                    Some(&serde_json::json!({ "status": "issued" })),
                    Some(&serde_json::json!({ "status": "lapsed", "lapsed_on": today })),
                )
            })
            .collect();
        crate::audit::write(&mut tx, actor, None, &audits).await?;
        tx.commit().await?;
        Ok(LapseSummary {
            lapsed: due.len() as u64,
            released_fen: released.0,
        })
    }
}

fn tally(s: &mut IssueSummary, p: &Planned) {
    s.issued += 1;
    s.face_fen += p.rule.face.0;
    match s.kinds.iter_mut().find(|k| k.code == p.rule.kind_code) {
        Some(k) => {
            k.issued += 1;
            k.face_fen += p.rule.face.0;
        }
        None => s.kinds.push(KindCount {
            code: p.rule.kind_code.clone(),
            name: p.rule.kind_name.clone(),
            issued: 1,
            face_fen: p.rule.face.0,
        }),
    }
}

/// The (person, kind) pairs that already hold a voucher of `year`.
async fn held(
    conn: &mut sqlx::AnyConnection,
    year: i32,
    planned: &[Planned],
) -> Result<HashSet<(i64, String)>, StoreError> {
    let mut keys: Vec<i64> = planned.iter().map(|p| p.person_id).collect();
    keys.dedup();
    let keys: Vec<Val> = keys.into_iter().map(Val::int).collect();
    let mut out = HashSet::new();
    for r in select_in(
        conn,
        "SELECT person_id, year, kind_code FROM vouchers",
        "person_id",
        &keys,
    )
    .await?
    {
        if r.try_get::<i64, _>("year")? == i64::from(year) {
            out.insert((r.try_get("person_id")?, r.try_get("kind_code")?));
        }
    }
    Ok(out)
}

/// The next numbers in each holder's county for `year`, in `planned` order.
async fn number(
    conn: &mut sqlx::AnyConnection,
    year: i32,
    planned: &[Planned],
) -> Result<Vec<VoucherNo>, StoreError> {
    let mut next: BTreeMap<&str, u32> = BTreeMap::new();
    let mut out = Vec::with_capacity(planned.len());
    for p in planned {
        if !next.contains_key(p.region.as_str()) {
            let last: Option<i64> = sqlx::query_scalar(
                "SELECT MAX(seq) FROM vouchers WHERE region_code = $1 AND year = $2",
            )
            .bind(&p.region)
            .bind(i64::from(year))
            .fetch_one(&mut *conn)
            .await?;
            next.insert(&p.region, u32::try_from(last.unwrap_or(0)).unwrap_or(0));
        }
        let seq = next.get_mut(p.region.as_str()).expect("inserted");
        *seq += 1;
        out.push(
            VoucherNo::new(&p.region, year, *seq)
                .map_err(|e| StoreError::Refused(e.message().to_string()))?,
        );
    }
    Ok(out)
}
