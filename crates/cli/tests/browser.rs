//! Browser tests: the real `jineng serve --demo` on an SQLite copy of the
//! demo at 3,000 trainees, driven by headless Chromium (Debian's
//! `/usr/bin/chromium` through `playwright-core`) with the flows of
//! `tests/browser/*.test.js`, run by `node --test`. Screenshots of the main pages land in
//! `target/browser-artifacts/`. Beside the demo's own claims held for
//! review, one more certificate is corrected before serving to an issue
//! date before its class ended and a claim on it is filed and decided: a
//! flagged (待复核) claim as the officer's flow reviews them.
//!
//! Node, Chromium or `tests/browser/node_modules` missing: a failure under
//! CI (`CI` set; `.ci/run` installs them), otherwise a loud skip.

use crate::common::server::{free_port, repo_root, serve_demo};
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// What is missing to run the browser tests, if anything.
fn missing(browser_dir: &Path) -> Option<String> {
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Some("node".into());
    }
    if !chromium().exists() {
        return Some(chromium().display().to_string());
    }
    if !browser_dir.join("node_modules/playwright-core").exists() {
        return Some("tests/browser/node_modules (npm ci)".into());
    }
    None
}

/// Reads the server's output until the demo accounts and the start line
/// are printed; returns `{"login": "password"}` as JSON.
fn accounts(out: &mut impl BufRead) -> String {
    let mut passwords = serde_json::Map::new();
    let mut line = String::new();
    loop {
        line.clear();
        let n = out.read_line(&mut line).unwrap();
        assert!(n > 0, "jineng serve --demo stopped before it started");
        // "  city     密码 Xy…  人社部门经办人员：聊城市…"
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.len() >= 3 && words[1] == "密码" {
            passwords.insert(words[0].into(), words[2].into());
        }
        if line.starts_with("服务已启动") {
            break;
        }
    }
    for login in ["city", "county", "school", "worker"] {
        assert!(passwords.contains_key(login), "no password for {login}");
    }
    serde_json::Value::Object(passwords).to_string()
}

fn jineng(db: &str, dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_jineng"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("JINENG_ACTOR", "browser-test")
        .current_dir(dir)
        .output()
        .expect("run jineng");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "jineng {args:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Files a claim that the policy flags for review (R1: the certificate
/// was issued before its class ended), through the importers.
fn flag_a_claim(db: &str, dir: &Path) {
    use sqlx::{Connection, Row};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let row = rt.block_on(async {
        sqlx::any::install_default_drivers();
        let mut c = sqlx::AnyConnection::connect(db).await.unwrap();
        sqlx::query(
            "SELECT ce.cert_no, p.name, p.id_number, ce.occupation_code, ce.skill_level, \
             ce.issuer_code, cl.class_no, cl.end_date FROM certificates ce \
             JOIN persons p ON p.person_id = ce.person_id JOIN classes cl ON cl.class_id = ce.class_id \
             WHERE ce.cert_type = 'skill_level' AND ce.issue_date >= '2020-06-01' \
             AND NOT EXISTS (SELECT 1 FROM claims k WHERE k.person_id = ce.person_id) \
             ORDER BY ce.cert_no LIMIT 1",
        )
        .fetch_one(&mut c)
        .await
        .unwrap()
    });
    let text = |i: usize| row.try_get::<String, _>(i).unwrap();
    let level = jineng_domain::SkillLevel::from_grade(row.try_get::<i64, _>(4).unwrap() as u8)
        .unwrap()
        .as_zh();
    let end = chrono::NaiveDate::parse_from_str(&text(7), "%Y-%m-%d").unwrap();
    let certs = dir.join("flag-certificates.csv");
    std::fs::write(
        &certs,
        format!(
            "证书编号,证书类型,姓名,身份证号码,职业编码,等级,发证日期,发证机构,班级编号\n\
             {},职业技能等级证书,{},{},{},{level},{},{},{}\n",
            text(0),
            text(1),
            text(2),
            text(3),
            end - chrono::Duration::days(5),
            text(5),
            text(6)
        ),
    )
    .unwrap();
    let claims = dir.join("flag-claims.csv");
    std::fs::write(
        &claims,
        format!(
            "申领编号,补贴类型,身份证号码,证书编号,班级编号,统一社会信用代码,申领单位,申请日期\n\
             CB0000001,职业培训补贴,{},{},,,,{}\n",
            text(2),
            text(0),
            end + chrono::Duration::days(20)
        ),
    )
    .unwrap();
    jineng(
        db,
        dir,
        &["import", "certificates", certs.to_str().unwrap()],
    );
    jineng(db, dir, &["import", "claims", claims.to_str().unwrap()]);
    let decided = jineng(db, dir, &["claims", "decide", "CB0000001"]);
    assert!(decided.contains("需人工复核 1 件"), "{decided}");
}

/// A roster file of two rows for an existing class: one trainee already on
/// it (accepted, unchanged), one with an ID number whose check character is
/// wrong (rejected, reported on row 3).
fn roster_with_a_bad_row(db: &str, dir: &Path) -> PathBuf {
    use sqlx::{Connection, Row};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let row = rt.block_on(async {
        sqlx::any::install_default_drivers();
        let mut c = sqlx::AnyConnection::connect(db).await.unwrap();
        sqlx::query(
            "SELECT cl.class_no, i.credit_code, p.name, p.id_number, e.offline_hours, \
             e.online_hours, e.completion FROM enrolments e \
             JOIN classes cl ON cl.class_id = e.class_id \
             JOIN institutions i ON i.institution_id = cl.institution_id \
             JOIN persons p ON p.person_id = e.person_id \
             ORDER BY cl.class_no, p.id_number LIMIT 1",
        )
        .fetch_one(&mut c)
        .await
        .unwrap()
    });
    let text = |i: usize| row.try_get::<String, _>(i).unwrap();
    let hours = |i: usize| row.try_get::<i64, _>(i).unwrap();
    let done = match text(6).as_str() {
        "passed" => "合格",
        "failed" => "不合格",
        _ => "未结业",
    };
    let id = text(3);
    let last = if id.ends_with('1') { '2' } else { '1' };
    let bad = format!("{}{last}", &id[..17]);
    let file = dir.join("roster-one-bad-row.csv");
    std::fs::write(
        &file,
        format!(
            "班级编号,统一社会信用代码,姓名,身份证号码,线下课时,线上课时,结业结果\n\
             {},{},{},{id},{},{},{done}\n\
             {},{},错号,{bad},10,0,未结业\n",
            text(0),
            text(1),
            text(2),
            hours(4),
            hours(5),
            text(0),
            text(1),
        ),
    )
    .unwrap();
    file
}

#[test]
fn browser_flows() {
    let root = repo_root();
    let browser_dir = root.join("tests/browser");
    if let Some(what) = missing(&browser_dir) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the browser tests: {what} is missing (.ci/run installs it)"
        );
        eprintln!("\n!!!!! BROWSER TESTS SKIPPED: {what} is missing !!!!!");
        eprintln!(
            "!!!!! apt-get install chromium fonts-noto-cjk; (cd tests/browser && npm ci) !!!!!\n"
        );
        return;
    }
    // The demo at 3,000 trainees, copied from the run's template: every
    // page and flow of the full demo, at a sixteenth of its load time.
    let test_db = crate::common::sqlite_only();
    test_db.demo(crate::common::demo::LARGE);
    let dir = &test_db.dir;
    let db = test_db.url.clone();
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    flag_a_claim(&db, dir.path());
    let roster = roster_with_a_bad_row(&db, dir.path());
    let limits = ["--login-per-minute", "1000", "--lookup-per-minute", "1000"];
    let (server, passwords) = serve_demo(&db, dir.path(), addr, &limits, "browser-test", accounts);

    let artifacts = root.join("target/browser-artifacts");
    // Screenshots of an earlier run must not pass for this one's.
    let _ = std::fs::remove_dir_all(&artifacts);
    std::fs::create_dir_all(&artifacts).unwrap();
    let t = Instant::now();
    let status = Command::new("node")
        .arg("--test")
        .current_dir(&browser_dir)
        .env("JINENG_BASE_URL", format!("http://{addr}"))
        .env("JINENG_PASSWORDS", passwords)
        .env("JINENG_ARTIFACTS", &artifacts)
        .env("CHROMIUM", chromium())
        .env("JINENG_ROSTER_FILE", &roster)
        .status()
        .expect("run node --test");
    eprintln!("browser flows: {:.1} s", t.elapsed().as_secs_f64());
    drop(server);
    assert!(
        status.success(),
        "node --test tests/browser failed: {status}"
    );
    for page in [
        "login",
        "home",
        "claims-queue",
        "claim-decision",
        "claim-approved",
        "claim-paid",
        "ledger-after-payment",
        "import-form",
        "import-result",
        "ledger",
        "classes-institution",
        "e-archive-worker",
        "e-archive-officer",
        "lookup-result",
        "pages-public-home",
        "pages-city-audit",
        "pages-worker-me",
        "phone-me",
        "phone-lookup-result",
        "phone-standards",
        "audit-payments",
    ] {
        assert!(
            artifacts.join(format!("{page}.png")).exists(),
            "screenshot {page}.png"
        );
    }
}
