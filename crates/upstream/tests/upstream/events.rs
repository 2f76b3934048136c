//! The request event: one per call, with the agreed fields, and no secret, concrete path or
//! query anywhere in the captured output, even at trace level.

use std::time::Duration;

use base64::Engine as _;
use deskgate_upstream::{SandboxOverride, Upstream, UpstreamConfig, UpstreamRequest};
use http::Method;
use secrecy::SecretString;

use crate::support::fake::{FakeVendor, Reply, engine, get, key, origin, response, secs};
use crate::support::logs::capture;
use crate::support::server::{TestServer, http_response};

#[tokio::test]
async fn one_event_per_call_carries_the_fields_and_no_secret_path_or_query() {
    let (captured, _guard) = capture();
    let server = TestServer::start(|_| {
        http_response(
            "200 OK",
            &[
                ("x-zendesk-request-id", "zd-req-77"),
                ("x-rate-limit", "700"),
            ],
            b"{}",
        )
    })
    .await;
    let upstream = Upstream::builder(UpstreamConfig::default())
        .sandbox(SandboxOverride::new(&server.base()).unwrap())
        .build()
        .unwrap();
    let request = UpstreamRequest::new(Method::GET, &origin(), "/api/v2/users/98765", key())
        .unwrap()
        .path_template("/api/v2/users/{id}")
        .connection_id("conn-1")
        .query_pair("email", "canary-person@example.com")
        .basic_auth(
            SecretString::from("agent@acme.test/token"),
            SecretString::from("canary-api-token"),
        )
        .deadline(Duration::from_secs(5));
    upstream.send(request).await.unwrap();

    let events = captured.events("deskgate_upstream::request");
    assert_eq!(events.len(), 1, "{}", captured.text());
    let fields = &events[0]["fields"];
    assert_eq!(fields["message"], "upstream request");
    assert_eq!(fields["connection_id"], "conn-1");
    assert_eq!(fields["budget_key"], "zendesk:acme");
    assert_eq!(fields["method"], "GET");
    assert_eq!(fields["path_template"], "/api/v2/users/{id}");
    assert_eq!(fields["background"], false);
    assert_eq!(fields["status"], 200);
    assert_eq!(fields["outcome"], "ok");
    assert_eq!(fields["attempts"], 1);
    assert_eq!(fields["vendor_request_id"], "zd-req-77");
    assert!(fields["waited_ms"].is_u64() && fields["duration_ms"].is_u64());

    let everything = captured.text();
    let encoded =
        base64::engine::general_purpose::STANDARD.encode("agent@acme.test/token:canary-api-token");
    for leak in ["canary", "98765", "email=", encoded.as_str()] {
        assert!(!everything.contains(leak), "{leak:?} leaked into the logs");
    }
}

#[tokio::test(start_paused = true)]
async fn a_failed_background_call_logs_its_error_kind_attempts_and_lane() {
    let (captured, _guard) = capture();
    let fake =
        FakeVendor::new(|_, _| Reply::Respond(response(429, &[("retry-after", "60".to_owned())])));
    let err = engine(fake)
        .background(0.2)
        .send(get("/api/v2/tickets").deadline(secs(10)))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "rate_limited");

    let events = captured.events("deskgate_upstream::request");
    assert_eq!(events.len(), 1);
    let fields = &events[0]["fields"];
    assert_eq!(events[0]["level"], "WARN");
    assert_eq!(fields["outcome"], "rate_limited");
    assert_eq!(fields["background"], true);
    assert_eq!(fields["status"], 429);
    assert_eq!(fields["attempts"], 1);
}
