//! `kill -9` drills on real `deskgate` processes over one PostgreSQL database and the
//! sandbox. Each kills a process at a random moment, several rounds, then checks with a fresh
//! process that nothing acknowledged was lost:
//!
//! - during a stream of credential writes (`PUT /v1/connections/{id}/credentials`, switching
//!   the paired Zendesk user) and connection creations: every write answered 2xx is readable
//!   with its latest value (the user the connection's health shows), every created connection
//!   is there and its credentials open;
//! - during token renewals of Zendesk OAuth connections with rotating refresh tokens: every
//!   connection still works, unless the kill fell between the vendor's rotation and the new
//!   token's commit (the grant is then lost: the old refresh token is presented once, refused,
//!   and the connection marked `needs_reauth`), and the sandbox saw no other refresh token
//!   used twice;
//! - during `deskgate vault rewrap` after a second key version was added: a run to completion
//!   afterwards reports `failed 0`, and with the old key version refused every credential
//!   still opens.
//!
//! Each prints its figures and the seed of its kill points (`DESKGATE_DRILL_SEED` repeats
//! them): `cargo test -p deskgate --test crash_drills -- --nocapture`.

#![allow(clippy::unwrap_used)]

mod gateway;

use std::collections::HashMap;
use std::time::Duration;

use deskgate_sandbox::{FaultConfig, RunningSandbox};
use deskgate_tests::connect_flow::{browser, consent, location, query_param, start_zendesk_oauth};
use deskgate_tests::{Backend, TestDb};
use reqwest::Method;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::gateway::{Deployment, Gateway};

/// Kill points: a seeded sequence, printed so that a failing run can be repeated.
struct KillPoints(u64);

impl KillPoints {
    #[allow(clippy::print_stdout)] // the seed is part of the drill's printed figures
    fn new(drill: &str) -> Self {
        let seed = std::env::var("DESKGATE_DRILL_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
            });
        println!("{drill}: DESKGATE_DRILL_SEED={seed}");
        Self(seed)
    }

    /// A wait between `low` and `high` milliseconds (splitmix64).
    fn next(&mut self, low: u64, high: u64) -> Duration {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        Duration::from_millis(low + z % (high - low + 1))
    }
}

/// A tenant's calls; `None` when the process did not answer (it was killed).
#[derive(Clone)]
struct Tenant {
    http: reqwest::Client,
    key: String,
}

impl Tenant {
    async fn call(
        &self,
        base: &str,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Option<(u16, Value)> {
        let mut req = self
            .http
            .request(method, format!("{base}{path}"))
            .bearer_auth(&self.key);
        if let Some(body) = body {
            req = req.json(body);
        }
        let res = req.send().await.ok()?;
        let status = res.status().as_u16();
        let text = res.text().await.ok()?;
        Some((
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }

    /// A call that must succeed on a live process; its answer.
    async fn ok(&self, on: &Gateway, method: Method, path: &str, body: Option<&Value>) -> Value {
        let (status, answer) = self
            .call(&on.base, method.clone(), path, body)
            .await
            .unwrap();
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {answer}"
        );
        answer
    }
}

/// A drill's world: a PostgreSQL database of its own, the sandbox with one Zendesk account,
/// the deployment over both and a tenant.
struct Drill {
    sandbox: RunningSandbox,
    deployment: Deployment,
    tenant: Tenant,
    db: TestDb,
}

impl Drill {
    /// `None` when the PostgreSQL half of the tests is left out.
    async fn new() -> Option<Self> {
        if deskgate_tests::skip(Backend::Postgres) {
            return None;
        }
        let db = TestDb::new(Backend::Postgres).await;
        let sandbox = gateway::acme_sandbox(10, 100_000).await;
        let deployment = Deployment::new(&db.url, &sandbox.base_url());
        let key = deployment.create_tenant("acme-corp");
        Some(Self {
            sandbox,
            deployment,
            tenant: Tenant {
                http: browser(),
                key,
            },
            db,
        })
    }

    /// The `auth` of a Zendesk API token paired with `email`.
    fn api_token(&self, email: &str) -> Value {
        let c = self.sandbox.sandbox().zendesk_credentials("acme").unwrap();
        json!({"mode": "api_token", "email": email, "token": c.api_token.expose_secret()})
    }

    fn emails(&self) -> [String; 2] {
        let c = self.sandbox.sandbox().zendesk_credentials("acme").unwrap();
        [c.admin_email, c.agent_email]
    }

    fn connect_body(&self, email: &str) -> Value {
        json!({"provider": "zendesk", "subdomain": "acme", "auth": self.api_token(email)})
    }

    /// The user the connection's credentials belong to, by asking the helpdesk now; `None`
    /// when they do not open or the helpdesk refuses them.
    async fn paired_user(&self, on: &Gateway, id: &str) -> Option<String> {
        let path = format!("/v1/connections/{id}/health");
        let (status, health) = self
            .tenant
            .call(&on.base, Method::GET, &path, None)
            .await
            .unwrap();
        (status == 200 && health["ok"] == true)
            .then(|| health["identity"]["user_email"].as_str().map(str::to_owned))
            .flatten()
    }

    /// A call through the connection reaches the helpdesk.
    async fn works(&self, on: &Gateway, id: &str) -> bool {
        let path = format!("/v1/connections/{id}/tickets?limit=1");
        let (status, _) = self
            .tenant
            .call(&on.base, Method::GET, &path, None)
            .await
            .unwrap();
        status == 200
    }
}

/// What one credential writer saw before its process died.
struct Writes {
    connection: String,
    acknowledged: u64,
    /// The value of the last write answered 2xx.
    last_acknowledged: Option<String>,
    /// The write sent but not answered: it may or may not have been committed.
    unanswered: Option<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_during_credential_writes_loses_no_acknowledged_write() {
    let Some(drill) = Drill::new().await else {
        return;
    };
    let mut kills = KillPoints::new("credential writes");
    let emails = drill.emails();
    let first = drill.deployment.start(&[]).await;
    let mut connections = Vec::new();
    for _ in 0..6 {
        let created = drill
            .tenant
            .ok(
                &first,
                Method::POST,
                "/v1/connections",
                Some(&drill.connect_body(&emails[0])),
            )
            .await;
        connections.push(created["id"].as_str().unwrap().to_owned());
    }
    first.kill();

    let mut expected: HashMap<String, (String, Option<String>)> = connections
        .iter()
        .map(|id| (id.clone(), (emails[0].clone(), None)))
        .collect();
    let mut created = Vec::new();
    let (mut acknowledged, mut unanswered) = (0u64, 0u64);
    for round in 0..4u64 {
        let gateway = drill.deployment.start(&[]).await;
        let mut writers = tokio::task::JoinSet::new();
        for (n, id) in connections.iter().enumerate() {
            let (tenant, base, id) = (drill.tenant.clone(), gateway.base.clone(), id.clone());
            let bodies: Vec<Value> = emails
                .iter()
                .map(|e| json!({"auth": drill.api_token(e)}))
                .collect();
            let emails = emails.clone();
            writers.spawn(async move {
                let mut writes = Writes {
                    connection: id.clone(),
                    acknowledged: 0,
                    last_acknowledged: None,
                    unanswered: None,
                };
                let path = format!("/v1/connections/{id}/credentials");
                for i in (n as u64 + round).. {
                    let which = (i % 2) as usize;
                    let answer = tenant
                        .call(&base, Method::PUT, &path, Some(&bodies[which]))
                        .await;
                    match answer {
                        Some((200, _)) => {
                            writes.acknowledged += 1;
                            writes.last_acknowledged = Some(emails[which].clone());
                        }
                        Some((status, body)) => panic!("PUT {path}: {status} {body}"),
                        None => {
                            writes.unanswered = Some(emails[which].clone());
                            return writes;
                        }
                    }
                }
                writes
            });
        }
        let mut creators = tokio::task::JoinSet::new();
        for _ in 0..2 {
            let (tenant, base, body) = (
                drill.tenant.clone(),
                gateway.base.clone(),
                drill.connect_body(&emails[1]),
            );
            creators.spawn(async move {
                let mut ids = Vec::new();
                let mut unanswered = 0;
                loop {
                    match tenant
                        .call(&base, Method::POST, "/v1/connections", Some(&body))
                        .await
                    {
                        Some((201, created)) => {
                            ids.push(created["id"].as_str().unwrap().to_owned());
                        }
                        Some((status, body)) => panic!("POST /v1/connections: {status} {body}"),
                        None => {
                            unanswered += 1;
                            return (ids, unanswered);
                        }
                    }
                }
            });
        }
        tokio::time::sleep(kills.next(200, 1500)).await;
        gateway.kill();
        while let Some(writes) = writers.join_next().await {
            let writes = writes.unwrap();
            acknowledged += writes.acknowledged;
            let entry = expected.get_mut(&writes.connection).unwrap();
            if let Some(last) = writes.last_acknowledged {
                entry.0 = last;
            }
            // A write that was never answered may have been committed, and then it is the
            // latest; the one before it must be there otherwise.
            if writes.unanswered.is_some() {
                unanswered += 1;
            }
            entry.1 = writes.unanswered;
        }
        while let Some(made) = creators.join_next().await {
            let (ids, lost_answers) = made.unwrap();
            acknowledged += ids.len() as u64;
            unanswered += lost_answers;
            created.extend(ids);
        }
    }

    let fresh = drill.deployment.start(&[]).await;
    let mut lost = Vec::new();
    let mut unopenable = Vec::new();
    for (id, (last, maybe)) in &expected {
        match drill.paired_user(&fresh, id).await {
            None => unopenable.push(id.clone()),
            Some(user) if user == *last || Some(&user) == maybe.as_ref() => {}
            Some(user) => lost.push(format!("{id}: {user}, acknowledged {last}")),
        }
    }
    for id in &created {
        match drill.paired_user(&fresh, id).await {
            None => unopenable.push(id.clone()),
            Some(user) if user == emails[1] => {}
            Some(user) => lost.push(format!("{id}: {user}")),
        }
    }
    assert!(lost.is_empty(), "acknowledged writes lost: {lost:?}");
    assert!(
        unopenable.is_empty(),
        "connections that do not open: {unopenable:?}"
    );
    println!(
        "credential writes, 4 kills: {acknowledged} acknowledged writes ({} of them creations), \
         {unanswered} cut by the kill, lost 0, rows unopenable 0",
        created.len()
    );
}

/// Connects the sandbox's Zendesk account over OAuth through the hosted page: a connection
/// with a rotating refresh token.
async fn connect_oauth(drill: &Drill, on: &Gateway, return_url: &str) -> String {
    let session = drill
        .tenant
        .ok(
            on,
            Method::POST,
            "/v1/connect/sessions",
            Some(&json!({"end_user": {"external_ref": "customer-42"}, "allowed_providers": ["zendesk"], "return_url": return_url})),
        )
        .await;
    let authorize = start_zendesk_oauth(session["connect_url"].as_str().unwrap(), "acme").await;
    let callback = consent(&authorize, "approve").await;
    let res = drill.tenant.http.get(&callback).send().await.unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    query_param(&location(&res), "connection_id").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_during_token_renewals_reuses_a_refresh_token_only_for_a_grant_the_kill_lost() {
    let Some(drill) = Drill::new().await else {
        return;
    };
    let mut kills = KillPoints::new("token renewals");
    let first = drill.deployment.start(&[]).await;
    let return_url = "https://app.acme.example/helpdesk/connected";
    drill
        .tenant
        .ok(
            &first,
            Method::PUT,
            "/v1/settings/return-urls",
            Some(&json!({"return_urls": [return_url]})),
        )
        .await;
    let c = drill.sandbox.sandbox().zendesk_credentials("acme").unwrap();
    drill
        .tenant
        .ok(
            &first,
            Method::PUT,
            "/v1/oauth-apps/zendesk",
            Some(&json!({"client_id": c.oauth_client_id, "client_secret": c.oauth_client_secret.expose_secret()})),
        )
        .await;
    let mut connections = Vec::new();
    for _ in 0..4 {
        connections.push(connect_oauth(&drill, &first, return_url).await);
    }
    first.kill();

    let counters = || drill.sandbox.sandbox().zendesk_counters("acme").unwrap();
    let before = counters();
    let renewing = [
        ("DESKGATE_RENEWAL__ENABLED", "true"),
        ("DESKGATE_RENEWAL__INTERVAL_SECS", "1"),
    ];
    // Every helpdesk answer, the token endpoint's included, takes 200 ms: kills land inside
    // renewals more often.
    drill
        .sandbox
        .sandbox()
        .set_zendesk_faults(
            "acme",
            FaultConfig {
                delay_ms: 200,
                ..FaultConfig::default()
            },
        )
        .unwrap();
    let mut answered = 0u64;
    let mut per_round = Vec::new();
    for _ in 0..6 {
        let round_start = counters().token_refresh_token;
        // Every token expired: the background round and every call renew. A renewal lease the
        // previous round's killed process held would lapse 30 s later; the drill moves time
        // past it instead of waiting (the holder is dead, so nothing else changes).
        let past = (chrono::Utc::now() - chrono::TimeDelta::seconds(5))
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        drill
            .db
            .exec(&format!(
                "UPDATE connections SET token_expires_at = '{past}', \
                 lease_until = CASE WHEN lease_until IS NULL THEN NULL ELSE '{past}'::timestamptz END"
            ))
            .await;
        let gateway = drill.deployment.start(&renewing).await;
        let mut calls = tokio::task::JoinSet::new();
        for id in &connections {
            for _ in 0..10 {
                let (tenant, base) = (drill.tenant.clone(), gateway.base.clone());
                let path = format!("/v1/connections/{id}/tickets?limit=1");
                calls.spawn(async move { tenant.call(&base, Method::GET, &path, None).await });
            }
        }
        tokio::time::sleep(kills.next(0, 2000)).await;
        gateway.kill();
        while let Some(call) = calls.join_next().await {
            if let Some((status, body)) = call.unwrap() {
                // 409: a grant lost to an earlier kill (below); 504: a renewal lease the
                // process killed last still holds.
                assert!(
                    status == 200
                        || status == 504
                        || (status == 409 && body["code"] == "connection_needs_reauth"),
                    "{status} {body}"
                );
                answered += u64::from(status == 200);
            }
        }
        per_round.push(counters().token_refresh_token - round_start);
    }

    // The last killed process's renewal lease on a connection lapses after 30 s; until then
    // calls wait for it and answer 504. So each connection gets until then to settle: it
    // works, or its grant was lost and it says so.
    let fresh = drill.deployment.start(&renewing).await;
    let started = std::time::Instant::now();
    let (mut working, mut lost_grants, mut broken) = (0u64, 0u64, Vec::new());
    for id in &connections {
        let path = format!("/v1/connections/{id}/tickets?limit=1");
        let deadline = started + Duration::from_secs(45);
        let (status, body) = loop {
            let (status, body) = drill
                .tenant
                .call(&fresh.base, Method::GET, &path, None)
                .await
                .unwrap();
            if status != 504 || std::time::Instant::now() > deadline {
                break (status, body);
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        };
        match status {
            200 => working += 1,
            409 if body["code"] == "connection_needs_reauth" => lost_grants += 1,
            _ => broken.push(format!("{id}: {status} {body}")),
        }
    }
    let settled = started.elapsed();
    let after = counters();
    let renewals = after.token_refresh_token - before.token_refresh_token;
    let reuse = after.refresh_token_reuse_detected - before.refresh_token_reuse_detected;
    assert!(
        broken.is_empty(),
        "connections in no clear state: {broken:?}"
    );
    assert!(renewals > 0, "no renewal happened");
    // A kill after the vendor rotated a refresh token and before the new one was stored loses
    // the grant: the old token is presented once more by the next process, the vendor refuses
    // it, and the connection is marked `needs_reauth` and never retried. No other refresh
    // token is ever used twice.
    assert_eq!(
        reuse, lost_grants,
        "refresh tokens used twice beyond the grants lost to a kill"
    );
    println!(
        "token renewals, 6 kills over {} rotating OAuth connections: {renewals} refresh-token \
         calls ({per_round:?} per round, then the fresh process), {answered} calls answered 200 \
         before the kills; afterwards {working} working, {lost_grants} grants lost to a kill \
         between the vendor's rotation and the stored token (marked needs_reauth), refresh \
         reuse {reuse} (= lost grants, presented once each), settled {settled:?} after the fresh \
         process started",
        connections.len()
    );
}

/// `scanned N, rewrapped N, failed N` from the command's output.
fn rewrap_report(stdout: &str) -> (u64, u64, u64) {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("scanned "))
        .unwrap_or_else(|| panic!("no report in {stdout:?}"));
    let numbers: Vec<u64> = line
        .split(", ")
        .map(|part| part.rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    (numbers[0], numbers[1], numbers[2])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_during_rewrap_leaves_every_credential_openable() {
    let Some(mut drill) = Drill::new().await else {
        return;
    };
    let mut kills = KillPoints::new("vault rewrap");
    let emails = drill.emails();
    let first = drill.deployment.start(&[]).await;
    let mut connections = Vec::new();
    for _ in 0..25 {
        let mut batch = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let (tenant, base, body) = (
                drill.tenant.clone(),
                first.base.clone(),
                drill.connect_body(&emails[0]),
            );
            batch.spawn(async move {
                tenant
                    .call(&base, Method::POST, "/v1/connections", Some(&body))
                    .await
                    .unwrap()
            });
        }
        while let Some(made) = batch.join_next().await {
            let (status, created) = made.unwrap();
            assert_eq!(status, 201, "{created}");
            connections.push(created["id"].as_str().unwrap().to_owned());
        }
    }
    first.kill();

    drill.deployment.add_active_key();
    // Runs killed at random moments until one finishes on its own (at most four kills).
    let mut rounds = Vec::new();
    for _ in 0..4 {
        let mut rewrap = drill
            .deployment
            .spawn(&["vault", "rewrap", "--batch-size", "10"]);
        tokio::time::sleep(kills.next(150, 900)).await;
        if rewrap.try_wait().unwrap().is_some() {
            let out = rewrap.wait_with_output().unwrap();
            rounds.push(format!(
                "finished: {}",
                String::from_utf8_lossy(&out.stdout).trim()
            ));
            break;
        }
        rewrap.kill().unwrap();
        rewrap.wait().unwrap();
        rounds.push("killed".to_owned());
    }
    let out = drill
        .deployment
        .spawn(&["vault", "rewrap", "--batch-size", "10"])
        .wait_with_output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}");
    let (scanned, rewrapped, failed) = rewrap_report(&stdout);
    assert_eq!(failed, 0, "{stdout}");
    let again = drill
        .deployment
        .spawn(&["vault", "rewrap"])
        .wait_with_output()
        .unwrap();
    let again = String::from_utf8_lossy(&again.stdout).into_owned();
    assert_eq!(
        rewrap_report(&again).0,
        0,
        "rows left on the old key: {again}"
    );

    // The old key version refused from now on: every credential must open with the new one.
    drill.deployment.set_min_version(2);
    let fresh = drill.deployment.start(&[]).await;
    let mut unopenable = Vec::new();
    for id in &connections {
        if !drill.works(&fresh, id).await {
            unopenable.push(id.clone());
        }
    }
    assert!(
        unopenable.is_empty(),
        "credentials that do not open: {unopenable:?}"
    );
    println!(
        "vault rewrap over {} connections, runs {rounds:?}, then a run to the end: \
         scanned {scanned}, rewrapped {rewrapped}, failed {failed}; with key version 1 refused \
         rows unopenable 0",
        connections.len()
    );
}
