//! Tenants' webhooks through the real client: refused URLs and names that resolve to
//! private addresses never open a connection, loopback receivers are reached only under the
//! development policy (and never through the sandbox override), redirects are answers,
//! answers are cut to an excerpt, a slow receiver times out, `Retry-After` is read, and the
//! one event per delivery carries neither the query nor a header value.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use deskgate_upstream::{
    Delivery, DeliveryAnswer, DeliveryError, SandboxOverride, Upstream, UpstreamConfig, WallClock,
    WebhookPolicy,
};
use http::{HeaderMap, HeaderValue};
use url::Url;

use crate::support::dns::HostileDns;
use crate::support::logs::capture;
use crate::support::server::{TestServer, http_response};

/// A calendar that never moves, so an HTTP-date `Retry-After` reads as an exact wait.
#[derive(Debug)]
struct Stopped(DateTime<Utc>);

impl WallClock for Stopped {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

const DEVELOPMENT: WebhookPolicy = WebhookPolicy {
    allow_loopback_http: true,
};

fn engine(policy: WebhookPolicy, answers: &[SocketAddr]) -> Upstream {
    Upstream::builder(UpstreamConfig::default())
        .webhook_policy(policy)
        .lookup(HostileDns::new(answers.to_vec()))
        .build()
        .unwrap()
}

fn delivery(url: &str) -> Delivery {
    let mut headers = HeaderMap::new();
    headers.insert("webhook-id", HeaderValue::from_static("evt_0190"));
    headers.insert(
        "webhook-signature",
        HeaderValue::from_static("v1,canary-signature"),
    );
    Delivery {
        url: Url::parse(url).unwrap(),
        headers,
        body: Bytes::from_static(br#"{"type":"ticket.created"}"#),
        timeout: Duration::from_secs(5),
    }
}

/// How `receiver` answers a webhook sent to it by `upstream`.
async fn answer_of(upstream: &Upstream, receiver: &TestServer) -> DeliveryAnswer {
    let url = format!("{}/hook", receiver.base());
    upstream.deliver(delivery(&url)).await.unwrap()
}

fn refused(result: Result<DeliveryAnswer, DeliveryError>) -> String {
    match result {
        Err(DeliveryError::Refused(why)) => why,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn refused_urls_and_private_names_never_open_a_connection() {
    let target = TestServer::counting().await;
    let port = target.addr.port();
    let at = |ip: &str| SocketAddr::new(ip.parse().unwrap(), port);
    // Every name resolves to the listener, or to a private address before it.
    let strict = engine(WebhookPolicy::default(), &[at("10.0.0.1"), at("127.0.0.1")]);
    for url in [
        format!("http://127.0.0.1:{port}/hook"),
        format!("http://localhost:{port}/hook"),
        format!("http://[::1]:{port}/hook"),
        format!("https://127.0.0.1:{port}/hook"),
        format!("https://localhost:{port}/hook"),
        format!("https://[::ffff:127.0.0.1]:{port}/hook"),
        format!("http://hooks.example.com:{port}/hook"),
        format!("https://hooks.example.com:{port}/hook"),
        format!("https://user:pw@hooks.example.com:{port}/hook"),
        format!("https://hooks.example.com:{port}/hook#frag"),
        "https://10.1.2.3/hook".to_owned(),
        "https://169.254.169.254/latest/meta-data/".to_owned(),
        "https://[fd00::1]/hook".to_owned(),
    ] {
        let why = refused(strict.deliver(delivery(&url)).await);
        assert!(!why.is_empty(), "{url}");
    }
    // The development policy lets `localhost` resolve to loopback, and nothing else: not a
    // public name resolving to loopback, nor `localhost` resolving to a private address.
    let development = engine(DEVELOPMENT, &[at("127.0.0.1")]);
    let why = refused(
        development
            .deliver(delivery(&format!("https://hooks.example.com:{port}/hook")))
            .await,
    );
    assert!(why.contains("private"), "{why}");
    let rebinding = engine(DEVELOPMENT, &[at("10.0.0.1")]);
    refused(
        rebinding
            .deliver(delivery(&format!("http://localhost:{port}/hook")))
            .await,
    );
    assert_eq!(target.accepted(), 0);
}

#[tokio::test]
async fn a_loopback_receiver_gets_the_webhook_under_the_development_policy() {
    let receiver = TestServer::start(|_| http_response("200 OK", &[], b"ok")).await;
    let port = receiver.addr.port();
    let upstream = engine(DEVELOPMENT, &[receiver.addr]);
    assert_eq!(upstream.webhook_policy(), DEVELOPMENT);
    for url in [
        format!("http://127.0.0.1:{port}/hooks/in?token=abc"),
        format!("http://localhost:{port}/hooks/in?token=abc"),
    ] {
        let answer = upstream.deliver(delivery(&url)).await.unwrap();
        assert_eq!(answer.status, 200);
        assert_eq!(answer.excerpt, "ok");
        assert_eq!(answer.retry_after, None);
    }
    let received = receiver.received();
    assert_eq!(received.len(), 2);
    for request in received {
        assert!(
            request
                .head
                .starts_with("POST /hooks/in?token=abc HTTP/1.1\r\n"),
            "{}",
            request.head
        );
        assert_eq!(request.header("webhook-id").as_deref(), Some("evt_0190"));
        assert_eq!(
            request.header("content-type").as_deref(),
            Some("application/json")
        );
        assert_eq!(request.body, br#"{"type":"ticket.created"}"#);
    }
}

#[tokio::test]
async fn the_sandbox_override_never_applies_to_webhooks() {
    let receiver = TestServer::start(|_| http_response("204 No Content", &[], b"")).await;
    let sandbox = TestServer::start(|_| http_response("200 OK", &[], b"sandbox")).await;
    let with_sandbox = |policy| {
        Upstream::builder(UpstreamConfig::default())
            .sandbox(SandboxOverride::new(&sandbox.base()).unwrap())
            .webhook_policy(policy)
            .build()
            .unwrap()
    };
    // A tenant's URL goes where it says, not to the sandbox.
    let answer = answer_of(&with_sandbox(DEVELOPMENT), &receiver).await;
    assert_eq!(answer.status, 204);
    assert_eq!(receiver.received().len(), 1);
    // And the sandbox's exemption from the address policy is not the webhooks'.
    let strict = with_sandbox(WebhookPolicy::default());
    refused(
        strict
            .deliver(delivery(&format!("{}/hook", sandbox.base())))
            .await,
    );
    let named = Upstream::builder(UpstreamConfig::default())
        .sandbox(
            SandboxOverride::new(&format!("http://localhost:{}", sandbox.addr.port())).unwrap(),
        )
        .build()
        .unwrap();
    refused(
        named
            .deliver(delivery(&format!(
                "https://localhost:{}/hook",
                sandbox.addr.port()
            )))
            .await,
    );
    assert_eq!(sandbox.accepted(), 0);
}

#[tokio::test]
async fn a_redirect_is_an_answer_and_is_not_followed() {
    let elsewhere = TestServer::counting().await;
    let location = format!("http://127.0.0.1:{}/stolen", elsewhere.addr.port());
    let receiver = TestServer::start(move |_| {
        http_response("307 Temporary Redirect", &[("location", &location)], b"")
    })
    .await;
    let answer = answer_of(&engine(DEVELOPMENT, &[]), &receiver).await;
    assert_eq!(answer.status, 307);
    assert_eq!(receiver.received().len(), 1);
    assert_eq!(elsewhere.accepted(), 0);
}

#[tokio::test]
async fn a_huge_answer_is_cut_to_an_excerpt() {
    let receiver =
        TestServer::start(|_| http_response("500 Internal Server Error", &[], &[b'x'; 8 << 20]))
            .await;
    let answer = answer_of(&engine(DEVELOPMENT, &[]), &receiver).await;
    assert_eq!(answer.status, 500);
    assert_eq!(answer.excerpt.len(), 4096);
    assert!(answer.excerpt.bytes().all(|b| b == b'x'));
}

#[tokio::test]
async fn a_slow_receiver_times_out_whether_it_stalls_before_or_inside_its_answer() {
    let upstream = engine(DEVELOPMENT, &[]);
    for reply in [
        &b""[..],
        b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly ten b",
    ] {
        let receiver = TestServer::stalling(reply).await;
        let mut slow = delivery(&format!("{}/hook", receiver.base()));
        slow.timeout = Duration::from_millis(300);
        let started = std::time::Instant::now();
        let result = upstream.deliver(slow).await;
        assert_eq!(result, Err(DeliveryError::Timeout));
        assert!(started.elapsed() < Duration::from_secs(3));
    }
}

#[tokio::test]
async fn retry_after_is_read_in_seconds_and_as_an_http_date() {
    let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    let date = (now + chrono::Duration::seconds(90))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let upstream = Upstream::builder(UpstreamConfig::default())
        .webhook_policy(DEVELOPMENT)
        .wall_clock(Arc::new(Stopped(now)))
        .build()
        .unwrap();
    for (value, expected) in [
        ("120", Some(Duration::from_secs(120))),
        (date.as_str(), Some(Duration::from_secs(90))),
        ("Thu, 01 Jan 2015 00:00:00 GMT", Some(Duration::ZERO)),
        ("soon", None),
    ] {
        let value = value.to_owned();
        let receiver = TestServer::start(move |_| {
            http_response("429 Too Many Requests", &[("retry-after", &value)], b"")
        })
        .await;
        let answer = answer_of(&upstream, &receiver).await;
        assert_eq!(answer.status, 429);
        assert_eq!(answer.retry_after, expected);
    }
}

#[tokio::test]
async fn each_delivery_logs_one_event_without_the_query_path_or_header_values() {
    let (captured, _guard) = capture();
    let receiver = TestServer::start(|_| http_response("202 Accepted", &[], b"queued")).await;
    let upstream = engine(DEVELOPMENT, &[]);
    let url = format!("{}/canary-path/in?token=canary-token", receiver.base());
    upstream.deliver(delivery(&url)).await.unwrap();
    refused(
        upstream
            .deliver(delivery("https://10.0.0.1/canary-path?token=canary-token"))
            .await,
    );

    let events = captured.events("deskgate_upstream::webhook");
    assert_eq!(events.len(), 2, "{}", captured.text());
    let delivered = &events[0]["fields"];
    assert_eq!(delivered["message"], "webhook delivery");
    assert_eq!(delivered["destination"], receiver.base());
    assert_eq!(delivered["status"], 202);
    assert_eq!(delivered["outcome"], "delivered");
    assert!(delivered["duration_ms"].is_u64());
    assert_eq!(events[1]["level"], "WARN");
    assert_eq!(events[1]["fields"]["outcome"], "refused");
    assert_eq!(events[1]["fields"]["destination"], "https://10.0.0.1");
    let everything = captured.text();
    for leak in ["canary", "evt_0190", "token"] {
        assert!(!everything.contains(leak), "{leak:?} leaked into the logs");
    }
}
