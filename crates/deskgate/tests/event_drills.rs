//! Fault drills for change events, on real `deskgate serve` processes over one PostgreSQL
//! database and the sandbox:
//!
//! - a process killed (`kill -9`) mid-sync: the next one goes on from the last stored page,
//!   and every ticket's event is in the log exactly once;
//! - a process killed mid-delivery: the claims it held lapse and another process sends them,
//!   so every event reaches every endpoint at least once and in the log's order (the one in
//!   flight at the kill may come twice, with the same `webhook-id`);
//! - three processes syncing and delivering at once: each endpoint gets exactly its events,
//!   once each, in the log's order.
//!
//! Each prints what it measured: `cargo test -p deskgate --test event_drills -- --nocapture`.

#![allow(clippy::unwrap_used)]

mod gateway;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use deskgate_sandbox::{FaultConfig, RunningSandbox, SandboxConfig};
use deskgate_tests::{Backend, Receiver, TestDb, freshdesk_account, intercom_workspace, read};
use reqwest::Method;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::gateway::{Deployment, Gateway};

/// A tenant's API key, used on whichever process a call goes to.
struct Tenant {
    http: reqwest::Client,
    key: String,
}

impl Tenant {
    fn new(key: String) -> Self {
        Self {
            http: reqwest::Client::new(),
            key,
        }
    }

    async fn call(
        &self,
        on: &Gateway,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", on.base))
            .bearer_auth(&self.key);
        if let Some(body) = body {
            req = req.json(&body);
        }
        read(req.send().await.unwrap()).await
    }

    /// A GET with `query` that must succeed; its answer.
    async fn get(&self, on: &Gateway, path: &str, query: &[(&str, &str)]) -> Value {
        let res = self
            .http
            .get(format!("{}{path}", on.base))
            .query(query)
            .bearer_auth(&self.key)
            .send()
            .await
            .unwrap();
        let (status, answer) = read(res).await;
        assert_eq!(status, 200, "GET {path} {query:?}: {answer}");
        answer
    }

    /// A call that must succeed; its answer.
    async fn ok(&self, on: &Gateway, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, answer) = self.call(on, method.clone(), path, body).await;
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {answer}"
        );
        answer
    }

    /// Connects a sandbox account with `body`; the connection id.
    async fn connect(&self, on: &Gateway, body: Value) -> String {
        let created = self
            .ok(on, Method::POST, "/v1/connections", Some(body))
            .await;
        created["id"].as_str().unwrap().to_owned()
    }

    /// A webhook endpoint sending to `receiver`, with `filter`'s fields; its id.
    async fn endpoint(&self, on: &Gateway, receiver: &Receiver, filter: Value) -> String {
        let mut body = json!({"url": receiver.url()});
        if let (Some(body), Some(filter)) = (body.as_object_mut(), filter.as_object()) {
            body.extend(filter.clone());
        }
        let created = self
            .ok(on, Method::POST, "/v1/webhook-endpoints", Some(body))
            .await;
        created["id"].as_str().unwrap().to_owned()
    }

    /// The connection's sync as the API shows it.
    async fn sync(&self, on: &Gateway, connection: &str) -> Value {
        let path = format!("/v1/connections/{connection}/sync");
        self.get(on, &path, &[]).await
    }

    /// Changes the connection's own sync settings.
    async fn change_sync(&self, on: &Gateway, connection: &str, settings: Value) {
        let path = format!("/v1/connections/{connection}/sync");
        self.ok(on, Method::PATCH, &path, Some(settings)).await;
    }

    /// Whether the connection's first sync reached the present and no process runs it.
    async fn caught_up(&self, on: &Gateway, connection: &str) -> bool {
        let view = self.sync(on, connection).await;
        view["baseline_at"].is_string() && view["running"] == false
    }

    /// The ids of the events the endpoint's attempts delivered (the receiver answered 2xx,
    /// and the process that sent it recorded so).
    async fn delivered(&self, on: &Gateway, endpoint: &str) -> HashSet<String> {
        let path = format!("/v1/webhook-endpoints/{endpoint}/attempts");
        let mut delivered = HashSet::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut query = vec![("limit", "100")];
            if let Some(cursor) = &cursor {
                query.push(("cursor", cursor));
            }
            let page = self.get(on, &path, &query).await;
            for attempt in page["data"].as_array().unwrap() {
                if attempt["delivered"] == true {
                    delivered.insert(attempt["event_id"].as_str().unwrap().to_owned());
                }
            }
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return delivered,
            }
        }
    }
}

/// The event log as read so far, and where to read on.
#[derive(Default)]
struct Log {
    after: Option<String>,
    events: Vec<Value>,
}

impl Log {
    /// Reads the events recorded since the last read.
    async fn read_on(&mut self, tenant: &Tenant, on: &Gateway) {
        loop {
            let mut query = vec![("limit", "100")];
            if let Some(after) = &self.after {
                query.push(("after", after));
            }
            let page = tenant.get(on, "/v1/events", &query).await;
            self.events
                .extend(page["data"].as_array().unwrap().iter().cloned());
            self.after = page["next_after"].as_str().map(str::to_owned);
            if page["has_more"] != true {
                return;
            }
        }
    }

    /// The whole log.
    async fn read(tenant: &Tenant, on: &Gateway) -> Vec<Value> {
        let mut log = Self::default();
        log.read_on(tenant, on).await;
        log.events
    }
}

fn of_type<'a>(events: &'a [Value], event_type: &str) -> impl Iterator<Item = &'a Value> {
    events.iter().filter(move |e| e["type"] == event_type)
}

fn id_of(event: &Value) -> &str {
    event["id"].as_str().unwrap()
}

/// How many events of each type, for the printed figures.
fn by_type(events: &[Value]) -> Vec<(String, usize)> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for e in events {
        *counts
            .entry(e["type"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort();
    counts
}

/// Asserts that the log names each event once, and each of a connection's tickets in one
/// `ticket.created` at most; answers how many `ticket.created` each connection has.
fn assert_once(events: &[Value]) -> HashMap<String, usize> {
    let ids: HashSet<&str> = events.iter().map(id_of).collect();
    assert_eq!(ids.len(), events.len(), "an event id is in the log twice");
    let mut created: HashMap<(String, String), usize> = HashMap::new();
    for e in of_type(events, "ticket.created") {
        let key = (
            e["connection_id"].as_str().unwrap().to_owned(),
            e["data"]["ticket"]["id"].as_str().unwrap().to_owned(),
        );
        *created.entry(key).or_default() += 1;
    }
    let twice: Vec<_> = created.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "tickets created twice in the log: {twice:?}"
    );
    let mut per_connection = HashMap::new();
    for (connection, _) in created.keys() {
        *per_connection.entry(connection.clone()).or_default() += 1;
    }
    per_connection
}

/// What a receiver got: how many requests per `webhook-id` it answered 2xx.
fn received(receiver: &Receiver) -> HashMap<String, usize> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in receiver.delivered() {
        *seen.entry(r.webhook_id().to_owned()).or_default() += 1;
    }
    seen
}

/// How many requests repeated a `webhook-id` received before.
fn duplicates(seen: &HashMap<String, usize>) -> usize {
    seen.values().map(|n| n - 1).sum()
}

/// Polls `check` every 100 ms until it answers true; fails the test naming `what` after
/// `within`. (The processes under test are other processes: polling is how to watch them.)
async fn until(what: &str, within: Duration, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !check().await {
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn freshdesk(sandbox: &RunningSandbox, domain: &str) -> Value {
    let c = sandbox.sandbox().freshdesk_credentials(domain).unwrap();
    json!({
        "provider": "freshdesk",
        "domain": domain,
        "auth": {"mode": "api_key", "api_key": c.admin_api_key.expose_secret()},
    })
}

fn intercom(sandbox: &RunningSandbox, workspace: &str) -> Value {
    let c = sandbox.sandbox().intercom_credentials(workspace).unwrap();
    json!({
        "provider": "intercom",
        "region": c.region.as_str(),
        "auth": {"mode": "access_token", "access_token": c.access_token.expose_secret()},
    })
}

/// A ticket body the vendor of `account` takes: Freshdesk and Intercom need a requester.
fn new_ticket(sandbox: &RunningSandbox, account: &str, n: usize) -> Value {
    let requester = match sandbox.sandbox().freshdesk_credentials(account) {
        Some(c) => c.contact_id.to_string(),
        None => {
            sandbox
                .sandbox()
                .intercom_credentials(account)
                .unwrap()
                .contact_id
        }
    };
    json!({
        "subject": format!("Printer {n} on fire"),
        "description": "It is very colorful.",
        "requester_id": requester,
    })
}

/// What a drill runs on: a database of its own, a sandbox with `tickets` tickets in each
/// Freshdesk account and Intercom workspace named, a deployment over both and a tenant.
struct Drill {
    sandbox: RunningSandbox,
    deployment: Deployment,
    tenant: Tenant,
    // Dropped last, after the gateways the test started.
    _db: TestDb,
}

impl Drill {
    /// `None` when the PostgreSQL half of the tests is left out: the drill is skipped.
    async fn new(freshdesk: &[&str], intercom: &[&str], tickets: usize) -> Option<Self> {
        if deskgate_tests::skip(Backend::Postgres) {
            return None;
        }
        let db = TestDb::new(Backend::Postgres).await;
        let tickets = tickets as u64;
        let sandbox = deskgate_sandbox::spawn(SandboxConfig {
            zendesk: vec![],
            freshdesk: freshdesk
                .iter()
                .map(|d| freshdesk_account(d, tickets))
                .collect(),
            intercom: intercom
                .iter()
                .map(|w| intercom_workspace(w, tickets))
                .collect(),
        })
        .await
        .unwrap();
        let deployment = Deployment::new(&db.url, &sandbox.base_url());
        let tenant = Tenant::new(deployment.create_tenant("acme-corp"));
        Some(Self {
            sandbox,
            deployment,
            tenant,
            _db: db,
        })
    }

    /// Starts a gateway at the drills' pace — due syncs and idle delivery workers looked for
    /// every 100 ms, the tests' loopback receivers allowed — with `env` on top.
    async fn start(&self, env: &[(&str, &str)]) -> Gateway {
        let mut all = vec![
            ("DESKGATE_EVENTS__TICK_MILLIS", "100"),
            ("DESKGATE_WEBHOOKS__POLL_INTERVAL_MILLIS", "100"),
            ("DESKGATE_WEBHOOKS__ALLOW_LOOPBACK_HTTP", "true"),
        ];
        all.extend_from_slice(env);
        self.deployment.start(&all).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_killed_mid_sync_loses_no_event_and_records_none_twice() {
    const TICKETS: usize = 2_000;
    let Some(drill) = Drill::new(&["acme"], &[], TICKETS).await else {
        return;
    };
    let (sandbox, tenant) = (&drill.sandbox, &drill.tenant);
    // Each change page takes a moment, so that the kill lands mid-sync.
    let slow = FaultConfig {
        delay_ms: 30,
        ..FaultConfig::default()
    };
    sandbox
        .sandbox()
        .set_freshdesk_faults("acme", slow)
        .unwrap();
    // An odd page size: Freshdesk's seeded tickets share `updated_at` in pairs, so pages
    // end inside a tie and the next page (on either process) must pick up its other half.
    let env = [
        ("DESKGATE_EVENTS__PAGE_LIMIT", "25"),
        ("DESKGATE_EVENTS__LEASE_SECS", "5"),
    ];
    let a = drill.start(&env).await;
    let id = tenant.connect(&a, freshdesk(sandbox, "acme")).await;
    let backfill = json!({"enabled": true, "backfill": true});
    tenant.change_sync(&a, &id, backfill).await;

    // Kill A once a fifth of the backfill is in the log.
    let mut log = Log::default();
    until(
        "a fifth of the backfill recorded",
        Duration::from_secs(30),
        async || {
            log.read_on(tenant, &a).await;
            of_type(&log.events, "ticket.created").count() >= TICKETS / 5
        },
    )
    .await;
    let view = tenant.sync(&a, &id).await;
    assert!(
        view["baseline_at"].is_null(),
        "finished before the kill: {view}"
    );
    let started = Instant::now();
    drop(a);
    let b = drill.start(&env).await;
    // A's lease still stands: what the log holds now is what A recorded.
    let view = tenant.sync(&b, &id).await;
    assert!(view["baseline_at"].is_null(), "{view}");
    let by_a = of_type(&Log::read(tenant, &b).await, "ticket.created").count();
    until("B finished the sync", Duration::from_secs(45), async || {
        tenant.caught_up(&b, &id).await
    })
    .await;
    let catch_up = started.elapsed();

    let events = Log::read(tenant, &b).await;
    let per_connection = assert_once(&events);
    assert_eq!(
        per_connection.get(&id),
        Some(&TICKETS),
        "{:?}",
        by_type(&events)
    );
    let ids: HashSet<&str> = of_type(&events, "ticket.created")
        .map(|e| e["data"]["ticket"]["id"].as_str().unwrap())
        .collect();
    let missing: Vec<usize> = (1..=TICKETS)
        .filter(|n| !ids.contains(n.to_string().as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "tickets without ticket.created: {missing:?}"
    );
    println!(
        "kill -9 mid-sync: {TICKETS} tickets; A had recorded {by_a} when killed; B caught up \
         {:.1} s after the kill; log: {} events {:?}; 0 lost, 0 twice",
        catch_up.as_secs_f64(),
        events.len(),
        by_type(&events),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_killed_mid_delivery_loses_no_delivery() {
    const TICKETS: usize = 150;
    // An endpoint has one delivery in flight at a time: several endpoints, several in flight
    // when A dies.
    const ENDPOINTS: usize = 4;
    let Some(drill) = Drill::new(&["acme"], &[], TICKETS).await else {
        return;
    };
    let (sandbox, tenant) = (&drill.sandbox, &drill.tenant);
    // A claim lasts 3 s: A's lapse soon after it dies.
    let env = [
        ("DESKGATE_EVENTS__PAGE_LIMIT", "100"),
        ("DESKGATE_WEBHOOKS__TIMEOUT_SECS", "2"),
        ("DESKGATE_WEBHOOKS__CLAIM_SECS", "3"),
    ];
    let a = drill.start(&env).await;
    let mut endpoints = Vec::new();
    for _ in 0..ENDPOINTS {
        // Every answer takes a while, so that deliveries are in flight when A dies.
        let receiver = Receiver::start().await;
        receiver.sleep_next(10 * TICKETS, Duration::from_millis(50));
        let id = tenant.endpoint(&a, &receiver, json!({})).await;
        endpoints.push((receiver, id));
    }
    let id = tenant.connect(&a, freshdesk(sandbox, "acme")).await;
    let backfill = json!({"enabled": true, "backfill": true});
    tenant.change_sync(&a, &id, backfill).await;

    let arrived = |endpoints: &[(Receiver, String)]| -> Vec<usize> {
        endpoints.iter().map(|(r, _)| r.requests().len()).collect()
    };
    until("A delivering", Duration::from_secs(30), async || {
        arrived(&endpoints).iter().sum::<usize>() >= ENDPOINTS * TICKETS / 5
    })
    .await;
    let started = Instant::now();
    drop(a);
    let before_kill = arrived(&endpoints);
    let b = drill.start(&env).await;
    // Delivered as the gateway recorded it: a request A sent before it died reached the
    // receiver, but A never recorded its answer, so only B's attempt counts here.
    let mut events = Vec::new();
    until(
        "every event delivered",
        Duration::from_secs(45),
        async || {
            if !tenant.caught_up(&b, &id).await {
                return false;
            }
            events = Log::read(tenant, &b).await;
            for (_, endpoint) in &endpoints {
                let delivered = tenant.delivered(&b, endpoint).await;
                if !events.iter().all(|e| delivered.contains(id_of(e))) {
                    return false;
                }
            }
            true
        },
    )
    .await;
    let catch_up = started.elapsed();

    assert_once(&events);
    assert_eq!(of_type(&events, "ticket.created").count(), TICKETS);
    let logged: Vec<&str> = events.iter().map(id_of).collect();
    let mut dupes = 0;
    for ((receiver, _), before_kill) in endpoints.iter().zip(&before_kill) {
        let requests = receiver.requests();
        assert!(requests.iter().all(|r| r.delivered()));
        // Each event once in the log's order (an endpoint's next event waits for the one
        // before), the kill notwithstanding: A's claim held the endpoint until it lapsed.
        let mut first: Vec<&str> = Vec::new();
        for r in &requests {
            if !first.contains(&r.webhook_id()) {
                first.push(r.webhook_id());
            }
        }
        assert_eq!(first, logged, "what the receiver got first, in order");
        // Only the delivery in flight at the kill may come twice, its first copy before.
        let repeated: Vec<&str> = requests[*before_kill..]
            .iter()
            .map(|r| r.webhook_id())
            .filter(|id| {
                requests[..*before_kill]
                    .iter()
                    .any(|r| r.webhook_id() == *id)
            })
            .collect();
        assert!(
            repeated.len() <= 1,
            "sent again after the kill: {repeated:?}"
        );
        dupes += requests.len() - first.len();
        assert_eq!(repeated.len(), requests.len() - first.len());
    }
    assert!(dupes <= ENDPOINTS, "{dupes} duplicates");
    println!(
        "kill -9 mid-delivery: {} events to {ENDPOINTS} endpoints; {} webhooks received before \
         the kill; {} received in all, {} distinct, {dupes} duplicates (in flight at the kill, \
         at most one per endpoint); 0 lost, each endpoint's in the log's order; all delivered \
         {:.1} s after the kill",
        events.len(),
        before_kill.iter().sum::<usize>(),
        endpoints
            .iter()
            .map(|(r, _)| r.requests().len())
            .sum::<usize>(),
        ENDPOINTS * events.len(),
        catch_up.as_secs_f64(),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_deliver_each_event_once() {
    const TICKETS: usize = 150;
    const NEW: usize = 3;
    let accounts = [
        ("acme", true),
        ("globex", true),
        ("initech", false),
        ("umbrella", false),
    ];
    let Some(drill) = Drill::new(&["acme", "globex"], &["initech", "umbrella"], TICKETS).await
    else {
        return;
    };
    let (sandbox, tenant) = (&drill.sandbox, &drill.tenant);
    let env = [
        ("DESKGATE_EVENTS__PAGE_LIMIT", "50"),
        ("DESKGATE_EVENTS__MIN_INTERVAL_SECS", "1"),
    ];
    let mut gateways = Vec::new();
    for _ in 0..3 {
        gateways.push(drill.start(&env).await);
    }
    let on = |n: usize| &gateways[n % gateways.len()];
    let every = Receiver::start().await;
    let one = Receiver::start().await;
    let every_id = tenant.endpoint(on(0), &every, json!({})).await;
    let mut ids = Vec::new();
    for (n, (account, is_freshdesk)) in accounts.iter().enumerate() {
        let body = if *is_freshdesk {
            freshdesk(sandbox, account)
        } else {
            intercom(sandbox, account)
        };
        ids.push(tenant.connect(on(n), body).await);
    }
    let one_id = tenant
        .endpoint(on(1), &one, json!({"connection_id": ids[0]}))
        .await;
    for (n, id) in ids.iter().enumerate() {
        tenant
            .change_sync(on(n), id, json!({"backfill": true}))
            .await;
    }
    let started = Instant::now();
    let body = json!({"enabled": true, "interval_secs": 1});
    tenant
        .ok(on(2), Method::PUT, "/v1/settings/sync", Some(body))
        .await;
    until("every backfill done", Duration::from_secs(40), async || {
        for (n, id) in ids.iter().enumerate() {
            if !tenant.caught_up(on(n), id).await {
                return false;
            }
        }
        true
    })
    .await;
    let backfilled = started.elapsed();
    // Changes after the baseline, through every process.
    for (n, (account, _)) in accounts.iter().enumerate() {
        for k in 0..NEW {
            let path = format!("/v1/connections/{}/tickets", ids[n]);
            let body = new_ticket(sandbox, account, k);
            tenant.ok(on(n + k), Method::POST, &path, Some(body)).await;
        }
    }
    let mut events = Vec::new();
    until(
        "every change recorded and delivered",
        Duration::from_secs(40),
        async || {
            events = Log::read(tenant, on(0)).await;
            let per_connection = assert_once(&events);
            if ids
                .iter()
                .any(|id| per_connection.get(id) != Some(&(TICKETS + NEW)))
            {
                return false;
            }
            let (every_seen, one_seen) = (received(&every), received(&one));
            events.iter().all(|e| {
                every_seen.contains_key(id_of(e))
                    && (e["connection_id"] != ids[0].as_str()
                        || e["type"] == "connection.created"
                        || one_seen.contains_key(id_of(e)))
            })
        },
    )
    .await;
    // The endpoint for the first connection was made after it: its connection.created went
    // to the other endpoint only.
    let for_one: Vec<&str> = events
        .iter()
        .filter(|e| e["connection_id"] == ids[0].as_str() && e["type"] != "connection.created")
        .map(id_of)
        .collect();
    // Every delivery is recorded as delivered: nothing is in flight that could come again.
    for (endpoint, expected) in [(&every_id, events.len()), (&one_id, for_one.len())] {
        until(
            "every attempt recorded",
            Duration::from_secs(10),
            async || tenant.delivered(on(2), endpoint).await.len() == expected,
        )
        .await;
    }
    let caught_up = started.elapsed();

    let (every_seen, one_seen) = (received(&every), received(&one));
    let deliveries = every.requests().len() + one.requests().len();
    let dupes = duplicates(&every_seen) + duplicates(&one_seen);
    println!(
        "three processes, {} connections: {} events {:?}; {deliveries} webhooks to 2 \
         endpoints ({} + {} distinct); {dupes} duplicates; backfill done in {:.1} s, every \
         change delivered {:.1} s after syncs were enabled",
        ids.len(),
        events.len(),
        by_type(&events),
        every_seen.len(),
        one_seen.len(),
        backfilled.as_secs_f64(),
        caught_up.as_secs_f64(),
    );
    assert_eq!(dupes, 0, "duplicates without a fault");
    // Each endpoint got exactly its events, once each and in the log's order, whichever
    // process sent them.
    let got = |receiver: &Receiver| -> Vec<String> {
        let requests = receiver.requests();
        assert!(requests.iter().all(|r| r.delivered()));
        requests.iter().map(|r| r.webhook_id().to_owned()).collect()
    };
    let logged: Vec<&str> = events.iter().map(id_of).collect();
    assert_eq!(got(&every), logged);
    assert_eq!(got(&one), for_one, "the connection filter");
}
