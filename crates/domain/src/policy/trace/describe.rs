//! Trace lines in Chinese: what each [`Detail`] found, in the words of the
//! decision letter and the officer's screen.

use chrono::NaiveDate;

use super::{Detail, RenderCtx, entry_cert, entry_source};
use crate::CertificateType;
use crate::money::Yuan;
use crate::policy::Policy;

pub(super) fn describe(d: &Detail, p: &Policy, c: &RenderCtx<'_>) -> String {
    match d {
        Detail::NotConfigured => format!("本地政策未规定「{}」", c.subsidy_type),
        Detail::OutsidePolicy => format!(
            "事件日期不在政策有效期内（{} 起{}）",
            p.meta.valid_from,
            p.meta
                .valid_to
                .map(|t| format!("，至 {t} 止"))
                .unwrap_or_default()
        ),
        Detail::Missing(e) => format!("缺少{}", e.as_zh()),
        Detail::NoPolicy { region, on } => no_policy_text(region, *on),
        Detail::Standard { .. } | Detail::Voucher { .. } | Detail::NoStandard { .. } => {
            standard_text(d, p, c)
        }
        Detail::VeteranRate { .. }
        | Detail::Allowance { .. }
        | Detail::Apprentice { .. }
        | Detail::WorkTraining { .. }
        | Detail::Advance { .. } => amount_text(d),
        Detail::Trained
        | Detail::Untrained { .. }
        | Detail::NotInPlan
        | Detail::CertTypeNotCovered
        | Detail::CertificateRevoked { .. }
        | Detail::Place { .. }
        | Detail::PlaceUnknown
        | Detail::CertBeforeTrainingEnd { .. }
        | Detail::LocalInstitution { .. }
        | Detail::RemovedFromCatalogue { .. }
        | Detail::NotCompleted
        | Detail::NotTrainingType
        | Detail::LateApplication { .. } => training_text(d, c),
        Detail::Category { .. }
        | Detail::NoCategory
        | Detail::Pension
        | Detail::Age { .. }
        | Detail::Family { .. }
        | Detail::Free { .. }
        | Detail::ByStandard
        | Detail::Insured { .. }
        | Detail::VeteranOnce { .. }
        | Detail::Startup { .. } => person_text(d, p),
        Detail::MonthsTaken { .. }
        | Detail::MonthsElsewhere { .. }
        | Detail::YearCount { .. }
        | Detail::FirstTime
        | Detail::Repeat { .. }
        | Detail::RepeatElsewhere { .. }
        | Detail::SameStandard
        | Detail::Unique
        | Detail::Duplicate { .. }
        | Detail::DuplicateElsewhere { .. } => repeat_text(d, c),
    }
}

/// Lines about amounts: allowances, apprenticeships, work training,
/// advances.
/// Reached only from [`describe`], for the variants it routes here.
fn amount_text(d: &Detail) -> String {
    match d {
        Detail::VeteranRate { daily } => {
            format!(
                "退役军人免费培训的生活补助按每天 {daily}",
                daily = Yuan(*daily)
            )
        }
        Detail::Allowance {
            days,
            base,
            daily,
            uplift_pct,
            amount,
        } if *uplift_pct > 0 => format!(
            "培训 {days} 天 × {daily}（{base}，深度贫困县上浮 {uplift_pct}%）= {amount}",
            base = Yuan(*base),
            daily = Yuan(*daily),
            amount = Yuan(*amount)
        ),
        Detail::Allowance {
            days,
            daily,
            amount,
            ..
        } => {
            format!(
                "培训 {days} 天 × {daily} = {amount}",
                daily = Yuan(*daily),
                amount = Yuan(*amount)
            )
        }
        Detail::Apprentice {
            years,
            per_year,
            amount,
            advance_pct,
            months,
        } if *months > 0 => format!(
            "学徒 {years} 年 {months} 个月（按月折算）× 每年 {per_year} = {amount}，支付给企业，可预支 {advance_pct}%",
            per_year = Yuan(*per_year),
            amount = Yuan(*amount)
        ),
        Detail::Apprentice {
            years,
            per_year,
            amount,
            advance_pct,
            ..
        } => format!(
            "学徒 {years} 年 × {per_year} = {amount}，支付给企业，可预支 {advance_pct}%",
            per_year = Yuan(*per_year),
            amount = Yuan(*amount)
        ),
        Detail::WorkTraining {
            claimed,
            prior,
            max,
            paid,
            monthly,
            amount,
        } => format!(
            "申请 {claimed} 个月，此前已享受 {prior} 个月，最长 {max} 个月，核定 {paid} 个月 × {monthly} = {amount}",
            monthly = Yuan(*monthly),
            amount = Yuan(*amount)
        ),
        Detail::Advance { pct } => format!("项目制培训，可先行拨付 {pct}%"),
        _ => unreachable!("describe routes no other line to amount_text"),
    }
}

/// Lines about the catalogue's standard and a voucher's face value.
/// Reached only from [`describe`], for the variants it routes here.
fn standard_text(d: &Detail, p: &Policy, c: &RenderCtx<'_>) -> String {
    let cert = c.cert_type.map_or("", CertificateType::as_zh);
    match d {
        Detail::Standard {
            base,
            uplift_pct,
            amount,
            entry,
        } if *uplift_pct > 0 => format!(
            "{} {} = {base}，紧缺职业上浮 {uplift_pct}% = {amount}{}",
            c.item(),
            entry_cert(p, *entry, cert),
            entry_source(p, *entry),
            base = Yuan(*base),
            amount = Yuan(*amount)
        ),
        Detail::Standard { amount, entry, .. } => format!(
            "{} {} = {amount}{}",
            c.item(),
            entry_cert(p, *entry, cert),
            entry_source(p, *entry),
            amount = Yuan(*amount)
        ),
        Detail::NoStandard { on } => {
            format!("补贴标准目录中没有 {} {cert}（{on} 有效的条目）", c.item())
        }
        Detail::Voucher {
            voucher_no,
            face,
            standard,
        } => format!(
            "培训券 {voucher_no} 报名时已核验：按券面值 {} 结算（标准为 {}），支付给培训机构",
            Yuan(*face),
            Yuan(*standard)
        ),
        _ => unreachable!("describe routes no other line to standard_text"),
    }
}

/// Lines about the training and the certificate: roster, place, dates,
/// the institution.
/// Reached only from [`describe`], for the variants it routes here.
fn training_text(d: &Detail, c: &RenderCtx<'_>) -> String {
    let cert = c.cert_type.map_or("", CertificateType::as_zh);
    match d {
        Detail::Trained => "在该培训班花名册中，结业合格，证书与培训相符".into(),
        Detail::Untrained(gap) => gap.as_zh(),
        Detail::NotInPlan => "培训班未列入当地培训计划，不预支".into(),
        Detail::CertTypeNotCovered => format!("{cert} 不在本地补贴的证书范围内"),
        Detail::CertificateRevoked { on } => {
            format!("{cert} 已于 {on} 撤销，不能据以享受补贴")
        }
        Detail::Place { ok: true } => "培训地在户籍地、常住地或求职就业地".into(),
        Detail::Place { ok: false } => "培训地不在户籍地、常住地或求职就业地".into(),
        Detail::PlaceUnknown => "证书未关联培训班，无法核实培训地".into(),
        Detail::CertBeforeTrainingEnd { end } => {
            format!("证书日期早于培训结束日期 {end}")
        }
        Detail::LocalInstitution { ok: true } => {
            format!("{cert} 由本辖区目录内机构培训")
        }
        Detail::LocalInstitution { ok: false } => {
            format!("{cert} 须经本辖区目录内机构培训，该机构不符合")
        }
        Detail::RemovedFromCatalogue {
            institution,
            year,
            grade,
            from,
        } => format!(
            "机构 {institution} 在 {year} 年度信用评定为 {grade} 级，自 {from} 起移出目录，其后开班的培训不予补贴"
        ),
        Detail::NotCompleted => "培训未结业或考核不合格".into(),
        Detail::NotTrainingType => "培训班的培训类型与本项补贴不符".into(),
        Detail::LateApplication { months, limit } => {
            format!("取证 {months} 个月后申请，超过 {limit} 个月时限")
        }
        _ => unreachable!("describe routes no other line to training_text"),
    }
}

/// Lines about the person: category, age and pension, family, insurance,
/// veterans, start-ups.
/// Reached only from [`describe`], for the variants it routes here.
fn person_text(d: &Detail, p: &Policy) -> String {
    match d {
        Detail::Category { category } => format!("培训时属于「{}」", p.category(*category)),
        Detail::NoCategory => "培训时不属于本项补贴的对象范围".into(),
        Detail::Pension => "按月领取养老金，不属补贴对象".into(),
        Detail::Age { age, retired: true } => {
            format!("{age} 岁，超过法定退休年龄、未领取养老金，可享受")
        }
        Detail::Age { age, .. } => format!("{age} 岁，未领取养老金"),
        Detail::Family { relation, category } => format!(
            "直系亲属（{}）属于「{}」，培训范围延伸至本人",
            relation.as_zh(),
            p.category(*category)
        ),
        Detail::Free { category } => format!(
            "免费培训对象：{}，全额支付给培训机构",
            p.category(*category)
        ),
        Detail::ByStandard => "非免费培训对象，按标准补贴给本人".into(),
        Detail::Insured { months, min } if months >= min => {
            format!("参保 {months} 个月，满 {min} 个月")
        }
        Detail::Insured { months, min } => format!("参保 {months} 个月，不满 {min} 个月"),
        Detail::VeteranOnce { used: false } => "退役军人首次免费培训".into(),
        Detail::VeteranOnce { used: true } => "退役军人免费培训已享受过一次".into(),
        Detail::Startup {
            category,
            since,
            years,
        } => format!(
            "「{}」自 {since} 起，在 {years} 年注册期内",
            p.category(*category)
        ),
        _ => unreachable!("describe routes no other line to person_text"),
    }
}

/// Lines about repeats: the yearly count, earlier claims here or in
/// another deployment, duplicates.
/// Reached only from [`describe`], for the variants it routes here.
fn repeat_text(d: &Detail, c: &RenderCtx<'_>) -> String {
    match d {
        Detail::MonthsTaken { months, claim_no } => {
            format!("其中 {months} 个月已由申领 #{claim_no} 享受，同一人同一月份只补贴一次")
        }
        Detail::MonthsElsewhere { months, deployment } => {
            format!("其中 {months} 个月已在 {deployment}（其他部署）享受，同一人同一月份只补贴一次")
        }
        Detail::YearCount { year, before, max } if before < max => format!(
            "{year}年已享受 {before} 次，本次为第 {} 次，未超过 {max} 次",
            before + 1
        ),
        Detail::YearCount { year, before, max } => {
            format!("{year}年已享受 {before} 次，已达每人每年 {max} 次上限")
        }
        Detail::FirstTime => format!("{} 未曾享受", c.item()),
        Detail::Repeat { claim_no } => format!("{} 已享受过（申领 #{claim_no}）", c.item()),
        Detail::RepeatElsewhere {
            deployment,
            year,
            subsidy_type,
        } => format!(
            "该人员已于 {year} 年在 {deployment}（其他部署）领取同职业同等级{subsidy_type}（{}）",
            c.item()
        ),
        Detail::SameStandard => "同类工种、同一等级，按目录同一标准".into(),
        Detail::Unique => "同一证书、培训或月份未曾申领".into(),
        Detail::Duplicate { claim_no } => {
            format!("同一证书、培训或月份已由申领 #{claim_no} 享受")
        }
        Detail::DuplicateElsewhere {
            deployment,
            year,
            subsidy_type,
        } => format!(
            "{} 的{subsidy_type}已于 {year} 年在 {deployment}（其他部署）发放，不得多头申领",
            c.item()
        ),
        _ => unreachable!("describe routes no other line to repeat_text"),
    }
}

pub(super) fn no_policy_text(region: &str, on: NaiveDate) -> String {
    format!("无适用政策：申领地区 {region} 在 {on} 没有有效的补贴政策")
}
