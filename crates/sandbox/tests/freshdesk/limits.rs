//! Credit-based rate limits, per-endpoint caps and injected faults.

use chrono::Duration;
use deskgate_sandbox::{FaultConfig, FreshdeskAccountConfig};
use serde_json::Value;

use crate::support::{basic, start, start_with};

fn limited(per_minute: u32) -> FreshdeskAccountConfig {
    let mut config = FreshdeskAccountConfig::new("acme");
    config.rate_limits.per_minute = per_minute;
    config
}

#[tokio::test]
async fn every_response_carries_the_credit_headers_and_includes_cost_extra() {
    let h = start().await;
    let me = h.get("/api/v2/agents/me").await;
    let headers = me.headers();
    assert_eq!(headers["x-ratelimit-total"], "200");
    assert_eq!(headers["x-ratelimit-remaining"], "199");
    assert_eq!(headers["x-ratelimit-used-currentrequest"], "1");
    let list = h.get("/api/v2/tickets?include=description,stats").await;
    assert_eq!(list.status(), 200);
    assert_eq!(list.headers()["x-ratelimit-used-currentrequest"], "3");
    assert_eq!(list.headers()["x-ratelimit-remaining"], "196");
    assert_eq!(
        h.server
            .sandbox()
            .freshdesk_counters("acme")
            .unwrap()
            .credits_used,
        4
    );
}

#[tokio::test]
async fn exceeding_the_account_total_answers_429_with_retry_after_to_the_window_end() {
    let h = start_with(limited(3)).await;
    // An unauthenticated request counts too.
    let anonymous = h.http.get(h.url("/api/v2/agents/me")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.headers()["x-ratelimit-remaining"], "2");
    for remaining in ["1", "0"] {
        let response = h.get("/api/v2/agents/me").await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["x-ratelimit-remaining"], remaining);
    }
    h.clock.advance(Duration::seconds(5));
    let refused = h.get("/api/v2/agents/me").await;
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "40");
    assert_eq!(refused.headers()["x-ratelimit-remaining"], "0");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "rate_limit_exceeded");
    assert!(body["message"].is_string());
    h.clock.advance(Duration::seconds(40));
    assert_eq!(h.get("/api/v2/agents/me").await.status(), 200);
    let counters = h.server.sandbox().freshdesk_counters("acme").unwrap();
    assert_eq!((counters.requests, counters.rate_limited), (5, 1));
}

#[tokio::test]
async fn the_tickets_list_cap_answers_429_while_other_calls_go_on() {
    let h = start().await;
    h.server
        .sandbox()
        .set_freshdesk_rate_limits(
            "acme",
            deskgate_sandbox::FreshdeskRateLimits {
                tickets_list: 2,
                ..deskgate_sandbox::FreshdeskRateLimits::default()
            },
        )
        .unwrap();
    for _ in 0..2 {
        assert_eq!(h.get("/api/v2/tickets").await.status(), 200);
    }
    let capped = h.get("/api/v2/tickets").await;
    assert_eq!(capped.status(), 429);
    assert_eq!(capped.headers()["retry-after"], "45");
    assert_eq!(h.get("/api/v2/tickets/1").await.status(), 200);
    assert_eq!(h.get("/api/v2/agents/me").await.status(), 200);
    h.clock.advance(Duration::seconds(45));
    assert_eq!(h.get("/api/v2/tickets").await.status(), 200);
    assert_eq!(
        h.server
            .sandbox()
            .freshdesk_counters("acme")
            .unwrap()
            .tickets_list_calls,
        3
    );
}

#[tokio::test]
async fn the_growth_plan_limits_are_the_defaults() {
    let h = start().await;
    let limits = h
        .server
        .sandbox()
        .freshdesk_config("acme")
        .unwrap()
        .rate_limits;
    assert_eq!(
        (
            limits.per_minute,
            limits.tickets_list,
            limits.contacts_list,
            limits.ticket_create,
            limits.ticket_update
        ),
        (200, 20, 20, 80, 80)
    );
    h.server
        .sandbox()
        .set_freshdesk_rate_limit("acme", 1)
        .unwrap();
    assert_eq!(h.get("/api/v2/agents/me").await.status(), 200);
    assert_eq!(h.get("/api/v2/agents/me").await.status(), 429);
}

#[tokio::test]
async fn injected_server_errors_and_bare_429s_come_first_then_service_resumes() {
    let h = start().await;
    h.server
        .sandbox()
        .set_freshdesk_faults(
            "acme",
            FaultConfig {
                fail_next: 1,
                error_status: Some(502),
                rate_limit_next_without_retry_after: 1,
                ..FaultConfig::default()
            },
        )
        .unwrap();
    let bare = h.get("/api/v2/tickets/1").await;
    assert_eq!(bare.status(), 429);
    assert!(bare.headers().get("retry-after").is_none());
    let failed = h.get("/api/v2/tickets/1").await;
    assert_eq!(failed.status(), 502);
    assert_eq!(h.get("/api/v2/tickets/1").await.status(), 200);
    let counters = h.server.sandbox().freshdesk_counters("acme").unwrap();
    assert_eq!(
        (
            counters.injected_errors,
            counters.rate_limited,
            counters.requests
        ),
        (1, 1, 3)
    );
    // Faults hit before authentication, like a failing front end would.
    h.server
        .sandbox()
        .set_freshdesk_faults(
            "acme",
            FaultConfig {
                fail_next: 1,
                ..FaultConfig::default()
            },
        )
        .unwrap();
    let anonymous = h
        .http
        .get(h.url("/api/v2/tickets"))
        .header("authorization", basic("wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 503);
}
