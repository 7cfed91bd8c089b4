//! `jineng policy test` through the real binary: every shipped policy's test
//! file passes (CI runs this), a wrong case is reported with expected and
//! got and exit 1, and a broken test file is refused naming file and line.
//! No database is involved: the command needs none.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn jineng(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_jineng"))
        .args(["policy", "test"])
        .args(args)
        // A database that does not exist: the command must not need one.
        .env("JINENG_DB", "sqlite:///nonexistent/dir/jineng.db")
        .current_dir(dir.path())
        .output()
        .expect("run jineng")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The shipped policy files (not their test files, nor the supervision
/// files that sit beside them).
fn policies() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(repo().join("policies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.ends_with(".toml")
                && !name.ends_with(".tests.toml")
                && !name.ends_with(".supervision.toml")
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_shipped_policy_passes_its_test_file_with_at_least_30_cases() {
    let files = policies();
    assert!(files.len() >= 3, "{files:?}");
    for policy in files {
        let p = policy.display().to_string();
        let out = jineng(&[&p]);
        assert!(
            out.status.success(),
            "jineng policy test {p} failed:\n{}\n{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        let stdout = text(&out.stdout);
        assert!(stdout.contains(" passed, 0 failed, "), "{stdout}");
        // The test file named instead finds its policy through `policy = …`.
        let tests = p.replace(".toml", ".tests.toml");
        let out = jineng(&[&tests]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout), stdout);

        let out = jineng(&[&p, "--json"]);
        assert!(out.status.success());
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let cases = v["cases"].as_array().unwrap();
        assert!(cases.len() >= 30, "{p}: only {} cases", cases.len());
        assert_eq!(v["summary"]["failed"], 0, "{p}");
        for c in cases {
            assert!(
                !c["clause"].as_str().unwrap().is_empty(),
                "{p}: case without its clause"
            );
            if c["status"] == "pending" {
                assert!(c["pending"].as_str().is_some_and(|r| !r.is_empty()));
            }
        }
    }
}

/// A copy of the 聊城 policy in a temp dir with the given test file beside it.
fn with_tests(tests: &str) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("lc.toml");
    std::fs::copy(repo().join("policies/liaocheng-2019.toml"), &policy).unwrap();
    let tests_path = dir.path().join("lc.tests.toml");
    std::fs::write(&tests_path, tests).unwrap();
    let p = policy.display().to_string();
    let t = tests_path.display().to_string();
    (dir, p, t)
}

const WRONG: &str = r#"
[[case]]
name = "电工四级，核准"
clause = "聊政办发〔2019〕10号 二十一"
claim = { certificate = { occupation = "6-31-01-03", level = "四级" } }
expect = { outcome = "approved", amount = 1500, payee = "person", rules = [] }

[[case]]
name = "故意写错的用例"
clause = "聊政办发〔2019〕10号 二十一"
awards = [{ occupation = "6-31-01-03", level = "四级", year = 2019 }]
claim = { certificate = { occupation = "6-31-01-03", level = "四级" } }
expect = { outcome = "approved", amount = "1,500.00", payee = "person", rules = [] }

[[case]]
name = "待定用例"
clause = "聊政办发〔2019〕10号 二十一"
pending = "示例原因"
claim = { certificate = { occupation = "6-31-01-03", level = "四级" }, class = { site = "110101" } }
expect = { outcome = "approved" }
"#;

#[test]
fn a_wrong_case_is_reported_with_expected_and_got_and_exit_1() {
    let (_dir, policy, tests) = with_tests(WRONG);
    for file in [&policy, &tests] {
        let out = jineng(&[file]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(stdout.contains("与预期不符的用例（1 例）"), "{stdout}");
        assert!(stdout.contains("「故意写错的用例」"), "{stdout}");
        assert!(
            stdout.contains("结论：应为 核准，实际 不予核准"),
            "{stdout}"
        );
        assert!(
            stdout.contains("金额：应为 1500.00元，实际 0.00元"),
            "{stdout}"
        );
        assert!(stdout.contains("支付对象：应为 个人，实际 无"), "{stdout}");
        assert!(
            stdout.contains("不通过或需复核的规则：应为 无，实际 R3 不重复"),
            "{stdout}"
        );
        assert!(stdout.contains("已享受过"), "the trace is shown: {stdout}");
        assert!(stdout.contains("待定用例"), "{stdout}");
        assert!(stdout.contains("示例原因"), "{stdout}");
        assert!(!stdout.contains("「电工四级，核准」"), "{stdout}");
        assert!(
            stdout.trim_end().ends_with("1 passed, 1 failed, 1 pending"),
            "{stdout}"
        );
    }
    let out = jineng(&[&policy, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let wrong = &v["cases"][1];
    assert_eq!(wrong["status"], "failed");
    assert_eq!(wrong["expected"]["outcome"], "approved");
    assert_eq!(wrong["got"]["outcome"], "rejected");
    assert_eq!(wrong["got"]["rules"], serde_json::json!(["R3"]));
    assert_eq!(v["cases"][2]["status"], "pending");
}

#[test]
fn a_broken_test_file_is_refused_naming_the_file_and_line() {
    let (_dir, policy, tests) = with_tests(
        "[[case]]\nname = \"a\"\nclause = \"二十一\"\nclaim = { certificate = { level = \"九级\" } }\nexpect = { outcome = \"approved\" }\n",
    );
    let out = jineng(&[&policy]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("政策测试文件「{tests}」第 4 行")),
        "{stderr}"
    );
    assert!(stderr.contains("九级"), "{stderr}");

    let out = jineng(&["/nonexistent/x.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("无法读取政策测试文件「/nonexistent/x.tests.toml」"),
        "{}",
        text(&out.stderr)
    );
}
