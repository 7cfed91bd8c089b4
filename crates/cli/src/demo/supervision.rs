//! The demo's 监管, worked as a bureau would once its supervision file is in
//! force: the planted fraud (`fraud`) imported through the templates, so
//! the checks that run after each import open its cases; its clean-looking
//! claims decided and paid; the later claims and the other departments'
//! lists imported after payment; a full scan; one case closed 属实 that
//! names a paid claim, one more 属实 against the same school, one 不属实;
//! and this year's credit ratings, in which that school is rated D.

use super::fraud::Fraud;
use chrono::Datelike;
use jineng_domain::ClaimStatus;
use jineng_domain::access::Scope;
use jineng_domain::supervision::case::{CaseStatus, Finding};
use jineng_store::{Actor, CaseRow, CaseStatusFilter, Store};
use std::collections::HashSet;
use std::path::Path;

/// Loads the planted fraud and works its cases (idempotent: a second run
/// finds its records, cases and findings in place).
pub(crate) async fn load(
    store: &Store,
    actor: &Actor,
    f: &Fraud,
    dir: &Path,
) -> anyhow::Result<()> {
    let imports = crate::import::options(actor, false, None, 5000);
    let w = &f.w;
    let key = "fraud-";
    let first = w.claims_csv_of(0..f.first_claims);
    for (kind, text) in w.files() {
        let text = if kind == "claims" {
            first.clone()
        } else {
            text
        };
        super::import_demo_file(store, key, kind, &text, dir, &imports).await?;
    }
    let today = crate::claims::today();
    store.settle_demo_classes(today, actor).await?;
    let claims: Vec<String> = (0..w.claims.len()).map(|i| w.claim_no(i)).collect();
    // The school's claims that no open case names are paid, as any.
    let policies = store.policy_set().await?;
    store
        .decide_claims(&policies, Some(&claims), today, actor, &|_| {})
        .await?;
    let held = named_claims(&store.supervision_cases(CaseStatusFilter::Open).await?);
    let eligible: HashSet<String> = store
        .claims_with_status(ClaimStatus::Eligible)
        .await?
        .into_iter()
        .collect();
    let due: Vec<String> = claims
        .iter()
        .filter(|c| eligible.contains(*c) && !held.contains(*c))
        .cloned()
        .collect();
    if !due.is_empty() {
        let whole = Scope::Jurisdiction;
        store
            .approve(&whole, Some(&due), Some("演示：批量核准"), today, actor)
            .await?;
        store.pay(&whole, Some(&due), actor).await?;
    }
    // After payment: the second claims for two certificates, and the
    // other departments' lists.
    let later = w.claims_csv_of(f.first_claims..w.claims.len());
    super::import_demo_file(store, key, "claims", &later, dir, &imports).await?;
    store
        .decide_claims(&policies, Some(&claims), today, actor, &|_| {})
        .await?;
    super::import_demo_file(store, key, "watchlist", &f.watchlist, dir, &imports).await?;
    super::import_demo_file(store, key, "sessions", &f.sessions, dir, &imports).await?;
    let scan = store.supervise_scan().await?;
    println!(
        "  监管核查：发现 {} 条，新立案 {} 条",
        scan.hits, scan.opened
    );
    close_cases(store, actor, f).await?;
    rate(store).await
}

/// The claims named by `cases`.
fn named_claims(cases: &[CaseRow]) -> HashSet<String> {
    cases
        .iter()
        .flat_map(|c| c.claim_nos.iter().cloned())
        .collect()
}

/// Closes three cases as an officer would, each with its note.
async fn close_cases(store: &Store, actor: &Actor, f: &Fraud) -> anyhow::Result<()> {
    let cases = store.supervision_cases(CaseStatusFilter::All).await?;
    // A second load finds them closed: the officer's work is done once.
    if cases.iter().any(|c| c.status != CaseStatus::Open) {
        return Ok(());
    }
    let paid: HashSet<String> = store
        .claims_with_status(ClaimStatus::Paid)
        .await?
        .into_iter()
        .collect();
    // The S6 case naming a paid claim (none is paid when the fund is too
    // short: a test may allocate little; then another S6 case).
    let duplicate = cases
        .iter()
        .filter(|c| c.check == "S6")
        .max_by_key(|c| c.claim_nos.iter().any(|n| paid.contains(n)));
    let dead = cases
        .iter()
        .find(|c| c.check == "S4" && c.evidence.contains("「死亡」"));
    let family = cases
        .iter()
        .find(|c| c.check == "S7" && c.class_nos.contains(&f.family_class));
    let findings = [
        (
            duplicate,
            Finding::True,
            false,
            "经核查，该学员系企业在职职工，培训机构以就业技能培训名义申领职业培训补贴后，又以同一证书申领技能提升补贴；追回已拨付的职业培训补贴，后一申领不予核准。",
        ),
        (
            dead,
            Finding::True,
            // A dead person's certificate was never earned.
            true,
            "经核查，该学员开班前已死亡，培训机构冒用其身份虚报学员；追回相关补贴，移交相关部门处理。",
        ),
        (
            family,
            Finding::NotTrue,
            false,
            "经电话回访和入户核实，3 名学员为一家人，共用家中手机号登记，均本人参训；不属实。",
        ),
    ];
    for (case, finding, revoke_certs, note) in findings {
        if let Some(case) = case
            && case.status == CaseStatus::Open
        {
            store
                .close_case(&case.case_no, finding, note, revoke_certs, actor)
                .await?;
        }
    }
    let open = store.supervision_cases(CaseStatusFilter::Open).await?.len();
    let closed = store
        .supervision_cases(CaseStatusFilter::Closed)
        .await?
        .len();
    println!("  监管线索：未结 {open} 条，已结案 {closed} 条");
    Ok(())
}

/// Rates the institutions for this year: the findings above were made
/// this year, and a rating counts the cases closed 属实 in its year.
async fn rate(store: &Store) -> anyhow::Result<()> {
    let year = crate::claims::today().year();
    let ratings = crate::inspect::rate_year(store, year, None).await?;
    let mut by_grade = std::collections::BTreeMap::new();
    for r in &ratings {
        *by_grade.entry(r.grade.as_str()).or_insert(0) += 1;
    }
    let grades: Vec<String> = by_grade
        .iter()
        .map(|(g, n)| format!("{g} 级 {n} 家"))
        .collect();
    println!("  信用评级（{year} 年）：{}", grades.join("，"));
    Ok(())
}
