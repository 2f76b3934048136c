//! Three replicas calling one account, on tokio's paused clock against a vendor counting in
//! fixed minutes and reporting its reset: under ten times the allowance each paces at its
//! share, corrected by what the vendor says is left, so that together they use the window and
//! almost never meet its 429; when one dies, the others take its share.

use std::sync::Arc;
use std::time::Duration;

use deskgate_upstream::{
    MemoryBlockRegistry, Replicas, TokioWallClock, Upstream, UpstreamConfig, UpstreamError,
};
use tokio::time::Instant;

use crate::support::fake::{epoch, get, join_all, secs};
use crate::support::window::FixedWindow;

/// The account's limit per minute.
const LIMIT: u32 = 600;

fn replica(vendor: &FixedWindow, registry: &Arc<MemoryBlockRegistry>, live: u32) -> Upstream {
    let replicas = Replicas::alone();
    replicas.set(live);
    Upstream::builder(UpstreamConfig::default())
        .transport(vendor.fake.clone())
        .block_registry(registry.clone())
        .wall_clock(Arc::new(TokioWallClock::starting_at(epoch())))
        .replicas(replicas)
        .build()
        .unwrap()
}

/// What the callers of one replica got.
#[derive(Debug, Default)]
struct Load {
    answered: u32,
    /// Refused by the engine, at once or within the deadline, as `RateLimited`.
    refused: u32,
    /// The longest a caller waited for its answer.
    longest: Duration,
}

/// Offers `per_second` calls a second through `upstream` until `until`, each with the
/// engine's default deadline.
async fn offer(upstream: Upstream, per_second: u32, until: Instant) -> Load {
    let mut tick = tokio::time::interval(Duration::from_secs(1) / per_second);
    let mut calls = Vec::new();
    loop {
        tick.tick().await;
        if Instant::now() >= until {
            break;
        }
        let upstream = upstream.clone();
        calls.push(tokio::spawn(async move {
            let start = Instant::now();
            let result = upstream.send(get("/api/v2/tickets")).await;
            (result.map(|answer| answer.status()), start.elapsed())
        }));
    }
    let mut load = Load::default();
    for (result, took) in join_all(calls).await {
        load.longest = load.longest.max(took);
        match result {
            Ok(status) if status == 200 => load.answered += 1,
            Err(UpstreamError::RateLimited { .. }) => load.refused += 1,
            other => panic!("{other:?}"),
        }
    }
    load
}

#[tokio::test(start_paused = true)]
async fn three_replicas_use_the_window_without_429s_and_survivors_take_a_dead_ones_share() {
    let vendor = FixedWindow::new(LIMIT, secs(60), Duration::from_millis(50));
    let registry = Arc::new(MemoryBlockRegistry::new());
    let replicas: Vec<Upstream> = (0..3).map(|_| replica(&vendor, &registry, 3)).collect();
    let start = Instant::now();
    // Ten times the allowance, spread over the replicas: 100 calls a second in all.
    let per_replica = LIMIT * 10 / 60 / 3;
    // The third replica dies after three minutes; its heartbeat lapses, and the others count
    // two live replicas at most 4 s later (a beat a second, dead after 3 s).
    let dies_at = start + secs(180);
    let ends_at = start + secs(300);
    let loads: Vec<_> = replicas
        .iter()
        .enumerate()
        .map(|(i, upstream)| {
            let until = if i == 2 { dies_at } else { ends_at };
            tokio::spawn(offer(upstream.clone(), per_replica, until))
        })
        .collect();
    tokio::time::sleep_until(dies_at + secs(4)).await;
    for upstream in &replicas[..2] {
        upstream.replicas().set(2);
    }
    let loads = join_all(loads).await;

    let accepted = vendor.accepted();
    let sent: u32 = accepted.iter().sum::<u32>() + vendor.refused() as u32;
    println!(
        "accepted per minute {accepted:?}, {} refused, {loads:?}",
        vendor.refused()
    );
    let used: Vec<f64> = accepted[..5]
        .iter()
        .map(|n| f64::from(*n) / f64::from(LIMIT))
        .collect();
    let refused_share = vendor.refused() as f64 / f64::from(sent);
    println!(
        "three replicas, 10x a {LIMIT}/min limit for 5 min, one dead at 3 min: \
         accepted per minute {accepted:?}, {} upstream 429s of {sent} ({:.2} %), callers {loads:?}",
        vendor.refused(),
        refused_share * 100.0
    );
    for (minute, used) in used.iter().enumerate() {
        assert!(*used >= 0.97, "minute {minute}: {:.1} % used", used * 100.0);
    }
    assert!(
        refused_share <= 0.005,
        "{:.2} % 429s",
        refused_share * 100.0
    );
    for load in &loads {
        assert!(
            load.longest <= secs(10) + Duration::from_millis(200),
            "{load:?}"
        );
        assert!(load.answered > 0 && load.refused > 0, "{load:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_replica_alone_on_an_account_is_not_held_to_a_third() {
    // Three replicas are live, but only one calls this account: what the vendor says is left
    // lets it spend the window.
    let vendor = FixedWindow::new(LIMIT, secs(60), Duration::from_millis(50));
    let registry = Arc::new(MemoryBlockRegistry::new());
    let upstream = replica(&vendor, &registry, 3);
    let load = offer(upstream, LIMIT * 10 / 60, Instant::now() + secs(120)).await;
    let accepted = vendor.accepted();
    println!("one replica of three calling: accepted per minute {accepted:?}, {load:?}");
    assert_eq!(vendor.refused(), 0);
    for n in &accepted[..2] {
        assert!(f64::from(*n) >= 0.9 * f64::from(LIMIT), "{accepted:?}");
    }
}
