//! Who may do what, and over which records: the roles of the platform's
//! accounts, the scope each account is confined to, and the permission
//! table. The store turns a [`Scope`] into the conditions of its queries;
//! the web layer asks [`Role::may`] before it acts.

use crate::{CreditCode, RegionCode, ValueError};
use std::fmt;

/// An account's role (see docs/spec/DOMAIN.md, the actors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// 人社局经办人员 of a province, city or county.
    Officer,
    /// 财政 (finance): reads the dedicated account.
    Finance,
    /// 审计 (auditor): reads the ledger, claims and audit trail.
    Auditor,
    /// 培训机构经办人员: its own classes, rosters and claims.
    Institution,
    /// 企业经办人员: claims for its employees.
    Enterprise,
    /// 劳动者: their own e-archive.
    Worker,
    /// 学习平台: a learning platform's API client, which reports online
    /// learning sessions (and reads back its own), nothing else. Its region
    /// is where the classes it reports for are held (培训地).
    Platform,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Officer,
        Role::Finance,
        Role::Auditor,
        Role::Institution,
        Role::Enterprise,
        Role::Worker,
        Role::Platform,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Finance => "finance",
            Role::Auditor => "auditor",
            Role::Institution => "institution",
            Role::Enterprise => "enterprise",
            Role::Worker => "worker",
            Role::Platform => "platform",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn as_zh(self) -> &'static str {
        match self {
            Role::Officer => "人社部门经办人员",
            Role::Finance => "财政部门",
            Role::Auditor => "审计部门",
            Role::Institution => "培训机构",
            Role::Enterprise => "企业",
            Role::Worker => "劳动者",
            Role::Platform => "学习平台",
        }
    }

    /// Whether this role may perform `action` at all; what it reaches is
    /// then limited by the account's [`Scope`].
    pub fn may(self, action: Action) -> bool {
        use Action::*;
        match self {
            // Officers read rosters, review classes and decide claims; the
            // claimants file claims, the institution files its classes and
            // keeps its own rosters.
            // Learning sessions come from the platforms themselves; officers
            // upload platforms' logs through the sessions template instead.
            // Vouchers are redeemed by the institution where the person enrols.
            Role::Officer => !matches!(
                action,
                EditRoster | FileClaims | FileClasses | ReportLearning | RedeemVouchers
            ),
            // The audit trail is the auditors'; finance reads the money only.
            Role::Auditor if matches!(action, ViewAudit | ViewSupervision) => true,
            Role::Finance | Role::Auditor => matches!(
                action,
                ViewFigures
                    | ViewClaims
                    | ViewLedger
                    | ViewClasses
                    | ViewProgress
                    | ViewInstitutions
                    | ViewCatalogue
                    | ViewVouchers
            ),
            Role::Institution => matches!(
                action,
                ViewFigures
                    | ViewClaims
                    | ViewClasses
                    | EditRoster
                    | FileClaims
                    | FileClasses
                    | ViewInstitutions
                    | ViewCatalogue
                    | RedeemVouchers
            ),
            Role::Enterprise => matches!(action, ViewFigures | ViewClaims | FileClaims),
            Role::Worker => matches!(action, ViewOwnArchive | FileClaims),
            Role::Platform => matches!(action, ReportLearning),
        }
    }

    /// The scope kind an account of this role must carry.
    pub fn scope_kind(self) -> ScopeKind {
        match self {
            Role::Officer | Role::Finance | Role::Auditor | Role::Platform => ScopeKind::Region,
            Role::Institution => ScopeKind::Institution,
            Role::Enterprise => ScopeKind::Enterprise,
            Role::Worker => ScopeKind::Person,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_zh())
    }
}

/// What an account may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The home page's figures.
    ViewFigures,
    /// Search persons and open their e-archives.
    ViewPersons,
    /// Show a full ID number (audited).
    RevealId,
    /// The claims queue and decisions.
    ViewClaims,
    /// Approve or reject claims.
    DecideClaims,
    /// The dedicated account by fund source.
    ViewLedger,
    /// Classes and their rosters.
    ViewClasses,
    /// One's own e-archive.
    ViewOwnArchive,
    /// The dashboard (工作进度): targets against actuals, the task tables.
    ViewProgress,
    /// Record a responsible unit's progress report on a task.
    ReportTasks,
    /// Enrol trainees, record attendance and completion (花名册、考勤、结业).
    EditRoster,
    /// File subsidy claims as a claimant (申领): an institution for its
    /// trainees, an enterprise for its employees, a worker for themself.
    FileClaims,
    /// Pay, advance, settle and recover approved claims (拨付, 追回).
    PayClaims,
    /// The audit trail and its hash-chain status.
    ViewAudit,
    /// Accounts within one's region: create, reset, disable.
    ManageAccounts,
    /// Upload template files (导入) and download their error reports.
    Import,
    /// Review classes: approve (备案通过), return (退回) and close (结业).
    ReviewClasses,
    /// File a class of one's own institution (开班备案) and ask to close it.
    FileClasses,
    /// Institutions and their catalogue periods (目录清单).
    ViewInstitutions,
    /// The subsidy-standard catalogue and the occupation classification.
    ViewCatalogue,
    /// The 监管 area: cases (线索) in scope, ratings, 双随机 draws and
    /// their results (officers and auditors).
    ViewSupervision,
    /// Close a case with a finding (属实 / 不属实).
    CloseCases,
    /// Record the result of inspecting a drawn institution.
    RecordInspections,
    /// Report online learning sessions through the API and read back the
    /// ones reported (learning platforms only).
    ReportLearning,
    /// The training vouchers (职业培训券) of the scope and their
    /// commitments on the dedicated account.
    ViewVouchers,
    /// Redeem a trainee's voucher at one's own class when they enrol.
    RedeemVouchers,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Region,
    Institution,
    Person,
    Enterprise,
}

/// The records an account reaches. Every scoped query of the store takes
/// one; nothing outside it is listed, counted or summed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// A region's subtree (itself included): persons by 户籍地, classes by
    /// 培训地, institutions by 所在地, claims by the claimant person's 户籍地.
    Region(RegionCode),
    /// One institution's records: its classes, the persons enrolled in
    /// them, the claims on them.
    Institution(i64),
    /// One person: a worker's own records.
    Person(i64),
    /// One enterprise: the claims it filed (申领单位) and their persons.
    Enterprise(CreditCode),
    /// The whole jurisdiction, every region the database holds: the
    /// operator at the command line, who holds the database itself. No
    /// account has it (`check_scope` refuses it for every role).
    Jurisdiction,
}

impl Scope {
    pub fn kind(&self) -> ScopeKind {
        match self {
            Scope::Region(_) => ScopeKind::Region,
            Scope::Institution(_) => ScopeKind::Institution,
            Scope::Person(_) => ScopeKind::Person,
            Scope::Enterprise(_) => ScopeKind::Enterprise,
            // Wider than any region; `check_scope` keeps it from accounts.
            Scope::Jurisdiction => ScopeKind::Region,
        }
    }

    /// Whether a region code lies in this scope (region scopes and the
    /// whole jurisdiction only).
    pub fn contains_region(&self, code: &RegionCode) -> bool {
        match self {
            Scope::Region(r) => r.contains(code),
            Scope::Jurisdiction => true,
            _ => false,
        }
    }
}

/// Checks that a role and a scope fit together.
pub fn check_scope(role: Role, scope: &Scope) -> Result<(), ValueError> {
    if *scope != Scope::Jurisdiction && role.scope_kind() == scope.kind() {
        Ok(())
    } else {
        Err(ValueError::new(format!(
            "「{}」账号的管理范围类型不符",
            role.as_zh()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_workers_see_only_themselves() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
        assert!(Role::Worker.may(Action::ViewOwnArchive));
        assert!(!Role::Worker.may(Action::ViewPersons));
        assert!(!Role::Finance.may(Action::DecideClaims));
        assert!(!Role::Institution.may(Action::RevealId));
        assert!(Role::Officer.may(Action::DecideClaims));
        assert!(Role::Auditor.may(Action::ViewProgress));
        assert!(!Role::Finance.may(Action::ReportTasks));
        assert!(!Role::Institution.may(Action::ViewProgress));
        assert!(Role::Institution.may(Action::EditRoster));
        assert!(!Role::Officer.may(Action::EditRoster));
        assert!(!Role::Enterprise.may(Action::EditRoster));
        assert!(Role::Enterprise.may(Action::FileClaims));
        assert!(Role::Worker.may(Action::FileClaims));
        assert!(!Role::Officer.may(Action::FileClaims));
        assert!(!Role::Finance.may(Action::FileClaims));
        assert!(Role::Officer.may(Action::PayClaims) && !Role::Finance.may(Action::PayClaims));
        assert!(Role::Auditor.may(Action::ViewAudit) && Role::Officer.may(Action::ViewAudit));
        assert!(!Role::Finance.may(Action::ViewAudit) && !Role::Auditor.may(Action::PayClaims));
        assert!(!Role::Auditor.may(Action::ManageAccounts));
        assert!(Role::Officer.may(Action::Import) && Role::Officer.may(Action::ReviewClasses));
        assert!(!Role::Officer.may(Action::FileClasses));
        assert!(Role::Institution.may(Action::FileClasses));
        assert!(!Role::Institution.may(Action::ReviewClasses));
        assert!(!Role::Institution.may(Action::Import));
        assert!(!Role::Finance.may(Action::Import));
        assert!(
            Role::Officer.may(Action::ViewSupervision)
                && Role::Auditor.may(Action::ViewSupervision)
        );
        assert!(Role::Officer.may(Action::CloseCases) && !Role::Auditor.may(Action::CloseCases));
        assert!(!Role::Auditor.may(Action::RecordInspections));
        assert!(Role::Platform.may(Action::ReportLearning));
        for a in [
            Action::ViewPersons,
            Action::ViewFigures,
            Action::ViewClasses,
            Action::ViewClaims,
            Action::ViewOwnArchive,
            Action::Import,
        ] {
            assert!(!Role::Platform.may(a), "{a:?}");
        }
        for r in Role::ALL.into_iter().filter(|r| *r != Role::Platform) {
            assert!(!r.may(Action::ReportLearning), "{r}");
        }
        for r in [
            Role::Finance,
            Role::Institution,
            Role::Enterprise,
            Role::Worker,
        ] {
            assert!(
                !r.may(Action::ViewSupervision) && !r.may(Action::CloseCases),
                "{r}"
            );
        }
    }

    #[test]
    fn region_scope_is_the_subtree() {
        let city = Scope::Region(RegionCode::parse("371500").unwrap());
        assert!(city.contains_region(&RegionCode::parse("371502").unwrap()));
        assert!(!city.contains_region(&RegionCode::parse("371600").unwrap()));
        assert!(check_scope(Role::Officer, &city).is_ok());
        assert!(check_scope(Role::Worker, &city).is_err());
    }
}
