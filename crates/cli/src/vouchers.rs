//! `jineng vouchers`: training vouchers (职业培训券, docs/vouchers.md) —
//! issuing a year's vouchers to the eligible persons of a scope, redeeming
//! one at an institution's class, lapsing the expired, and listing them.

use chrono::{Datelike, NaiveDate};
use clap::Subcommand;
use jineng_domain::access::Scope;
use jineng_domain::voucher::VoucherStatus;
use jineng_domain::{RegionCode, Yuan};
use jineng_store::{Actor, Store, VoucherQuery};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum VouchersCommand {
    /// 发放培训券：向管理范围内符合政策条件的人员发放某年度的职业培训券（每人每年每种券至多一张；重复运行不重发）
    Issue {
        /// 行政区划代码（按人员户籍地），如 371502
        #[arg(long)]
        scope: String,
        /// 年度
        #[arg(long)]
        year: i32,
        /// 发放日期（默认：当年为今天，往年为 1 月 1 日）
        #[arg(long)]
        on: Option<String>,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 核验使用：学员报名时，培训机构核验并使用其培训券
    Redeem {
        /// 培训券编号
        voucher: String,
        /// 班级编号
        #[arg(long)]
        class: String,
        /// 培训机构的统一社会信用代码
        #[arg(long)]
        institution: String,
        /// 学员身份证号码
        #[arg(long)]
        id: String,
        /// 核验日期（默认今天）
        #[arg(long)]
        on: Option<String>,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 过期作废：有效期已过仍未使用的培训券作废，并释放其资金承诺
    Lapse {
        /// 以此日期为今天（默认今天）
        #[arg(long)]
        today: Option<String>,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 列出管理范围内的培训券（身份证号码脱敏）及承诺合计
    List {
        /// 行政区划代码（按人员户籍地）
        #[arg(long)]
        scope: String,
        /// 状态：issued 未使用、used 已使用、lapsed 已过期
        #[arg(long)]
        status: Option<String>,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
}

fn date(raw: Option<&str>, default: NaiveDate) -> anyhow::Result<NaiveDate> {
    match raw {
        Some(s) => jineng_domain::parse_date(s).map_err(|e| anyhow::anyhow!("{e}")),
        None => Ok(default),
    }
}

fn region(raw: &str) -> anyhow::Result<RegionCode> {
    RegionCode::parse(raw).map_err(|e| anyhow::anyhow!("{e}"))
}

pub async fn run(db: &str, actor: &Actor, cmd: VouchersCommand) -> anyhow::Result<ExitCode> {
    let store = Store::connect(db).await?;
    let today = crate::claims::today();
    match cmd {
        VouchersCommand::Issue {
            scope,
            year,
            on,
            json,
        } => issue(&store, actor, &scope, year, on.as_deref(), json).await?,
        VouchersCommand::Redeem {
            voucher,
            class,
            institution,
            id,
            on,
            json,
        } => {
            let v = Redemption {
                voucher: &voucher,
                class: &class,
                institution: &institution,
                id: &id,
                on: on.as_deref(),
            };
            redeem(&store, actor, v, json).await?
        }
        VouchersCommand::Lapse { today: t, json } => {
            let on = date(t.as_deref(), today)?;
            let s = store.lapse_vouchers(on, actor).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                println!(
                    "过期作废培训券 {} 张，释放专账承诺 {}",
                    s.lapsed,
                    Yuan(jineng_domain::Fen(s.released_fen))
                );
            }
        }
        VouchersCommand::List {
            scope,
            status,
            json,
        } => list(&store, &region(&scope)?, status.as_deref(), json).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `vouchers issue`: a year's vouchers to the eligible persons of `scope`.
async fn issue(
    store: &Store,
    actor: &Actor,
    scope: &str,
    year: i32,
    on: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let today = crate::claims::today();
    let scope = region(scope)?;
    let first =
        NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| anyhow::anyhow!("年度 {year} 无效"))?;
    let default = if today.year() == year { today } else { first };
    let on = date(on, default)?;
    let policies = store.policy_set().await?;
    let s = store
        .issue_vouchers(&policies, &scope, year, on, actor)
        .await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(());
    }
    println!(
        "{} {year} 年培训券（{} 发放）：符合条件 {} 人，发放 {} 张，面值合计 {}；此前已发 {} 张，未重发",
        s.scope,
        s.issued_on,
        s.eligible_persons,
        s.issued,
        Yuan(jineng_domain::Fen(s.face_fen)),
        s.existing
    );
    for k in &s.kinds {
        println!(
            "  {} {}：{} 张，{}",
            k.code,
            k.name,
            k.issued,
            Yuan(jineng_domain::Fen(k.face_fen))
        );
    }
    for f in &s.funds {
        println!(
            "  专账承诺：资金来源 {} {}",
            f.fund,
            Yuan(jineng_domain::Fen(f.committed_fen))
        );
    }
    Ok(())
}

/// What `vouchers redeem` names: the voucher, class, institution, ID and day.
struct Redemption<'a> {
    voucher: &'a str,
    class: &'a str,
    institution: &'a str,
    id: &'a str,
    on: Option<&'a str>,
}

/// `vouchers redeem`: an institution checks and uses a voucher for its class.
async fn redeem(store: &Store, actor: &Actor, v: Redemption<'_>, json: bool) -> anyhow::Result<()> {
    let Redemption {
        voucher,
        class,
        institution,
        id,
        on,
    } = v;
    let today = crate::claims::today();
    let on = date(on, today)?;
    let Some((class_id, inst)) = store.class_of_institution(institution, class).await? else {
        anyhow::bail!("培训机构 {institution} 没有班级编号为「{class}」的培训班");
    };
    let r = store
        .redeem_voucher(&Scope::Institution(inst), class_id, voucher, id, on, actor)
        .await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        println!(
            "已核验：培训券 {}（{}，面值 {}）由 {} 在培训班 {} 使用",
            r.voucher_no,
            r.kind_name,
            Yuan(jineng_domain::Fen(r.face_fen)),
            r.person_name,
            r.class_no
        );
    }
    Ok(())
}

async fn list(
    store: &Store,
    scope: &RegionCode,
    status: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let status = match status {
        Some(s) => Some(VoucherStatus::from_code(s).ok_or_else(|| {
            anyhow::anyhow!(
                "未知的状态「{s}」：应为 issued（未使用）、used（已使用）或 lapsed（已过期）"
            )
        })?),
        None => None,
    };
    let scope = Scope::Region(scope.clone());
    let q = VoucherQuery {
        status,
        ..VoucherQuery::default()
    };
    let rows = store.scoped_vouchers(&scope, &q, 0, i64::MAX).await?;
    let totals = store.voucher_totals(&scope).await?;
    if json {
        let v = serde_json::json!({ "vouchers": rows, "totals": totals });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    for r in &rows {
        println!(
            "{} {} {} {} {} 有效期至 {} {}{}",
            r.voucher_no,
            r.person_name,
            r.id_number,
            r.kind_name,
            Yuan(jineng_domain::Fen(r.face_fen)),
            r.valid_until,
            r.status.as_zh(),
            r.class_no
                .as_deref()
                .map(|c| format!("（培训班 {c}）"))
                .unwrap_or_default()
        );
    }
    let y = |f: i64| Yuan(jineng_domain::Fen(f));
    println!(
        "合计：发放 {} 张 {}；未使用 {} 张 {}；已使用待支付 {} 张 {}；已兑付 {} 张 {}；已过期 {} 张 {}；尚在承诺 {}",
        totals.issued,
        y(totals.issued_fen),
        totals.open,
        y(totals.open_fen),
        totals.used,
        y(totals.used_fen),
        totals.paid,
        y(totals.paid_fen),
        totals.lapsed,
        y(totals.lapsed_fen),
        y(totals.committed_fen)
    );
    Ok(())
}
