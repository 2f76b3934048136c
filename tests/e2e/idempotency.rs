//! `Idempotency-Key` on writes, end to end: replay, reuse with another body, a duplicate in
//! flight, per-tenant keys, a released key after a 429, and write retries that never
//! duplicate a ticket.

use deskgate_sandbox::FaultConfig;
use deskgate_tests::{Backend, TestApp, TestTenant, Vendor, read, vendors};
use serde_json::json;

vendors!(
    the_same_key_and_body_replays_the_first_response_and_writes_once,
    the_same_key_with_another_body_is_422,
    a_duplicate_while_the_first_is_in_flight_is_409,
    keys_belong_to_their_tenant,
    a_429_releases_the_key_for_a_retry,
    write_retries_never_duplicate_a_ticket,
);

async fn setup(vendor: Vendor, backend: Backend) -> (TestApp, TestTenant, String) {
    let t = TestApp::spawn_with_sandbox(backend, vendor.accounts(&["acme", "globex"], 20)).await;
    let tenant = t.tenant("acme-corp").await;
    let id = t.connect_vendor(vendor, &tenant.key, "acme").await;
    (t, tenant, id)
}

/// How many of the account's tickets have `subject`.
async fn tickets_with(t: &TestApp, key: &str, id: &str, subject: &str) -> usize {
    let (status, page) = read(
        t.get(&format!("/v1/connections/{id}/tickets?limit=100"), key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page["next_cursor"].is_null(),
        "the account outgrew one page"
    );
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["subject"] == subject)
        .count()
}

/// A ticket create on `account`'s connection `id` (Freshdesk needs a requester: the seeded
/// contact).
fn create(
    t: &TestApp,
    (vendor, account): (Vendor, &str),
    key: &str,
    id: &str,
    idem: &str,
    subject: &str,
) -> reqwest::RequestBuilder {
    let mut body = json!({"subject": subject, "description": "from the test"});
    if let Some(requester) = t.vendor_requester(vendor, account) {
        body["requester_id"] = json!(requester);
    }
    t.post(&format!("/v1/connections/{id}/tickets"), key)
        .header("Idempotency-Key", idem)
        .json(&body)
}

async fn the_same_key_and_body_replays_the_first_response_and_writes_once(
    vendor: Vendor,
    backend: Backend,
) {
    let (t, tenant, id) = setup(vendor, backend).await;
    let acme = (vendor, "acme");
    let first = create(&t, acme, &tenant.key, &id, "key-1", "Once only")
        .send()
        .await
        .unwrap();
    assert!(first.headers().get("idempotent-replayed").is_none());
    let (status, body) = read(first).await;
    assert_eq!(status, 201, "{body}");
    let before = t.vendor_counts(vendor, "acme").requests;

    let again = create(&t, acme, &tenant.key, &id, "key-1", "Once only")
        .send()
        .await
        .unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["content-type"], "application/json");
    let (status, replayed) = read(again).await;
    assert_eq!(status, 201);
    assert_eq!(replayed, body);
    assert_eq!(
        t.vendor_counts(vendor, "acme").requests,
        before,
        "a replay must not reach the vendor"
    );
    assert_eq!(tickets_with(&t, &tenant.key, &id, "Once only").await, 1);

    // PATCH and comments take keys too.
    let tid = body["id"].as_str().unwrap();
    // Intercom tickets have no priority: its patch renames instead.
    let (patch, field, value) = if vendor == Vendor::Intercom {
        (
            json!({"subject": "Once renamed"}),
            "subject",
            json!("Once renamed"),
        )
    } else {
        (json!({"priority": "urgent"}), "priority", json!("urgent"))
    };
    for _ in 0..2 {
        let (status, v) = read(
            t.patch(&format!("/v1/connections/{id}/tickets/{tid}"), &tenant.key)
                .header("Idempotency-Key", "key-2")
                .json(&patch)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v[field], value);
    }
    for _ in 0..2 {
        let (status, _) = read(
            t.post(
                &format!("/v1/connections/{id}/tickets/{tid}/comments"),
                &tenant.key,
            )
            .header("Idempotency-Key", "key-3")
            .json(&json!({"body": "only once"}))
            .send()
            .await
            .unwrap(),
        )
        .await;
        assert_eq!(status, 201);
    }
    let (_, comments) = read(
        t.get(
            &format!("/v1/connections/{id}/tickets/{tid}/comments"),
            &tenant.key,
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    let added = comments["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["body"] == "only once")
        .count();
    assert_eq!(added, 1, "{comments}");
}

async fn the_same_key_with_another_body_is_422(vendor: Vendor, backend: Backend) {
    let (t, tenant, id) = setup(vendor, backend).await;
    let acme = (vendor, "acme");
    let (status, _) = read(
        create(&t, acme, &tenant.key, &id, "key-1", "First")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201);
    let before = t.vendor_counts(vendor, "acme").requests;
    let (status, v) = read(
        create(&t, acme, &tenant.key, &id, "key-1", "Second")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["code"], "idempotency_key_reused");
    assert_eq!(t.vendor_counts(vendor, "acme").requests, before);
    assert_eq!(tickets_with(&t, &tenant.key, &id, "Second").await, 0);

    for bad in ["", "has space", &"k".repeat(256)] {
        let (status, v) = read(
            create(&t, acme, &tenant.key, &id, bad, "Third")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 422, "{bad:?}: {v}");
    }
}

async fn a_duplicate_while_the_first_is_in_flight_is_409(vendor: Vendor, backend: Backend) {
    let (t, tenant, id) = setup(vendor, backend).await;
    let acme = (vendor, "acme");
    t.vendor_faults(
        vendor,
        "acme",
        FaultConfig {
            delay_ms: 1_000,
            ..FaultConfig::default()
        },
    );
    let before = t.vendor_counts(vendor, "acme").requests;
    let first = tokio::spawn(create(&t, acme, &tenant.key, &id, "slow", "Slow one").send());
    // The first request has claimed the key once it reaches the vendor.
    while t.vendor_counts(vendor, "acme").requests == before {
        tokio::task::yield_now().await;
    }
    let (status, v) = read(
        create(&t, acme, &tenant.key, &id, "slow", "Slow one")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 409, "{v}");
    assert_eq!(v["code"], "idempotency_in_progress");
    let (status, _) = read(first.await.unwrap().unwrap()).await;
    assert_eq!(status, 201);
    t.vendor_faults(vendor, "acme", FaultConfig::default());
    let again = create(&t, acme, &tenant.key, &id, "slow", "Slow one")
        .send()
        .await
        .unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(tickets_with(&t, &tenant.key, &id, "Slow one").await, 1);
}

async fn keys_belong_to_their_tenant(vendor: Vendor, backend: Backend) {
    let (t, a, a_conn) = setup(vendor, backend).await;
    let acme = (vendor, "acme");
    let b = t.tenant("globex-corp").await;
    let b_conn = t.connect_vendor(vendor, &b.key, "globex").await;
    let (status, _) = read(
        create(&t, acme, &a.key, &a_conn, "shared", "From A")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201);
    let res = create(&t, (vendor, "globex"), &b.key, &b_conn, "shared", "From B")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("idempotent-replayed").is_none());
    let (status, v) = read(res).await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["subject"], "From B");
    assert_eq!(tickets_with(&t, &b.key, &b_conn, "From B").await, 1);
    // Tenant B's request with tenant A's connection is a 404 and touches no key.
    let (status, _) = read(
        create(&t, acme, &b.key, &a_conn, "other", "Nope")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
}

async fn a_429_releases_the_key_for_a_retry(vendor: Vendor, backend: Backend) {
    let (t, tenant, id) = setup(vendor, backend).await;
    let acme = (vendor, "acme");
    let attempts = deskgate_tests::fast_upstream().retry.max_attempts;
    t.vendor_faults(
        vendor,
        "acme",
        FaultConfig {
            rate_limit_next_without_retry_after: attempts,
            ..FaultConfig::default()
        },
    );
    let (status, v) = read(
        create(&t, acme, &tenant.key, &id, "later", "After the limit")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 429, "{v}");
    assert_eq!(v["code"], "upstream_rate_limited");
    let res = create(&t, acme, &tenant.key, &id, "later", "After the limit")
        .send()
        .await
        .unwrap();
    assert!(
        res.headers().get("idempotent-replayed").is_none(),
        "a refused request must not be replayed"
    );
    let (status, v) = read(res).await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(
        tickets_with(&t, &tenant.key, &id, "After the limit").await,
        1
    );
}

async fn write_retries_never_duplicate_a_ticket(vendor: Vendor, backend: Backend) {
    let (t, tenant, id) = setup(vendor, backend).await;
    let acme = (vendor, "acme");
    // Every POST may fail; the gateway must not repeat a create that may have happened.
    t.vendor_faults(
        vendor,
        "acme",
        FaultConfig {
            fail_next: 1,
            error_status: Some(500),
            // The create itself fails, not a read made before it.
            writes_only: true,
            ..FaultConfig::default()
        },
    );
    let (status, v) = read(
        create(&t, acme, &tenant.key, &id, "k-fail", "Maybe once")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 502, "{v}");
    assert_eq!(
        t.vendor_counts(vendor, "acme").injected_errors,
        1,
        "a create was retried"
    );
    // The stored 502 is replayed: a retry cannot duplicate the write either.
    let res = create(&t, acme, &tenant.key, &id, "k-fail", "Maybe once")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["idempotent-replayed"], "true");
    assert_eq!(res.status(), 502);
    assert_eq!(tickets_with(&t, &tenant.key, &id, "Maybe once").await, 0);

    for i in 0..10 {
        t.vendor_faults(
            vendor,
            "acme",
            FaultConfig {
                error_rate: 0.5,
                error_status: Some(503),
                ..FaultConfig::default()
            },
        );
        let subject = format!("Flaky {i}");
        let (status, v) = read(
            create(&t, acme, &tenant.key, &id, &format!("flaky-{i}"), &subject)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(
            status == 201 || status == 502 || status == 503,
            "{status}: {v}"
        );
        t.vendor_faults(vendor, "acme", FaultConfig::default());
        let n = tickets_with(&t, &tenant.key, &id, &subject).await;
        assert!(n <= 1, "{subject} created {n} times");
        assert_eq!(
            n == 1,
            status == 201,
            "{subject}: answered {status} but created {n}"
        );
    }
}

/// The answers the store keeps for replays, as bytes.
async fn stored_answers(t: &TestApp) -> Vec<Vec<u8>> {
    let sql = "SELECT response_body FROM idempotency_keys WHERE response_body IS NOT NULL";
    match t.db.backend {
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&t.db.url).await.unwrap();
            sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap()
        }
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&t.db.url).await.unwrap();
            sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap()
        }
    }
}

/// An answer that shows a secret once (a new API key, a webhook endpoint's signing secret) is
/// replayed to a retry with the same key, but the database keeps it sealed, never in the clear.
async fn a_stored_answer_that_shows_a_secret_is_sealed(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let tenant = t.tenant("acme-corp").await;
    let post = || {
        t.post("/v1/api-keys", &tenant.key)
            .header("Idempotency-Key", "new-key-1")
            .json(&json!({"name": "ci"}))
            .send()
    };
    let (status, first) = read(post().await.unwrap()).await;
    assert_eq!(status, 201, "{first}");
    let secret = first["key"].as_str().unwrap().to_owned();
    let (status, again) = read(post().await.unwrap()).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(
        again["key"],
        secret.as_str(),
        "the replay shows the same answer"
    );
    let stored = stored_answers(&t).await;
    assert_eq!(stored.len(), 1);
    let text = String::from_utf8_lossy(&stored[0]);
    assert!(!text.contains(&secret), "the secret is stored in the clear");
    assert!(!text.contains("dg_live_"), "{text}");
}

deskgate_tests::backends!(a_stored_answer_that_shows_a_secret_is_sealed);
