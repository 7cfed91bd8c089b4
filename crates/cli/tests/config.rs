//! The configuration file (`jineng.toml`) as an operator uses it: the file
//! names the database and the server's settings; the command line and the
//! environment still win over it; a misspelt key is refused with its line;
//! `log_format = "json"` writes one JSON object a line; `serve` listens
//! where the file says and guards `/metrics` with the file's token.

use crate::common::server::Server;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn jineng(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jineng"));
    c.args(args)
        .current_dir(dir)
        .env("JINENG_ACTOR", "config-test");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run jineng")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn the_file_fills_what_the_command_line_and_environment_leave() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("jineng.toml"),
        "# 聊城市人社局\ndb = \"sqlite://from-file.db\"\nlog_format = \"json\"\nlog = \"info\"\n",
    )
    .unwrap();

    // Found in the current directory; the database is the file's.
    let o = jineng(d, &["init"], &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(d.join("from-file.db").exists(), "{}", text(&o));
    // Every log line is a JSON object, the file's own read among them.
    let stderr = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "configuration file read"),
        "{stderr}"
    );

    // The command line wins over the file; so does the environment.
    let o = jineng(d, &["--db", "sqlite://from-flag.db", "init"], &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(d.join("from-flag.db").exists());
    let o = jineng(d, &["init"], &[("JINENG_DB", "sqlite://from-env.db")]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(d.join("from-env.db").exists());

    // --config names another file; a misspelt key is refused with its line.
    std::fs::write(
        d.join("bad.toml"),
        "db = \"sqlite://x.db\"\n\n[serve]\nadress = \"0.0.0.0:80\"\n",
    )
    .unwrap();
    let o = jineng(d, &["--config", "bad.toml", "init"], &[]);
    assert!(!o.status.success());
    let err = text(&o);
    assert!(err.contains("配置文件「bad.toml」有误"), "{err}");
    assert!(err.contains("adress") && err.contains("line 4"), "{err}");
    assert!(!d.join("x.db").exists(), "nothing ran on a bad file");

    // A missing named file is an error, not a silent default.
    let o = jineng(d, &["--config", "none.toml", "init"], &[]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("无法读取配置文件「none.toml」"),
        "{}",
        text(&o)
    );
}

/// `GET path` on loopback: (status line, body).
fn get(port: u16, path: &str, auth: Option<&str>) -> (String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let auth = auth.map_or(String::new(), |a| format!("Authorization: Bearer {a}\r\n"));
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.lines().next().unwrap_or_default().to_string();
    let body = out
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

#[test]
fn serve_takes_its_address_and_metrics_token_from_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        d.join("site.toml"),
        format!(
            "db = \"sqlite://site.db\"\n[serve]\naddr = \"127.0.0.1:{port}\"\nmetrics_token = \"scrape-1c9e\"\n"
        ),
    )
    .unwrap();
    assert!(
        jineng(d, &["--config", "site.toml", "init"], &[])
            .status
            .success()
    );
    let child = Command::new(env!("CARGO_BIN_EXE_jineng"))
        .args(["--config", "site.toml", "serve"])
        .current_dir(d)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    let mut out = BufReader::new(server.0.stdout.take().unwrap());
    let mut line = String::new();
    while !line.starts_with("服务已启动") {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "serve stopped");
    }
    assert!(line.contains(&format!("127.0.0.1:{port}")), "{line}");

    assert!(get(port, "/healthz", None).0.contains("200"));
    let (status, _) = get(port, "/metrics", None);
    assert!(status.contains("401"), "{status}");
    let (status, body) = get(port, "/metrics", Some("scrape-1c9e"));
    assert!(status.contains("200"), "{status}");
    assert!(
        body.contains(
            r#"jineng_http_requests_total{route="/healthz",method="GET",status="200"} 1"#
        ),
        "{body}"
    );
}
