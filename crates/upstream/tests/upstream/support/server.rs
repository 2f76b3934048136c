//! A tiny HTTP/1.1 server on 127.0.0.1 that counts accepted connections and answers each
//! request with what a handler returns. Enough to test the real client without a framework.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A request as received: its head, and as much of its body as its `content-length` says.
#[derive(Clone, Debug)]
pub(crate) struct Received {
    pub(crate) head: String,
    pub(crate) body: Vec<u8>,
}

impl Received {
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }
}

/// What to write back: raw bytes (status line, headers, body).
pub(crate) type Handler = dyn Fn(&Received) -> Vec<u8> + Send + Sync;

pub(crate) struct TestServer {
    pub(crate) addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    received: Arc<Mutex<Vec<Received>>>,
}

impl TestServer {
    /// Answers each request with what `handler` returns, then closes the connection.
    pub(crate) async fn start(
        handler: impl Fn(&Received) -> Vec<u8> + Send + Sync + 'static,
    ) -> Self {
        Self::serve(handler, false).await
    }

    /// Reads each request, writes `reply` (nothing, or an answer cut short) and then holds
    /// the connection open without another byte: a receiver too slow to answer.
    pub(crate) async fn stalling(reply: &'static [u8]) -> Self {
        Self::serve(move |_| reply.to_vec(), true).await
    }

    async fn serve(
        handler: impl Fn(&Received) -> Vec<u8> + Send + Sync + 'static,
        hold: bool,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let received = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let (count, log) = (accepted.clone(), received.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                count.fetch_add(1, Ordering::SeqCst);
                let (handler, log) = (handler.clone(), log.clone());
                tokio::spawn(async move {
                    let mut bytes = Vec::new();
                    let mut buf = [0u8; 4096];
                    let end = loop {
                        if let Some(at) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
                            break at + 4;
                        }
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => bytes.extend_from_slice(&buf[..n]),
                        }
                    };
                    let mut request = Received {
                        head: String::from_utf8_lossy(&bytes[..end]).into_owned(),
                        body: Vec::new(),
                    };
                    let length: usize = request
                        .header("content-length")
                        .and_then(|value| value.parse().ok())
                        .unwrap_or(0);
                    while bytes.len() < end + length {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => bytes.extend_from_slice(&buf[..n]),
                        }
                    }
                    request.body = bytes[end..end + length].to_vec();
                    log.lock().unwrap().push(request.clone());
                    let reply = handler(&request);
                    let _ = socket.write_all(&reply).await;
                    if hold {
                        // Kept until the client gives up and closes its side.
                        let _ = socket.read(&mut buf).await;
                        return;
                    }
                    let _ = socket.shutdown().await;
                });
            }
        });
        Self {
            addr,
            accepted,
            received,
        }
    }

    /// A server that counts connections and closes each one at once.
    pub(crate) async fn counting() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                drop(socket);
            }
        });
        Self {
            addr,
            accepted,
            received: Arc::new(Mutex::new(Vec::new())),
        }
    }

    pub(crate) fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    pub(crate) fn base(&self) -> String {
        format!("http://{}", self.addr)
    }
}

pub(crate) fn http_response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}
