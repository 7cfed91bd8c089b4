//! A minimal HTTP/1.1 keep-alive client for the benchmarks that drive the
//! in-process web server on loopback: one request at a time per
//! connection, `Content-Length` framed responses (as axum sends them), the
//! head kept so that cookies and redirects can be read.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A response: status, head (the header lines) and body.
pub struct Response {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// The `name=value` pairs of every `Set-Cookie` header.
    pub fn cookies(&self) -> Vec<(String, String)> {
        self.head
            .lines()
            .filter_map(|l| {
                let (k, v) = l.split_once(':')?;
                if !k.eq_ignore_ascii_case("set-cookie") {
                    return None;
                }
                let pair = v.trim().split(';').next()?;
                let (n, v) = pair.split_once('=')?;
                Some((n.to_string(), v.to_string()))
            })
            .collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One keep-alive connection.
pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    pub async fn open(addr: std::net::SocketAddr) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: Vec::with_capacity(16 * 1024),
        })
    }

    /// Sends `method path` with the extra header lines and body; returns
    /// the response.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> anyhow::Result<Response> {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        if !body.is_empty() || method == "POST" {
            req.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        bytes.extend_from_slice(body);
        self.stream.write_all(&bytes).await?;
        self.read().await
    }

    pub async fn get(&mut self, path: &str, headers: &[(&str, &str)]) -> anyhow::Result<Response> {
        self.send("GET", path, headers, &[]).await
    }

    async fn read(&mut self) -> anyhow::Result<Response> {
        let mut chunk = [0u8; 16 * 1024];
        let head_end = loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let n = self.stream.read(&mut chunk).await?;
            anyhow::ensure!(n > 0, "服务端关闭了连接");
            self.buf.extend_from_slice(&chunk[..n]);
        };
        let head = std::str::from_utf8(&self.buf[..head_end])?.to_string();
        let status: u16 = head
            .get(9..12)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| anyhow::anyhow!("无法解析的响应：{head}"))?;
        let response = Response {
            status,
            head,
            body: Vec::new(),
        };
        let length: usize = response
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| anyhow::anyhow!("响应缺少 Content-Length：{}", response.head))?;
        while self.buf.len() < head_end + length {
            let n = self.stream.read(&mut chunk).await?;
            anyhow::ensure!(n > 0, "服务端关闭了连接");
            self.buf.extend_from_slice(&chunk[..n]);
        }
        let body = self.buf[head_end..head_end + length].to_vec();
        self.buf.drain(..head_end + length);
        Ok(Response { body, ..response })
    }
}

/// The real web server on `store`, in-process on 127.0.0.1:0, with the
/// lookup limit raised (the limiter is per client address and loopback is
/// one address; it stays in the path).
pub struct Server {
    pub addr: std::net::SocketAddr,
    halt: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Server {
    pub async fn start(state: jineng_web::AppState) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (halt, halted) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(jineng_web::serve_on(listener, state, async {
            let _ = halted.await;
        }));
        Ok(Self { addr, halt, task })
    }

    /// The limits of a benchmark: `login_per_minute`, lookups unlimited.
    pub fn limits(login_per_minute: u32) -> jineng_web::Limits {
        jineng_web::Limits {
            login_per_minute,
            lookup_per_minute: u32::MAX,
        }
    }

    pub async fn stop(self) {
        let _ = self.halt.send(());
        let _ = self.task.await;
    }
}
