//! The incremental exports' own cap (10 requests a minute per account), and what the
//! change feed shows of updates, comments and deletes.

use chrono::Duration;
use serde_json::{Value, json};

use crate::control_api::control;
use crate::support::{Harness, start, start_with};
use deskgate_sandbox::ZendeskAccountConfig;

const EXPORT: &str = "/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=5";

async fn export(h: &Harness) -> reqwest::Response {
    h.get(EXPORT).await
}

#[tokio::test]
async fn the_eleventh_export_in_a_minute_is_refused_with_zendesks_body_and_retry_after() {
    let h = start().await;
    for n in 1..=10 {
        assert_eq!(export(&h).await.status(), 200, "export {n}");
    }
    let refused = export(&h).await;
    assert_eq!(refused.status(), 429);
    // 12:00:15 on the clock: 45 seconds until the minute frees.
    assert_eq!(refused.headers()["retry-after"], "45");
    // Counted in the account-wide limit too (700 a minute): 11 spent.
    assert_eq!(refused.headers()["x-rate-limit-remaining"], "689");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(
        body,
        json!({"errors": [{"code": "RateLimitExceeded", "title": "Rate limit exceeded. Maximum 10 requests per minute."}]})
    );
    // Other endpoints are not held back by the exports' cap.
    assert_eq!(h.get("/api/v2/tickets.json").await.status(), 200);
    let counters = h.server.sandbox().zendesk_counters("acme").unwrap();
    assert_eq!(
        (
            counters.incremental_exports,
            counters.incremental_export_rate_limited,
            counters.rate_limited
        ),
        (10, 1, 1)
    );
    h.clock.advance(Duration::seconds(45));
    assert_eq!(export(&h).await.status(), 200, "a new minute");
}

#[tokio::test]
async fn the_account_wide_limit_still_applies_to_exports_with_its_own_answer() {
    let h = start_with(ZendeskAccountConfig {
        rate_limit_per_minute: 3,
        ..ZendeskAccountConfig::new("acme")
    })
    .await;
    for _ in 0..3 {
        assert_eq!(export(&h).await.status(), 200);
    }
    let refused = export(&h).await;
    assert_eq!(refused.status(), 429);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "APIRateLimitExceeded", "{body}");
}

#[tokio::test]
async fn the_export_cap_can_be_raised_in_the_config_and_through_the_control_api() {
    let h = start_with(ZendeskAccountConfig {
        incremental_export_per_minute: 12,
        ..ZendeskAccountConfig::new("acme")
    })
    .await;
    for _ in 0..12 {
        assert_eq!(export(&h).await.status(), 200);
    }
    let refused = export(&h).await;
    assert_eq!(refused.status(), 429);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["title"],
        "Rate limit exceeded. Maximum 12 requests per minute."
    );
    let raised = control(
        &h.server,
        reqwest::Method::PUT,
        "/zendesk/acme/rate_limit",
        Some(&json!({"incremental_export_per_minute": 20})),
    )
    .await;
    assert_eq!(raised.status(), 204);
    assert_eq!(export(&h).await.status(), 200);
    let config = h.server.sandbox().zendesk_config("acme").unwrap();
    assert_eq!(
        (
            config.incremental_export_per_minute,
            config.rate_limit_per_minute
        ),
        (20, 700)
    );
}

/// The export from `cursor` to the end of the stream, one page.
async fn changes_after(h: &Harness, cursor: &str) -> (Vec<Value>, String) {
    let body = h
        .get_json(&format!(
            "/api/v2/incremental/tickets/cursor.json?cursor={cursor}"
        ))
        .await;
    assert_eq!(body["end_of_stream"], true);
    (
        body["tickets"].as_array().unwrap().clone(),
        body["after_cursor"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn a_comment_an_update_and_a_delete_each_come_back_in_the_export_at_their_time() {
    let h = start_with(ZendeskAccountConfig {
        tickets: 10,
        ..ZendeskAccountConfig::new("acme")
    })
    .await;
    let first = h
        .get_json("/api/v2/incremental/tickets/cursor.json?start_time=0")
        .await;
    assert_eq!(first["tickets"].as_array().unwrap().len(), 10);
    let cursor = first["after_cursor"].as_str().unwrap().to_owned();

    h.clock.advance(Duration::seconds(90));
    let commented_at = h.clock_now();
    let comment = h
        .put_json(
            "/api/v2/tickets/3",
            json!({"ticket": {"comment": {"body": "Any news?", "public": true}}}),
        )
        .await;
    assert_eq!(comment.status(), 200);
    let (changes, cursor) = changes_after(&h, &cursor).await;
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["id"], 3);
    assert_eq!(changes[0]["generated_timestamp"], commented_at);
    assert_eq!(changes[0]["updated_at"], "2026-03-01T12:01:45Z");

    h.clock.advance(Duration::seconds(10));
    let update = h
        .put_json(
            "/api/v2/tickets/4",
            json!({"ticket": {"status": "pending"}}),
        )
        .await;
    assert_eq!(update.status(), 200);
    h.clock.advance(Duration::seconds(10));
    assert_eq!(h.delete("/api/v2/tickets/6").await.status(), 204);
    let (changes, _) = changes_after(&h, &cursor).await;
    let seen: Vec<(u64, &str, i64)> = changes
        .iter()
        .map(|t| {
            (
                t["id"].as_u64().unwrap(),
                t["status"].as_str().unwrap(),
                t["generated_timestamp"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (4, "pending", commented_at + 10),
            (6, "deleted", commented_at + 20)
        ]
    );
}
