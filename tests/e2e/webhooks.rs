//! Webhook endpoints and delivery: the API, Standard Webhooks signatures checked by an
//! independent implementation (the `standardwebhooks` crate), retries, disabling, resending,
//! the outbox's claims across replicas, and the secrets' re-wrap under a new vault key.

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroU32;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use deskgate_app::events::EventDraft;
use deskgate_app::webhooks::NewEndpoint;
use deskgate_app::webhooks::signing::{SigningKey, signed_headers};
use deskgate_app::{App, AppSettings, RequestContext};
use deskgate_core::{AuthMode, ConnectionId, ConnectionStatus, EventType, Provider, TenantId};
use deskgate_store::connections::{ConnectionRecord, settings};
use deskgate_store::webhooks::{AttemptRecord, DeliveryClaim, DeliveryOutcome};
use deskgate_tests::{
    Backend, Receiver, TestApp, TestDb, TestTenant, Workers, backends, fast_webhooks, read,
};
use deskgate_vault::{KeyRing, Vault, generate_key_entry};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use standardwebhooks::{Webhook, WebhookError};

/// An app delivering on the compressed test schedule, and a tenant.
async fn spawn(backend: Backend) -> (TestApp, TestTenant) {
    spawn_with(backend, fast_webhooks()).await
}

async fn spawn_with(
    backend: Backend,
    webhooks: deskgate_app::webhooks::WebhookSettings,
) -> (TestApp, TestTenant) {
    let t = TestApp::spawn_with(
        backend,
        AppSettings {
            webhooks,
            ..AppSettings::default()
        },
    )
    .await;
    let tenant = t.tenant("acme").await;
    (t, tenant)
}

/// Sends a request; its status and JSON body.
async fn call(req: reqwest::RequestBuilder) -> (u16, Value) {
    read(req.send().await.unwrap()).await
}

/// Registers an endpoint; its view with `secret`.
async fn create_endpoint(t: &TestApp, key: &str, body: Value) -> Value {
    let (status, created) = call(t.post("/v1/webhook-endpoints", key).json(&body)).await;
    assert_eq!(status, 201, "{created}");
    created
}

/// Records `n` `ticket.created` events for the tenant; their ids.
async fn record(t: &TestApp, tenant: TenantId, n: usize) -> Vec<String> {
    let drafts = (0..n)
        .map(|i| EventDraft {
            event_type: EventType::TicketCreated,
            connection_id: None,
            data: json!({ "ticket": { "id": format!("{i}"), "subject": "Printer on fire" } }),
        })
        .collect();
    t.app.record_events(tenant, drafts).await.unwrap()
}

/// Polls `check` (every 20 ms, up to 30 s) until it answers `Some`.
async fn eventually<T, F, Fut>(what: &str, check: F) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn endpoint(t: &TestApp, key: &str, id: &str) -> Value {
    let (status, body) = call(t.get(&format!("/v1/webhook-endpoints/{id}"), key)).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn attempts(t: &TestApp, key: &str, id: &str) -> Vec<Value> {
    let (status, body) = call(t.get(
        &format!("/v1/webhook-endpoints/{id}/attempts?limit=100"),
        key,
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    body["data"].as_array().unwrap().clone()
}

fn signatures(r: &deskgate_tests::Received) -> Vec<String> {
    r.header("webhook-signature")
        .split(' ')
        .map(str::to_owned)
        .collect()
}

backends!(
    webhook_endpoints_are_created_read_listed_changed_and_deleted,
    webhook_input_mistakes_are_refused_naming_the_field,
    webhook_urls_are_https_unless_loopback_http_is_allowed,
    another_tenants_webhook_endpoint_is_not_found,
    webhooks_are_signed_per_standard_webhooks_and_verified_independently,
    a_rotated_secret_signs_beside_the_previous_one_for_a_day,
    a_receiver_failing_for_a_while_gets_every_event_once_it_recovers,
    a_delivery_whose_schedule_is_spent_fails_and_can_be_resent,
    an_endpoint_answering_410_is_disabled_until_enabled_again,
    an_endpoint_failing_past_disable_after_is_disabled_and_an_event_says_so,
    one_event_and_a_time_range_are_resent,
    the_test_ping_is_signed_and_answers_the_outcome,
    a_running_claim_is_exclusive_and_a_lapsed_one_is_taken_over,
    concurrent_claims_never_take_the_same_delivery,
    two_replicas_deliver_each_event_once,
    a_dead_replicas_claims_lapse_and_another_replica_delivers,
    rewrapped_secrets_sign_as_before_under_the_new_key,
    an_endpoint_takes_only_its_event_types_and_connection,
);

async fn webhook_endpoints_are_created_read_listed_changed_and_deleted(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let receiver = Receiver::start().await;
    let created = create_endpoint(
        &t,
        &tenant.key,
        json!({
            "url": receiver.url(),
            "description": "billing sync",
            "event_types": ["ticket.created", "ticket.updated"],
        }),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let secret = created["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert!(Webhook::new(secret).is_ok());
    assert_eq!(created["enabled"], true);
    assert_eq!(
        created["event_types"],
        json!(["ticket.created", "ticket.updated"])
    );
    assert_eq!(created["connection_id"], Value::Null);

    // The secret is shown at creation only.
    let shown = endpoint(&t, &tenant.key, &id).await;
    assert!(shown.get("secret").is_none(), "{shown}");
    assert_eq!(shown["url"], receiver.url());
    assert!(!shown.to_string().contains(secret));
    let second = create_endpoint(&t, &tenant.key, json!({ "url": receiver.url() })).await;
    assert_eq!(second["event_types"], Value::Null);
    let (status, list) = call(t.get("/v1/webhook-endpoints?limit=1", &tenant.key)).await;
    assert_eq!(status, 200);
    assert_eq!(list["data"][0]["id"], id.as_str());
    assert!(list["data"][0].get("secret").is_none());
    let cursor = list["next_cursor"].as_str().unwrap();
    let (_, rest) = call(t.get(
        &format!("/v1/webhook-endpoints?cursor={cursor}"),
        &tenant.key,
    ))
    .await;
    assert_eq!(rest["data"][0]["id"], second["id"]);
    assert_eq!(rest["next_cursor"], Value::Null);

    // PATCH: null clears, absent keeps.
    let (status, changed) = call(
        t.patch(&format!("/v1/webhook-endpoints/{id}"), &tenant.key)
            .json(&json!({ "description": null, "event_types": null, "enabled": false })),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["description"], Value::Null);
    assert_eq!(changed["event_types"], Value::Null);
    assert_eq!(changed["url"], receiver.url());
    assert_eq!(changed["enabled"], false);
    assert_eq!(changed["disabled_reason"], "disabled through the API");
    let (status, enabled) = call(
        t.patch(&format!("/v1/webhook-endpoints/{id}"), &tenant.key)
            .json(&json!({ "enabled": true })),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(enabled["disabled_reason"], Value::Null);

    let res = t
        .delete(&format!("/v1/webhook-endpoints/{id}"), &tenant.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let (status, problem) = call(t.get(&format!("/v1/webhook-endpoints/{id}"), &tenant.key)).await;
    assert_eq!(status, 404);
    assert_eq!(problem["code"], "not_found");
    let audit: Vec<String> = t
        .store
        .recent_audit(tenant.id, 20)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    for action in [
        "webhook_endpoint.create",
        "webhook_endpoint.update",
        "webhook_endpoint.delete",
    ] {
        assert!(audit.iter().any(|a| a == action), "{action} in {audit:?}");
    }
}

async fn webhook_input_mistakes_are_refused_naming_the_field(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let receiver = Receiver::start().await;
    let url = receiver.url();
    for (body, status, field) in [
        (json!({ "event_types": ["ticket.created"] }), 422, "body"),
        (
            json!({ "url": url, "event_types": ["ticket.exploded"] }),
            422,
            "event_types[0]",
        ),
        (json!({ "url": url, "event_types": [] }), 422, "event_types"),
        (
            json!({ "url": url, "connection_id": "nope" }),
            422,
            "connection_id",
        ),
        (
            json!({ "url": url, "connection_id": uuid::Uuid::now_v7().to_string() }),
            422,
            "connection_id",
        ),
        (json!({ "url": url, "description": "" }), 422, "description"),
        (json!({ "url": url, "secret": "whsec_mine" }), 422, "secret"),
        (json!({ "url": "not a url" }), 422, "url"),
        (json!({ "url": "ftp://example.com/hooks" }), 422, "url"),
    ] {
        let (got, problem) = call(t.post("/v1/webhook-endpoints", &tenant.key).json(&body)).await;
        assert_eq!(got, status, "{body} → {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{body} → {problem}");
        if field == "body" {
            let message = problem["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains("`url`"), "{problem}");
        }
    }
    let created = create_endpoint(&t, &tenant.key, json!({ "url": url })).await;
    let id = created["id"].as_str().unwrap();
    for (path, body, field) in [
        (
            format!("/v1/webhook-endpoints/{id}"),
            json!({ "enabled": "yes" }),
            "enabled",
        ),
        (
            format!("/v1/webhook-endpoints/{id}"),
            json!({ "url": "http://example.com/x" }),
            "url",
        ),
        (
            format!("/v1/webhook-endpoints/{id}/resend"),
            json!({ "from": "yesterday", "to": Utc::now() }),
            "from",
        ),
        (
            format!("/v1/webhook-endpoints/{id}/resend"),
            json!({ "from": Utc::now(), "to": Utc::now() - TimeDelta::hours(1) }),
            "to",
        ),
    ] {
        let req = if path.ends_with("resend") {
            t.post(&path, &tenant.key)
        } else {
            t.patch(&path, &tenant.key)
        };
        let (status, problem) = call(req.json(&body)).await;
        assert_eq!(status, 422, "{body} → {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{body} → {problem}");
    }
    let (status, problem) = call(t.get(
        &format!("/v1/webhook-endpoints/{id}/attempts?cursor=x"),
        &tenant.key,
    ))
    .await;
    assert_eq!(status, 400);
    assert_eq!(problem["errors"][0]["field"], "cursor");
    let (status, _) = call(t.get("/v1/webhook-endpoints/not-an-id", &tenant.key)).await;
    assert_eq!(status, 404);
    let (status, problem) = call(t.post(
        &format!("/v1/webhook-endpoints/{id}/deliveries/evt_nope/resend"),
        &tenant.key,
    ))
    .await;
    assert_eq!(status, 404, "{problem}");
}

async fn webhook_urls_are_https_unless_loopback_http_is_allowed(backend: Backend) {
    let (t, tenant) = spawn_with(backend, deskgate_app::webhooks::WebhookSettings::default()).await;
    for url in [
        "http://example.com/hooks",
        "http://127.0.0.1:9/hooks",
        "https://10.0.0.8/hooks",
        "https://169.254.169.254/latest",
        "https://user:pass@example.com/hooks",
    ] {
        let (status, problem) = call(
            t.post("/v1/webhook-endpoints", &tenant.key)
                .json(&json!({ "url": url })),
        )
        .await;
        assert_eq!(status, 422, "{url} → {problem}");
        assert_eq!(problem["errors"][0]["field"], "url", "{problem}");
    }
    create_endpoint(
        &t,
        &tenant.key,
        json!({ "url": "https://example.com/hooks" }),
    )
    .await;

    let (allowed, tenant) = spawn(backend).await;
    create_endpoint(
        &allowed,
        &tenant.key,
        json!({ "url": "http://127.0.0.1:9/hooks" }),
    )
    .await;
    let (status, problem) = call(
        allowed
            .post("/v1/webhook-endpoints", &tenant.key)
            .json(&json!({ "url": "http://example.com/hooks" })),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
}

async fn another_tenants_webhook_endpoint_is_not_found(backend: Backend) {
    let (t, a) = spawn(backend).await;
    let b = t.tenant("globex").await;
    let receiver = Receiver::start().await;
    let created = create_endpoint(&t, &a.key, json!({ "url": receiver.url() })).await;
    let id = created["id"].as_str().unwrap();
    let event = record(&t, a.id, 1).await.remove(0);
    let requests = [
        t.get(&format!("/v1/webhook-endpoints/{id}"), &b.key),
        t.patch(&format!("/v1/webhook-endpoints/{id}"), &b.key)
            .json(&json!({ "enabled": false })),
        t.post(&format!("/v1/webhook-endpoints/{id}/rotate-secret"), &b.key),
        t.post(&format!("/v1/webhook-endpoints/{id}/test"), &b.key),
        t.get(&format!("/v1/webhook-endpoints/{id}/attempts"), &b.key),
        t.post(
            &format!("/v1/webhook-endpoints/{id}/deliveries/{event}/resend"),
            &b.key,
        ),
        t.post(&format!("/v1/webhook-endpoints/{id}/resend"), &b.key)
            .json(&json!({ "from": Utc::now() - TimeDelta::hours(1), "to": Utc::now() })),
        t.delete(&format!("/v1/webhook-endpoints/{id}"), &b.key),
    ];
    for req in requests {
        let (status, problem) = call(req).await;
        assert_eq!(status, 404, "{problem}");
        assert_eq!(problem["code"], "not_found");
    }
    // B's own endpoint cannot be sent A's event either.
    let theirs = create_endpoint(&t, &b.key, json!({ "url": receiver.url() })).await;
    let (status, _) = call(t.post(
        &format!(
            "/v1/webhook-endpoints/{}/deliveries/{event}/resend",
            theirs["id"].as_str().unwrap()
        ),
        &b.key,
    ))
    .await;
    assert_eq!(status, 404);
    let (_, list) = call(t.get("/v1/webhook-endpoints", &b.key)).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(endpoint(&t, &a.key, id).await["enabled"], true);
}

async fn webhooks_are_signed_per_standard_webhooks_and_verified_independently(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let _workers = t.deliver_webhooks();
    let receiver = Receiver::start().await;
    let created = create_endpoint(&t, &tenant.key, json!({ "url": receiver.url() })).await;
    let secret = created["secret"].as_str().unwrap();
    let ids = record(&t, tenant.id, 1).await;
    let got = receiver.wait_for(1).await.remove(0);

    assert_eq!(got.method, "POST");
    assert_eq!(got.header("content-type"), "application/json");
    assert_eq!(got.webhook_id(), ids[0]);
    let body = got.json();
    assert_eq!(body["type"], "ticket.created");
    assert_eq!(body["data"]["ticket"]["id"], "0");
    assert_eq!(body.as_object().unwrap().len(), 3, "{body}");
    chrono::DateTime::parse_from_rfc3339(body["timestamp"].as_str().unwrap()).unwrap();
    let sent_at: i64 = got.header("webhook-timestamp").parse().unwrap();
    assert!((Utc::now().timestamp() - sent_at).abs() < 60);

    let wh = Webhook::new(secret).unwrap();
    wh.verify(&got.body, &got.headers).unwrap();
    let tampered = got.text().replace("Printer on fire", "Printer is fine");
    assert!(matches!(
        wh.verify(tampered.as_bytes(), &got.headers),
        Err(WebhookError::InvalidSignature)
    ));
    let wrong = Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    assert!(matches!(
        wrong.verify(&got.body, &got.headers),
        Err(WebhookError::InvalidSignature)
    ));
    let mut other_id = got.headers.clone();
    other_id.insert("webhook-id", "evt_someone_else".parse().unwrap());
    assert!(matches!(
        wh.verify(&got.body, &other_id),
        Err(WebhookError::InvalidSignature)
    ));
    // The same webhook signed by deskgate six minutes ago: a replay the verifier refuses.
    let key = SigningKey::from_secret(&SecretString::from(secret.to_owned())).unwrap();
    let stale = signed_headers(ids[0].as_str(), sent_at - 6 * 60, &got.body, &[key]);
    assert!(matches!(
        wh.verify(&got.body, &stale),
        Err(WebhookError::TimestampTooOldError)
    ));

    // The attempt is listed.
    let id = created["id"].as_str().unwrap();
    let listed = eventually("the attempt to be listed", || async {
        let a = attempts(&t, &tenant.key, id).await;
        (!a.is_empty()).then_some(a)
    })
    .await;
    assert_eq!(listed[0]["event_id"], ids[0].as_str());
    assert_eq!(listed[0]["event_type"], "ticket.created");
    assert_eq!(listed[0]["delivered"], true);
    assert_eq!(listed[0]["status_code"], 204);
    assert_eq!(listed[0]["error"], Value::Null);
}

async fn a_rotated_secret_signs_beside_the_previous_one_for_a_day(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let _workers = t.deliver_webhooks();
    let receiver = Receiver::start().await;
    let created = create_endpoint(&t, &tenant.key, json!({ "url": receiver.url() })).await;
    let id = created["id"].as_str().unwrap();
    let old = Webhook::new(created["secret"].as_str().unwrap()).unwrap();

    let (status, rotated) = call(t.post(
        &format!("/v1/webhook-endpoints/{id}/rotate-secret"),
        &tenant.key,
    ))
    .await;
    assert_eq!(status, 200, "{rotated}");
    let new_secret = rotated["secret"].as_str().unwrap();
    assert_ne!(new_secret, created["secret"].as_str().unwrap());
    let until =
        chrono::DateTime::parse_from_rfc3339(rotated["previous_secret_until"].as_str().unwrap())
            .unwrap();
    let left = until.to_utc() - Utc::now();
    assert!(
        left > TimeDelta::hours(23) && left <= TimeDelta::hours(24),
        "{left}"
    );
    assert!(endpoint(&t, &tenant.key, id).await.get("secret").is_none());
    let new = Webhook::new(new_secret).unwrap();

    record(&t, tenant.id, 1).await;
    let got = receiver.wait_for(1).await.remove(0);
    assert_eq!(signatures(&got).len(), 2, "{:?}", signatures(&got));
    new.verify(&got.body, &got.headers).unwrap();
    old.verify(&got.body, &got.headers).unwrap();

    // A day later only the new secret signs.
    let past = (Utc::now() - TimeDelta::seconds(1)).to_rfc3339();
    let sql = match backend {
        Backend::Postgres => {
            format!("UPDATE webhook_endpoints SET previous_secret_until = '{past}'::timestamptz")
        }
        Backend::Sqlite => format!(
            "UPDATE webhook_endpoints SET previous_secret_until = '{}'",
            (Utc::now() - TimeDelta::seconds(1))
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
        ),
    };
    t.db.exec(&sql).await;
    record(&t, tenant.id, 1).await;
    let got = receiver.wait_for(2).await.remove(1);
    assert_eq!(signatures(&got).len(), 1);
    new.verify(&got.body, &got.headers).unwrap();
    assert!(old.verify(&got.body, &got.headers).is_err());
}

async fn a_receiver_failing_for_a_while_gets_every_event_once_it_recovers(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let receiver = Receiver::start().await;
    let created = create_endpoint(&t, &tenant.key, json!({ "url": receiver.url() })).await;
    let id = created["id"].as_str().unwrap();
    let secret = Webhook::new(created["secret"].as_str().unwrap()).unwrap();
    // Five failures in a row (503, a Retry-After the schedule caps at its own step, 500s),
    // shared among three events; each event gets at most six attempts.
    receiver.fail_next(2, 503);
    receiver.fail_next_after(1, 429, 1);
    receiver.fail_next(2, 500);
    let ids = record(&t, tenant.id, 3).await;
    let workers = t.deliver_webhooks();
    let all = receiver
        .wait_until("each event delivered", |r| {
            ids.iter()
                .all(|id| r.iter().any(|x| x.delivered() && x.webhook_id() == id))
        })
        .await;
    workers.stop().await;

    // Every attempt carried its event's id and a valid signature of that attempt.
    let mut by_event: BTreeMap<String, Vec<u16>> = BTreeMap::new();
    for r in &all {
        secret.verify(&r.body, &r.headers).unwrap();
        by_event
            .entry(r.webhook_id().to_owned())
            .or_default()
            .push(r.status);
    }
    assert_eq!(
        by_event.keys().cloned().collect::<BTreeSet<_>>(),
        ids.iter().cloned().collect::<BTreeSet<_>>()
    );
    for (event, statuses) in &by_event {
        assert_eq!(
            statuses.iter().filter(|s| **s == 204).count(),
            1,
            "{event}: {statuses:?}"
        );
        assert_eq!(statuses.last(), Some(&204), "{event}: {statuses:?}");
    }
    assert_eq!(all.len(), 3 + 5);

    let listed = attempts(&t, &tenant.key, id).await;
    assert_eq!(listed.len(), all.len());
    assert_eq!(listed.iter().filter(|a| a["delivered"] == true).count(), 3);
    let failed: Vec<&Value> = listed.iter().filter(|a| a["delivered"] == false).collect();
    assert!(
        failed
            .iter()
            .all(|a| a["error"].as_str().unwrap().starts_with("answered "))
    );
    assert!(failed.iter().any(|a| a["status_code"] == 429));
    // Newest first (attempt ids are UUID v7, made as the attempt starts).
    let ids_listed: Vec<uuid::Uuid> = listed
        .iter()
        .map(|a| a["id"].as_str().unwrap().parse().unwrap())
        .collect();
    let mut sorted = ids_listed.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(ids_listed, sorted);
    let millis: Vec<i64> = listed
        .iter()
        .map(|a| {
            chrono::DateTime::parse_from_rfc3339(a["attempted_at"].as_str().unwrap())
                .unwrap()
                .timestamp_millis()
        })
        .collect();
    assert!(millis.windows(2).all(|w| w[0] >= w[1]), "{millis:?}");
    // One event's attempts alone.
    let (_, one) = call(t.get(
        &format!("/v1/webhook-endpoints/{id}/attempts?event_id={}", ids[0]),
        &tenant.key,
    ))
    .await;
    assert_eq!(
        one["data"].as_array().unwrap().len(),
        by_event[&ids[0]].len()
    );
    // The endpoint recovered: no failure streak.
    assert_eq!(
        endpoint(&t, &tenant.key, id).await["failing_since"],
        Value::Null
    );
}

async fn a_delivery_whose_schedule_is_spent_fails_and_can_be_resent(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let receiver = Receiver::start().await;
    let created = create_endpoint(&t, &tenant.key, json!({ "url": receiver.url() })).await;
    let id = created["id"].as_str().unwrap();
    receiver.answer_always(500);
    let _workers = t.deliver_webhooks();
    let event = record(&t, tenant.id, 1).await.remove(0);
    // Six attempts: the first and five retries.
    receiver.wait_for(6).await;
    let failed = eventually("the delivery to fail", || async {
        let a = attempts(&t, &tenant.key, id).await;
        (a.len() == 6).then_some(a)
    })
    .await;
    assert!(failed.iter().all(|a| a["status_code"] == 500));
    let failing_since = endpoint(&t, &tenant.key, id).await["failing_since"].clone();
    assert!(failing_since.is_string(), "{failing_since}");
    // Nothing more is tried…
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(receiver.requests().len(), 6);
    // …until it is resent, from its first attempt.
    receiver.answer_always(200);
    let (status, body) = call(t.post(
        &format!("/v1/webhook-endpoints/{id}/deliveries/{event}/resend"),
        &tenant.key,
    ))
    .await;
    assert_eq!(status, 202, "{body}");
    let got = receiver.wait_for(7).await.remove(6);
    assert_eq!(got.webhook_id(), event);
    assert!(got.delivered());
}

/// An endpoint whose receiver answers `status` to everything, beside a watcher endpoint that
/// takes `webhook_endpoint.disabled` events only, with workers running and one event
/// recorded.
struct Refused {
    id: String,
    receiver: Receiver,
    watcher: Receiver,
    event: String,
    _workers: Workers,
}

async fn refused(t: &TestApp, tenant: &TestTenant, status: u16) -> Refused {
    let receiver = Receiver::start().await;
    let watcher = Receiver::start().await;
    let created = create_endpoint(t, &tenant.key, json!({ "url": receiver.url() })).await;
    create_endpoint(
        t,
        &tenant.key,
        json!({ "url": watcher.url(), "event_types": ["webhook_endpoint.disabled"] }),
    )
    .await;
    receiver.answer_always(status);
    let workers = t.deliver_webhooks();
    let event = record(t, tenant.id, 1).await.remove(0);
    Refused {
        id: created["id"].as_str().unwrap().to_owned(),
        receiver,
        watcher,
        event,
        _workers: workers,
    }
}

impl Refused {
    /// Waits for the event that says the endpoint was disabled; its reason, which the
    /// endpoint shows too.
    async fn disabled_reason(&self, t: &TestApp, key: &str) -> String {
        let said = self.watcher.wait_for(1).await.remove(0).json();
        assert_eq!(said["type"], "webhook_endpoint.disabled");
        assert_eq!(said["data"]["endpoint_id"], self.id.as_str());
        let reason = said["data"]["reason"].as_str().unwrap().to_owned();
        let shown = endpoint(t, key, &self.id).await;
        assert_eq!(shown["enabled"], false);
        assert_eq!(shown["disabled_reason"], reason.as_str());
        reason
    }
}

async fn an_endpoint_answering_410_is_disabled_until_enabled_again(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let r = refused(&t, &tenant, 410).await;
    let id = &r.id;

    // One 410 is enough.
    let reason = r.disabled_reason(&t, &tenant.key).await;
    assert!(reason.contains("410"), "{reason}");
    assert_eq!(r.receiver.requests().len(), 1);

    // A disabled endpoint gets no new deliveries, and resending to it is refused.
    let missed = record(&t, tenant.id, 1).await.remove(0);
    let (status, problem) = call(t.post(
        &format!("/v1/webhook-endpoints/{id}/deliveries/{missed}/resend"),
        &tenant.key,
    ))
    .await;
    assert_eq!(status, 409);
    assert_eq!(problem["code"], "webhook_endpoint_disabled");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(r.receiver.requests().len(), 1);

    // Enabled again: the pending delivery goes out at once; the missed event does not.
    r.receiver.answer_always(204);
    let (status, _) = call(
        t.patch(&format!("/v1/webhook-endpoints/{id}"), &tenant.key)
            .json(&json!({ "enabled": true })),
    )
    .await;
    assert_eq!(status, 200);
    let got = r.receiver.wait_for(2).await.remove(1);
    assert_eq!(got.webhook_id(), r.event);
    let later = record(&t, tenant.id, 1).await.remove(0);
    let got = r.receiver.wait_for(3).await.remove(2);
    assert_eq!(got.webhook_id(), later);
    assert!(
        r.receiver
            .requests()
            .iter()
            .all(|x| x.webhook_id() != missed)
    );
}

async fn an_endpoint_failing_past_disable_after_is_disabled_and_an_event_says_so(backend: Backend) {
    let settings = deskgate_app::webhooks::WebhookSettings {
        retries: vec![Duration::from_millis(200); 50],
        disable_after: Duration::from_secs(1),
        ..fast_webhooks()
    };
    let (t, tenant) = spawn_with(backend, settings).await;
    let r = refused(&t, &tenant, 503).await;

    let reason = r.disabled_reason(&t, &tenant.key).await;
    assert!(reason.starts_with("every attempt failed since"), "{reason}");
    // It failed for more than a second: several attempts, none since it was disabled.
    let tried = r.receiver.requests().len();
    assert!(tried >= 5, "{tried}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(r.receiver.requests().len(), tried);
    // Exactly one event said so.
    assert_eq!(r.watcher.requests().len(), 1);
}

async fn one_event_and_a_time_range_are_resent(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let receiver = Receiver::start().await;
    let _workers = t.deliver_webhooks();
    // Events from before the endpoint existed.
    let before = Utc::now();
    let early = record(&t, tenant.id, 2).await;
    let created = create_endpoint(&t, &tenant.key, json!({ "url": receiver.url() })).await;
    let id = created["id"].as_str().unwrap();
    let later = record(&t, tenant.id, 2).await;
    let after = Utc::now();
    let got = receiver.wait_for(2).await;
    let ids: BTreeSet<&str> = got.iter().map(|r| r.webhook_id()).collect();
    assert_eq!(ids, later.iter().map(String::as_str).collect());

    // One event, again, from its first attempt, with the same id.
    let (status, body) = call(t.post(
        &format!("/v1/webhook-endpoints/{id}/deliveries/{}/resend", later[0]),
        &tenant.key,
    ))
    .await;
    assert_eq!((status, body), (202, json!({ "scheduled": 1 })));
    let again = receiver.wait_for(3).await.remove(2);
    assert_eq!(again.webhook_id(), later[0]);
    // An event from before the endpoint existed can be sent too.
    let (status, _) = call(t.post(
        &format!("/v1/webhook-endpoints/{id}/deliveries/{}/resend", early[0]),
        &tenant.key,
    ))
    .await;
    assert_eq!(status, 202);
    assert_eq!(receiver.wait_for(4).await[3].webhook_id(), early[0]);

    // A range: every event in [from, to), delivered or never sent.
    let (status, body) = call(
        t.post(&format!("/v1/webhook-endpoints/{id}/resend"), &tenant.key)
            .json(&json!({ "from": before, "to": after })),
    )
    .await;
    assert_eq!((status, body), (202, json!({ "scheduled": 4 })));
    let all = receiver.wait_for(8).await;
    let resent: BTreeSet<&str> = all[4..].iter().map(|r| r.webhook_id()).collect();
    let expected: BTreeSet<&str> = early.iter().chain(&later).map(String::as_str).collect();
    assert_eq!(resent, expected);
    // An empty range schedules nothing.
    let (status, body) = call(
        t.post(&format!("/v1/webhook-endpoints/{id}/resend"), &tenant.key)
            .json(
                &json!({ "from": after + TimeDelta::hours(1), "to": after + TimeDelta::hours(2) }),
            ),
    )
    .await;
    assert_eq!((status, body), (202, json!({ "scheduled": 0 })));
}

async fn the_test_ping_is_signed_and_answers_the_outcome(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let receiver = Receiver::start().await;
    let created = create_endpoint(&t, &tenant.key, json!({ "url": receiver.url() })).await;
    let id = created["id"].as_str().unwrap();
    let wh = Webhook::new(created["secret"].as_str().unwrap()).unwrap();

    let (status, outcome) =
        call(t.post(&format!("/v1/webhook-endpoints/{id}/test"), &tenant.key)).await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome["delivered"], true);
    assert_eq!(outcome["status_code"], 204);
    let got = receiver.requests().remove(0);
    wh.verify(&got.body, &got.headers).unwrap();
    assert_eq!(got.webhook_id(), outcome["id"].as_str().unwrap());
    assert_eq!(got.json()["type"], "ping");
    assert_eq!(got.json()["data"]["endpoint_id"], id);

    receiver.fail_next(1, 500);
    let (_, outcome) = call(t.post(&format!("/v1/webhook-endpoints/{id}/test"), &tenant.key)).await;
    assert_eq!(outcome["delivered"], false);
    assert_eq!(outcome["status_code"], 500);
    assert!(outcome["error"].as_str().unwrap().contains("500"));
    // A ping is not an event: nothing is listed or retried.
    assert!(attempts(&t, &tenant.key, id).await.is_empty());
}

/// Claims an endpoint's due deliveries for `replica` at `now` for a second.
async fn claim(t: &TestApp, replica: &str, now: chrono::DateTime<Utc>, limit: u32) -> Vec<i64> {
    t.store
        .claim_deliveries(&DeliveryClaim {
            replica,
            now,
            until: now + TimeDelta::seconds(1),
            limit,
        })
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.event_seq)
        .collect()
}

async fn a_running_claim_is_exclusive_and_a_lapsed_one_is_taken_over(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let receiver = Receiver::start().await;
    let created = create_endpoint(&t, &tenant.key, json!({ "url": receiver.url() })).await;
    let endpoint: uuid::Uuid = created["id"].as_str().unwrap().parse().unwrap();
    record(&t, tenant.id, 2).await;
    let now = Utc::now();
    // One delivery of an endpoint in flight at a time, its earliest event first.
    let a = claim(&t, "replica-a", now, 10).await;
    assert_eq!(a.len(), 1);
    assert!(claim(&t, "replica-b", now, 10).await.is_empty());
    // Replica A dies: its claims lapse after a second and B takes them.
    let later = now + TimeDelta::seconds(2);
    let b = claim(&t, "replica-b", later, 10).await;
    assert_eq!(b, a);
    // A's late outcome is not recorded; B's is.
    let attempt = |replica: &str, seq: i64| AttemptRecord {
        id: uuid::Uuid::now_v7(),
        tenant_id: tenant.id,
        endpoint_id: endpoint,
        event_seq: seq,
        attempted_at: Utc::now(),
        status_code: Some(204),
        duration_ms: 3,
        error: None,
        replica: replica.to_owned(),
    };
    let late = t
        .store
        .record_delivery_attempt(&attempt("replica-a", a[0]), DeliveryOutcome::Delivered)
        .await
        .unwrap();
    assert_eq!(late, None);
    let recorded = t
        .store
        .record_delivery_attempt(&attempt("replica-b", b[0]), DeliveryOutcome::Delivered)
        .await
        .unwrap();
    assert_eq!(recorded, Some(None));
    // Delivered is done; the endpoint's next event is claimable now.
    let much_later = now + TimeDelta::seconds(5);
    let c = claim(&t, "replica-c", much_later, 10).await;
    assert_eq!(c.len(), 1);
    assert!(c[0] > b[0], "{c:?} after {b:?}");
    let listed = attempts(&t, &tenant.key, &endpoint.to_string()).await;
    assert_eq!(listed.len(), 1);
}

async fn concurrent_claims_never_take_the_same_delivery(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let receiver = Receiver::start().await;
    for _ in 0..3 {
        create_endpoint(&t, &tenant.key, json!({ "url": receiver.url() })).await;
    }
    record(&t, tenant.id, 20).await;
    let now = Utc::now();
    let mut claims = tokio::task::JoinSet::new();
    for r in 0..6 {
        let store = t.store.clone();
        claims.spawn(async move {
            let replica = format!("replica-{r}");
            store
                .claim_deliveries(&DeliveryClaim {
                    replica: &replica,
                    now,
                    until: now + TimeDelta::seconds(30),
                    limit: 15,
                })
                .await
                .unwrap()
                .into_iter()
                .map(|d| (d.endpoint_id, d.event_seq))
                .collect::<Vec<_>>()
        });
    }
    let mut seen = BTreeSet::new();
    while let Some(claimed) = claims.join_next().await {
        for key in claimed.unwrap() {
            assert!(seen.insert(key), "{key:?} was claimed twice");
        }
    }
    // One delivery per endpoint in flight, whichever replica took it: its earliest event.
    let endpoints: BTreeSet<_> = seen.iter().map(|(endpoint, _)| *endpoint).collect();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(endpoints.len(), 3);
}

/// A connection row of the tenant's, without credentials: enough to filter events by.
async fn connection(t: &TestApp, tenant: TenantId) -> ConnectionId {
    let id = ConnectionId::from_uuid(uuid::Uuid::now_v7());
    t.store
        .insert_connection(&ConnectionRecord {
            id,
            tenant_id: tenant,
            provider: Provider::Zendesk,
            account_label: "acme".into(),
            auth_kind: AuthMode::ApiToken,
            status: ConnectionStatus::Active,
            external_ref: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            token_expires_at: None,
            status_detail: None,
            settings: settings(json!({})),
        })
        .await
        .unwrap();
    id
}

fn draft(event_type: EventType, connection: Option<ConnectionId>) -> EventDraft {
    EventDraft {
        event_type,
        connection_id: connection,
        data: json!({ "ticket_id": "7" }),
    }
}

async fn an_endpoint_takes_only_its_event_types_and_connection(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let mine = connection(&t, tenant.id).await;
    let other = connection(&t, tenant.id).await;
    let receiver = Receiver::start().await;
    let created = create_endpoint(
        &t,
        &tenant.key,
        json!({
            "url": receiver.url(),
            "event_types": ["ticket.deleted", "comment.created"],
            "connection_id": mine.to_string(),
        }),
    )
    .await;
    assert_eq!(created["connection_id"], mine.to_string());
    let id = created["id"].as_str().unwrap();
    let _workers = t.deliver_webhooks();
    let ids = t
        .app
        .record_events(
            tenant.id,
            vec![
                draft(EventType::TicketCreated, Some(mine)),
                draft(EventType::TicketDeleted, Some(other)),
                draft(EventType::TicketDeleted, None),
                draft(EventType::TicketDeleted, Some(mine)),
                draft(EventType::CommentCreated, Some(mine)),
            ],
        )
        .await
        .unwrap();
    let got = receiver.wait_for(2).await;
    let delivered: BTreeSet<&str> = got.iter().map(|r| r.webhook_id()).collect();
    assert_eq!(
        delivered,
        BTreeSet::from([ids[3].as_str(), ids[4].as_str()])
    );
    // An event it does not take cannot be resent to it either.
    for refused in &ids[..3] {
        let (status, problem) = call(t.post(
            &format!("/v1/webhook-endpoints/{id}/deliveries/{refused}/resend"),
            &tenant.key,
        ))
        .await;
        // Not a malformed request: the endpoint's own filters refuse it.
        assert_eq!(status, 409, "{problem}");
        assert_eq!(problem["code"], "conflict");
    }
    // Dropping the filters takes everything from then on.
    let (status, _) = call(
        t.patch(&format!("/v1/webhook-endpoints/{id}"), &tenant.key)
            .json(&json!({ "event_types": null, "connection_id": null })),
    )
    .await;
    assert_eq!(status, 200);
    let next = record(&t, tenant.id, 1).await.remove(0);
    assert_eq!(receiver.wait_for(3).await[2].webhook_id(), next);
}

async fn two_replicas_deliver_each_event_once(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let second = t.webhook_replica(fast_webhooks()).await;
    assert_ne!(second.replica(), t.app.replica());
    let (a, b) = (Receiver::start().await, Receiver::start().await);
    create_endpoint(&t, &tenant.key, json!({ "url": a.url() })).await;
    create_endpoint(&t, &tenant.key, json!({ "url": b.url() })).await;
    let _first = t.deliver_webhooks();
    let _second = Workers::run(&second);
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.extend(record(&t, tenant.id, 10).await);
        second.wake_deliveries();
    }
    for receiver in [&a, &b] {
        let got = receiver.wait_for(ids.len()).await;
        let distinct: BTreeSet<&str> = got.iter().map(|r| r.webhook_id()).collect();
        assert_eq!(distinct.len(), ids.len());
    }
    // No fault, no duplicate: nothing more arrives.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(a.requests().len(), ids.len());
    assert_eq!(b.requests().len(), ids.len());
}

async fn a_dead_replicas_claims_lapse_and_another_replica_delivers(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let receiver = Receiver::start().await;
    create_endpoint(&t, &tenant.key, json!({ "url": receiver.url() })).await;
    let ids = record(&t, tenant.id, 3).await;
    // A replica claims them for a second and dies before sending.
    let claimed = claim(&t, "dead-replica", Utc::now(), 10).await;
    assert_eq!(
        claimed.len(),
        1,
        "one delivery of an endpoint in flight at a time"
    );
    let started = tokio::time::Instant::now();
    let _workers = t.deliver_webhooks();
    let got = receiver.wait_for(3).await;
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    let delivered: BTreeSet<&str> = got.iter().map(|r| r.webhook_id()).collect();
    assert_eq!(delivered, ids.iter().map(String::as_str).collect());
}

async fn rewrapped_secrets_sign_as_before_under_the_new_key(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let entry = |v| {
        generate_key_entry(NonZeroU32::new(v).unwrap())
            .unwrap()
            .expose_secret()
            .to_owned()
    };
    let (v1, v2) = (entry(1), entry(2));
    let app = |entries: &[&str], active| {
        let ring = KeyRing::from_env(&SecretString::from(entries.join(",")), active, None);
        App::new(
            store.clone(),
            Vault::new(ring.unwrap()),
            AppSettings {
                webhooks: fast_webhooks(),
                ..AppSettings::default()
            },
        )
        .unwrap()
    };
    let ctx = RequestContext::operator();
    let old = app(&[&v1], None);
    old.check_vault_keys().await.unwrap();
    let (tenant, _) = old.create_tenant("acme", &ctx).await.unwrap();
    let receiver = Receiver::start().await;
    let input = NewEndpoint {
        url: receiver.url(),
        description: None,
        event_types: None,
        connection_id: None,
        enabled: true,
    };
    let created = old
        .create_webhook_endpoint(tenant.id, input, &ctx)
        .await
        .unwrap();
    let id = created.endpoint.id.to_string();
    let rotated = old
        .rotate_webhook_secret(tenant.id, &id, &ctx)
        .await
        .unwrap();

    // Rotated to key version 2 and re-wrapped: both secrets now open under version 2 alone.
    let rewrapping = app(&[&v1, &v2], Some("2"));
    rewrapping.check_vault_keys().await.unwrap();
    let report = rewrapping.rewrap_credentials(100, &ctx).await.unwrap();
    assert_eq!((report.rewrapped, report.failed), (1, 0));
    let row = store
        .webhook_endpoint(tenant.id, created.endpoint.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.secret_key_version, row.previous_secret_key_version),
        (2, Some(2))
    );
    let again = rewrapping.rewrap_credentials(100, &ctx).await.unwrap();
    assert_eq!(again.rewrapped, 0);

    let new = app(&[&v2], None);
    let _workers = Workers::run(&new);
    new.record_events(tenant.id, vec![draft(EventType::TicketCreated, None)])
        .await
        .unwrap();
    let got = receiver.wait_for(1).await.remove(0);
    for secret in [&created.secret, &rotated.secret] {
        Webhook::new(secret.expose_secret())
            .unwrap()
            .verify(&got.body, &got.headers)
            .unwrap();
    }
}
