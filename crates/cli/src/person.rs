//! `jineng person`: a person's e-archive (`archive` exports it, see
//! `crate::archive`).

use anyhow::Context;
use clap::Subcommand;
use jineng_domain::access::Scope;
use jineng_domain::{NationalId, SkillLevel};
use jineng_store::{Actor, Archive, Store, certificate_type_name};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum PersonCommand {
    /// 查看人员电子档案
    Show {
        /// 18 位身份证号码
        id: String,
        /// 显示完整身份证号码（记入审计日志）
        #[arg(long)]
        reveal: bool,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 按姓名查找人员（身份证号码脱敏显示）
    Find {
        name: String,
        /// 显示完整身份证号码（逐条记入审计日志）
        #[arg(long)]
        reveal: bool,
        /// 最多显示的人数
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// 导出人员电子档案：.pdf（打印版）或 .json（签名的可验证凭证包），记入审计日志
    Archive {
        /// 18 位身份证号码
        id: String,
        /// 输出文件（.pdf 或 .json）
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// 查看人员的学分账户（学分银行）：各证书、各培训计入的学分及合计（记入审计日志）
    Credits {
        /// 18 位身份证号码
        id: String,
        /// 显示完整身份证号码（记入审计日志）
        #[arg(long)]
        reveal: bool,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
}

fn level(l: Option<i64>) -> &'static str {
    l.and_then(|g| SkillLevel::from_grade(g as u8))
        .map(|l| l.as_zh())
        .unwrap_or("无等级")
}

pub async fn run(
    db: &str,
    actor: &Actor,
    cred: &crate::CredentialArgs,
    cmd: PersonCommand,
) -> anyhow::Result<ExitCode> {
    let store = Store::connect(db).await?;
    match cmd {
        PersonCommand::Archive { id, out } => {
            crate::archive::person_archive(&store, actor, cred, &id, &out).await
        }
        PersonCommand::Show { id, reveal, json } => show(&store, actor, &id, reveal, json).await,
        PersonCommand::Credits { id, reveal, json } => {
            crate::credits::run(&store, actor, &id, reveal, json).await
        }
        PersonCommand::Find {
            name,
            reveal,
            limit,
        } => find(&store, actor, &name, reveal, limit).await,
    }
}

/// `person find`: the persons of a name, one line each.
async fn find(
    store: &Store,
    actor: &Actor,
    name: &str,
    reveal: bool,
    limit: i64,
) -> anyhow::Result<ExitCode> {
    let hits = store
        .find_persons(name.trim(), limit, actor, reveal)
        .await?;
    if hits.is_empty() {
        println!("没有姓名为「{}」的人员", name.trim());
    }
    for h in hits {
        println!(
            "{} {} {} {} 户籍地 {} {}",
            h.id_number, h.name, h.sex, h.birth_date, h.hukou_region, h.hukou_region_name
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// An ID number typed on the command line (cells' stray characters
/// removed), checked as of today against the known provinces.
pub(crate) async fn national_id(store: &Store, raw: &str) -> anyhow::Result<NationalId> {
    let refdata = store.ref_data().await?;
    let today = chrono::Local::now().date_naive();
    NationalId::parse(&jineng_domain::normalize_cell(raw), today, &|p| {
        refdata.province_exists(p)
    })
    .map_err(|e| anyhow::anyhow!("{e}"))
}

/// `person show`: a person's archive as JSON or as text.
async fn show(
    store: &Store,
    actor: &Actor,
    id: &str,
    reveal: bool,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let id = crate::person::national_id(store, id).await?;
    let missing = || format!("未找到身份证号码为 {} 的人员", id.masked());
    let pid = store.person_id_of(&id).await?.with_context(missing)?;
    let a = store
        .archive(&Scope::Jurisdiction, pid, actor, reveal)
        .await?
        .with_context(missing)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&a)?);
        return Ok(ExitCode::SUCCESS);
    }
    print_archive(&a);
    Ok(ExitCode::SUCCESS)
}

/// A person's archive as text: identity, categories, trainings,
/// certificates and claims.
fn print_archive(a: &Archive) {
    println!(
        "姓名：{}  性别：{}  出生日期：{}",
        a.name, a.sex, a.birth_date
    );
    println!("身份证号码：{}", a.id_number);
    println!("户籍地：{} {}", a.hukou_region, a.hukou_region_name);
    if let Some(account) = &a.bank_account {
        println!(
            "社保卡银行账号：{account}（{}）",
            a.bank_name.as_deref().unwrap_or("")
        );
    }
    println!("人员类别（{}）：", a.categories.len());
    for c in &a.categories {
        println!(
            "  {} {} 至 {}",
            c.category,
            c.valid_from,
            c.valid_to.map_or("长期".into(), |d| d.to_string())
        );
    }
    println!("参训记录（{}）：", a.enrolments.len());
    for e in &a.enrolments {
        println!(
            "  {} {} {}（{}）{} {} {}～{} 线下{}课时 线上{}课时 {}",
            e.class_no,
            e.institution,
            e.occupation_name,
            e.occupation_code,
            level(e.skill_level),
            e.training_type,
            e.start_date,
            e.end_date,
            e.offline_hours,
            e.online_hours,
            jineng_domain::CompletionResult::from_code(&e.completion)
                .map(|c| c.as_zh())
                .unwrap_or("")
        );
    }
    println!("证书（{}）：", a.certificates.len());
    for c in &a.certificates {
        println!(
            "  {} {} {}（{}）{} 发证日期 {}",
            certificate_type_name(&c.cert_type),
            c.cert_no,
            c.occupation_name,
            c.occupation_code,
            level(c.skill_level),
            c.issue_date
        );
        if let Some(on) = &c.revoked_on {
            println!(
                "    已标记撤销（{on}，{}）",
                c.revoked_reason.as_deref().unwrap_or("")
            );
        }
    }
    println!("补贴申领（{}）：", a.claims.len());
    for c in &a.claims {
        let status = c.status.as_zh();
        println!(
            "  {} {} {} {status}",
            c.claim_no, c.subsidy_type, c.applied_on
        );
    }
}
