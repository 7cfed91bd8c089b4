//! The audit trail's vocabulary: what was done ([`Action`]) to which kind
//! of record ([`Entity`]). Each variant has the text code the trail stores;
//! the codes are part of every row's hash, so a code is never renamed, only
//! added. Rows are read back through [`Code`], which keeps a code this
//! build does not know (one written by an older version) as it is stored.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

/// Declares a code enum: its variants, their stored codes, `ALL`, `code`,
/// `FromStr` and `Display`.
macro_rules! codes {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $code:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $v,)*
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$v,)*];

            /// The code stored in the trail.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$v => $code,)*
                }
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($code => Ok($name::$v),)*
                    other => Err(other.to_string()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }
    };
}

codes! {
    /// What was done.
    Action {
        Insert = "insert",
        Update = "update",
        Upsert = "upsert",
        Delete = "delete",
        Create = "create",
        Import = "import",
        /// An import run stopped as stale.
        Stop = "stop",
        /// A full ID number shown.
        Reveal = "reveal",
        CreditStatement = "credit_statement",
        ExportArchive = "export_archive",
        Login = "login",
        Token = "token",
        RevokeToken = "revoke_token",
        ResetPassword = "reset_password",
        ChangePassword = "change_password",
        Enable = "enable",
        Disable = "disable",
        Decide = "decide",
        Approve = "approve",
        Reject = "reject",
        ClaimStatus = "claim_status",
        Post = "post",
        Reconcile = "reconcile",
        PayBatch = "pay_batch",
        Enrol = "enrol",
        ApproveClass = "approve_class",
        ReturnClass = "return_class",
        RequestCloseClass = "request_close_class",
        CloseClass = "close_class",
        RefileClass = "refile_class",
        LoadPolicy = "load_policy",
        Whatif = "whatif",
        LoadSupervision = "load_supervision",
        OpenCase = "open_case",
        CloseCase = "close_case",
        RevokeCertificate = "revoke_certificate",
        IssueCredential = "issue_credential",
        RotateSigningKey = "rotate_signing_key",
        Draw = "draw",
        InspectionResult = "inspection_result",
        Report = "report",
        Issue = "issue",
        Redeem = "redeem",
        Lapse = "lapse",
        Settle = "settle",
        /// The marker row from which the chain is keyed.
        AuditKey = "audit_key",
    }
}

codes! {
    /// Which kind of record.
    Entity {
        Account = "account",
        Person = "person",
        PersonCategory = "person_category",
        PersonBankAccount = "person_bank_account",
        FamilyRelation = "family_relation",
        Institution = "institution",
        InstitutionCatalogue = "institution_catalogue",
        InstitutionBankAccount = "institution_bank_account",
        Class = "class",
        Enrolment = "enrolment",
        Certificate = "certificate",
        Claim = "claim",
        /// A decision run over many claims.
        Claims = "claims",
        LedgerTx = "ledger_tx",
        PayBatch = "pay_batch",
        FundSource = "fund_source",
        Region = "region",
        ImportBatch = "import_batch",
        Policy = "policy",
        SupervisionCase = "supervision_case",
        SupervisionFile = "supervision_file",
        InspectionDraw = "inspection_draw",
        Target = "target",
        Task = "task",
        Indicator = "indicator",
        Statistic = "statistic",
        StatisticDef = "statistic_def",
        SigningKey = "signing_key",
        Voucher = "voucher",
        /// The chain itself (its key marker).
        AuditChain = "audit_chain",
    }
}

/// A code read back from the trail: one of this build's, or one it does not
/// know (written by an older version), kept as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Code<T> {
    Known(T),
    Unknown(String),
}

impl<T: FromStr> Code<T> {
    pub fn parse(s: &str) -> Code<T> {
        s.parse()
            .map_or_else(|_| Code::Unknown(s.to_string()), Code::Known)
    }
}

impl<T: Copy> Code<T> {
    /// The variant, when this build knows the code.
    pub fn known(&self) -> Option<T> {
        match self {
            Code::Known(t) => Some(*t),
            Code::Unknown(_) => None,
        }
    }
}

macro_rules! code_text {
    ($t:ty) => {
        impl Code<$t> {
            /// The code as stored.
            pub fn as_str(&self) -> &str {
                match self {
                    Code::Known(t) => t.code(),
                    Code::Unknown(s) => s,
                }
            }
        }

        impl Serialize for Code<$t> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}
code_text!(Action);
code_text!(Entity);

/// Whether a change may move a figure of the aggregate facts (`plan_facts`:
/// enrolments, certificates, categories, persons, classes, claims, ledger
/// postings). A claim's decision, approval or rejection moves no figure:
/// money counts when it is booked (the ledger's postings). Targets,
/// statistics and tasks are read directly, not from facts.
pub fn changes_facts(action: Action, entity: Entity) -> bool {
    use Entity::*;
    if action == Action::Reveal {
        return false;
    }
    match entity {
        Account | AuditChain | Policy | Indicator | Statistic | StatisticDef | Target | Task
        | FundSource | Region => false,
        Claim | Claims => !matches!(action, Action::Decide | Action::Approve | Action::Reject),
        // A new entity counts as a change until listed above: a needless
        // rebuild, never a stale figure.
        Person
        | PersonCategory
        | PersonBankAccount
        | FamilyRelation
        | Institution
        | InstitutionCatalogue
        | InstitutionBankAccount
        | Class
        | Enrolment
        | Certificate
        | LedgerTx
        | PayBatch
        | ImportBatch
        | SupervisionCase
        | SupervisionFile
        | InspectionDraw
        | SigningKey
        | Voucher => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_distinct_and_read_back() {
        let a: HashSet<_> = Action::ALL.iter().map(|a| a.code()).collect();
        assert_eq!(a.len(), Action::ALL.len());
        let e: HashSet<_> = Entity::ALL.iter().map(|e| e.code()).collect();
        assert_eq!(e.len(), Entity::ALL.len());
        for x in Action::ALL {
            assert_eq!(Code::parse(x.code()), Code::Known(*x));
        }
        for x in Entity::ALL {
            assert_eq!(Code::parse(x.code()), Code::Known(*x));
        }
        let old: Code<Action> = Code::parse("password");
        assert_eq!(old.as_str(), "password");
        assert_eq!(old.known(), None);
    }

    #[test]
    fn claim_decisions_move_no_fact_and_postings_do() {
        assert!(!changes_facts(Action::Decide, Entity::Claims));
        assert!(!changes_facts(Action::Reject, Entity::Claim));
        assert!(changes_facts(Action::ClaimStatus, Entity::Claim));
        assert!(changes_facts(Action::Post, Entity::LedgerTx));
        assert!(!changes_facts(Action::Reveal, Entity::Person));
        assert!(!changes_facts(Action::Update, Entity::Target));
    }
}
