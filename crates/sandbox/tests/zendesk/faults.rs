//! Rate limits, injected faults and the control API.

use chrono::Duration;
use deskgate_sandbox::{FaultConfig, ZendeskAccountConfig};
use serde_json::{Value, json};

use crate::support::start_with;

#[tokio::test]
async fn exceeding_the_limit_answers_429_with_exact_retry_after() {
    let h = start_with(ZendeskAccountConfig {
        rate_limit_per_minute: 3,
        ..ZendeskAccountConfig::new("acme")
    })
    .await;
    for remaining in [2, 1, 0] {
        let response = h.get("/api/v2/users/me").await;
        assert_eq!(response.status(), 200);
        let headers = response.headers();
        assert_eq!(headers["x-rate-limit"], "3");
        assert_eq!(
            headers["x-rate-limit-remaining"],
            remaining.to_string().as_str()
        );
        assert_eq!(headers["ratelimit-limit"], "3");
        assert_eq!(
            headers["ratelimit-remaining"],
            remaining.to_string().as_str()
        );
        assert_eq!(headers["ratelimit-reset"], "45");
    }
    h.clock.advance(Duration::seconds(5));
    let limited = h.get("/api/v2/users/me").await;
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "40");
    assert_eq!(limited.headers()["x-rate-limit-remaining"], "0");
    h.clock.advance(Duration::seconds(40));
    assert_eq!(h.get("/api/v2/users/me").await.status(), 200);
    let counters = h.server.sandbox().zendesk_counters("acme").unwrap();
    assert_eq!((counters.rate_limited, counters.requests), (1, 5));
}

#[tokio::test]
async fn injected_server_errors_and_bare_429s_come_first_then_service_resumes() {
    let h = start_with(ZendeskAccountConfig::new("acme")).await;
    h.server
        .sandbox()
        .set_zendesk_faults(
            "acme",
            FaultConfig {
                fail_next: 2,
                rate_limit_next_without_retry_after: 1,
                ..FaultConfig::default()
            },
        )
        .unwrap();
    let bare = h.get("/api/v2/tickets/1").await;
    assert_eq!(bare.status(), 429);
    assert!(bare.headers().get("retry-after").is_none());
    for _ in 0..2 {
        let failed = h.get("/api/v2/tickets/1").await;
        assert_eq!(failed.status(), 503);
        assert_eq!(
            failed.json::<Value>().await.unwrap(),
            json!({"error": "ServiceUnavailable"})
        );
    }
    assert_eq!(h.get("/api/v2/tickets/1").await.status(), 200);
    let counters = h.server.sandbox().zendesk_counters("acme").unwrap();
    assert_eq!((counters.injected_errors, counters.rate_limited), (2, 1));
}

#[tokio::test]
async fn error_rate_fails_about_that_share_of_requests() {
    let h = start_with(ZendeskAccountConfig {
        rate_limit_per_minute: 10_000,
        ..ZendeskAccountConfig::new("acme")
    })
    .await;
    h.server
        .sandbox()
        .set_zendesk_faults(
            "acme",
            FaultConfig {
                error_rate: 0.5,
                error_status: Some(500),
                ..FaultConfig::default()
            },
        )
        .unwrap();
    let mut failures = 0;
    for _ in 0..100 {
        if h.get("/api/v2/users/me").await.status() == 500 {
            failures += 1;
        }
    }
    assert!((25..=75).contains(&failures), "{failures} failures");
}

#[tokio::test]
async fn slow_mode_delays_responses() {
    let h = start_with(ZendeskAccountConfig::new("acme")).await;
    h.server
        .sandbox()
        .set_zendesk_faults(
            "acme",
            FaultConfig {
                delay_ms: 150,
                ..FaultConfig::default()
            },
        )
        .unwrap();
    let started = std::time::Instant::now();
    assert_eq!(h.get("/api/v2/users/me").await.status(), 200);
    assert!(started.elapsed() >= std::time::Duration::from_millis(150));
}

#[tokio::test]
async fn control_api_creates_accounts_and_changes_settings() {
    let h = start_with(ZendeskAccountConfig::new("acme")).await;
    let control = |path: &str| format!("{}/_sandbox{path}", h.server.base_url());
    let created = h
        .http
        .put(control("/zendesk/beta"))
        .json(&json!({"tickets": 12, "seed": 3, "rate_limit_per_minute": 50}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 204);
    let accounts: Value = h
        .http
        .get(control("/accounts"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(accounts["zendesk"].as_array().unwrap().len(), 2);
    let creds: Value = h
        .http
        .get(control("/zendesk/beta/credentials"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let auth = crate::support::basic(
        creds["admin"]["email"].as_str().unwrap(),
        creds["api_token"].as_str().unwrap(),
    );
    let beta = |path: &str| format!("{}{path}", h.server.zendesk_base_url("beta"));
    let list: Value = h
        .http
        .get(beta("/api/v2/tickets"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["count"], 12);

    let off = h
        .http
        .put(control("/zendesk/beta/token_access"))
        .json(&json!({"enabled": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), 204);
    assert_eq!(
        h.http
            .get(beta("/api/v2/tickets"))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let limit = h
        .http
        .put(control("/zendesk/beta/rate_limit"))
        .json(&json!({"per_minute": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(limit.status(), 204);
    let faults = h
        .http
        .put(control("/zendesk/beta/faults"))
        .json(&json!({"fail_next": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(faults.status(), 204);
    let counters: Value = h
        .http
        .get(control("/zendesk/beta/counters"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counters["requests"], 2);
    let missing = h
        .http
        .get(control("/zendesk/nope/counters"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let bad = h
        .http
        .put(control("/zendesk/gamma"))
        .json(&json!({"tickets": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(h.server.summary().contains("admin@beta.test"));
}

#[tokio::test]
async fn a_broken_answer_sends_its_first_half_then_breaks_the_transfer() {
    let h = start_with(ZendeskAccountConfig::new("acme")).await;
    let whole = h.get("/api/v2/tickets/1").await.bytes().await.unwrap();
    h.server
        .sandbox()
        .set_zendesk_faults(
            "acme",
            FaultConfig {
                break_next: 1,
                ..FaultConfig::default()
            },
        )
        .unwrap();
    let mut broken = h.get("/api/v2/tickets/1").await;
    assert_eq!(broken.status(), 200);
    let first = broken.chunk().await.unwrap().unwrap();
    assert_eq!(
        first,
        whole.slice(..whole.len() / 2),
        "the first half, at once"
    );
    assert!(broken.chunk().await.is_err(), "then the transfer breaks");
    let again = h.get("/api/v2/tickets/1").await.bytes().await.unwrap();
    assert_eq!(again, whole, "only the next answer breaks");

    // A reset: the head, then the break, with nothing of the body.
    h.server
        .sandbox()
        .set_zendesk_faults(
            "acme",
            FaultConfig {
                reset_next: 1,
                ..FaultConfig::default()
            },
        )
        .unwrap();
    let mut reset = h.get("/api/v2/tickets/1").await;
    assert_eq!(reset.status(), 200);
    assert!(reset.chunk().await.is_err(), "the transfer breaks at once");
    let again = h.get("/api/v2/tickets/1").await.bytes().await.unwrap();
    assert_eq!(again, whole, "only the next answer breaks");
    let counters = h.server.sandbox().zendesk_counters("acme").unwrap();
    assert_eq!(counters.injected_errors, 2);
}

#[tokio::test]
async fn an_answer_cut_short_keeps_its_status_and_loses_half_its_body() {
    let h = start_with(ZendeskAccountConfig::new("acme")).await;
    let whole = h.get("/api/v2/tickets/1").await.bytes().await.unwrap();
    h.server
        .sandbox()
        .set_zendesk_faults(
            "acme",
            FaultConfig {
                truncate_next: 1,
                ..FaultConfig::default()
            },
        )
        .unwrap();
    let cut = h.get("/api/v2/tickets/1").await;
    assert_eq!(cut.status(), 200);
    let cut = cut.bytes().await.unwrap();
    assert_eq!(cut.len(), whole.len() / 2);
    assert!(serde_json::from_slice::<Value>(&cut).is_err());
    let again = h.get("/api/v2/tickets/1").await.bytes().await.unwrap();
    assert_eq!(again, whole, "only the next answer is cut");
    let counters = h.server.sandbox().zendesk_counters("acme").unwrap();
    assert_eq!(counters.injected_errors, 1);
}
