//! `jineng person credits ID [--reveal] [--json]`: a worker's credit
//! account (学分银行, docs/learning.md) — each certificate and training with
//! the credits it earns and why, and the total. Reading it is audited; the
//! ID number is masked unless `--reveal` (audited as a reveal).

use anyhow::Context;
use jineng_store::{Actor, CreditSource, Store};
use std::process::ExitCode;

pub async fn run(
    store: &Store,
    actor: &Actor,
    id: &str,
    reveal: bool,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let id = crate::person::national_id(store, id).await?;
    let s = store
        .audited_credit_statement(&id, actor, reveal)
        .await?
        .with_context(|| format!("未找到身份证号码为 {} 的人员", id.masked()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("姓名：{}  身份证号码：{}", s.name, s.id_number);
    println!(
        "学分合计：{} 学分{}",
        s.total,
        if s.example {
            "（学分转换表含示例标准）"
        } else {
            ""
        }
    );
    println!("明细（{} 条）：", s.lines.len());
    for l in &s.lines {
        let what = match &l.source {
            CreditSource::Certificate {
                cert_no,
                cert_type,
                occupation_name,
                ..
            } => format!("证书 {cert_no} {} {occupation_name}", cert_type.as_zh()),
            CreditSource::Training {
                class_no,
                institution,
                occupation_name,
                ..
            } => format!("培训班 {class_no} {institution} {occupation_name}"),
        };
        println!("  {} {what}：{} 学分 — {}", l.date, l.credits, l.reason);
        if let (Some(c), Some(p)) = (&l.clause, &l.policy) {
            println!("    依据：{c}（{p}）");
        }
    }
    Ok(ExitCode::SUCCESS)
}
