//! `jineng cert`: verifiable certificates (docs/credentials.md) — issue
//! the signed credential of certificates, verify one offline, revoke one,
//! show where one stands, print one (`crate::archive`); a worker's archive
//! bundle verifies credential by credential. `jineng keys` rotates and shows the signing
//! keys.

use crate::CredentialArgs;
use anyhow::Context;
use clap::{ArgGroup, Subcommand};
use jineng_credentials::{Checked, Verdict};
use jineng_store::{Actor, Credentials, Selection, Store, StoreError};
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum CertCommand {
    /// 签发可验证证书（W3C VC 2.0 / Open Badges 3.0，eddsa-jcs-2022 签名）：每本证书写出「证书编号.json」
    #[command(group(ArgGroup::new("which").required(true).args(["all", "cert_nos"])))]
    Issue {
        /// 全部证书（已撤销的跳过）
        #[arg(long)]
        all: bool,
        /// 证书编号
        cert_nos: Vec<String>,
        /// 输出目录
        #[arg(long)]
        out: PathBuf,
        /// 以 JSON 输出签发结果
        #[arg(long)]
        json: bool,
    },
    /// 验证可验证证书：打印 有效、已撤销 或失败原因，仅有效时退出码为 0。
    /// 不给 --did-doc / --status-list 时不联网，使用本机的签名密钥与撤销状态
    Verify {
        file: PathBuf,
        /// 签发机构的 DID 文档（/.well-known/did.json 的内容）
        #[arg(long)]
        did_doc: Option<PathBuf>,
        /// 证书所指的状态列表凭证（/credentials/status/N 的内容）
        #[arg(long)]
        status_list: Option<PathBuf>,
    },
    /// 撤销证书：其状态列表中的位随之置 1，所有验证方可见（记入审计日志）
    Revoke {
        cert_no: String,
        /// 撤销原因
        #[arg(long)]
        reason: String,
    },
    /// 打印证书 PDF（A4，中文字体内嵌，含核验二维码）
    Pdf {
        cert_no: String,
        /// 输出文件（.pdf）
        #[arg(long)]
        out: PathBuf,
    },
    /// 证书的可验证证书状态：状态列表与序号、撤销记录
    Status {
        cert_no: String,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(
    db: &str,
    actor: &Actor,
    cred: &CredentialArgs,
    cmd: CertCommand,
) -> anyhow::Result<ExitCode> {
    if let CertCommand::Verify {
        file,
        did_doc: Some(did_doc),
        status_list: Some(status_list),
    } = &cmd
    {
        // Both documents given: no database, no key file.
        return verify_offline(file, did_doc, status_list);
    }
    let store = Store::connect(db).await?;
    let creds = cred.credentials(&store)?;
    let refused = |e: StoreError| -> anyhow::Result<ExitCode> {
        match e {
            StoreError::Refused(m) | StoreError::NotFound(m) => {
                eprintln!("错误：{m}");
                Ok(ExitCode::from(1))
            }
            e => Err(e.into()),
        }
    };
    match cmd {
        CertCommand::Issue {
            all,
            cert_nos,
            out,
            json,
        } => {
            let selection = if all {
                Selection::All
            } else {
                Selection::Numbers(cert_nos)
            };
            match issue(&store, &creds, actor, &selection, &out, json).await {
                Err(e) => match e.downcast::<StoreError>() {
                    Ok(s) => refused(s),
                    Err(e) => Err(e),
                },
                ok => ok,
            }
        }
        CertCommand::Verify {
            file,
            did_doc,
            status_list,
        } => {
            let did_doc = did_doc.map(|p| read_json(&p, "DID 文档")).transpose()?;
            let status = status_list.map(|p| read_json(&p, "状态列表")).transpose()?;
            let Some(text) = read_credential(&file)? else {
                println!("{NOT_UTF8}");
                return Ok(ExitCode::from(1));
            };
            let did_doc = match did_doc {
                Some(d) => Some(d),
                // Verifying creates no key: an empty document then.
                None => Some(creds.did_document_if_any()?),
            };
            if crate::archive::is_bundle(&text) {
                let items = store
                    .verify_bundle(&creds, &text, did_doc, status, chrono::Utc::now())
                    .await?;
                return Ok(crate::archive::print_bundle(&items));
            }
            let verdict = store
                .verify_credential(&creds, &text, did_doc, status, chrono::Utc::now())
                .await?;
            Ok(print_verdict(&verdict, Some(&store)).await)
        }
        CertCommand::Revoke { cert_no, reason } => {
            match store.revoke_certificate(&cert_no, &reason, actor).await {
                Ok(r) => {
                    println!(
                        "已撤销证书 {}（{}）：{}",
                        r.cert_no,
                        jineng_store::certificate_type_name(&r.cert_type),
                        r.reason
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => refused(e),
            }
        }
        CertCommand::Status { cert_no, json } => status(&store, &creds, &cert_no, json).await,
        CertCommand::Pdf { cert_no, out } => {
            match crate::archive::cert_pdf(&store, &creds, actor, cred, &cert_no, &out).await {
                Err(e) => match e.downcast::<StoreError>() {
                    Ok(s) => refused(s),
                    Err(e) => Err(e),
                },
                ok => ok,
            }
        }
    }
}

/// A certificate number as a file name: characters a path could misread
/// become `_`.
fn file_name(cert_no: &str) -> String {
    let safe: String = cert_no
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    if safe.is_empty() || safe.starts_with('.') {
        format!("_{safe}")
    } else {
        safe
    }
}

async fn issue(
    store: &Store,
    creds: &Credentials,
    actor: &Actor,
    selection: &Selection,
    out: &Path,
    json: bool,
) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(out).with_context(|| format!("无法创建输出目录 {}", out.display()))?;
    let mut written: HashSet<String> = HashSet::new();
    let report = store
        .issue_credentials(creds, selection, actor, |cert_no, vc| {
            let base = file_name(cert_no);
            // Two certificate types may share a number: the second file
            // takes the type's code as well.
            let name = if written.insert(base.clone()) {
                format!("{base}.json")
            } else {
                let t = vc["credentialSubject"]["certificate"]["type"]
                    .as_str()
                    .unwrap_or("x");
                format!("{base}.{t}.json")
            };
            let mut text = serde_json::to_string_pretty(&vc).map_err(std::io::Error::other)?;
            text.push('\n');
            std::fs::write(out.join(name), text)?;
            Ok(())
        })
        .await?;
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        let keys = creds.keys()?;
        println!(
            "已签发可验证证书 {} 本至 {}（其中首次签发 {} 本）",
            report.issued,
            out.display(),
            report.first_issued
        );
        if !report.skipped_revoked.is_empty() {
            println!("跳过已撤销的证书 {} 本", report.skipped_revoked.len());
        }
        println!(
            "签发者 {}，签名密钥 {}",
            creds.issuer().did(),
            keys.key_id(creds.issuer().did())
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The credential's text; `None` when its bytes are not UTF-8 (a changed
/// credential, which the verdict reports, not a reading error).
fn read_credential(file: &Path) -> anyhow::Result<Option<String>> {
    let bytes =
        std::fs::read(file).with_context(|| format!("无法读取证书文件 {}", file.display()))?;
    Ok(String::from_utf8(bytes).ok())
}

const NOT_UTF8: &str = "无效：文件不是 UTF-8 编码的 JSON 文本（已被改动或损坏）";

fn read_json(file: &Path, what: &str) -> anyhow::Result<Value> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("无法读取{what}文件 {}", file.display()))?;
    jineng_credentials::json::parse(&text)
        .with_context(|| format!("{what}文件 {} 不是有效的 JSON", file.display()))
}

fn verify_offline(file: &Path, did_doc: &Path, status_list: &Path) -> anyhow::Result<ExitCode> {
    let did_doc = read_json(did_doc, "DID 文档")?;
    let list = read_json(status_list, "状态列表")?;
    let Some(text) = read_credential(file)? else {
        println!("{NOT_UTF8}");
        return Ok(ExitCode::from(1));
    };
    if crate::archive::is_bundle(&text) {
        let lookup = |_: &str| Some(list.clone());
        let items = jineng_credentials::presentation::verify_presentation(
            &text,
            &did_doc,
            &lookup,
            chrono::Utc::now(),
        );
        return Ok(crate::archive::print_bundle(&items));
    }
    let verdict =
        jineng_credentials::verify_credential(&text, &did_doc, Some(&list), chrono::Utc::now());
    Ok(print_now(&verdict, None))
}

/// Prints a verdict: 有效 / 已撤销 / 无效：… on the first line, then what
/// the credential states. Exit 0 only when valid.
async fn print_verdict(verdict: &Verdict, store: Option<&Store>) -> ExitCode {
    let revocation = match (verdict, store) {
        (Verdict::Revoked(c), Some(s)) => match &c.view {
            Some(v) => s
                .certificate_status(&v.cert_no)
                .await
                .ok()
                .and_then(|all| all.into_iter().find_map(|st| st.revocation)),
            None => None,
        },
        _ => None,
    };
    print_now(verdict, revocation.as_ref())
}

pub(crate) fn print_now(
    verdict: &Verdict,
    revocation: Option<&jineng_store::Revocation>,
) -> ExitCode {
    match verdict {
        Verdict::Valid(c) => {
            println!("有效");
            details(c);
            ExitCode::SUCCESS
        }
        Verdict::Revoked(c) => {
            println!("已撤销");
            details(c);
            if let Some(r) = revocation {
                println!("撤销：{}，{}", r.revoked_at.day(), r.reason);
            }
            ExitCode::from(1)
        }
        Verdict::Invalid(f) => {
            println!("无效：{f}");
            ExitCode::from(1)
        }
    }
}

fn details(c: &Checked) {
    if let Some(v) = &c.view {
        println!("证书：{} {}", v.type_name, v.cert_no);
        println!("持证人：{}（{}）", v.holder_name, v.holder_id_masked);
        let level = if v.level_name.is_empty() {
            String::new()
        } else {
            format!("，{}", v.level_name)
        };
        println!(
            "职业（工种）：{} {}{level}",
            v.occupation_code, v.occupation_name
        );
        println!("发证机构：{}，发证日期 {}", v.issuing_body, v.issue_date);
    }
    println!("签发者：{}", c.issuer);
    println!("签名密钥：{}", c.key_id);
    println!("状态列表：{} 第 {} 位", c.status.list_url, c.status.index);
}

async fn status(
    store: &Store,
    creds: &Credentials,
    cert_no: &str,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let all = store.certificate_status(cert_no).await?;
    if all.is_empty() {
        eprintln!("错误：没有编号为「{cert_no}」的证书");
        return Ok(ExitCode::from(1));
    }
    if json {
        println!("{}", serde_json::to_string(&all)?);
        return Ok(ExitCode::SUCCESS);
    }
    for s in all {
        let kind = jineng_store::certificate_type_name(&s.cert_type);
        match s.entry {
            Some((list, index)) => println!(
                "{cert_no}（{kind}）：已签发可验证证书，状态列表 {} 第 {index} 位",
                creds.issuer().status_list_url(list)
            ),
            None => println!("{cert_no}（{kind}）：尚未签发可验证证书"),
        }
        match s.revocation {
            Some(r) => println!(
                "  已撤销：{}，{}（{}{}）",
                r.revoked_at.day(),
                r.reason,
                r.revoked_by,
                r.case_no.map(|c| format!("，线索 {c}")).unwrap_or_default()
            ),
            None => println!("  未撤销"),
        }
    }
    Ok(ExitCode::SUCCESS)
}
