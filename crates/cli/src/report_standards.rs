//! `jineng report standards --region R --year Y [--format json|xlsx|text]
//! [--out FILE] [--published FILE]`: the evaluation of the standards in
//! force (标准评估) — per subsidy type × occupation × level × certificate
//! type, the claims, the money, the cost per certificate, the share of the
//! fund, the reasons of refusal, and the standard beside the amounts
//! published elsewhere (`data/published_amounts.toml`, or `--published`).

use crate::report::Format;
use jineng_domain::Yuan;
use jineng_domain::standards::{Evaluation, Published};
use jineng_report::standards::{published_text, reasons_text};
use jineng_report::{standards_tables, xlsx};
use jineng_store::Store;
use std::path::{Path, PathBuf};

/// Reads `--published`, or the shipped file, checked against the store's
/// reference data.
async fn published(store: &Store, file: Option<&Path>) -> anyhow::Result<Published> {
    let refdata = store.ref_data().await?;
    Ok(match file {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| anyhow::anyhow!("无法读取公开标准文件「{}」：{e}", p.display()))?;
            Published::parse(&p.display().to_string(), &text, &refdata)?
        }
        None => Published::builtin(&refdata)?,
    })
}

fn yuan(fen: Option<i64>) -> String {
    fen.map_or("—".into(), |f| Yuan(jineng_domain::Fen(f)).to_string())
}

fn bp(share: i64) -> String {
    format!("{}.{:02}%", share / 100, share % 100)
}

/// The evaluation as a reader scans it in a terminal.
fn print_text(e: &Evaluation) {
    println!("{}（{}）补贴标准评估 {}年", e.name, e.region, e.year);
    for r in &e.rows {
        let c = &r.counts;
        println!(
            "{} {} {} {} {}：申领 {}，核准 {}，不予核准 {}，待复核 {}；核准 {}，已支付 {}，证书 {}，每证 {}，占资金 {}",
            r.subsidy_type,
            r.occupation.as_deref().unwrap_or("—"),
            r.occupation_name,
            r.level_name,
            r.cert_type_name,
            c.claims,
            c.approved,
            c.rejected,
            c.review,
            yuan(Some(c.approved_fen)),
            yuan(Some(c.paid_fen)),
            c.certificates,
            yuan(r.avg_fen_per_certificate),
            bp(r.fund_share_bp),
        );
        let standard = match (&r.standard_fen, &r.standard_unit) {
            (Some(f), Some(u)) => format!("{}（{u}）", yuan(Some(*f))),
            _ => "—".into(),
        };
        let published = published_text(r)
            .map(|p| format!("；公开标准 {p}，差额 {}", yuan(r.difference_fen)))
            .unwrap_or_default();
        println!("    现行标准 {standard}{published}");
        if !r.rejections.is_empty() {
            println!("    不予核准原因：{}", reasons_text(&r.rejections));
        }
    }
    let t = &e.totals;
    println!(
        "合计：申领 {}，核准 {}，不予核准 {}，核准 {}，已支付 {}",
        t.counts.claims,
        t.counts.approved,
        t.counts.rejected,
        yuan(Some(t.counts.approved_fen)),
        yuan(Some(t.counts.paid_fen)),
    );
}

pub async fn run(
    store: &Store,
    region: &str,
    year: i32,
    format: Format,
    out: Option<PathBuf>,
    published_file: Option<PathBuf>,
) -> anyhow::Result<()> {
    let published = published(store, published_file.as_deref()).await?;
    let e = store.standards(region, year, &published).await?;
    match format {
        Format::Xlsx => {
            let out = out.ok_or_else(|| anyhow::anyhow!("xlsx 须用 --out 指定文件"))?;
            xlsx::write(&out, &standards_tables(&e))?;
            println!("已生成 {}", out.display());
        }
        Format::Json => {
            let text = serde_json::to_string_pretty(&e)?;
            match out {
                Some(p) => std::fs::write(p, text)?,
                None => println!("{text}"),
            }
        }
        Format::Text => print_text(&e),
        Format::Svg => anyhow::bail!("标准评估没有图表：请用 --format json、xlsx 或 text"),
    }
    Ok(())
}
