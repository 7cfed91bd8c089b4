//! `jineng bench whatif`: a what-if run (`policy whatif`) over about N
//! generated, decided claims under a draft that changes the B-class 五级
//! standard and the yearly cap, beside a plain read of the same claims with
//! their facts through the same feed, by the same driver (the baseline, in
//! the same run).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use jineng_domain::policy::overlay;
use jineng_store::{Actor, ReplayScope, Store, WhatIfRun};
use serde_json::json;

/// The draft replayed: a catalogue change and a cap change.
const DRAFT: &str = "[overlay]\nbase = \"liaocheng-2019\"\ntitle = \"基准测试草案\"\n\n\
[catalogue.grades]\nB = { \"五级\" = 1000 }\n\n[rules.R2]\nmax_per_year = 2\n";

/// Claims per 100 persons of the demo with every certificate claimed for
/// (as `bench decide`).
const CLAIMS_PER_100: usize = 99;

fn secs(t: Instant) -> f64 {
    (t.elapsed().as_secs_f64() * 100.0).round() / 100.0
}

/// The store: fresh, or with `keep` the one a previous run left when it
/// holds at least `claims` decided claims.
async fn bench_store(
    db: &str,
    claims: usize,
    keep: bool,
) -> anyhow::Result<(Store, PathBuf, bool)> {
    crate::bench::kept_store(db, "whatif", keep, |_, loaded| {
        loaded
            .parse::<usize>()
            .is_ok_and(|n| n * 100 >= claims * 95)
    })
    .await
}

/// Generates, imports and decides about `claims` claims; their number.
async fn generate(store: &Store, actor: &Actor, claims: usize, dir: &Path) -> anyhow::Result<u64> {
    let persons = claims * 100 / CLAIMS_PER_100 + 1;
    eprintln!("生成并导入约 {claims} 件申领（{persons} 名学员）……");
    let opts = crate::demo::Options {
        persons: Some(persons),
        claim_share: 100,
        ..Default::default()
    };
    let (refdata, _, _) = crate::demo::load_records(store, actor, &opts, dir).await?;
    crate::demo::load_policy(store, actor, &refdata).await?;
    eprintln!("决定全部申领……");
    let set = store.policy_set().await?;
    let today = NaiveDate::from_ymd_opt(2021, 6, 1).unwrap();
    let s = store
        .decide_claims(&set, None, today, actor, &|_| {})
        .await?;
    Ok(s.decided)
}

pub async fn run(
    db: &str,
    actor: &Actor,
    claims: usize,
    keep: bool,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let (store, dir, reused) = bench_store(db, claims, keep).await?;
    let t = Instant::now();
    let decided = if reused {
        eprintln!("沿用 {} 中生成的库", dir.display());
        std::fs::read_to_string(dir.join("loaded"))?
            .trim()
            .parse()?
    } else {
        let n = generate(&store, actor, claims, &dir).await?;
        std::fs::write(dir.join("loaded"), n.to_string())?;
        n
    };
    let generate_s = secs(t);
    store.checkpoint().await?;
    let set = store.policy_set().await?;
    let (base_id, base) = set
        .items
        .iter()
        .find(|(_, p)| p.meta.id == "liaocheng-2019")
        .ok_or_else(|| anyhow::anyhow!("库中没有 liaocheng-2019"))?;
    let stored = store.policies().await?;
    let sources = &stored
        .iter()
        .find(|p| p.policy_id == *base_id)
        .ok_or_else(|| anyhow::anyhow!("库中没有 liaocheng-2019 的文件"))?
        .sources;
    let refdata = store.ref_data().await?;
    let draft = overlay::apply("bench-draft.toml", DRAFT, sources, &refdata)?.policy;
    eprintln!("对照：读出同样的申领及其事实……");
    let t = Instant::now();
    let mut feed = store
        .replay_feed(ReplayScope {
            policy_id: *base_id,
            from: None,
            to: None,
            enterprise_types: set.enterprise_types().clone(),
        })
        .await?;
    let mut read = 0u64;
    while let Some(chunk) = feed.next().await {
        read += chunk?.iter().map(|p| p.claims.len() as u64).sum::<u64>();
    }
    let read_s = secs(t);
    eprintln!("政策测算……");
    let indicators = store.indicator_set().await?;
    let run = WhatIfRun {
        base_id: *base_id,
        base,
        draft: &draft,
        from: None,
        to: None,
        today: NaiveDate::from_ymd_opt(2021, 6, 1).unwrap(),
        draft_name: "bench-draft.toml",
        draft_sha256: &overlay::digest(DRAFT),
        indicators: &indicators,
        region: None,
    };
    let t = Instant::now();
    let r = store.policy_whatif(&run, &set, actor, &mut |_| {}).await?;
    let whatif_s = secs(t);
    let out = json!({
        "backend": store.backend().name(),
        "claims_decided": decided,
        "claims_replayed": r.claims,
        "changed": r.changed,
        "flips": r.flips,
        "base_fen": r.base_fen,
        "draft_fen": r.draft_fen,
        "whatif_seconds": whatif_s,
        "claims_per_s": (r.claims as f64 / whatif_s.max(0.001)).round(),
        "baseline_read_claims": read,
        "baseline_read_seconds": read_s,
        "ratio_whatif_to_read_time": (whatif_s / read_s.max(0.001) * 100.0).round() / 100.0,
        "generate_seconds": generate_s,
        "reused": reused,
        "peak_rss_mb": crate::bench::peak_rss_mb().map(|p| p.round()),
    });
    crate::bench::keep_or_remove(&dir, keep);
    crate::bench::print_json(&out, json)
}
