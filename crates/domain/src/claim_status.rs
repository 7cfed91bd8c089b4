//! A claim's lifecycle: the one type for where a claim stands, its stored
//! code, its Chinese label, and which step may take it where (and why not,
//! in Chinese). The store saves the code; nothing else spells a status.
//!
//! ```text
//! submitted ─decide─▶ eligible ─approve─▶ approved ─pay────────▶ paid ─recover─▶ recovered
//!     │                  │                   │  ─advance─▶ advanced ─settle─▶ paid
//!     │                  │                   │                     └─recover─▶ recovered
//!     ├─decide─▶ review ─┘ (held: officer)   └─batch─▶ in_transit ─bank ok──▶ paid
//!     └─decide─▶ rejected ◀─reject─ (any unpaid)        └─bank fails─▶ failed ─batch─▶ in_transit
//! ```
//!
//! "Held" (a claim the engine could not decide alone, e.g. 无适用政策) is
//! [`ClaimStatus::Review`] (待复核): an officer approves or rejects it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ValueError;

/// Where a claim stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// 已提交: imported, not decided.
    Submitted,
    /// 待核准: the engine found it eligible.
    Eligible,
    /// 待复核: held for an officer (flagged, or no policy applies).
    Review,
    /// 不予核准.
    Rejected,
    /// 已核准: approved, waiting for payment.
    Approved,
    /// 已预拨: part paid before completion (R9, R11).
    Advanced,
    /// 支付在途: sent to the bank in a disbursement batch.
    InTransit,
    /// 支付失败: the bank returned it; the money is back in its fund and the
    /// claim waits for correction (e.g. the account) and a later batch.
    Failed,
    /// 已支付.
    Paid,
    /// 已追回: paid or advanced, found false, money returned.
    Recovered,
}

/// What is being done to a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStep {
    /// The engine's decision on a submitted claim.
    Decide,
    /// An officer's approval (of an eligible or held claim).
    Approve,
    /// An officer's rejection, before any money moved.
    Reject,
    /// Paid in full from the fund directly.
    Pay,
    /// Part paid in advance.
    Advance,
    /// The rest of an advanced claim paid.
    Settle,
    /// Put in a bank disbursement batch (money in transit).
    Disburse,
    /// The bank confirmed the payment.
    BankSuccess,
    /// The bank returned the payment.
    BankFailure,
    /// Money of a paid or advanced claim returned.
    Recover,
}

impl ClaimStatus {
    pub const ALL: [ClaimStatus; 10] = [
        ClaimStatus::Submitted,
        ClaimStatus::Eligible,
        ClaimStatus::Review,
        ClaimStatus::Rejected,
        ClaimStatus::Approved,
        ClaimStatus::Advanced,
        ClaimStatus::InTransit,
        ClaimStatus::Failed,
        ClaimStatus::Paid,
        ClaimStatus::Recovered,
    ];

    /// The code stored in `claims.status`.
    pub fn code(self) -> &'static str {
        match self {
            ClaimStatus::Submitted => "submitted",
            ClaimStatus::Eligible => "eligible",
            ClaimStatus::Review => "review",
            ClaimStatus::Rejected => "rejected",
            ClaimStatus::Approved => "approved",
            ClaimStatus::Advanced => "advanced",
            ClaimStatus::InTransit => "in_transit",
            ClaimStatus::Failed => "failed",
            ClaimStatus::Paid => "paid",
            ClaimStatus::Recovered => "recovered",
        }
    }

    /// The status of a stored code.
    pub fn from_code(code: &str) -> Option<ClaimStatus> {
        ClaimStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// A stored code, or an error naming it.
    pub fn parse(code: &str) -> Result<ClaimStatus, ValueError> {
        ClaimStatus::from_code(code.trim())
            .ok_or_else(|| ValueError::new(format!("无法识别的申领状态「{}」", code.trim())))
    }

    pub fn as_zh(self) -> &'static str {
        match self {
            ClaimStatus::Submitted => "已提交",
            ClaimStatus::Eligible => "待核准",
            ClaimStatus::Review => "待复核",
            ClaimStatus::Rejected => "不予核准",
            ClaimStatus::Approved => "已核准",
            ClaimStatus::Advanced => "已预拨",
            ClaimStatus::InTransit => "支付在途",
            ClaimStatus::Failed => "支付失败待更正",
            ClaimStatus::Paid => "已支付",
            ClaimStatus::Recovered => "已追回",
        }
    }

    /// Counts as an award against the person's limits (R17 and the
    /// once-per-level rules): every status on the way to payment, and paid.
    pub fn counts_as_award(self) -> bool {
        matches!(
            self,
            ClaimStatus::Eligible
                | ClaimStatus::Approved
                | ClaimStatus::Advanced
                | ClaimStatus::InTransit
                | ClaimStatus::Failed
                | ClaimStatus::Paid
        )
    }

    /// Money of the claim is out of its fund (paid, advanced or in transit).
    pub fn holds_money(self) -> bool {
        matches!(
            self,
            ClaimStatus::Advanced | ClaimStatus::InTransit | ClaimStatus::Paid
        )
    }

    /// Nothing further can happen to the claim.
    pub fn is_final(self) -> bool {
        matches!(self, ClaimStatus::Rejected | ClaimStatus::Recovered)
    }

    /// A bank disbursement batch may take the claim.
    pub fn payable_by_bank(self) -> bool {
        matches!(self, ClaimStatus::Approved | ClaimStatus::Failed)
    }

    /// Where `step` takes a claim in this status, or why it may not, in
    /// Chinese. `outcome` is the status a decision or an approval chose
    /// (eligible, review or rejected for [`ClaimStep::Decide`]; approved or
    /// rejected for [`ClaimStep::Approve`]); other steps ignore it.
    pub fn after(
        self,
        step: ClaimStep,
        outcome: Option<ClaimStatus>,
    ) -> Result<ClaimStatus, String> {
        use ClaimStatus as S;
        use ClaimStep as T;
        let to = match (step, self) {
            (T::Decide, S::Submitted) => match outcome {
                Some(o @ (S::Eligible | S::Review | S::Rejected)) => o,
                _ => return Err(self.bad_outcome("决定的结果只能是待核准、待复核或不予核准")),
            },
            (T::Approve, S::Eligible | S::Review) => match outcome {
                None | Some(S::Approved) => S::Approved,
                Some(S::Rejected) => S::Rejected,
                Some(_) => return Err(self.bad_outcome("核准的结果只能是已核准或不予核准")),
            },
            (T::Reject, S::Submitted | S::Eligible | S::Review | S::Approved | S::Failed) => {
                S::Rejected
            }
            (T::Pay | T::Advance | T::Disburse, S::Approved) => match step {
                T::Pay => S::Paid,
                T::Advance => S::Advanced,
                _ => S::InTransit,
            },
            (T::Disburse, S::Failed) => S::InTransit,
            (T::Settle, S::Advanced) => S::Paid,
            (T::BankSuccess, S::InTransit) => S::Paid,
            (T::BankFailure, S::InTransit) => S::Failed,
            (T::Recover, S::Paid | S::Advanced) => S::Recovered,
            _ => return Err(self.refusal(step)),
        };
        Ok(to)
    }

    /// Whether `step` may take a claim in this status to `to`.
    pub fn can(self, step: ClaimStep, to: ClaimStatus) -> Result<(), String> {
        let got = self.after(step, Some(to))?;
        if got == to {
            Ok(())
        } else {
            Err(format!(
                "申领状态为「{}」，{}后应为「{}」而不是「{}」",
                self.as_zh(),
                step.as_zh(),
                got.as_zh(),
                to.as_zh()
            ))
        }
    }

    fn bad_outcome(self, rule: &str) -> String {
        format!("申领状态为「{}」，{rule}", self.as_zh())
    }

    fn refusal(self, step: ClaimStep) -> String {
        let need = match step {
            ClaimStep::Decide => "只决定已提交的申领",
            ClaimStep::Approve => "只有待核准或待复核的申领可以核准",
            ClaimStep::Reject => "不能驳回",
            ClaimStep::Pay => "只有已核准的申领可以支付",
            ClaimStep::Advance => "只有已核准的申领可以预拨",
            ClaimStep::Settle => "只有已预拨的申领可以清算",
            ClaimStep::Disburse => "只有已核准或支付失败已更正的申领可以列入代发批次",
            ClaimStep::BankSuccess | ClaimStep::BankFailure => {
                "只有支付在途的申领可以按银行回盘入账"
            }
            ClaimStep::Recover => "只有已支付或已预拨的申领可以追回",
        };
        let hint = match (step, self) {
            (ClaimStep::Reject, ClaimStatus::Paid | ClaimStatus::Advanced) => {
                "（已支付的请用 recover 追回）"
            }
            (ClaimStep::Reject, ClaimStatus::InTransit) => "（款项在途，待银行回盘后再处理）",
            _ => "",
        };
        format!("申领状态为「{}」，{need}{hint}", self.as_zh())
    }
}

impl ClaimStep {
    pub fn as_zh(self) -> &'static str {
        match self {
            ClaimStep::Decide => "决定",
            ClaimStep::Approve => "核准",
            ClaimStep::Reject => "驳回",
            ClaimStep::Pay => "支付",
            ClaimStep::Advance => "预拨",
            ClaimStep::Settle => "清算",
            ClaimStep::Disburse => "列入代发批次",
            ClaimStep::BankSuccess => "银行回盘成功",
            ClaimStep::BankFailure => "银行回盘失败",
            ClaimStep::Recover => "追回",
        }
    }
}

impl fmt::Display for ClaimStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_zh())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const STEPS: [ClaimStep; 10] = [
        ClaimStep::Decide,
        ClaimStep::Approve,
        ClaimStep::Reject,
        ClaimStep::Pay,
        ClaimStep::Advance,
        ClaimStep::Settle,
        ClaimStep::Disburse,
        ClaimStep::BankSuccess,
        ClaimStep::BankFailure,
        ClaimStep::Recover,
    ];

    #[test]
    fn codes_round_trip_and_labels_are_distinct() {
        let mut labels = std::collections::HashSet::new();
        for s in ClaimStatus::ALL {
            assert_eq!(ClaimStatus::from_code(s.code()), Some(s));
            assert_eq!(ClaimStatus::parse(&format!(" {} ", s.code())), Ok(s));
            assert!(labels.insert(s.as_zh()));
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.code()));
        }
        assert_eq!(
            ClaimStatus::parse("done").unwrap_err().message(),
            "无法识别的申领状态「done」"
        );
    }

    #[test]
    fn refusals_say_why_in_chinese() {
        let e = ClaimStatus::Paid
            .after(ClaimStep::Reject, None)
            .unwrap_err();
        assert_eq!(
            e,
            "申领状态为「已支付」，不能驳回（已支付的请用 recover 追回）"
        );
        let e = ClaimStatus::Paid
            .after(ClaimStep::Disburse, None)
            .unwrap_err();
        assert!(e.contains("只有已核准或支付失败已更正的申领"), "{e}");
        assert_eq!(
            ClaimStatus::Failed.after(ClaimStep::Disburse, None),
            Ok(ClaimStatus::InTransit)
        );
        assert!(
            ClaimStatus::Submitted
                .can(ClaimStep::Decide, ClaimStatus::Paid)
                .is_err()
        );
    }

    fn status() -> impl Strategy<Value = ClaimStatus> {
        proptest::sample::select(ClaimStatus::ALL.to_vec())
    }

    fn step() -> impl Strategy<Value = ClaimStep> {
        proptest::sample::select(STEPS.to_vec())
    }

    proptest! {
        /// Whatever the steps, a claim never leaves a final status, money
        /// is paid at most once per attempt, and a paid claim only goes on
        /// to recovery.
        #[test]
        fn random_walks_keep_the_lifecycle(
            steps in proptest::collection::vec((step(), proptest::option::of(status())), 0..40)
        ) {
            let mut s = ClaimStatus::Submitted;
            let mut paid = 0;
            for (step, outcome) in steps {
                match s.after(step, outcome) {
                    Ok(next) => {
                        prop_assert!(!s.is_final(), "{s:?} moved on by {step:?}");
                        if next == ClaimStatus::Paid {
                            paid += 1;
                        }
                        if s == ClaimStatus::Paid {
                            prop_assert_eq!(next, ClaimStatus::Recovered);
                        }
                        if s.holds_money() && !next.holds_money() {
                            // Money leaves the claim only back to the fund.
                            prop_assert!(matches!(next, ClaimStatus::Recovered | ClaimStatus::Failed));
                        }
                        s = next;
                    }
                    Err(why) => {
                        prop_assert!(why.contains(s.as_zh()), "{why}");
                        prop_assert!(!why.is_ascii());
                    }
                }
            }
            prop_assert!(paid <= 1, "paid {paid} times");
        }

        /// `can` agrees with `after`.
        #[test]
        fn can_agrees_with_after(from in status(), step in step(), to in status()) {
            let ok = from.can(step, to).is_ok();
            prop_assert_eq!(ok, from.after(step, Some(to)) == Ok(to));
        }
    }
}
