//! Change events: what a connection's sync finds in the helpdesk becomes events in the log,
//! in order and once; connection lifecycle events; the log's cursor; sync settings; vendor
//! hooks.

use std::time::Duration;

use deskgate_app::webhooks::WebhookSettings;
use deskgate_app::{AppSettings, UpstreamSettings};
use deskgate_tests::{
    Backend, Receiver, TestApp, TestTenant, Vendor, backends, fast_upstream, fast_webhooks, read,
    vendors,
};
use deskgate_upstream::UpstreamConfig;
use serde_json::{Value, json};

struct Fixture {
    vendor: Vendor,
    t: TestApp,
    tenant: TestTenant,
    id: String,
}

impl Fixture {
    async fn new(vendor: Vendor, backend: Backend) -> Self {
        Self::with_webhooks(vendor, backend, fast_webhooks()).await
    }

    async fn with_webhooks(vendor: Vendor, backend: Backend, webhooks: WebhookSettings) -> Self {
        // Zendesk's export allows one request every six seconds or so, and a sync waits for
        // its slot rather than fail: the deadline is longer than the tests' usual five.
        let settings = AppSettings {
            upstream: UpstreamSettings {
                config: UpstreamConfig {
                    default_deadline_ms: 15_000,
                    ..fast_upstream()
                },
                sandbox: None,
            },
            webhooks,
            ..AppSettings::default()
        };
        let t =
            TestApp::spawn_with_sandbox_settings(backend, vendor.accounts(&["acme"], 10), settings)
                .await;
        let tenant = t.tenant("acme-corp").await;
        let id = t.connect_vendor(vendor, &tenant.key, "acme").await;
        Self {
            vendor,
            t,
            tenant,
            id,
        }
    }

    fn path(&self, rest: &str) -> String {
        format!("/v1/connections/{}{rest}", self.id)
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .t
            .http
            .request(method, self.t.url(path))
            .bearer_auth(&self.tenant.key);
        if let Some(body) = body {
            req = req.json(&body);
        }
        read(req.send().await.unwrap()).await
    }

    /// Moves the helpdesk's clock on, so that each change has its own time.
    fn tick(&self) {
        self.t.clock().advance(chrono::TimeDelta::seconds(2));
    }

    /// Changes the connection's own sync settings; its state then.
    async fn change_sync(&self, settings: Value) -> Value {
        let (status, view) = self
            .call(reqwest::Method::PATCH, &self.path("/sync"), Some(settings))
            .await;
        assert_eq!(status, 200, "{view}");
        view
    }

    /// Runs the sync now and answers its state.
    async fn sync(&self) -> Value {
        let (status, view) = self
            .call(reqwest::Method::POST, &self.path("/sync/run"), None)
            .await;
        assert_eq!(status, 200, "{view}");
        assert_eq!(view["failures"], 0, "{view}");
        view
    }

    /// Every event of the log, read page by page with `after`.
    async fn events(&self, query: &str) -> Vec<Value> {
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut path = format!("/v1/events?limit=2{query}");
            if let Some(a) = &after {
                path.push_str(&format!("&after={a}"));
            }
            let (status, page) = self.call(reqwest::Method::GET, &path, None).await;
            assert_eq!(status, 200, "{page}");
            let data = page["data"].as_array().unwrap().clone();
            if data.is_empty() {
                assert_eq!(page["has_more"], false);
                return all;
            }
            after = page["next_after"].as_str().map(str::to_owned);
            all.extend(data);
        }
    }

    async fn ticket_events(&self) -> Vec<Value> {
        self.events(&format!(
            "&connection_id={}&type=ticket.created,ticket.updated,ticket.deleted,comment.created",
            self.id
        ))
        .await
    }

    async fn create_ticket(&self) -> String {
        let mut body = json!({"subject": "Printer on fire", "description": "It is very colorful."});
        if let Some(requester) = self.t.vendor_requester(self.vendor, "acme") {
            body["requester_id"] = json!(requester);
        }
        let (status, created) = self
            .call(reqwest::Method::POST, &self.path("/tickets"), Some(body))
            .await;
        assert_eq!(status, 201, "{created}");
        created["id"].as_str().unwrap().to_owned()
    }
}

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

async fn helpdesk_changes_become_events_in_order_and_once(vendor: Vendor, backend: Backend) {
    let f = Fixture::new(vendor, backend).await;
    // A webhook endpoint for this connection's ticket and comment events, and its receiver.
    let receiver = Receiver::start().await;
    let (status, endpoint) = f
        .call(
            reqwest::Method::POST,
            "/v1/webhook-endpoints",
            Some(json!({
                "url": receiver.url(),
                "event_types": ["ticket.created", "ticket.updated", "ticket.deleted",
                                "comment.created"],
                "connection_id": f.id,
            })),
        )
        .await;
    assert_eq!(status, 201, "{endpoint}");
    let workers = f.t.deliver_webhooks();
    let view = f
        .change_sync(json!({"enabled": true, "interval_secs": 3600}))
        .await;
    assert_eq!(view["enabled"], true);
    assert!(view["baseline_at"].is_null(), "{view}");

    // The first run records where the helpdesk stands, without events.
    let view = f.sync().await;
    assert!(view["baseline_at"].is_string(), "{view}");
    assert_eq!(f.ticket_events().await, Vec::<Value>::new());

    f.tick();
    let tid = f.create_ticket().await;
    f.sync().await;
    f.tick();
    let (status, updated) = f
        .call(
            reqwest::Method::PATCH,
            &f.path(&format!("/tickets/{tid}")),
            Some(json!({"status": "pending"})),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    f.sync().await;
    f.tick();
    let (status, comment) = f
        .call(
            reqwest::Method::POST,
            &f.path(&format!("/tickets/{tid}/comments")),
            Some(json!({"body": "We are on it."})),
        )
        .await;
    assert_eq!(status, 201, "{comment}");
    f.sync().await;
    f.tick();
    let (status, deleted) = f
        .call(
            reqwest::Method::DELETE,
            &f.path(&format!("/tickets/{tid}")),
            None,
        )
        .await;
    assert!(status == 204 || status == 200, "{status} {deleted}");
    f.sync().await;
    // Nothing changed since: nothing new.
    f.tick();
    f.sync().await;

    let events = f.ticket_events().await;
    assert_eq!(
        types(&events),
        [
            "ticket.created",
            "ticket.updated",
            "comment.created",
            "ticket.deleted"
        ],
        "{events:#?}"
    );
    let ids: std::collections::HashSet<&str> =
        events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), events.len(), "duplicate event ids");
    assert!(
        events
            .iter()
            .all(|e| e["id"].as_str().unwrap().starts_with("evt_"))
    );
    assert_eq!(events[0]["data"]["ticket"]["id"], tid.as_str());
    assert_eq!(events[0]["data"]["connection_id"], f.id.as_str());
    let changed = events[1]["data"]["changed_fields"].as_array().unwrap();
    assert!(changed.contains(&json!("status")), "{changed:?}");
    assert!(!changed.contains(&json!("updated_at")), "{changed:?}");
    assert_eq!(events[1]["data"]["ticket"]["status"], "pending");
    assert_eq!(events[2]["data"]["ticket_id"], tid.as_str());
    assert_eq!(events[2]["data"]["comment"]["id"], comment["id"]);
    assert_eq!(events[3]["data"]["ticket_id"], tid.as_str());
    for e in &events {
        assert_eq!(e["connection_id"], f.id.as_str(), "{e}");
    }

    // The receiver got exactly those events, once each, in order, as the log has them.
    let delivered = receiver.wait_for(events.len()).await;
    workers.stop().await;
    let ids: Vec<&str> = delivered.iter().map(|r| r.webhook_id()).collect();
    let logged: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, logged, "deliveries differ from the log");
    assert_eq!(
        receiver.requests().len(),
        events.len(),
        "a duplicate delivery"
    );
    for (received, event) in delivered.iter().zip(&events) {
        let body = received.json();
        assert_eq!(body["type"], event["type"]);
        assert_eq!(body["data"], event["data"]);
        assert!(received.header("webhook-signature").starts_with("v1,"));
    }
}

vendors!(helpdesk_changes_become_events_in_order_and_once);

async fn backfill_reports_existing_tickets_once(vendor: Vendor, backend: Backend) {
    let f = Fixture::new(vendor, backend).await;
    let (status, view) = f
        .call(
            reqwest::Method::PATCH,
            &f.path("/sync"),
            Some(json!({"enabled": true, "backfill": true})),
        )
        .await;
    assert_eq!(status, 200, "{view}");
    f.sync().await;
    f.sync().await;
    let events = f.ticket_events().await;
    assert_eq!(events.len(), 10, "{events:#?}");
    assert!(
        events
            .iter()
            .all(|e| e["type"] == "ticket.created" && e["data"]["backfill"] == true)
    );
    // What the syncs spent shows in the account's budget apart from the tenant's calls
    // (the health check's own call is one of those).
    let (status, health) = f.call(reqwest::Method::GET, &f.path("/health"), None).await;
    assert_eq!(status, 200, "{health}");
    let budget = &health["rate_budget"];
    assert!(
        budget["background_spent"].as_u64().unwrap() >= 2,
        "{health}"
    );
    assert!(
        budget["foreground_spent"].as_u64().unwrap() >= 1,
        "{health}"
    );
    // Backfill applies only before the first sync.
    let (status, p) = f
        .call(
            reqwest::Method::PATCH,
            &f.path("/sync"),
            Some(json!({"backfill": true})),
        )
        .await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "backfill");
}

vendors!(backfill_reports_existing_tickets_once);

async fn connection_events_and_the_log_cursor(backend: Backend) {
    let f = Fixture::new(Vendor::Freshdesk, backend).await;
    let events = f.events("").await;
    assert_eq!(types(&events), ["connection.created"]);
    let created = &events[0];
    assert_eq!(created["data"]["connection"]["provider"], "freshdesk");
    assert_eq!(created["data"]["connection"]["status"], "active");
    // Reading on from the last event: nothing, and the same position back.
    let last = created["id"].as_str().unwrap();
    let (status, page) = f
        .call(
            reqwest::Method::GET,
            &format!("/v1/events?after={last}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(page["data"], json!([]));
    assert_eq!(page["next_after"], last);
    // A cursor that is not this tenant's event, a bad type, a bad limit: 400 naming it.
    for (query, field) in [
        ("after=evt_0192f0c8c8c87c3b8d4a1e2f3a4b5c6d", "after"),
        ("after=nonsense", "after"),
        ("type=ticket.exploded", "type"),
        ("limit=0", "limit"),
        ("connection_id=42", "connection_id"),
        ("color=red", "color"),
    ] {
        let (status, p) = f
            .call(reqwest::Method::GET, &format!("/v1/events?{query}"), None)
            .await;
        assert_eq!(status, 400, "{query}: {p}");
        assert_eq!(p["code"], "invalid_query", "{p}");
        assert_eq!(p["errors"][0]["field"], field, "{p}");
    }
    // Another tenant sees none of it, and cannot read on from it.
    let other = f.t.tenant("globex-corp").await;
    let (status, page) = read(
        f.t.get(&format!("/v1/events?after={last}"), &other.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400, "{page}");
    let (_, page) = read(f.t.get("/v1/events", &other.key).send().await.unwrap()).await;
    assert_eq!(page["data"], json!([]));

    // The helpdesk stops taking the key: one needs_reauth, however many calls find out.
    f.t.vendor_accepts_credentials(Vendor::Freshdesk, "acme", false);
    for _ in 0..2 {
        let (status, p) = f
            .call(reqwest::Method::GET, &f.path("/tickets"), None)
            .await;
        assert_eq!(status, 409, "{p}");
    }
    f.t.vendor_accepts_credentials(Vendor::Freshdesk, "acme", true);
    let auth = f.t.connect_body(Vendor::Freshdesk, "acme")["auth"].clone();
    let (status, p) = f
        .call(
            reqwest::Method::PUT,
            &f.path("/credentials"),
            Some(json!({ "auth": auth })),
        )
        .await;
    assert_eq!(status, 200, "{p}");
    let (status, _) = f.call(reqwest::Method::DELETE, &f.path(""), None).await;
    assert_eq!(status, 204);
    let events = f.events("").await;
    assert_eq!(
        types(&events),
        [
            "connection.created",
            "connection.needs_reauth",
            "connection.reauthorized",
            "connection.deleted"
        ]
    );
    assert_eq!(events[1]["data"]["connection"]["status"], "needs_reauth");
    assert_eq!(events[2]["data"]["connection"]["status"], "active");
    assert_eq!(events[3]["connection_id"], f.id.as_str());
}

backends!(connection_events_and_the_log_cursor);

async fn sync_settings_are_checked_and_shown(backend: Backend) {
    let f = Fixture::new(Vendor::Zendesk, backend).await;
    let (status, defaults) = f
        .call(reqwest::Method::GET, "/v1/settings/sync", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        defaults,
        json!({"enabled": false, "interval_secs": 60, "source": "operator"})
    );
    let (status, p) = f
        .call(
            reqwest::Method::PUT,
            "/v1/settings/sync",
            Some(json!({"enabled": true, "interval_secs": 1})),
        )
        .await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "interval_secs");
    let (status, defaults) = f
        .call(
            reqwest::Method::PUT,
            "/v1/settings/sync",
            Some(json!({"enabled": true, "interval_secs": 120})),
        )
        .await;
    assert_eq!(status, 200, "{defaults}");
    assert_eq!(defaults["source"], "tenant");

    let (status, view) = f.call(reqwest::Method::GET, &f.path("/sync"), None).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["enabled"], true, "the tenant's default: {view}");
    assert_eq!(view["enabled_setting"], Value::Null);
    assert_eq!(view["interval_secs"], 120);
    assert_eq!(view["hook"]["verified_with"], "webhook_secret");
    assert_eq!(view["hook"]["url_issued"], false);

    let (status, view) = f
        .call(
            reqwest::Method::PATCH,
            &f.path("/sync"),
            Some(json!({"enabled": false, "interval_secs": 30, "hook_secret": "s3cret-signing"})),
        )
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["enabled"], false);
    assert_eq!(view["interval_secs"], 30);
    assert_eq!(view["hook"]["secret_set"], true);
    assert!(!view.to_string().contains("s3cret-signing"));
    let (status, view) = f
        .call(
            reqwest::Method::PATCH,
            &f.path("/sync"),
            Some(json!({"enabled": null, "interval_secs": null, "hook_secret": null})),
        )
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["enabled"], true);
    assert_eq!(view["interval_secs"], 120);
    assert_eq!(view["hook"]["secret_set"], false);

    for (body, field) in [
        (json!({"interval_secs": 0}), "interval_secs"),
        (json!({"interval_secs": 100000}), "interval_secs"),
        (json!({"enabled": "yes"}), "enabled"),
        (json!({"hook_secret": ""}), "hook_secret"),
        (json!({"paused": true}), "paused"),
    ] {
        let (status, p) = f
            .call(reqwest::Method::PATCH, &f.path("/sync"), Some(body.clone()))
            .await;
        assert_eq!(status, 422, "{body}: {p}");
        assert_eq!(p["errors"][0]["field"], field, "{body}: {p}");
    }
    let other = f.t.tenant("globex-corp").await;
    let (status, _) = read(f.t.get(&f.path("/sync"), &other.key).send().await.unwrap()).await;
    assert_eq!(status, 404);
}

backends!(sync_settings_are_checked_and_shown);

/// A run reads the settings when it starts and schedules the next by them when it ends; a
/// change made while it runs must not be overwritten by that schedule.
async fn a_sync_settings_change_during_a_run_makes_the_next_run_due_at_once(backend: Backend) {
    let f = Fixture::new(Vendor::Freshdesk, backend).await;
    f.change_sync(json!({"enabled": true, "interval_secs": 3600}))
        .await;
    // A replica's run starts: it takes the lease and reads the hourly interval.
    let id: deskgate_core::ConnectionId = f.id.parse().unwrap();
    let started = chrono::Utc::now();
    let lease = started + chrono::TimeDelta::seconds(60);
    let record =
        f.t.store
            .take_sync_lease(f.tenant.id, id, "replica-a", started, lease)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(record.interval_secs, Some(3600));
    f.change_sync(json!({"interval_secs": 60})).await;
    // The run ends and schedules its next by the interval it read.
    let now = chrono::Utc::now();
    let finished =
        f.t.store
            .finish_sync(
                f.tenant.id,
                id,
                "replica-a",
                started,
                now,
                now + chrono::TimeDelta::seconds(3600),
                None,
            )
            .await
            .unwrap();
    assert!(finished);
    let due = f.t.store.syncs_due(chrono::Utc::now(), 10).await.unwrap();
    assert_eq!(
        due,
        vec![(f.tenant.id, id)],
        "the change waits for the old interval"
    );
}

backends!(a_sync_settings_change_during_a_run_makes_the_next_run_due_at_once);

async fn a_vendor_hook_makes_the_sync_due(backend: Backend) {
    let f = Fixture::new(Vendor::Freshdesk, backend).await;
    let (status, issued) = f
        .call(reqwest::Method::POST, &f.path("/sync/hook"), None)
        .await;
    assert_eq!(status, 201, "{issued}");
    let url = issued["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&f.t.url("/hooks/freshdesk/")), "{url}");
    let hook = |url: String| {
        let http = f.t.http.clone();
        async move {
            read(
                http.post(url)
                    .json(&json!({"freshdesk_webhook": {"ticket_id": 1}}))
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let (status, body) = hook(url.clone()).await;
    assert_eq!(status, 202, "{body}");
    // An unknown token, another provider's path: not found, and nothing said about why.
    let (status, p) = hook(format!("{url}x")).await;
    assert_eq!(status, 404, "{p}");
    let (status, _) = hook(url.replace("/hooks/freshdesk/", "/hooks/zendesk/")).await;
    assert_eq!(status, 404);
    let (status, view) = f.call(reqwest::Method::GET, &f.path("/sync"), None).await;
    assert_eq!(status, 200);
    assert_eq!(view["hook"]["accepted"], 1, "{view}");
    assert_eq!(view["hook"]["url_issued"], true);
    // A new URL replaces the old one.
    let (_, again) = f
        .call(reqwest::Method::POST, &f.path("/sync/hook"), None)
        .await;
    assert_ne!(again["url"], issued["url"]);
    let (status, _) = hook(url).await;
    assert_eq!(status, 404);
    let (status, _) = hook(again["url"].as_str().unwrap().to_owned()).await;
    assert_eq!(status, 202);
}

backends!(a_vendor_hook_makes_the_sync_due);

impl Fixture {
    fn sandbox_url(&self, path: &str) -> String {
        format!("{}{path}", self.t.sandbox.as_ref().unwrap().base_url())
    }

    /// Points the helpdesk's own webhooks at `hook` the way its admin would, and gives
    /// deskgate the secret that signs them.
    async fn register_vendor_webhook(&self, hook: &str) {
        let http = &self.t.http;
        match self.vendor {
            Vendor::Zendesk => {
                let (status, created) = self
                    .call(
                        reqwest::Method::POST,
                        &self.path("/passthrough/api/v2/webhooks"),
                        Some(json!({"webhook": {
                            "name": "deskgate", "endpoint": hook, "http_method": "POST",
                            "request_format": "json", "status": "active",
                            "subscriptions": ["zen:event-type:ticket.created",
                                              "zen:event-type:ticket.status_changed"],
                        }})),
                    )
                    .await;
                assert_eq!(status, 201, "{created}");
                let webhook = created["webhook"]["id"].as_str().unwrap();
                let (status, secret) = self
                    .call(
                        reqwest::Method::GET,
                        &self.path(&format!(
                            "/passthrough/api/v2/webhooks/{webhook}/signing_secret"
                        )),
                        None,
                    )
                    .await;
                assert_eq!(status, 200, "{secret}");
                self.set_hook_secret(secret["signing_secret"]["secret"].as_str().unwrap())
                    .await;
            }
            Vendor::Freshdesk => {
                let res = http
                    .post(self.sandbox_url("/_sandbox/freshdesk/acme/automations"))
                    .json(&json!({"url": hook, "events": ["ticket_created", "ticket_updated"]}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201);
            }
            Vendor::Intercom => {
                let res = http
                    .put(self.sandbox_url("/_sandbox/intercom/acme/webhook"))
                    .json(
                        &json!({"url": hook, "topics": ["ticket.created", "ticket.state.updated"],
                                  "app": "private_app"}),
                    )
                    .send()
                    .await
                    .unwrap();
                assert!(res.status().is_success(), "{}", res.status());
                // The connection uses the private app's token, so its client secret signs.
                let secret = self.t.intercom("acme").private_app_client_secret;
                self.set_hook_secret(secrecy::ExposeSecret::expose_secret(&secret))
                    .await;
            }
        }
    }

    async fn set_hook_secret(&self, secret: &str) {
        let (status, view) = self
            .call(
                reqwest::Method::PATCH,
                &self.path("/sync"),
                Some(json!({"hook_secret": secret})),
            )
            .await;
        assert_eq!(status, 200, "{view}");
        assert_eq!(view["hook"]["secret_set"], true);
    }
}

async fn a_vendor_webhook_makes_the_sync_run_at_once(vendor: Vendor, backend: Backend) {
    let f = Fixture::new(vendor, backend).await;
    // Polling alone would not run again for an hour.
    f.change_sync(json!({"enabled": true, "interval_secs": 3600}))
        .await;
    f.sync().await;
    let (status, issued) = f
        .call(reqwest::Method::POST, &f.path("/sync/hook"), None)
        .await;
    assert_eq!(status, 201, "{issued}");
    let hook = issued["url"].as_str().unwrap().to_owned();
    f.register_vendor_webhook(&hook).await;
    let syncs = tokio::spawn(f.t.app.clone().run_syncs());

    f.tick();
    let tid = f.create_ticket().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let events = loop {
        let events = f.ticket_events().await;
        if !events.is_empty() || std::time::Instant::now() > deadline {
            break events;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    syncs.abort();
    assert_eq!(types(&events), ["ticket.created"], "{events:#?}");
    assert_eq!(events[0]["data"]["ticket"]["id"], tid.as_str());
    let (_, view) = f.call(reqwest::Method::GET, &f.path("/sync"), None).await;
    assert!(view["hook"]["accepted"].as_i64().unwrap() >= 1, "{view}");
    assert_eq!(view["hook"]["refused"], 0, "{view}");

    // A forged notification: refused where the vendor signs, and counted.
    let res =
        f.t.http
            .post(&hook)
            .header("X-Zendesk-Webhook-Signature", "bm90IGEgc2lnbmF0dXJl")
            .header(
                "X-Zendesk-Webhook-Signature-Timestamp",
                "2026-11-29T14:00:00Z",
            )
            .header(
                "X-Hub-Signature",
                "sha1=0000000000000000000000000000000000000000",
            )
            .json(&json!({"forged": true}))
            .send()
            .await
            .unwrap();
    let (status, p) = read(res).await;
    if vendor == Vendor::Freshdesk {
        assert_eq!(
            status, 202,
            "Freshdesk does not sign: the URL's token is the proof; {p}"
        );
    } else {
        assert_eq!(status, 401, "{p}");
        assert_eq!(p["code"], "hook_refused", "{p}");
        let (_, view) = f.call(reqwest::Method::GET, &f.path("/sync"), None).await;
        assert_eq!(view["hook"]["refused"], 1, "{view}");
    }
}

vendors!(a_vendor_webhook_makes_the_sync_run_at_once);

/// A reply made the moment a ticket is created is a comment of its own, while a description
/// that a helpdesk stores as the first comment (Zendesk) is part of the creation.
async fn a_reply_made_with_the_ticket_is_its_own_event(vendor: Vendor, backend: Backend) {
    let f = Fixture::new(vendor, backend).await;
    f.change_sync(json!({"enabled": true, "interval_secs": 3600}))
        .await;
    f.sync().await;
    f.tick();
    let tid = f.create_ticket().await;
    let (status, comment) = f
        .call(
            reqwest::Method::POST,
            &f.path(&format!("/tickets/{tid}/comments")),
            Some(json!({"body": "A reply at once."})),
        )
        .await;
    assert_eq!(status, 201, "{comment}");
    f.sync().await;
    let events = f.ticket_events().await;
    assert_eq!(
        types(&events),
        ["ticket.created", "comment.created"],
        "{events:#?}"
    );
    assert_eq!(events[1]["data"]["comment"]["id"], comment["id"]);
}

vendors!(a_reply_made_with_the_ticket_is_its_own_event);

async fn a_syncs_events_are_sent_without_waiting_for_the_delivery_poll(backend: Backend) {
    // Idle workers would look for due deliveries again only in an hour: the delivery comes
    // only if the sync's stored page wakes them.
    let webhooks = WebhookSettings {
        poll_interval: Duration::from_secs(3600),
        ..fast_webhooks()
    };
    let f = Fixture::with_webhooks(Vendor::Freshdesk, backend, webhooks).await;
    let receiver = Receiver::start().await;
    let (status, created) = f
        .call(
            reqwest::Method::POST,
            "/v1/webhook-endpoints",
            Some(json!({"url": receiver.url(), "event_types": ["ticket.created"]})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    f.change_sync(json!({"enabled": true, "interval_secs": 3600}))
        .await;
    f.sync().await;
    let _workers = f.t.deliver_webhooks();

    f.tick();
    let tid = f.create_ticket().await;
    f.sync().await;
    let got = receiver.wait_for(1).await;
    let event: Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(event["type"], "ticket.created", "{event}");
    assert_eq!(event["data"]["ticket"]["id"], tid.as_str(), "{event}");
}

backends!(a_syncs_events_are_sent_without_waiting_for_the_delivery_poll);
