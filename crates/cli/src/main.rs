//! `jineng`: the command line of the Jineng platform.

mod archive;
mod audit;
mod backup;
mod bench;
mod bench_credentials;
mod bench_decide;
mod bench_http;
mod bench_lookup;
mod bench_mixed;
mod bench_report;
mod bench_report_incremental;
mod bench_supervise;
mod bench_whatif;
mod cert;
mod claims;
mod config;
mod credits;
mod demo;
mod eligibility;
mod federation;
mod import;
mod inspect;
mod keys;
mod ledger;
mod migrate;
mod pay;
mod person;
mod planning;
mod policy;
mod policy_test;
mod policy_whatif;
mod report;
mod report_standards;
mod serve;
mod supervise;
mod vouchers;

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use jineng_store::{Actor, Store};
use std::path::PathBuf;
use std::process::ExitCode;

// Imports allocate many short strings on two threads (ours and SQLite's
// worker); mimalloc handles that far better than glibc's allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "jineng",
    version,
    about = "技能 Jineng — 职业技能提升行动管理平台"
)]
struct Cli {
    /// 数据库地址：sqlite://文件名.db（内嵌）或 postgres://…
    #[arg(
        long,
        global = true,
        env = "JINENG_DB",
        default_value = "sqlite://jineng.db"
    )]
    db: String,
    /// 只读副本地址（PostgreSQL 流复制备库 postgres://…）：看板、报表、公开证书查询与核验从它读取，写入仍走 --db
    #[arg(long, global = true, env = "JINENG_DB_READ")]
    db_read: Option<String>,
    /// 操作人（记入审计日志；默认为系统用户名）
    #[arg(long, global = true, env = "JINENG_ACTOR")]
    actor: Option<String>,
    #[command(flatten)]
    credentials: CredentialArgs,
    /// 配置文件（默认：当前目录下的 jineng.toml，若存在）；命令行与环境变量优先于它
    #[arg(long, global = true, env = "JINENG_CONFIG")]
    config: Option<PathBuf>,
    /// 日志格式：text（默认）或 json（每行一个 JSON 对象，供日志采集）
    #[arg(
        long,
        global = true,
        env = "JINENG_LOG_FORMAT",
        value_enum,
        default_value_t
    )]
    log_format: config::LogFormat,
    #[command(subcommand)]
    command: Command,
}

impl Cli {
    /// Fills from the configuration file what the command line and the
    /// environment left at its default (`config`).
    fn apply_config(&mut self, m: &clap::ArgMatches, f: &config::FileConfig) {
        config::fill(m, "db", &mut self.db, &f.db);
        config::fill_opt(m, "db_read", &mut self.db_read, &f.db_read);
        config::fill_opt(m, "actor", &mut self.actor, &f.actor);
        config::fill(
            m,
            "public_url",
            &mut self.credentials.public_url,
            &f.public_url,
        );
        config::fill_opt(m, "key_file", &mut self.credentials.key_file, &f.key_file);
        config::fill(m, "log_format", &mut self.log_format, &f.log_format);
        if let (Command::Serve(args), Some(sm)) = (&mut self.command, m.subcommand_matches("serve"))
        {
            args.apply_config(sm, &f.serve);
        }
    }
}

/// Where certificates are issued from (docs/credentials.md).
#[derive(clap::Args, Clone)]
pub(crate) struct CredentialArgs {
    /// 证书签名密钥文件（默认：SQLite 数据库文件旁的「.signing-keys」；PostgreSQL 时为用户数据目录下的 jineng/signing-….keys）
    #[arg(long, global = true, env = "JINENG_KEY_FILE")]
    key_file: Option<PathBuf>,
    /// 本平台的公开地址：签发者 did:web 与状态列表地址由此而来
    #[arg(long, global = true, env = "JINENG_PUBLIC_URL", default_value = jineng_credentials::DEFAULT_PUBLIC_URL)]
    public_url: String,
    /// 证书与电子档案上印的发布机构名称
    #[arg(long, global = true, env = "JINENG_BUREAU_NAME", default_value = jineng_web::printing::DEFAULT_BUREAU)]
    bureau_name: String,
}

impl CredentialArgs {
    pub(crate) fn credentials(&self, store: &Store) -> anyhow::Result<jineng_store::Credentials> {
        Ok(jineng_store::Credentials::for_store(
            store,
            &self.public_url,
            self.key_file.clone(),
        )?)
    }
}

#[derive(Subcommand)]
enum Command {
    /// 建库并载入参考数据（行政区划、职业分类、词表）
    Init,
    /// 执行数据库迁移（其他命令不会改动已有数据库的结构）
    Migrate(migrate::MigrateArgs),
    /// 备份：把数据库（及可选的密钥文件）写成一个带清单的备份文件
    Backup(backup::BackupArgs),
    /// 从备份文件恢复到一个空数据库（--db），并校验行数、专账和审计链
    Restore(backup::RestoreArgs),
    /// 导入模板文件（.xlsx，或 UTF-8/GB18030 编码的 .csv）
    Import(import::ImportArgs),
    /// 生成空白模板（含填写说明）
    Template {
        /// 模板类型：persons 人员信息、categories 人员类别、relations 家庭关系、institutions 培训机构、classes 培训班、roster 花名册、certificates 证书、claims 补贴申领、regions 行政区划
        kind: String,
        /// 输出文件（.xlsx 或 .csv），默认「模板类型.xlsx」
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// 实名制人员信息
    Person {
        #[command(subcommand)]
        command: person::PersonCommand,
    },
    /// 补贴政策（政策文件、规则、补贴标准目录）
    Policy {
        #[command(subcommand)]
        command: policy::PolicyCommand,
    },
    /// 补贴申领：决定、复核、核准、驳回、支付、预拨、清算、追回、导出
    Claims {
        #[command(subcommand)]
        command: claims::ClaimsCommand,
    },
    /// 资格试算：某人参加拟定培训、取得证书后能否享受补贴（不写入）
    Eligibility(eligibility::EligibilityArgs),
    /// 载入演示辖区（聊城市）及其培训机构、培训班和学员
    Demo(demo::DemoArgs),
    /// 专账：资金来源、拨入、报表与校验
    Ledger {
        #[command(subcommand)]
        command: ledger::LedgerCommand,
    },
    /// 银行代发：生成代发批次与代发文件，导入银行回盘文件
    Pay {
        #[command(subcommand)]
        command: pay::PayCommand,
    },
    /// 审计日志：校验哈希链
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// 启动网上服务平台（Web 界面与 /api/v1 接口）
    Serve(serve::ServeArgs),
    /// 指标定义
    Indicators {
        #[command(subcommand)]
        command: planning::IndicatorsCommand,
    },
    /// 目标任务及其分解
    Targets {
        #[command(subcommand)]
        command: planning::TargetsCommand,
    },
    /// 统计数据（就业人员、技能劳动者等）
    Stats {
        #[command(subcommand)]
        command: planning::StatsCommand,
    },
    /// 重点任务分工及进展
    Tasks {
        #[command(subcommand)]
        command: planning::TasksCommand,
    },
    /// 报表：目标进度、季报、年报、资金使用公开
    Report {
        #[command(subcommand)]
        command: report::ReportCommand,
    },
    /// 性能基准测试（生成数据）
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
    /// 双随机抽查：抽取、登记结果
    Inspect {
        #[command(subcommand)]
        command: inspect::InspectCommand,
    },
    /// 机构信用等级：评定、列出
    Credit {
        #[command(subcommand)]
        command: inspect::CreditCommand,
    },
    /// 跨部署比对：导出、载入联邦标签
    Federation {
        #[command(subcommand)]
        command: federation::FederationCommand,
    },
    /// 监管核查：载入监管规则、核查、线索列表、结案
    Supervise {
        #[command(subcommand)]
        command: supervise::SuperviseCommand,
    },
    /// 可验证证书：签发、验证、撤销、状态
    Cert {
        #[command(subcommand)]
        command: cert::CertCommand,
    },
    /// 证书签名密钥：轮换、查看
    Keys {
        #[command(subcommand)]
        command: keys::KeysCommand,
    },
    /// 职业培训券：发放、核验使用、过期作废、列表
    Vouchers {
        #[command(subcommand)]
        command: vouchers::VouchersCommand,
    },
}

fn actor(cli: &Cli) -> Actor {
    let user = cli
        .actor
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "operator".into());
    Actor::cli(&user)
}

pub(crate) async fn init(store: &Store) -> anyhow::Result<jineng_store::RegionCounts> {
    store
        .load_regions(&jineng_ingest::reference::regions())
        .await?;
    store
        .load_occupations(&jineng_ingest::reference::occupations())
        .await?;
    store
        .load_vocabulary(&jineng_ingest::reference::vocabulary())
        .await?;
    Ok(store.reference_counts().await?)
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let actor = actor(&cli);
    match cli.command {
        Command::Init => {
            let store = Store::connect(&cli.db).await?;
            let c = init(&store).await?;
            println!(
                "已初始化 {}：省级 {} 个，地级 {} 个，县级 {} 个，职业 {} 个，词表 {} 条",
                cli.db, c.provinces, c.prefectures, c.counties, c.occupations, c.vocabulary_terms
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate(args) => migrate::run(&cli.db, args).await,
        Command::Backup(args) => backup::run_backup(&cli.db, &cli.credentials, args).await,
        Command::Restore(args) => backup::run_restore(&cli.db, &cli.credentials, args).await,
        Command::Import(args) => import::run(&cli.db, &actor, args).await,
        Command::Template { kind, out } => {
            let spec = jineng_ingest::templates::template(&kind)
                .with_context(|| format!("未知的模板类型「{kind}」"))?;
            let out = out.unwrap_or_else(|| PathBuf::from(format!("{kind}.xlsx")));
            jineng_ingest::template_file::write_template(spec, &out)?;
            println!("已生成模板「{}」：{}", spec.title, out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Person { command } => {
            person::run(&cli.db, &actor, &cli.credentials, command).await
        }
        Command::Policy { command } => policy::run(&cli.db, &actor, command).await,
        Command::Claims { command } => claims::run(&cli.db, &actor, command).await,
        Command::Eligibility(args) => eligibility::run(&cli.db, args).await,
        Command::Demo(args) => demo::run(&cli.db, &actor, args).await,
        Command::Ledger { command } => ledger::run(&cli.db, &actor, command).await,
        Command::Pay { command } => pay::run(&cli.db, &actor, command).await,
        Command::Indicators { command } => planning::run_indicators(&cli.db, &actor, command).await,
        Command::Targets { command } => planning::run_targets(&cli.db, &actor, command).await,
        Command::Stats { command } => planning::run_stats(&cli.db, &actor, command).await,
        Command::Tasks { command } => planning::run_tasks(&cli.db, &actor, command).await,
        Command::Report { command } => report::run(&cli.db, &actor, command).await,
        Command::Bench { command } => {
            bench::run(&cli.db, cli.db_read.as_deref(), &actor, command).await
        }
        Command::Audit { command } => audit::run(&cli.db, &actor, command).await,
        Command::Serve(args) => {
            let db = serve::Databases {
                primary: &cli.db,
                read: cli.db_read.as_deref(),
            };
            serve::run(db, &actor, &cli.credentials, args).await
        }
        Command::Inspect { command } => inspect::run_inspect(&cli.db, &actor, command).await,
        Command::Credit { command } => inspect::run_credit(&cli.db, command).await,
        Command::Federation { command } => federation::run(&cli.db, command).await,
        Command::Supervise { command } => supervise::run(&cli.db, &actor, command).await,
        Command::Cert { command } => cert::run(&cli.db, &actor, &cli.credentials, command).await,
        Command::Keys { command } => keys::run(&cli.db, &actor, &cli.credentials, command).await,
        Command::Vouchers { command } => vouchers::run(&cli.db, &actor, command).await,
    }
}

/// `jineng … | head` closes standard output early; `println!` then panics.
/// Like other Unix tools, stop quietly instead (exit status 141, as if by
/// SIGPIPE). Rust ignores SIGPIPE, and changing that needs `unsafe`.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

fn closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let file = match config::load(cli.config.as_deref()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("错误：{e}");
            return ExitCode::from(2);
        }
    };
    let mut filter = std::env::var("JINENG_LOG").ok();
    if let Some((_, f)) = &file {
        cli.apply_config(&matches, f);
        filter = filter.or_else(|| f.log.clone());
    }
    init_logs(cli.log_format, filter.as_deref().unwrap_or("warn"));
    if let Some((path, _)) = &file {
        tracing::info!(file = %path.display(), "configuration file read");
    }
    quiet_on_closed_pipe();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) if closed_pipe(&e) => ExitCode::from(141),
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::from(2)
        }
    }
}

/// Log lines to stderr, as text or one JSON object a line.
fn init_logs(format: config::LogFormat, filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|e| {
        eprintln!("日志过滤条件「{filter}」无效（{e}），改用 warn");
        "warn".into()
    });
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        config::LogFormat::Text => logs.init(),
        config::LogFormat::Json => logs.json().init(),
    }
}
