//! `jineng policy test FILE`: runs a policy's test cases (the test file
//! beside it, `x.tests.toml` for `x.toml`) through the engine and reports
//! every case that disagrees. Needs no database: the policy is checked
//! against the reference data shipped in the binary, as `jineng init`
//! loads it.

use std::path::Path;
use std::process::ExitCode;

use jineng_domain::policy::cases::{self, CaseResult, Status, Summary};

/// The policy file and its test file for FILE, which may name either:
/// `x.toml` is tested by `x.tests.toml`; `x.tests.toml` tests the policy
/// file its `policy` key names (beside it), else `x.toml`.
fn pair(file: &str, tests_text: impl FnOnce(&str) -> Option<String>) -> (String, String) {
    match file.strip_suffix(".tests.toml") {
        Some(stem) => {
            let named = tests_text(file).and_then(|t| cases::policy_of(&t));
            let policy = match (named, Path::new(file).parent()) {
                (Some(n), Some(dir)) if !Path::new(&n).is_absolute() => {
                    dir.join(n).display().to_string()
                }
                (Some(n), _) => n,
                (None, _) => format!("{stem}.toml"),
            };
            (policy, file.to_string())
        }
        None => {
            let stem = file.strip_suffix(".toml").unwrap_or(file);
            (file.to_string(), format!("{stem}.tests.toml"))
        }
    }
}

pub fn run(file: &str, json: bool) -> anyhow::Result<ExitCode> {
    let (policy_file, tests_file) = pair(file, |f| std::fs::read_to_string(f).ok());
    let text = match std::fs::read_to_string(&tests_file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("无法读取政策测试文件「{tests_file}」：{e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let refdata = jineng_ingest::reference::refdata();
    let (policy, _) = match crate::policy::read_policy(&policy_file, &refdata) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let file = match cases::parse(&tests_file, &text, &policy) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let name = |code: &str| refdata.occupation_name(code).map(str::to_string);
    let results = cases::run(&policy, &file, &name);
    let summary = Summary::of(&results);
    if json {
        let out = serde_json::json!({
            "policy": policy.meta.id,
            "policy_file": policy_file,
            "tests_file": tests_file,
            "summary": summary,
            "cases": results,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print_report(
            &policy.meta.title,
            &policy.meta.doc_no,
            &tests_file,
            &results,
        );
        println!("{summary}");
    }
    Ok(if summary.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn print_case(r: &CaseResult) {
    println!("  第 {} 行「{}」（{}）", r.line, r.name, r.clause);
    for m in &r.mismatches {
        println!("    {m}");
    }
    println!("    裁决过程：");
    for t in &r.trace {
        println!("    {t}");
    }
}

fn print_report(title: &str, doc_no: &str, tests_file: &str, results: &[CaseResult]) {
    println!(
        "政策「{title}」（{doc_no}）：测试文件 {tests_file}，共 {} 例",
        results.len()
    );
    let failed: Vec<&CaseResult> = results
        .iter()
        .filter(|r| r.status == Status::Failed)
        .collect();
    if !failed.is_empty() {
        println!("\n与预期不符的用例（{} 例）：", failed.len());
        for r in failed {
            print_case(r);
        }
    }
    let pending: Vec<&CaseResult> = results
        .iter()
        .filter(|r| matches!(r.status, Status::Pending | Status::Fixed))
        .collect();
    if !pending.is_empty() {
        println!("\n待定用例（引擎或政策文件格式尚不能按原文裁决，不计为失败）：");
        for r in pending {
            let reason = r.pending.as_deref().unwrap_or_default();
            match r.status {
                Status::Fixed => println!(
                    "  第 {} 行「{}」：{reason}（现已与预期一致，可去掉 pending）",
                    r.line, r.name
                ),
                _ => println!(
                    "  第 {} 行「{}」：{reason}（{}）",
                    r.line,
                    r.name,
                    r.mismatches.join("；")
                ),
            }
        }
    }
    println!();
}
