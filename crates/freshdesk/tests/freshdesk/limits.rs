//! Rate limits and vendor failures: every call spends the account's budget (and its
//! endpoint's), a 429 becomes `RateLimited` with the vendor's wait, a 5xx on a write is not
//! retried.

use deskgate_connector::ProviderSpec;
use deskgate_core::model::NewTicket;
use deskgate_core::page::ReadOptions;
use deskgate_core::{Connector, ConnectorError};
use deskgate_freshdesk::FRESHDESK;
use deskgate_sandbox::{FaultConfig, FreshdeskRateLimits};

use crate::support::{World, account, page, unlimited};

#[tokio::test]
async fn calls_spend_the_account_budget_and_the_endpoint_caps_the_spec_names() {
    let world = World::start().await;
    let c = world.connector("acme");
    c.list_tickets(&page(5)).await.unwrap();
    c.get_ticket(&"1".into(), ReadOptions::default())
        .await
        .unwrap();
    let tracked: Vec<String> = world
        .upstream
        .budget_states()
        .into_iter()
        .map(|(k, _)| k.to_string())
        .collect();
    let keys: Vec<String> = FRESHDESK
        .budget_keys("acme")
        .iter()
        .map(|k| k.to_string())
        .collect();
    assert!(tracked.contains(&keys[0]), "{tracked:?}");
    assert!(
        tracked.contains(&"freshdesk:acme/tickets_list".to_owned()),
        "{tracked:?}"
    );
    let counters = world.counters("acme");
    assert!(
        counters.credits_used >= 3,
        "the get with include=stats costs two credits"
    );
}

#[tokio::test]
async fn a_spent_endpoint_cap_answers_rate_limited_with_the_vendors_wait() {
    let world = World::with_stopped_clock(vec![account("acme", 50)]).await;
    // A cap of three: the engine then paces the endpoint at 90 % of what it learned (2.7 a
    // minute, one call in 22 s), so the wait it answers is the vendor's Retry-After (at most
    // the rest of the minute) or its own pace, both within a minute. (A cap of one would be
    // paced at one call in 67 s: a longer wait than the vendor's, and rightly so.)
    let limits = FreshdeskRateLimits {
        tickets_list: 3,
        ..unlimited()
    };
    world
        .server
        .sandbox()
        .set_freshdesk_rate_limits("acme", limits)
        .unwrap();
    let c = world.connector("acme");
    for _ in 0..3 {
        c.list_tickets(&page(5)).await.unwrap();
    }
    match c.list_tickets(&page(5)).await {
        Err(ConnectorError::RateLimited { retry_after }) => {
            assert!(
                retry_after.as_secs() >= 1 && retry_after.as_secs() <= 60,
                "{retry_after:?}"
            );
        }
        other => panic!("expected rate limited, got {other:?}"),
    }
    c.get_ticket(&"1".into(), ReadOptions::default())
        .await
        .expect("other endpoints still answer");
}

#[tokio::test]
async fn a_server_error_on_a_create_is_reported_and_not_retried() {
    let world = World::start().await;
    let faults = FaultConfig {
        fail_next: 1,
        error_status: Some(500),
        ..FaultConfig::default()
    };
    world
        .server
        .sandbox()
        .set_freshdesk_faults("acme", faults)
        .unwrap();
    let c = world.connector("acme");
    let requester = world.credentials("acme").contact_id;
    let ticket: NewTicket = serde_json::from_value(serde_json::json!({
        "subject": "s", "description": "d", "requester_id": requester.to_string()}))
    .unwrap();
    assert_eq!(
        c.create_ticket(&ticket).await,
        Err(ConnectorError::Upstream { status: 500 })
    );
    assert_eq!(world.counters("acme").injected_errors, 1);
    c.create_ticket(&ticket).await.unwrap();
}
