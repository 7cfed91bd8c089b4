//! The API's contract, checked from outside by schemathesis (PyPI): the
//! real `jineng serve --demo` on an SQLite copy of the demo at 3,000
//! trainees, and
//! `schemathesis run /api/openapi.json --checks all` with the demo's API
//! token (the city officer's; then, on the learning sessions alone, the
//! demo learning platform's, the one account they answer), bounded by `--max-examples` and a fixed
//! seed so that a failure reproduces. It must find no failure and no
//! schema error. The limits three operations really have are set in
//! `tests/schemathesis/schemathesis.toml` (docs/web.md, "API contract").
//!
//! schemathesis missing: a failure under CI (`CI` set; `.ci/run` installs
//! it), otherwise a loud skip. `SCHEMATHESIS` names another executable,
//! `SCHEMATHESIS_EXAMPLES` and `SCHEMATHESIS_SEED` change the bounds.

use crate::common::server::{free_port, repo_root, serve_demo};
use std::io::BufRead;
use std::net::SocketAddr;

use std::process::Command;
use std::time::Instant;

fn schemathesis() -> String {
    std::env::var("SCHEMATHESIS").unwrap_or_else(|_| "schemathesis".into())
}

/// Reads the server's output until it has started; returns the API tokens
/// `jineng serve --demo` prints: the city officer's and the learning
/// platform's.
fn tokens(out: &mut impl BufRead) -> (String, String) {
    let mut city = None;
    let mut platform = None;
    let mut line = String::new();
    loop {
        line.clear();
        let n = out.read_line(&mut line).unwrap();
        assert!(n > 0, "jineng serve --demo stopped before it started");
        // 接口令牌（city，有效期至 … 北京时间）：TOKEN
        let token = |prefix: &str| {
            line.trim()
                .strip_prefix(prefix)
                .and_then(|rest| rest.split_once("）："))
                .map(|(_, t)| t.to_string())
        };
        city = city.or_else(|| token("接口令牌（city"));
        platform = platform.or_else(|| token("接口令牌（platform"));
        if line.starts_with("服务已启动") {
            break;
        }
    }
    (
        city.expect("jineng serve --demo printed no API token"),
        platform.expect("jineng serve --demo printed no learning platform token"),
    )
}

#[test]
fn schemathesis_finds_nothing() {
    let version = Command::new(schemathesis()).arg("--version").output();
    if !version.as_ref().is_ok_and(|o| o.status.success()) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run schemathesis: `{}` is missing (.ci/run installs it)",
            schemathesis()
        );
        eprintln!(
            "\n!!!!! SCHEMATHESIS SKIPPED: `{}` is missing !!!!!",
            schemathesis()
        );
        eprintln!("!!!!! pip install 'schemathesis==4.32.5' !!!!!\n");
        return;
    }
    let root = repo_root();
    // The browser test's demo, copied from the run's template; `serve
    // --demo` then only makes the demo accounts.
    let test_db = crate::common::sqlite_only();
    test_db.demo(crate::common::demo::LARGE);
    let dir = &test_db.dir;
    let db = test_db.url.clone();
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    // The lookup's rate limit is raised so that its answers are checked
    // rather than its 429s (which the document declares all the same).
    let limits = ["--lookup-per-minute", "1000000"];
    let (server, (token, platform)) =
        serve_demo(&db, dir.path(), addr, &limits, "schemathesis-test", tokens);

    let examples = std::env::var("SCHEMATHESIS_EXAMPLES").unwrap_or_else(|_| "20".into());
    let seed = std::env::var("SCHEMATHESIS_SEED").unwrap_or_else(|_| "1".into());
    let reports = root.join("target/schemathesis-report");
    let _ = std::fs::remove_dir_all(&reports);
    let t = Instant::now();
    // Every operation with the city officer's token; then the learning
    // sessions with the platform's, the only account that gets past 403.
    let runs = [
        (token.as_str(), None, reports.join("officer")),
        (
            platform.as_str(),
            Some("/api/v1/learning-sessions"),
            reports.join("platform"),
        ),
    ];
    let mut outputs = Vec::new();
    for (bearer, only, report_dir) in &runs {
        // In the temporary directory, so that its cache stays out of the tree.
        let mut cmd = Command::new(schemathesis());
        cmd.current_dir(dir.path())
            .arg("--config-file")
            .arg(root.join("tests/schemathesis/schemathesis.toml"))
            .arg("--no-color")
            .arg("run")
            .arg(format!("http://{addr}/api/openapi.json"))
            .args(["--checks", "all"])
            .args(["-H", &format!("Authorization: Bearer {bearer}")])
            .args(["--max-examples", &examples, "--seed", &seed])
            .args(["--request-timeout", "120"])
            .args(["--report", "junit", "--report-dir"])
            .arg(report_dir);
        if let Some(path) = only {
            cmd.args(["--include-path", path]);
        }
        outputs.push(cmd.output().expect("run schemathesis"));
    }
    drop(server);
    eprintln!(
        "schemathesis: {:.1} s, seed {seed}, {examples} examples per operation",
        t.elapsed().as_secs_f64()
    );
    for run in &outputs {
        let stdout = String::from_utf8_lossy(&run.stdout);
        let summary = stdout
            .lines()
            .rev()
            .find(|l| l.starts_with('='))
            .unwrap_or_default();
        eprintln!("{summary}");
        assert!(
            run.status.success() && !stdout.contains("Schema Error"),
            "schemathesis found problems ({}):\n{stdout}\n{}",
            run.status,
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(stdout.contains("Open API 3.1"), "{stdout}");
    }
}
