//! The `latency` driver against a loopback listener that answers every request with 200:
//! it sends exactly rate × duration requests and reports them all.

use std::process::Command;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn serve_ok(listener: tokio::net::TcpListener) {
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            return;
        };
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            let mut seen = Vec::new();
            loop {
                let Ok(n) = socket.read(&mut buf).await else {
                    return;
                };
                if n == 0 {
                    return;
                }
                seen.extend_from_slice(&buf[..n]);
                while let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                    seen.drain(..end + 4);
                    let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
                    if socket.write_all(answer).await.is_err() {
                        return;
                    }
                }
            }
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_sends_rate_times_duration_requests_and_reports_each() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve_ok(listener));
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_deskgate-bench"))
            .args(["latency", "--url", &format!("http://{addr}/x")])
            .args(["--rate", "100", "--duration", "0.2"])
            .args(["--header", "Authorization: Bearer t"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(output.status.success(), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["ok"], 20, "{report}");
    assert_eq!(report["failed"], 0, "{report}");
    assert_eq!(report["statuses"]["200"], 20, "{report}");
    assert!(report["p99_us"].as_u64().unwrap() >= report["p50_us"].as_u64().unwrap());
}
