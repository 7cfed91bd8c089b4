//! `jineng demo`: loads the demo jurisdiction, 聊城市, with its counties and
//! functional zones, institutions and enterprises, classes sized to the
//! 2019 targets of annex 1, their trainees, certificates and claims — every
//! subsidy type of its policy, with claims planted to be refused under a
//! named rule or held for review; with `--all` also 天水市 and 如东县.
//! Everything is generated from a seed (same seed, same data), written as
//! template CSV files and imported through the real pipeline.
//!
//! - `jurisdictions`: the places and their policies;
//! - `world`: the records in memory and their template files;
//! - `people`, `classes`, `claims`, `cases`: what is generated;
//! - `settle`: deciding, approving and paying; `bank`: paying through the
//!   bank; `vouchers`: training vouchers issued, redeemed and lapsed;
//!   `planning`: targets;
//! - `fraud`: the fraud planted for 监管 (keys `LCJ…`, `CJ…`);
//!   `supervision`: importing it once the supervision file is in force,
//!   scanning, closing cases, rating the institutions;
//! - `credentials`: status entries (verify codes) for every certificate,
//!   one of the sample worker's certificates revoked.

mod bank;
mod cases;
mod claims;
mod classes;
mod credentials;
mod fraud;
mod jurisdictions;
mod people;
mod planning;
mod settle;
mod supervision;
mod vouchers;
mod world;

use anyhow::bail;
use chrono::Datelike;
use clap::Args;
use jineng_domain::refdata::RefData;
use jineng_ingest::pipeline::{ImportOptions, import_file};
use jineng_store::{Actor, Store};
use jurisdictions::Jurisdiction;
use std::path::Path;
use std::process::ExitCode;

use people::Rng;

#[derive(Args)]
pub struct DemoArgs {
    /// 聊城的学员人数（默认约 4.8 万：2019 年培训量按附件1目标；较小的数按比例缩小）
    #[arg(long)]
    persons: Option<usize>,
    /// 随机种子（同一种子生成相同数据）
    #[arg(long, default_value_t = 2019)]
    seed: u64,
    /// 同时载入天水市、如东县（各按本地政策）
    #[arg(long)]
    all: bool,
}

/// What the demo loads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options {
    /// 聊城's trainees; `None`: the full volume.
    pub persons: Option<usize>,
    pub seed: u64,
    /// 天水 and 如东 too.
    pub all: bool,
    /// Percent of certificates claimed for (the benchmark claims them all).
    pub claim_share: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            persons: None,
            seed: 2019,
            all: false,
            claim_share: 20,
        }
    }
}

/// Generates one jurisdiction's records, and for 聊城 the planted fraud
/// (not with every certificate claimed for: the benchmarks').
fn generate(
    j: &Jurisdiction,
    persons: usize,
    opts: &Options,
) -> (world::World, Option<fraud::Fraud>) {
    let seed = j.place.key.bytes().fold(opts.seed, |s, b| {
        s.wrapping_mul(31).wrapping_add(u64::from(b))
    });
    let mut rng = Rng::new(seed);
    let mut people = people::People::new();
    let mut w = world::World {
        key: j.place.key,
        claim_key: j.place.claim_key,
        region: j.region.to_string(),
        institutions: classes::institutions(&mut rng, j.place.institutions),
        ..Default::default()
    };
    let scale = persons as f64 / j.persons as f64;
    let sizes = classes::plan(&mut w, &mut rng, &j.place, scale);
    classes::fill(&mut w, &mut rng, &mut people, &j.place, &sizes, persons);
    classes::relatives(&mut w, &mut rng);
    claims::file(&mut w, &mut rng, &j.place, opts.claim_share);
    // Planted cases take trainees who have no claim yet; with every
    // certificate claimed for (`bench decide`) there are none to take, and
    // searching for them would cost a pass over the roster per case.
    if opts.claim_share < 100 {
        cases::plant(&mut w, &mut rng, &mut people);
    }
    w.claims.retain(|c| j.prices.contains(&c.stype));
    let planted = (j.place.key == "LC" && opts.claim_share < 100).then(|| {
        let employer = w
            .institutions
            .iter()
            .find(|i| i.kind == "企业")
            .map(|i| i.code.to_string())
            .unwrap_or_default();
        fraud::generate(&mut people, opts.seed, &employer)
    });
    (w, planted)
}

/// One in this many of 聊城's 2019 claims (other than apprenticeships) is
/// paid through the bank; the rest directly.
const BANK_EVERY: usize = 6;

/// Imports 聊城's functional zones (demo/liaocheng/regions.csv).
pub(crate) async fn load_zones(store: &Store, actor: &Actor, dir: &Path) -> anyhow::Result<()> {
    let opts = crate::import::options(actor, false, None, 5000);
    let regions = jurisdictions::liaocheng().regions.unwrap_or_default();
    import_demo_file(store, "", "regions", regions, dir, &opts).await
}

/// Loads the demo's records into `store` (reference data first): regions,
/// institutions, classes, persons and their trainings, certificates,
/// claims. Returns the reference data, the jurisdictions and 聊城's claims
/// of 2019 (to approve and pay).
pub(crate) async fn load_records(
    store: &Store,
    actor: &Actor,
    opts: &Options,
    dir: &Path,
) -> anyhow::Result<(RefData, Vec<Jurisdiction>, settle::Due)> {
    crate::init(store).await?;
    let wanted = jurisdictions::wanted(opts.all);
    let imports = crate::import::options(actor, false, None, 5000);
    for j in &wanted {
        if let Some(regions) = j.regions {
            import_demo_file(store, j.place.key, "regions", regions, dir, &imports).await?;
        }
    }
    let refdata = store.ref_data().await?;
    let mut due = settle::Due::default();
    for (n, j) in wanted.iter().enumerate() {
        let persons = if n == 0 {
            opts.persons.unwrap_or(j.persons)
        } else {
            j.persons
        };
        let (w, planted) = generate(j, persons, opts);
        if planted.is_some() {
            due.fraud = planted;
        }
        println!(
            "  {}：学员 {} 人，培训班 {} 个，申领 {} 件",
            j.place.name,
            w.persons.len(),
            w.classes.len(),
            w.claims.len()
        );
        for (kind, text) in w.files() {
            import_demo_file(store, j.place.key, kind, &text, dir, &imports).await?;
        }
        if n == 0 {
            for (i, c) in w.claims.iter().enumerate() {
                if c.applied.year() != 2019 {
                    continue;
                }
                let no = w.claim_no(i);
                if c.stype == "新型学徒制补贴" {
                    due.apprentices.push(no);
                } else if i % BANK_EVERY == 0 {
                    due.new_cards.insert(no.clone(), w.person_row(c.person, 1));
                    due.bank.push(no);
                } else {
                    due.others.push(no);
                }
            }
        }
    }
    // The filed classes reviewed as an officer would: approved, and those
    // that ended with every trainee's result closed (结业).
    let (approved, closed) = store
        .settle_demo_classes(crate::claims::today(), actor)
        .await?;
    if approved > 0 {
        println!("  培训班：备案通过 {approved} 个，其中已结业 {closed} 个");
    }
    Ok((refdata, wanted, due))
}

/// Loads the demo into `store` (reference data first), with its policies
/// and claims decided. Idempotent. Returns the name of a trainee to show.
pub(crate) async fn load(
    store: &Store,
    actor: &Actor,
    opts: &Options,
    dir: &Path,
) -> anyhow::Result<String> {
    let (refdata, wanted, mut due) = load_records(store, actor, opts, dir).await?;
    let planted = due.fraud.take();
    settle::decide_and_pay(store, actor, &refdata, &wanted, due, dir).await?;
    vouchers::lapse(store, actor).await?;
    if let Some(f) = &planted {
        supervision::load(store, actor, f, dir).await?;
    }
    planning::load_planning(store, actor, dir).await?;
    credentials::load(store, actor).await?;
    sample_name(store).await
}

/// Loads 聊城's policy (for the benchmarks, which decide themselves).
pub(crate) async fn load_policy(
    store: &Store,
    actor: &Actor,
    refdata: &RefData,
) -> anyhow::Result<()> {
    settle::load_policy(store, actor, refdata, &jurisdictions::liaocheng()).await
}

/// The demo's sample trainee (and worker account): the first person with
/// a claim that stands, so not one the demo planted to be refused.
pub(crate) async fn sample_name(store: &Store) -> anyhow::Result<String> {
    store.first_person_with_claim().await?.ok_or_else(|| {
        anyhow::anyhow!("数据库中没有演示数据：请用空数据库运行 jineng serve --demo")
    })
}

async fn import_demo_file(
    store: &Store,
    key: &str,
    kind: &str,
    text: &str,
    dir: &Path,
    opts: &ImportOptions,
) -> anyhow::Result<()> {
    let path = dir.join(format!("{key}{kind}.csv"));
    std::fs::write(&path, text)?;
    let r = import_file(store, kind, &path, opts, &|_| {}).await?;
    if r.rejected > 0 {
        bail!(
            "演示数据「{kind}」有 {} 行被拒绝：{:?}",
            r.rejected,
            r.errors.first()
        );
    }
    println!("  {kind}: {} 行", r.accepted);
    Ok(())
}

pub async fn run(db: &str, actor: &Actor, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let store = Store::connect(db).await?;
    let dir = std::env::temp_dir().join(format!("jineng-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    println!(
        "正在载入演示辖区：聊城市（8 个县市区、3 个功能区）{}……",
        if args.all {
            "、天水市、如东县"
        } else {
            ""
        }
    );
    let opts = Options {
        persons: args.persons,
        seed: args.seed,
        all: args.all,
        ..Options::default()
    };
    let result = load(&store, actor, &opts, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    let sample = result?;
    println!("演示数据已载入 {db}。");
    println!("查找人员：jineng person find {sample}");
    println!("查看档案：jineng person show <身份证号码>（完整号码须 --reveal，并记入审计日志）");
    println!(
        "补贴申领：jineng claims export --format jsonl；jineng claims show <申领编号>；jineng claims approve --all"
    );
    println!("专账：jineng ledger report；jineng ledger verify");
    println!(
        "证书：jineng cert pdf <证书编号> --out 证书.pdf；jineng person archive <身份证号码> --out 档案.json；公开核验页 /verify"
    );
    println!(
        "监管：jineng supervise cases --status all --format text；信用评级：jineng credit list"
    );
    println!(
        "目标进度：jineng report progress --region 371500 --year 2019 --format text；年报：jineng report annual --region 371500 --year 2019 --out 年报.xlsx"
    );
    Ok(ExitCode::SUCCESS)
}
