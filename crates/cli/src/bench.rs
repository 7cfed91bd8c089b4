//! `jineng bench`: throughput on generated data, each figure beside a
//! baseline measured in the same run.

use crate::import::{options, progress_bar};
use clap::Subcommand;
use jineng_domain::NationalId;
use jineng_domain::records::PersonRecord;
use jineng_ingest::pipeline::import_file;
use jineng_store::{Actor, Backend, Store, fresh_postgres_database};
use serde_json::json;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

/// Claims per 100 persons of the demo with every certificate claimed for
/// (`bench decide` sizes its demo by it; measured on the default seed).
const CLAIMS_PER_100: usize = 99;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// 导入 N 行生成的人员信息（完整流程），再将相同的行裸写入另一个库（SQLite：批量插入；PostgreSQL：COPY），报告两者的行/秒
    Import {
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 看板查询：在全新库上生成某市 N 条培训记录，测量看板查询耗时（对照：对同样的记录直接 GROUP BY）
    Report {
        #[arg(long, default_value_t = 1_000_000)]
        enrolments: i64,
        /// 测量的地级市
        #[arg(long, default_value = "371500")]
        city: String,
        #[arg(long)]
        json: bool,
    },
    /// 补贴决定：内存中单核每秒决定数（对照：仅查补贴标准目录），以及生成约 N 件申领后在全新库上批量决定的耗时（对照：读出同样的申领及其证据）
    Decide {
        #[arg(long, default_value_t = 100_000)]
        claims: usize,
        /// 只测内存中的决定
        #[arg(long)]
        memory_only: bool,
        /// 保留生成的库（SQLite 文件）并打印其路径，供查看或重复测量
        #[arg(long)]
        keep: bool,
        #[arg(long)]
        json: bool,
    },
    /// 政策测算：生成约 N 件并决定后，按草案（B 类五级 1000 元、每年至多 2 次）重放全部申领的耗时（对照：经同一读取通道读出同样的申领及其事实）
    Whatif {
        #[arg(long, default_value_t = 1_000_000)]
        claims: usize,
        /// 保留生成的库，下次运行时若其申领不少于约 N 件则沿用
        #[arg(long)]
        keep: bool,
        #[arg(long)]
        json: bool,
    },
    /// 监管核查：生成 N 条培训记录的登记库，测量全部启用核查的全面扫描（对照：以同样的语句直接读出同样的行），以及经完整导入流程导入花名册后的增量核查（对照：直接读出该核查读取的行）
    Supervise {
        #[arg(long, default_value_t = 1_000_000)]
        enrolments: i64,
        /// 增量核查所测花名册的行数
        #[arg(long, default_value_t = 10_000)]
        roster: i64,
        /// 保留生成的库，下次运行时若其培训记录不少于 N 条则沿用
        #[arg(long)]
        keep: bool,
        #[arg(long)]
        json: bool,
    },
    /// 公开证书查询：在本机回环地址上用内置的 HTTP/1.1 长连接压测工具测量证书查询（页面与接口）的每秒请求数与延迟（对照：同一服务中的空处理器 /healthz）
    Lookup {
        /// 每个目标最多请求数
        #[arg(long, default_value_t = 300_000)]
        requests: u64,
        /// 并发连接数
        #[arg(long, default_value_t = 32)]
        connections: usize,
        /// 每个目标最长秒数
        #[arg(long, default_value_t = 10.0)]
        duration: f64,
        /// 保留演示库并在下次运行时沿用
        #[arg(long)]
        keep: bool,
        #[arg(long)]
        json: bool,
    },
    /// 混合负载：在演示库上按固定速率同时运行经办人员翻页与逐件核准、定时导入人员文件、公众证书查询若干分钟，报告错误、延迟与常驻内存随时间的变化
    Mixed {
        /// 持续分钟数
        #[arg(long, default_value_t = 10.0)]
        minutes: f64,
        /// 公众查询每秒次数（合计）
        #[arg(long, default_value_t = 200)]
        lookups_per_s: u32,
        /// 同时翻页的经办人员数
        #[arg(long, default_value_t = 4)]
        officers: usize,
        /// 每隔多少秒上传一个人员文件
        #[arg(long, default_value_t = 30.0)]
        import_every: f64,
        /// 每个文件的行数
        #[arg(long, default_value_t = 5000)]
        import_rows: usize,
        /// 保留演示库并在下次运行时沿用（与 bench lookup 共用）
        #[arg(long)]
        keep: bool,
        #[arg(long)]
        json: bool,
    },
    /// 可验证证书：单线程签发并验证 N 本（真实构建的证书文档，验证含状态列表），报告每秒本数（对照：同一次运行中裸 Ed25519 签名与验证）
    Credentials {
        #[arg(long, default_value_t = 100_000)]
        count: usize,
        #[arg(long)]
        json: bool,
    },
}

const COUNTIES: &[&str] = &[
    "371502", "371503", "371521", "371522", "371524", "371525", "371526", "371581",
];
const DAYS: usize = 13_505;

/// Row `i` of the benchmark: unique for i < 8 × 13,505 × 1,000.
fn person(i: usize) -> PersonRecord {
    let county = COUNTIES[i % COUNTIES.len()];
    let birth = chrono::NaiveDate::from_ymd_opt(1966, 1, 1).unwrap()
        + chrono::Duration::days(((i / 8) % DAYS) as i64);
    let id = NationalId::from_parts(county, birth, ((i / (8 * DAYS)) % 1000) as u16);
    PersonRecord {
        name: format!("测试{}", ["甲", "乙", "丙", "丁", "戊"][i % 5]),
        sex: id.sex(),
        birth_date: birth,
        ethnicity: Some("汉族".into()),
        education: None,
        phone: None,
        hukou_region: jineng_domain::RegionCode::parse(county).unwrap(),
        residence_region: None,
        job_region: None,
        receives_pension: false,
        bank: None,
        id,
    }
}

fn write_csv(path: &Path, rows: usize) -> anyhow::Result<()> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    write_persons(&mut w, 0, rows)?;
    Ok(w.flush()?)
}

/// The persons file of rows `offset..offset + rows`, in memory.
pub(crate) fn persons_csv(offset: usize, rows: usize) -> Vec<u8> {
    let mut w = Vec::with_capacity(rows * 64);
    // Writing into a Vec cannot fail.
    let _ = write_persons(&mut w, offset, rows);
    w
}

fn write_persons(w: &mut impl Write, offset: usize, rows: usize) -> std::io::Result<()> {
    writeln!(w, "姓名,身份证号码,性别,出生日期,民族,户籍地")?;
    for i in offset..offset + rows {
        let p = person(i);
        writeln!(
            w,
            "{},{},{},{},汉族,{}",
            p.name,
            p.id,
            p.sex.as_zh(),
            p.birth_date,
            p.hukou_region
        )?;
    }
    Ok(())
}

pub(crate) fn peak_rss_mb() -> Option<f64> {
    proc_status_mb("VmHWM:")
}

/// The current resident set in MB.
pub(crate) fn rss_mb() -> Option<f64> {
    proc_status_mb("VmRSS:")
}

/// User and system CPU time of the whole process so far, in seconds
/// (`/proc/self/stat`, in clock ticks of 1/100 s).
pub(crate) fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which may itself hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut f = rest.split_whitespace().skip(11);
    let user: f64 = f.next()?.parse().ok()?;
    let system: f64 = f.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// A memory figure of `/proc/self/status` (given in kB) in MB.
fn proc_status_mb(key: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Two fresh stores of the backend `db` names.
async fn two_stores(db: &str, dir: &Path) -> anyhow::Result<(Store, Store)> {
    if db.starts_with("postgres") {
        let a = fresh_postgres_database(db, "jineng_bench_import").await?;
        let b = fresh_postgres_database(db, "jineng_bench_bare").await?;
        Ok((Store::connect(&a).await?, Store::connect(&b).await?))
    } else {
        let a = format!("sqlite://{}", dir.join("import.db").display());
        let b = format!("sqlite://{}", dir.join("bare.db").display());
        Ok((Store::connect(&a).await?, Store::connect(&b).await?))
    }
}

/// A benchmark's store: fresh, or with `keep` the one an earlier run of
/// bench `name` left in its folder when `reusable` accepts it (given the
/// folder and what its `loaded` file says). Returns the store, the folder
/// and whether it was reused.
pub(crate) async fn kept_store(
    db: &str,
    name: &str,
    keep: bool,
    reusable: impl Fn(&Path, &str) -> bool,
) -> anyhow::Result<(Store, std::path::PathBuf, bool)> {
    let pg = db.starts_with("postgres");
    let dir = std::env::temp_dir().join(match (keep, pg) {
        (true, true) => format!("jineng-bench-{name}-pg"),
        (true, false) => format!("jineng-bench-{name}"),
        (false, _) => format!("jineng-bench-{name}-{}", std::process::id()),
    });
    let ready =
        keep && std::fs::read_to_string(dir.join("loaded")).is_ok_and(|s| reusable(&dir, s.trim()));
    if !ready {
        let _ = std::fs::remove_dir_all(&dir);
    }
    std::fs::create_dir_all(&dir)?;
    let database = format!("jineng_bench_{name}");
    let url = if !pg {
        format!("sqlite://{}", dir.join(format!("{name}.db")).display())
    } else if ready {
        on_server(db, &database)
    } else {
        fresh_postgres_database(db, &database).await?
    };
    Ok((Store::connect(&url).await?, dir, ready))
}

/// The URL of database `name` on the server of `url`.
pub(crate) fn on_server(url: &str, name: &str) -> String {
    let base = &url[..url
        .rfind('/')
        .filter(|i| *i > "postgres://".len())
        .unwrap_or(url.len())];
    format!("{base}/{name}")
}

/// `db_read`: the read replica, for the benchmarks that read through one.
pub async fn run(
    db: &str,
    db_read: Option<&str>,
    actor: &Actor,
    cmd: BenchCommand,
) -> anyhow::Result<ExitCode> {
    let (rows, json) = match cmd {
        BenchCommand::Import { rows, json } => (rows, json),
        BenchCommand::Decide {
            claims,
            memory_only,
            keep,
            json,
        } => return decide(db, actor, claims, memory_only, keep, json).await,
        BenchCommand::Whatif { claims, keep, json } => {
            return crate::bench_whatif::run(db, actor, claims, keep, json).await;
        }
        BenchCommand::Report {
            enrolments,
            city,
            json,
        } => return crate::bench_report::run(db, actor, enrolments, &city, json).await,
        BenchCommand::Supervise {
            enrolments,
            roster,
            keep,
            json,
        } => {
            let o = crate::bench_supervise::Options {
                enrolments,
                roster,
                keep,
            };
            return crate::bench_supervise::run(db, actor, o, json).await;
        }
        BenchCommand::Lookup {
            requests,
            connections,
            duration,
            keep,
            json,
        } => {
            let load = crate::bench_lookup::Load {
                requests,
                connections,
                duration,
            };
            return crate::bench_lookup::run(db, db_read, actor, load, keep, json).await;
        }
        BenchCommand::Mixed {
            minutes,
            lookups_per_s,
            officers,
            import_every,
            import_rows,
            keep,
            json,
        } => {
            let o = crate::bench_mixed::Options {
                minutes,
                lookups_per_s,
                officers,
                import_every_s: import_every,
                import_rows,
                keep,
            };
            return crate::bench_mixed::run(db, actor, o, json).await;
        }
        BenchCommand::Credentials { count, json } => {
            return crate::bench_credentials::run(
                jineng_credentials::DEFAULT_PUBLIC_URL,
                count,
                json,
            );
        }
    };
    import(db, actor, rows, json).await
}

/// `bench import`: the persons import of `rows` rows, beside the bare
/// write of the same rows in the same run.
async fn import(db: &str, actor: &Actor, rows: usize, json: bool) -> anyhow::Result<ExitCode> {
    let dir = tempfile_dir()?;
    let csv = dir.join("persons.csv");
    write_csv(&csv, rows)?;
    let (import_store, bare_store) = two_stores(db, &dir).await?;
    let backend = import_store.backend().name();
    crate::init(&import_store).await?;
    crate::init(&bare_store).await?;

    let pb = progress_bar(json);
    let (t, cpu) = (Instant::now(), cpu_seconds());
    let report = import_file(
        &import_store,
        "persons",
        &csv,
        &options(actor, false, None, 5000),
        &|n| pb.set_position(n),
    )
    .await?;
    let import_secs = t.elapsed().as_secs_f64();
    let import_cpu = cpu_seconds().zip(cpu).map(|(b, a)| b - a);
    pb.finish_and_clear();
    let peak = peak_rss_mb();
    anyhow::ensure!(
        report.inserted as usize == rows,
        "基准导入应新增 {rows} 行，实际 {}",
        report.inserted
    );

    // PostgreSQL's baseline is a bare COPY of the same rows, SQLite's the
    // bare multi-row insert (it has no COPY).
    let baseline = match import_store.backend() {
        Backend::Sqlite => "bare_insert",
        Backend::Postgres => "bare_copy",
    };
    let (bare, bare_cpu) = bare_writes(&bare_store, rows).await?;
    let bare_secs = bare.as_secs_f64();
    let rusqlite_secs = rusqlite_reference(db, &dir, rows).await?;
    let _ = std::fs::remove_dir_all(&dir);

    let import_rate = rows as f64 / import_secs;
    let bare_rate = rows as f64 / bare_secs;
    let mut out = json!({
        "backend": backend,
        "rows": rows,
        "import_seconds": import_secs,
        "import_rows_per_sec": import_rate.round(),
        "bare_seconds": bare_secs,
        "bare_rows_per_sec": bare_rate.round(),
        "ratio_to_bare": (import_rate / bare_rate * 100.0).round() / 100.0,
        "baseline": baseline,
        "peak_rss_mb_during_import": peak.map(|p| p.round()),
        // CPU time of all the process's threads: on a shared machine the
        // wall-clock ratio moves with the load, the work done much less.
        "import_cpu_seconds": import_cpu,
        "bare_cpu_seconds": bare_cpu,
    });
    if let Some(secs) = rusqlite_secs {
        out["rusqlite_seconds"] = json!(secs);
        out["rusqlite_rows_per_sec"] = json!((rows as f64 / secs).round());
    }
    if json {
        println!("{out}");
    } else {
        print_import(&out, rusqlite_secs);
    }
    Ok(ExitCode::SUCCESS)
}

/// The baseline: the same rows written bare, 5,000 at a time. Only the
/// writes are timed: generating the rows is not the baseline's work (the
/// import's reading and parsing is the import's). Also the CPU seconds.
async fn bare_writes(
    bare_store: &Store,
    rows: usize,
) -> anyhow::Result<(std::time::Duration, Option<f64>)> {
    let mut bare = std::time::Duration::ZERO;
    let mut bare_cpu = Some(0.0);
    let mut chunk = Vec::with_capacity(5000);
    for i in 0..rows {
        chunk.push(person(i));
        if chunk.len() == 5000 || i + 1 == rows {
            let (t, cpu) = (Instant::now(), cpu_seconds());
            if bare_store.bench_bare_copy_persons(&chunk).await?.is_none() {
                bare_store.bench_bare_insert_persons(&chunk).await?;
            }
            bare += t.elapsed();
            bare_cpu = bare_cpu
                .zip(cpu_seconds().zip(cpu))
                .map(|(s, (b, a))| s + b - a);
            chunk.clear();
        }
    }
    Ok((bare, bare_cpu))
}

/// `bench import`'s figures as an officer reads them.
fn print_import(out: &serde_json::Value, rusqlite_secs: Option<f64>) {
    let f = |k: &str| out[k].as_f64().unwrap_or(0.0);
    let (backend, rows) = (out["backend"].as_str().unwrap_or(""), f("rows"));
    let (import_secs, bare_secs) = (f("import_seconds"), f("bare_seconds"));
    let (import_rate, bare_rate) = (rows / import_secs, rows / bare_secs);
    println!("后端 {backend}，{rows} 行人员信息：");
    println!(
        "  完整导入（读文件、校验、查重、写入、审计）：{import_secs:.2} 秒，{import_rate:.0} 行/秒"
    );
    let what = match out["baseline"].as_str() {
        Some("bare_copy") => "裸 COPY",
        _ => "裸批量插入",
    };
    println!("  {what}（同样的行，无校验）：{bare_secs:.2} 秒，{bare_rate:.0} 行/秒");
    if let Some(secs) = rusqlite_secs {
        println!(
            "  参考：rusqlite 逐行预编译插入：{secs:.2} 秒，{:.0} 行/秒",
            rows / secs
        );
    }
    println!(
        "  比值：{:.2}；导入阶段峰值内存：{:.0} MB",
        import_rate / bare_rate,
        f("peak_rss_mb_during_import")
    );
}

/// SQLite: the same rows written through rusqlite into a third fresh
/// file (a reference for the driver's cost, not the baseline).
async fn rusqlite_reference(db: &str, dir: &Path, rows: usize) -> anyhow::Result<Option<f64>> {
    if db.starts_with("postgres") {
        return Ok(None);
    }
    let store = Store::connect(&format!("sqlite://{}", dir.join("rusqlite.db").display())).await?;
    crate::init(&store).await?;
    let mut secs = std::time::Duration::ZERO;
    let mut chunk = Vec::with_capacity(5000);
    for i in 0..rows {
        chunk.push(person(i));
        if chunk.len() == 5000 || i + 1 == rows {
            let t = Instant::now();
            if store.bench_rusqlite_insert_persons(&chunk).await?.is_none() {
                return Ok(None);
            }
            secs += t.elapsed();
            chunk.clear();
        }
    }
    store.close().await;
    Ok(Some(secs.as_secs_f64()))
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("jineng-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

async fn decide(
    db: &str,
    actor: &Actor,
    claims: usize,
    memory_only: bool,
    keep: bool,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let memory = crate::bench_decide::in_memory(claims.max(1_000_000))?;
    let mut out = json!({ "in_memory": memory });
    if !memory_only {
        let dir = tempfile_dir()?;
        let store = if db.starts_with("postgres") {
            Store::connect(&fresh_postgres_database(db, "jineng_bench_decide").await?).await?
        } else {
            Store::connect(&format!("sqlite://{}", dir.join("decide.db").display())).await?
        };
        // With every certificate claimed for, the demo yields about
        // CLAIMS_PER_100 claims per 100 persons.
        let persons = claims * 100 / CLAIMS_PER_100 + 1;
        eprintln!("生成并导入约 {claims} 件申领（{persons} 名学员）……");
        let opts = crate::demo::Options {
            persons: Some(persons),
            claim_share: 100,
            ..Default::default()
        };
        let (refdata, _, _) = crate::demo::load_records(&store, actor, &opts, &dir).await?;
        crate::demo::load_policy(&store, actor, &refdata).await?;
        eprintln!("批量决定……");
        out["end_to_end"] = crate::bench_decide::end_to_end(&store, actor).await?;
        out["backend"] = json!(store.backend().name());
        keep_or_remove(&dir, keep);
    }
    print_json(&out, json)
}

/// A generated database kept (its path said) or removed.
pub(crate) fn keep_or_remove(dir: &std::path::Path, keep: bool) {
    if keep {
        eprintln!("生成的库保留在 {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// The figures as one line of JSON (`--json`) or pretty-printed.
pub(crate) fn print_json(out: &serde_json::Value, one_line: bool) -> anyhow::Result<ExitCode> {
    if one_line {
        println!("{out}");
    } else {
        println!("{}", serde_json::to_string_pretty(out)?);
    }
    Ok(ExitCode::SUCCESS)
}
