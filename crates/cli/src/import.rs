//! `jineng import`: one template file into the store.

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use jineng_ingest::pipeline::{ImportOptions, ImportReport, import_file};
use jineng_store::{Actor, Store};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct ImportArgs {
    /// 模板类型：persons 人员信息、categories 人员类别、relations 家庭关系、institutions 培训机构、classes 培训班、roster 花名册、certificates 证书、claims 补贴申领、regions 行政区划
    kind: String,
    /// 文件：.xlsx，或 UTF-8（可带 BOM）/GB18030 编码的 .csv
    file: PathBuf,
    /// 试导入：逐行校验但不写入
    #[arg(long)]
    dry_run: bool,
    /// 将被拒绝的行及原因写入此文件（.xlsx 或 .csv），修改后可直接重新上传
    #[arg(long)]
    errors: Option<PathBuf>,
    /// 以 JSON 输出结果：{"accepted", "rejected", "errors": [{"row", "column", "message"}]}
    #[arg(long)]
    json: bool,
    /// 每个事务的行数
    #[arg(long, default_value_t = 5000, hide = true)]
    chunk: usize,
}

pub fn options(
    actor: &Actor,
    dry_run: bool,
    errors: Option<PathBuf>,
    chunk: usize,
) -> ImportOptions {
    ImportOptions {
        dry_run,
        errors_path: errors,
        extra_errors_paths: Vec::new(),
        scope: None,
        actor: actor.clone(),
        today: chrono::Local::now().date_naive(),
        chunk_rows: chunk.max(1),
    }
}

pub fn progress_bar(hidden: bool) -> ProgressBar {
    let pb = if hidden {
        ProgressBar::hidden()
    } else {
        ProgressBar::new_spinner()
    };
    pb.set_style(
        ProgressStyle::with_template("{spinner} 已处理 {pos} 行（{per_sec}）{elapsed}")
            .expect("template"),
    );
    pb
}

pub async fn run(db: &str, actor: &Actor, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let store = Store::connect(db).await?;
    let opts = options(actor, args.dry_run, args.errors.clone(), args.chunk);
    let pb = progress_bar(args.json);
    let result = import_file(&store, &args.kind, &args.file, &opts, &|n| {
        pb.set_position(n)
    })
    .await;
    pb.finish_and_clear();
    let report = match result {
        Ok(r) => r,
        Err(jineng_ingest::pipeline::ImportError::Header { file, errors }) if args.json => {
            let errs: Vec<_> = errors
                .iter()
                .map(|m| json!({"row": 1, "column": "", "message": m}))
                .collect();
            println!(
                "{}",
                json!({"accepted": 0, "rejected": 0, "errors": errs, "file": file})
            );
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_report(&args, &report);
    }
    Ok(if report.rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_report(args: &ImportArgs, r: &ImportReport) {
    for w in &r.warnings {
        eprintln!("提示：{w}");
    }
    let mode = if r.dry_run {
        "（试导入，未写入）"
    } else {
        ""
    };
    println!(
        "{}{mode}：接收 {} 行（新增 {}，更新 {}，无变化 {}），拒绝 {} 行。编码：{}",
        args.file.display(),
        r.accepted,
        r.inserted,
        r.updated,
        r.unchanged,
        r.rejected,
        r.encoding
    );
    for e in r.errors.iter().take(20) {
        if e.column.is_empty() {
            println!("  第 {} 行：{}", e.row, e.message);
        } else {
            println!("  第 {} 行「{}」：{}", e.row, e.column, e.message);
        }
    }
    if r.errors.len() > 20 {
        println!("  ……其余 {} 条错误见错误报告", r.errors.len() - 20);
    }
    if let Some(p) = &args.errors {
        println!("错误报告：{}", p.display());
    }
}
