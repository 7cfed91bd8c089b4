//! Which subsidy types each kind of claimant files, as the policy files
//! express it (payee and inputs of the pricing rule).

use crate::common;

use common::repo_policy;
use jineng_domain::policy::PayeeKind;
use jineng_domain::policy::claimants::Claimant;

#[test]
fn liaocheng_claimant_kinds_follow_the_payees() {
    let p = repo_policy("liaocheng-2019.toml");
    assert_eq!(
        p.subsidy_types_for(Claimant::Enterprise),
        ["以工代训补贴", "新型学徒制补贴"]
    );
    // R7 lists 职业培训补贴 and 创业培训补贴 as free training: paid to the
    // institution for the listed groups.
    assert_eq!(
        p.subsidy_types_for(Claimant::Institution),
        ["创业培训补贴", "职业培训补贴"]
    );
    // Paid to a person, on a certificate.
    assert_eq!(
        p.subsidy_types_for(Claimant::Worker),
        ["技能提升补贴", "职业培训补贴"]
    );
    assert_eq!(p.payees("生活费补贴"), [PayeeKind::Person]);
    assert!(p.payees("未配置的补贴").is_empty());
    assert!(p.needs("以工代训补贴").months);
    assert!(p.needs("新型学徒制补贴").class);
    assert!(p.needs("技能提升补贴").certificate);
}
