//! The database goes away under a stream of requests and comes back: a real `deskgate serve`
//! process on a private PostgreSQL cluster (`deskgate_tests::cluster`) that the test stops
//! with `pg_ctl stop -m immediate` (as if it crashed) and then `-m fast` (sessions are
//! terminated "due to administrator command"), and starts again.
//!
//! Every answer meanwhile is a 2xx or a 503 problem+json `unavailable` (never a 500, never a
//! driver's message), `/readyz` goes 503 and back to 200, and afterwards, without a restart of
//! the gateway, every request works and what was acknowledged before is still there: the
//! connections created (their credentials open and reach the helpdesk), and an idempotent
//! write's answer, replayed for the same key.
//!
//! Skipped, saying so, only where no PostgreSQL `initdb` exists at all.
//! `cargo test -p deskgate --test db_outage -- --nocapture` prints what it measured.

#![allow(clippy::unwrap_used)]

mod gateway;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use deskgate_tests::cluster::Cluster;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::gateway::Deployment;

/// One answer seen during the drill.
#[derive(Debug)]
struct Answer {
    what: &'static str,
    status: u16,
    content_type: String,
    body: Value,
}

impl Answer {
    async fn of(what: &'static str, res: reqwest::Response) -> Self {
        let status = res.status().as_u16();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let text = res.text().await.unwrap_or_default();
        Self {
            what,
            status,
            content_type,
            body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
        }
    }

    /// A 2xx, or the outage's 503 problem+json with an opaque body.
    fn acceptable(&self) -> bool {
        let opaque = !self.body.to_string().to_lowercase().contains("sqlx")
            && !self.body.to_string().contains("connection refused")
            && !self.body.to_string().contains("administrator command");
        (200..300).contains(&self.status)
            || (self.status == 503
                && self.content_type == "application/problem+json"
                && self.body["code"] == "unavailable"
                && opaque)
    }
}

/// The drill's traffic: a tenant calling one gateway.
struct Client {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Client {
    async fn send(&self, what: &'static str, req: reqwest::RequestBuilder) -> Option<Answer> {
        // A request the gateway could not answer at all would be a failure of its own kind;
        // the gateway keeps running here, so every request gets an answer.
        let res = req.bearer_auth(&self.key).send().await.ok()?;
        Some(Answer::of(what, res).await)
    }

    fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.get(format!("{}{path}", self.base))
    }

    fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.post(format!("{}{path}", self.base))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_outage_answers_503_and_heals_without_a_restart() {
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let sandbox = gateway::acme_sandbox(10, 2_500).await;
    let deployment = Deployment::new(&cluster.url("deskgate"), &sandbox.base_url());
    let key = deployment.create_tenant("acme-corp");
    // The stream and the final check of every connection it created (one call each, back to
    // back) would meet the per-key rate on a fast machine: not what this drill measures.
    let gateway = deployment
        .start(&[
            ("DESKGATE_LIMITS__KEY_PER_MINUTE", "600000"),
            ("DESKGATE_LIMITS__KEY_BURST", "10000"),
            ("DESKGATE_LIMITS__TENANT_PER_MINUTE", "600000"),
            ("DESKGATE_LIMITS__TENANT_BURST", "10000"),
        ])
        .await;
    let client = Arc::new(Client {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
        base: gateway.base.clone(),
        key,
    });
    let c = sandbox.sandbox().zendesk_credentials("acme").unwrap();
    let connect_body = json!({
        "provider": "zendesk",
        "subdomain": "acme",
        "auth": {"mode": "api_token", "email": c.admin_email, "token": c.api_token.expose_secret()},
    });

    // Acknowledged before the outage: a connection, created with an idempotency key.
    let first = client
        .send(
            "create",
            client
                .post("/v1/connections")
                .header("Idempotency-Key", "before-the-outage")
                .json(&connect_body),
        )
        .await
        .unwrap();
    assert_eq!(first.status, 201, "{first:?}");
    let connection = first.body["id"].as_str().unwrap().to_owned();

    // The stream: reads of the connection, helpdesk calls through it, new connections, and
    // the readiness probe, from six workers until told to stop.
    let answers = Arc::new(Mutex::new(Vec::<Answer>::new()));
    let created = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = tokio::task::JoinSet::new();
    for worker in 0..6usize {
        let (client, answers, created, stop) = (
            client.clone(),
            answers.clone(),
            created.clone(),
            stop.clone(),
        );
        let (connection, body) = (connection.clone(), connect_body.clone());
        workers.spawn(async move {
            let mut n = 0usize;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let answer = match (worker + n) % 4 {
                    0 => {
                        client
                            .send("read", client.get(&format!("/v1/connections/{connection}")))
                            .await
                    }
                    1 => {
                        let path = format!("/v1/connections/{connection}/tickets?limit=1");
                        client.send("call", client.get(&path)).await
                    }
                    2 => {
                        let req = client
                            .post("/v1/connections")
                            .header("Idempotency-Key", format!("stream-{worker}-{n}"))
                            .json(&body);
                        let answer = client.send("create", req).await;
                        if let Some(a) = &answer
                            && a.status == 201
                        {
                            created
                                .lock()
                                .await
                                .push(a.body["id"].as_str().unwrap().to_owned());
                        }
                        answer
                    }
                    _ => client.send("readyz", client.get("/readyz")).await,
                };
                let answer = answer.expect("the gateway closed a connection without answering");
                answers.lock().await.push(answer);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
    }

    // A probe watching readiness, in order.
    let readiness = Arc::new(Mutex::new(Vec::<u16>::new()));
    let probe = {
        let (client, readiness, stop) = (client.clone(), readiness.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                if let Some(a) = client.send("readyz", client.get("/readyz")).await {
                    let mut seen = readiness.lock().await;
                    if seen.last() != Some(&a.status) {
                        seen.push(a.status);
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };

    let mut recoveries = Vec::new();
    for mode in ["immediate", "fast"] {
        tokio::time::sleep(Duration::from_secs(1)).await;
        cluster.stop(mode);
        tokio::time::sleep(Duration::from_secs(5)).await;
        cluster.resume();
        let restarted = Instant::now();
        let deadline = restarted + Duration::from_secs(30);
        loop {
            let a = client.send("readyz", client.get("/readyz")).await.unwrap();
            if a.status == 200 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "not ready 30 s after the database came back ({mode}): {a:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        recoveries.push((mode, restarted.elapsed()));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::SeqCst);
    while let Some(done) = workers.join_next().await {
        done.unwrap();
    }
    probe.await.unwrap();

    let answers = answers.lock().await;
    let wrong: Vec<&Answer> = answers.iter().filter(|a| !a.acceptable()).collect();
    assert!(
        wrong.is_empty(),
        "answers other than 2xx or 503 unavailable: {wrong:#?}"
    );
    let unavailable = answers.iter().filter(|a| a.status == 503).count();
    assert!(unavailable > 0, "no request saw the outage");
    let readiness = readiness.lock().await.clone();
    assert!(
        readiness.windows(2).any(|w| w == [503, 200]),
        "/readyz did not go 503 and back to 200: {readiness:?}"
    );

    // Afterwards, without a restart: every request works, and nothing acknowledged is lost.
    let read = client
        .send("read", client.get(&format!("/v1/connections/{connection}")))
        .await
        .unwrap();
    assert_eq!(read.status, 200, "{read:?}");
    let replay = client
        .http
        .post(format!("{}/v1/connections", client.base))
        .bearer_auth(&client.key)
        .header("Idempotency-Key", "before-the-outage")
        .json(&connect_body)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.headers().get("idempotent-replayed").unwrap(), "true");
    let replay = Answer::of("create", replay).await;
    assert_eq!((replay.status, &replay.body), (first.status, &first.body));
    let created = created.lock().await.clone();
    let mut reachable = 0;
    for id in std::iter::once(&connection).chain(created.iter()) {
        let path = format!("/v1/connections/{id}/tickets?limit=1");
        let call = client.send("call", client.get(&path)).await.unwrap();
        assert_eq!(call.status, 200, "connection {id}: {call:?}");
        reachable += 1;
    }

    let by = |what: &str, status: u16| {
        answers
            .iter()
            .filter(|a| a.what == what && a.status == status)
            .count()
    };
    println!(
        "database outage (immediate, then fast; 5 s each): {} answers, {} 2xx, {unavailable} 503 \
         unavailable, 0 other; reads {}/{}, helpdesk calls {}/{}, creates {}/{}, readyz {}/{} \
         (200/503); /readyz {readiness:?}; ready again {recoveries:?} after each restart; \
         afterwards {reachable} acknowledged connections answer 200, the idempotent create \
         replays its 201",
        answers.len(),
        answers.iter().filter(|a| a.status < 300).count(),
        by("read", 200),
        by("read", 503),
        by("call", 200),
        by("call", 503),
        by("create", 201),
        by("create", 503),
        by("readyz", 200),
        by("readyz", 503),
    );
}
