//! `jineng eligibility`: would this person get the subsidy for a proposed
//! training and certificate? Decides a hypothetical claim against the
//! person's record and awards; writes nothing.

use std::process::ExitCode;

use chrono::Duration;
use clap::Args;
use jineng_domain::policy::engine;
use jineng_domain::policy::facts::{
    CertificateFacts, ClaimFacts, ClassFacts, EnrolmentFacts, InstitutionFacts,
};
use jineng_domain::policy::trace::{RenderCtx, render_line};
use jineng_domain::{
    CertificateType, CompletionResult, NationalId, OccupationCode, RegionCode, SkillLevel,
    parse_date,
};
use jineng_store::Store;

#[derive(Args)]
pub struct EligibilityArgs {
    /// 身份证号码
    #[arg(long)]
    id: String,
    /// 补贴类型
    #[arg(long, default_value = "职业培训补贴")]
    subsidy: String,
    /// 职业编码，如 6-31-01-03
    #[arg(long)]
    occupation: String,
    /// 技能等级，如 四级 或 中级工；专项职业能力不填
    #[arg(long)]
    level: Option<String>,
    /// 证书类型
    #[arg(long, default_value = "职业技能等级证书")]
    cert_type: String,
    /// 预计取证日期（默认今天）
    #[arg(long)]
    date: Option<String>,
    /// 培训地行政区划代码（默认户籍地）
    #[arg(long)]
    site: Option<String>,
    /// 培训类型
    #[arg(long, default_value = "就业技能培训")]
    training_type: String,
    /// 培训天数
    #[arg(long, default_value_t = 10)]
    days: i64,
    /// 培训机构是本辖区目录内机构
    #[arg(long, default_value_t = true)]
    local_institution: bool,
}

/// What the trial decision is asked about.
struct Trial<'a> {
    occupation: &'a OccupationCode,
    level: Option<SkillLevel>,
    cert_type: CertificateType,
    date: chrono::NaiveDate,
    site: &'a RegionCode,
}

/// The claim the trial decides: a certificate of `t` on `t.date`, after a
/// class of `args.days` days at `t.site` (nothing is written).
fn trial_claim(
    args: &EligibilityArgs,
    policy: &jineng_domain::policy::Policy,
    t: &Trial,
) -> ClaimFacts {
    let start = t.date - Duration::days(args.days.max(1));
    ClaimFacts {
        voucher: None,
        claim_no: "（试算）".into(),
        subsidy_type: args.subsidy.clone(),
        applied_on: t.date,
        certificate: Some(CertificateFacts {
            cert_type: t.cert_type,
            cert_no: "（试算）".into(),
            occupation: t.occupation.clone(),
            level: t.level,
            issue_date: t.date,
            revoked_on: None,
        }),
        class: Some(ClassFacts {
            key: -1,
            institution: InstitutionFacts {
                region: if args.local_institution {
                    policy.meta.region.clone()
                } else {
                    RegionCode::parse("110101").expect("valid code")
                },
                in_catalogue: args.local_institution,
                removed: None,
            },
            training_type: args.training_type.clone(),
            occupation: t.occupation.clone(),
            level: t.level,
            site: t.site.clone(),
            site_deep_poverty: false,
            start,
            end: t.date - Duration::days(1),
            enrolment: Some(EnrolmentFacts {
                offline_hours: args.days * 8,
                online_hours: 0,
                completion: CompletionResult::Passed,
            }),
            planned_hours: 0,
            in_plan: None,
        }),
        has_claimant: false,
        months: None,
        amount_asked: None,
        period: None,
    }
}

pub async fn run(db: &str, args: EligibilityArgs) -> anyhow::Result<ExitCode> {
    let store = Store::connect(db).await?;
    let refdata = store.ref_data().await?;
    let today = crate::claims::today();
    let id = NationalId::parse(&args.id, today, &|p| refdata.province_exists(p))?;
    let occupation = OccupationCode::parse(&args.occupation)?;
    let level = args.level.as_deref().map(SkillLevel::parse).transpose()?;
    let cert_type = CertificateType::parse(&args.cert_type)?;
    let date = match &args.date {
        Some(d) => parse_date(d)?,
        None => today,
    };
    let ctx = store.eligibility_context(&id).await?;
    let site = match &args.site {
        Some(s) => RegionCode::parse(s)?,
        None => ctx.person.hukou.clone(),
    };
    let policies = store.policy_set().await?;
    if policies.is_empty() {
        anyhow::bail!("尚未载入补贴政策：请先运行 jineng policy load");
    }
    // The policy of the training site's jurisdiction (docs/policy.md).
    let Some(jineng_store::Chosen { policy, .. }) = policies.for_region(&site, date) else {
        anyhow::bail!("无适用政策：地区 {site} 在 {date} 没有有效的补贴政策");
    };
    let trial = Trial {
        occupation: &occupation,
        level,
        cert_type,
        date,
        site: &site,
    };
    let claim = trial_claim(&args, policy, &trial);
    let d = engine::decide(policy, &ctx.person, &claim, &ctx.awards, today);
    let name = refdata.occupation_name(occupation.as_str()).unwrap_or("");
    let render = RenderCtx {
        subsidy_type: &args.subsidy,
        occupation: name,
        level,
        cert_type: Some(cert_type),
    };
    println!(
        "试算：{}  {} {}  {}  取证日期 {date}（不写入）",
        id.masked(),
        name,
        level.map_or("", SkillLevel::as_zh),
        cert_type.as_zh()
    );
    for line in &d.trace {
        println!("{}", render_line(line, policy, &render));
    }
    println!(
        "结论：{}{}",
        d.outcome.as_zh(),
        if d.amount.0 > 0 {
            format!(
                " {}元，支付给{}",
                d.amount,
                d.payee().map_or("", |p| p.as_zh())
            )
        } else {
            String::new()
        }
    );
    Ok(ExitCode::SUCCESS)
}
