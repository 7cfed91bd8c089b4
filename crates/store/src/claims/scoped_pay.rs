//! Payment actions (拨付, 预拨, 清算, 追回), one API for the web and the
//! command line: each takes the caller's scope. An officer's named claim
//! must lie in it (403 otherwise, the same answer as for a claim that does
//! not exist), and the batch takes the approved claims in scope only; the
//! command line acts with the whole jurisdiction's
//! ([`Scope::Jurisdiction`]). The claims workflow (`claims/payment.rs`)
//! does the booking: R16's fund choice, never beyond the balance, once per
//! claim.

use crate::audit::Actor;
use crate::{PaySummary, Store, StoreError};
use jineng_domain::access::Scope;

impl Store {
    /// 403 unless the claim lies in scope. The whole jurisdiction holds
    /// every claim: one that does not exist is named by the step itself.
    pub(crate) async fn require_claim(
        &self,
        scope: &Scope,
        claim_no: &str,
    ) -> Result<(), StoreError> {
        if *scope == Scope::Jurisdiction {
            return Ok(());
        }
        let one = [claim_no.to_string()];
        if self.claims_in_scope(scope, &one).await?.is_empty() {
            return Err(Self::not_in_scope(claim_no));
        }
        Ok(())
    }

    /// Pays approved claims in scope from the dedicated account (R16):
    /// the named ones (each must be in scope), or with `None` every
    /// approved (已核准) claim in scope. A claim no fund can pay is refused
    /// with the reason and nothing is booked for it.
    pub async fn pay(
        &self,
        scope: &Scope,
        claims: Option<&[String]>,
        actor: &Actor,
    ) -> Result<PaySummary, StoreError> {
        let list: Vec<String> = match (claims, scope) {
            (claims, Scope::Jurisdiction) => {
                // Every approved claim, in number order (`pay_claims`).
                let policies = self.policy_set().await?;
                return self.pay_claims(&policies, claims, actor).await;
            }
            (Some(named), _) => {
                for c in named {
                    self.require_claim(scope, c).await?;
                }
                named.to_vec()
            }
            (None, _) => self
                .scoped_claims(scope, Some(jineng_domain::ClaimStatus::Approved), i64::MAX)
                .await?
                .into_iter()
                .map(|c| c.claim_no)
                .collect(),
        };
        if list.is_empty() {
            return Ok(PaySummary::default());
        }
        let policies = self.policy_set().await?;
        self.pay_claims(&policies, Some(&list), actor).await
    }

    /// Advances the policy's share of an approved claim in scope (R9, R11);
    /// returns the amount (fen) and the fund.
    pub async fn advance(
        &self,
        scope: &Scope,
        claim_no: &str,
        actor: &Actor,
    ) -> Result<(i64, String), StoreError> {
        self.require_claim(scope, claim_no).await?;
        let policies = self.policy_set().await?;
        let (fen, fund) = self.advance_claim(&policies, claim_no, actor).await?;
        Ok((fen.0, fund))
    }

    /// Settles an advanced claim in scope; returns the rest paid (fen).
    pub async fn settle(
        &self,
        scope: &Scope,
        claim_no: &str,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        self.require_claim(scope, claim_no).await?;
        Ok(self.settle_claim(claim_no, actor).await?.0)
    }

    /// Recovers (追回) a paid or advanced claim in scope with the reason;
    /// returns the amount recovered (fen).
    pub async fn recover(
        &self,
        scope: &Scope,
        claim_no: &str,
        reason: &str,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        self.require_claim(scope, claim_no).await?;
        Ok(self.recover_claim(claim_no, reason, actor).await?.0)
    }
}
