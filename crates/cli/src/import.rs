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
    /// persons, categories, relations, institutions, classes, roster, certificates, claims
    kind: String,
    /// The file: .xlsx, or .csv in UTF-8 (with or without BOM) or GB18030.
    file: PathBuf,
    /// Check every row against the store without writing anything.
    #[arg(long)]
    dry_run: bool,
    /// Write the rejected rows with their reasons here (.xlsx or .csv), to fix and re-upload.
    #[arg(long)]
    errors: Option<PathBuf>,
    /// Print one JSON object: {"accepted", "rejected", "errors": [{"row", "column", "message"}]}.
    #[arg(long)]
    json: bool,
    /// Rows per transaction.
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
