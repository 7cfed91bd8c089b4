//! What a case names, as one case's page shows it within a scope: each
//! claim, class, certificate, institution and person with whether the
//! scope holds it. Claims, certificates and persons outside the scope are
//! counted, not named, and their numbers are blanked out of the evidence.

use crate::row::Typed;
use chrono::NaiveDate;
use jineng_domain::access::Scope;
use jineng_domain::national_id::mask_id;
use jineng_domain::supervision::CheckId;
use jineng_domain::supervision::case::CaseStatus;
use jineng_domain::{ClaimStatus, Stamp};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

use crate::claims::scoped::{Subject, filter};
use crate::sql::{Val, bind_all};
use crate::{Store, StoreError};

/// A claim a case names, inside the scope (status and amount are `None`
/// for a number not found in the registry).
#[derive(Debug, Clone, Serialize)]
pub struct CaseClaim {
    pub claim_no: String,
    pub subsidy_type: Option<String>,
    pub status: Option<ClaimStatus>,
    pub amount_fen: Option<i64>,
}

/// A class a case names (`class_id` for its page when in the scope).
#[derive(Debug, Clone, Serialize)]
pub struct CaseClass {
    pub class_no: String,
    pub class_id: Option<i64>,
    pub institution: String,
    pub site_region: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseCert {
    pub cert_no: String,
    pub cert_type: String,
    pub issue_date: NaiveDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseInstitution {
    pub credit_code: String,
    pub name: String,
    pub region_code: String,
    /// For its page, when in the scope.
    pub institution_id: Option<i64>,
}

/// A person a case names: the ID always masked; the name and the
/// e-archive's id only when the person is in the scope.
#[derive(Debug, Clone, Serialize)]
pub struct CasePerson {
    pub id_number: String,
    pub name: Option<String>,
    pub person_id: Option<i64>,
}

/// One case with what it names.
#[derive(Debug, Clone, Serialize)]
pub struct CaseDetail {
    pub case_no: String,
    pub check: CheckId,
    pub severity: String,
    pub status: CaseStatus,
    pub evidence: String,
    pub doc_no: String,
    pub clause: String,
    pub opened_at: Stamp,
    pub closed_at: Option<Stamp>,
    pub finding: Option<String>,
    pub note: Option<String>,
    pub closed_by: Option<String>,
    /// Every named record found in the registry is in the scope.
    pub within_scope: bool,
    pub claims: Vec<CaseClaim>,
    pub classes: Vec<CaseClass>,
    pub certs: Vec<CaseCert>,
    pub institutions: Vec<CaseInstitution>,
    pub persons: Vec<CasePerson>,
    /// Claims, certificates and persons named but outside the scope.
    pub claims_outside: usize,
    pub certs_outside: usize,
    pub persons_outside: usize,
}

/// The evidence with a number outside the scope blanked out (the checks
/// quote numbers as 「…」, so a longer number sharing a prefix stays).
fn blank(evidence: &str, number: &str) -> String {
    evidence.replace(&format!("「{number}」"), "「（管理范围外）」")
}

impl Store {
    /// Fills the named records of case `case_id`, each with whether it is
    /// in the scope; a record outside it clears `within_scope`.
    pub(super) async fn case_records(
        &self,
        scope: &Scope,
        case_id: i64,
        d: &mut CaseDetail,
    ) -> Result<(), StoreError> {
        let (_, val) = filter(scope, Subject::Claim, 1);
        let look = CaseLookup {
            store: self,
            scope,
            case_id,
            vals: [val, Val::int(case_id)],
        };
        look.claims(d).await?;
        look.classes(d).await?;
        look.certs(d).await?;
        look.institutions(d).await?;
        look.persons(d).await?;
        Ok(())
    }
}

/// What the look-ups of one case's named records share: the scope's
/// filter value bound as `$1` and the case id as `$2`.
struct CaseLookup<'a> {
    store: &'a Store,
    scope: &'a Scope,
    case_id: i64,
    vals: [Val; 2],
}

/// Whether a row read with [`CaseLookup::flag`] is in the scope.
fn in_scope(r: &sqlx::any::AnyRow) -> Result<bool, StoreError> {
    Ok(r.try_get::<i64, _>("in_scope")? != 0)
}

impl CaseLookup<'_> {
    /// The subquery of the record keys of `kind` the case names.
    fn keys(kind: &str) -> String {
        format!(
            "(SELECT record_key FROM supervision_case_records WHERE case_id = $2 AND kind = '{kind}')"
        )
    }

    /// The column telling whether a row of `subject` is in the scope.
    fn flag(&self, subject: Subject) -> String {
        let (c, _) = filter(self.scope, subject, 1);
        format!("CASE WHEN {c} THEN 1 ELSE 0 END AS in_scope")
    }

    /// The rows of `sql` with the scope value and the case id bound.
    async fn fetch(&self, sql: String) -> Result<Vec<sqlx::any::AnyRow>, sqlx::Error> {
        bind_all(sqlx::query(AssertSqlSafe(sql)), &self.vals)
            .fetch_all(self.store.pool())
            .await
    }

    /// The claims the case names, in number order; one outside the scope
    /// is counted and blanked out of the evidence.
    async fn claims(&self, d: &mut CaseDetail) -> Result<(), StoreError> {
        let named: Vec<String> = sqlx::query_scalar(
            "SELECT record_key FROM supervision_case_records WHERE case_id = $1 AND kind = 'claim' ORDER BY record_key",
        )
        .bind(self.case_id)
        .fetch_all(self.store.pool())
        .await?;
        let rows = self
            .fetch(format!(
                "SELECT c.claim_no, c.subsidy_type, c.status, c.amount_fen, {} FROM claims c \
                 JOIN persons p ON p.person_id = c.person_id WHERE c.claim_no IN {}",
                self.flag(Subject::Claim),
                Self::keys("claim")
            ))
            .await?;
        for no in named {
            let found = rows
                .iter()
                .find(|r| r.try_get::<String, _>("claim_no").ok().as_deref() == Some(&no));
            let claim = match found {
                Some(r) if in_scope(r)? => {
                    let status: String = r.try_get("status")?;
                    CaseClaim {
                        claim_no: no,
                        subsidy_type: Some(r.try_get("subsidy_type")?),
                        status: ClaimStatus::from_code(&status),
                        amount_fen: r.try_get("amount_fen")?,
                    }
                }
                Some(_) => {
                    d.within_scope = false;
                    d.claims_outside += 1;
                    d.evidence = blank(&d.evidence, &no);
                    continue;
                }
                None => CaseClaim {
                    claim_no: no,
                    subsidy_type: None,
                    status: None,
                    amount_fen: None,
                },
            };
            d.claims.push(claim);
        }
        Ok(())
    }

    /// The classes the case names (of the institutions it names).
    async fn classes(&self, d: &mut CaseDetail) -> Result<(), StoreError> {
        for r in self
            .fetch(format!(
                "SELECT cl.class_id, cl.class_no, i.name, cl.site_region, cl.start_date, cl.end_date, {} \
                 FROM classes cl JOIN institutions i ON i.institution_id = cl.institution_id \
                 WHERE cl.class_no IN {} AND i.credit_code IN {} ORDER BY cl.class_no, i.name",
                self.flag(Subject::Class),
                Self::keys("class"),
                Self::keys("institution")
            ))
            .await?
        {
            let inside = in_scope(&r)?;
            d.within_scope &= inside;
            d.classes.push(CaseClass {
                class_no: r.try_get("class_no")?,
                class_id: if inside {
                    Some(r.try_get("class_id")?)
                } else {
                    None
                },
                institution: r.try_get("name")?,
                site_region: r.try_get("site_region")?,
                start_date: r.day("start_date")?,
                end_date: r.day("end_date")?,
            });
        }
        Ok(())
    }

    /// The certificates the case names; one outside the scope is counted
    /// and blanked out of the evidence.
    async fn certs(&self, d: &mut CaseDetail) -> Result<(), StoreError> {
        for r in self
            .fetch(format!(
                "SELECT ce.cert_no, ce.cert_type, ce.issue_date, {} FROM certificates ce \
                 JOIN persons p ON p.person_id = ce.person_id WHERE ce.cert_no IN {} ORDER BY ce.cert_no",
                self.flag(Subject::Certificate),
                Self::keys("cert")
            ))
            .await?
        {
            let cert_no: String = r.try_get("cert_no")?;
            if !in_scope(&r)? {
                d.within_scope = false;
                d.certs_outside += 1;
                d.evidence = blank(&d.evidence, &cert_no);
                continue;
            }
            d.certs.push(CaseCert {
                cert_no,
                cert_type: r.try_get("cert_type")?,
                issue_date: r.day("issue_date")?,
            });
        }
        Ok(())
    }

    /// The institutions the case names.
    async fn institutions(&self, d: &mut CaseDetail) -> Result<(), StoreError> {
        for r in self
            .fetch(format!(
                "SELECT i.institution_id, i.credit_code, i.name, i.region_code, {} FROM institutions i \
                 WHERE i.credit_code IN {} ORDER BY i.credit_code",
                self.flag(Subject::Institution),
                Self::keys("institution")
            ))
            .await?
        {
            let inside = in_scope(&r)?;
            d.within_scope &= inside;
            d.institutions.push(CaseInstitution {
                credit_code: r.try_get("credit_code")?,
                name: r.try_get("name")?,
                region_code: r.try_get("region_code")?,
                institution_id: if inside {
                    Some(r.try_get("institution_id")?)
                } else {
                    None
                },
            });
        }
        Ok(())
    }

    /// The persons the case names, the ID masked; one outside the scope
    /// or not in the registry is counted only.
    async fn persons(&self, d: &mut CaseDetail) -> Result<(), StoreError> {
        let named: Vec<String> = sqlx::query_scalar(
            "SELECT record_key FROM supervision_case_records WHERE case_id = $1 AND kind = 'person' ORDER BY record_key",
        )
        .bind(self.case_id)
        .fetch_all(self.store.pool())
        .await?;
        let rows = self
            .fetch(format!(
                "SELECT p.person_id, p.id_number, p.name, {} FROM persons p WHERE p.id_number IN {}",
                self.flag(Subject::Person),
                Self::keys("person")
            ))
            .await?;
        for id in named {
            let found = rows
                .iter()
                .find(|r| r.try_get::<String, _>("id_number").ok().as_deref() == Some(&id));
            match found {
                Some(r) if in_scope(r)? => d.persons.push(CasePerson {
                    id_number: mask_id(&id),
                    name: Some(r.try_get("name")?),
                    person_id: Some(r.try_get("person_id")?),
                }),
                Some(_) => {
                    d.within_scope = false;
                    d.persons_outside += 1;
                }
                // Not in the registry (a comparison-list entry): no region,
                // so no account's scope holds the person; counted only.
                None => d.persons_outside += 1,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::blank;

    #[test]
    fn only_the_quoted_number_is_blanked() {
        let e = "申领「C1」（职业培训补贴）；申领「C10」（职业培训补贴）";
        assert_eq!(
            blank(e, "C1"),
            "申领「（管理范围外）」（职业培训补贴）；申领「C10」（职业培训补贴）"
        );
        assert_eq!(blank(e, "C2"), e);
    }
}
