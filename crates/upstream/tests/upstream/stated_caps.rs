//! An endpoint's documented cap, stated by its requests (Zendesk's incremental exports: 10
//! requests a minute): paced from the first request, so that cap's 429 never comes; one
//! that comes anyway (someone else spent the quota) blocks the endpoint as any endpoint 429.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use deskgate_upstream::{BudgetKey, UpstreamError, UpstreamRequest};
use tokio::time::Instant;

use crate::support::fake::{
    FakeVendor, Reply, all_near, engine, get, join_all, key, near, response, secs, walk,
};
use crate::support::quota::{Quota, most_in_any_window};

const EXPORT: &str = "/api/v2/incremental/tickets/cursor";

fn export_key() -> BudgetKey {
    key().endpoint("incremental_export").unwrap()
}

fn export() -> UpstreamRequest {
    get(EXPORT)
        .endpoint_budget(export_key())
        .endpoint_limit(10, secs(60))
}

#[tokio::test(start_paused = true)]
async fn a_stated_cap_is_kept_from_the_first_request_and_its_429_never_comes() {
    let quota = Quota::new(700, vec![("/api/v2/incremental/", 10, secs(60))]);
    let upstream = engine(quota.fake.clone());
    let until = Instant::now() + secs(600);
    // A sync walking the export as fast as it is let, and 30 more callers all at once.
    let walker = tokio::spawn(walk(
        upstream.clone(),
        || export().deadline(secs(120)),
        until,
    ));
    let burst: Vec<_> = (0..30)
        .map(|_| {
            let upstream = upstream.clone();
            tokio::spawn(async move { upstream.send(export().deadline(secs(600))).await })
        })
        .collect();
    assert!(join_all(burst).await.iter().all(Result::is_ok));
    walker.await.unwrap();

    let sent = quota.accepted(EXPORT);
    let most = most_in_any_window(&sent, secs(60));
    println!(
        "stated cap 10/min: {} exports in 10 minutes, at most {most} in a minute, {} refused",
        sent.len(),
        quota.refused()
    );
    assert_eq!(quota.refused(), 0);
    assert!(most <= 9, "{most} in a minute");
    assert!(sent.len() >= 88, "{}", sent.len());
    // From the first request on: the second goes one interval (60 / 9 s) after it.
    assert!(near(sent[1] - sent[0], secs(60).div_f64(9.0)), "{sent:?}");
    let state = upstream.budget_state(&export_key()).await.unwrap();
    assert_eq!(state.limit, Some(10));
    assert_eq!(state.paced_per_minute, Some(9));
    assert_eq!(state.foreground_spent, sent.len() as u64);
}

#[tokio::test(start_paused = true)]
async fn a_429_under_a_stated_cap_blocks_that_endpoint_only_and_the_pace_stays() {
    // The 3rd export is refused for 30 s while the account has plenty left.
    let exports = Arc::new(AtomicUsize::new(0));
    let fake = FakeVendor::new(move |_, request| {
        let zendesk = |status, remaining: &str| {
            let mut headers = vec![
                ("x-rate-limit", "700".to_owned()),
                ("x-rate-limit-remaining", remaining.to_owned()),
            ];
            if status == 429 {
                headers.push(("retry-after", "30".to_owned()));
            }
            Reply::Respond(response(status, &headers))
        };
        if request.url.path() == EXPORT && exports.fetch_add(1, Ordering::SeqCst) == 2 {
            return zendesk(429, "690");
        }
        zendesk(200, "690")
    });
    let upstream = engine(fake.clone());
    for _ in 0..5 {
        upstream.send(export().deadline(secs(120))).await.unwrap();
    }
    let interval = secs(60).div_f64(9.0);
    let export_times: Vec<Duration> = fake
        .calls()
        .iter()
        .filter(|call| call.url.contains("incremental"))
        .map(|call| call.at)
        .collect();
    // The 3rd is refused and tried again when the block ends; the pace goes on from there.
    let unblocked = interval * 2 + secs(30);
    let expected = [
        Duration::ZERO,
        interval,
        interval * 2,
        unblocked,
        unblocked + interval,
        unblocked + interval * 2,
    ];
    assert!(all_near(&export_times, &expected), "{export_times:?}");
    // Meanwhile the rest of the account went on.
    let other = upstream.send(get("/api/v2/users/me")).await.unwrap();
    assert_eq!(other.status(), 200);
    let state = upstream.budget_state(&export_key()).await.unwrap();
    assert_eq!(state.limit, Some(10));
    assert_eq!(state.paced_per_minute, Some(9));
    assert_eq!(
        upstream.budget_state(&key()).await.unwrap().blocked_until,
        None
    );
}

#[tokio::test(start_paused = true)]
async fn a_stated_cap_needs_an_endpoint_budget_and_a_window() {
    let fake = FakeVendor::new(|_, _| Reply::Respond(response(200, &[])));
    let upstream = engine(fake.clone());
    for request in [
        get(EXPORT).endpoint_limit(10, secs(60)),
        get(EXPORT)
            .endpoint_budget(export_key())
            .endpoint_limit(10, Duration::ZERO),
    ] {
        let err = upstream.send(request).await.unwrap_err();
        assert!(
            matches!(err, UpstreamError::InvalidRequest { .. }),
            "{err:?}"
        );
    }
    assert!(fake.calls().is_empty());
}
