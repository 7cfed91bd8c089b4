//! Scoped reads and claim actions: every query here takes the caller's
//! [`Scope`] and adds it to its WHERE clause, so lists, counts, sums and
//! dropdowns never reach outside it. The web passes the account's scope,
//! the command line [`Scope::Jurisdiction`]: one API for both. What a
//! scope covers is defined once, in [`filter`].

use crate::audit::Actor;
use crate::row::Typed;
use crate::sql::{Val, bind_all};
use crate::{Archive, ClaimDetail, DecideSummary, Store, StoreError};
use chrono::NaiveDate;
use jineng_domain::ClaimStatus;
use jineng_domain::access::Scope;
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

/// The kind of record a scope condition is written for, with the alias
/// the query gives it (`p` persons, `c` claims joined to `p`, `cl`
/// classes, `i` institutions, `ce` certificates joined to `p`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Subject {
    Person,
    Claim,
    Class,
    Institution,
    Certificate,
}

/// A NUL character can match no stored key (the importers drop control
/// characters) and cannot be bound at all on PostgreSQL (its text type
/// refuses it), so text carrying one is answered without a query.
pub(crate) fn has_nul(s: &str) -> bool {
    s.contains('\0')
}

/// Refuses free text (a note, a reason) that cannot be stored.
fn storable(what: &str, text: &str) -> Result<(), StoreError> {
    if has_nul(text) {
        return Err(StoreError::Refused(format!(
            "{what}含有无法保存的控制字符（NUL），请删除后重试"
        )));
    }
    Ok(())
}

/// The condition that keeps `subject` inside `scope`, using parameter `$n`,
/// and the value to bind to it.
pub(crate) fn filter(scope: &Scope, subject: Subject, n: usize) -> (String, Val) {
    use Subject::*;
    let inst_classes = format!("(SELECT k.class_id FROM classes k WHERE k.institution_id = ${n})");
    let sql = match (scope, subject) {
        (Scope::Region(_), Person | Claim | Certificate) => format!("p.hukou_region LIKE ${n}"),
        (Scope::Region(_), Class) => format!("cl.site_region LIKE ${n}"),
        (Scope::Region(_), Institution) => format!("i.region_code LIKE ${n}"),
        (Scope::Institution(_), Person) => format!(
            "p.person_id IN (SELECT e.person_id FROM enrolments e JOIN classes k ON k.class_id = e.class_id WHERE k.institution_id = ${n})"
        ),
        (Scope::Institution(_), Claim) => format!("c.class_id IN {inst_classes}"),
        (Scope::Institution(_), Certificate) => format!("ce.class_id IN {inst_classes}"),
        (Scope::Institution(_), Class) => format!("cl.institution_id = ${n}"),
        (Scope::Institution(_), Institution) => format!("i.institution_id = ${n}"),
        (Scope::Person(_), Person) => format!("p.person_id = ${n}"),
        (Scope::Person(_), Claim) => format!("c.person_id = ${n}"),
        (Scope::Person(_), Certificate) => format!("ce.person_id = ${n}"),
        (Scope::Person(_), Class) => {
            format!("cl.class_id IN (SELECT e.class_id FROM enrolments e WHERE e.person_id = ${n})")
        }
        (Scope::Person(_), Institution) => format!(
            "i.institution_id IN (SELECT k.institution_id FROM classes k JOIN enrolments e ON e.class_id = k.class_id WHERE e.person_id = ${n})"
        ),
        (Scope::Enterprise(_), Person | Certificate) => format!(
            "p.person_id IN (SELECT x.person_id FROM claims x WHERE x.claimant_code = ${n})"
        ),
        (Scope::Enterprise(_), Claim) => format!("c.claimant_code = ${n}"),
        (Scope::Enterprise(_), Class) => format!(
            "cl.institution_id IN (SELECT k.institution_id FROM institutions k WHERE k.credit_code = ${n})"
        ),
        (Scope::Enterprise(_), Institution) => format!("i.credit_code = ${n}"),
        // Everything: the value is bound all the same, so that every
        // caller's placeholders keep their numbers.
        (Scope::Jurisdiction, _) => format!("${n} = ${n}"),
    };
    let val = match scope {
        Scope::Region(r) => Val::text(format!("{}%", r.subtree_prefix())),
        Scope::Institution(i) | Scope::Person(i) => Val::int(*i),
        Scope::Enterprise(c) => Val::text(c.as_str()),
        Scope::Jurisdiction => Val::int(1),
    };
    (format!("({sql})"), val)
}

/// The figures of a home page, all within the scope.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Figures {
    pub persons: i64,
    pub institutions: i64,
    pub classes: i64,
    pub certificates: i64,
    pub claims: i64,
    /// 待核准 (eligible), 待复核 (review), 已支付 (paid).
    pub claims_eligible: i64,
    pub claims_review: i64,
    pub claims_paid: i64,
    /// Σ amount of the paid claims, in fen.
    pub paid_fen: i64,
}

/// A claim in a queue.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimRow {
    pub claim_no: String,
    pub person_name: String,
    /// Masked.
    pub id_number: String,
    pub subsidy_type: String,
    pub status: ClaimStatus,
    pub amount_fen: Option<i64>,
    pub applied_on: chrono::NaiveDate,
    /// The rules that rejected or flagged it, comma-separated.
    pub flagged_rules: String,
}

/// Per fund source, the claims in scope it paid, advanced and recovered.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FundLine {
    pub fund_code: String,
    pub fund_name: String,
    pub claims_paid: i64,
    pub paid_fen: i64,
    pub claims_advanced: i64,
    pub advanced_fen: i64,
    pub claims_recovered: i64,
}

impl Store {
    async fn scoped_count(
        &self,
        sql: &str,
        scope: &Scope,
        subject: Subject,
    ) -> Result<i64, StoreError> {
        let (cond, val) = filter(scope, subject, 1);
        let sql = format!("{sql} WHERE {cond}");
        let vals = [val];
        Ok(bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_one(self.pool())
            .await?
            .try_get(0)?)
    }

    /// The home page's figures within the scope.
    pub async fn figures(&self, scope: &Scope) -> Result<Figures, StoreError> {
        let mut f = Figures {
            persons: self
                .scoped_count("SELECT COUNT(*) FROM persons p", scope, Subject::Person)
                .await?,
            institutions: self
                .scoped_count("SELECT COUNT(*) FROM institutions i", scope, Subject::Institution)
                .await?,
            classes: self
                .scoped_count("SELECT COUNT(*) FROM classes cl", scope, Subject::Class)
                .await?,
            certificates: self
                .scoped_count(
                    "SELECT COUNT(*) FROM certificates ce JOIN persons p ON p.person_id = ce.person_id",
                    scope,
                    Subject::Certificate,
                )
                .await?,
            ..Figures::default()
        };
        let (cond, val) = filter(scope, Subject::Claim, 1);
        let (eligible, review, paid) = (
            ClaimStatus::Eligible.code(),
            ClaimStatus::Review.code(),
            ClaimStatus::Paid.code(),
        );
        let sql = format!(
            "SELECT COUNT(*) AS n, \
             CAST(COALESCE(SUM(CASE WHEN c.status = '{eligible}' THEN 1 ELSE 0 END), 0) AS BIGINT) AS eligible, \
             CAST(COALESCE(SUM(CASE WHEN c.status = '{review}' THEN 1 ELSE 0 END), 0) AS BIGINT) AS review, \
             CAST(COALESCE(SUM(CASE WHEN c.status = '{paid}' THEN 1 ELSE 0 END), 0) AS BIGINT) AS paid, \
             CAST(COALESCE(SUM(CASE WHEN c.status = '{paid}' THEN c.amount_fen ELSE 0 END), 0) AS BIGINT) AS paid_fen \
             FROM claims c JOIN persons p ON p.person_id = c.person_id WHERE {cond}"
        );
        let vals = [val];
        let r = bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_one(self.pool())
            .await?;
        f.claims = r.try_get("n")?;
        f.claims_eligible = r.try_get("eligible")?;
        f.claims_review = r.try_get("review")?;
        f.claims_paid = r.try_get("paid")?;
        f.paid_fen = r.try_get("paid_fen")?;
        Ok(f)
    }

    /// The e-archive of a person in scope (`None` outside it). With
    /// `reveal` the full ID number is shown and the act audited.
    pub async fn archive(
        &self,
        scope: &Scope,
        person_id: i64,
        actor: &Actor,
        reveal: bool,
    ) -> Result<Option<Archive>, StoreError> {
        let (cond, val) = filter(scope, Subject::Person, 2);
        let sql = format!("SELECT p.id_number FROM persons p WHERE p.person_id = $1 AND {cond}");
        let vals = [Val::int(person_id), val];
        let Some(r) = bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let id = r.national_id("id_number")?;
        self.archive_of(&id, actor, reveal).await
    }

    /// Claims in scope, optionally of one status, newest first.
    pub async fn scoped_claims(
        &self,
        scope: &Scope,
        status: Option<ClaimStatus>,
        limit: i64,
    ) -> Result<Vec<ClaimRow>, StoreError> {
        let (cond, val) = filter(scope, Subject::Claim, 1);
        let mut vals = vec![val, Val::int(limit)];
        let status_cond = match status {
            Some(s) => {
                vals.push(Val::text(s.code()));
                " AND c.status = $3"
            }
            None => "",
        };
        let sql = format!(
            "SELECT c.claim_no, p.name, p.id_number, c.subsidy_type, c.status, c.amount_fen, c.applied_on, c.flagged_rules \
             FROM claims c JOIN persons p ON p.person_id = c.person_id \
             WHERE {cond}{status_cond} ORDER BY c.applied_on DESC, c.claim_no LIMIT $2"
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(crate::claims::list::claim_row).collect()
    }

    /// Which of `claims` lie in scope.
    pub(crate) async fn claims_in_scope(
        &self,
        scope: &Scope,
        claims: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let mut found = Vec::new();
        let (cond, val) = filter(scope, Subject::Claim, 2);
        let sql = format!(
            "SELECT c.claim_no FROM claims c JOIN persons p ON p.person_id = c.person_id WHERE c.claim_no = $1 AND {cond}"
        );
        for claim in claims.iter().filter(|c| !has_nul(c)) {
            let vals = [Val::text(claim), val.clone()];
            if bind_all(sqlx::query(AssertSqlSafe(sql.clone())), &vals)
                .fetch_optional(self.pool())
                .await?
                .is_some()
            {
                found.push(claim.clone());
            }
        }
        Ok(found)
    }

    pub(crate) fn not_in_scope(claim: &str) -> StoreError {
        StoreError::OutOfScope(format!("申领「{claim}」不存在或不在您的管理范围内"))
    }

    /// A claim in scope with its decision and trace; ID masked.
    pub async fn scoped_claim(
        &self,
        scope: &Scope,
        claim_no: &str,
    ) -> Result<ClaimDetail, StoreError> {
        if self
            .claims_in_scope(scope, &[claim_no.to_string()])
            .await?
            .is_empty()
        {
            return Err(Self::not_in_scope(claim_no));
        }
        self.claim_detail(claim_no).await
    }

    /// Approves claims in scope: the named ones (each must be in scope;
    /// a claim in review is approved once an officer has looked), or with
    /// `None` every clean (待核准) claim in scope (in the whole
    /// jurisdiction: every one `approve_claims` takes).
    pub async fn approve(
        &self,
        scope: &Scope,
        claims: Option<&[String]>,
        note: Option<&str>,
        today: NaiveDate,
        actor: &Actor,
    ) -> Result<DecideSummary, StoreError> {
        storable("审核意见", note.unwrap_or_default())?;
        if *scope == Scope::Jurisdiction {
            let policies = self.policy_set().await?;
            return self
                .approve_claims(&policies, claims, note, today, actor)
                .await;
        }
        let list = match claims {
            Some(named) => {
                let inside = self.claims_in_scope(scope, named).await?;
                if let Some(out) = named.iter().find(|c| !inside.contains(c)) {
                    return Err(Self::not_in_scope(out));
                }
                inside
            }
            None => self
                .scoped_claims(scope, Some(ClaimStatus::Eligible), i64::MAX)
                .await?
                .into_iter()
                .map(|c| c.claim_no)
                .collect(),
        };
        if list.is_empty() {
            return Ok(DecideSummary::default());
        }
        let policies = self.policy_set().await?;
        self.approve_claims(&policies, Some(&list), note, today, actor)
            .await
    }

    /// Rejects a claim in scope, not yet paid, with the officer's reason.
    pub async fn reject(
        &self,
        scope: &Scope,
        claim_no: &str,
        reason: &str,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        self.require_claim(scope, claim_no).await?;
        storable("驳回理由", reason)?;
        let mut tx = self.begin().await?;
        crate::claims::reject_in(&mut tx, claim_no, reason, actor).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Institutions in scope: (id, name, credit code), by name.
    pub async fn scoped_institutions(
        &self,
        scope: &Scope,
    ) -> Result<Vec<(i64, String, String)>, StoreError> {
        let (cond, val) = filter(scope, Subject::Institution, 1);
        let sql = format!(
            "SELECT i.institution_id, i.name, i.credit_code FROM institutions i WHERE {cond} ORDER BY i.institution_id"
        );
        let vals = [val];
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect()
    }

    /// Per fund source, the claims in scope it paid, advanced, recovered.
    pub async fn scoped_ledger(&self, scope: &Scope) -> Result<Vec<FundLine>, StoreError> {
        let (cond, val) = filter(scope, Subject::Claim, 1);
        let (paid, advanced, recovered) = (
            ClaimStatus::Paid.code(),
            ClaimStatus::Advanced.code(),
            ClaimStatus::Recovered.code(),
        );
        let sql = format!(
            "SELECT c.fund_code, COALESCE(MAX(f.name), c.fund_code) AS fund_name, \
             SUM(CASE WHEN c.status = '{paid}' THEN 1 ELSE 0 END) AS n_paid, \
             CAST(COALESCE(SUM(CASE WHEN c.status = '{paid}' THEN c.amount_fen ELSE 0 END), 0) AS BIGINT) AS paid, \
             SUM(CASE WHEN c.status = '{advanced}' THEN 1 ELSE 0 END) AS n_adv, \
             CAST(COALESCE(SUM(CASE WHEN c.status = '{advanced}' THEN c.amount_fen * COALESCE(c.advance_pct, 0) / 100 ELSE 0 END), 0) AS BIGINT) AS adv, \
             SUM(CASE WHEN c.status = '{recovered}' THEN 1 ELSE 0 END) AS n_rec \
             FROM claims c JOIN persons p ON p.person_id = c.person_id LEFT JOIN fund_sources f ON f.code = c.fund_code \
             WHERE c.fund_code IS NOT NULL AND {cond} GROUP BY c.fund_code ORDER BY c.fund_code"
        );
        let vals = [val];
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), &vals)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(FundLine {
                    fund_code: r.try_get("fund_code")?,
                    fund_name: r.try_get("fund_name")?,
                    claims_paid: r.try_get("n_paid")?,
                    paid_fen: r.try_get("paid")?,
                    claims_advanced: r.try_get("n_adv")?,
                    advanced_fen: r.try_get("adv")?,
                    claims_recovered: r.try_get("n_rec")?,
                })
            })
            .collect()
    }

    /// The name of the first person (by id) with a claim that stands
    /// (eligible, approved, paid), else with any claim, to show.
    pub async fn first_person_with_claim(&self) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT p.name FROM persons p WHERE p.person_id = COALESCE(\
             (SELECT MIN(person_id) FROM claims WHERE status IN ($1, $2, $3)), \
             (SELECT MIN(person_id) FROM claims))",
        )
        .bind(ClaimStatus::Eligible.code())
        .bind(ClaimStatus::Approved.code())
        .bind(ClaimStatus::Paid.code())
        .fetch_optional(self.pool())
        .await?)
    }
}
