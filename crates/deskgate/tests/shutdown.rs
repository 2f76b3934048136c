//! Stopping a real `deskgate serve` process with SIGTERM, as an orchestrator does: `/readyz`
//! answers 503 at once, the request in flight finishes with its answer, new connections are
//! then refused, and the process exits 0; a request still running past the grace period is
//! cut, and the log says how many were.
//!
//! The helpdesk call in flight is made slow by the sandbox's fault injection. Runs on SQLite:
//! the sequence does not depend on the database. The first test serves on three threads, so
//! that every serving thread's runtime is shown to drain and stop.

#![allow(clippy::unwrap_used)]

mod gateway;

use std::time::{Duration, Instant};

use deskgate_sandbox::{FaultConfig, RunningSandbox};
use deskgate_tests::{Backend, TestDb, read};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::gateway::{Deployment, Gateway};

/// A gateway with one Zendesk connection whose helpdesk answers after `delay`.
struct Slow {
    gateway: Gateway,
    key: String,
    connection: String,
    _sandbox: RunningSandbox,
    _deployment: Deployment,
    _db: TestDb,
}

impl Slow {
    async fn start(env: &[(&str, &str)], delay: Duration, log: &std::path::Path) -> Self {
        let db = TestDb::new(Backend::Sqlite).await;
        let sandbox = gateway::acme_sandbox(50, 700).await;
        let deployment = Deployment::new(&db.url, &sandbox.base_url());
        let key = deployment.create_tenant("acme-corp");
        let gateway = deployment.start_logging(env, Some(log)).await;
        let c = sandbox.sandbox().zendesk_credentials("acme").unwrap();
        let body = json!({
            "provider": "zendesk",
            "subdomain": "acme",
            "auth": {"mode": "api_token", "email": c.admin_email, "token": c.api_token.expose_secret()},
        });
        let res = reqwest::Client::new()
            .post(format!("{}/v1/connections", gateway.base))
            .bearer_auth(&key)
            .json(&body)
            .send()
            .await
            .unwrap();
        let (status, created) = read(res).await;
        assert_eq!(status, 201, "{created}");
        sandbox
            .sandbox()
            .set_zendesk_faults(
                "acme",
                FaultConfig {
                    delay_ms: delay.as_millis() as u64,
                    ..FaultConfig::default()
                },
            )
            .unwrap();
        Self {
            gateway,
            key,
            connection: created["id"].as_str().unwrap().to_owned(),
            _sandbox: sandbox,
            _deployment: deployment,
            _db: db,
        }
    }

    /// Starts a call that reaches the slow helpdesk; resolves with its status and body, or
    /// `None` when the connection was closed without an answer.
    fn slow_call(&self) -> tokio::task::JoinHandle<Option<(u16, Value)>> {
        let req = reqwest::Client::new()
            .get(format!(
                "{}/v1/connections/{}/tickets?limit=1",
                self.gateway.base, self.connection
            ))
            .bearer_auth(&self.key);
        tokio::spawn(async move { Some(read(req.send().await.ok()?).await) })
    }

    /// Waits until the gateway is answering `n` requests.
    async fn until_in_flight(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let http = reqwest::Client::new();
        loop {
            let text = http
                .get(format!("{}/metrics", self.gateway.base))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if in_flight(&text) >= n {
                return;
            }
            assert!(Instant::now() < deadline, "no request in flight: {text}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// `deskgate_http_requests_in_flight` from the metrics text, minus the metrics request
/// itself.
fn in_flight(metrics: &str) -> usize {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix("deskgate_http_requests_in_flight "))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0)
        .saturating_sub(1)
}

/// A fresh connection's `/readyz` answer, or `None` when the connection is refused.
async fn readyz(base: &str) -> Option<(u16, String, Value)> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let res = http.get(format!("{base}/readyz")).send().await.ok()?;
    let content_type = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let (status, body) = read(res).await;
    Some((status, content_type, body))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_then_finishes_the_request_in_flight_and_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("serve.log");
    let mut slow = Slow::start(
        &[
            ("DESKGATE_SERVER__DRAIN_DELAY_MS", "1500"),
            ("DESKGATE_SERVER__SHUTDOWN_GRACE_SECS", "20"),
            // More serving threads than this machine may have cores: every one of them must
            // drain, stop accepting and let its connections finish.
            ("DESKGATE_SERVER__THREADS", "3"),
        ],
        Duration::from_secs(4),
        &log,
    )
    .await;
    if cfg!(target_os = "linux") {
        assert_eq!(slow.gateway.serving_threads(), 3, "[server] threads = 3");
    }
    let call = slow.slow_call();
    slow.until_in_flight(1).await;

    let signalled = Instant::now();
    slow.gateway.terminate();
    // During the drain delay the process still accepts connections, and says it is going.
    let deadline = Instant::now() + Duration::from_secs(1);
    let (status, content_type, problem) = loop {
        let answer = readyz(&slow.gateway.base).await.unwrap();
        if answer.0 == 503 {
            break answer;
        }
        assert!(Instant::now() < deadline, "/readyz stayed {answer:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(status, 503);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(problem["code"], "shutting_down", "{problem}");
    let draining_seen = signalled.elapsed();

    // Then it stops accepting, while the slow call is still running.
    let deadline = Instant::now() + Duration::from_secs(5);
    while readyz(&slow.gateway.base).await.is_some() {
        assert!(
            Instant::now() < deadline,
            "new connections were still accepted"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let refused_after = signalled.elapsed();
    assert!(
        !call.is_finished(),
        "the slow call ended before the refusal"
    );

    let (status, body) = call
        .await
        .unwrap()
        .expect("the call in flight got no answer");
    assert_eq!(status, 200, "{body}");
    let exit = slow.gateway.exited(Duration::from_secs(10)).await;
    assert!(exit.success(), "{exit:?}");
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(!log.contains("unfinished"), "{log}");
    println!(
        "SIGTERM: /readyz 503 after {draining_seen:?}, connections refused after {refused_after:?}, \
         the call in flight answered 200, exit 0 after {:?}",
        signalled.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_running_past_the_grace_period_is_cut_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("serve.log");
    let mut slow = Slow::start(
        &[("DESKGATE_SERVER__SHUTDOWN_GRACE_SECS", "1")],
        Duration::from_secs(20),
        &log,
    )
    .await;
    let call = slow.slow_call();
    slow.until_in_flight(1).await;

    let signalled = Instant::now();
    slow.gateway.terminate();
    let exit = slow.gateway.exited(Duration::from_secs(10)).await;
    let took = signalled.elapsed();
    assert!(exit.success(), "{exit:?}");
    assert!(took < Duration::from_secs(8), "exited after {took:?}");
    assert!(call.await.unwrap().is_none(), "the cut call got an answer");
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(
        log.contains("stopping with 1 request(s) unfinished"),
        "{log}"
    );
    println!("SIGTERM with a 1 s grace: exit 0 after {took:?}, 1 request cut and logged");
}
