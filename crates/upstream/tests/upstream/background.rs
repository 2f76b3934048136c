//! Background work (a connection's change sync) on the same engine as tenant calls, on
//! tokio's paused clock against a vendor that refuses anything over its limit in any sliding
//! minute: held to its share of the account's pace, yielding to tenant calls, never the cause
//! of a 429.

use std::time::Duration;

use deskgate_upstream::Upstream;
use tokio::time::Instant;

use crate::support::fake::{all_near, engine, get, join_all, key, secs, walk};
use crate::support::quota::{Quota, most_in_any_window};

/// The account's limit per minute, as the vendor reports it.
const LIMIT: u32 = 100;
const SHARE: f64 = 0.2;
const TENANT: &str = "/api/v2/tickets";
const SYNC: &str = "/api/v2/incremental/tickets/cursor";

/// A tenant's backend calling as fast as it is answered until `until`.
async fn tenant(upstream: Upstream, until: Instant) {
    while Instant::now() < until {
        let answer = upstream.send(get(TENANT).deadline(secs(60))).await.unwrap();
        assert_eq!(answer.status(), 200);
    }
}

fn spawn_syncs(upstream: &Upstream, n: usize, until: Instant) -> Vec<tokio::task::JoinHandle<()>> {
    (0..n)
        .map(|_| {
            let sync = || get(SYNC).deadline(secs(10));
            tokio::spawn(walk(upstream.background(SHARE), sync, until))
        })
        .collect()
}

/// What the sync spent of the account's budget over `minutes`, as a benchmark prints it.
async fn share_used(upstream: &Upstream, minutes: u32) -> f64 {
    let state = upstream.budget_state(&key()).await.unwrap();
    state.background_spent as f64 / f64::from(LIMIT * minutes)
}

#[tokio::test(start_paused = true)]
async fn background_demand_alone_stays_within_its_share_of_the_limit() {
    let quota = Quota::new(LIMIT, vec![]);
    let upstream = engine(quota.fake.clone());
    let until = Instant::now() + secs(600);
    join_all(spawn_syncs(&upstream, 4, until)).await;

    let sent = quota.accepted(SYNC);
    let most = most_in_any_window(&sent, secs(60));
    let share = share_used(&upstream, 10).await;
    println!(
        "background alone: {} requests in 10 minutes, at most {most} in a minute, {:.1} % of the budget",
        sent.len(),
        share * 100.0
    );
    assert_eq!(quota.refused(), 0);
    assert!(
        most <= (SHARE * f64::from(LIMIT)) as usize,
        "{most} in a minute"
    );
    // Nor is it starved: its share of the 90 a minute paced is 18.
    assert!(sent.len() >= 170, "{} requests", sent.len());
    assert!(share <= SHARE, "{share}");
    let state = upstream.budget_state(&key()).await.unwrap();
    assert_eq!(state.background_spent, sent.len() as u64);
    assert_eq!(state.foreground_spent, 0);
}

#[tokio::test(start_paused = true)]
async fn background_work_waits_for_the_probe_like_any_request() {
    let quota = Quota::new(LIMIT, vec![]);
    let upstream = engine(quota.fake.clone());
    let calls: Vec<_> = (0..3)
        .map(|_| {
            let sync = upstream.background(SHARE);
            tokio::spawn(async move { sync.send(get(SYNC).deadline(secs(30))).await })
        })
        .collect();
    assert!(join_all(calls).await.iter().all(Result::is_ok));
    // The probe alone, then one as soon as it answered (the share pacer was idle), then the
    // share's pace: one per 5 of the account's intervals of 2/3 s.
    let interval = secs(60).div_f64(90.0);
    let probe_answered = Duration::from_millis(50);
    let sent = quota.accepted(SYNC);
    let expected = [
        Duration::ZERO,
        probe_answered,
        probe_answered + interval * 5,
    ];
    assert!(all_near(&sent, &expected), "{sent:?}");
}

#[tokio::test(start_paused = true)]
async fn tenant_load_at_the_limit_leaves_background_work_nothing_and_meets_no_429() {
    let quota = Quota::new(LIMIT, vec![]);
    let upstream = engine(quota.fake.clone());
    upstream.send(get(TENANT)).await.unwrap();
    let until = Instant::now() + secs(300);
    let tenants: Vec<_> = (0..20)
        .map(|_| tokio::spawn(tenant(upstream.clone(), until)))
        .collect();
    // The tenants' calls are queued on the pacer before any sync asks.
    tokio::time::sleep(secs(1)).await;
    let syncs = spawn_syncs(&upstream, 2, until);
    join_all(tenants).await;
    join_all(syncs).await;

    let tenant_sent = quota.accepted(TENANT);
    let background = quota.accepted(SYNC).len();
    println!(
        "tenant load at the limit: {} tenant calls in 5 minutes, {background} background",
        tenant_sent.len()
    );
    assert_eq!(quota.refused(), 0);
    assert_eq!(background, 0);
    assert!(most_in_any_window(&quota.accepted("/"), secs(60)) <= LIMIT as usize);
    // The tenants get the whole pace: 90 a minute.
    assert!(tenant_sent.len() >= 440, "{}", tenant_sent.len());
    let state = upstream.budget_state(&key()).await.unwrap();
    assert_eq!(state.background_spent, 0);
    assert_eq!(state.foreground_spent, tenant_sent.len() as u64);
}

#[tokio::test(start_paused = true)]
async fn mixed_load_stays_under_the_limit_and_no_tenant_call_waits_behind_background_work() {
    let quota = Quota::new(LIMIT, vec![]);
    let origin = Instant::now();
    let upstream = engine(quota.fake.clone());
    // A tenant call learns the limit first: a sync's request could be the probe as well,
    // and a tenant call coming meanwhile would wait for its answer like for any probe.
    upstream.send(get(TENANT)).await.unwrap();
    let start = Instant::now();
    let until = start + secs(600);
    let syncs = spawn_syncs(&upstream, 4, until);
    // A tenant call every 1.2 s (50 a minute), each on its own, as a backend's traffic comes.
    let arrivals: Vec<Duration> = (0..500).map(|k| Duration::from_millis(1_200 * k)).collect();
    let mut tenants = Vec::new();
    for at in &arrivals {
        tokio::time::sleep_until(start + *at).await;
        let upstream = upstream.clone();
        tenants.push(tokio::spawn(async move {
            upstream.send(get(TENANT).deadline(secs(10))).await
        }));
    }
    assert!(join_all(tenants).await.iter().all(Result::is_ok));
    join_all(syncs).await;

    let everything = quota.accepted("/");
    let background = quota.accepted(SYNC);
    let most = most_in_any_window(&everything, secs(60));
    let share = share_used(&upstream, 10).await;
    println!(
        "mixed load: 500 tenant calls, {} background in 10 minutes, at most {most} a minute, \
         background {:.1} % of the budget",
        background.len(),
        share * 100.0
    );
    assert_eq!(quota.refused(), 0);
    assert!(most <= LIMIT as usize, "{most} in a minute");
    let arrived: Vec<Duration> = arrivals.iter().map(|at| *at + (start - origin)).collect();
    assert_eq!(
        quota.accepted(TENANT)[1..],
        arrived,
        "every tenant call went the moment it came"
    );
    assert!(background.len() >= 170, "{}", background.len());
    assert!(share <= SHARE, "{share}");
    let state = upstream.budget_state(&key()).await.unwrap();
    assert_eq!(state.foreground_spent, 501);
    assert_eq!(state.background_spent, background.len() as u64);
}
