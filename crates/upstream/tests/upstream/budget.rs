//! The rate budget, on tokio's paused clock with a scripted vendor.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use deskgate_upstream::{
    MemoryBlockRegistry, TokioWallClock, Upstream, UpstreamConfig, UpstreamError,
};

use crate::support::fake::{
    FakeVendor, Reply, engine, epoch, get, join_all, key, ok, response, secs,
};

fn too_many(retry_after: u64) -> Reply {
    Reply::Respond(response(429, &[("retry-after", retry_after.to_string())]))
}

#[tokio::test(start_paused = true)]
async fn a_429_with_retry_after_7_sends_nothing_for_7_seconds() {
    let fake = FakeVendor::new(|n, _| if n == 0 { too_many(7) } else { ok() });
    let upstream = engine(fake.clone());

    let first = tokio::spawn({
        let upstream = upstream.clone();
        async move { upstream.send(get("/api/v2/tickets")).await }
    });
    // A second caller arrives at t=1 s while the account is blocked.
    tokio::time::sleep(secs(1)).await;
    let second = upstream.send(get("/api/v2/tickets")).await.unwrap();
    let first = first.await.unwrap().unwrap();

    assert_eq!(first.status(), 200);
    assert_eq!(first.attempts(), 2);
    assert_eq!(second.status(), 200);
    let times = fake.call_times();
    assert_eq!(times[0], Duration::ZERO);
    assert!(times[1..].iter().all(|at| *at == secs(7)), "{times:?}");
    assert_eq!(times.len(), 3);
}

#[tokio::test(start_paused = true)]
async fn concurrent_callers_on_a_blocked_account_all_wait_or_all_fail_fast_by_deadline() {
    let fake = FakeVendor::new(|n, _| if n == 0 { too_many(7) } else { ok() });
    let upstream = engine(fake.clone());
    // The first caller's deadline is shorter than the block: it fails at once, at t=0.
    let err = upstream
        .send(get("/api/v2/tickets").deadline(secs(5)))
        .await
        .unwrap_err();
    assert_eq!(err.retry_after(), Some(secs(7)));
    assert_eq!(fake.elapsed(), Duration::ZERO);

    let patient: Vec<_> = (0..10)
        .map(|_| {
            let upstream = upstream.clone();
            tokio::spawn(async move {
                upstream
                    .send(get("/api/v2/tickets").deadline(secs(10)))
                    .await
            })
        })
        .collect();
    let hasty: Vec<_> = (0..10)
        .map(|_| {
            let upstream = upstream.clone();
            tokio::spawn(async move {
                let result = upstream
                    .send(get("/api/v2/tickets").deadline(secs(3)))
                    .await;
                (result, tokio::time::Instant::now())
            })
        })
        .collect();
    let start = tokio::time::Instant::now();
    let hasty = join_all(hasty).await;
    let patient = join_all(patient).await;

    for (result, finished) in &hasty {
        match result {
            Err(UpstreamError::RateLimited { retry_after }) => assert_eq!(*retry_after, secs(7)),
            other => panic!("expected a fast rate-limit failure, got {other:?}"),
        }
        assert_eq!(*finished, start, "failing fast means not sleeping first");
    }
    assert!(
        patient
            .iter()
            .all(|r| r.as_ref().is_ok_and(|r| r.status() == 200))
    );
    let times = fake.call_times();
    assert_eq!(times.len(), 11);
    assert!(times[1..].iter().all(|at| *at >= secs(7)), "{times:?}");
}

#[tokio::test(start_paused = true)]
async fn a_wait_that_leaves_no_time_for_the_request_fails_at_once_as_rate_limited() {
    let fake = FakeVendor::new(|n, _| if n == 0 { too_many(10) } else { ok() });
    let upstream = engine(fake.clone());
    let start = tokio::time::Instant::now();
    // The block ends exactly at the deadline: waiting for it could only end in a timeout,
    // after spending a call of the account's quota.
    let err = upstream
        .send(get("/api/v2/tickets").deadline(secs(10)))
        .await
        .unwrap_err();
    assert!(
        matches!(err, UpstreamError::RateLimited { retry_after } if retry_after == secs(10)),
        "{err:?}"
    );
    assert_eq!(
        tokio::time::Instant::now(),
        start,
        "failing fast means not sleeping first"
    );
    assert_eq!(fake.call_times().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn replicas_sharing_a_registry_honor_each_others_blocks() {
    let registry = Arc::new(MemoryBlockRegistry::new());
    let replica = |fake: Arc<FakeVendor>| {
        Upstream::builder(UpstreamConfig::default())
            .transport(fake)
            .block_registry(registry.clone())
            .wall_clock(Arc::new(TokioWallClock::starting_at(epoch())))
            .build()
            .unwrap()
    };
    let fake_a = FakeVendor::new(|_, _| too_many(7));
    let fake_b = FakeVendor::new(|_, _| ok());
    let (a, b) = (replica(fake_a.clone()), replica(fake_b.clone()));

    let err = a
        .send(get("/api/v2/tickets").deadline(secs(1)))
        .await
        .unwrap_err();
    assert_eq!(err.retry_after(), Some(secs(7)));
    tokio::time::sleep(secs(2)).await;
    let answer = b.send(get("/api/v2/tickets")).await.unwrap();

    assert_eq!(answer.status(), 200);
    assert_eq!(fake_b.call_times(), vec![secs(7)]);
}

#[tokio::test(start_paused = true)]
async fn the_first_request_probes_alone_and_the_rest_follow_its_answer() {
    let fake = FakeVendor::new(|_, _| {
        let headers = [
            ("x-rate-limit", "700".to_owned()),
            ("x-rate-limit-remaining", "650".to_owned()),
        ];
        Reply::After(Duration::from_millis(100), response(200, &headers))
    });
    let upstream = engine(fake.clone());
    let calls: Vec<_> = (0..5)
        .map(|_| {
            let upstream = upstream.clone();
            tokio::spawn(async move { upstream.send(get("/api/v2/tickets")).await })
        })
        .collect();
    assert!(join_all(calls).await.iter().all(Result::is_ok));

    let times = fake.call_times();
    assert_eq!(times[0], Duration::ZERO);
    assert!(
        times[1..]
            .iter()
            .all(|at| *at == Duration::from_millis(100)),
        "{times:?}"
    );
    let state = upstream.budget_state(&key()).await.unwrap();
    assert_eq!(state.limit, Some(700));
    assert_eq!(state.remaining, Some(650));
    assert_eq!(state.paced_per_minute, Some(630));
    assert_eq!(state.blocked_until, None);
}

#[tokio::test(start_paused = true)]
async fn intercom_429_blocks_until_the_reset_epoch() {
    let reset = (epoch().timestamp() + 4).to_string();
    let fake = FakeVendor::new(move |n, _| {
        let headers = [
            ("x-ratelimit-limit", "1000".to_owned()),
            ("x-ratelimit-remaining", "0".to_owned()),
            ("x-ratelimit-reset", reset.clone()),
        ];
        if n == 0 {
            Reply::Respond(response(429, &headers))
        } else {
            ok()
        }
    });
    let upstream = engine(fake.clone());
    upstream.send(get("/api/v2/tickets")).await.unwrap();
    assert_eq!(fake.call_times(), vec![Duration::ZERO, secs(4)]);
}

#[tokio::test(start_paused = true)]
async fn a_429_without_any_hint_backs_off_exponentially() {
    let fake = FakeVendor::new(|n, _| {
        if n < 2 {
            Reply::Respond(response(429, &[]))
        } else {
            ok()
        }
    });
    let upstream = engine(fake.clone());
    upstream.send(get("/api/v2/tickets")).await.unwrap();
    assert_eq!(fake.call_times(), vec![Duration::ZERO, secs(1), secs(3)]);
}

#[tokio::test(start_paused = true)]
async fn the_block_is_visible_in_the_budget_state() {
    let fake = FakeVendor::new(|_, _| too_many(30));
    let upstream = engine(fake.clone());
    let err = upstream.send(get("/api/v2/tickets")).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(secs(30)));
    let state = upstream.budget_state(&key()).await.unwrap();
    assert_eq!(
        state.blocked_until,
        Some(epoch() + chrono::Duration::seconds(30))
    );
    assert_eq!(upstream.budget_states().len(), 1);
}

/// A vendor with a fixed per-minute window, as Zendesk and Freshdesk count.
struct WindowedVendor {
    limit: u32,
    window_start: Duration,
    used: u32,
}

#[tokio::test(start_paused = true)]
async fn a_burst_of_ten_times_the_limit_gets_at_most_a_handful_of_429s() {
    const LIMIT: u32 = 30;
    let vendor = Arc::new(Mutex::new(WindowedVendor {
        limit: LIMIT,
        window_start: Duration::ZERO,
        used: 0,
    }));
    let fake = FakeVendor::new({
        let vendor = vendor.clone();
        let start = tokio::time::Instant::now();
        move |_, _| {
            let now = start.elapsed();
            let mut v = vendor.lock().unwrap();
            while now >= v.window_start + secs(60) {
                v.window_start += secs(60);
                v.used = 0;
            }
            if v.used >= v.limit {
                let wait = (v.window_start + secs(60) - now).as_secs_f64().ceil() as u64;
                return Reply::Respond(response(429, &[("retry-after", wait.to_string())]));
            }
            v.used += 1;
            let headers = [
                ("x-rate-limit", v.limit.to_string()),
                ("x-rate-limit-remaining", (v.limit - v.used).to_string()),
            ];
            Reply::After(Duration::from_millis(50), response(200, &headers))
        }
    });
    let upstream = engine(fake.clone());
    let burst: Vec<_> = (0..LIMIT * 10)
        .map(|_| {
            let upstream = upstream.clone();
            tokio::spawn(async move {
                upstream
                    .send(get("/api/v2/tickets").deadline(secs(20 * 60)))
                    .await
            })
        })
        .collect();
    let results = join_all(burst).await;

    let rejected = fake.calls().len() - results.len();
    let failed = results.iter().filter(|r| r.is_err()).count();
    println!(
        "burst of {} requests at a limit of {LIMIT}/min: {rejected} got a 429, {failed} failed",
        results.len()
    );
    assert_eq!(failed, 0);
    assert!(rejected <= 3, "{rejected} requests got a 429");
}
