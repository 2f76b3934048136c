//! The 10-second rate windows and their headers.

use chrono::Duration;
use deskgate_sandbox::IntercomWorkspaceConfig;

use crate::support::{assert_error, start_time, start_with};

fn header(response: &reqwest::Response, name: &str) -> i64 {
    response.headers()[name].to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn every_answer_carries_the_windows_headers_and_429_past_the_limit() {
    let h = start_with(IntercomWorkspaceConfig {
        rate_limit_per_10s: 3,
        ..IntercomWorkspaceConfig::new("acme")
    })
    .await;
    // The clock starts at 12:00:15, so the window ends at 12:00:20.
    let reset = start_time().timestamp() + 5;
    for remaining in [2, 1, 0] {
        let response = h.get("/me").await;
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "x-ratelimit-limit"), 3);
        assert_eq!(header(&response, "x-ratelimit-remaining"), remaining);
        assert_eq!(header(&response, "x-ratelimit-reset"), reset);
    }
    let refused = h.get("/me").await;
    assert_eq!(header(&refused, "x-ratelimit-remaining"), 0);
    assert_eq!(header(&refused, "x-ratelimit-reset"), reset);
    assert_error(refused, 429, "rate_limit_exceeded").await;
    // Errors count too: a 404 in the same window is still refused.
    assert_eq!(h.get("/tickets/1").await.status(), 429);
    assert_eq!(h.counters().rate_limited, 2);

    h.clock.advance(Duration::seconds(5));
    let next = h.get("/me").await;
    assert_eq!(next.status(), 200);
    assert_eq!(header(&next, "x-ratelimit-remaining"), 2);
    assert_eq!(header(&next, "x-ratelimit-reset"), reset + 10);
}

#[tokio::test]
async fn the_limit_can_be_changed_at_runtime() {
    let h = start_with(IntercomWorkspaceConfig::new("acme")).await;
    let response = h.get("/me").await;
    assert_eq!(header(&response, "x-ratelimit-limit"), 1666);
    h.server
        .sandbox()
        .set_intercom_rate_limit("acme", 1)
        .unwrap();
    assert_eq!(
        h.get("/me").await.status(),
        429,
        "the window already spent one"
    );
    assert!(
        h.server
            .sandbox()
            .set_intercom_rate_limit("acme", 0)
            .is_err()
    );
    assert_eq!(
        h.server
            .sandbox()
            .intercom_config("acme")
            .unwrap()
            .rate_limit_per_10s,
        1
    );
}
