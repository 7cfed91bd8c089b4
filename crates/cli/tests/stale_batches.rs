//! Import batches that never finished, on SQLite and PostgreSQL: when the
//! server starts, a batch left 'running' by a process of this host that is
//! gone, or by a binary from before owners were recorded, is marked
//! 'stopped' with the reason and an audit row, and the server says so; a
//! batch of another host's process is left alone. A server asked to stop
//! (SIGTERM) stops cleanly. A web upload job such a process ran is shown
//! stopped too.

use crate::common;

use common::backends;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Command, Stdio};

#[test]
fn the_server_marks_the_batches_of_killed_processes_stopped() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let host = host.trim();
    for db in backends("stale_batches") {
        let b = db.backend;
        db.ok(&["init"]);
        let mut sql = rt.block_on(crate::common::http::Sql::open(&db));
        // A pid no process has (above pid_max), one of another host, none.
        for (file, owner) in [
            ("killed.csv", format!("'{host}:4194305'")),
            ("elsewhere.csv", "'another-host:1'".to_string()),
            ("old.csv", "NULL".to_string()),
        ] {
            rt.block_on(sql.exec(&format!(
                "INSERT INTO import_batches (kind, file_name, file_sha256, actor, started_at, status, owner) \
                 VALUES ('persons', '{file}', '', 'tester', '2026-12-01T08:00:00', 'running', {owner})"
            )));
        }
        // An upload job of the web the killed process was running.
        rt.block_on(sql.exec(
            "INSERT INTO accounts (login, display_name, password_hash, role, created_at, updated_at) \
             VALUES ('uploader', 'uploader', 'x', 'admin', '2026-12-01T08:00:00', '2026-12-01T08:00:00')",
        ));
        rt.block_on(sql.exec(&format!(
            "INSERT INTO import_jobs (account_id, scope, kind, file_name, owner, status, created_at) \
             SELECT account_id, 'region:371500', 'persons', 'job-killed.csv', '{host}:4194305', 'running', \
             '2026-12-01T08:00:00.000Z' FROM accounts WHERE login = 'uploader'"
        )));
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_jineng"))
            .args([
                "--db",
                &db.url,
                "serve",
                "--addr",
                &format!("127.0.0.1:{port}"),
            ])
            .env("JINENG_ACTOR", "tester")
            .current_dir(db.dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut said = String::new();
        let mut line = String::new();
        while !line.starts_with("服务已启动") {
            line.clear();
            assert!(
                out.read_line(&mut line).unwrap() > 0,
                "[{b}] serve stopped: {said}"
            );
            said.push_str(&line);
        }
        assert!(
            said.contains("killed.csv") && said.contains("已中断"),
            "[{b}] {said}"
        );
        assert!(said.contains("old.csv"), "[{b}] {said}");
        assert!(
            said.contains("job-killed.csv") && said.contains("已停止"),
            "[{b}] {said}"
        );
        assert!(!said.contains("elsewhere.csv"), "[{b}] {said}");

        // SIGTERM: the server ends on its own, saying so.
        let term = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(term.success());
        let mut rest = String::new();
        for l in out.lines() {
            rest.push_str(&l.unwrap());
        }
        let status = child.wait().unwrap();
        assert!(status.success(), "[{b}] {status} {rest}");
        assert!(rest.contains("服务已停止"), "[{b}] {rest}");

        let status_of =
            |file: &str| format!("SELECT status FROM import_batches WHERE file_name = '{file}'");
        assert_eq!(
            rt.block_on(sql.text(&status_of("killed.csv"))),
            "stopped",
            "[{b}]"
        );
        assert_eq!(
            rt.block_on(sql.text(&status_of("old.csv"))),
            "stopped",
            "[{b}]"
        );
        assert_eq!(
            rt.block_on(sql.text(&status_of("elsewhere.csv"))),
            "running",
            "[{b}]"
        );
        let job = rt.block_on(sql.text(
            "SELECT status || ': ' || note FROM import_jobs WHERE file_name = 'job-killed.csv'",
        ));
        assert!(job.starts_with("stopped: 导入进程已终止"), "[{b}] {job}");
        let note =
            rt.block_on(sql.text("SELECT note FROM import_batches WHERE file_name = 'killed.csv'"));
        assert!(note.contains("进程已终止"), "[{b}] {note}");
        let audited = rt.block_on(sql.int(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'stop' AND entity = 'import_batch'",
        ));
        assert_eq!(audited, 2, "[{b}]");
        let v = db.ok(&["audit", "verify"]);
        assert!(!v.is_empty(), "[{b}]");
    }
}
