//! The real HTTP client against listeners on 127.0.0.1 (reached through the sandbox
//! override, the only way to a loopback address): headers on the wire and the body cap.

use std::time::Duration;

use deskgate_upstream::{SandboxOverride, Upstream, UpstreamConfig, UpstreamError};
use secrecy::SecretString;

use crate::support::fake::get;
use crate::support::server::{TestServer, http_response};

fn sandboxed(server: &TestServer, max_body_bytes: usize) -> Upstream {
    let config = UpstreamConfig {
        max_body_bytes,
        ..UpstreamConfig::default()
    };
    Upstream::builder(config)
        .sandbox(SandboxOverride::new(&server.base()).unwrap())
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_sandbox_receives_the_vendor_host_the_credential_and_the_path() {
    let server = TestServer::start(|_| {
        http_response(
            "200 OK",
            &[("x-zendesk-request-id", "zd-1")],
            b"{\"ok\":true}",
        )
    })
    .await;
    let request = get("/api/v2/tickets.json")
        .query_pair("page", "2")
        .bearer_auth(SecretString::from("sandbox-token"))
        .deadline(Duration::from_secs(5));
    let answer = sandboxed(&server, 1024).send(request).await.unwrap();

    assert_eq!(answer.status(), 200);
    assert_eq!(answer.body().as_ref(), b"{\"ok\":true}");
    assert_eq!(answer.vendor_request_id(), Some("zd-1"));
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert!(
        received[0]
            .head
            .starts_with("GET /api/v2/tickets.json?page=2 HTTP/1.1\r\n"),
        "{}",
        received[0].head
    );
    assert_eq!(
        received[0].header("host").as_deref(),
        Some("acme.zendesk.com")
    );
    assert_eq!(
        received[0].header("authorization").as_deref(),
        Some("Bearer sandbox-token")
    );
}

#[tokio::test]
async fn a_declared_body_over_the_cap_is_refused_before_reading() {
    let server = TestServer::start(|_| http_response("200 OK", &[], &vec![b'x'; 100_000])).await;
    let err = sandboxed(&server, 4096)
        .send(get("/api/v2/tickets"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, UpstreamError::TooLarge { limit: 4096 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_streamed_body_over_the_cap_is_cut_off() {
    let server = TestServer::start(|_| {
        let mut reply =
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n".to_vec();
        for _ in 0..64 {
            reply.extend_from_slice(b"400\r\n");
            reply.extend_from_slice(&[b'y'; 0x400]);
            reply.extend_from_slice(b"\r\n");
        }
        reply.extend_from_slice(b"0\r\n\r\n");
        reply
    })
    .await;
    let err = sandboxed(&server, 10_000)
        .send(get("/api/v2/tickets"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, UpstreamError::TooLarge { limit: 10_000 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_body_under_the_cap_is_read_whole() {
    let server = TestServer::start(|_| http_response("200 OK", &[], &vec![b'z'; 4096])).await;
    let answer = sandboxed(&server, 4096)
        .send(get("/api/v2/tickets"))
        .await
        .unwrap();
    assert_eq!(answer.body().len(), 4096);
}

#[tokio::test]
async fn a_sandbox_named_by_host_name_may_resolve_to_loopback() {
    let server = TestServer::start(|_| http_response("204 No Content", &[], b"")).await;
    let base = format!("http://localhost:{}", server.addr.port());
    let upstream = Upstream::builder(UpstreamConfig::default())
        .sandbox(SandboxOverride::new(&base).unwrap())
        .build()
        .unwrap();
    let answer = upstream.send(get("/api/v2/tickets")).await.unwrap();
    assert_eq!(answer.status(), 204);
}
