//! Pacing by credits (Freshdesk): a request's declared cost is reserved before it goes, and
//! what the vendor reports in `X-Ratelimit-Used-CurrentRequest` is charged afterwards.

use std::sync::Arc;

use deskgate_upstream::{UpstreamConfig, UpstreamRequest};

use crate::support::fake::{FakeVendor, engine_with, secs};
use crate::support::freshdesk::{account, answered, get};

/// 60 credits a minute paced at all 60 with no burst: one credit a second, so every wait in
/// these tests is a whole number of seconds.
fn one_credit_a_second() -> UpstreamConfig {
    let mut config = UpstreamConfig::default();
    config.budget.headroom = 1.0;
    config.budget.burst_fraction = 0.0;
    config
}

/// Sends `requests` one after another and returns when the vendor saw each.
async fn send_in_turn(
    fake: &Arc<FakeVendor>,
    requests: impl IntoIterator<Item = UpstreamRequest>,
) -> Vec<std::time::Duration> {
    let upstream = engine_with(fake.clone(), one_credit_a_second());
    for request in requests {
        let answer = upstream.send(request.deadline(secs(60))).await.unwrap();
        assert_eq!(answer.status(), 200);
    }
    fake.call_times()
}

#[tokio::test(start_paused = true)]
async fn credits_the_vendor_reports_slow_the_requests_that_follow() {
    // Each request is sent as costing 1 (the default) but the vendor counts 3 (an
    // `include=`): the pacer is charged 2 more after each answer.
    let fake = FakeVendor::new(|n, _| answered(60, 60 - 3 * (n as u32 + 1), 3));
    let times = send_in_turn(&fake, (0..4).map(|_| get("/api/v2/tickets"))).await;
    assert_eq!(times, [0, 3, 6, 9].map(secs));
}

#[tokio::test(start_paused = true)]
async fn requests_the_vendor_counts_as_one_credit_go_once_a_second() {
    let fake = FakeVendor::new(|n, _| answered(60, 59 - n as u32, 1));
    let times = send_in_turn(&fake, (0..4).map(|_| get("/api/v2/tickets"))).await;
    assert_eq!(times, [0, 1, 2, 3].map(secs));
}

#[tokio::test(start_paused = true)]
async fn a_declared_cost_is_reserved_before_sending() {
    // Without rate headers in the answers nothing is corrected: the first answer teaches the
    // limit, and from then on each request reserves the 4 credits it declares.
    let fake = FakeVendor::new(|n, _| {
        if n == 0 {
            answered(60, 59, 1)
        } else {
            crate::support::fake::ok()
        }
    });
    let times = send_in_turn(&fake, (0..4).map(|_| get("/api/v2/tickets").cost(4))).await;
    assert_eq!(times, [0, 1, 5, 9].map(secs));
}

#[tokio::test(start_paused = true)]
async fn credits_declared_but_not_spent_are_given_back() {
    // Each request declares 5 credits, the vendor counts 1: the 4 over are refunded.
    let fake = FakeVendor::new(|n, _| answered(60, 59 - n as u32, 1));
    let times = send_in_turn(&fake, (0..4).map(|_| get("/api/v2/tickets").cost(5))).await;
    assert_eq!(times, [0, 1, 2, 3].map(secs));
}

#[tokio::test(start_paused = true)]
async fn the_budget_state_reports_the_limit_in_credits() {
    let fake = FakeVendor::new(|_, _| answered(400, 390, 3));
    let upstream = engine_with(fake, UpstreamConfig::default());
    upstream.send(get("/api/v2/tickets").cost(3)).await.unwrap();
    let state = upstream.budget_state(&account()).await.unwrap();
    assert_eq!(state.limit, Some(400));
    assert_eq!(state.remaining, Some(390));
    assert_eq!(state.paced_per_minute, Some(360));
}
