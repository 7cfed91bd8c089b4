//! `jineng policy whatif`: a draft policy (a full file or an overlay)
//! replayed over the base policy's decided claims, compared with the base:
//! totals, flips, breakdowns, the cost against the fund sources and the
//! targets (docs/policy.md, "What-if"). Writes nothing but its audit row.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Args;
use jineng_domain::policy::whatif::{ChangedClaim, Figures, Report};
use jineng_domain::{Fen, Yuan};
use jineng_store::{Actor, Store, StoreError, WhatIfRun};

#[derive(Args)]
pub struct WhatifArgs {
    /// 政策草案：完整的政策文件，或只写修改之处的修改稿（[overlay] base = "政策编号"，格式见 docs/policy.md）
    #[arg(long)]
    draft: String,
    /// 测算期起（含），按申领的事件日期：发证日期，无证书的按结业日期，再无的按申请日期
    #[arg(long)]
    from: Option<String>,
    /// 测算期止（含）
    #[arg(long)]
    to: Option<String>,
    /// 以 JSON 输出（金额以分计）
    #[arg(long)]
    json: bool,
    /// 逐件写出结果变化的申领（JSON Lines）
    #[arg(long)]
    claims_out: Option<PathBuf>,
    /// 写出 Excel 工作簿（.xlsx）
    #[arg(long)]
    out: Option<PathBuf>,
}

fn date(label: &str, s: &Option<String>) -> Result<Option<NaiveDate>, String> {
    s.as_deref()
        .map(|s| {
            jineng_domain::parse_date(s).map_err(|e| format!("{label}「{s}」：{}", e.message()))
        })
        .transpose()
}

/// Refuses with a Chinese message on stderr and exit status 1.
fn refuse(msg: impl std::fmt::Display) -> anyhow::Result<ExitCode> {
    eprintln!("{msg}");
    Ok(ExitCode::FAILURE)
}

pub async fn run(db: &str, actor: &Actor, a: WhatifArgs) -> anyhow::Result<ExitCode> {
    let (from, to) = match (date("--from", &a.from), date("--to", &a.to)) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => return refuse(e),
    };
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return refuse(format!("测算期起 {f} 晚于测算期止 {t}"));
    }
    let text = match std::fs::read_to_string(&a.draft) {
        Ok(t) => t,
        Err(e) => return refuse(format!("无法读取草案「{}」：{e}", a.draft)),
    };
    let store = Store::connect(db).await?;
    let mut read = |name: &str| std::fs::read_to_string(name).map_err(|e| e.to_string());
    let d = match store.whatif_draft(&a.draft, &text, &mut read).await {
        Ok(d) => d,
        Err(StoreError::Refused(why)) => return refuse(why),
        Err(e) => return Err(e.into()),
    };
    let indicators = store.whatif_indicators().await?;
    let run = WhatIfRun {
        base_id: d.base_row.policy_id,
        base: d.base(),
        draft: &d.draft,
        from,
        to,
        today: chrono::Local::now().date_naive(),
        draft_name: &a.draft,
        draft_sha256: &d.sha256,
        indicators: &indicators,
        region: None,
    };
    let mut lines = match &a.claims_out {
        Some(p) => Some(std::io::BufWriter::new(std::fs::File::create(p)?)),
        None => None,
    };
    let mut failed: Option<std::io::Error> = None;
    // The workbook's 变化明细 needs them all; the lines file streams them.
    let mut kept: Vec<ChangedClaim> = Vec::new();
    let mut on_changed = |v: Vec<ChangedClaim>| {
        if a.out.is_some() {
            kept.extend(v.iter().cloned());
        }
        let (Some(w), None) = (lines.as_mut(), failed.as_ref()) else {
            return;
        };
        for c in v {
            let line = serde_json::to_string(&c).unwrap_or_default();
            if let Err(e) = writeln!(w, "{line}") {
                failed = Some(e);
                return;
            }
        }
    };
    let report = store
        .policy_whatif(&run, &d.set, actor, &mut on_changed)
        .await?;
    if let Some(e) = failed {
        anyhow::bail!("写出 --claims-out 失败：{e}");
    }
    if let Some(mut w) = lines {
        w.flush()?;
    }
    let about = jineng_report::whatif::about(&a.draft, &d.title, &d.base_label(), from, to);
    if let Some(out) = &a.out {
        let tables = jineng_report::whatif::tables(&report, &about, &kept);
        jineng_report::xlsx::write(out, &tables)?;
    }
    if a.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_text(&report, &about, &d.changes);
    }
    Ok(ExitCode::SUCCESS)
}

fn yuan(fen: i64) -> String {
    Yuan(Fen(fen)).to_string()
}

/// A difference with its sign: +200.00 元.
fn diff(fen: i64) -> String {
    if fen > 0 {
        format!("+{}", yuan(fen))
    } else {
        yuan(fen)
    }
}

fn count(n: u64) -> String {
    Fen(n as i64 * 100)
        .grouped()
        .trim_end_matches(".00")
        .to_string()
}

fn row(label: &str, f: &Figures) -> String {
    format!(
        "  {label}：申领 {} 件，变化 {} 件，{} → {}（{}）",
        count(f.claims),
        count(f.changed),
        yuan(f.base_fen),
        yuan(f.draft_fen),
        diff(f.draft_fen - f.base_fen)
    )
}

fn section<'a>(title: &str, rows: impl Iterator<Item = (String, &'a Figures)>) {
    let rows: Vec<_> = rows.filter(|(_, f)| f.changed > 0).collect();
    if rows.is_empty() {
        return;
    }
    println!("{title}（只列有变化的）：");
    for (label, f) in rows {
        println!("{}", row(&label, f));
    }
}

/// A code with its name, if it has one.
fn named(code: &str, name: &str) -> String {
    if name.is_empty() {
        code.to_string()
    } else {
        format!("{code} {name}")
    }
}

/// The funds the draft spends more or less from, and the targets it moves.
fn print_budget(r: &Report) {
    for b in r.budget.funds.iter().filter(|b| b.extra_fen != 0) {
        println!(
            "资金：{}：已拨入 {}，当前余额 {}；草案{} {}，余额将为 {}{}",
            named(&b.fund, &b.name),
            yuan(b.allocated_fen),
            yuan(b.balance_fen),
            if b.extra_fen > 0 { "增支" } else { "减支" },
            yuan(b.extra_fen.abs()),
            yuan(b.balance_after_fen),
            b.extra_pct_of_allocated
                .map(|p| format!("（占拨入 {p:.2}%）"))
                .unwrap_or_default()
        );
    }
    for t in &r.budget.targets {
        let v = |n: i64| jineng_domain::planning::format_value(n, t.decimals);
        let years = if t.year_from == t.year_to {
            format!("{}年", t.year_from)
        } else {
            format!("{}—{}年", t.year_from, t.year_to)
        };
        println!(
            "目标：{}（{} {years}）{} {}：草案新增 {}，减少 {}，净变化 {}{}",
            t.name,
            t.region,
            v(t.target),
            t.unit,
            v(t.gained),
            v(t.lost),
            v(t.net),
            t.net_pct_of_target
                .map(|p| format!("，占目标 {p:.2}%"))
                .unwrap_or_default()
        );
    }
}

fn print_text(r: &Report, about: &str, changes: &[String]) {
    println!("政策测算：{about}");
    if !changes.is_empty() {
        println!("修改：{}", changes.join("、"));
    }
    println!(
        "申领 {} 件，结果变化 {} 件；金额：现行 {} → 草案 {}，差额 {}",
        count(r.claims),
        count(r.changed),
        yuan(r.base_fen),
        yuan(r.draft_fen),
        diff(r.draft_fen - r.base_fen)
    );
    let f = &r.flips;
    println!(
        "变化：核准→不予核准 {} 件，不予核准→核准 {} 件，金额增加 {} 件，金额减少 {} 件",
        count(f.approved_to_rejected),
        count(f.rejected_to_approved),
        count(f.amount_up),
        count(f.amount_down)
    );
    section(
        "分地区",
        r.by_region
            .iter()
            .map(|x| (named(&x.region, &x.name), &x.figures)),
    );
    section(
        "分补贴类型",
        r.by_subsidy_type
            .iter()
            .map(|x| (x.subsidy_type.clone(), &x.figures)),
    );
    section(
        "分职业和等级",
        r.by_occupation.iter().map(|x| {
            (
                format!("{} {}", named(&x.occupation, &x.name), x.level),
                &x.figures,
            )
        }),
    );
    section(
        "分人员类别",
        r.by_category.iter().map(|x| {
            let c = x.label();
            (c.to_string(), &x.figures)
        }),
    );
    section(
        "分培训机构",
        r.by_institution
            .iter()
            .map(|x| (named(&x.institution, &x.name), &x.figures)),
    );
    section(
        "分资金来源",
        r.by_fund
            .iter()
            .map(|x| (named(&x.fund, &x.name), &x.figures)),
    );
    print_budget(r);
}
