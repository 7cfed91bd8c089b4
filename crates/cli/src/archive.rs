//! Printing and the worker's archive from the CLI (issue 15 items 4–5):
//! `jineng cert pdf CERT_NO --out FILE.pdf`, `jineng person archive ID
//! --out FILE (.pdf | .json)` (audited: one row with the person's masked
//! ID and the actor), and the report of `jineng cert verify` on an archive
//! bundle, credential by credential.

use crate::CredentialArgs;
use anyhow::Context;
use jineng_credentials::Failure;
use jineng_credentials::presentation::{Item, is_presentation};
use jineng_store::{Actor, Credentials, Store};
use std::path::Path;
use std::process::ExitCode;

/// Whether the text is an archive bundle (a presentation).
pub fn is_bundle(text: &str) -> bool {
    jineng_credentials::json::parse(text).is_ok_and(|v| is_presentation(&v))
}

fn warn_missing(missing: &[char]) {
    if !missing.is_empty() {
        let chars: String = missing.iter().collect();
        eprintln!("警告：以下字符在内置字体与系统字体中都没有，已以空框代替：{chars}");
    }
}

/// `jineng cert pdf`
pub async fn cert_pdf(
    store: &Store,
    creds: &Credentials,
    actor: &Actor,
    cred: &CredentialArgs,
    cert_no: &str,
    out: &Path,
) -> anyhow::Result<ExitCode> {
    let p = store.printable_certificate(cert_no, actor).await?;
    let pdf =
        jineng_web::printing::certificate_pdf(&p, creds, &cred.bureau_name, chrono::Utc::now())?;
    std::fs::write(out, &pdf.bytes).with_context(|| format!("无法写入 {}", out.display()))?;
    warn_missing(&pdf.missing);
    println!(
        "已生成证书 {} 的 PDF：{}（核验地址 {}）",
        cert_no,
        out.display(),
        p.verify_url(creds)
    );
    Ok(ExitCode::SUCCESS)
}

/// `jineng person archive`
pub async fn person_archive(
    store: &Store,
    actor: &Actor,
    cred: &CredentialArgs,
    id: &str,
    out: &Path,
) -> anyhow::Result<ExitCode> {
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if ext != "pdf" && ext != "json" {
        eprintln!("错误：输出文件应以 .pdf 或 .json 结尾");
        return Ok(ExitCode::from(2));
    }
    let id = crate::person::national_id(store, id).await?;
    let Some(pid) = store.person_id_of(&id).await? else {
        eprintln!("错误：未找到身份证号码为 {} 的人员", id.masked());
        return Ok(ExitCode::from(1));
    };
    let record = store
        .worker_record(pid)
        .await?
        .with_context(|| format!("未找到身份证号码为 {} 的人员", id.masked()))?;
    let creds = cred.credentials(store)?;
    let now = chrono::Utc::now();
    let bytes = if ext == "pdf" {
        let pdf = jineng_web::printing::archive_pdf(&record, &creds, &cred.bureau_name, now)?;
        warn_missing(&pdf.missing);
        pdf.bytes
    } else {
        let vp = store.archive_bundle(&creds, &record, actor, now).await?;
        let mut text = serde_json::to_string_pretty(&vp)?;
        text.push('\n');
        text.into_bytes()
    };
    std::fs::write(out, bytes).with_context(|| format!("无法写入 {}", out.display()))?;
    store.record_archive_export(&record, &ext, actor).await?;
    println!(
        "已导出 {}（{}）的电子档案：{}（已记入审计日志）",
        record.archive.name,
        record.archive.id_number,
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Prints each credential's verdict; exit 0 only when every one is valid.
pub fn print_bundle(items: &Result<Vec<Item>, Failure>) -> ExitCode {
    let items = match items {
        Err(f) => {
            println!("无效：{f}");
            return ExitCode::from(1);
        }
        Ok(i) => i,
    };
    let valid = items.iter().filter(|i| i.is_valid()).count();
    if valid == items.len() {
        println!("有效：凭证包中 {} 项凭证全部有效", items.len());
    } else {
        println!(
            "无效：凭证包中 {} 项凭证有 {} 项未通过",
            items.len(),
            items.len() - valid
        );
    }
    for (n, item) in items.iter().enumerate() {
        print!("[{}] ", n + 1);
        match item {
            Item::Archive(Ok(doc)) => {
                let s = &doc["credentialSubject"];
                println!(
                    "档案凭证：有效（{}，{}，签发于 {}，证书 {} 本，培训 {} 次）",
                    s["name"].as_str().unwrap_or(""),
                    s["maskedNationalIdentityNumber"].as_str().unwrap_or(""),
                    doc["validFrom"].as_str().unwrap_or(""),
                    s["certificates"].as_array().map_or(0, Vec::len),
                    s["trainings"].as_array().map_or(0, Vec::len),
                );
            }
            Item::Archive(Err(f)) => println!("档案凭证：无效：{f}"),
            Item::Certificate(v) => {
                print!("证书凭证：");
                let _ = crate::cert::print_now(v, None);
            }
        }
    }
    if valid == items.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
