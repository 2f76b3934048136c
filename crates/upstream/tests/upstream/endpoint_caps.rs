//! Per-endpoint caps (Freshdesk's tickets list 20/min on Growth while the account has 200
//! credits): a 429 while the account still had credits blocks only the endpoint's key, a 429
//! with the account spent blocks the account, and the cap is learned from the 429.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use deskgate_upstream::{
    MemoryBlockRegistry, TokioWallClock, Upstream, UpstreamConfig, UpstreamError,
};

use crate::support::fake::{FakeVendor, all_near, engine, epoch, join_all, near, secs};
use crate::support::freshdesk::{
    account, answered, endpoint, get, list_contacts, list_tickets, path_of, refused,
};

/// When the vendor saw each call to `path`.
fn times_of(fake: &FakeVendor, path: &str) -> Vec<Duration> {
    fake.calls()
        .into_iter()
        .filter(|call| path_of(&call.url) == path)
        .map(|call| call.at)
        .collect()
}

fn rate_limited(result: Result<deskgate_upstream::UpstreamResponse, UpstreamError>) -> Duration {
    match result {
        Err(UpstreamError::RateLimited { retry_after }) => retry_after,
        other => panic!("expected a rate-limit failure, got {other:?}"),
    }
}

/// A vendor whose tickets list takes 3 calls and refuses the 4th for 30 s, while the account
/// keeps 990 of its 1000 credits.
fn tickets_list_capped_at_three() -> Arc<FakeVendor> {
    let tickets = Arc::new(AtomicUsize::new(0));
    FakeVendor::new(move |_, request| {
        if request.url.path() == "/api/v2/tickets" && tickets.fetch_add(1, Ordering::SeqCst) == 3 {
            return refused(30, Some((1000, 990)));
        }
        answered(1000, 990, 1)
    })
}

#[tokio::test(start_paused = true)]
async fn an_endpoint_cap_blocks_that_endpoint_while_the_rest_of_the_account_goes_out() {
    let fake = tickets_list_capped_at_three();
    let upstream = engine(fake.clone());
    for _ in 0..3 {
        upstream.send(list_tickets()).await.unwrap();
    }
    let start = tokio::time::Instant::now();

    let capped = upstream.send(list_tickets().deadline(secs(10))).await;
    assert_eq!(rate_limited(capped), secs(30));
    assert_eq!(
        tokio::time::Instant::now(),
        start,
        "failing fast means not sleeping"
    );
    assert_eq!(upstream.send(list_contacts()).await.unwrap().status(), 200);
    assert_eq!(
        upstream
            .send(get("/api/v2/agents/me"))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(times_of(&fake, "/api/v2/contacts"), [secs(0)]);
    assert_eq!(times_of(&fake, "/api/v2/agents/me"), [secs(0)]);

    let tickets = upstream
        .budget_state(&endpoint("tickets_list"))
        .await
        .unwrap();
    assert_eq!(
        tickets.blocked_until,
        Some(epoch() + chrono::Duration::seconds(30))
    );
    assert_eq!(
        tickets.limit,
        Some(3),
        "the 3 calls before the 429 are the cap"
    );
    assert_eq!(tickets.paced_per_minute, Some(2));
    assert_eq!(tickets.remaining, None);
    let account_state = upstream.budget_state(&account()).await.unwrap();
    assert_eq!(account_state.blocked_until, None);
    assert_eq!(account_state.remaining, Some(990));
    let contacts = upstream
        .budget_state(&endpoint("contacts_list"))
        .await
        .unwrap();
    assert_eq!((contacts.limit, contacts.blocked_until), (None, None));
    let mut keys: Vec<String> = upstream
        .budget_states()
        .into_iter()
        .map(|(key, _)| key.to_string())
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "freshdesk:acme",
            "freshdesk:acme/contacts_list",
            "freshdesk:acme/tickets_list"
        ]
    );

    // A caller with time to wait goes when the block ends.
    let answer = upstream
        .send(list_tickets().deadline(secs(60)))
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(
        times_of(&fake, "/api/v2/tickets"),
        [0, 0, 0, 0, 30].map(secs)
    );
}

#[tokio::test(start_paused = true)]
async fn an_endpoint_block_is_shared_with_other_replicas() {
    let registry = Arc::new(MemoryBlockRegistry::new());
    let replica = |fake: Arc<FakeVendor>| {
        Upstream::builder(UpstreamConfig::default())
            .transport(fake)
            .block_registry(registry.clone())
            .wall_clock(Arc::new(TokioWallClock::starting_at(epoch())))
            .build()
            .unwrap()
    };
    let fake_a = tickets_list_capped_at_three();
    let fake_b = FakeVendor::new(|_, _| answered(1000, 990, 1));
    let (a, b) = (replica(fake_a.clone()), replica(fake_b.clone()));
    for _ in 0..3 {
        a.send(list_tickets()).await.unwrap();
    }
    assert_eq!(
        rate_limited(a.send(list_tickets().deadline(secs(5))).await),
        secs(30)
    );

    tokio::time::sleep(secs(2)).await;
    assert_eq!(
        rate_limited(b.send(list_tickets().deadline(secs(5))).await),
        secs(28)
    );
    assert_eq!(b.send(list_contacts()).await.unwrap().status(), 200);
    assert_eq!(
        b.send(list_tickets().deadline(secs(60)))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        fake_b
            .calls()
            .iter()
            .map(|call| (path_of(&call.url), call.at))
            .collect::<Vec<_>>(),
        [
            ("/api/v2/contacts".to_owned(), secs(2)),
            ("/api/v2/tickets".to_owned(), secs(30)),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_429_with_the_account_spent_blocks_the_whole_account() {
    // The last answer left 1 credit, which a 1-credit request does not exceed: the 429 (with
    // no rate headers of its own) is the account's, not the endpoint's.
    let fake = FakeVendor::new(|n, _| match n {
        0 => answered(100, 1, 1),
        1 => refused(20, None),
        _ => answered(100, 99, 1),
    });
    let upstream = engine(fake.clone());
    upstream.send(list_tickets()).await.unwrap();

    assert_eq!(
        rate_limited(upstream.send(list_tickets().deadline(secs(10))).await),
        secs(20)
    );
    assert_eq!(
        rate_limited(upstream.send(list_contacts().deadline(secs(10))).await),
        secs(20)
    );
    assert_eq!(
        rate_limited(
            upstream
                .send(get("/api/v2/agents/me").deadline(secs(10)))
                .await
        ),
        secs(20)
    );
    assert_eq!(
        fake.calls().len(),
        2,
        "nothing goes out on a blocked account"
    );

    let account_state = upstream.budget_state(&account()).await.unwrap();
    assert_eq!(
        account_state.blocked_until,
        Some(epoch() + chrono::Duration::seconds(20))
    );
    let tickets = upstream
        .budget_state(&endpoint("tickets_list"))
        .await
        .unwrap();
    assert_eq!((tickets.limit, tickets.blocked_until), (None, None));

    upstream
        .send(list_contacts().deadline(secs(60)))
        .await
        .unwrap();
    assert_eq!(times_of(&fake, "/api/v2/contacts"), [secs(20)]);
}

#[tokio::test(start_paused = true)]
async fn a_429_reporting_no_credits_left_blocks_the_account_whatever_was_seen_before() {
    let fake = FakeVendor::new(|n, _| match n {
        0 => answered(100, 50, 1),
        1 => refused(20, Some((100, 0))),
        _ => answered(100, 99, 1),
    });
    let upstream = engine(fake.clone());
    upstream.send(list_tickets()).await.unwrap();
    assert_eq!(
        rate_limited(upstream.send(list_tickets().deadline(secs(10))).await),
        secs(20)
    );
    assert_eq!(
        rate_limited(upstream.send(list_contacts().deadline(secs(10))).await),
        secs(20)
    );
    assert_eq!(fake.calls().len(), 2);
    let account_state = upstream.budget_state(&account()).await.unwrap();
    assert_eq!(account_state.remaining, Some(0));
    assert!(account_state.blocked_until.is_some());
}

/// A vendor counting the tickets list per fixed minute, 3 a minute, refusing the rest until
/// the minute ends; the account always has credits.
fn tickets_list_windowed_at_three() -> (Arc<FakeVendor>, Arc<AtomicUsize>) {
    let window = Arc::new(Mutex::new((Duration::ZERO, 0u32)));
    let refusals = Arc::new(AtomicUsize::new(0));
    let start = tokio::time::Instant::now();
    let fake = FakeVendor::new({
        let refusals = refusals.clone();
        move |_, request| {
            if request.url.path() != "/api/v2/tickets" {
                return answered(1000, 990, 1);
            }
            let now = start.elapsed();
            let mut window = window.lock().unwrap();
            while now >= window.0 + secs(60) {
                *window = (window.0 + secs(60), 0);
            }
            if window.1 >= 3 {
                refusals.fetch_add(1, Ordering::SeqCst);
                let wait = (window.0 + secs(60) - now).as_secs_f64().ceil() as u64;
                return refused(wait, Some((1000, 990)));
            }
            window.1 += 1;
            answered(1000, 990, 1)
        }
    });
    (fake, refusals)
}

#[tokio::test(start_paused = true)]
async fn a_learned_endpoint_cap_paces_later_windows_and_a_slot_past_the_deadline_fails_fast() {
    let (fake, refusals) = tickets_list_windowed_at_three();
    let upstream = engine(fake.clone());
    for _ in 0..3 {
        upstream.send(list_tickets()).await.unwrap();
    }
    // The 4th is refused, waits the minute out and goes at 60 s.
    upstream
        .send(list_tickets().deadline(secs(120)))
        .await
        .unwrap();
    assert_eq!(refusals.load(Ordering::SeqCst), 1);

    // Learned: 3 a minute, paced at 2.7 with a burst of 1, one every 22.2 s.
    let interval = secs(60).div_f64(2.7);
    let waited = rate_limited(upstream.send(list_tickets().deadline(secs(10))).await);
    assert!(near(waited, interval), "{waited:?}");
    // Other endpoints are not held back by this one's pace.
    upstream.send(list_contacts()).await.unwrap();

    let patient: Vec<_> = (0..4)
        .map(|_| {
            let upstream = upstream.clone();
            tokio::spawn(async move { upstream.send(list_tickets().deadline(secs(300))).await })
        })
        .collect();
    assert!(join_all(patient).await.iter().all(Result::is_ok));
    assert_eq!(
        refusals.load(Ordering::SeqCst),
        1,
        "no 429 once the cap is known"
    );

    let tickets = times_of(&fake, "/api/v2/tickets");
    let expected: Vec<Duration> = [0.0, 0.0, 0.0, 0.0, 60.0]
        .into_iter()
        .map(Duration::from_secs_f64)
        .chain((1..=4).map(|k| secs(60) + interval * k))
        .collect();
    assert!(all_near(&tickets, &expected), "{tickets:?}");
    assert!(near(times_of(&fake, "/api/v2/contacts")[0], secs(60)));
}

#[tokio::test(start_paused = true)]
async fn an_endpoint_budget_must_belong_to_the_requests_account() {
    let fake = FakeVendor::new(|_, _| answered(1000, 990, 1));
    let upstream = engine(fake.clone());
    let elsewhere = deskgate_upstream::BudgetKey::new("freshdesk", "other")
        .unwrap()
        .endpoint("tickets_list")
        .unwrap();
    for key in [elsewhere, account()] {
        let err = upstream
            .send(get("/api/v2/tickets").endpoint_budget(key))
            .await
            .unwrap_err();
        assert!(
            matches!(err, UpstreamError::InvalidRequest { .. }),
            "{err:?}"
        );
    }
    assert!(fake.calls().is_empty());
}
