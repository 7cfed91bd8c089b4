//! The demo's claims worked as a bureau would: each jurisdiction's policy
//! loaded, example money allocated, every claim decided; 聊城's clean claims
//! of 2019 approved, the apprenticeships advanced (and settled once
//! completed), the rest paid. Claims held for review stay for an officer.

use super::jurisdictions::Jurisdiction;
use jineng_domain::Fen;
use jineng_domain::access::Scope;
use jineng_domain::refdata::RefData;
use jineng_store::{Actor, Store};

/// The demo's allocations to the dedicated account, in yuan (examples,
/// enough for the claims of 2019 at full volume, with money left over).
const DEMO_ALLOCATIONS: [(&str, i64); 4] = [
    ("ES", 12_000_000),
    ("ST", 4_000_000),
    ("UI", 3_000_000),
    ("EB", 1_000_000),
];

/// Loads the jurisdiction's policy.
pub(crate) async fn load_policy(
    store: &Store,
    actor: &Actor,
    refdata: &RefData,
    j: &Jurisdiction,
) -> anyhow::Result<()> {
    let mut read = |name: &str| {
        if name == j.policy_file {
            Ok(j.policy.to_string())
        } else {
            Err(format!("演示中没有政策文件「{name}」"))
        }
    };
    let (policy, sources) = jineng_domain::policy::load(j.policy_file, &mut read, refdata)?;
    crate::policy::load(store, &policy, &sources, actor).await?;
    // One supervision file is in force per deployment: the city's.
    if j.policy_file == "policies/liaocheng-2019.toml" {
        crate::supervise::load_text(
            store,
            actor,
            "liaocheng-2019.supervision.toml",
            include_str!("../../../../policies/liaocheng-2019.supervision.toml"),
        )
        .await?;
    }
    println!("  政策：{}（{}）", policy.meta.title, policy.meta.doc_no);
    Ok(())
}

/// The claims of 聊城 applied for in 2019.
#[derive(Default)]
pub(crate) struct Due {
    /// 新型学徒制: advanced, and settled once completed.
    pub apprentices: Vec<String>,
    /// Paid directly.
    pub others: Vec<String>,
    /// Paid through the bank.
    pub bank: Vec<String>,
    /// For `bank`: the claim's person's row of the persons file with a new
    /// card (to correct a payment the bank refused).
    pub new_cards: std::collections::HashMap<String, String>,
    /// The planted fraud, loaded once the supervision file is in force.
    pub fraud: Option<super::fraud::Fraud>,
}

/// Decides every claim, then approves and pays `due` (advancing the
/// apprenticeships and settling those completed, paying part through the
/// bank with files in `dir`).
pub(crate) async fn decide_and_pay(
    store: &Store,
    actor: &Actor,
    refdata: &RefData,
    jurisdictions: &[Jurisdiction],
    due: Due,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    for j in jurisdictions {
        load_policy(store, actor, refdata, j).await?;
    }
    if store
        .ledger_report()
        .await?
        .iter()
        .all(|f| f.allocated.0 == 0)
    {
        for (fund, yuan) in DEMO_ALLOCATIONS {
            let fund = jineng_domain::ledger::FundCode::parse(fund)?;
            store
                .allocate(&fund, Fen(yuan * 100), "演示拨入（金额为示例）", actor)
                .await?;
        }
    }
    let policies = store.policy_set().await?;
    super::vouchers::issue_and_redeem(store, actor, &policies).await?;
    let today = crate::claims::today();
    let decided = store
        .decide_claims(&policies, None, today, actor, &|_| {})
        .await?;
    println!(
        "  申领：决定 {} 件（核准 {}，不予核准 {}，待复核 {}）",
        decided.decided, decided.approved, decided.rejected, decided.review
    );
    let eligible: std::collections::HashSet<String> = store
        .claims_with_status(jineng_domain::ClaimStatus::Eligible)
        .await?
        .into_iter()
        .collect();
    let keep = |v: Vec<String>| -> Vec<String> {
        v.into_iter().filter(|c| eligible.contains(c)).collect()
    };
    let (apprentices, others, bank) = (keep(due.apprentices), keep(due.others), keep(due.bank));
    let all: Vec<String> = apprentices
        .iter()
        .chain(&others)
        .chain(&bank)
        .cloned()
        .collect();
    if all.is_empty() {
        return Ok(());
    }
    let whole = Scope::Jurisdiction;
    store
        .approve(&whole, Some(&all), Some("演示：批量核准"), today, actor)
        .await?;
    let (mut advanced, mut settled) = (0, 0);
    for c in &apprentices {
        // Refused when the fund is short (a test may allocate little).
        if store.advance(&whole, c, actor).await.is_ok() {
            advanced += 1;
            settled += usize::from(store.settle(&whole, c, actor).await.is_ok());
        }
    }
    let paid = store.pay(&whole, Some(&others), actor).await?;
    println!(
        "  2019 年申领：核准 {} 件，直接支付 {} 件，经银行代发 {} 件；新型学徒制预拨 {advanced} 件，其中已结业清算 {settled} 件",
        all.len(),
        paid.paid,
        bank.len()
    );
    super::bank::pay(store, actor, &policies, &bank, &due.new_cards, dir).await
}
