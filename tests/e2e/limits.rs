//! Inbound limits: request rates per API key and per tenant (429 `rate_limited`, with
//! `Retry-After`, `RateLimit` and `RateLimit-Policy`), and the cap of calls in flight through
//! one connection (429 `connection_busy`). Each test prints what it measured; docs/security.md
//! ("Inbound limits") quotes the figures.

#![allow(clippy::print_stdout)] // the figures, for `--nocapture`

use std::time::{Duration, Instant};

use deskgate_app::limits::{LimitSettings, Rate};
use deskgate_app::{AppSettings, RequestContext};
use deskgate_sandbox::FaultConfig;
use deskgate_tests::{Backend, TestApp, accounts, backends, read};
use secrecy::ExposeSecret;

backends!(
    a_key_past_its_limit_is_refused_with_retry_after_and_the_headers_say_why,
    a_second_key_of_the_tenant_is_held_back_by_the_tenant_limit_and_others_are_not,
    a_burst_of_requests_is_answered_up_to_the_rate_and_refused_beyond,
    the_in_flight_cap_refuses_one_more_call_at_once_and_gives_the_slot_back,
    a_call_whose_client_goes_away_gives_its_slot_back,
);

/// Limits small enough to reach in a few requests; a cell comes back only once a minute, so
/// nothing refills while a test runs.
fn small(key_burst: u32, tenant_burst: u32) -> AppSettings {
    AppSettings {
        limits: LimitSettings {
            key: Rate {
                per_minute: 1,
                burst: key_burst,
            },
            tenant: Rate {
                per_minute: 1,
                burst: tenant_burst,
            },
            ..LimitSettings::default()
        },
        ..AppSettings::default()
    }
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    res.headers().get(name).and_then(|v| v.to_str().ok())
}

async fn a_key_past_its_limit_is_refused_with_retry_after_and_the_headers_say_why(
    backend: Backend,
) {
    let t = TestApp::spawn_with(backend, small(3, 10)).await;
    let tenant = t.tenant("acme").await;
    for left in [2, 1, 0] {
        let res = t.get("/v1/api-keys", &tenant.key).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(
            header(&res, "ratelimit-policy"),
            Some("\"key\";q=3;w=180, \"tenant\";q=10;w=600")
        );
        let limit = header(&res, "ratelimit").unwrap();
        assert!(
            limit.starts_with(&format!("\"key\";r={left};t=")),
            "{limit}"
        );
        assert!(
            limit.contains(&format!("\"tenant\";r={};t=", 7 + left)),
            "{limit}"
        );
    }
    let res = t.get("/v1/api-keys", &tenant.key).send().await.unwrap();
    assert_eq!(res.status(), 429);
    assert_eq!(
        header(&res, "content-type"),
        Some("application/problem+json")
    );
    let retry_after: u64 = header(&res, "retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert!(
        header(&res, "ratelimit")
            .unwrap()
            .starts_with("\"key\";r=0;t="),
        "{:?}",
        header(&res, "ratelimit")
    );
    assert!(header(&res, "ratelimit-policy").is_some());
    let (_, v) = read(res).await;
    assert_eq!(v["code"], "rate_limited");
    assert_eq!(v["status"], 429);
    assert!(v["detail"].as_str().unwrap().contains("API key"), "{v}");
    println!(
        "a key with a burst of 3: requests 1-3 answered 200, the 4th 429, Retry-After {retry_after} s"
    );

    // A request without a valid key charges no one and carries no limit headers.
    let res = t
        .get(
            "/v1/api-keys",
            "dg_live_00000000000000000000000000000000_00",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(header(&res, "ratelimit").is_none());
    // Routes that take no key are not limited.
    let res = t.http.get(t.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(header(&res, "ratelimit").is_none());
}

async fn a_second_key_of_the_tenant_is_held_back_by_the_tenant_limit_and_others_are_not(
    backend: Backend,
) {
    let t = TestApp::spawn_with(backend, small(3, 5)).await;
    let tenant = t.tenant("acme").await;
    let second = t
        .app
        .create_api_key(tenant.id, "second", None, &RequestContext::operator())
        .await
        .unwrap()
        .secret
        .expose_secret()
        .to_owned();
    let other = t.tenant("globex").await;

    let mut statuses = Vec::new();
    // The first key: its own burst of 3, then refused by its key limit, which spends
    // nothing of the tenant's.
    for _ in 0..5 {
        statuses.push(
            t.get("/v1/api-keys", &tenant.key)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    // The second key has a burst of its own, but the tenant only 2 left.
    let mut second_statuses = Vec::new();
    let mut refusal = None;
    for _ in 0..3 {
        let res = t.get("/v1/api-keys", &second).send().await.unwrap();
        second_statuses.push(res.status().as_u16());
        if res.status() == 429 {
            let limit = header(&res, "ratelimit").unwrap().to_owned();
            refusal = Some((limit, read(res).await.1));
        }
    }
    assert_eq!(second_statuses, [200, 200, 429]);
    let (limit, v) = refusal.unwrap();
    assert!(limit.starts_with("\"tenant\";r=0;t="), "{limit}");
    assert_eq!(v["code"], "rate_limited");
    assert!(v["detail"].as_str().unwrap().contains("tenant"), "{v}");
    // Another tenant is not held back.
    let res = t.get("/v1/api-keys", &other.key).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        header(&res, "ratelimit")
            .unwrap()
            .starts_with("\"key\";r=2;"),
        "{:?}",
        header(&res, "ratelimit")
    );
    println!(
        "key burst 3, tenant burst 5: first key {statuses:?}, second key {second_statuses:?}, \
         another tenant 200"
    );
}

async fn a_burst_of_requests_is_answered_up_to_the_rate_and_refused_beyond(backend: Backend) {
    // 600 a minute (10 a second), 5 at once.
    let settings = AppSettings {
        limits: LimitSettings {
            key: Rate {
                per_minute: 600,
                burst: 5,
            },
            ..LimitSettings::default()
        },
        ..AppSettings::default()
    };
    let t = TestApp::spawn_with(backend, settings).await;
    let tenant = t.tenant("acme").await;
    let started = Instant::now();
    let (mut answered, mut refused, mut retry_after) = (0u32, 0u32, Vec::new());
    for _ in 0..40 {
        let res = t.get("/v1/api-keys", &tenant.key).send().await.unwrap();
        match res.status().as_u16() {
            200 => answered += 1,
            429 => {
                refused += 1;
                retry_after.push(header(&res, "retry-after").unwrap().parse::<u64>().unwrap());
            }
            other => panic!("unexpected status {other}"),
        }
    }
    let elapsed = started.elapsed();
    retry_after.sort_unstable();
    retry_after.dedup();
    println!(
        "40 requests in {elapsed:.2?} ({:.0}/s) at 10/s, burst 5: {answered} answered, \
         {refused} x 429, Retry-After values {retry_after:?}",
        40.0 / elapsed.as_secs_f64()
    );
    // The burst, and at most one more for each tenth of a second the loop took.
    let most = 5 + (elapsed.as_secs_f64() * 10.0).ceil() as u32;
    assert!(
        answered >= 5 && answered <= most,
        "{answered} answered, at most {most}"
    );
    assert_eq!(answered + refused, 40);
    assert_eq!(
        retry_after.first(),
        Some(&1),
        "a cell comes back within a second"
    );
    assert!(retry_after.iter().all(|s| *s == 1), "{retry_after:?}");
}

async fn the_in_flight_cap_refuses_one_more_call_at_once_and_gives_the_slot_back(backend: Backend) {
    let settings = AppSettings {
        limits: LimitSettings {
            connection_in_flight: 2,
            ..LimitSettings::default()
        },
        ..AppSettings::default()
    };
    let t = TestApp::spawn_with_sandbox_settings(backend, accounts(&["acme"], 10), settings).await;
    let tenant = t.tenant("acme-corp").await;
    let id = t.connect_api_token(&tenant.key, "acme").await;
    let other = t.connect_api_token(&tenant.key, "acme").await;
    t.faults(
        "acme",
        FaultConfig {
            delay_ms: 2_000,
            ..FaultConfig::default()
        },
    );
    let before = t.requests("acme");
    let list = |id: &str| {
        t.get(
            &format!("/v1/connections/{id}/tickets?limit=1"),
            &tenant.key,
        )
        .send()
    };
    let passthrough = t
        .get(
            &format!("/v1/connections/{id}/passthrough/api/v2/tickets.json"),
            &tenant.key,
        )
        .send();
    let slow = tokio::spawn(list(&id));
    let slow_passthrough = tokio::spawn(passthrough);
    // Both calls are at the vendor (its answer held back by the delay).
    let waiting = Instant::now();
    while t.requests("acme") < before + 2 {
        assert!(
            waiting.elapsed() < Duration::from_secs(5),
            "the calls never reached the vendor"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let started = Instant::now();
    let res = list(&id).await.unwrap();
    let refused_in = started.elapsed();
    assert_eq!(res.status(), 429);
    assert_eq!(header(&res, "retry-after"), Some("1"));
    let (_, v) = read(res).await;
    assert_eq!(v["code"], "connection_busy");
    assert_eq!(v["status"], 429);
    assert!(refused_in < Duration::from_millis(1_500), "{refused_in:?}");
    assert_eq!(
        t.requests("acme"),
        before + 2,
        "the refused call reached no vendor"
    );
    // Another connection has slots of its own.
    let other_call = tokio::spawn(list(&other));

    assert_eq!(slow.await.unwrap().unwrap().status(), 200);
    assert_eq!(slow_passthrough.await.unwrap().unwrap().status(), 200);
    assert_eq!(other_call.await.unwrap().unwrap().status(), 200);
    // Both slots are back.
    t.faults("acme", FaultConfig::default());
    let (a, b) = tokio::join!(list(&id), list(&id));
    assert_eq!(
        (a.unwrap().status().as_u16(), b.unwrap().status().as_u16()),
        (200, 200)
    );
    println!(
        "cap 2: third concurrent call refused in {refused_in:.2?} (429 connection_busy, \
         Retry-After 1), 0 vendor calls for it; slots back after completion"
    );
}

async fn a_call_whose_client_goes_away_gives_its_slot_back(backend: Backend) {
    let settings = AppSettings {
        limits: LimitSettings {
            connection_in_flight: 1,
            ..LimitSettings::default()
        },
        ..AppSettings::default()
    };
    let t = TestApp::spawn_with_sandbox_settings(backend, accounts(&["acme"], 10), settings).await;
    let tenant = t.tenant("acme-corp").await;
    let id = t.connect_api_token(&tenant.key, "acme").await;
    let connection: deskgate_core::ConnectionId = id.parse().unwrap();
    // The vendor holds its answer far longer than the test waits.
    t.faults(
        "acme",
        FaultConfig {
            delay_ms: 30_000,
            ..FaultConfig::default()
        },
    );
    let before = t.requests("acme");
    let call = tokio::spawn(
        t.get(
            &format!("/v1/connections/{id}/tickets?limit=1"),
            &tenant.key,
        )
        .send(),
    );
    let waiting = Instant::now();
    while t.requests("acme") < before + 1 {
        assert!(
            waiting.elapsed() < Duration::from_secs(5),
            "the call never reached the vendor"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(t.app.calls_in_flight(connection), 1);
    // The client goes away: its connection closes, the server drops the request's future.
    call.abort();
    let _ = call.await;
    let gone = Instant::now();
    while t.app.calls_in_flight(connection) > 0 {
        assert!(
            gone.elapsed() < Duration::from_secs(10),
            "the slot was not given back after the client went away"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    println!(
        "cap 1: a call whose client went away gave its slot back {:.2?} later, the vendor \
         still holding its answer",
        gone.elapsed()
    );
}
