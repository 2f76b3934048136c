//! The request event: one per call, with the agreed fields, and no secret, concrete path or
//! query anywhere in the captured output, even at trace level.

use std::io;
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use base64::Engine as _;
use deskgate_upstream::{SandboxOverride, Upstream, UpstreamConfig, UpstreamRequest};
use http::Method;
use secrecy::SecretString;
use serde_json::Value;
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, span};

use crate::support::fake::{FakeVendor, Reply, engine, get, key, origin, response, secs};
use crate::support::server::{TestServer, http_response};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }

    fn request_events(&self) -> Vec<Value> {
        self.text()
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).unwrap())
            .filter(|event| event["target"] == "deskgate_upstream::request")
            .collect()
    }
}

/// A global subscriber that records nothing but keeps every callsite's interest at
/// "sometimes". Without it, a test on another thread that reaches the request event first,
/// with no subscriber of its own, caches the callsite as never interested for the whole
/// process, and a capture started later sees no event (a flake under parallel tests).
struct KeepCallsitesAsking;

impl tracing::Subscriber for KeepCallsitesAsking {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::sometimes()
    }

    fn enabled(&self, _: &Metadata<'_>) -> bool {
        false
    }

    fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
        span::Id::from_u64(1)
    }

    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}

    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}

    fn event(&self, _: &Event<'_>) {}

    fn enter(&self, _: &span::Id) {}

    fn exit(&self, _: &span::Id) {}
}

fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    static KEEP_ASKING: Once = Once::new();
    KEEP_ASKING.call_once(|| {
        tracing::subscriber::set_global_default(KeepCallsitesAsking).unwrap();
        tracing::callsite::rebuild_interest_cache();
    });
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

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

    let events = captured.request_events();
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

    let events = captured.request_events();
    assert_eq!(events.len(), 1);
    let fields = &events[0]["fields"];
    assert_eq!(events[0]["level"], "WARN");
    assert_eq!(fields["outcome"], "rate_limited");
    assert_eq!(fields["background"], true);
    assert_eq!(fields["status"], 429);
    assert_eq!(fields["attempts"], 1);
}
