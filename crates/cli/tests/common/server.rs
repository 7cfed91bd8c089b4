//! The real `jineng serve --demo` as a child process on a free loopback
//! port, for the tests that drive it from outside (the browser flows and
//! the API contract): started, its start-up lines handed to the test, its
//! output drained afterwards, killed when the test ends.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the server when the test ends, however it ends.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn wait_for(addr: SocketAddr) {
    let t = Instant::now();
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "{addr} never answered"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `jineng --db DB serve --demo` on `addr` with `limits` (its rate-limit
/// flags), run as `actor` in `dir`; `started` reads its output up to the
/// start line. The rest of its output is drained so that it never blocks
/// on a full pipe, and it answers on `addr` before this returns.
pub fn serve_demo<T>(
    db: &str,
    dir: &Path,
    addr: SocketAddr,
    limits: &[&str],
    actor: &str,
    started: impl FnOnce(&mut BufReader<ChildStdout>) -> T,
) -> (Server, T) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jineng"))
        .args(["--db", db, "serve", "--demo", "--addr", &addr.to_string()])
        .args(limits)
        .env("JINENG_ACTOR", actor)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start jineng serve --demo");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let server = Server(child);
    let got = started(&mut out);
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    wait_for(addr);
    (server, got)
}
