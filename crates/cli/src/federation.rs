//! `jineng federation`: export a tag for every paid subsidy, keyed with the
//! shared federation key, and load another deployment's tags
//! (docs/supervision.md, federation protocol and threat model).

use anyhow::Context;
use clap::Subcommand;
use jineng_domain::federation::{FederationKey, Header, TagRecord, month_runs, parse_tag_file};
use jineng_store::{PaidClaim, Store};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum FederationCommand {
    /// 导出本部署全部已发放补贴的联邦标签（HMAC-SHA256，不含姓名和身份证号码）
    Export {
        #[arg(long)]
        key_file: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// 载入其他部署的联邦标签文件，并与本地人员比对
    Import {
        file: PathBuf,
        #[arg(long)]
        key_file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// 将已载入的联邦标签重新与本地人员比对（导入人员信息后运行）
    Match {
        #[arg(long)]
        key_file: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

/// What matching the stored tags with the local persons found, and the
/// cases the checks opened for those persons.
struct Matched {
    matched: u64,
    supervision: jineng_store::ScanCounts,
}

/// Computes the tag of every local person with the key (one HMAC each),
/// writes which person each stored tag is, and runs the checks (S6) over
/// the matched persons. The key never reaches the database.
async fn match_tags(store: &Store, key: &FederationKey) -> anyhow::Result<Matched> {
    let mut local = std::collections::HashMap::new();
    for (pid, id) in store.persons_for_tags().await? {
        local.insert(key.tag(&id), pid);
    }
    let m = store.match_federation_tags(&local).await?;
    let supervision = store.supervise_federation(&m.persons).await?;
    Ok(Matched {
        matched: m.matched,
        supervision,
    })
}

fn read_key(path: &Path) -> anyhow::Result<FederationKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("无法读取联邦密钥文件 {}", path.display()))?;
    Ok(FederationKey::parse(&path.display().to_string(), &text)?)
}

/// This deployment's code: the region of its supervision file, else of
/// its latest policy.
async fn deployment(store: &Store) -> anyhow::Result<String> {
    if let Some(s) = store.supervision().await? {
        return Ok(s.meta.region.as_str().to_string());
    }
    let policies = store.policies().await?;
    policies
        .last()
        .map(|p| p.region_code.clone())
        .context("无法确定本部署的代码：请先载入政策文件或监管规则文件")
}

pub async fn run(db: &str, cmd: FederationCommand) -> anyhow::Result<ExitCode> {
    let store = Store::connect(db).await?;
    match cmd {
        FederationCommand::Export { key_file, out } => export(&store, &key_file, &out).await,
        FederationCommand::Import {
            file,
            key_file,
            json,
        } => import(&store, &file, &key_file, json).await,
        FederationCommand::Match { key_file, json } => {
            let key = read_key(&key_file)?;
            let m = match_tags(&store, &key).await?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "matched": m.matched, "supervision": m.supervision })
                );
            } else {
                println!(
                    "已载入的联邦标签中 {} 条与本地人员相符；新开线索 {} 条",
                    m.matched, m.supervision.opened
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `federation export`: one tag line per paid run of each paid claim.
async fn export(store: &Store, key_file: &Path, out: &Path) -> anyhow::Result<ExitCode> {
    let key = read_key(key_file)?;
    let code = deployment(store).await?;
    let mut w = std::io::BufWriter::new(
        std::fs::File::create(out).with_context(|| format!("无法写入 {}", out.display()))?,
    );
    writeln!(w, "{}", Header::new(&code, &key).to_line())?;
    let paid = store.paid_claims_for_tags().await?;
    let mut lines = 0u64;
    for c in &paid {
        let year: i32 = chrono::Datelike::year(&c.applied_on);
        let runs = paid_runs(c);
        let tag = key.tag(&c.id_number);
        for (first_month, months) in runs {
            let rec = TagRecord {
                tag: tag.clone(),
                occupation: c.occupation.clone(),
                level: c.level.map(|l| l.to_string()),
                subsidy_type: c.subsidy_type.clone(),
                year,
                first_month,
                months,
                fund: c.fund.clone().unwrap_or_default(),
                deployment: code.clone(),
            };
            writeln!(w, "{}", rec.to_line())?;
            lines += 1;
        }
    }
    w.flush()?;
    println!(
        "已导出 {lines} 条联邦标签（已发放补贴 {} 笔）：{}",
        paid.len(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The (first month, months) runs a paid claim's tags carry.
fn paid_runs(c: &PaidClaim) -> Vec<(Option<String>, Option<u32>)> {
    // Months only for subsidies paid per person-month: the
    // calendar months the decision paid, else the period's or
    // the application's month and the number of months.
    if c.paid_months.is_empty() {
        let months = c.months.filter(|m| *m >= 1);
        let first = c.period_from.unwrap_or(c.applied_on);
        vec![(
            months.map(|_| first.format("%Y-%m").to_string()),
            months.map(|m| m as u32),
        )]
    } else {
        month_runs(&c.paid_months)
            .into_iter()
            .map(|(f, n)| (Some(f), Some(n)))
            .collect()
    }
}

/// `federation import`: loads another deployment's tags and matches them.
async fn import(
    store: &Store,
    file: &Path,
    key_file: &Path,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let key = read_key(key_file)?;
    let own = deployment(store).await?;
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("无法读取标签文件 {}", file.display()))?;
    let name = file.display().to_string();
    let parsed = parse_tag_file(&name, &text, &key, &own)?;
    let records: Vec<TagRecord> = parsed.records.into_iter().map(|(_, r)| r).collect();
    let r = store.import_federation_tags(&records).await?;
    let m = match_tags(store, &key).await?;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "deployment": parsed.header.deployment, "tags": r.tags,
                "inserted": r.inserted, "unchanged": r.unchanged, "matched": m.matched,
                "supervision": m.supervision,
            })
        );
    } else {
        println!(
            "已载入部署 {} 的联邦标签 {} 条（新增 {}，已有 {}），其中 {} 条与本地人员相符；新开线索 {} 条",
            parsed.header.deployment,
            r.tags,
            r.inserted,
            r.unchanged,
            m.matched,
            m.supervision.opened
        );
    }
    Ok(ExitCode::SUCCESS)
}
