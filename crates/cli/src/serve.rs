//! `jineng serve`: the web platform. With `--demo`, loads the demo into an
//! empty database first and (re)creates the demo accounts, printing their
//! passwords and an API token.

use clap::Args;
use jineng_store::{Actor, RegistryTable, Store};
use std::net::SocketAddr;
use std::process::ExitCode;

/// The demo jurisdiction and the county whose officer account it makes.
const DEMO_CITY: &str = "371500";
const DEMO_COUNTY: &str = "371502";

#[derive(Args)]
pub struct ServeArgs {
    /// 监听地址
    #[arg(long, env = "JINENG_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// 载入演示数据（数据库为空时）并创建演示账号
    #[arg(long)]
    demo: bool,
    /// 每个地址每分钟允许的登录次数
    #[arg(long, env = "JINENG_LOGIN_PER_MINUTE", default_value_t = 10)]
    login_per_minute: u32,
    /// 每个地址每分钟允许的证书查询次数
    #[arg(long, env = "JINENG_LOOKUP_PER_MINUTE", default_value_t = 60)]
    lookup_per_minute: u32,
    /// 通过 HTTPS 或 HTTPS 反向代理提供服务时设置（Cookie 加 Secure 标记）
    #[arg(long, env = "JINENG_SECURE_COOKIES")]
    secure_cookies: bool,
    /// 接口访问令牌的有效天数
    #[arg(long, env = "JINENG_TOKEN_DAYS", default_value_t = jineng_store::DEFAULT_TOKEN_DAYS)]
    token_days: i64,
    /// 每个企业账号每分钟允许的补贴申领提交次数
    #[arg(long, env = "JINENG_FILINGS_PER_MINUTE", default_value_t = jineng_web::FILINGS_PER_MINUTE)]
    filings_per_minute: u32,
    /// 上传文件的暂存目录（默认：SQLite 数据库文件旁的 uploads/；PostgreSQL 时为当前目录下的 uploads/）
    #[arg(long, env = "JINENG_UPLOADS_DIR")]
    uploads_dir: Option<std::path::PathBuf>,
    /// 停止服务时等待进行中的导入完成的秒数，超时的批次标记为「已中断」
    #[arg(long, env = "JINENG_SHUTDOWN_GRACE", default_value_t = 30)]
    shutdown_grace: u64,
    /// /metrics 需要的令牌（抓取方以 Authorization: Bearer 发送；不设则公开，不含个人信息）
    #[arg(long, env = "JINENG_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
}

impl ServeArgs {
    /// Fills from the file's `[serve]` what the command line and the
    /// environment left at its default.
    pub(crate) fn apply_config(&mut self, m: &clap::ArgMatches, c: &crate::config::ServeConfig) {
        use crate::config::{fill, fill_opt};
        fill(m, "addr", &mut self.addr, &c.addr);
        fill(
            m,
            "login_per_minute",
            &mut self.login_per_minute,
            &c.login_per_minute,
        );
        fill(
            m,
            "lookup_per_minute",
            &mut self.lookup_per_minute,
            &c.lookup_per_minute,
        );
        fill(
            m,
            "secure_cookies",
            &mut self.secure_cookies,
            &c.secure_cookies,
        );
        fill(m, "token_days", &mut self.token_days, &c.token_days);
        fill(
            m,
            "filings_per_minute",
            &mut self.filings_per_minute,
            &c.filings_per_minute,
        );
        fill_opt(m, "uploads_dir", &mut self.uploads_dir, &c.uploads_dir);
        fill(
            m,
            "shutdown_grace",
            &mut self.shutdown_grace,
            &c.shutdown_grace,
        );
        fill_opt(
            m,
            "metrics_token",
            &mut self.metrics_token,
            &c.metrics_token,
        );
    }
}

/// The primary (`--db`) and the read replica (`--db-read`), if any.
pub struct Databases<'a> {
    pub primary: &'a str,
    pub read: Option<&'a str>,
}

pub async fn run(
    db: Databases<'_>,
    actor: &Actor,
    cred: &crate::CredentialArgs,
    args: ServeArgs,
) -> anyhow::Result<ExitCode> {
    if args.token_days < 1 {
        anyhow::bail!("--token-days 须为正整数");
    }
    let mut store = Store::connect(db.primary).await?;
    if let Some(read) = db.read {
        store = store.with_replica(read).await?;
        println!("已连接只读副本：看板、报表、公开证书查询与核验从副本读取");
    }
    // Batches a killed process left 'running' (docs/operations.md).
    for b in store.stop_stale_batches(actor).await? {
        println!(
            "导入批次 {}（{}，{}）的进程已终止，已标记为「已中断」；重新导入该文件即可补全",
            b.batch_id, b.kind, b.file_name
        );
    }
    // Upload jobs of the web that process ran: shown as stopped, with why.
    for j in store.stop_stale_import_jobs().await? {
        println!(
            "导入任务 {}（{}，{}）的进程已终止，已标记为「已停止」",
            j.job_id, j.kind, j.file_name
        );
    }
    if args.demo {
        demo(&store, actor, args.token_days).await?;
    }
    let limits = jineng_web::Limits {
        login_per_minute: args.login_per_minute,
        lookup_per_minute: args.lookup_per_minute,
    };
    let sqlite = store.sqlite_file().is_some();
    let credentials = cred.credentials(&store)?;
    let mut state = jineng_web::AppState::new(store, limits, args.secure_cookies)
        .with_credentials(credentials)
        .with_bureau(&cred.bureau_name)
        .with_token_days(args.token_days)
        .with_filings_per_minute(args.filings_per_minute)
        .with_metrics_token(args.metrics_token.clone());
    match args.uploads_dir {
        Some(dir) => state = state.with_uploads_dir(&dir)?,
        None if !sqlite => state = state.with_uploads_dir(std::path::Path::new("uploads"))?,
        None => {}
    }
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    let shutdown = jineng_web::shutdown_signal();
    println!("服务已启动：http://{}/（Ctrl-C 停止）", args.addr);
    let running = state.clone();
    let store = running.store.clone();
    jineng_web::serve_on(listener, state, shutdown).await?;
    // Requests are answered; give the uploads still importing time to end.
    let grace = std::time::Duration::from_secs(args.shutdown_grace);
    let deadline = tokio::time::Instant::now() + grace;
    while running.running_imports() > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    for b in store
        .stop_own_batches(actor, "服务停止时导入尚未完成")
        .await?
    {
        println!(
            "导入批次 {}（{}，{}）未在 {} 秒内完成，已标记为「已中断」",
            b.batch_id, b.kind, b.file_name, args.shutdown_grace
        );
    }
    let note = format!(
        "服务停止时导入尚未完成（等待 {} 秒后停止）",
        args.shutdown_grace
    );
    for j in store.stop_own_import_jobs(&note).await? {
        println!(
            "导入任务 {}（{}，{}）未在 {} 秒内完成，已标记为「已停止」",
            j.job_id, j.kind, j.file_name, args.shutdown_grace
        );
    }
    println!("服务已停止");
    Ok(ExitCode::SUCCESS)
}

async fn demo(store: &Store, actor: &Actor, token_days: i64) -> anyhow::Result<()> {
    let sample = if store.count(RegistryTable::Persons).await? == 0 {
        let dir = std::env::temp_dir().join(format!("jineng-demo-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        println!("正在载入演示辖区：聊城市（8 个县市区、3 个功能区）……");
        let r = crate::demo::load(store, actor, &crate::demo::Options::default(), &dir).await;
        let _ = std::fs::remove_dir_all(&dir);
        r?
    } else {
        crate::demo::sample_name(store).await?
    };
    let mut accounts =
        jineng_web::demo_accounts(store, DEMO_CITY, DEMO_COUNTY, &sample, actor).await?;
    // An enterprise clerk to file 新型学徒制 / 以工代训 claims (the demo's
    // records have no enterprise; the code is invented, with a valid check
    // character).
    accounts.push(
        jineng_web::create_account(
            store,
            "firm",
            "聊城演示机械有限公司",
            jineng_domain::access::Role::Enterprise,
            jineng_domain::access::Scope::Enterprise(jineng_domain::CreditCode::from_body(
                "91371502MA3C8K7T1",
            )),
            actor,
        )
        .await?,
    );
    // A learning platform (学习平台) reporting online sessions through the
    // API for the city's classes (docs/learning.md).
    let platform = jineng_web::create_account(
        store,
        "platform",
        "聊城职业技能线上学习平台",
        jineng_domain::access::Role::Platform,
        jineng_domain::access::Scope::Region(jineng_domain::RegionCode::parse(DEMO_CITY)?),
        actor,
    )
    .await?;
    let platform_id = platform.account_id;
    accounts.push(platform);
    println!("演示账号（密码每次启动重新生成）：");
    for a in &accounts {
        println!("  {:<8} 密码 {}  {}", a.login, a.password, a.description);
    }
    let issued =
        jineng_web::issue_api_token_for(store, accounts[0].account_id, "演示", token_days, actor)
            .await?;
    let token = &issued.token;
    println!(
        "接口令牌（{}，有效期至 {} 北京时间）：{token}",
        accounts[0].login,
        issued.expires_local()
    );
    println!("  curl -H 'Authorization: Bearer {token}' http://…/api/v1/figures");
    let issued =
        jineng_web::issue_api_token_for(store, platform_id, "演示", token_days, actor).await?;
    println!(
        "接口令牌（platform，学习平台，有效期至 {} 北京时间）：{}",
        issued.expires_local(),
        issued.token
    );
    Ok(())
}
