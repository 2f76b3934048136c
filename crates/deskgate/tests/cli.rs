//! The real binary, as a newcomer runs it: `tenant create` prints a key that authenticates
//! against `serve`, on the default embedded SQLite database.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_deskgate");

fn deskgate(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("DESKGATE_DATABASE__URL")
        .env_remove("DESKGATE_LISTEN")
        .env_remove("RUST_LOG");
    cmd
}

/// Kills the server even when an assertion fails.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `deskgate serve` on a free port and returns it with its base URL, read from the
/// log line that announces it.
fn serve(dir: &std::path::Path) -> (Server, String) {
    let mut child = deskgate(dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DESKGATE_LOG__FORMAT", "text")
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let server = Server(child);
    let mut lines = BufReader::new(stderr).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(i) = line.find("listening on http://") {
            let url = line[i + "listening on ".len()..]
                .split_whitespace()
                .next()
                .unwrap()
                .to_owned();
            let url = strip_ansi(&url);
            // Keep draining stderr so the server never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines {});
            return (server, url);
        }
    }
    panic!("deskgate serve did not announce its address");
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn get(url: &str, key: Option<&str>) -> (u16, String) {
    // A tiny blocking HTTP/1.1 client keeps this test free of an async runtime.
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let mut s = std::net::TcpStream::connect(host).unwrap();
    let auth = key
        .map(|k| format!("Authorization: Bearer {k}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).unwrap();
    let status = buf.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = buf
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn tenant_create_prints_a_key_that_authenticates_against_serve() {
    let dir = tempfile::tempdir().unwrap();
    let out = deskgate(dir.path())
        .args(["tenant", "create", "acme"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let key = stdout
        .lines()
        .find_map(|l| l.strip_prefix("api key: "))
        .unwrap()
        .trim()
        .to_owned();
    assert!(key.starts_with("dg_live_"));
    assert!(
        dir.path().join("deskgate.db").exists(),
        "the default database is ./deskgate.db"
    );

    let (_server, base) = serve(dir.path());
    let (status, body) = get(&format!("{base}/healthz"), None);
    assert_eq!(status, 200, "{body}");
    let (status, body) = get(&format!("{base}/v1/api-keys"), Some(&key));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""name":"default""#), "{body}");
    assert_eq!(get(&format!("{base}/v1/api-keys"), None).0, 401);

    let out = deskgate(dir.path())
        .args(["tenant", "list"])
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains("acme"));
}

#[test]
fn bad_configuration_is_refused_with_a_message_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = deskgate(dir.path())
        .args(["migrate"])
        .env("DESKGATE_DATABASE__URL", "mysql://x")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("database.url") && err.contains("postgres://"),
        "{err}"
    );

    let out = deskgate(dir.path())
        .args(["migrate"])
        .env("DESKGATE_DATABSE__URL", "sqlite:x.db")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("databse"), "{err}");

    // An inbound limit that cannot work stops the binary before it serves.
    let out = deskgate(dir.path())
        .args(["migrate"])
        .env("DESKGATE_LIMITS__KEY_BURST", "0")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("limits.key_burst must be between 1"), "{err}");

    let out = deskgate(dir.path())
        .args(["serve", "--listen", "nonsense"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--listen"));
}

#[test]
fn openapi_command_prints_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let out = deskgate(dir.path()).arg("openapi").output().unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["paths"]["/v1/api-keys"].is_object());
}

/// `deskgate healthcheck` with the gateway's listen address in `DESKGATE_LISTEN`, as the
/// container image sets it.
fn healthcheck(dir: &std::path::Path, listen: &str, args: &[&str]) -> (Option<i32>, String) {
    let out = deskgate(dir)
        .arg("healthcheck")
        .args(args)
        .env("DESKGATE_LISTEN", listen)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn healthcheck_passes_against_a_serving_gateway_listening_on_an_unspecified_address() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, base) = serve(dir.path());
    let port = base.rsplit(':').next().unwrap();
    // The server listens on 127.0.0.1; 0.0.0.0 is what a container configures, and means
    // loopback to the check.
    let listen = format!("0.0.0.0:{port}");
    assert_eq!(
        healthcheck(dir.path(), &listen, &[]),
        (Some(0), String::new())
    );
    assert_eq!(
        healthcheck(dir.path(), &listen, &["--live"]),
        (Some(0), String::new())
    );
}

#[test]
fn healthcheck_fails_with_a_one_line_reason_when_nothing_listens() {
    let dir = tempfile::tempdir().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let (code, stderr) = healthcheck(dir.path(), &format!("127.0.0.1:{port}"), &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "error: http://127.0.0.1:{port}/readyz could not be reached: "
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn healthcheck_fails_with_the_problem_when_the_gateway_is_not_ready() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    // One answer, as a gateway whose database is down gives it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let answer = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut request = [0u8; 1024];
        let n = conn.read(&mut request).unwrap();
        let body = r#"{"type":"urn:deskgate:problem:unavailable","title":"Service unavailable","status":503,"detail":"the database does not answer","code":"unavailable"}"#;
        write!(
            conn,
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        String::from_utf8_lossy(&request[..n]).into_owned()
    });
    let (code, stderr) = healthcheck(dir.path(), &addr.to_string(), &[]);
    let request = answer.join().unwrap();
    assert!(request.starts_with("GET /readyz HTTP/1.1\r\n"), "{request}");
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "error: http://{addr}/readyz answered 503 Service Unavailable: unavailable: the \
             database does not answer"
        )
    );
}
